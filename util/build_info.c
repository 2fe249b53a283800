/* build_info.c - how this binary was built (cb_build_info.h); CMake defines the values for this
 * file only, and the revision header is regenerated at every build (cmake/GitRevision.cmake), so
 * a new revision recompiles nothing else. */
#include "cb_build_info.h"

#include "cb_git_revision.h"

#ifndef CB_VERSION
#error "CB_VERSION, CB_BUILD_FLAGS and CB_COMPILER come from util/CMakeLists.txt"
#endif

const char *cb_build_version(void)
{
    return CB_VERSION;
}

const char *cb_build_git_revision(void)
{
    return CB_GIT_REVISION;
}

const char *cb_build_git_commit_time(void)
{
    return CB_GIT_COMMIT_TIME;
}

const char *cb_build_flags(void)
{
    return CB_BUILD_FLAGS;
}

const char *cb_build_compiler(void)
{
    return CB_COMPILER;
}
