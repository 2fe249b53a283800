/* paths.c - the shipped data beside the executable, <exe dir>/../share/cifarbench (cb_paths.h). */
#define _POSIX_C_SOURCE 200809L
#include "cb_paths.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cb_data_path(const char *name, char *buf, size_t len)
{
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || (size_t)n >= sizeof exe - 1)
        return -1;
    exe[n] = '\0';
    /* /proc/self/exe is canonical (no symlinks, no ".."), so the executable's directory's parent
     * is its path without the last two components: /p/bin/cifarbench -> /p. */
    for (int k = 0; k < 2; k++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            return -1;
        *slash = '\0';
    }
    const int w = snprintf(buf, len, "%s/share/cifarbench/%s", exe, name);
    return w >= 0 && (size_t)w < len ? 0 : -1;
}
