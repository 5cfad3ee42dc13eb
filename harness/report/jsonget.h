/* jsonget.h -- read single values out of a JSON text by dotted path
 * ("machine.cpu_model"), enough for plot/report to show meta.json's
 * machine context without a JSON library.  No tree is built: each lookup
 * scans the text, skipping the values it does not need. */
#ifndef CFB_JSONGET_H
#define CFB_JSONGET_H

#include <stddef.h>

/* The string at `path`, unescaped (\uXXXX below 0x80 kept, others as '?'),
 * truncated to outlen - 1.  0, or -1 if missing, not a string or malformed. */
int cfb_json_get_string(const char *json, const char *path, char *out, size_t outlen);

/* The number (or true = 1 / false = 0) at `path`.  0, or -1. */
int cfb_json_get_number(const char *json, const char *path, double *out);

/* Read a whole file into a NUL-terminated buffer (caller frees).  0, or
 * -1 with errno set. */
int cfb_read_file(const char *path, char **buf, size_t *len);

#endif
