/* SPDX-License-Identifier: MIT */
/*
 * b2b2c forecast histogram and holdout: the two checks of a fitted model
 * that the BTYD literature prints next to it (Fader, Hardie & Lee 2005,
 * "Counting your customers the easy way", Marketing Science 24(2),
 * figures 2 and 4): the calibration-period frequency histogram, actual
 * against expected, and the conditional expectations in a holdout period
 * by calibration frequency.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_forecast.h"

#define MAX_BINS 1000

static int model_arg(const char *s, int allow_bgbb)
{
    if (strcmp(s, "bgnbd") == 0)
        return B2B2C_FORECAST_BGNBD;
    if (strcmp(s, "pnbd") == 0)
        return B2B2C_FORECAST_PNBD;
    if (allow_bgbb && strcmp(s, "bgbb") == 0)
        return B2B2C_FORECAST_BGBB;
    return 0;
}

static int bins_arg(const cli_opt *o, const char *name, size_t dflt,
                    size_t *out)
{
    const char *v = cli_opt_get(o, name);
    int64_t k;
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (cli_parse_int64(v, &k) || k < 1 || k > MAX_BINS)
        return cli_usage_error("--%s: must be a whole number in [1, %d]",
                               name, MAX_BINS);
    *out = (size_t)k;
    return 0;
}

/* frequency label of bin k of n: "k", and "k+" for the last */
static const char *bin_label(char *buf, size_t n, size_t k, size_t nbins)
{
    snprintf(buf, n, "%zu%s", k, k + 1 == nbins ? "+" : "");
    return buf;
}

/* ---- histogram ------------------------------------------------------------ */

int cli_fc_histogram(int argc, char **argv)
{
    cli_opt o[] = {{"model", NULL, 1},           {"summary", NULL, 0},
                   {"transactions", NULL, 0},    {"calibration-end", NULL, 0},
                   {"unit", NULL, 0},            {"bins", NULL, 0},
                   {"format", NULL, 0},          {NULL, NULL, 0}};
    static const char *const cols[] = {"frequency", "actual", "expected"};
    cli_fc_data d;
    b2b2c_ctx *ctx = NULL;
    double p[4], *expect = NULL, *actual = NULL, total = 0, rest;
    int32_t st;
    size_t nb;
    int model, rc, json;
    cli_table t;
    char lab[32];

    memset(&d, 0, sizeof(d));
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0 ||
        (rc = cli_format_parse(o, &json)) != 0 ||
        (rc = bins_arg(o, "bins", 8, &nb)) != 0)
        return rc;
    if (!(model = model_arg(cli_opt_get(o, "model"), 1)))
        return cli_usage_error("--model: must be bgnbd, pnbd or bgbb");
    if ((rc = cli_fc_load(&d, o, model)) != 0)
        goto out;
    if (b2b2c_ctx_new(&ctx, NULL, NULL)) {
        rc = cli_data_error("cannot create a context");
        goto out;
    }
    rc = b2b2c_forecast_fit(p, 4, NULL, NULL, &st, ctx, model, d.x, d.tx,
                            d.T, d.has_w ? d.w : NULL, d.n, 0, 0);
    if (rc) {
        rc = cli_data_error("%s: %s", d.path, b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    if (st != B2B2C_FIT_CONVERGED)
        fprintf(stderr, "b2b2c: warning: the fit is not clean: %s\n",
                b2b2c_fit_status_name(st));
    expect = calloc(nb, sizeof(double));
    actual = calloc(nb, sizeof(double));
    if (!expect || !actual) {
        rc = cli_data_error("out of memory");
        goto out;
    }
    if ((rc = b2b2c_forecast_frequency_counts(expect, nb, ctx, model, p, 4,
                                              d.T, d.has_w ? d.w : NULL,
                                              d.n)) != 0) {
        rc = cli_data_error("%s: %s", d.path, b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    for (size_t i = 0; i < d.n; i++) {
        double w = d.has_w ? d.w[i] : 1;
        size_t k = d.x[i] >= (double)(nb - 1) ? nb - 1 : (size_t)d.x[i];
        actual[k] += w;
        total += w;
    }
    /* the last bin is "nb - 1 or more": what the first ones leave */
    rest = total;
    for (size_t k = 0; k + 1 < nb; k++)
        rest -= expect[k];
    expect[nb - 1] = rest > 0 ? rest : 0;
    cli_table_begin(&t, json, cols, 3);
    for (size_t k = 0; k < nb; k++) {
        cli_table_str(&t, bin_label(lab, sizeof lab, k, nb));
        cli_table_num(&t, actual[k], CLI_COUNT);
        cli_table_num(&t, expect[k], CLI_RATE);
    }
    cli_table_end(&t);
out:
    free(expect);
    free(actual);
    b2b2c_ctx_free(ctx);
    cli_fc_data_free(&d);
    return rc;
}

/* ---- holdout -------------------------------------------------------------- */

typedef struct hold_in {
    b2b2c_forecaster *f;
    b2b2c_ctx *ctx;
    int64_t end;
} hold_in;

/* every purchase up to the end of the holdout period */
static int hold_push(const cli_csv *c, const char *id, int64_t sec,
                     double amount, void *u)
{
    hold_in *h = u;
    int lrc;
    if (sec >= h->end)
        return 0;
    if ((lrc = b2b2c_forecaster_add_purchase(h->f, id, B2B2C_SEGMENT_UNKNOWN,
                                             sec, amount,
                                             B2B2C_FORECAST_KIND_PRODUCT)) != 0)
        return cli_fc_row_error(c, id, "%s (%s)", b2b2c_ctx_errmsg(h->ctx),
                                b2b2c_strerror(lrc));
    return 0;
}

static int day_end(const cli_opt *o, const char *name, int64_t *out)
{
    int64_t t;
    if (cli_parse_time(cli_opt_get(o, name), &t))
        return cli_usage_error("--%s: not a date: '%s'", name,
                               cli_opt_get(o, name));
    if (t > INT64_MAX - 2 * 86400)
        return cli_usage_error("--%s: too far in the future", name);
    /* the day given counts: the period ends at the end of it */
    *out = (cli_fc_day_floor(t) + 1) * 86400;
    return 0;
}

int cli_fc_holdout(int argc, char **argv)
{
    cli_opt o[] = {{"transactions", NULL, 1}, {"calibration-end", NULL, 1},
                   {"holdout-end", NULL, 1},  {"model", NULL, 0},
                   {"unit", NULL, 0},         {"bins", NULL, 0},
                   {"format", NULL, 0},       {NULL, NULL, 0}};
    static const char *const cols[] = {"frequency", "customers", "actual",
                                       "predicted"};
    b2b2c_ctx *ctx = NULL;
    b2b2c_forecaster *f = NULL;
    double unit = 7, *act = NULL, *pred = NULL, *cnt = NULL;
    int64_t cal, hold;
    int model = B2B2C_FORECAST_BGNBD, rc, r, json;
    int32_t st;
    size_t nb;
    hold_in h;
    cli_table t;
    char lab[32];

    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0 ||
        (rc = cli_format_parse(o, &json)) != 0 ||
        (rc = bins_arg(o, "bins", 8, &nb)) != 0 ||
        (rc = day_end(o, "calibration-end", &cal)) != 0 ||
        (rc = day_end(o, "holdout-end", &hold)) != 0)
        return rc;
    if (hold <= cal)
        return cli_usage_error("--holdout-end: must be after "
                               "--calibration-end");
    if (cli_opt_get(o, "model") &&
        !(model = model_arg(cli_opt_get(o, "model"), 0)))
        return cli_usage_error("--model: must be bgnbd or pnbd");
    if (cli_opt_get(o, "unit") &&
        (rc = cli_fc_parse_unit(cli_opt_get(o, "unit"), &unit)) != 0)
        return rc;
    if (b2b2c_ctx_new(&ctx, NULL, NULL) || b2b2c_forecaster_new(&f, ctx)) {
        rc = cli_data_error("cannot create a forecaster");
        goto out;
    }
    if (b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MODEL, model) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_UNIT_DAYS, unit)) {
        rc = cli_data_error("%s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    h.f = f;
    h.ctx = ctx;
    h.end = hold;
    if ((rc = cli_fc_each_txn(cli_opt_get(o, "transactions"), hold_push,
                              &h)) != 0)
        goto out;
    if ((r = b2b2c_forecaster_fit(&st, f, -1, cal)) != 0) {
        rc = cli_data_error("%s: %s (%s)", cli_opt_get(o, "transactions"),
                            b2b2c_ctx_errmsg(ctx), b2b2c_strerror(r));
        goto out;
    }
    if (st != B2B2C_FIT_CONVERGED)
        fprintf(stderr, "b2b2c: warning: the fit is not clean: %s\n",
                b2b2c_fit_status_name(st));
    act = calloc(nb, sizeof(double));
    pred = calloc(nb, sizeof(double));
    cnt = calloc(nb, sizeof(double));
    if (!act || !pred || !cnt) {
        rc = cli_data_error("out of memory");
        goto out;
    }
    if ((r = b2b2c_forecaster_holdout(act, pred, cnt, nb, f, -1, cal,
                                      hold)) != 0) {
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(r));
        goto out;
    }
    cli_table_begin(&t, json, cols, 4);
    for (size_t k = 0; k < nb; k++) {
        cli_table_str(&t, bin_label(lab, sizeof lab, k, nb));
        cli_table_num(&t, cnt[k], CLI_COUNT);
        cli_table_num(&t, cnt[k] > 0 ? act[k] : NAN, CLI_RATE);
        cli_table_num(&t, cnt[k] > 0 ? pred[k] : NAN, CLI_RATE);
    }
    cli_table_end(&t);
out:
    free(act);
    free(pred);
    free(cnt);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    return rc;
}
