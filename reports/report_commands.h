/*
 * report_commands.h - the `cifarbench report` and `cifarbench compare` commands. Each takes the
 * arguments after the command's name and returns the process exit code: 0 ok, 1 failure (an
 * unreadable, malformed or wrong-schema file; for compare also a significant regression), 2 bad
 * usage.
 */
#ifndef CB_REPORT_COMMANDS_H
#define CB_REPORT_COMMANDS_H

/* cifarbench report RESULT.json... --out DIR: writes DIR/report.md and DIR/report.html. */
int cb_cmd_report(int argc, char **argv);

/* cifarbench compare BASE.json NEW.json [--threshold PCT] [--alpha A]: a table of every figure
 * both files have, with the Mann-Whitney U test over repetitions; exit 1 on a regression. */
int cb_cmd_compare(int argc, char **argv);

/* cifarbench record RESULT.json... [--db FILE]: stores results in the history database. */
int cb_cmd_record(int argc, char **argv);

/* cifarbench history [--list | --check | --out DIR] ...: trends and change points of the history. */
int cb_cmd_history(int argc, char **argv);

/* cifarbench bisect --good REV --bad REV --run COMMAND: the first revision where a figure steps. */
int cb_cmd_bisect(int argc, char **argv);

#endif /* CB_REPORT_COMMANDS_H */
