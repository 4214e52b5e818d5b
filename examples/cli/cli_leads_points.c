/* SPDX-License-Identifier: MIT */
/* b2b2c leads suggest-points / apply-points: rule points learned from the
 * outcomes (docs/lead-model.md, "Points learned from outcomes"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *const cli_leads_points_usage =
    "\n"
    "       b2b2c [--db SPEC] leads suggest-points --at DATE\n"
    "                 [--events FILE.csv] [--leads FILE.csv]\n"
    "                 [--outcomes FILE.csv] [--min-outcomes N]\n"
    "                 [--format csv|json]\n"
    "       b2b2c [--db SPEC] leads apply-points --at DATE --table FILE.csv\n"
    "                 [--warm-share S --hot-share S] [--dry-run yes]\n"
    "                 [--folds K] [--seed N] [--events FILE.csv]\n"
    "                 [--leads FILE.csv] [--outcomes FILE.csv]\n"
    "                 [--format csv|json]\n"
    "\n"
    "suggest-points prints the rule points suggested by the outcomes\n"
    "(docs/lead-model.md, \"Points learned from outcomes\"): CSV entry,\n"
    "current,suggested,std_error,low,high,outcomes, one row per kind\n"
    "(kind:NAME), segment and attribute value (channel:ID, region:CODE,\n"
    "product_line:ID); low/high the 95% interval; an entry with fewer\n"
    "than --min-outcomes outcomes (default 30) keeps its points (empty\n"
    "std_error). The model comes from --db or the files, as for score.\n"
    "\n"
    "apply-points reads a point table (CSV entry,points; or the output of\n"
    "suggest-points, whose suggested column is taken), sets it and sets\n"
    "the warm and hot thresholds so that the shares of warm and hot leads\n"
    "at --at are --warm-share and --hot-share (default: the shares\n"
    "before); it needs --db unless --dry-run yes, which changes nothing.\n"
    "Prints CSV item,current,proposed: the thresholds, the rule score's\n"
    "AUC, its standard error, Brier score and log loss on the outcomes\n"
    "(cross-validation with --folds folds, default 5, drawn from --seed,\n"
    "default 0), the leads per band, and moves_FROM_TO, the leads that\n"
    "move between bands.\n";

static const char *const sug_cols[] = {"entry", "current",  "suggested",
                                       "std_error", "low", "high",
                                       "outcomes"};

static int sug_row(const char *entry, double cur, double sug, double se,
                   int64_t n, void *userdata)
{
    cli_table *t = userdata;
    cli_table_str(t, entry);
    cli_table_num(t, cur, CLI_RATE);
    cli_table_num(t, sug, CLI_RATE);
    cli_table_num(t, se, CLI_RATE);
    /* the 95% Wald interval, suggested +- 1.96 standard errors */
    cli_table_num(t, sug - 1.96 * se, CLI_RATE);
    cli_table_num(t, sug + 1.96 * se, CLI_RATE);
    cli_table_num(t, (double)n, CLI_COUNT);
    return 0;
}

static int suggest(b2b2c_ctx *ctx, const b2b2c_lead_model *m,
                   const cli_opt *opts, int json)
{
    const char *mo = cli_opt_get(opts, "min-outcomes");
    double min_n = 0;
    cli_table t;
    int rc;
    if (mo && (cli_parse_double(mo, &min_n) || min_n < 1))
        return cli_usage_error("--min-outcomes: not a number >= 1 '%s'", mo);
    cli_table_begin(&t, json, sug_cols, 7);
    rc = b2b2c_lead_suggest_points(m, min_n, sug_row, &t);
    if (rc)
        return rc == B2B2C_ERANGE
                   ? cli_usage_error("%s", b2b2c_ctx_errmsg(ctx))
                   : cli_data_error("suggest-points: %s",
                                    b2b2c_ctx_errmsg(ctx));
    cli_table_end(&t);
    return 0;
}

/* A point table: entry,points (or entry,suggested: suggest-points's
 * output). */
typedef struct ptable {
    char **entry;
    double *pts;
    size_t n, cap, capp;
} ptable;

static void ptable_free(ptable *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->entry[i]);
    free(p->entry);
    free(p->pts);
}

static int read_table(ptable *p, const char *path)
{
    static const char *const known[] = {
        "entry", "points", "current", "suggested", "std_error", "low",
        "high", "outcomes", NULL};
    cli_csv c;
    int ce, cp, r, rc = 0;
    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    ce = cli_csv_col(&c, "entry");
    cp = cli_csv_col(&c, "points");
    if (cp < 0)
        cp = cli_csv_col(&c, "suggested");
    if ((rc = cli_csv_known(&c, known)) != 0) {
        cli_csv_close(&c);
        return rc;
    }
    if (ce < 0 || cp < 0) {
        rc = cli_csv_error(&c, "expected the columns entry and points (or "
                               "suggested)");
        cli_csv_close(&c);
        return rc;
    }
    while ((r = cli_csv_next(&c)) == 1) {
        const char *e = cli_csv_field(&c, ce);
        double v;
        char *d;
        if (!*e) {
            rc = cli_csv_error(&c, "entry: empty");
            break;
        }
        if (cli_parse_double(cli_csv_field(&c, cp), &v)) {
            rc = cli_csv_error(&c, "%s: not a number '%s'",
                               cp == cli_csv_col(&c, "points") ? "points"
                                                               : "suggested",
                               cli_csv_field(&c, cp));
            break;
        }
        if (cli_grow((void **)&p->entry, &p->cap, p->n + 1,
                     sizeof(*p->entry)) ||
            cli_grow((void **)&p->pts, &p->capp, p->n + 1, sizeof(*p->pts)) ||
            !(d = strdup(e))) {
            rc = cli_data_error("out of memory");
            break;
        }
        p->entry[p->n] = d;
        p->pts[p->n++] = v;
    }
    if (r < 0)
        rc = CLI_EDATA;
    cli_csv_close(&c);
    return rc;
}

static const char *const rep_cols[] = {"item", "current", "proposed"};
static const char *const band_n[] = {"cold", "warm", "hot"};

static void rep_row(cli_table *t, const char *item, double cur, double prop,
                    int kind)
{
    cli_table_str(t, item);
    cli_table_num(t, cur, kind);
    cli_table_num(t, prop, kind);
}

static void report(double w, double h, const double *f, int json)
{
    static const struct {
        const char *name;
        int cur, prop;
    } fig[] = {{"auc", B2B2C_LEAD_DRY_AUC, B2B2C_LEAD_DRY_NEW_AUC},
               {"auc_se", B2B2C_LEAD_DRY_AUC_SE, B2B2C_LEAD_DRY_NEW_AUC_SE},
               {"brier", B2B2C_LEAD_DRY_BRIER, B2B2C_LEAD_DRY_NEW_BRIER},
               {"log_loss", B2B2C_LEAD_DRY_LOG_LOSS,
                B2B2C_LEAD_DRY_NEW_LOG_LOSS}};
    cli_table t;
    char name[32];
    cli_table_begin(&t, json, rep_cols, 3);
    rep_row(&t, "threshold_warm", w, f[B2B2C_LEAD_DRY_WARM], CLI_RATE);
    rep_row(&t, "threshold_hot", h, f[B2B2C_LEAD_DRY_HOT], CLI_RATE);
    for (size_t i = 0; i < sizeof(fig) / sizeof(fig[0]); i++)
        rep_row(&t, fig[i].name, f[fig[i].cur], f[fig[i].prop], CLI_RATE);
    for (int b = 0; b < 3; b++) {
        double now = 0, after = 0;
        for (int o = 0; o < 3; o++) {
            now += f[B2B2C_LEAD_DRY_MOVES + 3 * b + o];
            after += f[B2B2C_LEAD_DRY_MOVES + 3 * o + b];
        }
        snprintf(name, sizeof(name), "leads_%s", band_n[b]);
        rep_row(&t, name, now, after, CLI_COUNT);
    }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            snprintf(name, sizeof(name), "moves_%s_%s", band_n[a], band_n[b]);
            rep_row(&t, name, NAN, f[B2B2C_LEAD_DRY_MOVES + 3 * a + b],
                    CLI_COUNT);
        }
    cli_table_end(&t);
}

static int apply(b2b2c_ctx *ctx, b2b2c_lead_model *m, const cli_opt *opts,
                 int json)
{
    const char *ws = cli_opt_get(opts, "warm-share");
    const char *hs = cli_opt_get(opts, "hot-share");
    const char *dry = cli_opt_get(opts, "dry-run");
    const char *fs = cli_opt_get(opts, "folds");
    const char *ss = cli_opt_get(opts, "seed");
    double w = NAN, h = NAN, w0 = NAN, h0 = NAN, f[B2B2C_LEAD_DRY_NFIELDS];
    int64_t at, folds = 5, seed = 0;
    int is_dry = 0, rc;
    ptable p;

    cli_parse_time(cli_opt_get(opts, "at"), &at);
    if (dry && strcmp(dry, "yes") != 0 && strcmp(dry, "no") != 0)
        return cli_usage_error("--dry-run: expected yes or no, not '%s'",
                               dry);
    is_dry = dry && strcmp(dry, "yes") == 0;
    if (!is_dry && !cli_db_given())
        return cli_usage_error("leads apply-points: needs --db SPEC (or "
                               "--dry-run yes)");
    if (!ws != !hs)
        return cli_usage_error("--warm-share, --hot-share: give both or "
                               "neither");
    if (ws && (cli_parse_double(ws, &w) || cli_parse_double(hs, &h)))
        return cli_usage_error("--warm-share, --hot-share: not a number");
    if (fs && (cli_parse_int64(fs, &folds) || folds < 2 || folds > 100))
        return cli_usage_error("--folds: a whole number in [2, 100], not "
                               "'%s'",
                               fs);
    if (ss && (cli_parse_int64(ss, &seed) || seed < 0))
        return cli_usage_error("--seed: a whole number >= 0, not '%s'", ss);
    memset(&p, 0, sizeof(p));
    if ((rc = read_table(&p, cli_opt_get(opts, "table"))) != 0) {
        ptable_free(&p);
        return rc;
    }
    b2b2c_lead_model_get_param(&w0, m, B2B2C_LEAD_WARM_THRESHOLD);
    b2b2c_lead_model_get_param(&h0, m, B2B2C_LEAD_HOT_THRESHOLD);
    rc = b2b2c_lead_points_dry_run(f, B2B2C_LEAD_DRY_NFIELDS, m,
                                   (const char *const *)p.entry, p.pts, p.n,
                                   w, h, at, (int32_t)folds, (uint64_t)seed);
    if (rc == 0 && !is_dry)
        rc = b2b2c_lead_points_apply(NULL, NULL, m,
                                     (const char *const *)p.entry, p.pts,
                                     p.n, w, h, at);
    ptable_free(&p);
    if (rc)
        return rc == B2B2C_ERANGE
                   ? cli_usage_error("%s", b2b2c_ctx_errmsg(ctx))
                   : cli_data_error("%s: %s", cli_opt_get(opts, "table"),
                                    b2b2c_ctx_errmsg(ctx));
    report(w0, h0, f, json);
    return 0;
}

int cli_leads_points(int argc, char **argv)
{
    cli_opt opts[] = {{"at", NULL, 1},          {"events", NULL, 0},
                      {"leads", NULL, 0},       {"outcomes", NULL, 0},
                      {"format", NULL, 0},      {"min-outcomes", NULL, 0},
                      {"table", NULL, 0},       {"warm-share", NULL, 0},
                      {"hot-share", NULL, 0},   {"dry-run", NULL, 0},
                      {"folds", NULL, 0},       {"seed", NULL, 0},
                      {NULL, NULL, 0}};
    int sug = strcmp(argv[1], "suggest-points") == 0, json, rc;
    b2b2c_lead_model *m = NULL;
    b2b2c_ctx *ctx = NULL;
    void *h = NULL;
    int64_t at;

    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0 ||
        (rc = cli_format_parse(opts, &json)) != 0)
        return rc;
    for (int i = 5; i < 12; i++)
        if (opts[i].value && (i == 5) != sug)
            return cli_usage_error("leads %s: --%s is for %s", argv[1],
                                   opts[i].name,
                                   sug ? "apply-points" : "suggest-points");
    if (!sug && !cli_opt_get(opts, "table"))
        return cli_usage_error("leads apply-points: needs --table FILE.csv");
    if (cli_parse_time(cli_opt_get(opts, "at"), &at))
        return cli_usage_error("--at: not a date or time '%s'",
                               cli_opt_get(opts, "at"));
    if ((rc = cli_leads_model(&h, &ctx, &m, opts)) == 0)
        rc = sug ? suggest(ctx, m, opts, json) : apply(ctx, m, opts, json);
    cli_leads_model_free(h);
    return rc;
}
