/*
 * cb_build_info.h - how this binary was built, for every result file and --version. The values
 * come from CMake (the top-level CMakeLists.txt computes them once) as compile definitions of
 * util/build_info.c only.
 */
#ifndef CB_BUILD_INFO_H
#define CB_BUILD_INFO_H

const char *cb_build_version(void);      /* the project's version, e.g. "0.1.0" */
const char *cb_build_git_revision(void); /* `git describe --always --dirty`, or "unknown" */
const char *cb_build_git_commit_time(void); /* "2026-12-02T16:13:01Z" (UTC), or "" when unknown */
const char *cb_build_flags(void);        /* C flags and the per-ISA kernel flags */
const char *cb_build_compiler(void);     /* e.g. "GNU 12.2.0" */

#endif /* CB_BUILD_INFO_H */
