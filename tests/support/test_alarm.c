/* test_alarm.c - see test_alarm.h. */
#define _POSIX_C_SOURCE 200809L /* sigaction */

#include "test_alarm.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static void on_alarm(int sig)
{
    (void)sig;
}

void cbt_arm_alarm(unsigned seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: the blocked call returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(seconds);
}
