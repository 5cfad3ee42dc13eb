/* list.c -- `cfbench list [--json]`: every workload with its kind,
 * parameters (default, allowed range, help), then the suites (the sweep
 * files of the suites folder) and their sweeps as run options.  --json is
 * the same for tools, with the folders cfbench takes its files from. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfwork.h>

#include "cmd_run.h"
#include "datadir.h"
#include "fileio.h"
#include "format.h"
#include "json.h"
#include "options.h"
#include "suites.h"
#include "sweep.h"
#include "sweepfile.h"


typedef struct list_args {
  int json;
} list_args;

static int opt_json(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ((list_args *)ctx)->json = 1;
  return 0;
}

/* The text fits 80 columns (79 written): a workload's summary and a
 * parameter's help wrap under their own column, a suite's sweep lines
 * go on with a backslash (still a command line a shell runs). */
#define LIST_COLS 80

/* prefix then text, the text wrapped under its first column (or under
 * column 10 when the prefix leaves less than 36 columns). */
static void print_hanging(FILE *f, const char *prefix, const char *text) {
  char line[2048];
  size_t indent = cfb_fmt_cols(prefix);
  if (indent + 36 > LIST_COLS) indent = 10;
  snprintf(line, sizeof line, "%s%s", prefix, text);
  cfb_fmt_print_wrapped(f, line, LIST_COLS, indent);
}

static void print_workloads(FILE *f) {
  fprintf(f, "workloads (cfbench run --workload NAME --param KEY=VALUE,...):\n");
  for (size_t i = 0; i < cf_wk_count(); i++) {
    const cf_workload *w = cf_wk_at(i);
    char prefix[256], text[1024];
    snprintf(prefix, sizeof prefix, "  %-10s ", w->name);
    snprintf(text, sizeof text, "[%s] %s", cf_wk_kind_name(w->kind), w->summary);
    fputc('\n', f);
    print_hanging(f, prefix, text);
    int wn = 12; /* the names' column: as wide as the longest (server_threads) */
    for (size_t k = 0; k < w->nparams; k++)
      if ((int)strlen(w->params[k].name) > wn) wn = (int)strlen(w->params[k].name);
    for (size_t k = 0; k < w->nparams; k++) {
      const cf_wk_param *p = &w->params[k];
      char range[96];
      cf_wk_param_range(w, k, range, sizeof range); /* with its unit: "0 s..10 s", not "0..10" */
      /* name, default and range on one line (none is broken), the help
       * wrapped under them */
      if (range[0])
        fprintf(f, "      %-*s default %-10s%s%s\n", wn, p->name, p->def[0] ? p->def : "(empty)",
                strchr(range, '/') ? " " : " range ", range);
      else
        fprintf(f, "      %-*s default %s\n", wn, p->name, p->def[0] ? p->def : "(empty)");
      snprintf(prefix, sizeof prefix, "      %-*s ", wn, "");
      print_hanging(f, prefix, p->help);
    }
  }
}

/* Where to break a command line for a line of `room` columns: the last
 * blank outside quotes that fits before an option ("--"), so an option
 * stays with its value, else the last blank that fits (a shell joins the
 * lines again at the backslash; a break inside '...' would not be
 * joined), or the first one after when no blank fits; all of s when it
 * fits. */
static size_t command_break(const char *s, size_t room) {
  size_t n = strlen(s), opt = 0, cut = 0, first = 0;
  if (cfb_fmt_cols(s) <= room) return n;
  char q = 0;
  for (size_t k = 0, c = 0; k < n; k++) {
    if (q) {
      if (s[k] == q) q = 0;
    } else if (s[k] == '\'' || s[k] == '"') {
      q = s[k];
    } else if (s[k] == ' ') {
      if (c <= room) {
        cut = k;
        if (!strncmp(s + k + 1, "--", 2)) opt = k;
      } else if (!first) {
        first = k;
      }
    }
    c += ((unsigned char)s[k] & 0xC0) != 0x80;
  }
  return opt ? opt : cut ? cut : first ? first : n;
}

/* A sweep's run options, indented 6, continued lines indented 8 after a
 * backslash. */
static void print_command(FILE *f, const char *args) {
  for (const char *t = args; *t;) {
    size_t lead = t == args ? 6 : 8, cut = command_break(t, LIST_COLS - 1 - lead - 2);
    int more = t[cut] != '\0';
    fprintf(f, "%*s%.*s%s\n", (int)lead, "", (int)cut, t, more ? " \\" : "");
    t += cut;
    while (*t == ' ') t++;
  }
}

static const char *rounds_text(int rounds, char *buf, size_t len) {
  if (rounds == CFB_SUITE_ROUNDS_PER_REPEAT) return "per-repeat";
  snprintf(buf, len, "%d", rounds < 1 ? 1 : rounds);
  return buf;
}

static int is_adaptive_opt(const cfb_option *o) {
  return !strcmp(o->name, "--min-rounds") || !strcmp(o->name, "--max-rounds") ||
         !strcmp(o->name, "--target-ci") || !strcmp(o->name, "--budget") ||
         !strcmp(o->name, "--plan-stretch");
}

/* A sweep as the command line that runs it: an adaptive sweep without its
 * --repeat, which `cfbench run` refuses beside the adaptive options (the
 * suite's repeat is only for fixed rounds; *repeat gets it, or NULL). */
static char *runnable_args(const cfb_file_sweep *s, const char **repeat) {
  int adaptive = 0;
  *repeat = NULL;
  for (size_t i = 0; i < s->n; i++) adaptive |= is_adaptive_opt(s->opts[i].opt);
  if (!adaptive) return cfb_file_sweep_args(s);
  cfb_file_sweep t = {calloc(s->n ? s->n : 1, sizeof *t.opts), 0, s->line, s->col};
  if (!t.opts) return NULL;
  for (size_t i = 0; i < s->n; i++) {
    if (!strcmp(s->opts[i].opt->name, "--repeat")) *repeat = s->opts[i].value;
    else t.opts[t.n++] = s->opts[i];
  }
  char *a = cfb_file_sweep_args(&t);
  free(t.opts);
  return a;
}

/* One suite for people; a suite that does not load is listed with why.
 * Each sweep is printed as the `cfbench run` options that run it. */
static int print_suite(FILE *out, const char *name, const char *path) {
  cfb_sweep_file f;
  char err[512];
  if (cfb_run_sweep_file_load(path, &f, err, sizeof err)) {
    fprintf(out, "\n  %-10s (cannot be used: %s)\n", name, err);
    return 1;
  }
  char prefix[64];
  snprintf(prefix, sizeof prefix, "  %-10s ", name);
  fputc('\n', out);
  print_hanging(out, prefix, f.summary);
  const char *repeat = NULL;
  char **args = calloc(f.nsweeps ? f.nsweeps : 1, sizeof *args);
  for (size_t k = 0; args && k < f.nsweeps; k++) {
    const char *r;
    args[k] = runnable_args(&f.sweeps[k], &r);
    if (r) repeat = r;
  }
  if (repeat)
    print_hanging(out, "      ", "(adaptive rounds; with --repeat R or --rounds N instead: fixed rounds, one "
                                 "repetition of every configuration per round, R = the suite file's repeat)");
  else if (f.rounds == CFB_SUITE_ROUNDS_PER_REPEAT)
    print_hanging(out, "      ", "(in rounds: --rounds = --repeat, one repetition of every configuration per round)");
  else if (f.rounds > 1)
    fprintf(out, "      (--rounds %d)\n", f.rounds);
  for (size_t k = 0; k < f.nsweeps; k++) {
    print_command(out, args && args[k] ? args[k] : "(out of memory)");
    if (args) free(args[k]);
  }
  free(args);
  cfb_sweep_file_free(&f);
  return 0;
}

static json_t *workloads_json(void) {
  json_t *arr = json_array();
  for (size_t i = 0; i < cf_wk_count(); i++) {
    const cf_workload *w = cf_wk_at(i);
    json_t *o = json_object(), *ps = json_array();
    json_object_set_new(o, "name", json_string(w->name));
    json_object_set_new(o, "kind", json_string(cf_wk_kind_name(w->kind)));
    json_object_set_new(o, "summary", cfb_json_str(w->summary));
    for (size_t k = 0; k < w->nparams; k++) {
      const cf_wk_param *p = &w->params[k];
      json_t *po = json_object();
      json_object_set_new(po, "name", json_string(p->name));
      json_object_set_new(po, "default", cfb_json_str(p->def));
      json_object_set_new(po, "help", cfb_json_str(p->help));
      if (p->min != 0 || p->max != 0) {
        json_object_set_new(po, "min", json_real(p->min));
        json_object_set_new(po, "max", json_real(p->max));
      }
      json_array_append_new(ps, po);
    }
    json_object_set_new(o, "params", ps);
    json_array_append_new(arr, o);
  }
  return arr;
}

static json_t *suite_json(const char *name, const char *path) {
  json_t *o = json_object();
  json_object_set_new(o, "name", json_string(name));
  json_object_set_new(o, "path", cfb_json_str(path));
  cfb_sweep_file f;
  char err[512], buf[32];
  if (cfb_run_sweep_file_load(path, &f, err, sizeof err)) {
    json_object_set_new(o, "error", cfb_json_str(err));
    return o;
  }
  json_object_set_new(o, "summary", cfb_json_str(f.summary));
  json_object_set_new(o, "rounds", json_string(rounds_text(f.rounds, buf, sizeof buf)));
  json_t *sw = json_array();
  for (size_t k = 0; k < f.nsweeps; k++) {
    char *a = cfb_file_sweep_args(&f.sweeps[k]);
    json_array_append_new(sw, cfb_json_str(a));
    free(a);
  }
  json_object_set_new(o, "sweeps", sw);
  cfb_sweep_file_free(&f);
  return o;
}

static int list_json(char **names, size_t n, const char *sdir) {
  json_t *root = json_object(), *suites = json_array();
  char pdir[4096], path[8200];
  json_object_set_new(root, "workloads", workloads_json());
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s.json", sdir, names[i]);
    json_array_append_new(suites, suite_json(names[i], path));
  }
  json_object_set_new(root, "suites", suites);
  json_object_set_new(root, "suites_dir", cfb_json_str(sdir));
  json_object_set_new(root, "plots_dir", cfb_json_str(cfb_data_dir("CFBENCH_PLOTS_DIR", "plots", pdir, sizeof pdir)));
  char *s = cfb_json_dumps(root);
  json_decref(root);
  if (!s) return 1;
  int rc = cfb_put_stdout(s) ? 1 : 0;
  free(s);
  return rc;
}

int cfb_cmd_list(int argc, char **argv) {
  static const cfb_option opts[] = {{"--json", 0, opt_json, 0}, {NULL, 0, NULL, 0}};
  static const cfb_optspec spec = {"list", opts, NULL, NULL};
  if (cfb_options_help(argc - 1, argv + 1)) {
    printf("usage: cfbench list [--json]\nworkloads with their parameters, and the suites (--json: for tools)\n");
    return 0;
  }
  list_args a = {0};
  char err[256];
  if (cfb_options_parse(&spec, argc - 1, argv + 1, &a, err, sizeof err)) {
    fprintf(stderr, "cfbench list: %s\n", err);
    return 2;
  }
  char sdir[4096], path[8200];
  cfb_suites_dir(sdir, sizeof sdir);
  char **names;
  size_t n;
  cfb_suite_names(&names, &n);
  int rc = 0;
  if (a.json) {
    rc = list_json(names, n, sdir);
  } else {
    /* The text is made whole, then written at once (cfb_put_stdout): it is
     * longer than stdio's buffer, and a write failing half-way through
     * printf calls loses its errno before the final flush can report it. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
      fprintf(stderr, "cfbench list: out of memory\n");
      cfb_suite_names_free(names, n);
      return 1;
    }
    print_workloads(f);
    fprintf(f, "\nsuites (cfbench run --suite NAME; files in %s):\n", sdir);
    for (size_t i = 0; i < n; i++) {
      snprintf(path, sizeof path, "%s/%s.json", sdir, names[i]);
      rc |= print_suite(f, names[i], path);
    }
    if (fclose(f) != 0 || !text) rc = 1;
    else if (cfb_put_stdout(text)) rc = 1;
    free(text);
  }
  cfb_suite_names_free(names, n);
  return rc;
}
