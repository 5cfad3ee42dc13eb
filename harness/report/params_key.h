/* params_key.h -- a configuration's identity in the readers of runs.csv
 * (compare, ab, history, the report's history section): its parameter
 * string with some keys left out, and the one name people see for it. */
#ifndef CFB_PARAMS_KEY_H
#define CFB_PARAMS_KEY_H

/* params without the keys in the comma-separated list `ignore` (NULL or
 * "": none), in canonical form, malloc'd; NULL when out of memory or
 * params is not a parameter string. */
char *cfb_params_strip(const char *params, const char *ignore);

/* params with ",mode=M" appended ("mode=M" for empty params), malloc'd;
 * NULL when out of memory.  Every reader keys a configuration whose mode
 * is not map this way, so modes are never pooled and map rows keep the
 * keys of the runs made before --mode.  Call it only for such a mode. */
char *cfb_params_with_mode(const char *params, const char *mode);

/* params as every reader of runs.csv keys a configuration: with ",mode=M"
 * appended (cfb_params_with_mode) when mode is not map, else a copy; mode
 * NULL or "" is map (a runs.csv from before --mode).  malloc'd; NULL when
 * out of memory.  compare, ab, history and the report's history section
 * name a configuration from this, so their names agree. */
char *cfb_params_keyed(const char *params, const char *mode);

/* "primes (preset=docs) process w=2 c=16" ("... pin=compact" unless pin
 * is NULL, "" or "none"; no parentheses for empty params), malloc'd; NULL
 * when out of memory.  params as cfb_params_strip gives it; workers and
 * chunksize as runs.csv writes them.  The history stores series under
 * this name, so it must not change. */
char *cfb_config_name(const char *workload, const char *params, const char *backend,
                      const char *workers, const char *chunksize, const char *pin);

/* Whether two fields of a configuration are the same, where NULL equals
 * "": cfb_csv_get gives NULL for a column an older file lacks and "" for
 * an empty cell, and both mean "not set" (no params, no pin), so a row of
 * an older file keys the same configuration as a new one with the cell
 * empty.  A field with a default ("none" for pin, "map" for mode) is
 * defaulted by the caller before it compares. */
int cfb_streq(const char *a, const char *b);

#endif
