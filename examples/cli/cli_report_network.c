/* SPDX-License-Identifier: MIT */
/*
 * b2b2c report, the dealer network (issue 17): sell-out by dealer over the
 * last 13 weeks with growth, trend, share and rank (b2b2c_programs_report),
 * the progress of a volume bonus program (b2b2c_program_status_list) and
 * the reorder due list (b2b2c_programs_reorders), read from the programs
 * engine. docs/report.md, "Dealer network".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"

#define DAY INT64_C(86400)
/* Money is kept in minor units; the report shows it with two decimals'
 * worth divided out (kopecks, cents: the CLI's default --minor-digits). */

typedef struct gath {
    rep_network *n;
    rep_net_dealer *all;
    size_t nall, cap;
    size_t next; /* bonus rows: where the search for the next ID starts */
    int top;
} gath;

static int on_row(const char *id, const double *f, size_t nf, void *u)
{
    gath *g = u;
    rep_net_dealer *d;
    if (g->nall == g->cap) {
        size_t c = g->cap ? 2 * g->cap : 64;
        void *p = realloc(g->all, c * sizeof(*g->all));
        if (!p)
            return B2B2C_ENOMEM;
        g->all = p;
        g->cap = c;
    }
    d = &g->all[g->nall++];
    memset(d, 0, sizeof(*d));
    snprintf(d->id, sizeof(d->id), "%s", id);
    for (size_t i = 0; i < REP_NET_F; i++)
        d->f[i] = i < nf ? f[i] : NAN;
    g->n->sell_out += d->f[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT];
    g->n->sell_in += d->f[B2B2C_PROGRAMS_F_SELL_IN_AMOUNT];
    g->n->ly_sell_out += d->f[B2B2C_PROGRAMS_F_LY_SELL_OUT_AMOUNT];
    return 0;
}

/* Both listings are in dealer ID order: the status rows meet the report's
 * rows in one pass. */
static int on_status(const char *id, const int64_t *f, size_t nf, void *u)
{
    gath *g = u;
    while (g->next < g->nall && strcmp(g->all[g->next].id, id) < 0)
        g->next++;
    if (g->next < g->nall && strcmp(g->all[g->next].id, id) == 0) {
        rep_net_dealer *d = &g->all[g->next++];
        for (size_t i = 0; i < REP_BONUS_F; i++)
            d->bonus[i] = i < nf ? f[i] : 0;
        d->has_bonus = 1;
        g->n->accrued += (double)f[B2B2C_PROGRAM_F_ACCRUED];
        g->n->projected += (double)f[B2B2C_PROGRAM_F_PROJECTED_BONUS];
        g->n->tiers_now += f[B2B2C_PROGRAM_F_TIER] > 0;
        g->n->tiers_projected += f[B2B2C_PROGRAM_F_PROJECTED_TIER] > 0;
    }
    return 0;
}

static int on_reorder(const char *id, const double *f, size_t nf, void *u)
{
    gath *g = u;
    rep_network *n = g->n;
    n->reorders_total++;
    n->overdue_total += f[B2B2C_PROGRAMS_R_OVERDUE] > 0;
    if (n->nreorders < (size_t)g->top) {
        rep_reorder *r = &n->reorders[n->nreorders++];
        snprintf(r->id, sizeof(r->id), "%s", id);
        for (size_t i = 0; i < REP_REORDER_F; i++)
            r->f[i] = i < nf ? f[i] : NAN;
    }
    return 0;
}

/* Highest first, then ID. */
static int cmp_out(const void *pa, const void *pb)
{
    const rep_net_dealer *a = pa, *b = pb;
    double x = a->f[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT];
    double y = b->f[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT];
    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int cmp_bonus(const void *pa, const void *pb)
{
    const rep_net_dealer *a = pa, *b = pb;
    int64_t x = a->bonus[B2B2C_PROGRAM_F_PROJECTED_BONUS];
    int64_t y = b->bonus[B2B2C_PROGRAM_F_PROJECTED_BONUS];
    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int fail(b2b2c_ctx *ctx, int rc, const char *what)
{
    return cli_data_error("report: %s: %s (%s)", what, b2b2c_ctx_errmsg(ctx),
                          cli_strerror(rc));
}

int rep_network_gather(rep_network *n, b2b2c_ctx *ctx, int64_t now, int top,
                       const char *program)
{
    b2b2c_programs *h = NULL;
    gath g;
    size_t k;
    int rc;

    memset(n, 0, sizeof(*n));
    memset(&g, 0, sizeof(g));
    g.n = n;
    g.top = top;
    n->from = now - REP_NET_DAYS * DAY;
    n->reorder_window = 7;
    snprintf(n->program, sizeof(n->program), "%s", program);
    if ((rc = b2b2c_programs_new(&h, ctx)) != 0)
        return fail(ctx, rc, "programs_new");
    rc = b2b2c_programs_report(h, B2B2C_PROGRAMS_BY_DEALER, NULL, n->from,
                               now, on_row, &g);
    if (rc) {
        rc = fail(ctx, rc, "programs_report");
        goto out;
    }
    n->ndealers = g.nall;
    if (g.nall == 0)
        goto out; /* no dealer network in this database */
    /* the bonus program's status on the period's last day */
    rc = b2b2c_program_status_list(h, program, now - 1, on_status, &g);
    if (rc && rc != B2B2C_ENOTFOUND) {
        rc = fail(ctx, rc, "program_status_list");
        goto out;
    }
    n->has_program = rc == 0;
    n->reorders = calloc((size_t)top, sizeof(*n->reorders));
    n->top = calloc((size_t)top, sizeof(*n->top));
    n->bonus_top = calloc((size_t)top, sizeof(*n->bonus_top));
    if (!n->reorders || !n->top || !n->bonus_top) {
        rc = cli_data_error("report: out of memory");
        goto out;
    }
    rc = b2b2c_programs_reorders(h, B2B2C_PROGRAMS_BY_DEALER, NULL, now - 1,
                                 n->reorder_window, on_reorder, &g);
    if (rc) {
        rc = fail(ctx, rc, "programs_reorders");
        goto out;
    }
    k = g.nall < (size_t)top ? g.nall : (size_t)top;
    if (n->has_program) {
        qsort(g.all, g.nall, sizeof(*g.all), cmp_bonus);
        memcpy(n->bonus_top, g.all, k * sizeof(*g.all));
        n->nbonus_top = k;
    }
    qsort(g.all, g.nall, sizeof(*g.all), cmp_out);
    memcpy(n->top, g.all, k * sizeof(*g.all));
    n->ntop = k;
out:
    free(g.all);
    b2b2c_programs_free(h);
    return rc;
}

void rep_network_free(rep_network *n)
{
    free(n->top);
    free(n->bonus_top);
    free(n->reorders);
}

/* A signed percentage in `w` columns, "-" when not a number. */
static const char *pct(char *buf, double v, int w)
{
    if (isfinite(v) && w == 0)
        snprintf(buf, 24, "%+.1f%%", 100 * v);
    else if (isfinite(v))
        snprintf(buf, 24, "%+*.1f%%", w - 1, 100 * v);
    else
        snprintf(buf, 24, "%*s", w, "-");
    return buf;
}

static const char *trim(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

void rep_network_print(const rep_network *n, int top)
{
    char b1[16], b2[16], b3[24], b4[24], d1[11], d2[11], d3[11];
    size_t nr = n->nreorders < 3 ? n->nreorders : 3;
    (void)top;
    if (n->ndealers == 0) {
        printf("\nDEALER NETWORK: no sell-in or sell-out in this database "
               "(b2b2c programs load)\n");
        return;
    }
    printf("\nDEALER NETWORK %s..%s: sell-out %s (%s on last year), "
           "sell-in %s\n",
           rep_date(d1, n->from), rep_date(d2, n->from + (REP_NET_DAYS - 1) *
                                                      DAY),
           trim(rep_money(b1, n->sell_out / 100.0)),
           pct(b3, n->ly_sell_out > 0 ? n->sell_out / n->ly_sell_out - 1
                                      : NAN, 0),
           trim(rep_money(b2, n->sell_in / 100.0)));
    if (n->has_program)
        printf("  bonus %.20s: accrued %s, projected %s; in a tier %zu/%zu, "
               "%zu at the end\n",
               n->program, trim(rep_money(b1, n->accrued / 100.0)),
               trim(rep_money(b2, n->projected / 100.0)), n->tiers_now,
               n->ndealers, n->tiers_projected);
    else
        printf("  no bonus program '%s' (--bonus-program)\n", n->program);
    printf("  dealer       sell-out  share  growth   trend  rank  stock  "
           "tier now>end  projected\n");
    for (size_t i = 0; i < n->ntop; i++) {
        const rep_net_dealer *d = &n->top[i];
        const double *f = d->f;
        char rank[16], stock[16], tier[16];
        snprintf(rank, sizeof(rank), "%.0f/%.0f", f[B2B2C_PROGRAMS_F_RANK],
                 f[B2B2C_PROGRAMS_F_RANK_OF]);
        if (isfinite(f[B2B2C_PROGRAMS_F_DAYS_OF_STOCK]))
            snprintf(stock, sizeof(stock), "%4.0f d",
                     f[B2B2C_PROGRAMS_F_DAYS_OF_STOCK]);
        else
            snprintf(stock, sizeof(stock), "%6s", "-");
        if (d->has_bonus)
            snprintf(tier, sizeof(tier), "%lld > %lld",
                     (long long)d->bonus[B2B2C_PROGRAM_F_TIER],
                     (long long)d->bonus[B2B2C_PROGRAM_F_PROJECTED_TIER]);
        else
            snprintf(tier, sizeof(tier), "-");
        printf("  %-12.12s %s %5.1f%% %s %s %5s %s %12s    %s\n", d->id,
               rep_money(b1, f[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT] / 100.0),
               100 * f[B2B2C_PROGRAMS_F_SHARE],
               pct(b3, f[B2B2C_PROGRAMS_F_GROWTH], 7),
               pct(b4, f[B2B2C_PROGRAMS_F_TREND_RELATIVE], 7), rank, stock,
               tier,
               d->has_bonus
                   ? rep_money(b2, (double)d->bonus
                                       [B2B2C_PROGRAM_F_PROJECTED_BONUS] /
                                       100.0)
                   : "      -");
    }
    printf("REORDERS due by %s: %zu dealers, %zu overdue; most late:\n",
           rep_date(d1, n->from + (REP_NET_DAYS - 1 + n->reorder_window) *
                            DAY),
           n->reorders_total, n->overdue_total);
    for (size_t i = 0; i < nr; i++) {
        const double *f = n->reorders[i].f;
        const char *m = trim(rep_money(
            b1, f[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT] / 100.0));
        printf("  %-12.12s last %s, every %4.1f d, due %s: %3.0f d %s; "
               "next %.0f units, %s\n",
               n->reorders[i].id,
               rep_date(d1, (int64_t)f[B2B2C_PROGRAMS_R_LAST_ORDER]),
               f[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL],
               rep_date(d3, (int64_t)f[B2B2C_PROGRAMS_R_DUE]),
               fabs(f[B2B2C_PROGRAMS_R_DAYS_LATE]),
               f[B2B2C_PROGRAMS_R_DAYS_LATE] >= 0 ? "late" : "to go",
               f[B2B2C_PROGRAMS_R_EXPECTED_UNITS], m);
    }
}
