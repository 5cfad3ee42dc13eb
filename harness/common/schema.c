/* schema.c -- the name and type arrays of the result schema, expanded from
 * the tables in schema.h (nothing is listed here by hand). */
#include "schema.h"

#define CFB_NAME_(id, name, type) name,
#define CFB_TYPE_(id, name, type) CFB_T_##type,

const char *const cfb_runs_columns[CFB_RUNS_NCOLS + 1] = {CFB_RUNS_COLUMNS(CFB_NAME_) NULL};
const char *const cfb_summary_columns[CFB_SUM_NCOLS + 1] = {CFB_SUMMARY_COLUMNS(CFB_NAME_) NULL};
const char *const cfb_verdicts_columns[CFB_VER_NCOLS + 1] = {CFB_VERDICTS_COLUMNS(CFB_NAME_) NULL};
const char *const cfb_meta_keys[CFB_META_NKEYS + 1] = {CFB_META_KEYS(CFB_NAME_) NULL};
const cfb_coltype cfb_runs_types[CFB_RUNS_NCOLS] = {CFB_RUNS_COLUMNS(CFB_TYPE_)};
const cfb_coltype cfb_summary_types[CFB_SUM_NCOLS] = {CFB_SUMMARY_COLUMNS(CFB_TYPE_)};
const cfb_coltype cfb_verdicts_types[CFB_VER_NCOLS] = {CFB_VERDICTS_COLUMNS(CFB_TYPE_)};
const cfb_coltype cfb_meta_types[CFB_META_NKEYS] = {CFB_META_KEYS(CFB_TYPE_)};
const char *const cfb_sweep_keys[CFB_SWEEP_NKEYS + 1] = {CFB_META_SWEEP_KEYS(CFB_NAME_) NULL};
const cfb_coltype cfb_sweep_types[CFB_SWEEP_NKEYS] = {CFB_META_SWEEP_KEYS(CFB_TYPE_)};
