/* SPDX-License-Identifier: MIT */
/* b2b2c channels: channel analytics over CSV files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: b2b2c channels report --channels FILE.csv --spend FILE.csv\n"
    "         --touches FILE.csv --conversions FILE.csv\n"
    "         --model first|last|linear|decay|position|markov\n"
    "         [--from DATE] [--to DATE] [--lookback DAYS] [--half-life DAYS]\n"
    "         [--format csv|json]\n"
    "\n"
    "Input files (header line required, columns in any order):\n"
    "  channels:    id,kind[,sub_kind][,group]   kind reach|lead_generation;\n"
    "               sub_kind display_media|retail_media|viral_content|\n"
    "               informational_seo|search_ads|lead_form_ads|marketplace|\n"
    "               webinar_offer|outreach|dealer_referral|other;\n"
    "               group dealer|b2b|b2c|unknown\n"
    "  spend:       channel,date,spend[,impressions]   (one row per day)\n"
    "  touches:     lead,channel,time\n"
    "  conversions: lead,time,revenue[,ltv]\n"
    "Dates and times: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] or Unix seconds.\n"
    "\n"
    "Prints CSV, one row per channel and a '(direct)' row for conversions\n"
    "without touches in the lookback window: channel,kind,sub_kind,group,\n"
    "spend,leads,cpl,conversions,revenue,roi,romi,ltv,roi_ltv (empty when\n"
    "undefined). Bad lines: PATH:LINE: reason, exit 1.\n"
    "\n"
    "b2b2c channels mix (same input options, --model optional, default\n"
    "linear): per segment group the reach and lead-generation spend and\n"
    "attributed revenue, and the reach shares of each.\n"
    "\n"
    "b2b2c channels lag (same input options) --from DATE --to DATE\n"
    "         [--lag WEEKS] [--window WEEKS] [--group dealer|b2b|b2c|unknown]:\n"
    "per week from --from, the reach spend of the --window weeks ending\n"
    "--lag weeks before (defaults 4 and 1), the lead-generation spend, leads\n"
    "and CPL; the slope and correlation of CPL on that reach spend go to\n"
    "stderr. A negative slope supports 'reach lowers the cost of leads'.\n"
    "\n"
    "b2b2c channels markov (same input options, no --model): each\n"
    "channel's Markov removal effect (1 - P(conversion without it) /\n"
    "P(conversion)) and its share of their sum, CSV\n"
    "channel,removal_effect,share; P(conversion) of the full chain goes to\n"
    "stderr.\n"
    "\n"
    "--format json prints the same rows as a JSON array of objects. Numbers:\n"
    "money with 2 decimals, rates, shares and attributed conversions with 4,\n"
    "counts whole; an undefined value is empty (null in JSON).\n";

typedef struct rep {
    b2b2c_ctx *ctx;
    b2b2c_channels *h;
    cli_table t;
} rep;

static int lib_error(const cli_csv *c, const rep *r, int rc)
{
    const char *m = b2b2c_ctx_errmsg(r->ctx);
    return cli_csv_error(c, "%s", m && *m ? m : b2b2c_strerror(rc));
}

/* Columns: a required one missing is a data error on the header line. */
static int need_cols(cli_csv *c, const char *const *names, int *cols,
                     int nreq, int n)
{
    /* another column is not read (a warning names it); one that looks
     * like a misspelt one of ours is an error (cli_csv_check_columns) */
    cli_colname known[5];
    memset(known, 0, sizeof(known));
    for (int i = 0; i < n; i++)
        known[i].name = names[i];
    if (cli_csv_check_columns(c, known, -1) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        cols[i] = cli_csv_col(c, names[i]);
        if (cols[i] < 0 && i < nreq) {
            long l = c->line;
            c->line = 1;
            cli_csv_error(c, "missing column '%s'", names[i]);
            c->line = l;
            return -1;
        }
    }
    return 0;
}

typedef int (*row_fn)(rep *r, const cli_csv *c, const int *cols);

/* Read every record of a CSV file through `fn`; the first bad line stops. */
static int load_file(rep *r, const char *path, const char *const *names,
                     int nreq, int n, row_fn fn)
{
    cli_csv c;
    int cols[4], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (need_cols(&c, names, cols, nreq, n)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while ((rc = cli_csv_next(&c)) == 1)
        if ((st = fn(r, &c, cols)) != CLI_OK)
            break;
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

static const char *opt_field(const cli_csv *c, int col)
{
    return col >= 0 ? cli_csv_field(c, col) : "";
}

static int channel_row(rep *r, const cli_csv *c, const int *cols)
{
    const char *ks = cli_csv_field(c, cols[1]);
    const char *ss = opt_field(c, cols[2]), *gs = opt_field(c, cols[3]);
    int32_t kind = b2b2c_channel_kind_from_name(ks);
    int32_t sub = *ss ? b2b2c_channel_sub_from_name(ss) : 0;
    int32_t group = *gs ? b2b2c_group_from_name(gs) : 0;
    int rc;

    if (kind < 0)
        return cli_csv_error(c, "kind: unknown kind '%s'", ks);
    if (sub < 0)
        return cli_csv_error(c, "sub_kind: unknown sub-kind '%s'", ss);
    if (group < 0)
        return cli_csv_error(c, "group: unknown group '%s'", gs);
    rc = b2b2c_channels_add(r->h, cli_csv_field(c, cols[0]), kind, sub, group);
    return rc ? lib_error(c, r, rc) : CLI_OK;
}

static int parse_time_col(const cli_csv *c, int col, const char *name,
                          int64_t *t)
{
    if (cli_parse_time(cli_csv_field(c, col), t))
        return cli_csv_error(c, "%s: not a date or time '%s'", name,
                             cli_csv_field(c, col));
    return CLI_OK;
}

static int parse_num_col(const cli_csv *c, const char *text, const char *name,
                         double *v)
{
    if (cli_parse_double(text, v))
        return cli_csv_error(c, "%s: not a finite number '%s'", name, text);
    return CLI_OK;
}

static int spend_row(rep *r, const cli_csv *c, const int *cols)
{
    const char *is = opt_field(c, cols[3]);
    int64_t t;
    double s, im = 0;
    int rc;

    if ((rc = parse_time_col(c, cols[1], "date", &t)) != 0 ||
        (rc = parse_num_col(c, cli_csv_field(c, cols[2]), "spend", &s)) != 0 ||
        (*is && (rc = parse_num_col(c, is, "impressions", &im)) != 0))
        return rc;
    rc = b2b2c_channels_set_spend(r->h, cli_csv_field(c, cols[0]), t, s, im);
    return rc ? lib_error(c, r, rc) : CLI_OK;
}

static int touch_row(rep *r, const cli_csv *c, const int *cols)
{
    int64_t t;
    int rc;

    if ((rc = parse_time_col(c, cols[2], "time", &t)) != 0)
        return rc;
    rc = b2b2c_channels_touch(r->h, cli_csv_field(c, cols[0]),
                              cli_csv_field(c, cols[1]), t);
    return rc ? lib_error(c, r, rc) : CLI_OK;
}

static int conversion_row(rep *r, const cli_csv *c, const int *cols)
{
    const char *lead = cli_csv_field(c, cols[0]), *ls = opt_field(c, cols[3]);
    int64_t t;
    double rev, ltv = 0;
    int rc;

    if ((rc = parse_time_col(c, cols[1], "time", &t)) != 0 ||
        (rc = parse_num_col(c, cli_csv_field(c, cols[2]), "revenue", &rev)) ||
        (*ls && (rc = parse_num_col(c, ls, "ltv", &ltv)) != 0))
        return rc;
    if ((rc = b2b2c_channels_convert(r->h, lead, t, rev)) != 0 ||
        (*ls && (rc = b2b2c_channels_set_ltv(r->h, lead, ltv)) != 0))
        return lib_error(c, r, rc);
    return CLI_OK;
}

static const char *const channel_cols[] = {"id", "kind", "sub_kind", "group"};
static const char *const spend_cols[] = {"channel", "date", "spend",
                                         "impressions"};
static const char *const touch_cols[] = {"lead", "channel", "time"};
static const char *const conversion_cols[] = {"lead", "time", "revenue",
                                              "ltv"};

static const char *const report_cols[] = {
    "channel", "kind", "sub_kind", "group", "spend", "leads", "cpl",
    "conversions", "revenue", "roi", "romi", "ltv", "roi_ltv"};

static int print_row(const char *key, const double *m, size_t n, void *p)
{
    rep *r = p;
    cli_table *t = &r->t;
    int32_t kind = 0, sub = 0, group = 0;
    (void)n;
    if (*key) {
        b2b2c_channels_get(&kind, &sub, &group, r->h, key);
        cli_table_str(t, key);
        cli_table_str(t, b2b2c_channel_kind_name(kind));
        cli_table_str(t, b2b2c_channel_sub_name(sub));
        cli_table_str(t, b2b2c_group_name(group));
    } else {
        cli_table_str(t, "(direct)");
        cli_table_str(t, "none");
        cli_table_str(t, NULL);
        cli_table_str(t, NULL);
    }
    cli_table_num(t, m[B2B2C_CHM_SPEND], CLI_MONEY);
    cli_table_num(t, m[B2B2C_CHM_LEADS], CLI_COUNT);
    cli_table_num(t, m[B2B2C_CHM_CPL], CLI_MONEY);
    cli_table_num(t, m[B2B2C_CHM_CONVERSIONS], CLI_RATE); /* attributed */
    cli_table_num(t, m[B2B2C_CHM_REVENUE], CLI_MONEY);
    cli_table_num(t, m[B2B2C_CHM_ROI], CLI_RATE);
    cli_table_num(t, m[B2B2C_CHM_ROMI], CLI_RATE);
    cli_table_num(t, m[B2B2C_CHM_LTV], CLI_MONEY);
    cli_table_num(t, m[B2B2C_CHM_ROI_LTV], CLI_RATE);
    return 0;
}

static int set_days(rep *r, const char *opt, const char *v, int32_t param)
{
    double d;
    if (!v)
        return 0;
    if (cli_parse_double(v, &d))
        return cli_usage_error("--%s: not a number '%s'", opt, v);
    if (b2b2c_channels_set_param(r->h, param, d))
        return cli_usage_error("--%s: %s", opt, b2b2c_ctx_errmsg(r->ctx));
    return 0;
}

static const char *const mix_cols[] = {
    "group", "reach_spend", "leadgen_spend", "reach_spend_share",
    "reach_value", "leadgen_value", "reach_value_share"};

static int print_mix(const char *key, const double *m, size_t n, void *p)
{
    cli_table *t = &((rep *)p)->t;
    (void)n;
    cli_table_str(t, key);
    cli_table_num(t, m[B2B2C_MIX_REACH_SPEND], CLI_MONEY);
    cli_table_num(t, m[B2B2C_MIX_LEADGEN_SPEND], CLI_MONEY);
    cli_table_num(t, m[B2B2C_MIX_REACH_SPEND_SHARE], CLI_RATE);
    cli_table_num(t, m[B2B2C_MIX_REACH_VALUE], CLI_MONEY);
    cli_table_num(t, m[B2B2C_MIX_LEADGEN_VALUE], CLI_MONEY);
    cli_table_num(t, m[B2B2C_MIX_REACH_VALUE_SHARE], CLI_RATE);
    return 0;
}

static const char *const lag_cols[] = {"week", "reach_spend_lagged",
                                       "leadgen_spend", "leads", "cpl"};

static int print_week(int64_t ws, double x, double s, double leads, double y,
                      void *p)
{
    cli_table *t = &((rep *)p)->t;
    char d[64];
    cli_format_date(d, sizeof d, ws);
    cli_table_str(t, d);
    cli_table_num(t, x, CLI_MONEY);
    cli_table_num(t, s, CLI_MONEY);
    cli_table_num(t, leads, CLI_COUNT);
    cli_table_num(t, y, CLI_MONEY);
    return 0;
}

static const char *const markov_cols[] = {"channel", "removal_effect",
                                          "share"};

static int print_markov(const char *channel, double re, double share,
                        void *p)
{
    cli_table *t = &((rep *)p)->t;
    cli_table_str(t, channel);
    cli_table_num(t, re, CLI_RATE);
    cli_table_num(t, share, CLI_RATE);
    return 0;
}

enum { ACT_REPORT, ACT_MIX, ACT_LAG, ACT_MARKOV };

static int action(int argc, char **argv, int act)
{
    cli_opt opts[] = {
        {"channels", NULL, 1},  {"spend", NULL, 1},    {"touches", NULL, 1},
        {"conversions", NULL, 1}, {"model", NULL, 0},  {"from", NULL, 0},
        {"to", NULL, 0},        {"lookback", NULL, 0}, {"half-life", NULL, 0},
        {"lag", NULL, 0},       {"window", NULL, 0},   {"group", NULL, 0},
        {"format", NULL, 0},    {NULL, NULL, 0}};
    rep r;
    int64_t from = INT64_MIN, to = INT64_MAX;
    const char *ms, *gs;
    int32_t model = B2B2C_CHANNEL_ATTRIBUTION_LINEAR, group = -1;
    int st, json;

    memset(&r, 0, sizeof(r));
    if ((st = cli_parse_opts(argc, argv, 2, opts)) != 0 ||
        (st = cli_format_parse(opts, &json)) != 0)
        return st;
    ms = cli_opt_get(opts, "model");
    gs = cli_opt_get(opts, "group");
    if (act == ACT_REPORT && !ms)
        return cli_usage_error("missing required option '--model'");
    if (act != ACT_LAG && (cli_opt_get(opts, "lag") ||
                           cli_opt_get(opts, "window") || gs))
        return cli_usage_error("--lag, --window and --group belong to "
                               "'channels lag'");
    if ((act == ACT_LAG || act == ACT_MARKOV) && ms)
        return cli_usage_error("'channels %s' takes no --model",
                               act == ACT_LAG ? "lag" : "markov");
    if (ms && (model = b2b2c_channel_attribution_from_name(ms)) < 0)
        return cli_usage_error("--model: unknown model '%s'", ms);
    if (gs && (group = b2b2c_group_from_name(gs)) < 0)
        return cli_usage_error("--group: unknown group '%s'", gs);
    if (cli_opt_get(opts, "from") &&
        cli_parse_time(cli_opt_get(opts, "from"), &from))
        return cli_usage_error("--from: not a date");
    if (cli_opt_get(opts, "to") && cli_parse_time(cli_opt_get(opts, "to"), &to))
        return cli_usage_error("--to: not a date");
    if (act == ACT_LAG &&
        (!cli_opt_get(opts, "from") || !cli_opt_get(opts, "to")))
        return cli_usage_error("'channels lag' needs --from and --to");
    if (from > to)
        return cli_usage_error("--from is after --to");
    if (b2b2c_ctx_new(&r.ctx, NULL, NULL) ||
        b2b2c_channels_new(&r.h, r.ctx)) {
        b2b2c_ctx_free(r.ctx);
        return cli_data_error("cannot create the library context");
    }
    if ((st = set_days(&r, "lookback", cli_opt_get(opts, "lookback"),
                       B2B2C_CHANNELS_LOOKBACK_DAYS)) != 0 ||
        (st = set_days(&r, "half-life", cli_opt_get(opts, "half-life"),
                       B2B2C_CHANNELS_HALF_LIFE_DAYS)) != 0 ||
        (st = set_days(&r, "lag", cli_opt_get(opts, "lag"),
                       B2B2C_CHANNELS_MIX_LAG_WEEKS)) != 0 ||
        (st = set_days(&r, "window", cli_opt_get(opts, "window"),
                       B2B2C_CHANNELS_MIX_WINDOW_WEEKS)) != 0)
        goto out;
    /* one storage transaction for the whole import */
    if (b2b2c_ctx_begin(r.ctx)) {
        st = cli_data_error("cannot begin a transaction");
        goto out;
    }
    if ((st = load_file(&r, cli_opt_get(opts, "channels"), channel_cols, 2, 4,
                        channel_row)) != 0 ||
        (st = load_file(&r, cli_opt_get(opts, "spend"), spend_cols, 3, 4,
                        spend_row)) != 0 ||
        (st = load_file(&r, cli_opt_get(opts, "touches"), touch_cols, 3, 3,
                        touch_row)) != 0 ||
        (st = load_file(&r, cli_opt_get(opts, "conversions"), conversion_cols,
                        3, 4, conversion_row)) != 0) {
        b2b2c_ctx_rollback(r.ctx);
        goto out;
    }
    if (b2b2c_ctx_commit(r.ctx)) {
        st = cli_data_error("commit failed: %s", b2b2c_ctx_errmsg(r.ctx));
        goto out;
    }
    if (act == ACT_REPORT) {
        cli_table_begin(&r.t, json, report_cols, 13);
        if (b2b2c_channels_metrics(r.h, B2B2C_CHANNELS_BY_CHANNEL, model,
                                   from, to, print_row, &r))
            st = cli_data_error("report failed: %s", b2b2c_ctx_errmsg(r.ctx));
    } else if (act == ACT_MIX) {
        cli_table_begin(&r.t, json, mix_cols, 7);
        if (b2b2c_channels_mix_shares(r.h, model, from, to, print_mix, &r))
            st = cli_data_error("mix failed: %s", b2b2c_ctx_errmsg(r.ctx));
    } else if (act == ACT_MARKOV) {
        double p_conv;
        cli_table_begin(&r.t, json, markov_cols, 3);
        if (b2b2c_channels_markov_effects(&p_conv, r.h, from, to,
                                          print_markov, &r))
            st = cli_data_error("markov failed: %s",
                                b2b2c_ctx_errmsg(r.ctx));
        else
            fprintf(stderr, "b2b2c: P(conversion) of the full chain %.4f\n",
                    p_conv);
    } else {
        double slope, corr;
        size_t pairs;
        cli_table_begin(&r.t, json, lag_cols, 5);
        if (b2b2c_channels_mix_lag(&slope, &corr, &pairs, r.h, group, from, to,
                                   print_week, &r))
            st = cli_data_error("lag failed: %s", b2b2c_ctx_errmsg(r.ctx));
        else
            fprintf(stderr,
                    "b2b2c: %zu weekly pairs; slope of CPL on lagged reach "
                    "spend %.6g, correlation %.4f (negative: reach went "
                    "with cheaper leads)\n",
                    pairs, slope, corr);
    }
    if (st == 0)
        cli_table_end(&r.t);
out:
    b2b2c_channels_free(r.h);
    b2b2c_ctx_free(r.ctx);
    return st;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("channels: missing action (try 'b2b2c help "
                               "channels')");
    if (cli_db_refuse("channels"))
        return CLI_EUSAGE;
    if (strcmp(argv[1], "report") == 0)
        return action(argc, argv, ACT_REPORT);
    if (strcmp(argv[1], "mix") == 0)
        return action(argc, argv, ACT_MIX);
    if (strcmp(argv[1], "lag") == 0)
        return action(argc, argv, ACT_LAG);
    if (strcmp(argv[1], "markov") == 0)
        return action(argc, argv, ACT_MARKOV);
    return cli_usage_error("channels: unknown action '%s'", argv[1]);
}

const cli_command cli_cmd_channels = {
    "channels", "channel analytics: CPL, ROI and attribution per channel",
    usage, run};
