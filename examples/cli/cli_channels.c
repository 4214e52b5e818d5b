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
    "undefined). Bad lines: PATH:LINE: reason, exit 1.\n";

typedef struct rep {
    b2b2c_ctx *ctx;
    b2b2c_channels *h;
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

static void num(double v, const char *fmt)
{
    putchar(',');
    if (!isnan(v))
        printf(fmt, v);
}

static int print_row(const char *key, const double *m, size_t n, void *p)
{
    rep *r = p;
    int32_t kind = 0, sub = 0, group = 0;
    (void)n;
    if (*key) {
        b2b2c_channels_get(r->h, &kind, &sub, &group, key);
        /* quote IDs that need it (RFC 4180) */
        if (strpbrk(key, ",\"\r\n")) {
            putchar('"');
            for (const char *s = key; *s; s++) {
                if (*s == '"')
                    putchar('"');
                putchar(*s);
            }
            putchar('"');
        } else {
            fputs(key, stdout);
        }
        printf(",%s,%s,%s", b2b2c_channel_kind_name(kind),
               b2b2c_channel_sub_name(sub), b2b2c_group_name(group));
    } else {
        fputs("(direct),none,,", stdout);
    }
    num(m[B2B2C_CHM_SPEND], "%.2f");
    num(m[B2B2C_CHM_LEADS], "%.0f");
    num(m[B2B2C_CHM_CPL], "%.2f");
    num(m[B2B2C_CHM_CONVERSIONS], "%.4f");
    num(m[B2B2C_CHM_REVENUE], "%.2f");
    num(m[B2B2C_CHM_ROI], "%.4f");
    num(m[B2B2C_CHM_ROMI], "%.4f");
    num(m[B2B2C_CHM_LTV], "%.2f");
    num(m[B2B2C_CHM_ROI_LTV], "%.4f");
    putchar('\n');
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

static int report(int argc, char **argv)
{
    cli_opt opts[] = {
        {"channels", NULL, 1},  {"spend", NULL, 1},    {"touches", NULL, 1},
        {"conversions", NULL, 1}, {"model", NULL, 1},  {"from", NULL, 0},
        {"to", NULL, 0},        {"lookback", NULL, 0}, {"half-life", NULL, 0},
        {NULL, NULL, 0}};
    rep r = {NULL, NULL};
    int64_t from = INT64_MIN, to = INT64_MAX;
    int32_t model;
    int st;

    if ((st = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return st;
    model = b2b2c_attr_model_from_name(cli_opt_get(opts, "model"));
    if (model < 0)
        return cli_usage_error("--model: unknown model '%s'",
                               cli_opt_get(opts, "model"));
    if (cli_opt_get(opts, "from") &&
        cli_parse_time(cli_opt_get(opts, "from"), &from))
        return cli_usage_error("--from: not a date");
    if (cli_opt_get(opts, "to") && cli_parse_time(cli_opt_get(opts, "to"), &to))
        return cli_usage_error("--to: not a date");
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
                       B2B2C_CHANNELS_HALF_LIFE_DAYS)) != 0)
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
    printf("channel,kind,sub_kind,group,spend,leads,cpl,conversions,revenue,"
           "roi,romi,ltv,roi_ltv\n");
    if (b2b2c_channels_metrics(r.h, B2B2C_CHANNELS_BY_CHANNEL, model, from, to,
                               print_row, &r))
        st = cli_data_error("report failed: %s", b2b2c_ctx_errmsg(r.ctx));
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
    if (strcmp(argv[1], "report") == 0)
        return report(argc, argv);
    return cli_usage_error("channels: unknown action '%s'", argv[1]);
}

const cli_command cli_cmd_channels = {
    "channels", "channel analytics: CPL, ROI and attribution per channel",
    usage, run};
