/* cfwork_params.h -- the workload parameter string, "key=value,key=value":
 * its one writer and its one reader.  Values may hold anything (a URL
 * with a query "http://h/?a=1,b=2", a backslash): a ',' or '\' inside a
 * value is written as "\," or "\\", so splitting a formatted string gives
 * back exactly the pairs that were formatted.  Keys are parameter names
 * (letters, digits, '_').
 *
 * Part of cfwork (cfwork.h includes it) and also a library of its own,
 * cfwork_params, with no dependency at all: the report half of cfbench
 * reads parameter strings from result files and links only this. */
#ifndef CFWORK_PARAMS_H
#define CFWORK_PARAMS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is the library's API: exported, while the
 * library is built with hidden visibility (its internals stay inside). */
#pragma GCC visibility push(default)

/* One parameter of a split string (both strings owned by the array). */
typedef struct cf_wk_kv {
  char *key, *value;
} cf_wk_kv;

/* "k1=v1,k2=v2" from n pairs, values escaped.  A malloc'd string (caller
 * frees), or NULL when out of memory. */
char *cf_wk_params_format(const char *const *keys, const char *const *values, size_t n);

/* Split `s` into its pairs: *out (free with cf_wk_params_free) holds *n
 * pairs, unescaped, in order; "" gives none.  A piece with no '=' joins
 * the value before it: strings written before values were escaped
 * ("range=1,100") still read as they were meant.  0, -1 if s is not a
 * parameter string (a piece with no key, a '\' at the end), -2 out of
 * memory. */
int cf_wk_params_split(const char *s, cf_wk_kv **out, size_t *n);
void cf_wk_params_free(cf_wk_kv *kv, size_t n);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
