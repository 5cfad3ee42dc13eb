/* fn_square.c -- test plugin of the fn:PATH.so:SYMBOL form: plain task
 * functions.  square: an index item (8 bytes) gives its square; a line
 * item gives 1000000 + its length.  crashy: items with index % 4 == 1 die
 * of SIGSEGV, the others give their index. */
#include <cfutures.h>

#include <signal.h>
#include <stdint.h>
#include <string.h>

int square(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  if (len == sizeof v) {
    memcpy(&v, arg, sizeof v);
    v *= v;
  } else {
    v = 1000000 + len;
  }
  return cf_result_set(out, &v, sizeof v) ? 12 : 0;
}

int crashy(const void *arg, size_t len, cf_result *out) {
  uint64_t v = 0;
  if (len == sizeof v) memcpy(&v, arg, sizeof v);
  if (v % 4 == 1) raise(SIGSEGV);
  return cf_result_set(out, &v, sizeof v) ? 12 : 0;
}
