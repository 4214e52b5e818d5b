/* SPDX-License-Identifier: MIT */
/* b2b2c programs: what the subcommand's files share (cli_programs.c: load,
 * report, bonus; cli_programs_promo.c: promotion budgets;
 * cli_programs_reorder.c: the reorder due list). */
#ifndef B2B2C_CLI_PROGRAMS_H
#define B2B2C_CLI_PROGRAMS_H

#include "cli.h"

/* The engine opened for one command, with what it loaded. */
typedef struct cli_pg {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    double scale; /* 10^minor digits */
    size_t dealers, points, lines, budgets, claims;
} cli_pg;

/* Open the engine and load --dealers, --points, --lines and then what
 * `more` loads (NULL: nothing), in one transaction group. CLI_OK or an
 * exit code after printing why; cli_pg_close either way. */
int cli_pg_open(cli_pg *l, const cli_opt *opts,
                int (*more)(cli_pg *l, const cli_opt *opts));
void cli_pg_close(cli_pg *l);
/* The library's message for a row of c (PATH:LINE: message). */
int cli_pg_lib_error(const cli_csv *c, const cli_pg *l, int rc);
/* Check c's header for `names` (the first nreq required) into cols. */
int cli_pg_columns(cli_csv *c, const char *const *names, int nreq,
                   int *cols);
/* Money with at most the --minor-digits decimals into whole minor units. */
int cli_pg_money(const char *s, double scale, int64_t *out);
/* Set parameter `param` from option --name when given. */
int cli_pg_set_param(cli_pg *l, const cli_opt *opts, const char *name,
                     int32_t param);

/* cli_programs_reorder.c: b2b2c programs reorders. */
int cli_programs_reorders(int argc, char **argv);

/* b2b2c programs promo ... (argv[1] is "promo"). */
int cli_programs_promo(int argc, char **argv);
#define PROMO_USAGE                                                           \
    "promo: joint promotion budgets (market development funds)\n"            \
    "  b2b2c --db SPEC programs promo load [--budgets FILE.csv]\n"           \
    "    [--claims FILE.csv] [--dealers ...] [--points ...] [--lines ...]\n"  \
    "  b2b2c [--db SPEC] programs promo report [--by budget|promo|dealer]\n" \
    "    [--promo ID] [--dealer ID] [files as load] [--format csv|json]\n"   \
    "  b2b2c [--db SPEC] programs promo uplift --promo ID\n"                 \
    "    [--control ID,ID,...] [files as load] [--format csv|json]\n"        \
    "  budgets: promo_id,dealer_id,start,end,planned[,product_line]\n"       \
    "           the days [start, end) (end's day excluded), planned money\n" \
    "  claims:  claim_id,promo_id,dealer_id,amount,submitted[,approved]\n"   \
    "           [,rejected][,paid]: the dates of the steps taken (empty:\n"  \
    "           not taken), applied in that order\n"                         \
    "  A claim over the budget's remaining amount (pending claims count)\n"  \
    "  stops the load with PATH:LINE: amount: ..., exit 1, nothing kept.\n"  \
    "  report prints spend vs plan: promo_id,dealer_id,planned,submitted,\n" \
    "  approved,paid,rejected,spent,remaining,claims,budgets.\n"             \
    "  uplift prints per dealer of --promo: dealer_id,days,promo_units,\n"   \
    "  promo_amount,base_units,base_amount,lift,incr_units,incr_amount,\n"   \
    "  control_dealers,did_units,did_amount,spend,roi: sell-out in the\n"    \
    "  promotion's days against the same number of days just before, and\n" \
    "  with --control the difference in differences against those\n"        \
    "  dealers' mean. docs/programs.md, \"Joint promotion budgets\".\n"

#endif
