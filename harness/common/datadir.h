/* datadir.h -- where cfbench finds the files it ships (the gnuplot
 * templates, the suites): the folder an environment variable names, else
 * <folder of the running program>/CFB_SHARE_FROM_BIN/SUB when it exists
 * (an installed cfbench, or a whole installed tree moved elsewhere), else
 * the source tree's folder SUB, compiled in (cfbench run from its build
 * tree: plots/ and suites/ are top-level folders of the source).
 * Nothing absolute is needed once installed, so a prefix can be moved. */
#ifndef CFB_DATADIR_H
#define CFB_DATADIR_H

#include <stddef.h>

/* Fill out (len bytes) with the folder for SUB ("plots", "suites"):
 * $env when set and non-empty, else the installed share folder's SUB if it
 * is a directory, else the source tree's folder SUB.  Returns out. */
const char *cfb_data_dir(const char *env, const char *sub, char *out, size_t len);

#endif
