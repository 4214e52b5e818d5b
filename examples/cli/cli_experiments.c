/* SPDX-License-Identifier: MIT */
/* b2b2c experiments: the report of an A/B test from a CSV file of daily
 * rows, and the sample-size planner. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: b2b2c experiments report --data FILE.csv [--format csv|json]\n"
    "         [--control VARIANT] [--split NAME=W,NAME=W...] [--alpha A]\n"
    "         [--tau2 T]\n"
    "       b2b2c experiments plan --base-rate R --mde M [--alpha A]\n"
    "         [--power P] [--variants K] [--daily N]\n"
    "\n"
    "report reads daily rows (header line required, columns in any order):\n"
    "  variant,day,exposures,conversions,revenue[,revenue_sq]\n"
    "day is YYYY-MM-DD (or a time, or Unix seconds); revenue the day's sum\n"
    "over visitors, revenue_sq the sum of each visitor's revenue squared\n"
    "(without it the revenue-per-visitor intervals are left empty). The\n"
    "control is --control, else the first variant of the file. --split gives\n"
    "the planned shares for the sample-ratio check (weights, 90/10 as\n"
    "control=9,new=1; every variant of the file named), else the split is\n"
    "equal. Rows may come in any order; a variant's rows of one day add up.\n"
    "\n"
    "CSV: one row per variant, in name order: variant,control,exposures,\n"
    "conversions,rate,p_best,expected_loss,uplift,uplift_lo,uplift_hi,diff,\n"
    "diff_lo,diff_hi,p_value,seq_p_value,rpv,rpv_diff_lo,rpv_diff_hi,\n"
    "rpv_p_better (empty when undefined); the sample-ratio check and a\n"
    "verdict go to stderr. JSON: {\"variants\": [...], \"srm\": {...},\n"
    "\"verdict\": \"...\"}. Decisions use the always-valid p-value\n"
    "(seq_p_value), safe however often the report is run; p_value is for a\n"
    "single look at a sample size fixed in advance. docs/experiments.md.\n"
    "\n"
    "plan prints n_per_variant,days for a two-sided z-test that detects a\n"
    "relative change --mde of --base-rate (defaults: alpha 0.05, power 0.8,\n"
    "2 variants, --daily visitors over all variants 1000).\n";

typedef struct row {
    size_t var; /* index into the names */
    int64_t t;
    int64_t n, x;
    double rev, rev2;
    long line;
} row;

typedef struct data {
    row *rows;
    size_t nrows, caprows;
    char **names;
    size_t nnames, capnames;
    int has_sq;
} data;

static void data_free(data *d)
{
    for (size_t i = 0; i < d->nnames; i++)
        free(d->names[i]);
    free(d->names);
    free(d->rows);
}

static long name_index(data *d, const char *s)
{
    for (size_t i = 0; i < d->nnames; i++)
        if (strcmp(d->names[i], s) == 0)
            return (long)i;
    if (cli_grow((void **)&d->names, &d->capnames, d->nnames + 1,
             sizeof(*d->names)))
        return -1;
    if (!(d->names[d->nnames] = strdup(s)))
        return -1;
    return (long)d->nnames++;
}

static const cli_colname COLS[] = {
    {"variant", {NULL, NULL}},     {"day", {"date", NULL}},
    {"exposures", {"visitors", NULL}}, {"conversions", {NULL, NULL}},
    {"revenue", {NULL, NULL}},     {"revenue_sq", {NULL, NULL}},
    {NULL, {NULL, NULL}}};

static int read_data(data *d, const char *path, const char *control)
{
    cli_csv c;
    int col[6], rc;

    if (control && name_index(d, control) < 0)
        return cli_data_error("out of memory");
    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (cli_csv_check_columns(&c, COLS, -1)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    for (int i = 0; i < 6; i++) {
        col[i] = cli_csv_col_named(&c, &COLS[i]);
        if (col[i] < 0 && i < 5) {
            c.line = 1;
            rc = cli_csv_error(&c, "missing column '%s'", COLS[i].name);
            cli_csv_close(&c);
            return rc;
        }
    }
    d->has_sq = col[5] >= 0;
    while ((rc = cli_csv_next(&c)) == 1) {
        row r;
        long vi;
        const char *f;
        memset(&r, 0, sizeof(r));
        r.line = c.line;
        if (cli_parse_time((f = cli_csv_field(&c, col[1])), &r.t))
            rc = cli_csv_error(&c, "day: not a date or time '%s'", f);
        else if (cli_parse_int64((f = cli_csv_field(&c, col[2])), &r.n))
            rc = cli_csv_error(&c, "exposures: not a whole number '%s'", f);
        else if (cli_parse_int64((f = cli_csv_field(&c, col[3])), &r.x))
            rc = cli_csv_error(&c, "conversions: not a whole number '%s'", f);
        else if (cli_parse_double((f = cli_csv_field(&c, col[4])), &r.rev))
            rc = cli_csv_error(&c, "revenue: not a finite number '%s'", f);
        else if (d->has_sq &&
                 cli_parse_double((f = cli_csv_field(&c, col[5])), &r.rev2))
            rc = cli_csv_error(&c, "revenue_sq: not a finite number '%s'", f);
        else
            rc = 0;
        if (rc)
            break;
        /* without revenue_sq: the smallest sum of squares the revenue
         * allows (its intervals are not printed) */
        if (!d->has_sq)
            r.rev2 = r.n > 0 ? r.rev * r.rev / (double)r.n : 0.0;
        if ((vi = name_index(d, cli_csv_field(&c, col[0]))) < 0 ||
            cli_grow((void **)&d->rows, &d->caprows, d->nrows + 1,
                 sizeof(*d->rows))) {
            rc = cli_data_error("out of memory");
            break;
        }
        r.var = (size_t)vi;
        d->rows[d->nrows++] = r;
    }
    if (rc < 0)
        rc = CLI_EDATA;
    cli_csv_close(&c);
    return rc;
}

/* Rows in time order, file order among equal times (stable). */
static int cmp_row(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* ---- output ---- */

typedef struct out {
    int json, has_sq, first;
    double alpha;
    /* the verdict: the variant with the smallest always-valid p */
    char best[256];
    double best_p, best_diff, best_pbest;
} out;

static void num(double v, int json)
{
    if (isnan(v))
        fputs(json ? "null" : "", stdout);
    else
        printf("%.6g", v);
}

static const struct {
    const char *name;
    int field;
    int rpv; /* needs revenue_sq */
} FIELDS[] = {
    {"exposures", B2B2C_EXPERIMENT_F_EXPOSURES, 0},
    {"conversions", B2B2C_EXPERIMENT_F_CONVERSIONS, 0},
    {"rate", B2B2C_EXPERIMENT_F_RATE, 0},
    {"p_best", B2B2C_EXPERIMENT_F_P_BEST, 0},
    {"expected_loss", B2B2C_EXPERIMENT_F_EXPECTED_LOSS, 0},
    {"uplift", B2B2C_EXPERIMENT_F_UPLIFT, 0},
    {"uplift_lo", B2B2C_EXPERIMENT_F_UPLIFT_LO, 0},
    {"uplift_hi", B2B2C_EXPERIMENT_F_UPLIFT_HI, 0},
    {"diff", B2B2C_EXPERIMENT_F_DIFF, 0},
    {"diff_lo", B2B2C_EXPERIMENT_F_DIFF_LO, 0},
    {"diff_hi", B2B2C_EXPERIMENT_F_DIFF_HI, 0},
    {"p_value", B2B2C_EXPERIMENT_F_P_VALUE, 0},
    {"seq_p_value", B2B2C_EXPERIMENT_F_SEQ_P_VALUE, 0},
    {"rpv", B2B2C_EXPERIMENT_F_RPV, 0},
    {"rpv_diff_lo", B2B2C_EXPERIMENT_F_RPV_DIFF_LO, 1},
    {"rpv_diff_hi", B2B2C_EXPERIMENT_F_RPV_DIFF_HI, 1},
    {"rpv_p_better", B2B2C_EXPERIMENT_F_RPV_P_BETTER, 1},
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static int print_variant(const char *variant, const double *f, size_t nf,
                         void *u)
{
    out *o = u;
    int ctl = f[B2B2C_EXPERIMENT_F_IS_CONTROL] != 0;
    (void)nf;
    if (o->json) {
        fputs(o->first ? "\n    {\"variant\": " : ",\n    {\"variant\": ",
              stdout);
        json_str(variant);
        printf(", \"control\": %s", ctl ? "true" : "false");
    } else {
        cli_put_field(variant);
        printf(",%d", ctl);
    }
    o->first = 0;
    for (size_t i = 0; i < NFIELDS; i++) {
        double v = f[FIELDS[i].field];
        if (FIELDS[i].rpv && !o->has_sq)
            v = NAN;
        if (o->json)
            printf(", \"%s\": ", FIELDS[i].name);
        else
            putchar(',');
        num(v, o->json);
    }
    fputs(o->json ? "}" : "\n", stdout);
    if (!ctl && f[B2B2C_EXPERIMENT_F_SEQ_P_VALUE] < o->best_p) {
        snprintf(o->best, sizeof(o->best), "%s", variant);
        o->best_p = f[B2B2C_EXPERIMENT_F_SEQ_P_VALUE];
        o->best_diff = f[B2B2C_EXPERIMENT_F_DIFF];
        o->best_pbest = f[B2B2C_EXPERIMENT_F_P_BEST];
    }
    return 0;
}

static void verdict(char *buf, size_t cap, const out *o, const char *control,
                    double srm_p)
{
    if (srm_p < 0.001)
        snprintf(buf, cap,
                 "sample ratio mismatch (p %.3g): the split is broken, fix "
                 "it before reading the figures",
                 srm_p);
    else if (o->best[0] && o->best_p < o->alpha)
        snprintf(buf, cap,
                 "'%s' %s '%s' (always-valid p %.3g < %g; P(best) %.3f)",
                 o->best, o->best_diff > 0 ? "beats" : "loses to", control,
                 o->best_p, o->alpha, o->best_pbest);
    else
        snprintf(buf, cap,
                 "no decision yet (smallest always-valid p %.3g >= %g)",
                 o->best[0] ? o->best_p : 1.0, o->alpha);
}

/* --split NAME=W,NAME=W...: the weight of each variant of the file into
 * w[] (indexed like d->names); every variant named once. */
static int parse_split(const data *d, const char *spec, double *w)
{
    char *copy = strdup(spec), *save = NULL, *tok;
    size_t named = 0;
    int st = CLI_OK;
    if (!copy)
        return cli_data_error("out of memory");
    for (size_t i = 0; i < d->nnames; i++)
        w[i] = NAN;
    for (tok = strtok_r(copy, ",", &save); tok && st == CLI_OK;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strrchr(tok, '=');
        size_t i;
        double v;
        if (!eq || cli_parse_double(eq + 1, &v)) {
            st = cli_usage_error("--split: not NAME=WEIGHT: '%s'", tok);
            break;
        }
        *eq = '\0';
        for (i = 0; i < d->nnames && strcmp(d->names[i], tok) != 0; i++)
            ;
        if (i == d->nnames)
            st = cli_usage_error("--split: no variant '%s' in the data", tok);
        else if (!isnan(w[i]))
            st = cli_usage_error("--split: '%s' named twice", tok);
        else {
            w[i] = v;
            named++;
        }
    }
    if (st == CLI_OK && named != d->nnames)
        st = cli_usage_error("--split: name every variant of the data "
                             "(%zu of %zu named)",
                             named, d->nnames);
    free(copy);
    return st;
}

static int report(int argc, char **argv)
{
    cli_opt opts[] = {{"data", NULL, 1},  {"format", NULL, 0},
                      {"control", NULL, 0}, {"split", NULL, 0},
                      {"alpha", NULL, 0}, {"tau2", NULL, 0},
                      {NULL, NULL, 0}};
    const char *fmt, *ctl, *split;
    double *w = NULL;
    b2b2c_ctx *ctx = NULL;
    b2b2c_experiment *e = NULL;
    data d;
    out o;
    double chi2 = NAN, srm_p = NAN;
    char vd[512];
    int rc, st = CLI_OK;

    if (cli_parse_opts(argc, argv, 2, opts))
        return CLI_EUSAGE;
    fmt = cli_opt_get(opts, "format");
    if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)
        return cli_usage_error("--format: csv or json, not '%s'", fmt);
    memset(&d, 0, sizeof(d));
    memset(&o, 0, sizeof(o));
    o.json = fmt && strcmp(fmt, "json") == 0;
    o.first = 1;
    o.best_p = INFINITY;
    ctl = cli_opt_get(opts, "control");
    if ((st = read_data(&d, cli_opt_get(opts, "data"), ctl)) != CLI_OK)
        goto done;
    if (b2b2c_ctx_new(&ctx, NULL, NULL) || b2b2c_experiment_new(&e, ctx)) {
        st = cli_data_error("out of memory");
        goto done;
    }
    {
        static const char *const pn[2] = {"alpha", "tau2"};
        static const int32_t pv[2] = {B2B2C_EXPERIMENT_ALPHA,
                                      B2B2C_EXPERIMENT_MSPRT_TAU2};
        for (int i = 0; i < 2; i++) {
            const char *s = cli_opt_get(opts, pn[i]);
            double v;
            if (!s)
                continue;
            if (cli_parse_double(s, &v)) {
                st = cli_usage_error("--%s: not a number '%s'", pn[i], s);
                goto done;
            }
            if (b2b2c_experiment_set_param(e, pv[i], v)) {
                st = cli_usage_error("--%s: %s", pn[i], b2b2c_ctx_errmsg(ctx));
                goto done;
            }
        }
    }
    b2b2c_experiment_get_param(&o.alpha, e, B2B2C_EXPERIMENT_ALPHA);
    o.has_sq = d.has_sq;
    if (!(w = malloc((d.nnames ? d.nnames : 1) * sizeof(*w)))) {
        st = cli_data_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < d.nnames; i++)
        w[i] = 1.0;
    split = cli_opt_get(opts, "split");
    if (split && (st = parse_split(&d, split, w)) != CLI_OK)
        goto done;
    for (size_t i = 0; i < d.nnames; i++)
        if ((rc = b2b2c_experiment_add_variant(e, d.names[i], w[i])) != 0) {
            st = cli_data_error("%s: variant '%s': %s",
                                cli_opt_get(opts, "data"), d.names[i],
                                b2b2c_ctx_errmsg(ctx));
            goto done;
        }
    if (d.nrows > 1)
        qsort(d.rows, d.nrows, sizeof(*d.rows), cmp_row);
    for (size_t i = 0; i < d.nrows; i++) {
        const row *r = &d.rows[i];
        if ((rc = b2b2c_experiment_add_day(e, d.names[r->var], r->t, r->n,
                                           r->x, r->rev, r->rev2)) != 0) {
            st = cli_data_error("%s:%ld: %s", cli_opt_get(opts, "data"),
                                r->line, b2b2c_ctx_errmsg(ctx));
            goto done;
        }
    }
    if (d.nnames < 2) {
        st = cli_data_error("%s: %zu variant(s); a report needs two",
                            cli_opt_get(opts, "data"), d.nnames);
        goto done;
    }
    if (b2b2c_experiment_srm(&chi2, &srm_p, e) != 0)
        chi2 = srm_p = NAN; /* no exposures at all */
    if (o.json)
        fputs("{\"variants\": [", stdout);
    else
        puts("variant,control,exposures,conversions,rate,p_best,"
             "expected_loss,uplift,uplift_lo,uplift_hi,diff,diff_lo,"
             "diff_hi,p_value,seq_p_value,rpv,rpv_diff_lo,rpv_diff_hi,"
             "rpv_p_better");
    if ((rc = b2b2c_experiment_report(e, print_variant, &o)) != 0) {
        st = cli_data_error("%s", b2b2c_ctx_errmsg(ctx));
        goto done;
    }
    verdict(vd, sizeof(vd), &o, d.names[0], srm_p);
    if (o.json) {
        fputs("\n  ],\n  \"srm\": {\"chi2\": ", stdout);
        num(chi2, 1);
        fputs(", \"p_value\": ", stdout);
        num(srm_p, 1);
        fputs("},\n  \"verdict\": ", stdout);
        json_str(vd);
        puts("\n}");
    } else {
        fprintf(stderr, "sample ratio: chi2 %.6g, p %.6g\nverdict: %s\n",
                chi2, srm_p, vd);
    }
done:
    free(w);
    b2b2c_experiment_free(e);
    b2b2c_ctx_free(ctx);
    data_free(&d);
    return st;
}

static int plan(int argc, char **argv)
{
    cli_opt opts[] = {{"base-rate", NULL, 1}, {"mde", NULL, 1},
                      {"alpha", NULL, 0},     {"power", NULL, 0},
                      {"variants", NULL, 0},  {"daily", NULL, 0},
                      {NULL, NULL, 0}};
    const char *names[6] = {"base-rate", "mde", "alpha", "power", "variants",
                            "daily"};
    double v[6] = {0, 0, 0.05, 0.8, 2, 1000};
    int64_t n, days;
    int rc;

    if (cli_parse_opts(argc, argv, 2, opts))
        return CLI_EUSAGE;
    for (int i = 0; i < 6; i++) {
        const char *s = cli_opt_get(opts, names[i]);
        if (s && cli_parse_double(s, &v[i]))
            return cli_usage_error("--%s: not a number '%s'", names[i], s);
    }
    if (v[4] != floor(v[4]) || v[4] < 2 || v[4] > 1000)
        return cli_usage_error("--variants: a whole number in 2..1000");
    rc = b2b2c_experiment_plan(&n, &days, v[0], v[1], v[2], v[3],
                               (int32_t)v[4], v[5]);
    if (rc)
        return cli_usage_error("%s (check --base-rate in (0, 1), --mde, "
                               "--alpha, --power, --daily)",
                               b2b2c_strerror(rc));
    printf("n_per_variant,days\n%lld,%lld\n", (long long)n, (long long)days);
    return CLI_OK;
}

static int run(int argc, char **argv)
{
    if (cli_db_refuse("experiments"))
        return CLI_EUSAGE;
    if (argc < 2)
        return cli_usage_error("experiments: report or plan (try 'b2b2c "
                               "help experiments')");
    if (strcmp(argv[1], "report") == 0)
        return report(argc, argv);
    if (strcmp(argv[1], "plan") == 0)
        return plan(argc, argv);
    return cli_usage_error("experiments: unknown action '%s'", argv[1]);
}

const cli_command cli_cmd_experiments = {
    "experiments", "A/B tests: Bayesian, z-test, always-valid; sample size",
    usage, run};
