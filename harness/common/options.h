/* options.h -- one option parser for every cfbench subcommand: a table of
 * options (name, whether it takes a value, the function that applies it)
 * walked over argv.  `--name VALUE` and `--name=VALUE` are the same; a
 * flag takes no value.  Errors are one line in err and the return value 2
 * (the exit code for bad input), as the subcommands report them. */
#ifndef CFB_OPTIONS_H
#define CFB_OPTIONS_H

#include <stddef.h>

typedef struct cfb_option cfb_option;

/* An option that is a flag, or takes a value given with '=' only
 * (`--dry-run`, `--dry-run=tsv`): the next argument is never its value. */
#define CFB_OPT_OPTIONAL 2

/* Apply `opt` with `val` (NULL for a flag) to ctx.  0, or 2 with err. */
typedef int (*cfb_option_fn)(void *ctx, const cfb_option *opt, const char *val, char *err,
                             size_t errlen);

struct cfb_option {
  const char *name;  /* "--threshold" */
  int takes_value;   /* 0: a flag; 1: a value; CFB_OPT_OPTIONAL: a flag or `--name=VALUE` */
  cfb_option_fn set;
  int group;         /* the command's own classes of options (run: which a suite allows) */
};

typedef struct cfb_optspec {
  const char *cmd;          /* "run", "compare": names the command in messages */
  const cfb_option *opts;   /* ends with {NULL} */
  /* An argument that is not an option: NULL = none allowed. */
  int (*positional)(void *ctx, const char *arg, char *err, size_t errlen);
  /* Called before each option is applied (NULL: none): 0, or 2 with err to
   * refuse it (run: the run's own options inside a suite's sweep). */
  int (*check)(void *ctx, const cfb_option *opt, char *err, size_t errlen);
} cfb_optspec;

/* Parse argv[0..argc) (the arguments after the subcommand) into ctx.
 * 0, or 2 with one line in err. */
int cfb_options_parse(const cfb_optspec *spec, int argc, char **argv, void *ctx, char *err,
                      size_t errlen);

/* Is -h or --help among argv[0..argc)? */
int cfb_options_help(int argc, char **argv);

/* "5%", "5", "0.05" -> 0.05 (a bare number >= 1 is read as percent):
 * thresholds, margins, precision targets.  0, or -1 when not such a
 * non-negative number. */
int cfb_parse_fraction(const char *s, double *out);

/* Format one error line into err; returns 2. */
int cfb_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
