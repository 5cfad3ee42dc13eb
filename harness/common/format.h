/* format.h -- how figures and names are written for people, the same in
 * the console, the plots and the report. */
#ifndef CFB_FORMAT_H
#define CFB_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* Room for any rate cfb_fmt_rate writes ("-1.23e+299G" and its NUL). */
#define CFB_RATE_LEN 16

/* A rate, 3 significant digits with a k/M/G suffix: 12300 -> "12.3k",
 * 0.5 -> "0.5"; "n/a" when not finite. */
void cfb_fmt_rate(double v, char *out, size_t len);

/* "" when n is 1, else "s": "%zu round%s", n, cfb_plural(n) -- every
 * count a person reads agrees with its noun ("1 round", "2 rounds"). */
const char *cfb_plural(long long n);

/* Why a pair is undecided when its rounds are too few for its look:
 * "5 rounds cannot reach the 95% level; needs >= 6" (level a fraction),
 * the same words in the run's output, the report and the map caption. */
void cfb_fmt_unreachable(char *out, size_t len, size_t rounds, double level, size_t needed);

/* "threads" / "processes" for a backend name (others unchanged). */
const char *cfb_backend_plural(const char *backend);

/* s cut to at most `cols` columns (UTF-8 characters count one each): if
 * it is longer, its first cols-1 characters and "…", never a silent cut.
 * out gets at most len-1 bytes. */
void cfb_fmt_fit(char *out, size_t len, const char *s, size_t cols);

/* Where to break s for a line of at most `room` columns: the bytes of
 * its first line -- up to the last blank (dropped by the caller) or
 * after the last ',' that fits; all of s when it fits; a word longer
 * than room stays whole (a path is not cut).  For wrapping text to a
 * terminal's width instead of letting the terminal break it anywhere. */
size_t cfb_fmt_break(const char *s, size_t room);

/* text and a newline on f, broken with cfb_fmt_break so that no line
 * passes cols - 1 columns, the lines after the first indented by indent. */
void cfb_fmt_print_wrapped(FILE *f, const char *text, size_t cols, size_t indent);
/* The same with the first line indented too, by first (a message under
 * a table row). */
void cfb_fmt_print_indented(FILE *f, const char *text, size_t cols, size_t first, size_t indent);

/* Columns s takes (UTF-8 characters; no wide characters assumed). */
size_t cfb_fmt_cols(const char *s);

/* Who wins a pair and by how much, for people: ratio = a/b with its CI
 * [lo, hi]; winner "a", "b", "equivalent" or anything else (undecided).
 * "process 1.9x faster [1.8, 2.0]" (the ratio inverted when b wins),
 * "equivalent (1.00x [0.98, 1.02])", "undecided (1.04x [0.91, 1.19])". */
void cfb_fmt_speedup(char *out, size_t len, const char *name_a, const char *name_b, const char *winner,
                     double ratio, double lo, double hi);

#endif
