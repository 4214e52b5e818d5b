/* SPDX-License-Identifier: MIT */
/*
 * b2b2c demo generate, the dealer network's data (issue 17): each demo
 * dealer's points of sale (a regional chain has four, a shop one or two)
 * sell boilers and water heaters to their customers (sell-out), day by
 * day, with the heating season (boilers peak in October, water heaters
 * barely move), a growth of the dealer's own and its hidden quality; they
 * reorder from the manufacturer (sell-in) on a rhythm of their own (a
 * chain weekly, a shop every two to four weeks) up to a stock target,
 * report their stock weekly, take a few returns from customers, and some
 * stop reordering in the last two months (the reorder due list shows
 * them). Sales are capped by the stock on hand: a point that runs out
 * loses the sale. Two volume bonus programs: a yearly retroactive one on
 * all sell-in money and a quarterly incremental one on boiler units.
 *
 * One xorshift64* stream of its own (Vigna 2016), seeded by the main
 * generator's last draw, so that the rest of the demo is unchanged and the
 * same --seed writes the same lines.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_demo.h"

#define DAY INT64_C(86400)
#define BATCH 8192

static uint64_t st;

static uint64_t rnd64(void)
{
    st ^= st >> 12;
    st ^= st << 25;
    st ^= st >> 27;
    return st * UINT64_C(2685821657736338717);
}
static double unif(void)
{
    return ((double)(rnd64() >> 11) + 0.5) * 0x1.0p-53;
}
static double normal(void)
{
    return sqrt(-2.0 * log(unif())) * cos(6.283185307179586 * unif());
}
/* Poisson(lambda) by Knuth's product of uniforms (lambda is small here:
 * a few units a day). */
static int64_t poisson(double lambda)
{
    double l = exp(-lambda), p = 1.0;
    int64_t k = 0;
    do {
        k++;
        p *= unif();
    } while (p > l && k < 1000);
    return k - 1;
}

/* Product lines: list price in roubles, mean units a day at an average
 * point, the seasonal swing and the day of the year it peaks. */
static const struct {
    const char *id;
    double price, rate, swing, peak;
} LINES[] = {
    {"boilers", 65000, 0.6, 0.6, 288},      /* mid-October */
    {"water-heaters", 18000, 1.2, 0.15, 160}, /* June */
};
#define NLINES 2

/* Lines waiting for one b2b2c_programs_record_batch. */
typedef struct lbuf {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    int32_t kind[BATCH];
    const char *pt[BATCH], *ln[BATCH];
    int64_t t[BATCH], u[BATCH], m[BATCH];
    size_t n;
    long *calls, *lines;
} lbuf;

static int flush(lbuf *b)
{
    int rc;
    if (b->n == 0)
        return 0;
    (*b->calls)++;
    rc = b2b2c_programs_record_batch(b->h, b->kind, b->pt, b->ln, b->t, b->u,
                                     b->m, b->n);
    if (rc)
        return cli_data_error("demo: programs_record_batch: %s (%s)",
                              b2b2c_ctx_errmsg(b->ctx), cli_strerror(rc));
    *b->lines += (long)b->n;
    b->n = 0;
    return 0;
}

static int line(lbuf *b, int32_t kind, const char *pt, const char *ln,
                int64_t t, int64_t u, int64_t m)
{
    b->kind[b->n] = kind;
    b->pt[b->n] = pt;
    b->ln[b->n] = ln;
    b->t[b->n] = t;
    b->u[b->n] = u;
    b->m[b->n++] = m;
    return b->n == BATCH ? flush(b) : 0;
}

/* One point's product line over the days: demand, stock, orders. */
typedef struct pline {
    double rate;       /* mean units a day before season and growth */
    double stock;      /* units on hand */
    double target;     /* order-up-to level */
    int report_wday;   /* stock report weekday */
} pline;

typedef struct dstate {
    int interval;  /* days between orders */
    int next;      /* day of the next order */
    int stop;      /* day it stops reordering (days: never) */
    double growth; /* a year, on the log of the rate */
    int npoints;
    char (*pid)[40];
    pline *pl; /* npoints x NLINES */
} dstate;

static int setup(b2b2c_programs *h, b2b2c_ctx *ctx,
                 const cli_demo_dealer *d, dstate *s, int days, long *calls)
{
    int rc;
    s->npoints = d->tier >= 2 ? 4 : 1 + (unif() < 0.4);
    s->interval = d->tier >= 2 ? 7 : 14 + 7 * (int)(unif() * 3);
    s->next = (int)(unif() * s->interval);
    s->stop = unif() < 0.12 ? days - 15 - (int)(unif() * 45) : days;
    s->growth = 0.05 + 0.12 * normal();
    s->pid = calloc((size_t)s->npoints, sizeof(*s->pid));
    s->pl = calloc((size_t)s->npoints * NLINES, sizeof(*s->pl));
    if (!s->pid || !s->pl)
        return cli_data_error("demo: out of memory");
    (*calls)++;
    if ((rc = b2b2c_programs_set_dealer(h, d->id, d->tier, d->region)) != 0)
        return cli_data_error("demo: programs_set_dealer: %s",
                              b2b2c_ctx_errmsg(ctx));
    for (int p = 0; p < s->npoints; p++) {
        double size = exp(0.3 * normal()) * (d->tier >= 2 ? 1.5 : 1.0) *
                      sqrt(d->quality);
        snprintf(s->pid[p], sizeof(s->pid[p]), "%s-p%d", d->id, p + 1);
        (*calls)++;
        if ((rc = b2b2c_programs_add_point(h, s->pid[p], d->id)) != 0)
            return cli_data_error("demo: programs_add_point: %s",
                                  b2b2c_ctx_errmsg(ctx));
        for (int k = 0; k < NLINES; k++) {
            pline *x = &s->pl[p * NLINES + k];
            x->rate = LINES[k].rate * size;
            x->target = ceil(x->rate * (s->interval + 10));
            x->stock = x->target;
            x->report_wday = (int)(unif() * 7);
        }
    }
    return 0;
}

/* Day `day` of one dealer: each point's sales, returns, stock report and,
 * on an order day, its reorders. */
static int one_day(lbuf *b, dstate *s, int64_t start, int day, int days)
{
    int64_t t = start + day * DAY + 12 * 3600;
    int order = day == s->next && day < s->stop;
    double doy = fmod((double)day + 335.0, 365.0); /* 1 Dec = day 335 */
    double grow = exp(s->growth * (day - days / 2) / 365.0);
    int rc;
    if (order)
        s->next += s->interval + (int)(unif() * 5) - 2;
    for (int p = 0; p < s->npoints; p++)
        for (int k = 0; k < NLINES; k++) {
            pline *x = &s->pl[p * NLINES + k];
            double season = 1.0 + LINES[k].swing *
                                      cos(6.283185307179586 *
                                          (doy - LINES[k].peak) / 365.0);
            double price = LINES[k].price * (0.95 + 0.1 * unif());
            int64_t want = poisson(x->rate * season * grow);
            int64_t sold = want < (int64_t)x->stock ? want : (int64_t)x->stock;
            if (sold > 0) {
                x->stock -= (double)sold;
                if ((rc = line(b, B2B2C_PROGRAMS_KIND_SELL_OUT, s->pid[p],
                               LINES[k].id, t, sold,
                               llround(price * 100.0 * (double)sold))) != 0)
                    return rc;
                /* one sale in a hundred comes back (a unit, a week on) */
                if (unif() < 0.01 * (double)sold && day + 7 < days) {
                    x->stock += 1;
                    if ((rc = line(b, B2B2C_PROGRAMS_KIND_RETURN_OUT,
                                   s->pid[p], LINES[k].id, t + 7 * DAY, 1,
                                   llround(price * 100.0))) != 0)
                        return rc;
                }
            }
            if (order) {
                int64_t q = (int64_t)(x->target - x->stock);
                /* the manufacturer's price to the dealer: list less 30% */
                if (q > 0) {
                    x->stock += (double)q;
                    if ((rc = line(b, B2B2C_PROGRAMS_KIND_SELL_IN, s->pid[p],
                                   LINES[k].id, t - 3600, q,
                                   llround(LINES[k].price * 70.0 *
                                           (double)q))) != 0)
                        return rc;
                }
            }
            if (day % 7 == x->report_wday &&
                (rc = line(b, B2B2C_PROGRAMS_KIND_STOCK, s->pid[p],
                           LINES[k].id, t + 3600, (int64_t)x->stock,
                           llround(LINES[k].price * 70.0 * x->stock))) != 0)
                return rc;
        }
    return 0;
}

/* The two bonus programs, in kopecks: a year's sell-in money from 10
 * million roubles at 1% up to 120 million at 4%, retroactive; a quarter's
 * boiler units from 60 at 500 roubles a unit, 150 at 1,000, incremental. */
static int programs(b2b2c_programs *h, b2b2c_ctx *ctx, long *calls)
{
    static const int64_t yth[] = {1000000000, 2500000000, 6000000000,
                                  12000000000};
    static const int64_t ybp[] = {100, 200, 300, 400};
    static const int64_t qth[] = {60, 150};
    static const int64_t qrt[] = {50000, 100000};
    int rc;
    *calls += 2;
    if ((rc = b2b2c_program_set(h, CLI_DEMO_BONUS_PROGRAM,
                                B2B2C_PROGRAM_BASIS_AMOUNT,
                                B2B2C_PROGRAM_RETROACTIVE,
                                B2B2C_PROGRAM_PERIOD_YEAR, NULL, yth, ybp,
                                4)) != 0 ||
        (rc = b2b2c_program_set(h, "boilers-quarter",
                                B2B2C_PROGRAM_BASIS_UNITS,
                                B2B2C_PROGRAM_INCREMENTAL,
                                B2B2C_PROGRAM_PERIOD_QUARTER, "boilers", qth,
                                qrt, 2)) != 0)
        return cli_data_error("demo: program_set: %s", b2b2c_ctx_errmsg(ctx));
    return 0;
}

int cli_demo_programs(b2b2c_ctx *ctx, const cli_demo_dealer *dealers,
                      int n, uint64_t seed, int64_t start, int days,
                      long *calls, long *lines)
{
    b2b2c_programs *h = NULL;
    dstate *s = calloc((size_t)(n ? n : 1), sizeof(*s));
    lbuf *b = calloc(1, sizeof(*b));
    int rc = 0;

    st = seed ? seed : 1;
    if (!s || !b) {
        rc = cli_data_error("demo: out of memory");
        goto out;
    }
    (*calls)++;
    if (b2b2c_programs_new(&h, ctx) != 0) {
        rc = cli_data_error("demo: programs_new: %s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    b->ctx = ctx;
    b->h = h;
    b->calls = calls;
    b->lines = lines;
    if (b2b2c_ctx_begin(ctx) != 0) {
        rc = cli_data_error("demo: %s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    for (int i = 0; i < n && rc == 0; i++)
        rc = setup(h, ctx, &dealers[i], &s[i], days, calls);
    if (rc == 0)
        rc = programs(h, ctx, calls);
    /* dealer by dealer, each over its days: the stored day aggregates are
     * keyed by point, product line and day, so their inserts come nearly
     * in key order (day by day over the network, they scattered over the
     * whole table and the SQLite file's pages: 5 times the system time);
     * a transaction per ten dealers keeps the undo log short */
    for (int i = 0; i < n && rc == 0; i++) {
        for (int day = 0; day < days && rc == 0; day++)
            rc = one_day(b, &s[i], start, day, days);
        if (rc == 0 && (i % 10 == 9 || i == n - 1)) {
            if ((rc = flush(b)) == 0 &&
                (b2b2c_ctx_commit(ctx) != 0 ||
                 (i < n - 1 && b2b2c_ctx_begin(ctx) != 0)))
                rc = cli_data_error("demo: %s", b2b2c_ctx_errmsg(ctx));
        }
    }
    if (rc)
        b2b2c_ctx_rollback(ctx);
out:
    for (int i = 0; s && i < n; i++) {
        free(s[i].pid);
        free(s[i].pl);
    }
    free(s);
    free(b);
    b2b2c_programs_free(h);
    return rc;
}
