/* SPDX-License-Identifier: MIT */
/* b2b2c programs: the dealer network's sell-in and sell-out (issue 17):
 * load dealers, points of sale and lines from CSV files into the --db
 * database, and the report per dealer or point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_programs.h"

static const char usage[] =
    "usage: b2b2c --db SPEC programs load [--dealers FILE.csv]\n"
    "         [--points FILE.csv] [--lines FILE.csv] [--minor-digits D]\n"
    "       b2b2c [--db SPEC] programs report --from DATE --to DATE\n"
    "         [--dealers FILE.csv] [--points FILE.csv] [--lines FILE.csv]\n"
    "         [--by dealer|point] [--product-line ID] [--trend-periods N]\n"
    "         [--stock-max-age DAYS] [--minor-digits D] [--format csv|json]\n"
    "       b2b2c [--db SPEC] programs bonus --program ID --now TIME\n"
    "         [--tiers THRESHOLD:RATE,...] [--basis amount|units]\n"
    "         [--mode retroactive|incremental] [--period quarter|year]\n"
    "         [--product-line ID] [--dealer ID] [--dealers FILE.csv]\n"
    "         [--points FILE.csv] [--lines FILE.csv] [--minor-digits D]\n"
    "         [--format csv|json]\n"
    "       b2b2c [--db SPEC] programs promo load|report|uplift ...\n"
    "         (joint promotion budgets: 'b2b2c programs promo help')\n"
    "       b2b2c [--db SPEC] programs reorders --now TIME [--window DAYS]\n"
    "         [--by dealer|point] [--product-line ID] [--min-orders N]\n"
    "         [--margin X] [--customers FILE.csv] [--dealers FILE.csv]\n"
    "         [--points FILE.csv] [--lines FILE.csv] [--minor-digits D]\n"
    "         [--format csv|json]\n"
    "\n"
    "Input files (header line required, columns in any order):\n"
    "  dealers: dealer_id,tier[,region]     tier 0..1000\n"
    "  points:  point_id,dealer_id\n"
    "  lines:   kind,point_id,product_line,time,units,amount\n"
    "           kind sell_in|sell_out|stock|return_in|return_out|\n"
    "           correction_in|correction_out; units whole; amount money with\n"
    "           at most --minor-digits decimals (default 2: 599.70), stored\n"
    "           as whole minor units; negative only for a correction.\n"
    "Files are read in that order (a point needs its dealer, a line its\n"
    "point), all in one transaction: a bad line stops the load with\n"
    "PATH:LINE: reason, exit 1, and nothing is kept.\n"
    "\n"
    "load keeps them in the --db database (a later load adds to them).\n"
    "report loads the files given (kept with --db, else in memory only) and\n"
    "prints one row per dealer (--by dealer, the default) or point over the\n"
    "days [--from, --to) (--to's day excluded): id,sell_in_units,\n"
    "sell_in_amount,sell_out_units,sell_out_amount,ly_sell_out_amount,\n"
    "growth,trend_slope,trend_relative,share,rank,rank_of,stock_units,\n"
    "stock_amount,days_of_stock,sell_through (sell-out net of returns and\n"
    "corrections; ly_ the same calendar days a year earlier; trend_slope\n"
    "the Theil-Sen slope of the sell-out amount over the last\n"
    "--trend-periods periods as long as the report's, per period; rank\n"
    "within the dealer's tier and region; empty when undefined).\n"
    "--stock-max-age: the oldest stock report used (days, default 90).\n"
    "--product-line: that line only.\n"
    "\n"
    "bonus defines the volume bonus program --program with --tiers (kept\n"
    "with --db; without --tiers the stored program is used) and prints each\n"
    "dealer's status at --now (or --dealer's only): dealer_id,volume,tier,\n"
    "next_threshold,gap,accrued,projected_volume,projected_tier,\n"
    "projected_bonus,elapsed_days,period_days. The volume is the dealer's\n"
    "net sell-in in the calendar --period (default quarter) to --now's day;\n"
    "--basis amount (default): thresholds are money, rates basis points;\n"
    "units: thresholds are units, rates money per unit. --mode retroactive\n"
    "(default: the tier reached pays on all the volume) or incremental\n"
    "(each tier on the volume inside it). Bonuses are floored to the minor\n"
    "unit per dealer; the projection carries the run rate to date to the\n"
    "period's end.\n"
    "\n"
    "reorders prints the reorder due list at --now: the dealers (or\n"
    "points) and, with --customers (customer_id,time,units,amount: a\n"
    "professional B2B customer's orders), the customers whose next order\n"
    "is due by --now + --window days (default 0), overdue ones included,\n"
    "most late first: kind,id,orders,last_order,median_interval,due,\n"
    "days_since,days_late,overdue,exceeded,expected_units,expected_amount.\n"
    "A dealer's order is a day with net sell-in; the next is due the median\n"
    "of its own intervals after the last (at least --min-orders orders,\n"
    "default 4); overdue past the median x (1 + --margin, default 0.5);\n"
    "exceeded: the share of its own intervals shorter than the wait.\n"
    "docs/programs.md.\n";

typedef cli_pg ld;

int cli_pg_lib_error(const cli_csv *c, const ld *l, int rc)
{
    const char *m = b2b2c_ctx_errmsg(l->ctx);
    return cli_csv_error(c, "%s", m && *m ? m : b2b2c_strerror(rc));
}

int cli_pg_columns(cli_csv *c, const char *const *names, int nreq,
                   int *cols)
{
    int n = 0;
    while (names[n])
        n++;
    if (cli_csv_known(c, names) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (i < nreq ? cli_csv_need(c, names[i], &cols[i]) != 0
                     : (cols[i] = cli_csv_col(c, names[i]), 0))
            return -1;
    return 0;
}

static int load_dealers(ld *l, const char *path)
{
    static const char *const names[] = {"dealer_id", "tier", "region", NULL};
    cli_csv c;
    int cols[3], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (cli_pg_columns(&c, names, 2, cols)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while (st == CLI_OK && (rc = cli_csv_next(&c)) == 1) {
        int64_t tier;
        if (cli_parse_int64(cli_csv_field(&c, cols[1]), &tier) ||
            tier < 0 || tier > 1000) {
            st = cli_csv_error(&c, "tier: not a whole number in 0..1000");
            break;
        }
        rc = b2b2c_programs_set_dealer(
            l->h, cli_csv_field(&c, cols[0]), (int32_t)tier,
            cols[2] >= 0 ? cli_csv_field(&c, cols[2]) : NULL);
        if (rc)
            st = cli_pg_lib_error(&c, l, rc);
        else
            l->dealers++;
    }
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

static int load_points(ld *l, const char *path)
{
    static const char *const names[] = {"point_id", "dealer_id", NULL};
    cli_csv c;
    int cols[2], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (cli_pg_columns(&c, names, 2, cols)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while (st == CLI_OK && (rc = cli_csv_next(&c)) == 1) {
        rc = b2b2c_programs_add_point(l->h, cli_csv_field(&c, cols[0]),
                                      cli_csv_field(&c, cols[1]));
        if (rc)
            st = cli_pg_lib_error(&c, l, rc);
        else
            l->points++;
    }
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

/* Lines go to the library in batches (one call each). */
#define BATCH 8192

typedef struct lbatch {
    int32_t kinds[BATCH];
    char *pts[BATCH], *lns[BATCH];
    int64_t ts[BATCH], us[BATCH], ms[BATCH];
    long line[BATCH];
    size_t n;
} lbatch;

static void batch_clear(lbatch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->pts[i]);
        free(b->lns[i]);
    }
    b->n = 0;
}

/* Send the batch; a failure names the file's line when the message names
 * the batch's index ("units[17]: ..."). */
static int batch_flush(ld *l, cli_csv *c, lbatch *b)
{
    const char *m, *br;
    size_t i;
    long keep;
    int rc;

    if (b->n == 0)
        return CLI_OK;
    rc = b2b2c_programs_record_batch(l->h, b->kinds,
                                     (const char *const *)b->pts,
                                     (const char *const *)b->lns, b->ts,
                                     b->us, b->ms, b->n);
    if (rc == 0) {
        l->lines += b->n;
        batch_clear(b);
        return CLI_OK;
    }
    m = b2b2c_ctx_errmsg(l->ctx);
    br = m ? strchr(m, '[') : NULL;
    keep = c->line;
    c->line = b->line[0];
    if (br && sscanf(br, "[%zu]", &i) == 1 && i < b->n)
        c->line = b->line[i];
    cli_pg_lib_error(c, l, rc);
    c->line = keep;
    batch_clear(b);
    return CLI_EDATA;
}

/* Money with at most `digits` decimals into whole minor units. */
int cli_pg_money(const char *s, double scale, int64_t *out)
{
    double v, m;
    if (cli_parse_double(s, &v))
        return -1;
    m = v * scale;
    if (!(fabs(m) <= 1e15) || fabs(m - nearbyint(m)) > 1e-6 * fmax(1, fabs(m)))
        return -1;
    *out = (int64_t)nearbyint(m);
    return 0;
}

static int load_lines(ld *l, const char *path)
{
    static const char *const names[] = {"kind", "point_id", "product_line",
                                        "time", "units", "amount", NULL};
    lbatch *b = calloc(1, sizeof(*b));
    cli_csv c;
    int cols[6], rc = 0, st = CLI_OK;

    if (!b)
        return cli_data_error("out of memory");
    if (cli_csv_open(&c, path)) {
        free(b);
        return CLI_EDATA;
    }
    if (cli_pg_columns(&c, names, 6, cols)) {
        cli_csv_close(&c);
        free(b);
        return CLI_EDATA;
    }
    while (st == CLI_OK && (rc = cli_csv_next(&c)) == 1) {
        size_t i = b->n;
        int32_t kind = b2b2c_programs_kind_from_name(
            cli_csv_field(&c, cols[0]));
        if (kind < 0) {
            st = cli_csv_error(&c, "kind: unknown '%s'",
                               cli_csv_field(&c, cols[0]));
            break;
        }
        if (cli_parse_time(cli_csv_field(&c, cols[3]), &b->ts[i])) {
            st = cli_csv_error(&c, "time: not a date or time");
            break;
        }
        if (cli_parse_int64(cli_csv_field(&c, cols[4]), &b->us[i])) {
            st = cli_csv_error(&c, "units: not a whole number");
            break;
        }
        if (cli_pg_money(cli_csv_field(&c, cols[5]), l->scale, &b->ms[i])) {
            st = cli_csv_error(&c, "amount: not money with at most "
                                   "--minor-digits decimals");
            break;
        }
        b->kinds[i] = kind;
        b->pts[i] = strdup(cli_csv_field(&c, cols[1]));
        b->lns[i] = strdup(cli_csv_field(&c, cols[2]));
        b->line[i] = c.line;
        b->n++;
        if (!b->pts[i] || !b->lns[i]) {
            st = cli_data_error("out of memory");
            break;
        }
        if (b->n == BATCH)
            st = batch_flush(l, &c, b);
    }
    if (rc < 0)
        st = CLI_EDATA;
    if (st == CLI_OK)
        st = batch_flush(l, &c, b);
    batch_clear(b);
    free(b);
    cli_csv_close(&c);
    return st;
}

/* Open the engine and load the files given, in one transaction group. */
int cli_pg_open(ld *l, const cli_opt *opts,
                int (*more)(ld *, const cli_opt *))
{
    const char *s = cli_opt_get(opts, "minor-digits");
    int64_t digits = 2;
    int st = CLI_OK, rc;

    if (s && (cli_parse_int64(s, &digits) || digits < 0 || digits > 6))
        return cli_usage_error("--minor-digits: a whole number in 0..6");
    l->scale = pow(10.0, (double)digits);
    if ((st = cli_ctx_new(&l->ctx)) != CLI_OK)
        return st;
    if ((rc = b2b2c_programs_new(&l->h, l->ctx)) != 0)
        return cli_data_error("programs: %s", b2b2c_ctx_errmsg(l->ctx));
    if ((rc = b2b2c_ctx_begin(l->ctx)) != 0)
        return cli_data_error("programs: %s", b2b2c_strerror(rc));
    if ((s = cli_opt_get(opts, "dealers")) != NULL)
        st = load_dealers(l, s);
    if (st == CLI_OK && (s = cli_opt_get(opts, "points")) != NULL)
        st = load_points(l, s);
    if (st == CLI_OK && (s = cli_opt_get(opts, "lines")) != NULL)
        st = load_lines(l, s);
    if (st == CLI_OK && more)
        st = more(l, opts);
    if (st != CLI_OK) {
        b2b2c_ctx_rollback(l->ctx);
        return st;
    }
    if ((rc = b2b2c_ctx_commit(l->ctx)) != 0)
        return cli_data_error("programs: %s", b2b2c_ctx_errmsg(l->ctx));
    return CLI_OK;
}

void cli_pg_close(ld *l)
{
    b2b2c_programs_free(l->h);
    cli_ctx_free(l->ctx);
}

static int load(int argc, char **argv)
{
    cli_opt opts[] = {{"dealers", NULL, 0}, {"points", NULL, 0},
                      {"lines", NULL, 0}, {"minor-digits", NULL, 0},
                      {NULL, NULL, 0}};
    ld l = {0};
    int st;

    if (cli_parse_opts(argc, argv, 2, opts))
        return CLI_EUSAGE;
    if (!cli_db_given())
        return cli_usage_error("programs load: needs --db (in memory "
                               "nothing would be kept)");
    st = cli_pg_open(&l, opts, NULL);
    if (st == CLI_OK)
        fprintf(stderr, "b2b2c: loaded %zu dealers, %zu points, %zu lines\n",
                l.dealers, l.points, l.lines);
    cli_pg_close(&l);
    return st;
}

/* The report's columns and how each is printed. */
static const char *const COLS[] = {
    "id",           "sell_in_units",   "sell_in_amount", "sell_out_units",
    "sell_out_amount", "ly_sell_out_amount", "growth",   "trend_slope",
    "trend_relative", "share",         "rank",           "rank_of",
    "stock_units",  "stock_amount",    "days_of_stock",  "sell_through"};
static const int KIND[] = {CLI_COUNT, CLI_MONEY, CLI_COUNT, CLI_MONEY,
                           CLI_MONEY, CLI_RATE,  CLI_MONEY, CLI_RATE,
                           CLI_RATE,  CLI_COUNT, CLI_COUNT, CLI_COUNT,
                           CLI_MONEY, CLI_RATE,  CLI_RATE};

typedef struct out {
    cli_table t;
    double scale;
} out;

static int print_row(const char *id, const double *f, size_t n, void *u)
{
    out *o = u;
    cli_table_str(&o->t, id);
    for (size_t i = 0; i < B2B2C_PROGRAMS_F_NFIELDS; i++) {
        double v = i < n ? f[i] : NAN;
        cli_table_num(&o->t, KIND[i] == CLI_MONEY ? v / o->scale : v,
                      KIND[i]);
    }
    return 0;
}

int cli_pg_set_param(ld *l, const cli_opt *opts, const char *name,
                           int32_t param)
{
    const char *s = cli_opt_get(opts, name);
    double v;
    if (!s)
        return CLI_OK;
    if (cli_parse_double(s, &v) || b2b2c_programs_set_param(l->h, param, v))
        return cli_usage_error("--%s: %s", name,
                               b2b2c_ctx_errmsg(l->ctx)[0]
                                   ? b2b2c_ctx_errmsg(l->ctx)
                                   : "not a number");
    return CLI_OK;
}

static int report(int argc, char **argv)
{
    cli_opt opts[] = {{"from", NULL, 1},          {"to", NULL, 1},
                      {"dealers", NULL, 0},       {"points", NULL, 0},
                      {"lines", NULL, 0},         {"by", NULL, 0},
                      {"product-line", NULL, 0},  {"trend-periods", NULL, 0},
                      {"stock-max-age", NULL, 0}, {"minor-digits", NULL, 0},
                      {"format", NULL, 0},        {NULL, NULL, 0}};
    const char *by;
    int64_t from, to;
    int32_t scope = B2B2C_PROGRAMS_BY_DEALER;
    ld l = {0};
    out o;
    int json, st, rc;

    if (cli_parse_opts(argc, argv, 2, opts) || cli_format_parse(opts, &json))
        return CLI_EUSAGE;
    if (cli_parse_time(cli_opt_get(opts, "from"), &from))
        return cli_usage_error("--from: not a date or time");
    if (cli_parse_time(cli_opt_get(opts, "to"), &to))
        return cli_usage_error("--to: not a date or time");
    by = cli_opt_get(opts, "by");
    if (by && strcmp(by, "point") == 0)
        scope = B2B2C_PROGRAMS_BY_POINT;
    else if (by && strcmp(by, "dealer") != 0)
        return cli_usage_error("--by: dealer or point, not '%s'", by);
    if ((st = cli_pg_open(&l, opts, NULL)) != CLI_OK ||
        (st = cli_pg_set_param(&l, opts, "trend-periods",
                        B2B2C_PROGRAMS_PARAM_TREND_PERIODS)) != CLI_OK ||
        (st = cli_pg_set_param(&l, opts, "stock-max-age",
                        B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS)) != CLI_OK) {
        cli_pg_close(&l);
        return st;
    }
    o.scale = l.scale;
    cli_table_begin(&o.t, json, COLS, sizeof(COLS) / sizeof(COLS[0]));
    rc = b2b2c_programs_report(l.h, scope,
                               cli_opt_get(opts, "product-line"), from, to,
                               print_row, &o);
    cli_table_end(&o.t);
    if (rc)
        st = cli_data_error("programs report: %s", b2b2c_ctx_errmsg(l.ctx));
    cli_pg_close(&l);
    return st;
}

/* ---- bonus ------------------------------------------------------------------ */

static const char *const BCOLS[] = {
    "dealer_id",        "volume",         "tier",
    "next_threshold",   "gap",            "accrued",
    "projected_volume", "projected_tier", "projected_bonus",
    "elapsed_days",     "period_days"};

typedef struct bout {
    cli_table t;
    double scale;
    int money; /* the volume is money (basis amount) */
} bout;

static void bonus_num(bout *o, int64_t v, int money)
{
    cli_table_num(&o->t, money ? (double)v / o->scale : (double)v,
                  money ? CLI_MONEY : CLI_COUNT);
}

static int bonus_row(const char *id, const int64_t *f, size_t n, void *u)
{
    bout *o = u;
    (void)n;
    cli_table_str(&o->t, id);
    bonus_num(o, f[B2B2C_PROGRAM_F_VOLUME], o->money);
    bonus_num(o, f[B2B2C_PROGRAM_F_TIER], 0);
    if (f[B2B2C_PROGRAM_F_NEXT_THRESHOLD] < 0)
        cli_table_num(&o->t, NAN, CLI_COUNT); /* at the top tier */
    else
        bonus_num(o, f[B2B2C_PROGRAM_F_NEXT_THRESHOLD], o->money);
    bonus_num(o, f[B2B2C_PROGRAM_F_GAP], o->money);
    bonus_num(o, f[B2B2C_PROGRAM_F_ACCRUED], 1);
    bonus_num(o, f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], o->money);
    bonus_num(o, f[B2B2C_PROGRAM_F_PROJECTED_TIER], 0);
    bonus_num(o, f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 1);
    bonus_num(o, f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 0);
    bonus_num(o, f[B2B2C_PROGRAM_F_PERIOD_DAYS], 0);
    return 0;
}

/* One word of a choice: its index in `words`, or -1. */
static int choice(const char *s, const char *const *words, int dflt)
{
    if (!s)
        return dflt;
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return i;
    return -1;
}

/* --tiers THRESHOLD:RATE,...: thresholds money (amount) or whole units,
 * rates whole basis points (amount) or money per unit (units). */
static int parse_tiers(const char *s, int money, double scale, int64_t *th,
                       int64_t *rt, size_t *n)
{
    char buf[32];
    *n = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        char *colon;
        if (len == 0 || len >= sizeof(buf) || *n == B2B2C_PROGRAM_TIERS_MAX)
            return -1;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (!(colon = strchr(buf, ':')))
            return -1;
        *colon = '\0';
        if (money ? cli_pg_money(buf, scale, &th[*n])
                  : cli_parse_int64(buf, &th[*n]))
            return -1;
        if (money ? cli_parse_int64(colon + 1, &rt[*n])
                  : cli_pg_money(colon + 1, scale, &rt[*n]))
            return -1;
        (*n)++;
        s += len;
        if (*s == ',')
            s++;
    }
    return *n ? 0 : -1;
}

static int bonus(int argc, char **argv)
{
    static const char *const BASES[] = {"units", "amount", NULL};
    static const char *const MODES[] = {"retroactive", "incremental", NULL};
    static const char *const PERIODS[] = {"quarter", "year", NULL};
    cli_opt opts[] = {{"program", NULL, 1},     {"now", NULL, 1},
                      {"tiers", NULL, 0},       {"basis", NULL, 0},
                      {"mode", NULL, 0},        {"period", NULL, 0},
                      {"product-line", NULL, 0}, {"dealer", NULL, 0},
                      {"dealers", NULL, 0},     {"points", NULL, 0},
                      {"lines", NULL, 0},       {"minor-digits", NULL, 0},
                      {"format", NULL, 0},      {NULL, NULL, 0}};
    int64_t now, th[B2B2C_PROGRAM_TIERS_MAX], rt[B2B2C_PROGRAM_TIERS_MAX];
    const char *prog, *tiers, *dealer;
    int basis, mode, period, json, st, rc;
    size_t n = 0;
    ld l = {0};
    bout o;

    if (cli_parse_opts(argc, argv, 2, opts) || cli_format_parse(opts, &json))
        return CLI_EUSAGE;
    prog = cli_opt_get(opts, "program");
    tiers = cli_opt_get(opts, "tiers");
    dealer = cli_opt_get(opts, "dealer");
    if (cli_parse_time(cli_opt_get(opts, "now"), &now))
        return cli_usage_error("--now: not a date or time");
    if ((basis = choice(cli_opt_get(opts, "basis"), BASES, 1)) < 0)
        return cli_usage_error("--basis: amount or units");
    if ((mode = choice(cli_opt_get(opts, "mode"), MODES, 0)) < 0)
        return cli_usage_error("--mode: retroactive or incremental");
    if ((period = choice(cli_opt_get(opts, "period"), PERIODS, 0)) < 0)
        return cli_usage_error("--period: quarter or year");
    if ((st = cli_pg_open(&l, opts, NULL)) != CLI_OK) {
        cli_pg_close(&l);
        return st;
    }
    if (tiers && parse_tiers(tiers, basis == B2B2C_PROGRAM_BASIS_AMOUNT,
                             l.scale, th, rt, &n)) {
        cli_pg_close(&l);
        return cli_usage_error("--tiers: THRESHOLD:RATE,... (at most %d; "
                               "rates whole basis points with --basis "
                               "amount, money per unit with units)",
                               B2B2C_PROGRAM_TIERS_MAX);
    }
    if (tiers && (rc = b2b2c_program_set(l.h, prog, basis, mode, period,
                                         cli_opt_get(opts, "product-line"),
                                         th, rt, n)) != 0) {
        st = cli_usage_error("--tiers: %s", b2b2c_ctx_errmsg(l.ctx));
        cli_pg_close(&l);
        return st;
    }
    o.scale = l.scale;
    o.money = basis == B2B2C_PROGRAM_BASIS_AMOUNT;
    cli_table_begin(&o.t, json, BCOLS, sizeof(BCOLS) / sizeof(BCOLS[0]));
    if (dealer) {
        int64_t f[B2B2C_PROGRAM_F_NFIELDS];
        rc = b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, l.h, prog,
                                  dealer, now);
        if (rc == 0)
            bonus_row(dealer, f, B2B2C_PROGRAM_F_NFIELDS, &o);
    } else {
        rc = b2b2c_program_status_list(l.h, prog, now, bonus_row, &o);
    }
    cli_table_end(&o.t);
    if (rc)
        st = cli_data_error("programs bonus: %s", b2b2c_ctx_errmsg(l.ctx));
    cli_pg_close(&l);
    return st;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("programs: load, report, bonus, promo or "
                               "reorders (try 'b2b2c help programs')");
    if (strcmp(argv[1], "load") == 0)
        return load(argc, argv);
    if (strcmp(argv[1], "report") == 0)
        return report(argc, argv);
    if (strcmp(argv[1], "bonus") == 0)
        return bonus(argc, argv);
    if (strcmp(argv[1], "promo") == 0)
        return cli_programs_promo(argc, argv);
    if (strcmp(argv[1], "reorders") == 0)
        return cli_programs_reorders(argc, argv);
    return cli_usage_error("programs: unknown action '%s'", argv[1]);
}

const cli_command cli_cmd_programs = {
    "programs", "dealer network: sell-in, sell-out, stock per point of sale",
    usage, run};
