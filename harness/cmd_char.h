/* cmd_char.h -- `cfbench characterize` (characterize.c): measure a
 * workload with the run half, analyse it with the report half.  Returns
 * the exit code: 0 ok, 1 the work or an output failed, 2 bad input, 130
 * interrupted. */
#ifndef CFB_CMD_CHAR_H
#define CFB_CMD_CHAR_H

int cfb_cmd_characterize(int argc, char **argv);

#endif
