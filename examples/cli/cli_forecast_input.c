/* SPDX-License-Identifier: MIT */
/* b2b2c forecast: reading the input, a customer summary CSV or a
 * transaction log reduced to one (cli_forecast.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_forecast.h"

/* The UTC day of Unix time t, rounded down. Not -((-t + 86399) / 86400):
 * negating INT64_MIN is undefined. */
int64_t cli_fc_day_floor(int64_t t)
{
    return t / 86400 - (t % 86400 < 0);
}

void cli_fc_data_free(cli_fc_data *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->id[i]);
    free(d->x);
    free(d->tx);
    free(d->T);
    free(d->m);
    free(d->w);
    free(d->id);
    free(d->line);
    memset(d, 0, sizeof(*d));
}

static int data_push(cli_fc_data *d, const char *id, long line, double x,
                     double tx, double T, double m, double w)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? 2 * d->cap : 1024;
        double **arrs[5] = {&d->x, &d->tx, &d->T, &d->m, &d->w};
        for (int k = 0; k < 5; k++) {
            double *p = realloc(*arrs[k], nc * sizeof(double));
            if (!p)
                return -1;
            *arrs[k] = p;
        }
        {
            char **p = realloc(d->id, nc * sizeof(char *));
            if (!p)
                return -1;
            d->id = p;
        }
        {
            long *p = realloc(d->line, nc * sizeof(long));
            if (!p)
                return -1;
            d->line = p;
        }
        d->cap = nc;
    }
    d->id[d->n] = malloc(strlen(id) + 1);
    if (!d->id[d->n])
        return -1;
    strcpy(d->id[d->n], id);
    d->line[d->n] = line;
    d->x[d->n] = x;
    d->tx[d->n] = tx;
    d->T[d->n] = T;
    d->m[d->n] = m;
    d->w[d->n] = w;
    d->n++;
    return 0;
}

int cli_fc_row_error(const cli_csv *c, const char *id, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!*id)
        return cli_csv_error(c, "%s", msg);
    return cli_csv_error(c, "%s (customer '%s')", msg, id);
}

/* Row checks with the library's rules, so errors carry the line. A
 * monetary_value of 0 with frequency > 0 (free repeat purchases) is
 * accepted: Gamma-Gamma leaves the row out of its fit. */
static int check_row(const cli_csv *c, const char *id, int model, double x,
                     double tx, double T, double m, int has_m, double w)
{
    const char *tn = model == B2B2C_FORECAST_BGBB ? "periods" : "T";
    if (x < 0 || x != floor(x))
        return cli_fc_row_error(c, id,
                                "frequency: must be a whole number >= 0");
    if (w < 0)
        return cli_fc_row_error(c, id, "weight: must be >= 0");
    if (has_m && m < 0)
        return cli_fc_row_error(c, id, "monetary_value: must be >= 0");
    if (model == B2B2C_FORECAST_GG)
        return 0;
    if (!(T > 0))
        return cli_fc_row_error(c, id, "%s: must be > 0", tn);
    if (tx < 0)
        return cli_fc_row_error(c, id, "recency: must be >= 0");
    if (tx > T)
        return cli_fc_row_error(c, id, "recency: must be <= %s", tn);
    if (x == 0 && tx != 0)
        return cli_fc_row_error(c, id,
                                "recency: must be 0 when frequency is 0");
    if (model == B2B2C_FORECAST_BGBB) {
        if (tx != floor(tx) || T != floor(T))
            return cli_fc_row_error(c, id, "recency and periods: must be "
                                           "whole numbers for bgbb");
        if (x > tx)
            return cli_fc_row_error(c, id, "frequency: must be <= recency "
                                           "for bgbb");
    } else if (x > 0 && tx == 0) {
        return cli_fc_row_error(c, id,
                                "recency: must be > 0 when frequency > 0");
    }
    return 0;
}

static int num(const cli_csv *c, const char *id, int col, const char *name,
               double *out)
{
    const char *s = cli_csv_field(c, col);
    if (cli_parse_double(s, out))
        return cli_fc_row_error(c, id, "%s: not a number: '%s'", name, s);
    return 0;
}

/* The summary columns with lifetimes' names for the same things: its
 * BG/BB fitter's n_periods and weights, and calibration_and_holdout_data's
 * *_cal columns (the calibration-period summary). */
enum { COL_F, COL_R, COL_T, COL_P, COL_M, COL_W };
static const cli_colname summary_cols[] = {
    {"frequency", {"frequency_cal", NULL}},
    {"recency", {"recency_cal", NULL}},
    {"T", {"T_cal", NULL}},
    {"periods", {"n_periods", NULL}},
    {"monetary_value", {"monetary_value_cal", NULL}},
    {"weight", {"weights", NULL}},
    {NULL, {NULL, NULL}}};

static int read_summary(cli_fc_data *d, const char *path, int model)
{
    cli_csv c;
    int cf, cr, cT, cm, cw, rc = 0, r;
    const char *tname = model == B2B2C_FORECAST_BGBB ? "periods" : "T";

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    d->path = path;
    if ((rc = cli_csv_check_columns(&c, summary_cols, 0)) != 0) {
        cli_csv_close(&c);
        return rc;
    }
    cf = cli_csv_col_named(&c, &summary_cols[COL_F]);
    cr = cli_csv_col_named(&c, &summary_cols[COL_R]);
    cT = cli_csv_col_named(&c, &summary_cols[model == B2B2C_FORECAST_BGBB
                                                  ? COL_P
                                                  : COL_T]);
    cm = cli_csv_col_named(&c, &summary_cols[COL_M]);
    cw = cli_csv_col_named(&c, &summary_cols[COL_W]);
    if (cf < 0 || (model != B2B2C_FORECAST_GG && (cr < 0 || cT < 0)) ||
        (model == B2B2C_FORECAST_GG && cm < 0)) {
        c.line = 1;
        rc = cli_csv_error(&c, "missing column '%s'",
                           cf < 0 ? "frequency"
                           : model == B2B2C_FORECAST_GG ? "monetary_value"
                           : cr < 0 ? "recency"
                                    : tname);
        cli_csv_close(&c);
        return rc;
    }
    d->has_m = cm >= 0;
    d->has_w = cw >= 0;
    while ((r = cli_csv_next(&c)) == 1) {
        double x, tx = 0, T = 0, m = 0, w = 1;
        const char *id = cli_csv_field(&c, 0);
        if ((rc = num(&c, id, cf, "frequency", &x)) ||
            (cr >= 0 && (rc = num(&c, id, cr, "recency", &tx))) ||
            (cT >= 0 && (rc = num(&c, id, cT, tname, &T))) ||
            (cm >= 0 && (rc = num(&c, id, cm, "monetary_value", &m))) ||
            (cw >= 0 && (rc = num(&c, id, cw, "weight", &w))))
            break;
        if ((rc = check_row(&c, id, model, x, tx, T, m, d->has_m, w)))
            break;
        if (data_push(d, id, c.line, x, tx, T, m, w)) {
            rc = cli_data_error("out of memory");
            break;
        }
    }
    if (r < 0)
        rc = CLI_EDATA;
    cli_csv_close(&c);
    return rc;
}

/* ---- transaction log to summary --------------------------------------------- */

typedef struct txn {
    char *id;
    int64_t day;
    double amount;
    long line;
} txn;

static int txn_cmp(const void *a, const void *b)
{
    const txn *u = a, *v = b;
    int c = strcmp(u->id, v->id);
    if (c)
        return c;
    return u->day < v->day ? -1 : u->day > v->day;
}

int cli_fc_parse_unit(const char *s, double *unit)
{
    if (strcmp(s, "day") == 0)
        *unit = 1;
    else if (strcmp(s, "week") == 0)
        *unit = 7;
    else if (strcmp(s, "month") == 0)
        *unit = 365.25 / 12;
    else
        return cli_usage_error("--unit: must be day, week or month");
    return 0;
}

int cli_fc_each_txn(const char *path, cli_fc_txn_fn fn, void *u)
{
    static const cli_colname cols[] = {{"customer_id", {NULL, NULL}},
                                       {"date", {NULL, NULL}},
                                       {"amount", {NULL, NULL}},
                                       {NULL, {NULL, NULL}}};
    cli_csv c;
    int ci, cd, ca, r, rc = 0;
    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if ((rc = cli_csv_check_columns(&c, cols, -1)) != 0) {
        cli_csv_close(&c);
        return rc;
    }
    ci = cli_csv_col(&c, "customer_id");
    cd = cli_csv_col(&c, "date");
    ca = cli_csv_col(&c, "amount");
    if (ci < 0 || cd < 0 || ca < 0) {
        c.line = 1;
        rc = cli_csv_error(&c, "missing column '%s'",
                           ci < 0 ? "customer_id" : cd < 0 ? "date"
                                                           : "amount");
        cli_csv_close(&c);
        return rc;
    }
    while ((r = cli_csv_next(&c)) == 1) {
        int64_t sec;
        double amt;
        const char *id = cli_csv_field(&c, ci), *ds = cli_csv_field(&c, cd);
        if (!*id) {
            rc = cli_csv_error(&c, "customer_id: empty");
            break;
        }
        if (cli_parse_time(ds, &sec)) {
            rc = cli_fc_row_error(&c, id, "date: not a date: '%s'", ds);
            break;
        }
        if ((rc = num(&c, id, ca, "amount", &amt)))
            break;
        if (amt < 0) {
            rc = cli_fc_row_error(&c, id, "amount: must be >= 0: a refund "
                                          "is not a purchase; net it into "
                                          "the purchase it refunds");
            break;
        }
        if ((rc = fn(&c, id, sec, amt, u)) != 0)
            break;
    }
    if (r < 0)
        rc = CLI_EDATA;
    cli_csv_close(&c);
    return rc;
}

typedef struct txn_buf {
    txn *t;
    size_t n, cap;
} txn_buf;

static int txn_push(const cli_csv *c, const char *id, int64_t sec,
                    double amount, void *u)
{
    txn_buf *b = u;
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 4096;
        txn *p = realloc(b->t, nc * sizeof(txn));
        if (!p)
            return cli_data_error("out of memory");
        b->t = p;
        b->cap = nc;
    }
    b->t[b->n].id = malloc(strlen(id) + 1);
    if (!b->t[b->n].id)
        return cli_data_error("out of memory");
    strcpy(b->t[b->n].id, id);
    b->t[b->n].day = cli_fc_day_floor(sec);
    b->t[b->n].amount = amount;
    b->t[b->n].line = c->line;
    b->n++;
    return 0;
}

/* Build (x, t_x, T, monetary) per customer at the calibration end, the way
 * the papers do: purchases on the same day merge into one transaction; x
 * counts repeat purchase days; t_x and T are measured from the first
 * purchase day in `unit` days; monetary_value is the mean of the repeat
 * days' totals. Customers whose first purchase is on or after the
 * calibration end (T = 0) are left out. */
static int read_transactions(cli_fc_data *d, const char *path,
                             const char *end_s, const char *unit_s, int model)
{
    txn_buf b = {NULL, 0, 0};
    txn *t;
    size_t n;
    int rc;
    int64_t end_sec, end_day;
    double unit;

    if (model == B2B2C_FORECAST_BGBB)
        return cli_usage_error("--transactions is for the continuous-time "
                               "models and gg; give bgbb a --summary");
    if (cli_parse_time(end_s, &end_sec))
        return cli_usage_error("--calibration-end: not a date: '%s'", end_s);
    end_day = cli_fc_day_floor(end_sec);
    if ((rc = cli_fc_parse_unit(unit_s, &unit)) != 0)
        return rc;
    rc = cli_fc_each_txn(path, txn_push, &b);
    t = b.t;
    n = b.n;
    d->path = path;
    d->from_txn = 1;
    if (!rc) {
        if (n > 1) /* t is NULL with no rows: qsort(NULL, 0) is undefined */
            qsort(t, n, sizeof(txn), txn_cmp);
        d->has_m = 1;
        for (size_t i = 0; i < n && !rc;) {
            size_t j = i;
            int64_t first = t[i].day, last = first, prev = first;
            double x = 0, sum = 0, daysum = 0;
            long line = t[i].line;
            while (j < n && strcmp(t[j].id, t[i].id) == 0) {
                if (t[j].line < line)
                    line = t[j].line;
                j++;
            }
            for (size_t k = i; k < j; k++) {
                if (t[k].day > end_day)
                    break;
                if (t[k].day != prev) { /* a new purchase day */
                    if (prev != first)
                        sum += daysum;
                    daysum = 0;
                    x++;
                    prev = last = t[k].day;
                }
                daysum += t[k].amount;
            }
            if (prev != first)
                sum += daysum;
            if (first < end_day) {
                double T = (double)(end_day - first) / unit;
                double tx = (double)(last - first) / unit;
                if (data_push(d, t[i].id, line, x, tx, T,
                              x > 0 ? sum / x : 0, 1))
                    rc = cli_data_error("out of memory");
            }
            i = j;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(t[i].id);
    free(t);
    return rc;
}

int cli_fc_load(cli_fc_data *d, const cli_opt *o, int model)
{
    const char *sum = cli_opt_get(o, "summary");
    const char *tr = cli_opt_get(o, "transactions");
    if (!!sum == !!tr)
        return cli_usage_error("give exactly one of --summary and "
                               "--transactions");
    if (sum) {
        if (cli_opt_get(o, "calibration-end") || cli_opt_get(o, "unit"))
            return cli_usage_error("--calibration-end and --unit go with "
                                   "--transactions");
        return read_summary(d, sum, model);
    }
    if (!cli_opt_get(o, "calibration-end") || !cli_opt_get(o, "unit"))
        return cli_usage_error("--transactions needs --calibration-end and "
                               "--unit");
    return read_transactions(d, tr, cli_opt_get(o, "calibration-end"),
                             cli_opt_get(o, "unit"), model);
}

