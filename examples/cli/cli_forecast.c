/* SPDX-License-Identifier: MIT */
/* b2b2c forecast: fit BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma on a
 * customer summary (or a transaction log) and predict per customer.
 * The JSON and CSV shapes printed here are a contract (docs/forecaster.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_forecast.h"

static const char usage[] =
    "usage: b2b2c forecast fit --model bgnbd|pnbd|bgbb|gg --summary FILE.csv\n"
    "                          [--l2 PENALTY] [--max-iter N] [--max-seconds S]"
    "\n"
    "       b2b2c forecast fit --model MODEL --transactions FILE.csv\n"
    "                          --calibration-end YYYY-MM-DD "
    "--unit day|week|month\n"
    "       b2b2c forecast predict --model bgnbd|pnbd|bgbb --summary FILE.csv"
    "\n                          --horizon H [--params JSON] [--discount D]"
    "\n                          [--margin M] [--l2 PENALTY] [--max-iter N]"
    "\n                          [--max-seconds S]\n"
    "       (predict also takes --transactions/--calibration-end/--unit)\n"
    "       b2b2c forecast due --transactions FILE.csv --as-of YYYY-MM-DD\n"
    "                          --window DAYS [--model bgnbd|pnbd]\n"
    "                          [--unit day|week|month] [--min-p-alive P]\n"
    "                          [--min-intervals K] [--max-iter N]\n"
    "                          [--max-seconds S]\n"
    "       b2b2c forecast histogram --model bgnbd|pnbd|bgbb (--summary FILE.csv\n"
    "                          | --transactions ...) [--bins K]\n"
    "       b2b2c forecast holdout --transactions FILE.csv\n"
    "                          --calibration-end DATE --holdout-end DATE\n"
    "                          [--model bgnbd|pnbd] [--unit U] [--bins K]\n"
    "       every one takes [--format csv|json]\n\n"
    "Summary CSV: header with frequency, recency, T (BG/BB: periods),\n"
    "optional monetary_value and weight (lifetimes' names weights,\n"
    "n_periods and the _cal names also work); the first column is the id.\n"
    "A column that looks like a misspelt one is an error, other columns\n"
    "get a warning. monetary_value 0 (free repeat purchases) is left out\n"
    "of the Gamma-Gamma fit.\n"
    "Transactions CSV: customer_id,date,amount (date YYYY-MM-DD; amount\n"
    ">= 0: a $0 purchase counts as a transaction, a refund is an error).\n"
    "fit prints {\"model\":..,\"params\":{..},\"loglik\":..,\"iterations\":..,"
    "\"status\":..,\n"
    "\"converged\":..,\"unit\":..,\"se\":{..},\"ci95\":{..}}: status converged,\n"
    "max_iter, stalled or boundary (a parameter ran off to 0 or infinity: the\n"
    "model is not identified on this data); converged is true only for\n"
    "converged; unit is\n"
    "day, week or month with --transactions, period with --summary (the unit\n"
    "of its T column). A fit that is not converged prints a warning on\n"
    "stderr, here and in predict and due (exit 0). --max-iter: iteration\n"
    "budget per fit (default 1000); --max-seconds: stop a fit that runs\n"
    "longer (exit 1, nothing printed). se: the parameters' standard\n"
    "errors (inverse observed information), ci95: p +- 1.96 se; both\n"
    "null for a penalised (--l2) or unclean fit.\n"
    "fit --format csv prints param,value,se,ci95_low,ci95_high instead.\n"
    "predict prints CSV id,expected_purchases,p_alive,expected_spend,clv\n"
    "(fitting first when --params is not given; expected_spend and clv are\n"
    "empty without monetary_value; clv = margin * spend * discounted\n"
    "expected purchases over H periods, discount per period, default 0,\n"
    "margin default 1).\n"
    "due fits the model on the purchases up to the end of the --as-of day\n"
    "(same-day purchases merge; unit default week) and prints CSV\n"
    "id,due_date,p_alive,expected_value: customers whose next purchase is\n"
    "due by as-of + DAYS (the median of their own gaps with K of them,\n"
    "default 3, else the model's mean gap) with P(alive) >= P (default\n"
    "0.5), highest expected revenue in the window first; rows dated after\n"
    "--as-of are ignored.\n"
    "histogram fits the model and prints frequency,actual,expected: how many\n"
    "customers made 0, 1, ... repeat purchases in calibration, and how many\n"
    "the model expects (FHL 2005 fig. 2); the last of K bins (default 8) is\n"
    "'K-1 or more'.\n"
    "holdout fits at the end of --calibration-end and prints, per\n"
    "calibration frequency, frequency,customers,actual,predicted: the mean\n"
    "repeat purchases to the end of --holdout-end, actual and expected\n"
    "(FHL 2005 fig. 4).\n"
    "predict, due, histogram and holdout print --format json as a JSON\n"
    "array of objects.\n"
    "Numbers: money with 2 decimals, probabilities and expected purchases\n"
    "with 4; fitted parameters with 17 significant digits (they read back\n"
    "exactly through --params).\n";

static int model_from(const char *s)
{
    for (int32_t m = B2B2C_FORECAST_BGNBD; m <= B2B2C_FORECAST_GG; m++)
        if (strcmp(s, b2b2c_forecast_param_name(m, -1)) == 0)
            return m;
    return 0;
}

/* A library error on the loaded rows: "PATH:LINE: message (customer
 * 'ID'; code)" when the message names a row ("name[i]" or "row i"), else
 * "PATH: message (code)". */
static int lib_error(b2b2c_ctx *ctx, int rc, const cli_fc_data *d)
{
    const char *msg = b2b2c_ctx_errmsg(ctx);
    const char *br = strchr(msg, '['), *row = strstr(msg, "row ");
    const char *at = br ? br + 1 : row ? row + 4 : NULL;
    if (at && *at >= '0' && *at <= '9' && d->line) {
        size_t i = (size_t)strtoull(at, NULL, 10);
        if (i < d->n && d->line[i] > 0)
            return cli_data_error("%s:%ld: %s (customer '%s'%s; %s)",
                                  d->path, d->line[i], msg, d->id[i],
                                  d->from_txn ? ", at its first row" : "",
                                  b2b2c_strerror(rc));
    }
    return cli_data_error("%s: %s (%s)", d->path ? d->path : "input", msg,
                          b2b2c_strerror(rc));
}

/* Repeat buyers whose mean repeat spend is 0: Gamma-Gamma leaves them out
 * of its fit (its likelihood needs m > 0). Say so on stderr, naming the
 * first; `what` tells what happens to their spend. */
static void note_zero_spend(const cli_fc_data *d, const char *what)
{
    size_t k = 0, first = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->x[i] > 0 && d->m[i] == 0 && d->w[i] > 0 && k++ == 0)
            first = i;
    if (k == 0)
        return;
    fprintf(stderr,
            "b2b2c: %s:%ld: note: %zu customer%s with repeat purchases but "
            "monetary_value 0 left out of the Gamma-Gamma fit (first: "
            "customer '%s'%s)%s\n",
            d->path, d->line[first], k, k == 1 ? "" : "s", d->id[first],
            d->from_txn ? ", at its first row" : "", what);
}

static int parse_l2(const cli_opt *o, double *l2)
{
    const char *s = cli_opt_get(o, "l2");
    *l2 = 0;
    if (s && (cli_parse_double(s, l2) || *l2 < 0))
        return cli_usage_error("--l2: must be a number >= 0");
    return 0;
}

/* ---- fit budget and status ------------------------------------------------ */

/* --max-iter and --max-seconds: the iteration budget goes to the fit, the
 * time budget is a progress handler on the context that reads the clock
 * (the library never does). */
typedef struct budget {
    int32_t max_iter;   /* 0: the library's default */
    double max_seconds; /* 0: none */
    struct timespec start;
    int tty;            /* stderr is a terminal: show progress */
    double shown;       /* seconds at the last progress line; 0: none */
} budget;

static int parse_budget(const cli_opt *o, budget *b)
{
    const char *mi = cli_opt_get(o, "max-iter");
    const char *ms = cli_opt_get(o, "max-seconds");
    double v;
    memset(b, 0, sizeof(*b));
    if (mi) {
        if (cli_parse_double(mi, &v) || !(v >= 1 && v <= 1000000) ||
            v != floor(v))
            return cli_usage_error("--max-iter: must be a whole number in "
                                   "[1, 1000000]");
        b->max_iter = (int32_t)v;
    }
    if (ms) {
        if (cli_parse_double(ms, &v) || !(v > 0 && v <= 1e7))
            return cli_usage_error("--max-seconds: must be a number of "
                                   "seconds in (0, 1e7]");
        b->max_seconds = v;
    }
    return 0;
}

/* The progress handler: stop past --max-seconds; on a terminal, from the
 * first second on, say every half second how long the fit has run (on
 * one line of stderr, cleared by budget_stop). */
static int over_time(void *u)
{
    budget *b = u;
    struct timespec now;
    double t;
    clock_gettime(CLOCK_MONOTONIC, &now);
    t = (double)(now.tv_sec - b->start.tv_sec) +
        (double)(now.tv_nsec - b->start.tv_nsec) * 1e-9;
    if (b->tty && t >= 1.0 && t - b->shown >= 0.5) {
        fprintf(stderr, "\rb2b2c: fitting... %.1f s", t);
        fflush(stderr);
        b->shown = t;
    }
    return b->max_seconds > 0 && t > b->max_seconds;
}

/* Start the clock and install the handler (about every 100000 rows
 * evaluated, a few milliseconds of work): for --max-seconds, and for the
 * progress line when stderr is a terminal. */
static void budget_start(b2b2c_ctx *ctx, budget *b)
{
    b->tty = isatty(STDERR_FILENO);
    b->shown = 0;
    if (!(b->max_seconds > 0) && !b->tty)
        return;
    clock_gettime(CLOCK_MONOTONIC, &b->start);
    b2b2c_ctx_set_progress_handler(ctx, 100000, over_time, b);
}

/* Clear the progress line, if one was shown. */
static void budget_stop(budget *b)
{
    if (b->shown > 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        b->shown = 0;
    }
}

static int interrupted(const budget *b)
{
    return cli_data_error("--max-seconds %g: the fit took longer and was "
                          "stopped (%s); nothing was printed",
                          b->max_seconds,
                          b2b2c_strerror(B2B2C_EINTERRUPTED));
}

static const char *status_why(int32_t st)
{
    switch (st) {
    case B2B2C_FIT_MAX_ITER:
        return "the iteration budget ran out (raise --max-iter)";
    case B2B2C_FIT_STALLED:
        return "the line search stalled before the gradient test was met";
    case B2B2C_FIT_BOUNDARY:
        return "a parameter ran off towards 0 or infinity: the model is not "
               "identified on this data, the parameters are not estimates";
    default:
        return "unknown status";
    }
}

/* The stderr warning for a fit that did not converge cleanly; `what` names
 * the fit ("the bgnbd fit", "the gg fit of the stored model"). */
static void warn_status(const char *what, int32_t st)
{
    const char *name = b2b2c_fit_status_name(st);
    if (st == B2B2C_FIT_CONVERGED)
        return;
    fprintf(stderr, "b2b2c: warning: %s did not converge: %s: %s\n", what,
            name ? name : "?", status_why(st));
}

static void warn_model(int model, int32_t st)
{
    char what[64];
    snprintf(what, sizeof(what), "the %s fit",
             b2b2c_forecast_param_name(model, -1));
    warn_status(what, st);
}

/* fit `model` (GG: on x and m); returns 0 or a CLI exit code; warns on
 * stderr when the fit is not clean */
/* allow_nodata: B2B2C_ENODATA from Gamma-Gamma (no repeat buyer with
 * spend > 0) is returned unprinted, for a caller that goes on without
 * spend */
static int fit(b2b2c_ctx *ctx, int model, const cli_fc_data *d, double l2,
               budget *b, int allow_nodata, double *p, double *ll,
               int32_t *it, int32_t *st)
{
    int rc = model == B2B2C_FORECAST_GG
                 ? b2b2c_forecast_gg_fit(p, 4, ll, it, st, ctx, d->x, d->m,
                                         d->w, d->n, l2, b->max_iter)
                 : b2b2c_forecast_fit(p, 4, ll, it, st, ctx, model, d->x,
                                      d->tx, d->T, d->w, d->n, l2,
                                      b->max_iter);
    budget_stop(b);
    if (rc == B2B2C_EINTERRUPTED)
        return interrupted(b);
    if (rc == B2B2C_ENODATA && model == B2B2C_FORECAST_GG && allow_nodata)
        return rc; /* the caller says why spend is missing */
    if (rc)
        return lib_error(ctx, rc, d);
    warn_model(model, *st);
    return 0;
}

/* se: the standard errors, or NULL when there are none (a penalised or
 * unconverged fit, or the information not positive definite): "se" and
 * "ci95" are then null. The interval is the Wald one, p +- 1.959964 se, as
 * lifetimes' summary prints it (forecast.h). */
static void print_fit(int model, const double *p, const double *se,
                      double ll, int32_t it, int32_t st, const char *unit)
{
    int np = b2b2c_forecast_nparams(model);
    printf("{\"model\":\"%s\",\"params\":{",
           b2b2c_forecast_param_name(model, -1));
    for (int i = 0; i < np; i++)
        printf("%s\"%s\":%.17g", i ? "," : "",
               b2b2c_forecast_param_name(model, i), p[i]);
    printf("},\"loglik\":%.17g,\"iterations\":%d,\"status\":\"%s\","
           "\"converged\":%s,\"unit\":\"%s\"",
           ll, (int)it, b2b2c_fit_status_name(st),
           st == B2B2C_FIT_CONVERGED ? "true" : "false", unit);
    if (!se) {
        printf(",\"se\":null,\"ci95\":null}\n");
        return;
    }
    printf(",\"se\":{");
    for (int i = 0; i < np; i++)
        printf("%s\"%s\":%.17g", i ? "," : "",
               b2b2c_forecast_param_name(model, i), se[i]);
    printf("},\"ci95\":{");
    for (int i = 0; i < np; i++)
        printf("%s\"%s\":[%.17g,%.17g]", i ? "," : "",
               b2b2c_forecast_param_name(model, i), p[i] - 1.959964 * se[i],
               p[i] + 1.959964 * se[i]);
    printf("}}\n");
}

/* The same as a CSV table param,value,se,ci95_low,ci95_high (17 digits:
 * the values read back exactly; se and the interval empty when there are
 * none). */
static void print_fit_csv(int model, const double *p, const double *se)
{
    int np = b2b2c_forecast_nparams(model);
    printf("param,value,se,ci95_low,ci95_high\n");
    for (int i = 0; i < np; i++) {
        printf("%s,%.17g", b2b2c_forecast_param_name(model, i), p[i]);
        if (se)
            printf(",%.17g,%.17g,%.17g\n", se[i], p[i] - 1.959964 * se[i],
                   p[i] + 1.959964 * se[i]);
        else
            printf(",,,\n");
    }
}

/* Standard errors of a plain (l2 = 0), converged fit into se; 0, or -1
 * (when the library could not give them, a note on stderr says why). */
static int fit_stderr(b2b2c_ctx *ctx, int model, const cli_fc_data *d,
                      double l2, const double *p, int32_t st, double *se)
{
    int rc;
    if (l2 != 0 || st != B2B2C_FIT_CONVERGED)
        return -1; /* not a maximum of the likelihood: null, silently */
    rc = model == B2B2C_FORECAST_GG
             ? b2b2c_forecast_gg_stderr(se, NULL, ctx, p, 4, d->x, d->m,
                                        d->w, d->n)
             : b2b2c_forecast_stderr(se, NULL, ctx, model, p, 4, d->x, d->tx,
                                     d->T, d->w, d->n);
    if (rc) {
        fprintf(stderr, "b2b2c: note: no standard errors: %s\n",
                b2b2c_ctx_errmsg(ctx));
        return -1;
    }
    return 0;
}

/* The unit the fit's times are in: the --unit name, or "period" for a
 * summary (whatever unit its T column is in). */
static const char *unit_name(const cli_opt *o)
{
    const char *u = cli_opt_get(o, "unit");
    return cli_opt_get(o, "transactions") && u ? u : "period";
}

static int cmd_fit(int argc, char **argv)
{
    cli_opt o[] = {{"model", NULL, 1},           {"summary", NULL, 0},
                   {"transactions", NULL, 0},    {"calibration-end", NULL, 0},
                   {"unit", NULL, 0},            {"l2", NULL, 0},
                   {"max-iter", NULL, 0},        {"max-seconds", NULL, 0},
                   {"format", NULL, 0},          {NULL, NULL, 0}};
    cli_fc_data d;
    b2b2c_ctx *ctx = NULL;
    budget bu;
    double p[4], se[4], ll, l2;
    int32_t it, st;
    int model, rc, csv = 0;
    const char *fmt;

    memset(&d, 0, sizeof(d));
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0)
        return rc;
    /* a fit is one JSON object by default; --format csv: its parameter
     * table */
    if ((fmt = cli_opt_get(o, "format")) != NULL &&
        !(csv = strcmp(fmt, "csv") == 0) && strcmp(fmt, "json") != 0)
        return cli_usage_error("--format: must be csv or json (got '%s')",
                               fmt);
    if (!(model = model_from(cli_opt_get(o, "model"))))
        return cli_usage_error("--model: must be bgnbd, pnbd, bgbb or gg");
    if ((rc = parse_l2(o, &l2)) != 0 || (rc = parse_budget(o, &bu)) != 0)
        return rc;
    if ((rc = cli_fc_load(&d, o, model)) != 0)
        goto out;
    if (b2b2c_ctx_new(&ctx, NULL, NULL)) {
        rc = cli_data_error("cannot create a context");
        goto out;
    }
    budget_start(ctx, &bu);
    if ((rc = fit(ctx, model, &d, l2, &bu, 0, p, &ll, &it, &st)) != 0)
        goto out;
    if (model == B2B2C_FORECAST_GG)
        note_zero_spend(&d, "");
    if (csv)
        print_fit_csv(model, p,
                      fit_stderr(ctx, model, &d, l2, p, st, se) == 0 ? se
                                                                     : NULL);
    else
        print_fit(model, p,
                  fit_stderr(ctx, model, &d, l2, p, st, se) == 0 ? se : NULL,
                  ll, it, st, unit_name(o));
out:
    b2b2c_ctx_free(ctx);
    cli_fc_data_free(&d);
    return rc;
}

/* Read "name": number pairs from a JSON object (the fit output or a bare
 * params object). Returns 1 when found. */
static int json_num(const char *js, const char *name, double *out)
{
    char key[32];
    const char *s = js;
    snprintf(key, sizeof(key), "\"%s\"", name);
    while ((s = strstr(s, key)) != NULL) {
        char *end;
        const char *q = s + strlen(key);
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
        if (*q == ':') {
            q++;
            *out = strtod(q, &end);
            if (end != q && isfinite(*out))
                return 1;
            return -1;
        }
        s += strlen(key);
    }
    return 0;
}

/* The "status" string of a fit's JSON given to --params: a warning when
 * it is there and not "converged". */
static void warn_params_status(const char *js)
{
    const char *s = strstr(js, "\"status\"");
    char val[32];
    size_t n = 0;
    if (!s)
        return;
    s += 8;
    while (*s == ' ' || *s == ':' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s++ != '"')
        return;
    while (s[n] && s[n] != '"' && n + 1 < sizeof(val)) {
        val[n] = s[n];
        n++;
    }
    val[n] = '\0';
    if (strcmp(val, "converged") != 0)
        fprintf(stderr,
                "b2b2c: warning: the fit given in --params did not "
                "converge: %s\n",
                val);
}

static int cmd_predict(int argc, char **argv)
{
    cli_opt o[] = {{"model", NULL, 1},        {"summary", NULL, 0},
                   {"transactions", NULL, 0}, {"calibration-end", NULL, 0},
                   {"unit", NULL, 0},         {"horizon", NULL, 1},
                   {"params", NULL, 0},       {"discount", NULL, 0},
                   {"margin", NULL, 0},       {"l2", NULL, 0},
                   {"max-iter", NULL, 0},     {"max-seconds", NULL, 0},
                   {"format", NULL, 0},       {NULL, NULL, 0}};
    cli_fc_data d;
    b2b2c_ctx *ctx = NULL;
    budget bu;
    double p[4], gp[4], H, disc = 0, margin = 1, l2, ll;
    double *e = NULL, *pa = NULL, *sp = NULL, *clv = NULL;
    int32_t it, st;
    int model, rc, have_p = 0, have_gp = 0, json;
    const char *js;
    static const char *const cols[] = {"id", "expected_purchases", "p_alive",
                                       "expected_spend", "clv"};
    cli_table t;

    memset(&d, 0, sizeof(d));
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0 ||
        (rc = cli_format_parse(o, &json)) != 0)
        return rc;
    model = model_from(cli_opt_get(o, "model"));
    if (!model || model == B2B2C_FORECAST_GG)
        return cli_usage_error("--model: must be bgnbd, pnbd or bgbb "
                               "(gg is fitted from monetary_value)");
    if (cli_parse_double(cli_opt_get(o, "horizon"), &H) || !(H >= 1) ||
        H != floor(H) || H > 100000)
        return cli_usage_error("--horizon: must be a whole number of "
                               "periods, 1..100000");
    if (cli_opt_get(o, "discount") &&
        (cli_parse_double(cli_opt_get(o, "discount"), &disc) || disc < 0 ||
         disc >= 10))
        return cli_usage_error("--discount: must be a rate per period in "
                               "[0, 10)");
    if (cli_opt_get(o, "margin") &&
        (cli_parse_double(cli_opt_get(o, "margin"), &margin) || margin < 0 ||
         margin > 1))
        return cli_usage_error("--margin: must be in [0, 1]");
    if ((rc = parse_l2(o, &l2)) != 0 || (rc = parse_budget(o, &bu)) != 0)
        return rc;
    if ((js = cli_opt_get(o, "params")) != NULL) {
        int np = b2b2c_forecast_nparams(model), k = 0;
        for (int i = 0; i < np; i++) {
            int f = json_num(js, b2b2c_forecast_param_name(model, i), &p[i]);
            if (f < 0)
                return cli_usage_error("--params: bad number for '%s'",
                                       b2b2c_forecast_param_name(model, i));
            k += f;
        }
        if (k != np)
            return cli_usage_error("--params: needs every %s parameter",
                                   b2b2c_forecast_param_name(model, -1));
        have_p = 1;
        k = 0;
        for (int i = 0; i < 3; i++)
            k += json_num(js, b2b2c_forecast_param_name(B2B2C_FORECAST_GG,
                                                        i),
                          &gp[i]) == 1;
        have_gp = k == 3;
        warn_params_status(js);
    }
    if ((rc = cli_fc_load(&d, o, model)) != 0)
        goto out;
    if (d.n == 0) {
        rc = cli_data_error("no customers in the input");
        goto out;
    }
    if (b2b2c_ctx_new(&ctx, NULL, NULL)) {
        rc = cli_data_error("cannot create a context");
        goto out;
    }
    budget_start(ctx, &bu);
    if (!have_p &&
        (rc = fit(ctx, model, &d, l2, &bu, 0, p, &ll, &it, &st)) != 0)
        goto out;
    e = malloc(sizeof(double) * d.n);
    pa = malloc(sizeof(double) * d.n);
    sp = malloc(sizeof(double) * d.n);
    clv = malloc(sizeof(double) * d.n);
    if (!e || !pa || !sp || !clv) {
        rc = cli_data_error("out of memory");
        goto out;
    }
    if ((rc = b2b2c_forecast_predict(e, pa, NULL, ctx, model, p, 4, d.x,
                                     d.tx, d.T, d.n, H)) != 0) {
        rc = lib_error(ctx, rc, &d);
        goto out;
    }
    if (d.has_m && !have_gp &&
        (rc = fit(ctx, B2B2C_FORECAST_GG, &d, l2, &bu, 1, gp, &ll,
                  &it, &st)) == B2B2C_ENODATA) {
        /* no repeat buyer with spend > 0: predict purchases, say why
         * spend is missing rather than fail or invent a value */
        fprintf(stderr, "b2b2c: %s: warning: expected_spend and clv are "
                        "empty: no customer with frequency > 0 and "
                        "monetary_value > 0 to fit Gamma-Gamma on\n",
                d.path);
        d.has_m = 0;
        rc = 0;
    } else if (d.has_m && !have_gp && rc) {
        goto out;
    }
    if (d.has_m) {
        if (!have_gp)
            note_zero_spend(&d, "; their expected_spend is Fader, Hardie "
                                "& Lee 2005 eq. 5 at m = 0");
        if ((rc = b2b2c_forecast_gg_spend(sp, ctx, gp, 3, d.x, d.m, d.n)) ||
            (rc = b2b2c_forecast_clv(clv, ctx, model, p, 4, d.x, d.tx, d.T,
                                     sp, d.n, H, disc, margin))) {
            rc = lib_error(ctx, rc, &d);
            goto out;
        }
    }
    cli_table_begin(&t, json, cols, 5);
    for (size_t i = 0; i < d.n; i++) {
        cli_table_str(&t, d.id[i]);
        cli_table_num(&t, e[i], CLI_RATE);
        cli_table_num(&t, pa[i], CLI_RATE);
        cli_table_num(&t, d.has_m ? sp[i] : NAN, CLI_MONEY);
        cli_table_num(&t, d.has_m ? clv[i] : NAN, CLI_MONEY);
    }
    cli_table_end(&t);
out:
    free(e);
    free(pa);
    free(sp);
    free(clv);
    b2b2c_ctx_free(ctx);
    cli_fc_data_free(&d);
    return rc;
}

/* ---- due ------------------------------------------------------------------ */

typedef struct due_out {
    cli_table t;
    int json, started;
} due_out;

static const char *const due_cols[] = {"id", "due_date", "p_alive",
                                       "expected_value"};

static int due_row(const char *id, int64_t due_time, double p_alive,
                   double expected_value, void *payload)
{
    char d[64];
    due_out *o = payload;
    if (!o->started) { /* begun once the list exists: nothing on failure */
        cli_table_begin(&o->t, o->json, due_cols, 4);
        o->started = 1;
    }
    cli_format_date(d, sizeof d, due_time);
    cli_table_str(&o->t, id);
    cli_table_str(&o->t, d);
    cli_table_num(&o->t, p_alive, CLI_RATE);
    cli_table_num(&o->t, expected_value, CLI_MONEY);
    return 0;
}

typedef struct due_in {
    b2b2c_forecaster *f;
    b2b2c_ctx *ctx;
    int64_t end;
} due_in;

/* Record one row as a product purchase (rows after --as-of are skipped). */
static int due_push(const cli_csv *c, const char *id, int64_t sec,
                    double amount, void *u)
{
    due_in *d = u;
    int lrc;
    if (sec >= d->end)
        return 0;
    if ((lrc = b2b2c_forecaster_add_purchase(d->f, id, B2B2C_SEGMENT_UNKNOWN,
                                             sec, amount,
                                             B2B2C_FORECAST_KIND_PRODUCT)) != 0)
        return cli_fc_row_error(c, id, "%s (%s)", b2b2c_ctx_errmsg(d->ctx),
                                b2b2c_strerror(lrc));
    return 0;
}

static int opt_num(const cli_opt *o, const char *name, double lo, double hi,
                   double *out)
{
    const char *v = cli_opt_get(o, name);
    if (!v)
        return 0;
    if (cli_parse_double(v, out) || !(*out >= lo && *out <= hi))
        return cli_usage_error("--%s: must be a number in [%g, %g]", name, lo,
                               hi);
    return 0;
}

static int cmd_due(int argc, char **argv)
{
    cli_opt o[] = {{"transactions", NULL, 1}, {"as-of", NULL, 1},
                   {"window", NULL, 1},       {"model", NULL, 0},
                   {"unit", NULL, 0},         {"min-p-alive", NULL, 0},
                   {"min-intervals", NULL, 0}, {"max-iter", NULL, 0},
                   {"max-seconds", NULL, 0},   {"format", NULL, 0},
                   {NULL, NULL, 0}};
    b2b2c_ctx *ctx = NULL;
    b2b2c_forecaster *f = NULL;
    budget bu;
    int32_t mst, gst;
    due_in du;
    const char *ms, *us;
    double window, unit = 7, model = 1, minpa = 0.5, minint = 3;
    int64_t asof, end;
    int r, rc;
    due_out out;

    memset(&out, 0, sizeof(out));
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0 ||
        (rc = cli_format_parse(o, &out.json)) != 0)
        return rc;
    if (cli_parse_time(cli_opt_get(o, "as-of"), &asof))
        return cli_usage_error("--as-of: not a date: '%s'",
                               cli_opt_get(o, "as-of"));
    if (cli_parse_double(cli_opt_get(o, "window"), &window) ||
        !(window > 0 && window <= 3660))
        return cli_usage_error("--window: must be a number of days in "
                               "(0, 3660]");
    if ((ms = cli_opt_get(o, "model")) != NULL) {
        model = model_from(ms);
        if (model != B2B2C_FORECAST_BGNBD && model != B2B2C_FORECAST_PNBD)
            return cli_usage_error("--model: must be bgnbd or pnbd");
    }
    if ((us = cli_opt_get(o, "unit")) != NULL &&
        (rc = cli_fc_parse_unit(us, &unit)) != 0)
        return rc;
    if ((rc = opt_num(o, "min-p-alive", 0, 1, &minpa)) != 0 ||
        (rc = opt_num(o, "min-intervals", 1, 1000, &minint)) != 0)
        return rc;
    if (minint != floor(minint))
        return cli_usage_error("--min-intervals: must be a whole number");
    if ((rc = parse_budget(o, &bu)) != 0)
        return rc;
    /* the as-of day counts: fit and answer at the end of it */
    if (asof > INT64_MAX - 2 * 86400)
        return cli_usage_error("--as-of: too far in the future");
    end = (cli_fc_day_floor(asof) + 1) * 86400;
    if (b2b2c_ctx_new(&ctx, NULL, NULL) || b2b2c_forecaster_new(&f, ctx)) {
        rc = cli_data_error("cannot create a forecaster");
        goto out;
    }
    if (b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MODEL, model) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_UNIT_DAYS, unit) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MIN_P_ALIVE, minpa) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MIN_INTERVALS,
                                   minint) ||
        (bu.max_iter &&
         b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MAX_ITER,
                                    bu.max_iter))) {
        rc = cli_data_error("%s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    du.f = f;
    du.ctx = ctx;
    du.end = end;
    if ((rc = cli_fc_each_txn(cli_opt_get(o, "transactions"), due_push,
                              &du)) != 0)
        goto out;
    budget_start(ctx, &bu);
    r = b2b2c_forecaster_fit(NULL, f, -1, end);
    budget_stop(&bu);
    if (r != 0) {
        rc = r == B2B2C_EINTERRUPTED
                 ? interrupted(&bu)
                 : cli_data_error("%s: %s (%s)",
                                  cli_opt_get(o, "transactions"),
                                  b2b2c_ctx_errmsg(ctx), b2b2c_strerror(r));
        goto out;
    }
    if (b2b2c_forecaster_fit_params(NULL, NULL, NULL, NULL, &mst, &gst, f,
                                    -1) == 0) {
        warn_model((int)model, mst);
        warn_model(B2B2C_FORECAST_GG, gst);
    }
    if ((r = b2b2c_forecaster_due(f, end, window, due_row, &out)) != 0) {
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(r));
    } else {
        if (!out.started)
            cli_table_begin(&out.t, out.json, due_cols, 4);
        cli_table_end(&out.t);
    }
out:
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("forecast needs 'fit', 'predict', 'due', "
                               "'histogram' or 'holdout' (try 'b2b2c help "
                               "forecast')");
    if (cli_db_refuse("forecast"))
        return CLI_EUSAGE;
    if (strcmp(argv[1], "fit") == 0)
        return cmd_fit(argc, argv);
    if (strcmp(argv[1], "predict") == 0)
        return cmd_predict(argc, argv);
    if (strcmp(argv[1], "due") == 0)
        return cmd_due(argc, argv);
    if (strcmp(argv[1], "histogram") == 0)
        return cli_fc_histogram(argc, argv);
    if (strcmp(argv[1], "holdout") == 0)
        return cli_fc_holdout(argc, argv);
    return cli_usage_error("forecast: unknown action '%s' (fit, predict, "
                           "due, histogram or holdout)",
                           argv[1]);
}

const cli_command cli_cmd_forecast = {
    "forecast", "fit customer-base models (BG/NBD, Pareto/NBD, BG/BB, "
                "Gamma-Gamma) and predict repeat purchases and CLV",
    usage, run};
