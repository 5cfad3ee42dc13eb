/* fnso.c -- the `fn:PATH.so:SYMBOL` workload: a plain cf_task_fn from a
 * shared object (plugin.c loads it and copies this template with the task
 * set).  Items are their index as a uint64 in host byte order or, with
 * input=FILE, the lines of the file as bytes (without '\n'); results are
 * not checked and there is no ideal-rate model. */
#include "wk.h"

#include <stdio.h>

static const cf_wk_param params[] = {
    {"input", "", "file whose lines are the items (default: the index as a uint64)", 0, 0},
};
static const wk_pspec specs[] = {{WK_STR, 0, NULL}};

static int fn_prepare(cf_wk_run *r, char *err, size_t errlen) {
  return cf__wk_items_input(r, r->nitems, 100, NULL, 0, wk_str(r, "input"), 0, err, errlen);
}

static int fn_validate(const cf_wk_run *r, char *err, size_t errlen) {
  return cf__wk_input_check(r, wk_str(r, "input"), err, errlen);
}

static void fn_task_error(const cf_wk_run *r, int code, char *err, size_t errlen) {
  wk_fail(r, err, errlen, 0, "the task function returned %d", code);
}

const wk_def cf__wk_fn_template = {
    CF_WK_ABI_VERSION,
    {"fn", CF_WK_MIXED, "a task function from a shared object", params, 1},
    specs, NULL, 100, fn_prepare, NULL, NULL, NULL, fn_task_error, NULL, NULL, 0, fn_validate, NULL,
};
