/* report_section.h -- what a section of `cfbench report` kept in its own
 * file writes through: report.c's writer of report.md and report.html as a
 * table of functions, so the section formats each piece once for both
 * documents and knows nothing else of report.c. */
#ifndef CFB_REPORT_SECTION_H
#define CFB_REPORT_SECTION_H

typedef struct cfb_rep_out {
  void *doc; /* report.c's writer, passed back to every function */
  void (*heading)(void *doc, int level, const char *text);
  void (*para)(void *doc, const char *text);
  void (*list_begin)(void *doc);
  void (*list_item)(void *doc, const char *text);
  void (*list_end)(void *doc);
  /* DIR/plots/NAME.png, if it exists: linked in Markdown, inlined in HTML. */
  void (*image)(void *doc, const char *name, const char *alt);
} cfb_rep_out;

#endif
