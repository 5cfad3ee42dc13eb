/* plot.c -- `cfbench plot DIR` (plot.h).  For each workload and parameter
 * set: throughput vs workers, throughput vs chunksize, efficiency vs
 * workers and the who-wins map; for each parameter swept with the others
 * fixed: best thread vs best process against that parameter.  Each plot is
 * a .dat file plus a script filled in from a template in plots/; gnuplot
 * runs in DIR/plots so the kept scripts work as they are. */
#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis_py.h"
#include "cmd_report.h"
#include "datadir.h"
#include "fileio.h"
#include "format.h"
#include "strbuf.h"

/* How many fields an array of them holds (a template's, for fill_template). */
#define NFIELDS(a) (sizeof(a) / sizeof(a)[0])

typedef cfb_plot_field field;

typedef struct plot_ctx {
  const char *dir;   /* the result directory */
  char pdir[4096];   /* DIR/plots */
  char tdir[4096];   /* the templates */
  char machine[256]; /* corner note */
  char **scripts;    /* written scripts, to render */
  size_t nscripts, capscripts;
} plot_ctx;


void cfb_plot_slugs(const cfb_group *g, size_t ng, char (*out)[CFB_SLUG_MAX]) {
  for (size_t i = 0; i < ng; i++) {
    char *o = out[i];
    size_t k = 0;
    for (const char *p = g[i].workload; *p && k + 1 < 64; p++)
      o[k++] = isalnum((unsigned char)*p) || *p == '-' ? *p : '-';
    if (g[i].params && *g[i].params) {
      o[k++] = '_';
      for (const char *p = g[i].params; *p && k + 8 < CFB_SLUG_MAX; p++) {
        char c = *p;
        o[k++] = isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_' ? c
                 : c == ','                                                   ? '_'
                                                                              : '-';
      }
    }
    o[k] = '\0';
    for (size_t j = 0; j < i; j++) { /* collisions after sanitising */
      if (!strcmp(out[j], o)) {
        char tag[24];
        snprintf(tag, sizeof tag, "_g%zu", i);
        size_t at = k + strlen(tag) < CFB_SLUG_MAX ? k : CFB_SLUG_MAX - 1 - strlen(tag);
        memcpy(o + at, tag, strlen(tag) + 1);
        break;
      }
    }
  }
}

static void sanitize_into(char *o, size_t len, const char *s) {
  size_t k = strlen(o);
  for (; *s && k + 1 < len; s++)
    o[k++] = isalnum((unsigned char)*s) || *s == '.' || *s == '-' || *s == '_' ? *s
             : *s == ','                                                         ? '_'
                                                                                 : '-';
  o[k] = '\0';
}

void cfb_plot_sweep_slug(const cfb_curve *s, char *out, size_t len) {
  snprintf(out, len, "%s_%s", s->workload, s->key);
  if (s->context[0]) {
    size_t k = strlen(out);
    if (k + 1 < len) {
      out[k] = '_';
      out[k + 1] = '\0';
    }
    sanitize_into(out, len, s->context);
  }
  size_t k = strlen(out);
  snprintf(out + k, len - k, "_crossover");
}

/* The gnuplot program: $CFBENCH_GNUPLOT if set, else `gnuplot` on PATH.
 * Returns out, or NULL if it is not there or not executable. */
static const char *find_gnuplot(char *out, size_t len) {
  const char *e = getenv("CFBENCH_GNUPLOT");
  const char *name = e && *e ? e : "gnuplot";
  if (strchr(name, '/')) {
    if (access(name, X_OK) != 0) return NULL;
    snprintf(out, len, "%s", name);
    return out;
  }
  const char *path = getenv("PATH");
  if (!path) return NULL;
  const char *p = path;
  while (*p) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (n) {
      snprintf(out, len, "%.*s/%s", (int)n, p, name);
      struct stat st;
      if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return out;
    }
    p += n + (colon ? 1 : 0);
  }
  return NULL;
}

/* A gnuplot single-quoted string body: ' doubled. */
static void gp_quote(char *out, size_t len, const char *s) {
  size_t k = 0;
  for (; *s && k + 2 < len; s++) {
    if (*s == '\'') out[k++] = '\'';
    if (*s == '\n') continue;
    out[k++] = *s;
  }
  out[k] = '\0';
}

/* Fill template `tname` with fields and write pdir/base.gp. */
static int fill_template(plot_ctx *c, const char *tname, const char *base, const field *f,
                         size_t nf) {
  char path[4200], *t;
  snprintf(path, sizeof path, "%s/%s", c->tdir, tname);
  if (cfb_read_file(path, &t, NULL) != 0) {
    fprintf(stderr, "cfbench plot: cannot read template %s: %s (set CFBENCH_PLOTS_DIR)\n", path,
            strerror(errno));
    return 2;
  }
  cfb_sb sb = {0};
  for (const char *p = t; *p;) {
    const char *at = strchr(p, '@');
    if (!at) {
      cfb_sb_append(&sb, p);
      break;
    }
    cfb_sb_appendn(&sb, p, (size_t)(at - p));
    const char *end = at + 1;
    while (*end && (isupper((unsigned char)*end) || *end == '_')) end++;
    if (*end != '@' || end == at + 1) { /* not a field */
      cfb_sb_append(&sb, "@");
      p = at + 1;
      continue;
    }
    size_t klen = (size_t)(end - at - 1);
    const char *val = NULL;
    if (klen == 8 && !strncmp(at + 1, "TEMPLATE", 8)) {
      val = tname;
    } else if (klen == 4 && !strncmp(at + 1, "BASE", 4)) {
      val = base;
    } else {
      for (size_t i = 0; i < nf; i++)
        if (strlen(f[i].key) == klen && !strncmp(f[i].key, at + 1, klen)) val = f[i].val;
    }
    if (!val) {
      fprintf(stderr, "cfbench plot: template %s: unknown field @%.*s@\n", path, (int)klen,
              at + 1);
      free(t);
      cfb_sb_free(&sb);
      return 2;
    }
    cfb_sb_append(&sb, val);
    p = end + 1;
  }
  free(t);
  snprintf(path, sizeof path, "%s/%s.gp", c->pdir, base);
  int rc = cfb_sb_write_file(&sb, path);
  cfb_sb_free(&sb);
  if (rc != 0) {
    fprintf(stderr, "cfbench plot: cannot write %s: %s\n", path, strerror(errno));
    return 2;
  }
  if (c->nscripts == c->capscripts) {
    size_t nc = c->capscripts ? c->capscripts * 2 : 16;
    char **ns = realloc(c->scripts, nc * sizeof *ns);
    if (!ns) return 2;
    c->scripts = ns;
    c->capscripts = nc;
  }
  char *name = malloc(strlen(base) + 4);
  if (!name) return 2;
  sprintf(name, "%s.gp", base);
  c->scripts[c->nscripts++] = name;
  return 0;
}

static int write_data(plot_ctx *c, const char *name, const cfb_sb *sb) {
  char path[4200];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", c->pdir, name) >= sizeof path) {
    fprintf(stderr, "cfbench plot: path too long: %s/%s\n", c->pdir, name);
    return 2;
  }
  if (cfb_sb_write_file(sb, path) != 0) {
    fprintf(stderr, "cfbench plot: cannot write %s: %s\n", path, strerror(errno));
    return 2;
  }
  return 0;
}

static double or_median(double v, double med) { return isfinite(v) ? v : med; }

/* The style of series `shade` of a backend, distinct for every series:
 * style.gp's 7 shades of the backend's hue (each with its point type);
 * past 7 the shades come round again dashed (dash types 2, 3, 4...) and
 * with open point types, so chunksize 1 and 128 never look alike. */
static void backend_style(char *out, size_t len, const char *backend, size_t shade) {
  static const int open_pts[] = {6, 4, 8, 10, 12, 1, 14};
  int base = !strcmp(backend, "thread") ? 1 : !strcmp(backend, "process") ? 11 : 6;
  size_t ring = base == 6 ? 2 : 7, lap = shade / ring;
  int ls = base + (int)(shade % ring);
  if (!lap) snprintf(out, len, "ls %d", ls);
  else snprintf(out, len, "ls %d dt %d pt %d", ls, 2 + (int)((lap - 1) % 4), open_pts[(shade + lap) % 7]);
}

/* y tics for a linear axis from 0 past `hi`: a 1-2-5 step for about 6
 * tics, each labelled with cfb_fmt_rate (3 significant digits), so no two
 * labels read the same (gnuplot's '%.0s%c' made "2M, 2M, 2M"). */
static void linear_tics(cfb_sb *sb, double hi) {
  if (!(hi > 0) || !isfinite(hi)) return;
  double raw = hi / 6, mag = pow(10, floor(log10(raw))), step = 10 * mag;
  static const double nice[] = {1, 2, 5};
  for (size_t i = 0; i < 3; i++)
    if (nice[i] * mag >= raw) {
      step = nice[i] * mag;
      break;
    }
  cfb_sb_append(sb, "set ytics (");
  for (int k = 0; k * step <= hi * 1.1 + step; k++) {
    char b[32];
    cfb_fmt_rate(k * step, b, sizeof b);
    cfb_sb_printf(sb, "%s\"%s\" %.9g", k ? ", " : "", b, k * step);
  }
  cfb_sb_append(sb, ")\n");
}

static const char *const BACKENDS[] = {"thread", "process"};

void cfb_plot_title(const char *head, const char *params, char *out, size_t len) {
  char q1[280], q2[280]; /* both fit the callers' 600-byte titles */
  gp_quote(q1, sizeof q1, head);
  if (params && *params) {
    char spaced[512];
    size_t k = 0;
    for (const char *p = params; *p && k + 3 < sizeof spaced; p++) {
      spaced[k++] = *p;
      if (*p == ',') spaced[k++] = ' ';
    }
    spaced[k] = '\0';
    gp_quote(q2, sizeof q2, spaced);
    if ((size_t)snprintf(out, len, "'%s'.\"\\n\".'%s'", q1, q2) >= len) snprintf(out, len, "'%s'", q1);
  } else if ((size_t)snprintf(out, len, "'%s'", q1) >= len) {
    out[0] = '\0';
  }
}

/* A group's title: "workload: what", its parameters below. */
static void title_of(const cfb_group *g, const char *what, char *out, size_t len) {
  char raw[1024]; /* the workload name (up to 600) and what */
  snprintf(raw, sizeof raw, "%s: %s", g->workload, what);
  cfb_plot_title(raw, g->params, out, len);
}

static void ticks(cfb_sb *sb, const int *v, size_t n, int by_index) {
  for (size_t i = 0; i < n; i++)
    cfb_sb_printf(sb, "%s\"%d\" %d", i ? ", " : "", v[i], by_index ? (int)i : v[i]);
}

/* Tics for a log axis over [lo, hi]: 1-2-5 per decade, or finer when the
 * range spans less than a decade (gnuplot would label only decades, i.e.
 * often nothing). */
static void log_tics(cfb_sb *sb, double lo, double hi) {
  static const double coarse[] = {1, 2, 5}, fine[] = {1, 1.5, 2, 3, 5, 7};
  if (!(lo > 0) || !(hi >= lo)) return;
  for (int pass = 0; pass < 2; pass++) {
    const double *m = pass ? fine : coarse;
    size_t nm = pass ? 6 : 3, n = 0;
    for (double d = pow(10, floor(log10(lo))); d <= hi; d *= 10)
      for (size_t i = 0; i < nm; i++) n += m[i] * d >= lo && m[i] * d <= hi;
    if (n < 4 && !pass) continue;
    cfb_sb_append(sb, "set ytics (");
    int first = 1;
    for (double d = pow(10, floor(log10(lo))); d <= hi; d *= 10)
      for (size_t i = 0; i < nm; i++)
        if (m[i] * d >= lo && m[i] * d <= hi) {
          char b[32]; /* labelled like the tables: 1.5k and 2k, never "2k, 2k" */
          cfb_fmt_rate(m[i] * d, b, sizeof b);
          cfb_sb_printf(sb, "%s\"%s\" %.6g", first ? "" : ", ", b, m[i] * d);
          first = 0;
        }
    cfb_sb_append(sb, ")\n");
    return;
  }
}

/* A marked line's label goes right of the line in the plot's left half
 * and left of it in the right half, or the text runs off the plot (the
 * middle of a logarithmic axis is the geometric mean of its ends). */
static const char *label_side(double x, double lo, double hi, int logx) {
  double mid = logx && lo > 0 ? sqrt(lo * hi) : (lo + hi) / 2;
  return x > mid ? "right offset -0.5, 0" : "left offset 0.5, 0";
}

/* The crossovers analysis found across worker counts, as marked lines. */
static void worker_crossovers(cfb_sb *extra, const cfb_curve *s) {
  for (size_t i = 0; i < s->ncross; i++) {
    cfb_sb_printf(extra,
                 "set arrow %zu from %.4g, graph 0 to %.4g, graph 1 nohead ls 30\n"
                 "set label %zu '%s faster below, %s above ≈%.2g workers' at %.4g, graph 0.97 "
                 "%s font ',10' tc rgb '#333333'\n",
                 i + 10, s->cross[i].x, s->cross[i].x, i + 10, cfb_backend_plural(s->cross[i].below),
                 cfb_backend_plural(s->cross[i].above), s->cross[i].x, s->cross[i].x,
                 label_side(s->cross[i].x, s->x[0], s->x[s->n - 1], 1));
  }
}

/* What plot_workers builds before it writes: the data file (one index per
 * series), the throughput and efficiency plot commands, and the extent of
 * the axes. */
typedef struct workers_plot {
  cfb_sb dat, plot, eplot;
  char dname[CFB_SLUG_MAX + 32];
  int index, neff, ideal_idx[2]; /* series so far, those with an efficiency, each backend's first */
  double emax, ylo, yhi;
} workers_plot;

/* One row of a series in the data file; widens the axes to it. */
static void worker_point(workers_plot *w, const cfb_sumrow *r, int *any_eff) {
  double eff = isfinite(r->efficiency) ? r->efficiency
               : r->ideal > 0          ? r->median / r->ideal
                                       : NAN;
  if (isfinite(eff) && eff * 110 > w->emax) w->emax = eff * 110;
  *any_eff |= isfinite(eff);
  double lo = or_median(r->ci_lo, r->median), hi = or_median(r->ci_hi, r->median);
  double vals[] = {r->median, lo, hi, r->ideal};
  for (size_t k = 0; k < 4; k++)
    if (isfinite(vals[k]) && vals[k] > 0) {
      if (vals[k] < w->ylo) w->ylo = vals[k];
      if (vals[k] > w->yhi) w->yhi = vals[k];
    }
  cfb_sb_printf(&w->dat, "%d %.6g %.6g %.6g %.6g %.6g\n", r->workers, r->median, lo, hi,
               isfinite(r->ideal) ? r->ideal : NAN, isfinite(eff) ? eff : NAN);
}

/* The series of backend b at chunksize index ci: its data block and its
 * lines in both plots (none when it has no row). */
static void worker_series(workers_plot *w, const cfb_resultset *rs, const cfb_group *g, size_t b,
                          size_t ci) {
  int n = 0, any_eff = 0;
  for (size_t wi = 0; wi < g->nworkers; wi++) {
    const cfb_sumrow *r = cfb_an_find(rs, g, BACKENDS[b], g->workers[wi], g->chunks[ci], g->pin);
    if (!r) continue;
    if (!n++)
      cfb_sb_printf(&w->dat, "# %s chunksize=%d pin=%s\n# workers median ci_lo ci_hi ideal efficiency\n",
                   BACKENDS[b], g->chunks[ci], g->pin);
    worker_point(w, r, &any_eff);
  }
  if (!n) return;
  cfb_sb_append(&w->dat, "\n\n");
  char title[128], ls[64];
  backend_style(ls, sizeof ls, BACKENDS[b], ci);
  snprintf(title, sizeof title, "%s, chunksize %d", BACKENDS[b], g->chunks[ci]);
  cfb_sb_printf(&w->plot, "%s'%s' index %d using 1:2:3:4 with yerrorlines %s title '%s'",
               w->index ? ", \\\n       " : "", w->dname, w->index, ls, title);
  if (any_eff) /* only the series that have an ideal model */
    cfb_sb_printf(&w->eplot, "%s'%s' index %d using 1:($6*100) with linespoints %s title '%s'",
                 w->neff++ ? ", \\\n       " : "", w->dname, w->index, ls, title);
  if (w->ideal_idx[b] < 0) w->ideal_idx[b] = w->index;
  w->index++;
}

/* Ideal scaling: one grey line when both backends share the model, else
 * one per backend. */
static void ideal_lines(workers_plot *w, const cfb_resultset *rs, const cfb_group *g) {
  int same = w->ideal_idx[0] >= 0 && w->ideal_idx[1] >= 0;
  for (size_t wi = 0; same && wi < g->nworkers; wi++) {
    const cfb_sumrow *t = cfb_an_find(rs, g, "thread", g->workers[wi], g->chunks[0], g->pin);
    const cfb_sumrow *p = cfb_an_find(rs, g, "process", g->workers[wi], g->chunks[0], g->pin);
    if (t && p && fabs(t->ideal - p->ideal) > 1e-6 * fabs(t->ideal)) same = 0;
  }
  for (size_t b = 0; b < 2; b++) {
    if (w->ideal_idx[b] < 0 || (same && b == 1)) continue;
    cfb_sb_printf(&w->plot, ", \\\n       '%s' index %d using 1:5 with lines ls %d title '%s'", w->dname,
                 w->ideal_idx[b], same ? 20 : 21 + (int)b,
                 same ? "ideal scaling" : b == 0 ? "ideal (thread)" : "ideal (process)");
  }
}

/* The data file and the two scripts (throughput; efficiency when a series
 * has one) from what worker_series built. */
static int write_workers(plot_ctx *c, const workers_plot *w, const cfb_group *g, const cfb_curve *ws,
                         const char *slug) {
  cfb_sb xt = {0}, extra = {0};
  worker_crossovers(&extra, ws);
  log_tics(&extra, w->ylo, w->yhi);
  ticks(&xt, g->workers, g->nworkers, 0);
  char title[600], xmin[32], xmax[32], ymax[32], base[CFB_SLUG_MAX + 32];
  snprintf(xmin, sizeof xmin, "%.4g", g->workers[0] / 1.3);
  snprintf(xmax, sizeof xmax, "%.4g", g->workers[g->nworkers - 1] * 1.3);
  snprintf(ymax, sizeof ymax, "%.0f", ceil(w->emax / 10) * 10);
  int rc;
  if ((rc = write_data(c, w->dname, &w->dat))) goto out;
  title_of(g, "throughput vs workers", title, sizeof title);
  field f[] = {{"TITLE", title},         {"MACHINE", c->machine}, {"XMIN", xmin},
               {"XMAX", xmax},           {"XTICS", cfb_sb_str(&xt)}, {"PLOT", cfb_sb_str(&w->plot)},
               {"EXTRA", cfb_sb_str(&extra)}, {"YMAX", ymax}};
  snprintf(base, sizeof base, "%s_workers", slug);
  if ((rc = fill_template(c, "throughput_workers.gp", base, f, NFIELDS(f)))) goto out;
  /* No ideal model (sleep delay=0 measures pure overhead): no efficiency
   * plot, rather than an empty one with a legend. */
  if (!w->neff) goto out;
  title_of(g, "efficiency vs workers", title, sizeof title);
  f[5].val = cfb_sb_str(&w->eplot);
  f[6].val = "";
  snprintf(base, sizeof base, "%s_efficiency", slug);
  rc = fill_template(c, "efficiency_workers.gp", base, f, NFIELDS(f));
out:
  cfb_sb_free(&xt);
  cfb_sb_free(&extra);
  return rc;
}

/* throughput vs workers + efficiency vs workers (shared data file). */
static int plot_workers(plot_ctx *c, const cfb_resultset *rs, const cfb_group *g, const cfb_curve *ws,
                        const char *slug) {
  workers_plot w = {.ideal_idx = {-1, -1}, .emax = 100, .ylo = INFINITY, .yhi = 0};
  snprintf(w.dname, sizeof w.dname, "%s_workers.dat", slug);
  for (size_t b = 0; b < 2; b++)
    for (size_t ci = 0; ci < g->nchunks; ci++) worker_series(&w, rs, g, b, ci);
  int rc = 0;
  if (w.index) { /* else nothing usable */
    ideal_lines(&w, rs, g);
    rc = write_workers(c, &w, g, ws, slug);
  }
  if (!rc && (cfb_sb_failed(&w.dat) || cfb_sb_failed(&w.plot) || cfb_sb_failed(&w.eplot))) rc = 2;
  cfb_sb_free(&w.dat);
  cfb_sb_free(&w.plot);
  cfb_sb_free(&w.eplot);
  return rc;
}

/* throughput vs chunksize, one line per backend x (a subset of) workers. */
static int plot_chunks(plot_ctx *c, const cfb_resultset *rs, const cfb_group *g, const char *slug) {
  if (g->nchunks < 2) return 0;
  size_t pick[5], np = 0;
  if (g->nworkers <= 5) {
    for (size_t i = 0; i < g->nworkers; i++) pick[np++] = i;
  } else {
    for (size_t k = 0; k < 5; k++) {
      size_t i = k * (g->nworkers - 1) / 4;
      if (!np || pick[np - 1] != i) pick[np++] = i;
    }
  }
  cfb_sb dat = {0}, plot = {0}, xt = {0}, yt = {0};
  char dname[CFB_SLUG_MAX + 32];
  snprintf(dname, sizeof dname, "%s_chunksize.dat", slug);
  int index = 0, rc = 0;
  double yhi = 0;
  for (size_t b = 0; b < 2; b++) {
    for (size_t k = 0; k < np; k++) {
      int w = g->workers[pick[k]], n = 0;
      for (size_t ci = 0; ci < g->nchunks; ci++) {
        const cfb_sumrow *r = cfb_an_find(rs, g, BACKENDS[b], w, g->chunks[ci], g->pin);
        if (!r) continue;
        if (!n) cfb_sb_printf(&dat, "# %s workers=%d pin=%s\n# chunksize median ci_lo ci_hi\n",
                             BACKENDS[b], w, g->pin);
        cfb_sb_printf(&dat, "%d %.6g %.6g %.6g\n", r->chunksize, r->median,
                     or_median(r->ci_lo, r->median), or_median(r->ci_hi, r->median));
        yhi = fmax(yhi, fmax(r->median, or_median(r->ci_hi, r->median)));
        n++;
      }
      if (!n) continue;
      cfb_sb_append(&dat, "\n\n");
      char ls[64];
      backend_style(ls, sizeof ls, BACKENDS[b], k);
      cfb_sb_printf(&plot, "%s'%s' index %d using 1:2:3:4 with yerrorlines %s title '%s, %d worker%s'",
                   index ? ", \\\n       " : "", dname, index, ls, BACKENDS[b], w, cfb_plural(w));
      index++;
    }
  }
  if (index) {
    ticks(&xt, g->chunks, g->nchunks, 0);
    char title[600], xmin[32], xmax[32], base[CFB_SLUG_MAX + 32];
    snprintf(xmin, sizeof xmin, "%.4g", g->chunks[0] / 1.3);
    snprintf(xmax, sizeof xmax, "%.4g", g->chunks[g->nchunks - 1] * 1.3);
    title_of(g, "throughput vs chunksize", title, sizeof title);
    field f[] = {{"TITLE", title}, {"MACHINE", c->machine},   {"XMIN", xmin},
                 {"XMAX", xmax},   {"XTICS", cfb_sb_str(&xt)}, {"PLOT", cfb_sb_str(&plot)},
                 {"EXTRA", cfb_sb_str(&yt)}};
    linear_tics(&yt, yhi);
    f[6].val = cfb_sb_str(&yt);
    snprintf(base, sizeof base, "%s_chunksize", slug);
    rc = write_data(c, dname, &dat);
    if (!rc) rc = fill_template(c, "throughput_chunksize.gp", base, f, NFIELDS(f));
  }
  if (!rc && (cfb_sb_failed(&dat) || cfb_sb_failed(&plot))) rc = 2;
  cfb_sb_free(&dat);
  cfb_sb_free(&plot);
  cfb_sb_free(&xt);
  cfb_sb_free(&yt);
  return rc;
}

/* who-wins map: workers x chunksize, colour log2(thread/process), each
 * cell marked with its paired verdict and ratio. */
static int plot_map(plot_ctx *c, const cfb_analysis *an, const cfb_group *g, const char *slug) {
  cfb_sb dat = {0}, xt = {0}, yt = {0};
  double maxabs = 0;
  int cells = 0, rc = 0;
  cfb_sb_append(&dat, "# workers_index chunksize_index log2(thread/process) label workers chunksize "
                      "ci_lo ci_hi rounds verdict\n");
  for (size_t wi = 0; wi < g->nworkers; wi++) {
    for (size_t ci = 0; ci < g->nchunks; ci++) {
      cfb_an_pair v; /* analysis decides; the map only draws it */
      if (cfb_an_cell(an, g, g->workers[wi], g->chunks[ci], &v) != 0 || !(v.ratio > 0)) continue;
      double l = log2(v.ratio);
      if (fabs(l) > maxabs) maxabs = fabs(l);
      cfb_sb_printf(&dat, "%zu %zu %.6g \"%s %.2f\" %d %d %.6g %.6g %zu %s\n", wi, ci, l,
                   cfb_an_mark(v.verdict), v.ratio, g->workers[wi], g->chunks[ci], v.ci_lo, v.ci_hi,
                   v.rounds, cfb_who_wins_name(v.verdict));
      cells++;
    }
  }
  if (cells) {
    double cb = ceil((maxabs < 0.5 ? 0.5 : maxabs) * 4) / 4;
    char dname[CFB_SLUG_MAX + 32], base[CFB_SLUG_MAX + 32], title[600], nx[16], ny[16], cbs[32];
    snprintf(dname, sizeof dname, "%s_map.dat", slug);
    snprintf(base, sizeof base, "%s_map", slug);
    snprintf(nx, sizeof nx, "%zu", g->nworkers);
    snprintf(ny, sizeof ny, "%zu", g->nchunks);
    snprintf(cbs, sizeof cbs, "%.2f", cb);
    ticks(&xt, g->workers, g->nworkers, 1);
    ticks(&yt, g->chunks, g->nchunks, 1);
    title_of(g, "who wins (thread / process throughput)", title, sizeof title);
    field f[] = {{"TITLE", title}, {"MACHINE", c->machine}, {"DATA", dname},
                 {"NX", nx},       {"NY", ny},              {"XTICS", cfb_sb_str(&xt)},
                 {"YTICS", cfb_sb_str(&yt)}, {"CBMAX", cbs}, {"EXTRA", ""}};
    rc = write_data(c, dname, &dat);
    if (!rc) rc = fill_template(c, "whowins_map.gp", base, f, NFIELDS(f));
  }
  if (!rc && (cfb_sb_failed(&dat) || cfb_sb_failed(&xt) || cfb_sb_failed(&yt))) rc = 2;
  cfb_sb_free(&dat);
  cfb_sb_free(&xt);
  cfb_sb_free(&yt);
  return rc;
}

/* best thread vs best process across the values of one parameter. */
static int plot_sweep(plot_ctx *c, const cfb_curve *s) {
  int both = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->thr[i] > 0 && s->prc[i] > 0) both++;
  if (both < 2) return 0;
  char slug[CFB_SLUG_MAX + 64], dname[CFB_SLUG_MAX + 80];
  cfb_plot_sweep_slug(s, slug, sizeof slug);
  snprintf(dname, sizeof dname, "%s.dat", slug);
  cfb_sb dat = {0}, extra = {0};
  cfb_sb_printf(&dat, "# %s best throughput against %s (%s)\n# %s thread ci_lo ci_hi process ci_lo ci_hi\n",
               s->workload, s->key, s->context, s->key);
  int geo = s->x[0] > 0 && s->x[s->n - 1] / s->x[0] >= 4;
  for (size_t i = 0; i < s->n; i++)
    cfb_sb_printf(&dat, "%.6g %.6g %.6g %.6g %.6g %.6g %.6g\n", s->x[i], s->thr[i],
                 or_median(s->thr_lo[i], s->thr[i]), or_median(s->thr_hi[i], s->thr[i]), s->prc[i],
                 or_median(s->prc_lo[i], s->prc[i]), or_median(s->prc_hi[i], s->prc[i]));
  double yhi = 0;
  for (size_t i = 0; i < s->n; i++)
    yhi = fmax(yhi, fmax(or_median(s->thr_hi[i], s->thr[i]), or_median(s->prc_hi[i], s->prc[i])));
  linear_tics(&extra, yhi);
  for (size_t i = 0; i < s->ncross; i++)
    cfb_sb_printf(&extra,
                 "set arrow %zu from %.4g, graph 0 to %.4g, graph 1 nohead ls 30\n"
                 "set label %zu '%s faster below, %s above %s ≈ %.3g%s' at %.4g, graph 0.97 "
                 "%s font ',10' tc rgb '#333333'\n",
                 i + 10, s->cross[i].x, s->cross[i].x, i + 10, cfb_backend_plural(s->cross[i].below),
                 cfb_backend_plural(s->cross[i].above), s->key, s->cross[i].x, s->unit, s->cross[i].x,
                 label_side(s->cross[i].x, s->x[0], s->x[s->n - 1], geo));
  char title[600], raw[600], xlabel[160], xmin[32], xmax[32];
  /* the same two-line title as the other plots: what, then the parameters */
  cfb_group tg;
  memset(&tg, 0, sizeof tg);
  tg.workload = s->workload;
  tg.params = s->context;
  snprintf(raw, sizeof raw, "threads vs processes against %s", s->key);
  title_of(&tg, raw, title, sizeof title);
  snprintf(raw, sizeof raw, "%s%s%s%s", s->key, s->unit[0] ? " (" : "", s->unit,
           s->unit[0] ? ")" : "");
  gp_quote(xlabel, sizeof xlabel, raw);
  if (geo) {
    snprintf(xmin, sizeof xmin, "%.4g", s->x[0] / 1.4);
    snprintf(xmax, sizeof xmax, "%.4g", s->x[s->n - 1] * 1.4);
  } else {
    double pad = (s->x[s->n - 1] - s->x[0]) * 0.05;
    snprintf(xmin, sizeof xmin, "%.4g", s->x[0] - pad);
    snprintf(xmax, sizeof xmax, "%.4g", s->x[s->n - 1] + pad);
  }
  field f[] = {{"TITLE", title},  {"MACHINE", c->machine},
               {"DATA", dname},   {"XLABEL", xlabel},
               {"XMIN", xmin},    {"XMAX", xmax},
               {"XSCALE", geo ? "set logscale x" : "unset logscale x"},
               {"EXTRA", cfb_sb_str(&extra)}};
  int rc = write_data(c, dname, &dat);
  if (!rc) rc = fill_template(c, "crossover_param.gp", slug, f, NFIELDS(f));
  if (!rc && (cfb_sb_failed(&dat) || cfb_sb_failed(&extra))) rc = 2;
  cfb_sb_free(&dat);
  cfb_sb_free(&extra);
  return rc;
}

/* The section "cfutures against CPython": thread/process ratios against
 * cpu_us, emulated and CPython's, with both crossovers (gil_fidelity). */
static int plot_gil_fidelity(plot_ctx *c, const cfb_an_fidelity *f) {
  double x[2 * CFB_AN_MAXV];
  size_t nx = 0;
  const cfb_curve *cv[2] = {f->have_emu ? &f->emu : NULL, &f->py};
  for (size_t k = 0; k < 2; k++) /* the union of both curves' x, sorted */
    for (size_t i = 0; cv[k] && i < cv[k]->n; i++) {
      size_t j = nx;
      while (j > 0 && x[j - 1] > cv[k]->x[i]) j--;
      if (j > 0 && x[j - 1] == cv[k]->x[i]) continue;
      memmove(x + j + 1, x + j, (nx - j) * sizeof *x);
      x[j] = cv[k]->x[i];
      nx++;
    }
  if (nx < 2 || !(x[0] > 0)) return 0;
  cfb_sb dat = {0}, extra = {0};
  cfb_sb_printf(&dat, "# mixed gil=on, %d worker%s: threads/processes throughput\n# cpu_us emulated cpython\n",
               f->workers, cfb_plural(f->workers));
  size_t nvalues = 0;
  for (size_t i = 0; i < nx; i++) {
    cfb_sb_printf(&dat, "%.6g", x[i]);
    for (size_t k = 0; k < 2; k++) {
      double r = NAN;
      for (size_t j = 0; cv[k] && j < cv[k]->n; j++)
        if (cv[k]->x[j] == x[i] && cv[k]->pair[j].ratio > 0) r = cv[k]->pair[j].ratio; /* paired, as the crossover */
      if (isfinite(r)) cfb_sb_printf(&dat, " %.6g", r), nvalues++;
      else cfb_sb_append(&dat, " ?");
    }
    cfb_sb_append(&dat, "\n");
  }
  if (nvalues == 0) { /* no paired ratio yet (e.g. one round): gnuplot would fail on an all-undefined plot */
    cfb_sb_free(&dat);
    return 0;
  }
  const double cx[2] = {f->emu_x, f->py_x};
  static const char *const who[2] = {"emulated", "CPython"};
  /* the x axis is logarithmic from x[0]/1.4 to x[nx-1]*1.4 */
  for (size_t k = 0; k < 2; k++)
    if (cx[k] > 0)
      cfb_sb_printf(&extra,
                   "set arrow %zu from %.4g, graph 0 to %.4g, graph 1 nohead ls 30\n"
                   "set label %zu '%s crossover ~ %.3g us' at %.4g, graph %.2f %s "
                   "font ',10' tc rgb '#333333'\n",
                   k + 10, cx[k], cx[k], k + 10, who[k], cx[k], cx[k], 0.95 - 0.06 * (double)k,
                   label_side(cx[k], x[0], x[nx - 1], 1));
  char title[600], raw[600], xmin[32], xmax[32];
  cfb_group tg;
  memset(&tg, 0, sizeof tg);
  tg.workload = "mixed";
  tg.params = f->py.context;
  snprintf(raw, sizeof raw, "GIL emulation against CPython, %d worker%s", f->workers, cfb_plural(f->workers));
  title_of(&tg, raw, title, sizeof title);
  snprintf(xmin, sizeof xmin, "%.4g", x[0] / 1.4);
  snprintf(xmax, sizeof xmax, "%.4g", x[nx - 1] * 1.4);
  field fl[] = {{"TITLE", title}, {"MACHINE", c->machine}, {"DATA", "gil_fidelity.dat"},
                {"XMIN", xmin},   {"XMAX", xmax},         {"EXTRA", cfb_sb_str(&extra)}};
  int rc = write_data(c, "gil_fidelity.dat", &dat);
  if (!rc) rc = fill_template(c, "gil_fidelity.gp", "gil_fidelity", fl, NFIELDS(fl));
  if (!rc && (cfb_sb_failed(&dat) || cfb_sb_failed(&extra))) rc = 2;
  cfb_sb_free(&dat);
  cfb_sb_free(&extra);
  return rc;
}

static int copy_style(plot_ctx *c) {
  char src[4200], dst[4200], *t;
  size_t len;
  snprintf(src, sizeof src, "%s/style.gp", c->tdir);
  if (cfb_read_file(src, &t, &len) != 0) {
    fprintf(stderr, "cfbench plot: cannot read %s: %s (set CFBENCH_PLOTS_DIR)\n", src,
            strerror(errno));
    return 2;
  }
  snprintf(dst, sizeof dst, "%s/style.gp", c->pdir);
  cfb_sb sb = {0};
  cfb_sb_appendn(&sb, t, len);
  free(t);
  int rc = cfb_sb_write_file(&sb, dst);
  cfb_sb_free(&sb);
  if (rc != 0) {
    fprintf(stderr, "cfbench plot: cannot write %s: %s\n", dst, strerror(errno));
    return 2;
  }
  return 0;
}

/* Run gnuplot on one script inside pdir, its output appended to log. */
static int render(const char *gnuplot, const char *pdir, const char *script) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (chdir(pdir) != 0) _exit(126);
    int fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execl(gnuplot, gnuplot, script, (char *)NULL);
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int cfb_plot_script(const char *pdir, const char *tname, const char *base, const cfb_plot_field *f,
                    size_t nf) {
  plot_ctx c;
  memset(&c, 0, sizeof c);
  snprintf(c.pdir, sizeof c.pdir, "%s", pdir);
  cfb_data_dir("CFBENCH_PLOTS_DIR", "plots", c.tdir, sizeof c.tdir);
  if (mkdir(c.pdir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "cfbench plot: cannot create %s: %s\n", c.pdir, strerror(errno));
    return 2;
  }
  int rc = copy_style(&c);
  if (!rc) rc = fill_template(&c, tname, base, f, nf);
  for (size_t i = 0; i < c.nscripts; i++) free(c.scripts[i]);
  free(c.scripts);
  return rc;
}

int cfb_plot_render_script(const char *pdir, const char *script) {
  char gp[4096];
  if (!find_gnuplot(gp, sizeof gp)) {
    fprintf(stderr, "cfbench plot: %s\n", CFB_PLOT_NO_GNUPLOT);
    return 1;
  }
  if (render(gp, pdir, script) != 0) {
    fprintf(stderr, "cfbench plot: gnuplot failed on %s/%s (see %s/gnuplot.log)\n", pdir, script, pdir);
    return 1;
  }
  return 0;
}

/* Every plot's data and script: per group, then per sweep, then the GIL
 * emulation's.  0, or the first failure's code. */
static int write_scripts(plot_ctx *c, const cfb_analysis *an, char (*slugs)[CFB_SLUG_MAX]) {
  const cfb_group *g = an->g;
  int rc = 0;
  for (size_t i = 0; i < an->ng && !rc; i++) {
    rc = plot_workers(c, &an->rs, &g[i], &an->wsweep[i], slugs[i]);
    if (!rc) rc = plot_chunks(c, &an->rs, &g[i], slugs[i]);
    if (!rc) rc = plot_map(c, an, &g[i], slugs[i]);
  }
  for (size_t i = 0; i < an->nsw && !rc; i++) rc = plot_sweep(c, &an->sw[i]);
  cfb_an_fidelity fid;
  if (!rc && cfb_an_gil_fidelity(an, &fid) == 0) rc = plot_gil_fidelity(c, &fid);
  return rc;
}

/* gnuplot renders every script written: 0, or 1 (no gnuplot, or it
 * failed on some: they are counted, the first named). */
static int render_all(const plot_ctx *c) {
  char gp[4096];
  if (!find_gnuplot(gp, sizeof gp)) {
    fprintf(stderr, "cfbench plot: %s\n", CFB_PLOT_NO_GNUPLOT);
    return 1;
  }
  char logp[4200];
  snprintf(logp, sizeof logp, "%s/gnuplot.log", c->pdir);
  remove(logp);
  size_t failed = 0;
  const char *first_failed = NULL;
  for (size_t i = 0; i < c->nscripts; i++) {
    if (render(gp, c->pdir, c->scripts[i]) != 0) {
      if (!failed) first_failed = c->scripts[i];
      failed++;
    }
  }
  if (failed) {
    fprintf(stderr, "cfbench plot: gnuplot failed on %zu of %zu script%s (first: %s/%s; see %s)\n",
            failed, c->nscripts, cfb_plural((long long)c->nscripts), c->pdir, first_failed, logp);
    return 1;
  }
  printf("cfbench plot: %zu plot%s (PNG and SVG) and %s script%s in %s/\n", c->nscripts,
         cfb_plural((long long)c->nscripts), c->nscripts == 1 ? "its" : "their", cfb_plural((long long)c->nscripts),
         c->pdir);
  return 0;
}

int cfb_plot_make(const char *dir) {
  plot_ctx c;
  memset(&c, 0, sizeof c);
  c.dir = dir;
  cfb_data_dir("CFBENCH_PLOTS_DIR", "plots", c.tdir, sizeof c.tdir);
  char err[512];
  cfb_analysis an;
  if (cfb_an_load(dir, &an, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench plot: %s\n", err);
    return 2;
  }
  const cfb_resultset *rs = &an.rs;
  const cfb_group *g = an.g;
  size_t ng = an.ng;
  char (*slugs)[CFB_SLUG_MAX] = NULL;
  int rc = 0;
  if (!(slugs = calloc(ng ? ng : 1, sizeof *slugs))) {
    fprintf(stderr, "cfbench plot: out of memory\n");
    rc = 2;
    goto out;
  }
  if (!ng) {
    fprintf(stderr, "cfbench plot: %s/summary.csv has no configurations\n", dir);
    rc = 2;
    goto out;
  }
  cfb_machine_line(&rs->machine, c.machine, sizeof c.machine);
  char q[256];
  gp_quote(q, sizeof q, c.machine);
  snprintf(c.machine, sizeof c.machine, "%s", q);
  snprintf(c.pdir, sizeof c.pdir, "%s/plots", dir);
  if (mkdir(c.pdir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "cfbench plot: cannot create %s: %s\n", c.pdir, strerror(errno));
    rc = 2;
    goto out;
  }
  if ((rc = copy_style(&c))) goto out;
  cfb_plot_slugs(g, ng, slugs);
  if (!(rc = write_scripts(&c, &an, slugs))) rc = render_all(&c);
out:
  for (size_t i = 0; i < c.nscripts; i++) free(c.scripts[i]);
  free(c.scripts);
  free(slugs);
  cfb_an_free(&an);
  return rc;
}

int cfb_cmd_plot(int argc, char **argv) {
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf("usage: cfbench plot DIR\n"
           "  Plots DIR/summary.csv into DIR/plots/ (PNG, SVG, and the gnuplot scripts).\n"
           "  CFBENCH_GNUPLOT: the gnuplot program; CFBENCH_PLOTS_DIR: the templates.\n");
    return 0;
  }
  /* bad input names what was wrong, as report's does */
  for (int i = 1; i < argc; i++)
    if (!strncmp(argv[i], "--", 2)) { /* an option this command lacks, not a directory named so */
      fprintf(stderr, "cfbench plot: unknown option '%s'; see cfbench plot --help\n", argv[i]);
      return 2;
    }
  if (argc != 2) {
    if (argc < 2) fprintf(stderr, "cfbench plot: no directory given; usage: cfbench plot DIR\n");
    else fprintf(stderr, "cfbench plot: one directory, not '%s' too\n", argv[2]);
    return 2;
  }
  return cfb_plot_make(argv[1]);
}
