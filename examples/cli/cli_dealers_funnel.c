/* SPDX-License-Identifier: MIT */
/* b2b2c --db SPEC dealers funnel and dealers scorecards: the dealer-side
 * funnel of the offers made in a period (b2b2c_dealer_funnel) and the
 * dealers' scorecards (b2b2c_dealer_scorecards), from the database the
 * routing runs kept; dealers close (b2b2c_dealer_close_due). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

static const char *const cols[] = {
    "dealer_id", "offered", "open", "accepted", "declined", "expired",
    "recalled", "won", "lost", "accept_rate", "win_rate", "responses",
    "response_p50_hours", "response_p90_hours", "close_p50_days",
    "close_p90_days"};

static int row(const char *dealer_id, const double *f, size_t n, void *u)
{
    cli_table *t = u;
    (void)n;
    cli_table_str(t, dealer_id ? dealer_id : "(network)");
    for (int k = B2B2C_DEALER_FUNNEL_OFFERED; k <= B2B2C_DEALER_FUNNEL_LOST;
         k++)
        cli_table_num(t, f[k], CLI_COUNT);
    cli_table_num(t, f[B2B2C_DEALER_FUNNEL_ACCEPT_RATE], CLI_RATE);
    cli_table_num(t, f[B2B2C_DEALER_FUNNEL_WIN_RATE], CLI_RATE);
    cli_table_num(t, f[B2B2C_DEALER_FUNNEL_RESPONSES], CLI_COUNT);
    for (int k = B2B2C_DEALER_FUNNEL_RESPONSE_P50_HOURS;
         k <= B2B2C_DEALER_FUNNEL_CLOSE_P90_DAYS; k++)
        cli_table_num(t, f[k], CLI_RATE);
    return 0;
}

/* The shared part of funnel and scorecards: --from, --to and --format,
 * then the dealer engine on the --db database. 0 with *ctx and *e open,
 * or a CLI exit code after printing why (nothing left open). */
static int open_period(int argc, char **argv, const char *what,
                       b2b2c_ctx **ctx, b2b2c_dealer_engine **e,
                       int64_t *from, int64_t *to, int *json)
{
    cli_opt o[] = {{"from", NULL, 0}, {"to", NULL, 0}, {"format", NULL, 0},
                   {NULL, NULL, 0}};
    int rc;

    *from = INT64_MIN;
    *to = INT64_MAX;
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0 ||
        (rc = cli_format_parse(o, json)) != 0)
        return rc;
    if (!cli_db_given())
        return cli_usage_error("dealers %s: needs --db (the offers and "
                               "outcomes the routing runs kept)",
                               what);
    if (cli_opt_get(o, "from") && cli_parse_time(cli_opt_get(o, "from"), from))
        return cli_usage_error("--from: not a date: '%s'",
                               cli_opt_get(o, "from"));
    if (cli_opt_get(o, "to") && cli_parse_time(cli_opt_get(o, "to"), to))
        return cli_usage_error("--to: not a date: '%s'", cli_opt_get(o, "to"));
    if (*from > *to)
        return cli_usage_error("--from is after --to");
    if ((rc = cli_ctx_new(ctx)) != 0)
        return rc;
    if ((rc = b2b2c_dealer_new(e, *ctx)) != 0) {
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(*ctx),
                            b2b2c_strerror(rc));
        cli_ctx_free(*ctx);
        *ctx = NULL;
    }
    return rc;
}

int cli_dealers_funnel(int argc, char **argv)
{
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    int64_t from, to;
    cli_table t;
    int rc, json;

    if ((rc = open_period(argc, argv, "funnel", &ctx, &e, &from, &to,
                          &json)) != 0)
        return rc;
    cli_table_begin(&t, json, cols, sizeof(cols) / sizeof(cols[0]));
    if ((rc = b2b2c_dealer_funnel(e, from, to, row, &t)) != 0)
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(rc));
    else
        cli_table_end(&t);
    b2b2c_dealer_free(e);
    cli_ctx_free(ctx);
    return rc;
}

/* ---- scorecards ------------------------------------------------------------ */

static const char *const sc_cols[] = {
    "dealer_id", "offered", "accepted", "accept_rate", "median_accept_hours",
    "expired", "declined", "won", "lost", "conversion", "conv_mean",
    "conv_low", "conv_high", "revenue", "share_leads", "share_won", "rank",
    "gap_to_median", "owner_kept", "reg_submitted", "reg_approved",
    "reg_won", "reg_expired", "owner_lost", "service_jobs"};
/* each field's kind under the number rule (B2B2C_DEALER_SC_* order) */
static const int sc_kind[] = {
    CLI_COUNT, CLI_COUNT, CLI_RATE, CLI_RATE, CLI_COUNT, CLI_COUNT,
    CLI_COUNT, CLI_COUNT, CLI_RATE, CLI_RATE, CLI_RATE, CLI_RATE,
    CLI_MONEY, CLI_RATE, CLI_RATE, CLI_COUNT, CLI_RATE, CLI_COUNT,
    CLI_COUNT, CLI_COUNT, CLI_COUNT, CLI_COUNT, CLI_COUNT, CLI_COUNT};

static int sc_row(const char *dealer_id, const double *f, size_t n, void *u)
{
    cli_table *t = u;
    cli_table_str(t, dealer_id);
    for (size_t k = 0; k < sizeof(sc_kind) / sizeof(sc_kind[0]); k++)
        cli_table_num(t, k < n ? f[k] : NAN, sc_kind[k]);
    return 0;
}

int cli_dealers_scorecards(int argc, char **argv)
{
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    int64_t from, to;
    cli_table t;
    int rc, json;

    if ((rc = open_period(argc, argv, "scorecards", &ctx, &e, &from, &to,
                          &json)) != 0)
        return rc;
    cli_table_begin(&t, json, sc_cols, sizeof(sc_cols) / sizeof(sc_cols[0]));
    if ((rc = b2b2c_dealer_scorecards(e, from, to, sc_row, &t)) != 0)
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(rc));
    else
        cli_table_end(&t);
    b2b2c_dealer_free(e);
    cli_ctx_free(ctx);
    return rc;
}

/* dealers close: one bounded b2b2c_dealer_close_due call (cron-friendly);
 * prints closed,N. */
int cli_dealers_close(int argc, char **argv)
{
    cli_opt o[] = {{"at", NULL, 1}, {"max", NULL, 0}, {NULL, NULL, 0}};
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    const char *mx;
    int64_t at, max = 10000;
    size_t closed = 0;
    int rc;

    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0)
        return rc;
    if (!cli_db_given())
        return cli_usage_error("dealers close: needs --db (the routed "
                               "leads the routing runs kept)");
    if (cli_parse_time(cli_opt_get(o, "at"), &at))
        return cli_usage_error("--at: not a date: '%s'", cli_opt_get(o, "at"));
    mx = cli_opt_get(o, "max");
    if (mx && (cli_parse_int64(mx, &max) || max < 1))
        return cli_usage_error("--max: expected a whole number >= 1, not "
                               "'%s'",
                               mx);
    if ((rc = cli_ctx_new(&ctx)) != 0)
        return rc;
    if ((rc = b2b2c_dealer_new(&e, ctx)) != 0 ||
        (rc = b2b2c_dealer_close_due(&closed, e, at, (size_t)max)) != 0)
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(rc));
    else
        printf("closed\n%zu\n", closed);
    b2b2c_dealer_free(e);
    cli_ctx_free(ctx);
    return rc;
}
