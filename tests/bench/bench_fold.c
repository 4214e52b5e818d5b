/* SPDX-License-Identifier: MIT */
/*
 * Folding old purchases (issue 20): the forecaster's memory per customer
 * with the whole purchase log, and with the purchases before a fold point
 * replaced by one fold (docs/forecaster.md, "Folding old purchases").
 *
 *   bench_fold [N [P]]   N customers (default 100,000), P product
 *       purchases each (default 24: about one a month over two years,
 *       on random days). The store (a memstore) is opened by a new
 *       forecaster on a context with a counting allocator: the bytes the
 *       library holds after the open, per customer ("whole log"); then
 *       the same after b2b2c_forecaster_fold with FOLD_DAYS 365 at the
 *       end of the two years ("folded": the last year's purchases and
 *       each customer's fold, forecast_fold, loaded), and the time of the
 *       fold calls (max 100,000 customers a call). Allocation counts are
 *       deterministic (one run); RSS is not measured.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "b2b2c.h"
#include "bench.h"

#define DAY 86400
#define T0 1735689600 /* 2025-01-01 */
#define SPAN 730      /* days of history */
#define KEEP 365      /* days kept after the fold point */

static int cmp_i64(const void *x, const void *y)
{
    int64_t u = *(const int64_t *)x, v = *(const int64_t *)y;
    return u < v ? -1 : u > v;
}

static void fail(const char *what, int rc)
{
    fprintf(stderr, "bench_fold: %s: %d\n", what, rc);
    exit(1);
}

/* Library bytes per customer of a forecaster opened on a store holding
 * every customer's purchases (folded before the last KEEP days when
 * `fold`; the folding's time in *secs). */
static double per_customer(size_t n, int p, int fold, double *secs)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *w, *r;
    b2b2c_forecaster *fw, *fr;
    bench_counter cnt = {0};
    b2b2c_allocator al = {B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                          bench_count_realloc, bench_count_free, &cnt};
    uint64_t s = 88172645463325252u;
    long long base;
    char id[32];
    int rc;
    if ((rc = b2b2c_memstore_new(&ms, NULL)) ||
        (rc = b2b2c_memstore_methods(ms, &st)) ||
        (rc = b2b2c_ctx_new(&w, NULL, &st)) ||
        (rc = b2b2c_forecaster_new(&fw, w)))
        fail("open the writer", rc);
    if ((rc = b2b2c_ctx_begin(w)))
        fail("begin", rc);
    for (size_t c = 0; c < n; c++) {
        snprintf(id, sizeof id, "customer-%08zu", c);
        int64_t t[4096];
        double a[4096];
        for (int i = 0; i < p; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            t[i] = T0 + (int64_t)(s % SPAN) * DAY + (int64_t)(s >> 40) % DAY;
            a[i] = (double)(s % 100000) / 100;
        }
        /* recorded in time order, as a host records purchases (a log
         * recorded out of order folds at an earlier midnight) */
        qsort(t, (size_t)p, sizeof(int64_t), cmp_i64);
        for (int i = 0; i < p; i++)
            if ((rc = b2b2c_forecaster_add_purchase(
                     fw, id, B2B2C_SEGMENT_B2B_SMALL_PRO, t[i], a[i],
                     B2B2C_FORECAST_KIND_PRODUCT)))
                fail("add_purchase", rc);
    }
    if ((rc = b2b2c_ctx_commit(w)))
        fail("commit", rc);
    if (fold) {
        size_t nf;
        double t0 = bench_now();
        if ((rc = b2b2c_forecaster_set_param(fw, B2B2C_FORECASTER_FOLD_DAYS,
                                             KEEP)))
            fail("set_param", rc);
        do {
            if ((rc = b2b2c_forecaster_fold(&nf, fw, T0 + SPAN * DAY,
                                            100000)))
                fail("fold", rc);
        } while (nf > 0);
        *secs = bench_now() - t0;
    }
    if ((rc = b2b2c_ctx_new(&r, &al, &st)))
        fail("ctx_new", rc);
    base = cnt.bytes;
    if ((rc = b2b2c_forecaster_new(&fr, r)))
        fail("forecaster_new", rc);
    {
        double bytes = (double)(cnt.bytes - base);
        b2b2c_forecaster_free(fr);
        b2b2c_ctx_free(r);
        b2b2c_forecaster_free(fw);
        b2b2c_ctx_free(w);
        b2b2c_memstore_free(ms);
        return bytes / (double)n;
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 100000;
    int p = argc > 2 ? atoi(argv[2]) : 24;
    double whole, kept, secs = 0;
    if (n == 0 || p <= 0 || p > 4096)
        fail("usage: bench_fold [N [P]]", 1);
    whole = per_customer(n, p, 0, &secs);
    kept = per_customer(n, p, 1, &secs);
    printf("fold memory: %zu customers, %d purchases each over %d days\n",
           n, p, SPAN);
    printf("  whole log:            %8.1f bytes/customer\n", whole);
    printf("  last %d days + fold: %8.1f bytes/customer (folding took "
           "%.2f s, %.2f us a customer)\n",
           KEEP, kept, secs, secs * 1e6 / (double)n);
    return 0;
}
