/* ab_listing.h -- the expanded sweep as `cfbench ab` compares two
 * builds' (ab_listing.c): each side's `run --dry-run=tsv`, or an older
 * build's `run --dry-run` lines, reduced to one canonical row per
 * configuration, so a layout for people can change without ab telling
 * two builds of one sweep apart. */
#ifndef CFB_AB_LISTING_H
#define CFB_AB_LISTING_H

/* The configurations of a side's listing `text`, one line each
 * ("workload\tparams\tbackend\tworkers\tchunksize\tpin\tmode\titems\t
 * repeat\twarmup\tmax_time_s\n", fields as --dry-run=tsv escapes them),
 * the --ignore-param keys (comma-separated, NULL: none) taken out of the
 * params.  tsv: text is --dry-run=tsv's (its header row first); else an
 * older cfbench's --dry-run ("rounds R, N configurations", then
 * "W PARAMS BACKEND workers=.. chunksize=.. pin=.. [mode=..] items=..
 * repeat=.. warmup=.. max_time=..s"; keys it lacks are left empty).
 * malloc'd; NULL when text is not such a listing or out of memory. */
char *cfb_ab_listing_rows(const char *text, int tsv, const char *ignore);

/* The rows in a cfb_ab_listing_rows string. */
unsigned long cfb_ab_listing_count(const char *rows);

#endif
