/* SPDX-License-Identifier: MIT */
/* b2b2c demo generate: the parts in their own sources. */
#ifndef B2B2C_CLI_DEMO_H
#define B2B2C_CLI_DEMO_H

#include <stdint.h>

#include "b2b2c.h"

/* A dealer of the demo as the programs engine gets it; quality is its
 * hidden quality (the win factor), which moves its sales too. */
typedef struct cli_demo_dealer {
    const char *id, *region;
    int32_t tier;
    double quality;
} cli_demo_dealer;

/* The dealer network's sell-in, sell-out, stock and returns per point of
 * sale and product line over [start, start + days days), and the demo's
 * volume bonus programs (cli_demo_programs.c), from its own random stream
 * seeded by `seed`. *calls and *lines count what was sent. 0 or a CLI
 * error code (message printed). */
int cli_demo_programs(b2b2c_ctx *ctx, const cli_demo_dealer *dealers,
                      int n, uint64_t seed, int64_t start, int days,
                      long *calls, long *lines);

/* The ID of the demo's yearly volume bonus program (the report's default
 * --bonus-program). */
#define CLI_DEMO_BONUS_PROGRAM "volume-bonus"

#endif
