/* history_plot.c -- `history plot`: one gnuplot trend per series
 * (history_cli.h): the median and 95% CI of each run over the history's
 * revisions, each change point a dashed red line labelled with its
 * magnitude.  The .dat and .gp files stay beside the PNG and SVG so users
 * can restyle and re-run them; colours follow plots/style.gp. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "history_cli.h"

/* "primes (range=1,100) thread w=1 c=1" -> "primes_range-1-100_thread_w-1_c-1". */
static void slug(const char *s, char *out, size_t len) {
  size_t o = 0;
  for (; *s && o + 1 < len; s++) {
    char c = *s;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.';
    char w = ok ? c : (c == ' ' ? '_' : '-');
    if (!ok && o && (out[o - 1] == '_' || out[o - 1] == '-')) continue;
    out[o++] = w;
  }
  while (o && (out[o - 1] == '_' || out[o - 1] == '-')) o--;
  out[o] = '\0';
}

/* gnuplot double-quoted string body. */
static void gp_str(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
}

static int write_dat(const char *path, const cfb_hist_series *s) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "# run median ci_lo ci_hi revision\n");
  for (size_t i = 0; i < s->n; i++)
    fprintf(f, "%zu %.9g %.9g %.9g \"%s\"\n", i + 1, s->pt[i].median, s->pt[i].ci_lo,
            s->pt[i].ci_hi, s->pt[i].revision);
  return fclose(f);
}

static int write_gp(const char *path, const char *name, const cfb_hist_series *s,
                    const char *metric) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "# %s.gp -- cfbench history trend (cfbench history plot)\n", name);
  fprintf(f, "set encoding utf8\nset grid ytics lc rgb '#dddddd'\nset border 3 lc rgb '#555555'\n"
             "set tics nomirror out scale 0.6\nset key outside right top box lc rgb '#cccccc'\n"
             "set offsets 0.5, 0.5, graph 0.1, graph 0.05\nset xtics rotate by -40 font ',9'\n");
  fprintf(f, "set title \"");
  gp_str(f, s->config);
  fprintf(f, "\\n");
  gp_str(f, s->machine);
  fprintf(f, "\" font ',13'\nset xlabel 'revision (history order)'\n");
  fprintf(f, "set ylabel '%s'\n", strcmp(metric, "cpu") ? "items/s" : "items per CPU-second");
  for (size_t k = 0; k < s->nch; k++) {
    double x = (double)s->ch[k].index + 0.5; /* between the last point before and the first after */
    fprintf(f, "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead dt 2 lw 1.5 lc rgb '#cb181d'\n",
            x, x);
    fprintf(f, "set label '%+.1f%%' at %.1f, graph 0.97 offset 0.4,0 tc rgb '#cb181d'\n",
            100 * s->ch[k].change, x);
  }
  fprintf(f, "p = \"plot '%s.dat' using 1:2:3:4:xtic(5) with yerrorlines lc rgb '#2171b5' lw 2 pt 7"
             " title 'median, 95%% CI'\"\n", name);
  fprintf(f, "set terminal pngcairo noenhanced size 1000,600 font 'Sans,11'\nset output '%s.png'\n"
             "eval p\n", name);
  fprintf(f, "set terminal svg noenhanced size 1000,600 dynamic font 'Sans,11'\n"
             "set output '%s.svg'\neval p\nset output\n", name);
  return fclose(f);
}

/* gnuplot on one script inside dir, its output appended to gnuplot.log. */
static int render(const char *dir, const char *script) {
  const char *e = getenv("CFBENCH_GNUPLOT");
  const char *gp = e && *e ? e : "gnuplot";
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = chdir(dir) == 0 ? open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    if (fd < 0) _exit(126);
    dup2(fd, 1), dup2(fd, 2), close(fd);
    execlp(gp, gp, script, (char *)NULL);
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int cfb_hist_plot_one(const cfb_hist_series *s, const char *dir, const char *name,
                      const char *metric) {
  char path[4400];
  snprintf(path, sizeof path, "%s/%s.dat", dir, name);
  int w = write_dat(path, s);
  snprintf(path, sizeof path, "%s/%s.gp", dir, name);
  if (w != 0 || write_gp(path, name, s, metric) != 0) return -1;
  snprintf(path, sizeof path, "%s.gp", name);
  int rc = render(dir, path);
  return rc == 0 ? 0 : rc == 127 ? 2 : 1;
}

void cfb_hist_plot_name(const cfb_hist_series *s, size_t i, char *out, size_t len) {
  char sl[160];
  slug(s->config, sl, sizeof sl);
  snprintf(out, len, "history_%03zu_%s", i + 1, sl);
}

int cfb_hist_plot(const cfb_hist_set *set, const char *dir, const char *metric) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "cfbench history plot: cannot create %s: %s\n", dir, strerror(errno));
    return 2;
  }
  size_t bad = 0, missing = 0;
  for (size_t i = 0; i < set->n && !missing; i++) {
    char name[200];
    cfb_hist_plot_name(&set->s[i], i, name, sizeof name);
    int rc = cfb_hist_plot_one(&set->s[i], dir, name, metric);
    if (rc < 0) {
      fprintf(stderr, "cfbench history plot: cannot write %s/%s.gp: %s\n", dir, name, strerror(errno));
      return 2;
    }
    missing = rc == 2;
    bad += rc != 0;
  }
  if (missing) {
    fprintf(stderr, "cfbench history plot: gnuplot not found: install it (apt-get install "
                    "gnuplot-nox) or set CFBENCH_GNUPLOT; scripts are in %s\n", dir);
    return 1;
  }
  if (bad) {
    fprintf(stderr, "cfbench history plot: gnuplot failed on %zu of %zu plot%s (see %s/gnuplot.log)\n",
            bad, set->n, cfb_plural((long long)set->n), dir);
    return 1;
  }
  printf("%zu trend plot%s in %s\n", set->n, cfb_plural(set->n), dir);
  return 0;
}
