/* b2b2c forecast: fit BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma on a
 * customer summary (or a transaction log) and predict per customer.
 * The JSON and CSV shapes printed here are a contract (docs/forecaster.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The UTC day of Unix time t, rounded down. Not -((-t + 86399) / 86400):
 * negating INT64_MIN is undefined. */
static int64_t day_floor(int64_t t)
{
    return t / 86400 - (t % 86400 < 0);
}

static const char usage[] =
    "usage: b2b2c forecast fit --model bgnbd|pnbd|bgbb|gg --summary FILE.csv\n"
    "                          [--l2 PENALTY]\n"
    "       b2b2c forecast fit --model MODEL --transactions FILE.csv\n"
    "                          --calibration-end YYYY-MM-DD "
    "--unit day|week|month\n"
    "       b2b2c forecast predict --model bgnbd|pnbd|bgbb --summary FILE.csv"
    "\n                          --horizon H [--params JSON] [--discount D]"
    "\n                          [--margin M] [--l2 PENALTY]\n"
    "       (predict also takes --transactions/--calibration-end/--unit)\n"
    "       b2b2c forecast due --transactions FILE.csv --as-of YYYY-MM-DD\n"
    "                          --window DAYS [--model bgnbd|pnbd]\n"
    "                          [--unit day|week|month] [--min-p-alive P]\n"
    "                          [--min-intervals K]\n\n"
    "Summary CSV: header with frequency, recency, T (BG/BB: periods),\n"
    "optional monetary_value and weight; other columns are ignored.\n"
    "Transactions CSV: customer_id,date,amount (date YYYY-MM-DD).\n"
    "fit prints {\"model\":..,\"params\":{..},\"loglik\":..,\"iterations\":..,"
    "\"converged\":..}.\n"
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
    "--as-of are ignored.\n";

typedef struct data {
    size_t n, cap;
    double *x, *tx, *T, *m, *w;
    char **id;
    long *line;
    int has_m, has_w;
} data;

static void data_free(data *d)
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

static int data_push(data *d, const char *id, long line, double x, double tx,
                     double T, double m, double w)
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

static int model_from(const char *s)
{
    for (int32_t m = B2B2C_FORECAST_BGNBD; m <= B2B2C_FORECAST_GG; m++)
        if (strcmp(s, b2b2c_forecast_param_name(m, -1)) == 0)
            return m;
    return 0;
}

/* Row checks with the library's rules, so errors carry the line. */
static int check_row(const cli_csv *c, int model, double x, double tx,
                     double T, double m, int has_m, double w)
{
    if (x < 0 || x != floor(x))
        return cli_csv_error(c, "frequency: must be a whole number >= 0");
    if (w < 0)
        return cli_csv_error(c, "weight: must be >= 0");
    if (has_m && m < 0)
        return cli_csv_error(c, "monetary_value: must be >= 0");
    if (model == B2B2C_FORECAST_GG) {
        if (x > 0 && !(m > 0))
            return cli_csv_error(c, "monetary_value: must be > 0 when "
                                    "frequency > 0");
        return 0;
    }
    if (has_m && x > 0 && !(m > 0))
        return cli_csv_error(c, "monetary_value: must be > 0 when "
                                "frequency > 0");
    if (!(T > 0))
        return cli_csv_error(c, "%s: must be > 0",
                             model == B2B2C_FORECAST_BGBB ? "periods" : "T");
    if (tx < 0)
        return cli_csv_error(c, "recency: must be >= 0");
    if (tx > T)
        return cli_csv_error(c, "recency: must be <= %s",
                             model == B2B2C_FORECAST_BGBB ? "periods" : "T");
    if (x == 0 && tx != 0)
        return cli_csv_error(c, "recency: must be 0 when frequency is 0");
    if (model == B2B2C_FORECAST_BGBB) {
        if (tx != floor(tx) || T != floor(T))
            return cli_csv_error(c, "recency and periods: must be whole "
                                    "numbers for bgbb");
        if (x > tx)
            return cli_csv_error(c, "frequency: must be <= recency for "
                                    "bgbb");
    } else if (x > 0 && tx == 0) {
        return cli_csv_error(c, "recency: must be > 0 when frequency > 0");
    }
    return 0;
}

static int num(const cli_csv *c, int col, const char *name, double *out)
{
    const char *s = cli_csv_field(c, col);
    if (cli_parse_double(s, out))
        return cli_csv_error(c, "%s: not a number: '%s'", name, s);
    return 0;
}

static int read_summary(data *d, const char *path, int model)
{
    cli_csv c;
    int cf, cr, cT, cm, cw, rc = 0, r;
    const char *tname = model == B2B2C_FORECAST_BGBB ? "periods" : "T";

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    cf = cli_csv_col(&c, "frequency");
    cr = cli_csv_col(&c, "recency");
    cT = cli_csv_col(&c, tname);
    cm = cli_csv_col(&c, "monetary_value");
    cw = cli_csv_col(&c, "weight");
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
        if ((rc = num(&c, cf, "frequency", &x)) ||
            (cr >= 0 && (rc = num(&c, cr, "recency", &tx))) ||
            (cT >= 0 && (rc = num(&c, cT, tname, &T))) ||
            (cm >= 0 && (rc = num(&c, cm, "monetary_value", &m))) ||
            (cw >= 0 && (rc = num(&c, cw, "weight", &w))))
            break;
        if ((rc = check_row(&c, model, x, tx, T, m, d->has_m, w)))
            break;
        if (data_push(d, cli_csv_field(&c, 0), c.line, x, tx, T, m, w)) {
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
} txn;

static int txn_cmp(const void *a, const void *b)
{
    const txn *u = a, *v = b;
    int c = strcmp(u->id, v->id);
    if (c)
        return c;
    return u->day < v->day ? -1 : u->day > v->day;
}

static int parse_unit(const char *s, double *unit)
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

/* One parsed row of a transactions CSV (customer_id non-empty, date,
 * amount >= 0); a non-zero return stops the reading and is returned. */
typedef int (*txn_row_fn)(const cli_csv *c, const char *id, int64_t sec,
                          double amount, void *u);

/* Read `path` (customer_id,date,amount) row by row; bad rows give
 * PATH:LINE: reason (CLI_EDATA). */
static int each_txn(const char *path, txn_row_fn fn, void *u)
{
    cli_csv c;
    int ci, cd, ca, r, rc = 0;
    if (cli_csv_open(&c, path))
        return CLI_EDATA;
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
            rc = cli_csv_error(&c, "date: not a date: '%s'", ds);
            break;
        }
        if ((rc = num(&c, ca, "amount", &amt)))
            break;
        if (amt < 0) {
            rc = cli_csv_error(&c, "amount: must be >= 0");
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
    (void)c;
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
    b->t[b->n].day = day_floor(sec);
    b->t[b->n].amount = amount;
    b->n++;
    return 0;
}

/* Build (x, t_x, T, monetary) per customer at the calibration end, the way
 * the papers do: purchases on the same day merge into one transaction; x
 * counts repeat purchase days; t_x and T are measured from the first
 * purchase day in `unit` days; monetary_value is the mean of the repeat
 * days' totals. Customers whose first purchase is on or after the
 * calibration end (T = 0) are left out. */
static int read_transactions(data *d, const char *path, const char *end_s,
                             const char *unit_s, int model)
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
    end_day = day_floor(end_sec);
    if ((rc = parse_unit(unit_s, &unit)) != 0)
        return rc;
    rc = each_txn(path, txn_push, &b);
    t = b.t;
    n = b.n;
    if (!rc) {
        if (n > 1) /* t is NULL with no rows: qsort(NULL, 0) is undefined */
            qsort(t, n, sizeof(txn), txn_cmp);
        d->has_m = 1;
        for (size_t i = 0; i < n && !rc;) {
            size_t j = i;
            int64_t first = t[i].day, last = first, prev = first;
            double x = 0, sum = 0, daysum = 0;
            while (j < n && strcmp(t[j].id, t[i].id) == 0)
                j++;
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
                if (data_push(d, t[i].id, 0, x, tx, T, x > 0 ? sum / x : 0,
                              1))
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

static int load(data *d, const cli_opt *o, int model)
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

static int lib_error(b2b2c_ctx *ctx, int rc, const data *d)
{
    const char *msg = b2b2c_ctx_errmsg(ctx);
    const char *br = strchr(msg, '[');
    /* map "name[i]" to the input line where there is one */
    if (br && d->line) {
        size_t i = (size_t)strtoull(br + 1, NULL, 10);
        if (i < d->n && d->line[i] > 0)
            return cli_data_error("line %ld: %s (%s)", d->line[i], msg,
                                  b2b2c_strerror(rc));
    }
    return cli_data_error("%s (%s)", msg, b2b2c_strerror(rc));
}

static int parse_l2(const cli_opt *o, double *l2)
{
    const char *s = cli_opt_get(o, "l2");
    *l2 = 0;
    if (s && (cli_parse_double(s, l2) || *l2 < 0))
        return cli_usage_error("--l2: must be a number >= 0");
    return 0;
}

/* fit `model` (GG: on x and m); returns 0 or a CLI exit code */
static int fit(b2b2c_ctx *ctx, int model, const data *d, double l2,
               double *p, double *ll, int32_t *it, int32_t *conv)
{
    int rc = model == B2B2C_FORECAST_GG
                 ? b2b2c_forecast_gg_fit(p, 4, ll, it, conv, ctx, d->x, d->m,
                                         d->w, d->n, l2)
                 : b2b2c_forecast_fit(p, 4, ll, it, conv, ctx, model, d->x,
                                      d->tx, d->T, d->w, d->n, l2);
    return rc ? lib_error(ctx, rc, d) : 0;
}

static void print_fit(int model, const double *p, double ll, int32_t it,
                      int32_t conv)
{
    int np = b2b2c_forecast_nparams(model);
    printf("{\"model\":\"%s\",\"params\":{",
           b2b2c_forecast_param_name(model, -1));
    for (int i = 0; i < np; i++)
        printf("%s\"%s\":%.17g", i ? "," : "",
               b2b2c_forecast_param_name(model, i), p[i]);
    printf("},\"loglik\":%.17g,\"iterations\":%d,\"converged\":%s}\n", ll,
           (int)it, conv ? "true" : "false");
}

static int cmd_fit(int argc, char **argv)
{
    cli_opt o[] = {{"model", NULL, 1},           {"summary", NULL, 0},
                   {"transactions", NULL, 0},    {"calibration-end", NULL, 0},
                   {"unit", NULL, 0},            {"l2", NULL, 0},
                   {NULL, NULL, 0}};
    data d;
    b2b2c_ctx *ctx = NULL;
    double p[4], ll, l2;
    int32_t it, conv;
    int model, rc;

    memset(&d, 0, sizeof(d));
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0)
        return rc;
    if (!(model = model_from(cli_opt_get(o, "model"))))
        return cli_usage_error("--model: must be bgnbd, pnbd, bgbb or gg");
    if ((rc = parse_l2(o, &l2)) != 0)
        return rc;
    if ((rc = load(&d, o, model)) != 0)
        goto out;
    if (b2b2c_ctx_new(&ctx, NULL, NULL)) {
        rc = cli_data_error("cannot create a context");
        goto out;
    }
    if ((rc = fit(ctx, model, &d, l2, p, &ll, &it, &conv)) != 0)
        goto out;
    print_fit(model, p, ll, it, conv);
out:
    b2b2c_ctx_free(ctx);
    data_free(&d);
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

static int cmd_predict(int argc, char **argv)
{
    cli_opt o[] = {{"model", NULL, 1},        {"summary", NULL, 0},
                   {"transactions", NULL, 0}, {"calibration-end", NULL, 0},
                   {"unit", NULL, 0},         {"horizon", NULL, 1},
                   {"params", NULL, 0},       {"discount", NULL, 0},
                   {"margin", NULL, 0},       {"l2", NULL, 0},
                   {NULL, NULL, 0}};
    data d;
    b2b2c_ctx *ctx = NULL;
    double p[4], gp[4], H, disc = 0, margin = 1, l2, ll;
    double *e = NULL, *pa = NULL, *sp = NULL, *clv = NULL;
    int32_t it, conv;
    int model, rc, have_p = 0, have_gp = 0;
    const char *js;

    memset(&d, 0, sizeof(d));
    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0)
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
    if ((rc = parse_l2(o, &l2)) != 0)
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
    }
    if ((rc = load(&d, o, model)) != 0)
        goto out;
    if (d.n == 0) {
        rc = cli_data_error("no customers in the input");
        goto out;
    }
    if (b2b2c_ctx_new(&ctx, NULL, NULL)) {
        rc = cli_data_error("cannot create a context");
        goto out;
    }
    if (!have_p && (rc = fit(ctx, model, &d, l2, p, &ll, &it, &conv)) != 0)
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
    if (d.has_m) {
        if (!have_gp &&
            (rc = fit(ctx, B2B2C_FORECAST_GG, &d, l2, gp, &ll, &it, &conv)))
            goto out;
        if ((rc = b2b2c_forecast_gg_spend(sp, ctx, gp, 3, d.x, d.m, d.n)) ||
            (rc = b2b2c_forecast_clv(clv, ctx, model, p, 4, d.x, d.tx, d.T,
                                     sp, d.n, H, disc, margin))) {
            rc = lib_error(ctx, rc, &d);
            goto out;
        }
    }
    printf("id,expected_purchases,p_alive,expected_spend,clv\n");
    for (size_t i = 0; i < d.n; i++) {
        const char *id = d.id[i];
        if (strpbrk(id, ",\"\r\n")) { /* RFC 4180 quoting */
            putchar('"');
            for (const char *s = id; *s; s++) {
                if (*s == '"')
                    putchar('"');
                putchar(*s);
            }
            putchar('"');
        } else {
            fputs(id, stdout);
        }
        if (d.has_m)
            printf(",%.10g,%.10g,%.10g,%.10g\n", e[i], pa[i], sp[i], clv[i]);
        else
            printf(",%.10g,%.10g,,\n", e[i], pa[i]);
    }
out:
    free(e);
    free(pa);
    free(sp);
    free(clv);
    b2b2c_ctx_free(ctx);
    data_free(&d);
    return rc;
}

/* ---- due ------------------------------------------------------------------ */

static void civil_date(char *buf, size_t n, int64_t t)
{
    /* Hinnant's civil_from_days on the UTC day of t */
    int64_t z = day_floor(t) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, n, "%04lld-%02lld-%02lld",
             (long long)(yoe + era * 400 + (m <= 2)), (long long)m,
             (long long)d);
}

static int due_row(const char *id, int64_t due_time, double p_alive,
                   double expected_value, void *payload)
{
    char d[64];
    int *header = payload;
    if (!*header) { /* printed once the list exists: nothing on failure */
        printf("id,due_date,p_alive,expected_value\n");
        *header = 1;
    }
    civil_date(d, sizeof d, due_time);
    printf("%s,%s,%.6g,%.6g\n", id, d, p_alive, expected_value);
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
                                             B2B2C_KIND_PRODUCT)) != 0)
        return cli_csv_error(c, "%s (%s)",
                             b2b2c_ctx_errmsg(d->ctx),
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
                   {"min-intervals", NULL, 0}, {NULL, NULL, 0}};
    b2b2c_ctx *ctx = NULL;
    b2b2c_forecaster *f = NULL;
    due_in du;
    const char *ms, *us;
    double window, unit = 7, model = 1, minpa = 0.5, minint = 3;
    int64_t asof, end;
    int r, rc, header = 0;

    if ((rc = cli_parse_opts(argc, argv, 2, o)) != 0)
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
        (rc = parse_unit(us, &unit)) != 0)
        return rc;
    if ((rc = opt_num(o, "min-p-alive", 0, 1, &minpa)) != 0 ||
        (rc = opt_num(o, "min-intervals", 1, 1000, &minint)) != 0)
        return rc;
    if (minint != floor(minint))
        return cli_usage_error("--min-intervals: must be a whole number");
    /* the as-of day counts: fit and answer at the end of it */
    if (asof > INT64_MAX - 2 * 86400)
        return cli_usage_error("--as-of: too far in the future");
    end = (day_floor(asof) + 1) * 86400;
    if (b2b2c_ctx_new(&ctx, NULL, NULL) || b2b2c_forecaster_new(&f, ctx)) {
        rc = cli_data_error("cannot create a forecaster");
        goto out;
    }
    if (b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MODEL, model) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_UNIT_DAYS, unit) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MIN_P_ALIVE, minpa) ||
        b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MIN_INTERVALS,
                                   minint)) {
        rc = cli_data_error("%s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    du.f = f;
    du.ctx = ctx;
    du.end = end;
    if ((rc = each_txn(cli_opt_get(o, "transactions"), due_push, &du)) != 0)
        goto out;
    if ((r = b2b2c_forecaster_fit(NULL, f, -1, end)) != 0) {
        rc = cli_data_error("%s: %s (%s)", cli_opt_get(o, "transactions"),
                            b2b2c_ctx_errmsg(ctx), b2b2c_strerror(r));
        goto out;
    }
    if ((r = b2b2c_forecaster_due(f, end, window, due_row, &header)) != 0)
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(r));
    else if (!header)
        printf("id,due_date,p_alive,expected_value\n");
out:
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("forecast needs 'fit', 'predict' or 'due' (try "
                               "'b2b2c help forecast')");
    if (strcmp(argv[1], "fit") == 0)
        return cmd_fit(argc, argv);
    if (strcmp(argv[1], "predict") == 0)
        return cmd_predict(argc, argv);
    if (strcmp(argv[1], "due") == 0)
        return cmd_due(argc, argv);
    return cli_usage_error("forecast: unknown action '%s' (fit, predict or "
                           "due)",
                           argv[1]);
}

const cli_command cli_cmd_forecast = {
    "forecast", "fit customer-base models (BG/NBD, Pareto/NBD, BG/BB, "
                "Gamma-Gamma) and predict repeat purchases and CLV",
    usage, run};
