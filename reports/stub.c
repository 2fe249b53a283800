/* temporary stub, replaced by the reports implementation */
#include <stdio.h>
#include "report_commands.h"
int cb_cmd_report(int argc, char **argv) { (void)argc; (void)argv; fputs("cifarbench report: not built yet\n", stderr); return 1; }
int cb_cmd_compare(int argc, char **argv) { (void)argc; (void)argv; fputs("cifarbench compare: not built yet\n", stderr); return 1; }
