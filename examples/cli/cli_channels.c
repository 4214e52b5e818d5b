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

static int load_channels(rep *r, const char *path)
{
    static const char *const names[] = {"id", "kind", "sub_kind", "group"};
    cli_csv c;
    int cols[4], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (need_cols(&c, names, cols, 2, 4)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while ((rc = cli_csv_next(&c)) == 1) {
        const char *ks = cli_csv_field(&c, cols[1]);
        const char *ss = cols[2] >= 0 ? cli_csv_field(&c, cols[2]) : "";
        const char *gs = cols[3] >= 0 ? cli_csv_field(&c, cols[3]) : "";
        int32_t kind = b2b2c_channel_kind_from_name(ks);
        int32_t sub = *ss ? b2b2c_channel_sub_from_name(ss) : 0;
        int32_t group = *gs ? b2b2c_group_from_name(gs) : 0;
        if (kind < 0) {
            st = cli_csv_error(&c, "kind: unknown kind '%s'", ks);
            break;
        }
        if (sub < 0) {
            st = cli_csv_error(&c, "sub_kind: unknown sub-kind '%s'", ss);
            break;
        }
        if (group < 0) {
            st = cli_csv_error(&c, "group: unknown group '%s'", gs);
            break;
        }
        if ((rc = b2b2c_channels_add(r->h, cli_csv_field(&c, cols[0]), kind,
                                     sub, group)) != 0) {
            st = lib_error(&c, r, rc);
            break;
        }
    }
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

static int load_spend(rep *r, const char *path)
{
    static const char *const names[] = {"channel", "date", "spend",
                                        "impressions"};
    cli_csv c;
    int cols[4], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (need_cols(&c, names, cols, 3, 4)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while ((rc = cli_csv_next(&c)) == 1) {
        int64_t t;
        double s, im = 0;
        const char *is = cols[3] >= 0 ? cli_csv_field(&c, cols[3]) : "";
        if (cli_parse_time(cli_csv_field(&c, cols[1]), &t)) {
            st = cli_csv_error(&c, "date: not a date '%s'",
                               cli_csv_field(&c, cols[1]));
            break;
        }
        if (cli_parse_double(cli_csv_field(&c, cols[2]), &s)) {
            st = cli_csv_error(&c, "spend: not a finite number '%s'",
                               cli_csv_field(&c, cols[2]));
            break;
        }
        if (*is && cli_parse_double(is, &im)) {
            st = cli_csv_error(&c, "impressions: not a finite number '%s'",
                               is);
            break;
        }
        if ((rc = b2b2c_channels_set_spend(r->h, cli_csv_field(&c, cols[0]),
                                           t, s, im)) != 0) {
            st = lib_error(&c, r, rc);
            break;
        }
    }
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

static int load_touches(rep *r, const char *path)
{
    static const char *const names[] = {"lead", "channel", "time"};
    cli_csv c;
    int cols[3], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (need_cols(&c, names, cols, 3, 3)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while ((rc = cli_csv_next(&c)) == 1) {
        int64_t t;
        if (cli_parse_time(cli_csv_field(&c, cols[2]), &t)) {
            st = cli_csv_error(&c, "time: not a time '%s'",
                               cli_csv_field(&c, cols[2]));
            break;
        }
        if ((rc = b2b2c_channels_touch(r->h, cli_csv_field(&c, cols[0]),
                                       cli_csv_field(&c, cols[1]), t)) != 0) {
            st = lib_error(&c, r, rc);
            break;
        }
    }
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

static int load_conversions(rep *r, const char *path)
{
    static const char *const names[] = {"lead", "time", "revenue", "ltv"};
    cli_csv c;
    int cols[4], rc, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (need_cols(&c, names, cols, 3, 4)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    while ((rc = cli_csv_next(&c)) == 1) {
        int64_t t;
        double rev, ltv;
        const char *lead = cli_csv_field(&c, cols[0]);
        const char *ls = cols[3] >= 0 ? cli_csv_field(&c, cols[3]) : "";
        if (cli_parse_time(cli_csv_field(&c, cols[1]), &t)) {
            st = cli_csv_error(&c, "time: not a time '%s'",
                               cli_csv_field(&c, cols[1]));
            break;
        }
        if (cli_parse_double(cli_csv_field(&c, cols[2]), &rev)) {
            st = cli_csv_error(&c, "revenue: not a finite number '%s'",
                               cli_csv_field(&c, cols[2]));
            break;
        }
        if (*ls && cli_parse_double(ls, &ltv)) {
            st = cli_csv_error(&c, "ltv: not a finite number '%s'", ls);
            break;
        }
        if ((rc = b2b2c_channels_convert(r->h, lead, t, rev)) != 0 ||
            (*ls && (rc = b2b2c_channels_set_ltv(r->h, lead, ltv)) != 0)) {
            st = lib_error(&c, r, rc);
            break;
        }
    }
    if (rc < 0)
        st = CLI_EDATA;
    cli_csv_close(&c);
    return st;
}

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
    if ((st = load_channels(&r, cli_opt_get(opts, "channels"))) != 0 ||
        (st = load_spend(&r, cli_opt_get(opts, "spend"))) != 0 ||
        (st = load_touches(&r, cli_opt_get(opts, "touches"))) != 0 ||
        (st = load_conversions(&r, cli_opt_get(opts, "conversions"))) != 0) {
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
