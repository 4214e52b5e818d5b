/* SPDX-License-Identifier: MIT */
/* b2b2c programs: what its sources share (cli_programs.c opens the engine
 * and loads the files; the other actions live in their own sources). */
#ifndef CLI_PROGRAMS_H
#define CLI_PROGRAMS_H

#include "cli.h"

typedef struct ld {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    double scale; /* 10^minor digits */
    size_t dealers, points, lines;
} ld;

/* Open the engine and load --dealers, --points and --lines, in one
 * transaction group; --minor-digits sets l->scale. */
int cli_programs_open_load(ld *l, const cli_opt *opts);
void cli_programs_close(ld *l);
/* Set parameter `param` from option --name when given. */
int cli_programs_set_param(ld *l, const cli_opt *opts, const char *name,
                           int32_t param);
/* Money with at most log10(scale) decimals into whole minor units. */
int cli_programs_parse_money(const char *s, double scale, int64_t *out);

/* cli_programs_reorder.c: b2b2c programs reorders. */
int cli_programs_reorders(int argc, char **argv);

#endif
