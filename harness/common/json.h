/* json.h -- the harness's JSON goes through jansson; these are the few
 * things jansson does not do itself: values by dotted path
 * ("machine.cpu_model", the form of schema.h's CFB_META_KEYS), strings
 * that are not valid UTF-8, and loading / writing a file atomically in the
 * one format every result file uses. */
#ifndef CFB_JSON_H
#define CFB_JSON_H

#include <jansson.h>
#include <stddef.h>

/* The value at a dotted path, or NULL (missing, or a step not an object). */
json_t *cfb_json_get(const json_t *root, const char *path);
/* The string at `path`, truncated to outlen - 1 bytes.  0, or -1 if it is
 * missing or not a string (out is then ""). */
int cfb_json_get_string(const json_t *root, const char *path, char *out, size_t outlen);
/* The number at `path` (true = 1, false = 0).  0, or -1 (*out untouched). */
int cfb_json_get_number(const json_t *root, const char *path, double *out);

/* Set `path` to v (stolen, also on failure), making the objects on the way.
 * 0, or -1 (out of memory, or a step that is not an object). */
int cfb_json_set(json_t *root, const char *path, json_t *v);

/* A JSON string of s (NULL -> ""); bytes that are not UTF-8 become '?'
 * (jansson refuses them, and an error message may hold anything). */
json_t *cfb_json_str(const char *s);
/* A real, or null when v is not finite (not measured). */
json_t *cfb_json_num(double v);

/* Parse a whole file: the root, or NULL with one line in err. */
json_t *cfb_json_load_file(const char *path, char *err, size_t errlen);
/* Write root to `path` atomically, two-space indented, reals with 9
 * significant digits.  0, or -1 with errno set. */
int cfb_json_write_file(const json_t *root, const char *path);
/* The same text into a string (caller frees), or NULL. */
char *cfb_json_dumps(const json_t *root);

#endif
