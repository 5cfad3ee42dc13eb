/* bad_abi.c -- test plugin built against a future descriptor layout: its
 * ABI version is not CF_WK_ABI_VERSION, so loading it must be refused. */
#include <cfwork_plugin.h>

static int noop(const void *arg, size_t len, cf_result *out) { return 0; }

const cf_wk_descriptor cf_wk_plugin = {
    .abi = CF_WK_ABI_VERSION + 98,
    .pub = {"future", CF_WK_CPU, "from a later cfwork", NULL, 0},
    .task = noop,
};
