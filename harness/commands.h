/* commands.h - the cifarbench sub-commands; each takes the arguments after its name and returns
 * the process exit code (CB_EXIT_*, cb_options.h). */
#ifndef CB_COMMANDS_H
#define CB_COMMANDS_H

int cb_cmd_train(int argc, char **argv);
int cb_cmd_scale(int argc, char **argv);

struct cb_run_options;
/* train --task regression, after train has parsed its options. */
int cb_cmd_regression(struct cb_run_options *o, const char *loss_name);
int cb_cmd_tune(int argc, char **argv);
int cb_cmd_study(int argc, char **argv);
int cb_cmd_cpu(int argc, char **argv);

#endif /* CB_COMMANDS_H */
