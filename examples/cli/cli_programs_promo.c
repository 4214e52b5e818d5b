/* SPDX-License-Identifier: MIT */
/* b2b2c programs promo: joint promotion budgets (issue 17): load budgets
 * and claims (with their dated steps) from CSV files, print spend vs plan
 * per budget, promotion or dealer, and the promotion's uplift per dealer
 * against its own baseline and an optional control group. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_programs.h"

static int load_budgets(cli_pg *l, const char *path)
{
    static const char *const names[] = {"promo_id", "dealer_id", "start",
                                        "end",      "planned",   "product_line",
                                        NULL};
    cli_csv c;
    int cols[6], rc = 0, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (cli_pg_columns(&c, names, 5, cols)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while (st == CLI_OK && (rc = cli_csv_next(&c)) == 1) {
        int64_t start, end, planned;
        const char *line = cols[5] >= 0 ? cli_csv_field(&c, cols[5]) : "";
        if (cli_parse_time(cli_csv_field(&c, cols[2]), &start)) {
            st = cli_csv_error(&c, "start: not a date or time");
            break;
        }
        if (cli_parse_time(cli_csv_field(&c, cols[3]), &end)) {
            st = cli_csv_error(&c, "end: not a date or time");
            break;
        }
        if (cli_pg_money(cli_csv_field(&c, cols[4]), l->scale, &planned)) {
            st = cli_csv_error(&c, "planned: not money with at most "
                                   "--minor-digits decimals");
            break;
        }
        rc = b2b2c_promo_set(l->h, cli_csv_field(&c, cols[0]),
                             cli_csv_field(&c, cols[1]), start, end, planned,
                             *line ? line : NULL);
        if (rc)
            st = cli_pg_lib_error(&c, l, rc);
        else
            l->budgets++;
    }
    if (rc < 0 && st == CLI_OK)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

/* A claim's steps after its submission, in order. */
static const char *const STEPS[] = {"approved", "rejected", "paid"};
static const int32_t STEP_STATUS[] = {B2B2C_PROMO_APPROVED,
                                      B2B2C_PROMO_REJECTED, B2B2C_PROMO_PAID};

static int load_claims(cli_pg *l, const char *path)
{
    static const char *const names[] = {
        "claim_id", "promo_id", "dealer_id", "amount", "submitted",
        "approved", "rejected", "paid",      NULL};
    cli_csv c;
    int cols[8], rc = 0, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (cli_pg_columns(&c, names, 5, cols)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while (st == CLI_OK && (rc = cli_csv_next(&c)) == 1) {
        const char *id = cli_csv_field(&c, cols[0]);
        int64_t amount, t;
        if (cli_pg_money(cli_csv_field(&c, cols[3]), l->scale, &amount)) {
            st = cli_csv_error(&c, "amount: not money with at most "
                                   "--minor-digits decimals");
            break;
        }
        if (cli_parse_time(cli_csv_field(&c, cols[4]), &t)) {
            st = cli_csv_error(&c, "submitted: not a date or time");
            break;
        }
        if ((rc = b2b2c_promo_claim(l->h, id, cli_csv_field(&c, cols[1]),
                                    cli_csv_field(&c, cols[2]), amount,
                                    t)) != 0) {
            st = cli_pg_lib_error(&c, l, rc);
            break;
        }
        for (int k = 0; k < 3 && st == CLI_OK; k++) {
            const char *s = cols[5 + k] >= 0 ? cli_csv_field(&c, cols[5 + k])
                                             : "";
            if (!*s)
                continue;
            if (cli_parse_time(s, &t))
                st = cli_csv_error(&c, "%s: not a date or time", STEPS[k]);
            else if ((rc = b2b2c_promo_claim_status(l->h, id, STEP_STATUS[k],
                                                    t)) != 0)
                st = cli_pg_lib_error(&c, l, rc);
        }
        if (st == CLI_OK)
            l->claims++;
    }
    if (rc < 0 && st == CLI_OK)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

static int load_more(cli_pg *l, const cli_opt *opts)
{
    const char *s;
    int st = CLI_OK;
    if ((s = cli_opt_get(opts, "budgets")) != NULL)
        st = load_budgets(l, s);
    if (st == CLI_OK && (s = cli_opt_get(opts, "claims")) != NULL)
        st = load_claims(l, s);
    return st;
}

/* Every command's file options, then its own (NULL-terminated). */
#define FILE_OPTS                                                             \
    {"dealers", NULL, 0}, {"points", NULL, 0}, {"lines", NULL, 0},           \
        {"budgets", NULL, 0}, {"claims", NULL, 0}, {"minor-digits", NULL, 0}

static int load(int argc, char **argv)
{
    cli_opt opts[] = {FILE_OPTS, {NULL, NULL, 0}};
    cli_pg l = {0};
    int st;

    if (cli_parse_opts(argc, argv, 3, opts))
        return CLI_EUSAGE;
    if (!cli_db_given())
        return cli_usage_error("programs promo load: needs --db (in memory "
                               "nothing would be kept)");
    st = cli_pg_open(&l, opts, load_more);
    if (st == CLI_OK)
        fprintf(stderr, "b2b2c: loaded %zu budgets, %zu claims\n", l.budgets,
                l.claims);
    cli_pg_close(&l);
    return st;
}

/* ---- report: spend vs plan ----------------------------------------------------- */

static const char *const SCOLS[] = {"promo_id", "dealer_id", "planned",
                                    "submitted", "approved", "paid",
                                    "rejected", "spent", "remaining",
                                    "claims", "budgets"};

typedef struct out {
    cli_table t;
    double scale;
} out;

static int spend_row(const char *pid, const char *did, const int64_t *f,
                     size_t n, void *u)
{
    out *o = u;
    (void)n;
    cli_table_str(&o->t, pid); /* NULL in an aggregate: empty / null */
    cli_table_str(&o->t, did);
    for (int i = B2B2C_PROMO_S_PLANNED; i <= B2B2C_PROMO_S_REMAINING; i++)
        cli_table_num(&o->t, (double)f[i] / o->scale, CLI_MONEY);
    cli_table_num(&o->t, (double)f[B2B2C_PROMO_S_CLAIMS], CLI_COUNT);
    cli_table_num(&o->t, (double)f[B2B2C_PROMO_S_BUDGETS], CLI_COUNT);
    return 0;
}

static int report(int argc, char **argv)
{
    static const char *const BY[] = {"budget", "promo", "dealer", NULL};
    cli_opt opts[] = {FILE_OPTS,           {"by", NULL, 0},
                      {"promo", NULL, 0},  {"dealer", NULL, 0},
                      {"format", NULL, 0}, {NULL, NULL, 0}};
    const char *by;
    int32_t scope = B2B2C_PROMO_BY_BUDGET;
    cli_pg l = {0};
    out o;
    int json, st, rc;

    if (cli_parse_opts(argc, argv, 3, opts) || cli_format_parse(opts, &json))
        return CLI_EUSAGE;
    if ((by = cli_opt_get(opts, "by")) != NULL) {
        for (scope = 0; BY[scope] && strcmp(BY[scope], by) != 0; scope++)
            ;
        if (!BY[scope])
            return cli_usage_error("--by: budget, promo or dealer, not '%s'",
                                   by);
    }
    if ((st = cli_pg_open(&l, opts, load_more)) != CLI_OK) {
        cli_pg_close(&l);
        return st;
    }
    o.scale = l.scale;
    cli_table_begin(&o.t, json, SCOLS, sizeof(SCOLS) / sizeof(SCOLS[0]));
    rc = b2b2c_promo_spend_list(l.h, scope, cli_opt_get(opts, "promo"),
                                cli_opt_get(opts, "dealer"), spend_row, &o);
    cli_table_end(&o.t);
    if (rc)
        st = cli_data_error("programs promo report: %s",
                            b2b2c_ctx_errmsg(l.ctx));
    cli_pg_close(&l);
    return st;
}

/* ---- uplift -------------------------------------------------------------------- */

static const char *const UCOLS[] = {
    "dealer_id",  "days",       "promo_units",     "promo_amount",
    "base_units", "base_amount", "lift",           "incr_units",
    "incr_amount", "control_dealers", "did_units", "did_amount",
    "spend",      "roi"};
/* The uplift fields printed after the ID, and how. */
static const int UFIELD[] = {
    B2B2C_PROMO_U_DAYS,        B2B2C_PROMO_U_PROMO_UNITS,
    B2B2C_PROMO_U_PROMO_AMOUNT, B2B2C_PROMO_U_BASE_UNITS,
    B2B2C_PROMO_U_BASE_AMOUNT, B2B2C_PROMO_U_LIFT,
    B2B2C_PROMO_U_INCR_UNITS,  B2B2C_PROMO_U_INCR_AMOUNT,
    B2B2C_PROMO_U_CONTROL_DEALERS, B2B2C_PROMO_U_DID_UNITS,
    B2B2C_PROMO_U_DID_AMOUNT,  B2B2C_PROMO_U_SPEND,
    B2B2C_PROMO_U_ROI};
static const int UKIND[] = {CLI_COUNT, CLI_COUNT, CLI_MONEY, CLI_COUNT,
                            CLI_MONEY, CLI_RATE,  CLI_COUNT, CLI_MONEY,
                            CLI_COUNT, CLI_RATE,  CLI_MONEY, CLI_MONEY,
                            CLI_RATE};

static int uplift_row(const char *id, const double *f, size_t n, void *u)
{
    out *o = u;
    cli_table_str(&o->t, id);
    for (size_t i = 0; i < sizeof(UFIELD) / sizeof(UFIELD[0]); i++) {
        double v = (size_t)UFIELD[i] < n ? f[UFIELD[i]] : NAN;
        cli_table_num(&o->t, UKIND[i] == CLI_MONEY ? v / o->scale : v,
                      UKIND[i]);
    }
    return 0;
}

/* --control A,B,C into ids (pointing into buf, a copy of s). */
static int split_ids(const char *s, char **buf, const char ***ids, size_t *n)
{
    size_t cap = 1;
    char *p;
    *n = 0;
    for (const char *q = s; *q; q++)
        cap += *q == ',';
    if (!(*buf = strdup(s)) || !(*ids = calloc(cap, sizeof(**ids))))
        return -1;
    for (p = strtok(*buf, ","); p; p = strtok(NULL, ","))
        (*ids)[(*n)++] = p;
    return 0;
}

static int uplift(int argc, char **argv)
{
    cli_opt opts[] = {FILE_OPTS,            {"promo", NULL, 1},
                      {"control", NULL, 0}, {"format", NULL, 0},
                      {NULL, NULL, 0}};
    const char *ctl = NULL, **ids = NULL;
    char *buf = NULL;
    size_t nids = 0;
    cli_pg l = {0};
    out o;
    int json, st, rc;

    if (cli_parse_opts(argc, argv, 3, opts) || cli_format_parse(opts, &json))
        return CLI_EUSAGE;
    if ((ctl = cli_opt_get(opts, "control")) != NULL &&
        split_ids(ctl, &buf, &ids, &nids)) {
        free(buf);
        free(ids);
        return cli_data_error("out of memory");
    }
    if ((st = cli_pg_open(&l, opts, load_more)) == CLI_OK) {
        o.scale = l.scale;
        cli_table_begin(&o.t, json, UCOLS, sizeof(UCOLS) / sizeof(UCOLS[0]));
        rc = b2b2c_promo_uplift_list(l.h, cli_opt_get(opts, "promo"), ids,
                                     nids, uplift_row, &o);
        cli_table_end(&o.t);
        if (rc)
            st = cli_data_error("programs promo uplift: %s",
                                b2b2c_ctx_errmsg(l.ctx));
    }
    cli_pg_close(&l);
    free(buf);
    free(ids);
    return st;
}

int cli_programs_promo(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[2], "help") == 0) {
        fputs(PROMO_USAGE, stdout);
        return CLI_OK;
    }
    if (argc < 3)
        return cli_usage_error("programs promo: load, report or uplift (try "
                               "'b2b2c programs promo help')");
    if (strcmp(argv[2], "load") == 0)
        return load(argc, argv);
    if (strcmp(argv[2], "report") == 0)
        return report(argc, argv);
    if (strcmp(argv[2], "uplift") == 0)
        return uplift(argc, argv);
    return cli_usage_error("programs promo: unknown action '%s'", argv[2]);
}
