/* sweep_print.c -- the expanded sweep as `cfbench run --dry-run` prints
 * it (sweep.h): for people, within 80 columns, and with --dry-run=tsv for
 * programs, one field per column (cfbench ab compares two builds'
 * sweeps on it; a layout for people is free to change, that one is not). */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "strbuf.h"
#include "sweep.h"

#define LISTING_COLS 80 /* cfb_fmt_print_wrapped's cols: lines of at most 79 */

/* Do a and b share what a group's heading names? */
static int same_group(const cfb_sweep_config *a, const cfb_sweep_config *b) {
  return a->w == b->w && !strcmp(a->params ? a->params : "", b->params ? b->params : "") && a->items == b->items &&
         a->repeat == b->repeat && a->warmup == b->warmup && a->max_time_s == b->max_time_s;
}

static void heading(FILE *f, const cfb_sweep_config *c) {
  cfb_sb h = {0};
  /* the params at their commas (cfb_fmt_break), so a socket's eight
   * parameters wrap instead of running past the terminal */
  cfb_sb_printf(&h, "%s%s%s", c->w->name, c->params && *c->params ? " " : "", c->params ? c->params : "");
  fputc('\n', f);
  if (!cfb_sb_failed(&h)) cfb_fmt_print_wrapped(f, cfb_sb_str(&h), LISTING_COLS, 4);
  cfb_sb_free(&h);
  char items[32], maxt[32];
  if (c->items) snprintf(items, sizeof items, "%zu", c->items);
  else snprintf(items, sizeof items, "the workload's count"); /* --items 0 */
  if (c->max_time_s > 0) snprintf(maxt, sizeof maxt, "%gs", c->max_time_s);
  else snprintf(maxt, sizeof maxt, "none");
  fprintf(f, "    items %s, repeat %d, warmup %d, max-time %s\n", items, c->repeat, c->warmup, maxt);
  fprintf(f, "  %5s  %-10s  %7s  %9s  %-9s  %s\n", "#", "backend", "workers", "chunksize", "mode", "pin");
}

static void row(FILE *f, size_t i, const cfb_sweep_config *c) {
  char head[96];
  int n = snprintf(head, sizeof head, "  %5zu  %-10s  %7d  %9zu  %-9s  ", i, cfb_backend_name(c->backend), c->workers,
                   c->chunksize, cfb_mode_name(c->mode));
  const char *pin = cfb_config_pin(c);
  if (n < 0) return;
  if ((size_t)n + strlen(pin) < LISTING_COLS) {
    fprintf(f, "%s%s\n", head, pin);
    return;
  }
  /* a long CPU list: on lines of its own under the row, broken at commas */
  fprintf(f, "%s\n", head);
  cfb_sb p = {0};
  cfb_sb_printf(&p, "%*spin %s", 9, "", pin);
  if (!cfb_sb_failed(&p)) cfb_fmt_print_wrapped(f, cfb_sb_str(&p), LISTING_COLS, 13);
  cfb_sb_free(&p);
}

void cfb_sweep_print(FILE *f, const cfb_sweep *s, const cfb_run_opts *o) {
  /* adaptive: the rounds (and each one's repeat) are a cap, not what runs */
  if (o && o->adaptive && o->budget_s > 0)
    fprintf(f, "%zu configuration%s, adaptive rounds %d..%d within --budget %gs\n", s->n,
            cfb_plural((long long)s->n), o->min_rounds, s->rounds, o->budget_s);
  else if (o && o->adaptive)
    fprintf(f, "%zu configuration%s, adaptive rounds %d..%d\n", s->n, cfb_plural((long long)s->n), o->min_rounds,
            s->rounds);
  else
    fprintf(f, "%zu configuration%s in %d round%s\n", s->n, cfb_plural((long long)s->n), s->rounds,
            cfb_plural(s->rounds));
  fprintf(f, "(# is the index --configs takes%s)\n", o && o->adaptive ? "; repeat: the most each may run" : "");
  for (size_t i = 0; i < s->n; i++) {
    const cfb_sweep_config *c = &s->cfg[i];
    if (!i || !same_group(&s->cfg[i - 1], c)) heading(f, c);
    row(f, i, c);
  }
}

/* One TSV field: the characters a row cannot hold escaped. */
static void tsv_field(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '\t': fputs("\\t", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\\': fputs("\\\\", f); break;
    default: fputc(*s, f);
    }
  }
}

void cfb_sweep_print_tsv(FILE *f, const cfb_sweep *s) {
  fputs(CFB_SWEEP_TSV_HEADER "\n", f);
  for (size_t i = 0; i < s->n; i++) {
    const cfb_sweep_config *c = &s->cfg[i];
    fprintf(f, "%zu\t", i);
    tsv_field(f, c->w->name);
    fputc('\t', f);
    tsv_field(f, c->params);
    fprintf(f, "\t%s\t%d\t%zu\t", cfb_backend_name(c->backend), c->workers, c->chunksize);
    tsv_field(f, cfb_config_pin(c));
    fprintf(f, "\t%s\t%zu\t%d\t%d\t%g\n", cfb_mode_name(c->mode), c->items, c->repeat, c->warmup, c->max_time_s);
  }
}
