/* console.c -- terminal header, progress and result table (console.h). */
#include "console.h"

#include <math.h>
#include <string.h>
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
           cfb_backend_name(c->backend), c->workers, c->chunksize, cfb_pin_name(c->pin));
}

void cfb_console_header(FILE *f, const cfb_env *e, const char *layer, const char *reason,
                       const char *note, uint64_t seed, const char *suite, size_t nconfigs,
                       size_t nreps, int rounds, const char *out) {
  fprintf(f, "cfbench %s (%s)\n", e->version, e->git_revision);
  fprintf(f, "machine:  %s, %s, %d PU (%d cores, %d package%s, SMT %s), governor %s%s\n",
          e->hostname, e->cpu_model, e->pus, e->cores, e->packages, e->packages == 1 ? "" : "s",
          e->smt ? "on" : "off", e->governor, e->virtualized ? ", virtualized" : "");
  fprintf(f, "counters: %s%s%s%s%s\n", layer, reason[0] ? " (" : "", reason, reason[0] ? ")" : "",
          "");
  if (note[0]) fprintf(f, "          %s\n", note);
  char in_rounds[64] = "";
  if (rounds > 1) snprintf(in_rounds, sizeof in_rounds, " in %d rounds", rounds);
  fprintf(f, "sweep:    %s%s%s%zu configurations, %zu measured repetitions%s, seed %llu, order randomized%s\n",
          suite ? "suite " : "", suite ? suite : "", suite ? ", " : "", nconfigs, nreps, in_rounds,
          (unsigned long long)seed, rounds > 1 ? " per round" : "");
  fprintf(f, "output:   %s\n\n", out);
  fflush(f);
}

void cfb_progress_init(cfb_progress *p, FILE *f, size_t nconfigs, int rounds, size_t steps) {
  p->f = f;
  p->tty = isatty(fileno(f));
  p->n = nconfigs;
  p->rounds = rounds;
  p->steps = steps;
  p->done = 0;
  p->t0 = cfb_now_s();
}

static double eta(const cfb_progress *p) {
  if (!p->done) return NAN;
  double el = cfb_now_s() - p->t0;
  return el / (double)p->done * (double)(p->steps > p->done ? p->steps - p->done : 0);
}

/* "round 2/5 3/12" (or "3/12" with one round). */
static void position(const cfb_progress *p, int round, size_t i, char *b, size_t len) {
  if (p->rounds > 1) snprintf(b, len, "round %d/%d %zu/%zu", round + 1, p->rounds, i, p->n);
  else snprintf(b, len, "%zu/%zu", i, p->n);
}

void cfb_progress_rep(cfb_progress *p, int round, size_t i, const cfb_sweep_config *c, int warm, int rep,
                     int n) {
  if (!p->tty) return;
  char label[256], e[32], bar[32], pos[64];
  config_label(label, sizeof label, c);
  fmt_eta(e, sizeof e, eta(p));
  position(p, round, i, pos, sizeof pos);
  int width = 20, fill = p->steps ? (int)((double)width * (double)p->done / (double)p->steps) : 0;
  if (fill > width) fill = width;
  for (int k = 0; k < width; k++) bar[k] = k < fill ? '#' : '-';
  bar[width] = '\0';
  fprintf(p->f, "\r\033[K[%s] %s ETA %s  %.60s  %s %d/%d", bar, pos, e, label,
          warm ? "warm-up" : "rep", rep + 1, n);
  fflush(p->f);
}

void cfb_progress_step_done(cfb_progress *p, int round, size_t i, const cfb_config_result *res, int final) {
  p->done++;
  char label[256], med[32], mad[32], e[32], pos[64], n[48];
  config_label(label, sizeof label, res->cfg);
  cfb_fmt_rate(res->s.median, med, sizeof med);
  cfb_fmt_rate(res->s.mad, mad, sizeof mad);
  fmt_eta(e, sizeof e, eta(p));
  position(p, round, i, pos, sizeof pos);
  if (p->rounds > 1) snprintf(n, sizeof n, "n=%zu of %d", res->s.n, res->cfg->repeat);
  else snprintf(n, sizeof n, "n=%zu", res->s.n);
  if (p->tty) fprintf(p->f, "\r\033[K");
  if (res->status == CFB_CFG_FAILED || res->status == CFB_CFG_NOT_RUN)
    fprintf(p->f, "[%s] %s: %s: %s  (ETA %s)\n", pos, label, cfb_cfg_status_name(res->status),
            res->error, e);
  else {
    int partial = final && res->status == CFB_CFG_PARTIAL;
    fprintf(p->f, "[%s] %s: %s ± %s items/s (%s)%s%s  (ETA %s)\n", pos, label, med, mad, n,
            partial ? " partial: " : "", partial ? res->error : "", e);
  }
  fflush(p->f);
}

void cfb_progress_finish(cfb_progress *p) {
  if (p->tty) fprintf(p->f, "\r\033[K");
  fflush(p->f);
}

void cfb_console_table(FILE *f, const cfb_config_result *res, size_t n) {
  size_t wp = strlen("params"), ww = strlen("workload"), wb = strlen("backend");
  for (size_t i = 0; i < n; i++) {
    const cfb_sweep_config *c = res[i].cfg;
    size_t l = c->params ? strlen(c->params) : 0;
    if (l > wp) wp = l;
    if (strlen(c->w->name) > ww) ww = strlen(c->w->name);
    if (strlen(cfb_backend_name(c->backend)) > wb) wb = strlen(cfb_backend_name(c->backend));
  }
  if (wp > 40) wp = 40;
  fprintf(f, "%-*s %-*s %-*s %7s %5s %-7s %12s %10s %25s %6s %s\n", (int)ww, "workload", (int)wp,
          "params", (int)wb, "backend", "workers", "chunk", "pin", "items/s", "± MAD", "95% CI", "eff",
          "status");
  for (size_t i = 0; i < n; i++) {
    const cfb_config_result *r = &res[i];
    const cfb_sweep_config *c = r->cfg;
    char med[32], mad[32], lo[32], hi[32], ci[72], eff[16];
    cfb_fmt_rate(r->s.median, med, sizeof med);
    cfb_fmt_rate(r->s.mad, mad, sizeof mad);
    cfb_fmt_rate(r->s.ci_lo, lo, sizeof lo);
    cfb_fmt_rate(r->s.ci_hi, hi, sizeof hi);
    if (r->s.n) snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
    else snprintf(ci, sizeof ci, "-");
    if (isfinite(r->efficiency_median)) snprintf(eff, sizeof eff, "%.0f%%", 100 * r->efficiency_median);
    else snprintf(eff, sizeof eff, "-");
    fprintf(f, "%-*s %-*.*s %-*s %7d %5zu %-7s %12s %10s %25s %6s %s%s%s\n", (int)ww, c->w->name,
            (int)wp, (int)wp, c->params ? c->params : "", (int)wb, cfb_backend_name(c->backend), c->workers,
            c->chunksize, cfb_pin_name(c->pin), med, mad, ci, eff, cfb_cfg_status_name(r->status),
            r->error[0] ? ": " : "", r->error);
  }
  fflush(f);
}

void cfb_console_verdicts(FILE *f, const cfb_verdict *v, size_t n) {
  if (!n) return;
  size_t counts[4] = {0};
  fprintf(f, "\nwho wins (paired rounds: ratio = thread/process throughput, its 95%% CI; equivalent = "
             "inside +-%.0f%%)\n",
          100 * CFB_PAIRED_MARGIN);
  fprintf(f, "%-10s %-40s %7s %5s %-7s %7s %17s %6s %s\n", "workload", "params", "workers", "chunk", "pin",
          "ratio", "95% CI", "rounds", "verdict");
  for (size_t i = 0; i < n; i++) {
    const cfb_sweep_config *c = v[i].thread;
    const cfb_paired *r = &v[i].r;
    char ci[48] = "-", ratio[16] = "-";
    if (isfinite(r->ratio)) snprintf(ratio, sizeof ratio, "%.3f", r->ratio);
    if (isfinite(r->ci_lo)) snprintf(ci, sizeof ci, "[%.3f, %.3f]", r->ci_lo, r->ci_hi);
    counts[r->verdict]++;
    fprintf(f, "%-10s %-40.40s %7d %5zu %-7s %7s %17s %6zu %s\n", c->w->name, c->params ? c->params : "",
            c->workers, c->chunksize, cfb_pin_name(c->pin), ratio, ci, r->n, cfb_who_wins_name(r->verdict));
  }
  fprintf(f, "%zu pairs: %zu thread, %zu process, %zu equivalent, %zu undecided\n", n,
          counts[CFB_PAIRED_A], counts[CFB_PAIRED_B], counts[CFB_PAIRED_EQUIVALENT],
          counts[CFB_PAIRED_UNDECIDED]);
  fflush(f);
}
