/* params_key.h -- parameters left out of a configuration's identity. */
#ifndef CFB_PARAMS_KEY_H
#define CFB_PARAMS_KEY_H

/* params without the keys in the comma-separated list `ignore`, in
 * canonical form, malloc'd; NULL when out of memory or params is not a
 * parameter string. */
char *cfb_params_strip(const char *params, const char *ignore);

#endif
