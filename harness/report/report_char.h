/* report_char.h -- the report's section on the characterizations that
 * `cfbench bench` leaves in DIR/characterize/NAME/ (one per built-in
 * workload, charrule.h): what kind of workload each is and why, its
 * on-CPU fraction, the executor's cost per task, the recommended backend,
 * workers and chunksize, the fits and their plot. */
#ifndef CFB_REPORT_CHAR_H
#define CFB_REPORT_CHAR_H

#include "strbuf.h"

/* Append the section to md (Markdown) and html (HTML, images inlined),
 * one subsection per DIR/characterize/NAME/measure.json in name order.
 * Nothing is appended when DIR has no characterization; one that cannot
 * be analysed gets a line saying why.  Returns how many were reported. */
int cfb_report_characterizations(const char *dir, cfb_sb *md, cfb_sb *html);

#endif
