/* errors.c -- error code names and messages (cf_strerror, cf_err_name). */
#include "cfutures.h"

#define CF_ERRNO_MAP(X)                                                       \
  X(CF_EINVAL, "invalid argument or configuration")                           \
  X(CF_ENOMEM, "out of memory")                                               \
  X(CF_ETIMEDOUT, "timed out")                                                \
  X(CF_ECANCELED, "future was cancelled")                                     \
  X(CF_EDEADLK, "deadlock: the wait could never finish")                      \
  X(CF_ESHUTDOWN, "executor is shut down")                                    \
  X(CF_ENOSYS, "not supported on this machine or build")                      \
  X(CF_EAGAIN, "resource temporarily unavailable, or not ready yet")          \
  X(CF_EBROKEN, "worker died or pool is broken")                              \
  X(CF_ETASK, "task returned an error")                                       \
  X(CF_EINTASK, "executor API called from inside a process-backend task")     \
  X(CF_EOF, "end of iteration")

const char *cf_strerror(int err) {
  if (err == 0) return "success";
#define X(code, msg) if (err == code) return msg;
  CF_ERRNO_MAP(X)
#undef X
  return "unknown error";
}

const char *cf_err_name(int err) {
  if (err == 0) return "OK";
#define X(code, msg) if (err == code) return #code;
  CF_ERRNO_MAP(X)
#undef X
  return "CF_E?";
}
