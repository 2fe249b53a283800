/*
 * cb_paths.h - where cifarbench finds the files it ships, without compiled-in source paths.
 *
 * Installed, the binary is PREFIX/bin/cifarbench and its data is PREFIX/share/cifarbench/. The
 * build tree has the same shape: build/harness/cifarbench and build/share/cifarbench/ (CMake copies
 * the shipped data there), so one rule serves both: <dir of the executable>/../share/cifarbench.
 */
#ifndef CB_PATHS_H
#define CB_PATHS_H

#include <stddef.h>

/* Writes <dir of /proc/self/exe>/../share/cifarbench/<name> to buf. Returns 0, or -1 when the
 * executable's path cannot be read or buf is too small. The file need not exist. */
int cb_data_path(const char *name, char *buf, size_t len);

#endif /* CB_PATHS_H */
