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
 *       library holds after the open, per customer ("whole log"). The
 *       fold is not stored yet, so "folded" is a projection from real
 *       allocations: a store holding only each customer's purchases of
 *       the last year, opened the same way, plus sizeof(fc_fold) and a
 *       pointer per customer. Allocation counts are deterministic (one
 *       run); RSS is not measured.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "b2b2c.h"
#include "bench.h"
#include "forecast/fc_state.h"

#define DAY 86400
#define T0 1735689600 /* 2025-01-01 */
#define SPAN 730      /* days of history */
#define KEEP 365      /* days kept after the fold point */

static void fail(const char *what, int rc)
{
    fprintf(stderr, "bench_fold: %s: %d\n", what, rc);
    exit(1);
}

/* Library bytes per customer of a forecaster opened on a store holding
 * every customer's purchases at or after `from`. */
static double per_customer(size_t n, int p, int64_t from)
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
        for (int i = 0; i < p; i++) {
            int64_t t;
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            t = T0 + (int64_t)(s % SPAN) * DAY + (int64_t)(s >> 40) % DAY;
            if (t < from)
                continue;
            if ((rc = b2b2c_forecaster_add_purchase(
                     fw, id, B2B2C_SEGMENT_B2B_SMALL_PRO, t,
                     (double)(s % 100000) / 100, B2B2C_FORECAST_KIND_PRODUCT)))
                fail("add_purchase", rc);
        }
    }
    if ((rc = b2b2c_ctx_commit(w)))
        fail("commit", rc);
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
    int64_t cut = T0 + (SPAN - KEEP) * (int64_t)DAY;
    double whole, kept;
    if (n == 0 || p <= 0)
        fail("usage: bench_fold [N [P]]", 1);
    whole = per_customer(n, p, INT64_MIN);
    kept = per_customer(n, p, cut);
    printf("fold memory: %zu customers, %d purchases each over %d days\n",
           n, p, SPAN);
    printf("  whole log:            %8.1f bytes/customer (measured)\n",
           whole);
    printf("  last %d days + fold: %8.1f bytes/customer (projected: "
           "%.1f measured + sizeof(fc_fold) %zu + pointer %zu)\n",
           KEEP, kept + (double)(sizeof(fc_fold) + sizeof(void *)), kept,
           sizeof(fc_fold), sizeof(void *));
    return 0;
}
