/* console.c -- terminal header, progress and result table (console.h). */
#include "console.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "format.h"
#include "runner.h"


static void fmt_eta(char *b, size_t len, double s) {
  if (!isfinite(s) || s < 0) snprintf(b, len, "--:--");
  else if (s >= 3600) snprintf(b, len, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
  else snprintf(b, len, "%d:%02d", (int)s / 60, (int)s % 60);
}

static void config_label(char *b, size_t len, const cfb_sweep_config *c) {
  snprintf(b, len, "%s %s %s w=%d c=%zu pin=%s", c->w->name, c->params ? c->params : "",
           cfb_backend_name(c->backend), c->workers, c->chunksize, cfb_config_pin(c));
}

/* "label:   text", the text broken after a blank so no line passes
 * cols - 1, the lines after the first indented under the text (a word
 * longer than the room stays whole: a path is not cut). */
static void header_line(FILE *f, const char *label, const char *text, size_t cols) {
  const size_t indent = 10;
  size_t room = cols > indent + 21 ? cols - 1 - indent : 20;
  fprintf(f, "%-*s", (int)indent, label);
  while (*text) {
    size_t cut = cfb_fmt_break(text, room);
    fprintf(f, "%.*s\n", (int)cut, text);
    text += cut;
    while (*text == ' ') text++;
    if (*text) fprintf(f, "%*s", (int)indent, "");
  }
}

void cfb_console_header(FILE *f, const cfb_env *e, const char *layer, const char *reason,
                        const char *note, uint64_t seed, const char *suite, size_t nconfigs,
                        size_t nreps, int rounds, const char *out, size_t cols) {
  char b[2048];
  fprintf(f, "cfbench %s (%s)\n", e->version, e->git_revision);
  snprintf(b, sizeof b, "%s, %s, %d PU (%d cores, %d package%s, SMT %s), governor %s%s", e->hostname,
           e->cpu_model, e->pus, e->cores, e->packages, cfb_plural(e->packages), e->smt ? "on" : "off",
           e->governor, e->virtualized ? ", virtualized" : "");
  header_line(f, "machine:", b, cols);
  snprintf(b, sizeof b, "%s%s%s%s", layer, reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
  header_line(f, "counters:", b, cols);
  if (note[0]) header_line(f, "", note, cols);
  char in_rounds[64] = "";
  if (rounds > 1) snprintf(in_rounds, sizeof in_rounds, " in %d rounds", rounds);
  snprintf(b, sizeof b, "%s%s%s%zu configuration%s, %zu measured repetition%s%s, seed %llu, order randomized%s",
           suite ? "suite " : "", suite ? suite : "", suite ? ", " : "", nconfigs, cfb_plural((long long)nconfigs),
           nreps, cfb_plural((long long)nreps), in_rounds,
           (unsigned long long)seed, rounds > 1 ? " per round" : "");
  header_line(f, "sweep:", b, cols);
  header_line(f, "output:", out, cols);
  fputc('\n', f);
  fflush(f);
}

void cfb_progress_init(cfb_progress *p, FILE *f, const cfb_sweep *sw, size_t steps) {
  memset(p, 0, sizeof *p);
  p->f = f;
  p->tty = isatty(fileno(f));
  p->base = sw->cfg;
  p->n = sw->n;
  p->rounds = sw->rounds;
  p->steps = steps;
  p->t0 = p->last = cfb_now_s();
  p->finish = NAN;
  p->step_s = calloc(sw->n ? sw->n : 1, sizeof *p->step_s);
  p->nstep = calloc(sw->n ? sw->n : 1, sizeof *p->nstep);
}

/* The raw estimate of seconds left: steps not yet done, each at the mean
 * per-step time of the configurations measured so far, where each
 * configuration counts once (its own mean) whatever its number of steps;
 * every configuration has about the same number of steps left, so this
 * weighs them as the remaining work does. */
static double raw_left(const cfb_progress *p) {
  double sum = 0;
  size_t m = 0;
  if (p->step_s && p->nstep)
    for (size_t i = 0; i < p->n; i++)
      if (p->nstep[i]) {
        sum += p->step_s[i] / p->nstep[i];
        m++;
      }
  if (!m) { /* out of memory: the plain mean over steps */
    if (!p->done) return NAN;
    return (p->last - p->t0) / (double)p->done * (double)(p->steps > p->done ? p->steps - p->done : 0);
  }
  return sum / (double)m * (double)(p->steps > p->done ? p->steps - p->done : 0);
}

double cfb_progress_eta(cfb_progress *p, double now) {
  if (isnan(p->finish)) return NAN;
  double left = p->finish - now;
  return left > 0 ? left : 0;
}

/* After each step: move the finishing-time estimate a third of the way
 * to the new one, so one odd configuration moves it a little and a
 * lasting change moves it within a few steps. */
static void update_finish(cfb_progress *p) {
  double left = raw_left(p);
  if (!isfinite(left)) return;
  double est = p->last + left;
  p->finish = isnan(p->finish) ? est : p->finish + (est - p->finish) / 3;
  if (p->steps <= p->done) p->finish = p->last;
}

/* "round 2/5 3/12" (or "3/12" with one round). */
static void position(const cfb_progress *p, int round, size_t i, char *b, size_t len) {
  if (p->rounds > 1) snprintf(b, len, "round %d/%d %zu/%zu", round + 1, p->rounds, i, p->n);
  else snprintf(b, len, "%zu/%zu", i, p->n);
}

size_t cfb_console_width(int fd) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char *c = getenv("COLUMNS");
  long v = c ? strtol(c, NULL, 10) : 0;
  return v > 0 && v < 10000 ? (size_t)v : 80;
}

void cfb_progress_line(char *out, size_t len, size_t cols, size_t done, size_t steps, const char *pos,
                       const char *eta, const char *label, const char *doing) {
  char bar[64], head[192], fit[512];
  size_t max = cols > 1 ? cols - 1 : 1; /* the last column would wrap on some terminals */
  int width = max >= 100 ? 30 : max >= 60 ? 20 : 10;
  int fill = steps ? (int)((double)width * (double)done / (double)steps) : 0;
  if (fill > width) fill = width;
  for (int k = 0; k < width; k++) bar[k] = k < fill ? '#' : '-';
  bar[width] = '\0';
  snprintf(head, sizeof head, "[%s] %s ETA %s  ", bar, pos, eta);
  size_t used = cfb_fmt_cols(head) + 2 + cfb_fmt_cols(doing);
  if (used + 8 > max) { /* too narrow for bar and label: the essentials only */
    snprintf(head, sizeof head, "%s ETA %s ", pos, eta);
    used = cfb_fmt_cols(head) + 1 + cfb_fmt_cols(doing);
  }
  cfb_fmt_fit(fit, sizeof fit, label, used < max ? max - used : 0);
  char line[1024];
  snprintf(line, sizeof line, "%s%s%s%s", head, fit, used + 8 > max ? " " : "  ", doing);
  cfb_fmt_fit(out, len, line, max);
}

void cfb_progress_rep(cfb_progress *p, int round, size_t i, const cfb_sweep_config *c, int warm, int rep,
                     int n) {
  if (!p->tty) return;
  char label[256], e[32], pos[64], doing[48], line[1024];
  config_label(label, sizeof label, c);
  fmt_eta(e, sizeof e, cfb_progress_eta(p, cfb_now_s()));
  position(p, round, i, pos, sizeof pos);
  snprintf(doing, sizeof doing, "%s %d/%d", warm ? "warm-up" : "rep", rep + 1, n);
  cfb_progress_line(line, sizeof line, cfb_console_width(fileno(p->f)), p->done, p->steps, pos, e, label,
                    doing);
  fprintf(p->f, "\r\033[K%s", line);
  fflush(p->f);
}

void cfb_progress_note_step(cfb_progress *p, size_t k, double now) {
  if (p->step_s && p->nstep && k < p->n) {
    p->step_s[k] += now - p->last;
    p->nstep[k]++;
  }
  p->last = now;
  p->done++;
  update_finish(p);
}

void cfb_progress_step_done(cfb_progress *p, int round, size_t i, const cfb_config_result *res, int final) {
  double now = cfb_now_s();
  cfb_progress_note_step(p, (size_t)(res->cfg - p->base), now);
  int failed = res->status == CFB_CFG_FAILED || res->status == CFB_CFG_NOT_RUN;
  /* On a terminal the line above says where the run is: a permanent line
   * only for a configuration that failed, which must stay visible. */
  if (p->tty && !failed) return;
  char label[256], med[32], mad[32], e[32], pos[64], n[48];
  config_label(label, sizeof label, res->cfg);
  cfb_fmt_rate(res->s.median, med, sizeof med);
  cfb_fmt_rate(res->s.mad, mad, sizeof mad);
  fmt_eta(e, sizeof e, cfb_progress_eta(p, now));
  position(p, round, i, pos, sizeof pos);
  if (p->rounds > 1) snprintf(n, sizeof n, "n=%zu of %d", res->s.n, res->cfg->repeat);
  else snprintf(n, sizeof n, "n=%zu", res->s.n);
  if (p->tty) fprintf(p->f, "\r\033[K");
  /* A log line per configuration; one too wide for the terminal (primes'
   * parameters made lines of 140 columns) is the configuration wrapped at
   * blanks and commas, then its figures or its failure on an indented
   * line of their own, never cut: both are read whole. */
  size_t cols = cfb_console_width(fileno(p->f));
  char head[400], tail[1200];
  snprintf(head, sizeof head, "[%s] %s:", pos, label);
  if (failed) {
    snprintf(tail, sizeof tail, "%s: %s  (ETA %s)", cfb_cfg_status_name(res->status), res->error, e);
  } else {
    int partial = final && res->status == CFB_CFG_PARTIAL;
    snprintf(tail, sizeof tail, "%s ± %s items/s (%s)%s%s  (ETA %s)", med, mad, n, partial ? " partial: " : "",
             partial ? res->error : "", e);
  }
  if (cfb_fmt_cols(head) + 1 + cfb_fmt_cols(tail) < cols) {
    fprintf(p->f, "%s %s\n", head, tail);
  } else {
    char more[1300];
    snprintf(more, sizeof more, "  %s", tail);
    cfb_fmt_print_wrapped(p->f, head, cols, 2);
    cfb_fmt_print_wrapped(p->f, more, cols, 2);
  }
  fflush(p->f);
}

void cfb_progress_finish(cfb_progress *p) {
  if (p->tty) fprintf(p->f, "\r\033[K");
  fflush(p->f);
  free(p->step_s);
  free(p->nstep);
  p->step_s = NULL;
  p->nstep = NULL;
}

/* s left-aligned in `cols` columns, cut with "…" when longer. */
static void put_col(FILE *f, const char *s, size_t cols) {
  char b[512];
  cfb_fmt_fit(b, sizeof b, s, cols);
  fputs(b, f);
  for (size_t k = cfb_fmt_cols(b); k < cols; k++) fputc(' ', f);
}

/* "workload params", the name of c's group. */
static void group_name(char *b, size_t len, const cfb_sweep_config *c) {
  snprintf(b, len, "%s%s%s", c->w->name, c->params && *c->params ? " " : "", c->params ? c->params : "");
}

static int same_group(const cfb_sweep_config *a, const cfb_sweep_config *b) {
  return a->w == b->w && !strcmp(a->params ? a->params : "", b->params ? b->params : "");
}

/* A group's heading: "workload params", wrapped at the parameters'
 * commas to cols - 1 (the last column would wrap on some terminals), the
 * lines after the first indented: whole, since the rows under it leave
 * the workload and its parameters out (a cut heading hid which socket
 * address or target the rows were for). */
static void group_line(FILE *f, const cfb_sweep_config *c, size_t cols) {
  char g[1024];
  group_name(g, sizeof g, c);
  cfb_fmt_print_wrapped(f, g, cols > 1 ? cols : 2, 4);
}

static size_t wmax(size_t a, size_t b) { return a > b ? a : b; }

/* s right-aligned in `cols` columns (display columns: "±" is one). */
static void put_right(FILE *f, const char *s, size_t cols) {
  for (size_t k = cfb_fmt_cols(s); k < cols; k++) fputc(' ', f);
  fputs(s, f);
}

/* The result table's columns (status last, unpadded); each row's cells
 * are formatted once, then sized, then printed. */
enum { TC_BACKEND, TC_WORKERS, TC_CHUNK, TC_PIN, TC_MED, TC_MAD, TC_CI, TC_EFF, TC_N };
static const char *const table_head[TC_N] = {"backend", "workers", "chunk", "pin", "items/s", "± MAD", "95% CI", "eff"};

typedef struct cfg_cells {
  char cell[TC_N][72];
} cfg_cells;

static void cfg_cells_of(const cfb_config_result *r, cfg_cells *x) {
  const cfb_sweep_config *c = r->cfg;
  char lo[32], hi[32];
  snprintf(x->cell[TC_BACKEND], sizeof x->cell[0], "%s", cfb_backend_name(c->backend));
  snprintf(x->cell[TC_WORKERS], sizeof x->cell[0], "%d", c->workers);
  snprintf(x->cell[TC_CHUNK], sizeof x->cell[0], "%zu", c->chunksize);
  snprintf(x->cell[TC_PIN], sizeof x->cell[0], "%s", cfb_config_pin(c));
  cfb_fmt_rate(r->s.median, x->cell[TC_MED], sizeof x->cell[0]);
  cfb_fmt_rate(r->s.mad, x->cell[TC_MAD], sizeof x->cell[0]);
  cfb_fmt_rate(r->s.ci_lo, lo, sizeof lo);
  cfb_fmt_rate(r->s.ci_hi, hi, sizeof hi);
  if (r->s.n) snprintf(x->cell[TC_CI], sizeof x->cell[0], "[%s, %s]", lo, hi);
  else snprintf(x->cell[TC_CI], sizeof x->cell[0], "-");
  if (isfinite(r->efficiency_median))
    snprintf(x->cell[TC_EFF], sizeof x->cell[0], "%.0f%%", 100 * r->efficiency_median);
  else snprintf(x->cell[TC_EFF], sizeof x->cell[0], "-");
}

/* Column widths: a header's or the widest cell; the pin column is cut
 * first if a PU list would push a row past cols. */
static void table_widths(const cfg_cells *x, size_t n, size_t cols, size_t *w) {
  for (int k = 0; k < TC_N; k++) w[k] = cfb_fmt_cols(table_head[k]);
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < TC_N; k++) w[k] = wmax(w[k], cfb_fmt_cols(x[i].cell[k]));
  size_t fixed = 2 + TC_N; /* indent and the blanks between columns */
  for (int k = 0; k < TC_N; k++) fixed += w[k];
  fixed += strlen("status") + 1;
  if (cols > 1 && fixed > cols - 1 && w[TC_PIN] > 8) w[TC_PIN] = wmax(8, w[TC_PIN] - (fixed - (cols - 1)));
}

/* One row of the result table: text columns left-aligned, figures right. */
static void table_line(FILE *f, const char *const *cell, const size_t *w, const char *status) {
  fputs("  ", f);
  for (int k = 0; k < TC_N; k++) {
    if (k == TC_BACKEND || k == TC_PIN) put_col(f, cell[k], w[k]);
    else put_right(f, cell[k], w[k]);
    fputc(' ', f);
  }
  fprintf(f, "%s\n", status);
}

void cfb_console_table(FILE *f, const cfb_config_result *res, size_t n, size_t cols) {
  cfg_cells *x = calloc(n ? n : 1, sizeof *x);
  if (!x) {
    fputs("(result table: out of memory; runs.csv and summary.csv have the rows)\n", f);
    return;
  }
  for (size_t i = 0; i < n; i++) cfg_cells_of(&res[i], &x[i]);
  size_t w[TC_N];
  table_widths(x, n, cols, w);
  table_line(f, table_head, w, "status");
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || !same_group(res[i - 1].cfg, res[i].cfg)) group_line(f, res[i].cfg, cols);
    const char *cell[TC_N];
    for (int k = 0; k < TC_N; k++) cell[k] = x[i].cell[k];
    table_line(f, cell, w, cfb_cfg_status_name(res[i].status));
    /* the reason on lines of its own, wrapped at blanks to the width: a
     * message, read whole, not a column to cut */
    if (res[i].error[0]) cfb_fmt_print_indented(f, res[i].error, cols, 4, 6);
  }
  free(x);
  fflush(f);
}

/* One group's line: winner "thread", "process", "equivalent" or
 * "undecided"; ratio = thread/process with its CI [lo, hi].  0 or -1 (no memory). */
static int winner_add(cfb_winners *w, const char *group, const char *config, const char *winner,
                      double ratio, double lo, double hi) {
  if (w->n == w->cap) {
    size_t cap = w->cap ? 2 * w->cap : 16;
    struct cfb_winner_row *r = realloc(w->row, cap * sizeof *r);
    if (!r) return -1;
    w->row = r;
    w->cap = cap;
  }
  struct cfb_winner_row *r = &w->row[w->n++];
  snprintf(r->group, sizeof r->group, "%s", group);
  snprintf(r->config, sizeof r->config, "%s", config);
  const char *side = !strcmp(winner, "thread") ? "a" : !strcmp(winner, "process") ? "b" : winner;
  cfb_fmt_speedup(r->speed, sizeof r->speed, "thread", "process", side, ratio, lo, hi);
  return 0;
}

void cfb_console_winners(FILE *f, const cfb_winners *w, size_t cols) {
  if (!w->n) return;
  size_t wg = strlen("workload, parameters"), wc = strlen("pair"), ws = strlen("who wins");
  for (size_t i = 0; i < w->n; i++) {
    size_t g = cfb_fmt_cols(w->row[i].group), c = cfb_fmt_cols(w->row[i].config);
    size_t sp = cfb_fmt_cols(w->row[i].speed);
    if (g > wg) wg = g;
    if (c > wc) wc = c;
    if (sp > ws) ws = sp;
  }
  /* The group column gives way first: the answer must stay whole. */
  size_t fixed = wc + ws + 4;
  if (cols > 1 && wg + fixed > cols - 1) wg = cols - 1 > fixed + 20 ? cols - 1 - fixed : 20;
  fprintf(f, "\nwho wins, per workload and parameters\n"
             "(the pair of the fastest configuration; paired rounds, 95%% CI)\n");
  put_col(f, "workload, parameters", wg);
  fputs("  ", f);
  put_col(f, "pair", wc);
  fprintf(f, "  %s\n", "who wins");
  for (size_t i = 0; i < w->n; i++) {
    put_col(f, w->row[i].group, wg);
    fputs("  ", f);
    put_col(f, w->row[i].config, wc);
    fprintf(f, "  %s\n", w->row[i].speed);
  }
  fflush(f);
}

void cfb_winners_free(cfb_winners *w) {
  free(w->row);
  memset(w, 0, sizeof *w);
}

/* A thread/process pair of cfutures (not CPython's, not a peer's ratio). */
static int is_c_pair(const cfb_verdict *v) {
  return !cfb_backend_is_py(v->thread->backend) && v->process->backend == cfb_backend_pair(v->thread->backend);
}

/* "thread/process", "py-thread/py-process", "thread/py-thread" ... */
static void pair_label(char *buf, size_t len, const cfb_verdict *v) {
  snprintf(buf, len, "%s/%s", cfb_backend_name(v->thread->backend), cfb_backend_name(v->process->backend));
}

int cfb_console_winners_from(cfb_winners *w, const cfb_sweep *sw, const cfb_config_result *res,
                             const cfb_verdict *v, size_t nv) {
  static const char *const names[] = {[CFB_PAIRED_UNDECIDED] = "undecided", [CFB_PAIRED_A] = "thread",
                                      [CFB_PAIRED_B] = "process", [CFB_PAIRED_EQUIVALENT] = "equivalent"};
  for (size_t j = 0; j < nv; j++) {
    if (!is_c_pair(&v[j])) continue; /* who wins is cfutures' thread against its process */
    int first = 1;
    for (size_t k = 0; k < j && first; k++) first = !(is_c_pair(&v[k]) && same_group(v[k].thread, v[j].thread));
    if (!first) continue;
    /* the group's pair whose faster side is fastest: the answer a person
     * who picks the best configuration gets */
    size_t best = j;
    double top = -1;
    for (size_t k = j; k < nv; k++) {
      if (!is_c_pair(&v[k]) || !same_group(v[k].thread, v[j].thread)) continue;
      /* a point the budget's plan dropped has one round: no answer */
      if (res[v[k].thread - sw->cfg].status == CFB_CFG_DROPPED ||
          res[v[k].process - sw->cfg].status == CFB_CFG_DROPPED)
        continue;
      double a = res[v[k].thread - sw->cfg].s.median, b = res[v[k].process - sw->cfg].s.median;
      double m = fmax(isfinite(a) ? a : -1, isfinite(b) ? b : -1);
      if (m > top) top = m, best = k;
    }
    const cfb_verdict *b = &v[best];
    char group[256], config[64];
    group_name(group, sizeof group, b->thread);
    snprintf(config, sizeof config, "w=%d c=%zu%s%s", b->thread->workers, b->thread->chunksize,
             b->thread->pin ? " pin=" : "", b->thread->pin ? cfb_config_pin(b->thread) : "");
    if (winner_add(w, group, config, names[b->r.verdict], b->r.ratio, b->r.ci_lo, b->r.ci_hi))
      return -1;
  }
  return 0;
}

/* The verdicts table's columns (verdict last, unpadded).  mode and a/b
 * show only when some pair needs them (--mode, CPython pairs or peers):
 * a plain thread/process sweep keeps its short rows.  Each row's cells
 * are formatted once, then sized, then printed. */
enum { VC_WORKERS, VC_CHUNK, VC_PIN, VC_MODE, VC_AB, VC_RATIO, VC_CI, VC_ROUNDS, VC_VERDICT, VC_N };
static const char *const verdict_head[VC_N] = {"workers", "chunk", "pin", "mode", "a/b",
                                               "ratio", "95% CI", "rounds", "verdict"};

typedef struct verdict_cells {
  char cell[VC_N][64];
} verdict_cells;

static void verdict_cells_of(const cfb_verdict *v, verdict_cells *x) {
  const cfb_sweep_config *c = v->thread;
  const cfb_paired *r = &v->r;
  snprintf(x->cell[VC_WORKERS], sizeof x->cell[0], "%d", c->workers);
  snprintf(x->cell[VC_CHUNK], sizeof x->cell[0], "%zu", c->chunksize);
  snprintf(x->cell[VC_PIN], sizeof x->cell[0], "%s", cfb_config_pin(c));
  snprintf(x->cell[VC_MODE], sizeof x->cell[0], "%s", cfb_mode_name(c->mode));
  pair_label(x->cell[VC_AB], sizeof x->cell[0], v);
  snprintf(x->cell[VC_RATIO], sizeof x->cell[0], "-");
  snprintf(x->cell[VC_CI], sizeof x->cell[0], "-");
  if (isfinite(r->ratio)) snprintf(x->cell[VC_RATIO], sizeof x->cell[0], "%.3f", r->ratio);
  if (isfinite(r->ci_lo)) snprintf(x->cell[VC_CI], sizeof x->cell[0], "[%.3f, %.3f]", r->ci_lo, r->ci_hi);
  snprintf(x->cell[VC_ROUNDS], sizeof x->cell[0], "%zu", r->n);
  snprintf(x->cell[VC_VERDICT], sizeof x->cell[0], "%s", cfb_who_wins_name(r->verdict));
}

/* Column widths (0: the column is left out): a header's or the widest
 * cell.  A long PU list is cut to what cols leaves beside the other
 * columns and the widest verdict; the verdict stays whole. */
static void verdict_widths(const cfb_verdict *v, const verdict_cells *x, size_t n, size_t cols, size_t *w) {
  int any_mode = 0, any_ab = 0;
  for (int k = 0; k < VC_N; k++) w[k] = cfb_fmt_cols(verdict_head[k]);
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < VC_N; k++) w[k] = wmax(w[k], cfb_fmt_cols(x[i].cell[k]));
    any_mode |= v[i].thread->mode != CFB_MODE_MAP;
    any_ab |= !is_c_pair(&v[i]);
  }
  if (!any_mode) w[VC_MODE] = 0;
  if (!any_ab) w[VC_AB] = 0;
  size_t fixed = 2 + w[VC_VERDICT]; /* the last column: no blank after it */
  for (int k = 0; k < VC_VERDICT; k++)
    if (k != VC_PIN && w[k]) fixed += w[k] + 1;
  size_t room = cols > fixed + 5 ? cols - 2 - fixed : 4;
  if (w[VC_PIN] > room) w[VC_PIN] = room;
}

/* One row of the verdicts table: text columns left-aligned, figures right. */
static void verdict_line(FILE *f, const char *const *cell, const size_t *w) {
  fputs("  ", f);
  for (int k = 0; k < VC_VERDICT; k++) {
    if (!w[k]) continue;
    if (k == VC_PIN || k == VC_MODE || k == VC_AB) put_col(f, cell[k], w[k]);
    else put_right(f, cell[k], w[k]);
    fputc(' ', f);
  }
  fprintf(f, "%s\n", cell[VC_VERDICT]);
}

void cfb_console_verdicts(FILE *f, const cfb_verdict *v, size_t n, size_t cols) {
  if (!n) return;
  verdict_cells *x = calloc(n, sizeof *x);
  if (!x) {
    fputs("(verdicts table: out of memory; verdicts.csv has the rows)\n", f);
    return;
  }
  size_t counts[4] = {0}, w[VC_N];
  for (size_t i = 0; i < n; i++) verdict_cells_of(&v[i], &x[i]);
  verdict_widths(v, x, n, cols, w);
  /* two short lines: the heading fits 80 columns as the rows do */
  fprintf(f, "\nwho wins, per pair (ratio = a/b throughput over paired rounds, its\n"
             "95%% CI; thread = a faster, process = b; equivalent = inside +-%.0f%%)\n",
          100 * CFB_PAIRED_MARGIN);
  verdict_line(f, verdict_head, w);
  for (size_t i = 0; i < n; i++) {
    counts[v[i].r.verdict]++;
    if (i == 0 || !same_group(v[i - 1].thread, v[i].thread)) group_line(f, v[i].thread, cols);
    const char *cell[VC_N];
    for (int k = 0; k < VC_N; k++) cell[k] = x[i].cell[k];
    verdict_line(f, cell, w);
  }
  free(x);
  fprintf(f, "%zu pair%s: %zu thread, %zu process, %zu equivalent, %zu undecided\n", n, cfb_plural((long long)n),
          counts[CFB_PAIRED_A], counts[CFB_PAIRED_B], counts[CFB_PAIRED_EQUIVALENT],
          counts[CFB_PAIRED_UNDECIDED]);
  fflush(f);
}

/* A pair whose look could not reach its level: undecided whatever its
 * range.  Fewer than 2 rounds show no CI to misread. */
static int unreachable(const cfb_seq_plan *plan, const cfb_verdict *v) {
  return v->r.n >= 2 && v->r.verdict == CFB_PAIRED_UNDECIDED && cfb_seq_pairs_needed(plan, v->r.n);
}

void cfb_console_unreachable(FILE *f, const cfb_seq_plan *plan, const cfb_verdict *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!unreachable(plan, &v[i])) continue;
    int seen = 0;
    for (size_t k = 0; k < i && !seen; k++) seen = unreachable(plan, &v[k]) && v[k].r.n == v[i].r.n;
    if (seen) continue;
    size_t count = 0;
    for (size_t k = i; k < n; k++) count += unreachable(plan, &v[k]) && v[k].r.n == v[i].r.n;
    char why[96];
    cfb_fmt_unreachable(why, sizeof why, v[i].r.n, v[i].r.level, cfb_seq_pairs_needed(plan, v[i].r.n));
    /* two short lines: fits 80 columns */
    fprintf(f, "%zu undecided: %s\n  (the CI shown for %s is the range of the rounds' ratios)\n", count, why,
            count == 1 ? "it" : "them");
  }
  fflush(f);
}
