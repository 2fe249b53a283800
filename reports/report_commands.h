/* report_commands.h - temporary */
#ifndef CB_REPORT_COMMANDS_H
#define CB_REPORT_COMMANDS_H
int cb_cmd_report(int argc, char **argv);
int cb_cmd_compare(int argc, char **argv);
#endif
