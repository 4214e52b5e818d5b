/* SPDX-License-Identifier: MIT */
/* b2b2c programs reorders: the reorder due list of the dealers (or points)
 * from their sell-in, and of professional B2B customers from a file of
 * their orders, in one list, most late first (issue 17). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_programs.h"

static const char *const COLS[] = {
    "kind",       "id",        "orders",  "last_order",
    "median_interval", "due",  "days_since", "days_late",
    "overdue",    "exceeded",  "expected_units", "expected_amount"};

typedef struct rrow {
    const char *kind;
    char *id;
    double f[B2B2C_PROGRAMS_R_NFIELDS];
} rrow;

typedef struct rlist {
    rrow *v;
    size_t n, cap;
} rlist;

static int add_row(rlist *r, const char *kind, const char *id,
                   const double *f, size_t nf)
{
    rrow *x;
    if (cli_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
        return -1;
    x = &r->v[r->n];
    x->kind = kind;
    if (!(x->id = strdup(id)))
        return -1;
    for (size_t i = 0; i < B2B2C_PROGRAMS_R_NFIELDS; i++)
        x->f[i] = i < nf ? f[i] : NAN;
    r->n++;
    return 0;
}

static void free_rows(rlist *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].id);
    free(r->v);
}

typedef struct dctx {
    rlist *r;
    const char *kind;
} dctx;

static int on_due(const char *id, const double *f, size_t n, void *u)
{
    dctx *d = u;
    return add_row(d->r, d->kind, id, f, n) ? B2B2C_ENOMEM : 0;
}

/* The library's order: most late first, then the ID (then the kind:
 * a customer may share a dealer's ID). */
static int cmp_row(const void *pa, const void *pb)
{
    const rrow *a = pa, *b = pb;
    double x = a->f[B2B2C_PROGRAMS_R_DAYS_LATE];
    double y = b->f[B2B2C_PROGRAMS_R_DAYS_LATE];
    int c;
    if (x != y)
        return x > y ? -1 : 1;
    if ((c = strcmp(a->id, b->id)) != 0)
        return c;
    return strcmp(a->kind, b->kind);
}

/* One customer's orders, as the file gave them. */
typedef struct cust {
    char *id;
    int64_t *t, *u, *m;
    size_t n, cap;
    long line; /* its first line, for messages */
} cust;

static int cmp_cust_id(const void *pa, const void *pb)
{
    return strcmp(((const cust *)pa)->id, ((const cust *)pb)->id);
}

static void free_custs(cust *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].id);
        free(c[i].t);
        free(c[i].u);
        free(c[i].m);
    }
    free(c);
}

/* Read --customers (customer_id,time,units,amount; a customer's lines may
 * be anywhere in the file) and list the customers due in the window. */
static int customers(cli_pg *l, const char *path, int64_t now, int32_t window,
                     rlist *r)
{
    static const char *const names[] = {"customer_id", "time", "units",
                                        "amount", NULL};
    cust *cs = NULL;
    size_t nc = 0, capc = 0;
    cli_csv c;
    int cols[4], rc = 0, st = CLI_OK;

    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    if (cli_csv_known(&c, names)) {
        cli_csv_close(&c);
        return CLI_EDATA;
    }
    for (int i = 0; i < 4; i++)
        if (cli_csv_need(&c, names[i], &cols[i])) {
            cli_csv_close(&c);
            return CLI_EDATA;
        }
    /* customers found by a linear scan of the last one first: files are
     * usually grouped by customer; then sorted by ID once at the end */
    while (st == CLI_OK && (rc = cli_csv_next(&c)) == 1) {
        const char *id = cli_csv_field(&c, cols[0]);
        int64_t t, u, m;
        cust *k = NULL;
        if (cli_parse_time(cli_csv_field(&c, cols[1]), &t)) {
            st = cli_csv_error(&c, "time: not a date or time");
            break;
        }
        if (cli_parse_int64(cli_csv_field(&c, cols[2]), &u)) {
            st = cli_csv_error(&c, "units: not a whole number");
            break;
        }
        if (cli_pg_money(cli_csv_field(&c, cols[3]), l->scale,
                                     &m)) {
            st = cli_csv_error(&c, "amount: not money with at most "
                                   "--minor-digits decimals");
            break;
        }
        for (size_t i = nc; i-- > 0;)
            if (strcmp(cs[i].id, id) == 0) {
                k = &cs[i];
                break;
            }
        if (!k) {
            if (cli_grow((void **)&cs, &capc, nc + 1, sizeof(*cs))) {
                st = cli_data_error("out of memory");
                break;
            }
            k = &cs[nc];
            memset(k, 0, sizeof(*k));
            k->line = c.line;
            if (!(k->id = strdup(id))) {
                st = cli_data_error("out of memory");
                break;
            }
            nc++;
        }
        if (k->n == k->cap) {
            size_t cap = k->cap ? 2 * k->cap : 8, c1 = k->cap, c2 = k->cap;
            if (cli_grow((void **)&k->t, &c1, cap, sizeof(*k->t)) ||
                cli_grow((void **)&k->u, &c2, cap, sizeof(*k->u)) ||
                cli_grow((void **)&k->m, &k->cap, cap, sizeof(*k->m))) {
                st = cli_data_error("out of memory");
                break;
            }
        }
        k->t[k->n] = t;
        k->u[k->n] = u;
        k->m[k->n++] = m;
    }
    if (rc < 0)
        st = CLI_EDATA;
    if (st == CLI_OK && nc > 1)
        qsort(cs, nc, sizeof(*cs), cmp_cust_id);
    for (size_t i = 0; st == CLI_OK && i < nc; i++) {
        double f[B2B2C_PROGRAMS_R_NFIELDS];
        double late;
        rc = b2b2c_programs_reorder_of(f, B2B2C_PROGRAMS_R_NFIELDS, l->h,
                                       cs[i].t, cs[i].u, cs[i].m, cs[i].n,
                                       now);
        if (rc) {
            /* the message's index is the customer's own line: name the
             * customer and its first line too */
            st = cli_data_error("%s: customer '%s' (from line %ld): %s",
                                path, cs[i].id, cs[i].line,
                                b2b2c_ctx_errmsg(l->ctx));
            break;
        }
        late = f[B2B2C_PROGRAMS_R_DAYS_LATE];
        if (!isnan(late) && late >= -(double)window &&
            add_row(r, "customer", cs[i].id, f, B2B2C_PROGRAMS_R_NFIELDS))
            st = cli_data_error("out of memory");
    }
    free_custs(cs, nc);
    cli_csv_close(&c);
    return st;
}

static void print_rows(const rlist *r, int json, double scale)
{
    cli_table t;
    char buf[32];
    cli_table_begin(&t, json, COLS, sizeof(COLS) / sizeof(COLS[0]));
    for (size_t i = 0; i < r->n; i++) {
        const double *f = r->v[i].f;
        cli_table_str(&t, r->v[i].kind);
        cli_table_str(&t, r->v[i].id);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_ORDERS], CLI_COUNT);
        cli_format_date(buf, sizeof(buf),
                        (int64_t)f[B2B2C_PROGRAMS_R_LAST_ORDER]);
        cli_table_str(&t, buf);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL], CLI_RATE);
        cli_format_date(buf, sizeof(buf), (int64_t)f[B2B2C_PROGRAMS_R_DUE]);
        cli_table_str(&t, buf);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_DAYS_SINCE], CLI_COUNT);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_DAYS_LATE], CLI_COUNT);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_OVERDUE], CLI_COUNT);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_EXCEEDED], CLI_RATE);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_EXPECTED_UNITS], CLI_RATE);
        cli_table_num(&t, f[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT] / scale,
                      CLI_MONEY);
    }
    cli_table_end(&t);
}

int cli_programs_reorders(int argc, char **argv)
{
    cli_opt opts[] = {{"now", NULL, 1},          {"window", NULL, 0},
                      {"by", NULL, 0},           {"product-line", NULL, 0},
                      {"min-orders", NULL, 0},   {"margin", NULL, 0},
                      {"customers", NULL, 0},    {"dealers", NULL, 0},
                      {"points", NULL, 0},       {"lines", NULL, 0},
                      {"minor-digits", NULL, 0}, {"format", NULL, 0},
                      {NULL, NULL, 0}};
    const char *by, *s;
    int64_t now, window = 0;
    int32_t scope = B2B2C_PROGRAMS_BY_DEALER;
    rlist r = {0};
    dctx d;
    cli_pg l = {0};
    int json, st, rc;

    if (cli_parse_opts(argc, argv, 2, opts) || cli_format_parse(opts, &json))
        return CLI_EUSAGE;
    if (cli_parse_time(cli_opt_get(opts, "now"), &now))
        return cli_usage_error("--now: not a date or time");
    if ((s = cli_opt_get(opts, "window")) != NULL &&
        (cli_parse_int64(s, &window) || window < 0 ||
         window > B2B2C_PROGRAMS_REORDER_WINDOW_MAX))
        return cli_usage_error("--window: a whole number of days in 0..%d",
                               B2B2C_PROGRAMS_REORDER_WINDOW_MAX);
    by = cli_opt_get(opts, "by");
    if (by && strcmp(by, "point") == 0)
        scope = B2B2C_PROGRAMS_BY_POINT;
    else if (by && strcmp(by, "dealer") != 0)
        return cli_usage_error("--by: dealer or point, not '%s'", by);
    if ((st = cli_pg_open(&l, opts, NULL)) != CLI_OK ||
        (st = cli_pg_set_param(
             &l, opts, "min-orders",
             B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS)) != CLI_OK ||
        (st = cli_pg_set_param(&l, opts, "margin",
                                     B2B2C_PROGRAMS_PARAM_REORDER_MARGIN)) !=
            CLI_OK) {
        cli_pg_close(&l);
        return st;
    }
    d.r = &r;
    d.kind = scope == B2B2C_PROGRAMS_BY_DEALER ? "dealer" : "point";
    rc = b2b2c_programs_reorders(l.h, scope, cli_opt_get(opts, "product-line"),
                                 now, (int32_t)window, on_due, &d);
    if (rc)
        st = cli_data_error("programs reorders: %s",
                            rc == B2B2C_ENOMEM ? "out of memory"
                                               : b2b2c_ctx_errmsg(l.ctx));
    if (st == CLI_OK && (s = cli_opt_get(opts, "customers")) != NULL)
        st = customers(&l, s, now, (int32_t)window, &r);
    if (st == CLI_OK) {
        if (r.n > 1)
            qsort(r.v, r.n, sizeof(*r.v), cmp_row);
        print_rows(&r, json, l.scale);
    }
    free_rows(&r);
    cli_pg_close(&l);
    return st;
}
