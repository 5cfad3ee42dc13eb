/* plot.h -- `cfbench plot DIR`: gnuplot scripts from the templates in
 * plots/, rendered to PNG and SVG in DIR/plots/, kept there (with their
 * .dat files and style.gp) so users can restyle and re-run them.  Shared
 * with report.c, which embeds the images. */
#ifndef CFB_PLOT_H
#define CFB_PLOT_H

#include <stddef.h>

#include "analysis.h"

#define CFB_SLUG_MAX 128

/* File-name stems, unique within a run: "mixed_cpu_us-10_io_us-1000".
 * out must hold ng entries. */
void cfb_plot_slugs(const cfb_group *g, size_t ng, char (*out)[CFB_SLUG_MAX]);
/* "mixed_cpu_us" (+ "_" context) for a parameter sweep. */
void cfb_plot_sweep_slug(const cfb_curve *s, char *out, size_t len);

/* The message printed when gnuplot is missing (one line, no newline). */
#define CFB_PLOT_NO_GNUPLOT \
  "gnuplot not found: install it (apt-get install gnuplot-nox) or set CFBENCH_GNUPLOT to its path"

/* One template field: @KEY@ in the template becomes val. */
typedef struct cfb_plot_field {
  const char *key; /* without the @s */
  const char *val;
} cfb_plot_field;

/* A gnuplot string expression for a plot's title into out: head on the
 * first line and params (which can be long; ", " between them) on a
 * second, smaller one -- one line of both ran off a 1000-pixel plot.
 * params NULL or "": head alone. */
void cfb_plot_title(const char *head, const char *params, char *out, size_t len);

/* Fill template `tname` (from plots/ or $CFBENCH_PLOTS_DIR) with f[0..nf)
 * (and @TEMPLATE@, @BASE@) into pdir/base.gp, with style.gp beside it;
 * pdir is made if missing.  0, or 2 (one line printed). */
int cfb_plot_script(const char *pdir, const char *tname, const char *base, const cfb_plot_field *f,
                    size_t nf);
/* Run gnuplot on pdir/script inside pdir (output appended to
 * pdir/gnuplot.log).  0, or 1 (gnuplot missing or failing: one line
 * printed). */
int cfb_plot_render_script(const char *pdir, const char *script);

/* Write DIR/plots/ (scripts, data, style.gp) and render every script.
 * Returns 0, 1 (gnuplot missing or failing: one line printed to stderr;
 * the scripts are written all the same), or 2 (bad input, line printed). */
int cfb_plot_make(const char *dir);

#endif
