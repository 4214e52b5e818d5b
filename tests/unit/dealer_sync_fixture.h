/* SPDX-License-Identifier: MIT */
/* The dealer engine's two-context tests' fixture (test_dealer_sync*.c):
 * contexts on one memstore, a digest through the public API compared
 * across them and with a fresh open, and call helpers. Include after
 * cmocka.h. */
#ifndef B2B2C_TEST_DEALER_SYNC_FIXTURE_H
#define B2B2C_TEST_DEALER_SYNC_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "b2b2c.h"
#include "internal.h"
#include "dealer/dealer_internal.h"

static const int64_t T0 = 1767225600; /* 2026-01-01 */
#define H 3600

/* Contexts on one memstore, each with its own dealer engine. */
typedef struct db {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    int n;
    b2b2c_ctx *ctx[3];
    b2b2c_dealer_engine *e[3];
} db;

static inline void db_open(db *d, int n)
{
    memset(d, 0, sizeof(*d));
    assert_int_equal(b2b2c_memstore_new(&d->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(d->ms, &d->st), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(b2b2c_ctx_new(&d->ctx[i], NULL, &d->st), 0);
        assert_int_equal(b2b2c_dealer_new(&d->e[i], d->ctx[i]), 0);
    }
    d->n = n;
}

static inline void db_close(db *d)
{
    for (int i = 0; i < d->n; i++) {
        b2b2c_dealer_free(d->e[i]);
        b2b2c_ctx_free(d->ctx[i]);
    }
    b2b2c_memstore_free(d->ms);
}

/* A third context opened fresh on the same store. */
static inline b2b2c_dealer_engine *db_fresh(db *d, b2b2c_ctx **ctx)
{
    b2b2c_dealer_engine *e;
    assert_int_equal(b2b2c_ctx_new(ctx, NULL, &d->st), 0);
    assert_int_equal(b2b2c_dealer_new(&e, *ctx), 0);
    return e;
}

static inline void fresh_close(b2b2c_dealer_engine *e, b2b2c_ctx *ctx)
{
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
}

/* ---- a digest through the public API ------------------------------------ */

typedef struct dg {
    uint64_t h;
    b2b2c_dealer_engine *e;
    size_t rows;
} dg;

static inline void mix(dg *g, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        g->h ^= b[i];
        g->h *= 1099511628211ull;
    }
}
static inline void mixs(dg *g, const char *s)
{
    mix(g, s ? s : "(null)", s ? strlen(s) + 1 : 7);
}
static inline void mixd(dg *g, const double *v, size_t n) { mix(g, v, n * 8); }

static inline int aud_cb(const char *l, const char *d, const double *f, size_t n,
                  void *p)
{
    dg *g = p;
    mixs(g, l);
    mixs(g, d);
    mixd(g, f, n);
    g->rows++;
    return 0;
}

static inline int sc_cb(const char *d, const double *f, size_t n, void *p)
{
    dg *g = p;
    mixs(g, d);
    mixd(g, f, n);
    return 0;
}

static inline int list_cb(const char *id, int32_t status, int64_t until,
                   double tier, int32_t cap, int64_t open, void *p)
{
    dg *g = p;
    double st[B2B2C_DEALER_STAT_NFIELDS];
    mixs(g, id);
    mix(g, &status, sizeof status);
    mix(g, &until, sizeof until);
    mix(g, &tier, sizeof tier);
    mix(g, &cap, sizeof cap);
    mix(g, &open, sizeof open);
    assert_int_equal(
        b2b2c_dealer_stats(st, B2B2C_DEALER_STAT_NFIELDS, g->e, id), 0);
    mixd(g, st, B2B2C_DEALER_STAT_NFIELDS);
    assert_int_equal(b2b2c_dealer_audit_dealer(g->e, id, aud_cb, g), 0);
    return 0;
}

/* Dealers (listing, stats, audit), parameters, scorecards, and the state
 * and audit trail of leads L0..L<nleads-1> and of the named ones. */
static inline uint64_t digest(b2b2c_dealer_engine *e, int nleads,
                       const char *const *named)
{
    dg g = {1469598103934665603ull, e, 0};
    size_t n;
    assert_int_equal(b2b2c_dealer_count(&n, e), 0);
    mix(&g, &n, sizeof n);
    assert_int_equal(b2b2c_dealer_list(e, -1, list_cb, &g), 0);
    for (int32_t p = B2B2C_DEALER_PARAM_POLICY;
         p <= B2B2C_DEALER_PARAM_CREDIBLE_LEVEL; p++) {
        double v;
        assert_int_equal(b2b2c_dealer_get_param(&v, e, p), 0);
        mixd(&g, &v, 1);
    }
    assert_int_equal(
        b2b2c_dealer_scorecards(e, INT64_MIN, INT64_MAX, sc_cb, &g), 0);
    for (int i = 0; i < nleads || (named && named[i - nleads]); i++) {
        char id[32];
        const char *lid = id, *d = NULL;
        int32_t s = -1;
        int rc;
        if (i < nleads)
            snprintf(id, sizeof id, "L%d", i);
        else
            lid = named[i - nleads];
        rc = b2b2c_dealer_lead_state(&s, &d, e, lid);
        mix(&g, &rc, sizeof rc);
        if (rc == 0) {
            mix(&g, &s, sizeof s);
            mixs(&g, d);
            assert_int_equal(b2b2c_dealer_audit_lead(e, lid, aud_cb, &g), 0);
        }
    }
    return g.h;
}

/* Every context of d and a fresh one give the same digest. */
static inline void all_equal(db *d, int nleads, const char *const *named)
{
    b2b2c_ctx *c3;
    b2b2c_dealer_engine *e3 = db_fresh(d, &c3);
    uint64_t h = digest(e3, nleads, named);
    for (int i = 0; i < d->n; i++)
        assert_true(digest(d->e[i], nleads, named) == h);
    fresh_close(e3, c3);
}

/* ---- helpers ------------------------------------------------------------ */

static inline void put(b2b2c_dealer_engine *e, const char *id, const char *terr,
                int cap, int quota)
{
    assert_int_equal(b2b2c_dealer_put(e, id, 1.0, terr, "", cap, quota, 24.0),
                     0);
}

static inline int route_at(b2b2c_dealer_engine *e, const char *lead,
                    const char *region, int64_t t, const char **dealer,
                    int32_t *reason)
{
    *dealer = NULL;
    return b2b2c_dealer_route(dealer, reason, e, lead, region, 0, 0, 0, "",
                              B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM, t);
}

static inline int32_t state_of(b2b2c_dealer_engine *e, const char *lead,
                        const char **dealer)
{
    int32_t s = -1;
    assert_int_equal(b2b2c_dealer_lead_state(&s, dealer, e, lead), 0);
    return s;
}

static inline double stat(b2b2c_dealer_engine *e, const char *dealer, int field)
{
    double v[B2B2C_DEALER_STAT_NFIELDS];
    assert_int_equal(
        b2b2c_dealer_stats(v, B2B2C_DEALER_STAT_NFIELDS, e, dealer), 0);
    return v[field];
}

#endif
