/* SPDX-License-Identifier: MIT */
/*
 * The lead model on one database shared by several contexts (issue 13):
 * two contexts on one memstore, each with its own handle opened at the
 * start. Every call of one must decide on what the other committed, and a
 * read must see it right after the commit; a third context opened fresh at
 * the end must give the same answers. The engine's state is compared
 * through the public API only (listings and getters, digest_text below).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "b2b2c.h"

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

/* ---- a text digest of the engine, through the public API ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(k >= 0);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

typedef struct idlist {
    char **id;
    size_t n;
    sbuf *out;
} idlist;

static int list_cb(const char *id, int32_t stage, int32_t band, double score,
                   void *ud)
{
    idlist *l = ud;
    l->id = realloc(l->id, (l->n + 1) * sizeof(*l->id));
    l->id[l->n++] = strdup(id);
    sb_printf(l->out, "lead %s stage %d band %d score %.17g\n", id,
              (int)stage, (int)band, score);
    return 0;
}

static int hist_cb(int32_t from, int32_t to, int64_t at, void *ud)
{
    sb_printf(ud, "  stage %d -> %d at %lld\n", (int)from, (int)to,
              (long long)at);
    return 0;
}

static int factor_cb(const char *f, double c, void *ud)
{
    sb_printf(ud, "  factor %s %.17g\n", f, c);
    return 0;
}

static int count_cb(int32_t band, int32_t seg, const char *ch, uint64_t n,
                    void *ud)
{
    sb_printf(ud, "count %d %d '%s' %llu\n", (int)band, (int)seg, ch,
              (unsigned long long)n);
    return 0;
}

static int row_cb(const char *id, double s, int32_t b, double p, void *ud)
{
    sb_printf(ud, "top %s %.17g %d %.17g\n", id, s, (int)b, p);
    return 0;
}

/* Band changes, in the order they come (lead ID order). */
typedef struct lines {
    char **s;
    size_t n;
} lines;

static int band_cb(const char *id, int32_t o, int32_t b, int64_t at,
                   void *ud)
{
    lines *l = ud;
    char buf[400];
    snprintf(buf, sizeof(buf), "band %s %d -> %d at %lld\n", id, (int)o,
             (int)b, (long long)at);
    l->s = realloc(l->s, (l->n + 1) * sizeof(*l->s));
    l->s[l->n++] = strdup(buf);
    return 0;
}

/* Everything the public API tells about the model at `now`. The caller
 * frees the text. */
static char *digest_text(const b2b2c_lead_model *m, int64_t now)
{
    sbuf b = {NULL, 0, 0};
    idlist l = {NULL, 0, &b};
    lines bl = {NULL, 0};
    size_t n;
    int rc;

    assert_int_equal(b2b2c_lead_count(&n, m), 0);
    sb_printf(&b, "count %zu\n", n);
    for (int32_t p = 100; p <= 106; p++) {
        double v;
        assert_int_equal(b2b2c_lead_model_get_param(&v, m, p), 0);
        sb_printf(&b, "param %d %.17g\n", (int)p, v);
    }
    for (int32_t k = 0; b2b2c_lead_kind_name(m, k); k++) {
        double pt, cd, ct, hd;
        int32_t id;
        assert_int_equal(b2b2c_lead_kind_get(&pt, &cd, &ct, &hd, m, k), 0);
        assert_int_equal(b2b2c_lead_kind_id(&id, m, b2b2c_lead_kind_name(m, k)),
                         0);
        sb_printf(&b, "kind %d %s %d %g %g %g %g\n", (int)k,
                  b2b2c_lead_kind_name(m, k), (int)id, pt, cd, ct, hd);
    }
    assert_int_equal(b2b2c_lead_list(m, -1, -1, now, list_cb, &l), 0);
    assert_int_equal(l.n, n);
    for (size_t i = 0; i < l.n; i++) {
        double p;
        int32_t st;
        sb_printf(&b, "lead %s\n", l.id[i]);
        assert_int_equal(b2b2c_lead_stage(&st, m, l.id[i]), 0);
        assert_int_equal(b2b2c_lead_stage_history(m, l.id[i], hist_cb, &b),
                         0);
        rc = b2b2c_lead_probability(&p, m, l.id[i], now);
        if (rc == 0) {
            sb_printf(&b, "  p %.17g\n", p);
            assert_int_equal(
                b2b2c_lead_factors(m, l.id[i], now, 64, factor_cb, &b), 0);
        } else {
            assert_int_equal(rc, B2B2C_ENOTREADY);
            sb_printf(&b, "  p not ready\n");
        }
        free(l.id[i]);
    }
    free(l.id);
    assert_int_equal(b2b2c_lead_counts(m, now, count_cb, &b), 0);
    assert_int_equal(b2b2c_lead_top(m, now, 1000, B2B2C_LEAD_BY_SCORE, -1, -1,
                                    -1, NULL, row_cb, &b),
                     0);
    rc = b2b2c_lead_top(m, now, 1000, B2B2C_LEAD_BY_PROBABILITY, -1, -1, -1,
                        "north", row_cb, &b);
    assert_true(rc == 0 || rc == B2B2C_ENOTREADY);
    assert_int_equal(
        b2b2c_lead_band_changes(m, INT64_MIN / 2, now, band_cb, &bl), 0);
    for (size_t i = 0; i < bl.n; i++) {
        sb_printf(&b, "%s", bl.s[i]);
        free(bl.s[i]);
    }
    free(bl.s);
    return b.p;
}

/* ---- two contexts on one store ---- */

typedef struct pair {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ca, *cb;
    b2b2c_lead_model *a, *b;
} pair;

static int setup(void **state)
{
    pair *p = calloc(1, sizeof(*p));
    if (!p || b2b2c_memstore_new(&p->ms, NULL) ||
        b2b2c_memstore_methods(p->ms, &p->st) ||
        b2b2c_ctx_new(&p->ca, NULL, &p->st) ||
        b2b2c_ctx_new(&p->cb, NULL, &p->st) ||
        b2b2c_lead_model_new(&p->a, p->ca) ||
        b2b2c_lead_model_new(&p->b, p->cb))
        return -1;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    pair *p = *state;
    b2b2c_lead_model_free(p->a);
    b2b2c_lead_model_free(p->b);
    b2b2c_ctx_free(p->ca);
    b2b2c_ctx_free(p->cb);
    b2b2c_memstore_free(p->ms);
    free(p);
    return 0;
}

/* A, B and a context opened now on the same store all tell the same. */
static void assert_same(pair *p, int64_t now)
{
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    char *da = digest_text(p->a, now), *db = digest_text(p->b, now), *dc;
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &p->st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), 0);
    dc = digest_text(m, now);
    assert_string_equal(da, dc);
    assert_string_equal(db, dc);
    free(da);
    free(db);
    free(dc);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(c);
}

static double score_of(const b2b2c_lead_model *m, const char *id, int64_t now,
                       int32_t *band)
{
    double s = -1;
    assert_int_equal(b2b2c_lead_score(&s, band, m, id, now), 0);
    return s;
}

/* (a) The case: a quote request through A, then a site visit
 * through B: both count. */
static void t_both_events_count(void **state)
{
    pair *p = *state;
    b2b2c_ctx *lc;
    b2b2c_lead_model *lone;
    int32_t band, lband;
    double sa, sb;

    assert_int_equal(b2b2c_lead_add(p->a, "L1", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(
        b2b2c_lead_event(p->a, "L1", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 10, 0),
        0);
    /* B reads A's event right after A committed */
    sb = score_of(p->b, "L1", T0 + 10, &band);
    assert_true(sb == score_of(p->a, "L1", T0 + 10, NULL));
    assert_int_equal(band, B2B2C_BAND_HOT);
    assert_int_equal(
        b2b2c_lead_event(p->b, "L1", B2B2C_LEAD_EV_SITE_VISIT, T0 + 20, 1), 0);
    sa = score_of(p->a, "L1", T0 + 20, &band);
    assert_true(sa == score_of(p->b, "L1", T0 + 20, NULL));
    assert_int_equal(band, B2B2C_BAND_HOT);

    /* the same two events on one lone context give the same score */
    assert_int_equal(b2b2c_ctx_new(&lc, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_model_new(&lone, lc), 0);
    assert_int_equal(b2b2c_lead_add(lone, "L1", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(
        b2b2c_lead_event(lone, "L1", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 10, 0),
        0);
    assert_int_equal(
        b2b2c_lead_event(lone, "L1", B2B2C_LEAD_EV_SITE_VISIT, T0 + 20, 1), 0);
    assert_true(sa == score_of(lone, "L1", T0 + 20, &lband));
    assert_int_equal(band, lband);
    assert_true(sa > 80); /* 80 for the quote request, 2 for the visit */
    b2b2c_lead_model_free(lone);
    b2b2c_ctx_free(lc);
    assert_same(p, T0 + 30);
}

/* (b) A adds a lead, B adds the same ID. */
static void t_add_twice(void **state)
{
    pair *p = *state;
    size_t n;
    assert_int_equal(b2b2c_lead_add(p->a, "L1", T0, 1, "search", "north", NULL),
                     0);
    assert_int_equal(b2b2c_lead_add(p->b, "L1", T0, 2, NULL, NULL, NULL),
                     B2B2C_EEXISTS);
    assert_int_equal(b2b2c_lead_count(&n, p->b), 0);
    assert_int_equal(n, 1);
    /* the attribute values A interned are B's too: B's own get the next
     * numbers, not A's */
    assert_int_equal(b2b2c_lead_add(p->b, "L2", T0, 2, "display", "north",
                                    "pumps"),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(p->a, B2B2C_LEAD_ATTR_CHANNEL,
                                                "display", 7),
                     0);
    assert_int_equal(b2b2c_lead_add(p->a, "L3", T0, 2, "display", NULL, NULL),
                     0);
    /* L2 and L3: segment 2 (0 points), display (7), north and pumps (0) */
    assert_true(score_of(p->b, "L3", T0, NULL) == 7);
    assert_true(score_of(p->b, "L2", T0, NULL) == 7);
    assert_true(score_of(p->a, "L2", T0, NULL) == 7);
    assert_int_equal(b2b2c_lead_count(&n, p->a), 0);
    assert_int_equal(n, 3);
    assert_same(p, T0 + DAY);
}

/* (c) Stage changes and outcomes from both contexts. */
static void t_stages_outcomes(void **state)
{
    pair *p = *state;
    int32_t st;
    double pa, pb;
    assert_int_equal(b2b2c_lead_model_set_param(p->b, B2B2C_LEAD_MIN_OUTCOMES,
                                                2),
                     0);
    assert_int_equal(b2b2c_lead_add(p->a, "L1", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(p->b, "L2", T0, 1, NULL, NULL, NULL), 0);
    assert_int_equal(
        b2b2c_lead_set_stage(p->a, "L1", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 1),
        0);
    assert_int_equal(b2b2c_lead_stage(&st, p->b, "L1"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_QUALIFIED);
    /* allowed only from qualified: B must decide on A's change */
    assert_int_equal(b2b2c_lead_set_stage(p->b, "L1",
                                          B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                          T0 + 2),
                     0);
    assert_int_equal(
        b2b2c_lead_set_stage(p->a, "L1", B2B2C_LEAD_STAGE_NURTURING, T0 + 3),
        B2B2C_ESTATE);
    assert_int_equal(b2b2c_lead_set_stage(p->a, "L1",
                                          B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER,
                                          T0 + 3),
                     0);
    assert_int_equal(b2b2c_lead_stage(&st, p->b, "L1"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER);
    /* one outcome each: two rows of both classes, ready on both sides */
    assert_int_equal(b2b2c_lead_outcome(p->a, "L1", 1, T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_probability(&pb, p->b, "L1", T0 + DAY),
                     B2B2C_ENOTREADY);
    assert_int_equal(b2b2c_lead_outcome(p->b, "L2", 0, T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_probability(&pa, p->a, "L1", T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_probability(&pb, p->b, "L1", T0 + DAY), 0);
    assert_true(pa == pb);
    assert_same(p, T0 + 2 * DAY);
}

/* (d) A's configuration is used by B's next event. */
static void t_config(void **state)
{
    pair *p = *state;
    int32_t kind, kb, band;
    double pt;
    assert_int_equal(b2b2c_lead_add(p->b, "L1", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_model_set_param(p->a, B2B2C_LEAD_WARM_THRESHOLD,
                                                1),
                     0);
    assert_int_equal(b2b2c_lead_add_kind(&kind, p->a, "trade_show"), 0);
    assert_int_equal(b2b2c_lead_kind_set(p->a, kind, 50, 0, 0, 0), 0);
    /* B knows the kind by name and its points right away */
    assert_int_equal(b2b2c_lead_kind_id(&kb, p->b, "trade_show"), 0);
    assert_int_equal(kb, kind);
    assert_int_equal(b2b2c_lead_kind_get(&pt, NULL, NULL, NULL, p->b, kind),
                     0);
    assert_true(pt == 50);
    /* a second registration of the name through B gives A's number */
    assert_int_equal(b2b2c_lead_add_kind(&kb, p->b, "trade_show"), 0);
    assert_int_equal(kb, kind);
    assert_int_equal(
        b2b2c_lead_event(p->b, "L1", B2B2C_LEAD_EV_SITE_VISIT, T0 + 1, 0), 0);
    score_of(p->a, "L1", T0 + 1, &band);
    assert_int_equal(band, B2B2C_BAND_WARM); /* 2 points >= warm 1 */
    assert_int_equal(b2b2c_lead_event(p->b, "L1", kind, T0 + 2, 0), 0);
    assert_true(score_of(p->a, "L1", T0 + 2, NULL) > 51);
    /* segment and attribute points set through A are B's fit */
    assert_int_equal(b2b2c_lead_attr_points_set(p->a, B2B2C_LEAD_ATTR_SEGMENT,
                                                "unknown", 3),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(p->a, B2B2C_LEAD_ATTR_REGION,
                                                "north", 4),
                     0);
    assert_int_equal(b2b2c_lead_add(p->b, "L2", T0, B2B2C_SEGMENT_UNKNOWN,
                                    NULL, "north", NULL),
                     0);
    assert_true(score_of(p->a, "L2", T0, NULL) == 7);
    assert_true(score_of(p->b, "L2", T0, NULL) == 7);
    /* a kind B adds after A's is the next number */
    assert_int_equal(b2b2c_lead_add_kind(&kb, p->b, "catalog"), 0);
    assert_int_equal(kb, kind + 1);
    assert_same(p, T0 + DAY);
}

/* (e) A refit in A is B's probability. */
static void t_refit(void **state)
{
    pair *p = *state;
    double pa, pb, before;
    assert_int_equal(b2b2c_lead_model_set_param(p->a, B2B2C_LEAD_MIN_OUTCOMES,
                                                4),
                     0);
    for (int i = 0; i < 8; i++) {
        char id[8];
        b2b2c_lead_model *m = i % 2 ? p->a : p->b;
        snprintf(id, sizeof(id), "L%d", i);
        assert_int_equal(b2b2c_lead_add(m, id, T0, i % 6,
                                        i % 3 ? "search" : "display", "north",
                                        NULL),
                         0);
        assert_int_equal(b2b2c_lead_event(m, id, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                          T0 + i, (double)i),
                         0);
        if (i % 3)
            assert_int_equal(b2b2c_lead_event(m, id,
                                              B2B2C_LEAD_EV_WEBINAR_ATTEND,
                                              T0 + 10 + i, 0),
                             0);
        assert_int_equal(b2b2c_lead_outcome(i % 2 ? p->b : p->a, id,
                                            i % 3 != 0, T0 + DAY),
                         0);
    }
    assert_int_equal(b2b2c_lead_probability(&before, p->b, "L1", T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_refit(NULL, NULL, p->a), 0);
    assert_int_equal(b2b2c_lead_probability(&pa, p->a, "L1", T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_probability(&pb, p->b, "L1", T0 + DAY), 0);
    assert_true(pa == pb);
    assert_true(pa != before);
    assert_same(p, T0 + 2 * DAY);
}

/* (f) A lead removed in A is gone in B; B may add it again. */
static void t_remove(void **state)
{
    pair *p = *state;
    double s;
    size_t n;
    assert_int_equal(b2b2c_lead_add(p->a, "L1", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(p->b, "L2", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(p->a, "a-long-lead-id-kept-outside", T0, 0,
                                    NULL, NULL, NULL),
                     0);
    assert_int_equal(
        b2b2c_lead_set_stage(p->b, "L1", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 1),
        0);
    assert_int_equal(
        b2b2c_lead_event(p->b, "L1", B2B2C_LEAD_EV_DEMO_VIEW, T0 + 2, 0), 0);
    assert_int_equal(b2b2c_lead_remove(p->a, "L1"), 0);
    assert_int_equal(b2b2c_lead_score(&s, NULL, p->b, "L1", T0 + 3),
                     B2B2C_ENOTFOUND);
    assert_int_equal(
        b2b2c_lead_event(p->b, "L1", B2B2C_LEAD_EV_DEMO_VIEW, T0 + 3, 0),
        B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_count(&n, p->b), 0);
    assert_int_equal(n, 2);
    /* the lead that moved into L1's place is still found in B */
    assert_int_equal(b2b2c_lead_event(p->b, "a-long-lead-id-kept-outside",
                                      B2B2C_LEAD_EV_DEMO_VIEW, T0 + 3, 0),
                     0);
    assert_int_equal(b2b2c_lead_add(p->b, "L1", T0 + 4, 3, NULL, NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_remove(p->a, "L2"), 0);
    assert_int_equal(b2b2c_lead_remove(p->b, "L2"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_count(&n, p->a), 0);
    assert_int_equal(n, 2);
    assert_same(p, T0 + DAY);
}

/* Closing in one context (issue 20): the other drops the lead from its
 * working set, still answers for it from storage, refuses events on it
 * and its ID, and sees it come back when reopened. */
static int count_hist(int32_t from, int32_t to, int64_t at, void *ud)
{
    (void)from;
    (void)to;
    (void)at;
    ++*(int *)ud;
    return 0;
}

static void t_close(void **state)
{
    pair *p = *state;
    int64_t late = T0 + 400 * DAY;
    size_t n;
    int32_t st;
    int nh = 0;
    assert_int_equal(b2b2c_lead_add(p->a, "L1", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(p->a, "L2", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(p->b, "a-long-lead-id-kept-outside", T0,
                                    0, NULL, NULL, NULL),
                     0);
    assert_int_equal(
        b2b2c_lead_set_stage(p->b, "L1", B2B2C_LEAD_STAGE_LOST, T0 + 1), 0);
    assert_int_equal(b2b2c_lead_set_stage(p->a, "a-long-lead-id-kept-outside",
                                          B2B2C_LEAD_STAGE_DISQUALIFIED,
                                          T0 + 2),
                     0);
    assert_int_equal(b2b2c_lead_close_due(&n, p->a, late, 10), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b2b2c_lead_count(&n, p->b), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_lead_stage(&st, p->b, "L1"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_LOST);
    assert_int_equal(b2b2c_lead_stage_history(p->b, "L1", count_hist, &nh),
                     0);
    assert_int_equal(nh, 1);
    assert_int_equal(
        b2b2c_lead_event(p->b, "L1", B2B2C_LEAD_EV_DEMO_VIEW, late, 0),
        B2B2C_ESTATE);
    assert_int_equal(b2b2c_lead_add(p->b, "L1", late, 0, NULL, NULL, NULL),
                     B2B2C_EEXISTS);
    assert_same(p, late);
    assert_int_equal(b2b2c_lead_reopen(p->b, "L1"), 0);
    assert_int_equal(
        b2b2c_lead_event(p->a, "L1", B2B2C_LEAD_EV_DEMO_VIEW, late, 0), 0);
    assert_int_equal(
        b2b2c_lead_set_stage(p->a, "L1", B2B2C_LEAD_STAGE_NURTURING, late), 0);
    nh = 0;
    assert_int_equal(b2b2c_lead_stage_history(p->b, "L1", count_hist, &nh),
                     0);
    assert_int_equal(nh, 2);
    assert_int_equal(b2b2c_lead_remove(p->b, "a-long-lead-id-kept-outside"),
                     0);
    assert_int_equal(b2b2c_lead_stage(&st, p->a,
                                      "a-long-lead-id-kept-outside"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_add(p->a, "a-long-lead-id-kept-outside", late,
                                    0, NULL, NULL, NULL),
                     0);
    assert_same(p, late + DAY);
}

/* A commit of more changes than a change-log entry lists makes the others
 * rebuild from storage (core's reload): what the host set on the handle
 * and does not store (the alert) stays. */
static int alerts;
static int alert_cb(const char *id, int32_t o, int32_t b, int64_t at,
                    void *ud)
{
    (void)id;
    (void)o;
    (void)b;
    (void)at;
    (void)ud;
    alerts++;
    return 0;
}

static void t_reload_big_commit(void **state)
{
    pair *p = *state;
    enum { N = 65537 }; /* one more than a log entry lists */
    size_t n;
    double s;
    assert_int_equal(b2b2c_lead_add(p->a, "L0", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_alert(p->a, alert_cb, NULL), 0);
    assert_int_equal(b2b2c_ctx_begin(p->cb), 0);
    for (int i = 1; i <= N; i++) {
        char id[16];
        snprintf(id, sizeof(id), "r%d", i);
        assert_int_equal(b2b2c_lead_add(p->b, id, T0, i % 6, NULL, NULL, NULL),
                         0);
    }
    assert_int_equal(
        b2b2c_lead_event(p->b, "r7", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 1, 0),
        0);
    assert_int_equal(b2b2c_ctx_commit(p->cb), 0);
    assert_int_equal(b2b2c_lead_count(&n, p->a), 0);
    assert_int_equal(n, N + 1);
    assert_int_equal(b2b2c_lead_score(&s, NULL, p->a, "r7", T0 + 1), 0);
    assert_true(s == score_of(p->b, "r7", T0 + 1, NULL));
    alerts = 0;
    assert_int_equal(
        b2b2c_lead_event(p->a, "L0", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 2, 0),
        0);
    assert_int_equal(alerts, 1);
    assert_int_equal(b2b2c_lead_remove(p->b, "L0"), 0);
    assert_int_equal(b2b2c_lead_count(&n, p->a), 0);
    assert_int_equal(n, N);
}

/* ---- a random sequence of mixed calls, alternating A and B ---- */

static uint64_t rnd_state;
static uint32_t rnd(uint32_t n)
{
    /* xorshift64* (Vigna 2016) */
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return (uint32_t)((rnd_state * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

typedef struct op {
    int what;
    char id[8];
    int32_t a, b;
    double v;
    int64_t t;
} op;

static const char *const chans[] = {NULL, "search", "display", "partner"};
static const char *const regions[] = {NULL, "north", "south"};

static int run_op(b2b2c_lead_model *m, const op *o, int32_t *out)
{
    *out = -1;
    switch (o->what) {
    case 0:
        return b2b2c_lead_add(m, o->id, o->t, o->a % 6, chans[o->a % 4],
                              regions[o->b % 3], o->b % 2 ? "pumps" : NULL);
    case 1:
    case 2:
    case 3:
        return b2b2c_lead_event(m, o->id, o->a, o->t, o->v);
    case 4:
        return b2b2c_lead_set_stage(m, o->id, o->a, o->t);
    case 5:
        return b2b2c_lead_outcome(m, o->id, o->a % 2, o->t);
    case 6:
        return b2b2c_lead_remove(m, o->id);
    case 7:
        return b2b2c_lead_model_set_param(
            m, o->a % 2 ? B2B2C_LEAD_HALF_LIFE_DAYS : B2B2C_LEAD_WARM_THRESHOLD,
            o->v);
    case 8: {
        char name[8];
        snprintf(name, sizeof(name), "k%d", (int)o->a);
        return b2b2c_lead_add_kind(out, m, name);
    }
    case 9:
        return b2b2c_lead_kind_set(m, o->a, o->v, o->b % 3, 0, o->b % 2);
    case 10:
        return b2b2c_lead_attr_points_set(
            m, 1 + o->a % 3,
            o->a % 3 == 0 ? chans[1 + o->b % 3]
                          : o->a % 3 == 1 ? regions[1 + o->b % 2] : "pumps",
            o->v);
    default: {
        int32_t st = -1, passes = -1;
        int rc = b2b2c_lead_refit(&st, &passes, m);
        *out = rc ? -1 : st * 100000 + passes;
        return rc;
    }
    }
}

static op make_op(int64_t *t)
{
    op o;
    memset(&o, 0, sizeof(o));
    *t += 1 + rnd(4 * 3600);
    o.t = *t;
    o.what = (int)rnd(60);
    o.what = o.what < 55 ? o.what % 11 : 11; /* refits are rarer */
    snprintf(o.id, sizeof(o.id), "L%u", rnd(30));
    o.a = (int32_t)rnd(20);
    o.b = (int32_t)rnd(6);
    o.v = (double)rnd(11);
    if (o.what == 7)
        o.v = o.a % 2 ? 7 + 7 * (double)rnd(4) : 10 + 5 * (double)rnd(3);
    if (o.what == 4)
        o.a = (int32_t)rnd(10);
    if (o.what == 8)
        o.a = (int32_t)rnd(4);
    return o;
}

static void t_random_mixed(void **state)
{
    pair *p = *state;
    b2b2c_ctx *lc;
    b2b2c_lead_model *lone;
    int64_t t = T0;
    char *dl, *da, *db;
    int ok[12] = {0};

    /* every call through A and B (alternating) gives what the same calls
     * on one lone context give, and ends in the same state */
    assert_int_equal(b2b2c_ctx_new(&lc, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_model_new(&lone, lc), 0);
    assert_int_equal(b2b2c_lead_model_set_param(p->a, B2B2C_LEAD_MIN_OUTCOMES,
                                                4),
                     0);
    assert_int_equal(b2b2c_lead_model_set_param(p->a, B2B2C_LEAD_REFIT_EPOCHS,
                                                20),
                     0);
    assert_int_equal(b2b2c_lead_model_set_param(lone, B2B2C_LEAD_MIN_OUTCOMES,
                                                4),
                     0);
    assert_int_equal(b2b2c_lead_model_set_param(lone, B2B2C_LEAD_REFIT_EPOCHS,
                                                20),
                     0);
    rnd_state = 0x5eed2026;
    for (int i = 0; i < 400; i++) {
        op o = make_op(&t);
        int32_t o1, o2;
        int r1 = run_op(i % 2 ? p->b : p->a, &o, &o1);
        int r2 = run_op(lone, &o, &o2);
        if (r1 != r2 || o1 != o2)
            fail_msg("call %d (op %d on %s): %d/%d through the pair, %d/%d "
                     "alone: %s",
                     i, o.what, o.id, r1, (int)o1, r2, (int)o2,
                     b2b2c_ctx_errmsg(i % 2 ? p->cb : p->ca));
        ok[o.what] += r1 == 0;
        if (i % 50 == 49) {
            da = digest_text(i % 2 ? p->a : p->b, t);
            dl = digest_text(lone, t);
            assert_string_equal(da, dl);
            free(da);
            free(dl);
        }
    }
    for (int w = 0; w < 12; w++) /* every kind of call succeeded */
        if (ok[w] == 0)
            fail_msg("no call of op %d succeeded", w);
    dl = digest_text(lone, t + DAY);
    da = digest_text(p->a, t + DAY);
    db = digest_text(p->b, t + DAY);
    assert_string_equal(da, dl);
    assert_string_equal(db, dl);
    free(dl);
    free(da);
    free(db);
    assert_same(p, t + DAY);
    b2b2c_lead_model_free(lone);
    b2b2c_ctx_free(lc);
}

/* Band changes with their reason, appended to a text. */
static int why_cb(const char *id, int32_t o, int32_t b, int64_t at,
                  int32_t why, void *ud)
{
    sb_printf(ud, "why %s %d -> %d at %lld by %d\n", id, (int)o, (int)b,
              (long long)at, (int)why);
    return 0;
}

/* A and B (each kept current by the change log, never reloaded) and a
 * context opened now (its lead records read from storage) tell the same,
 * band-change reasons included. */
static void assert_same_why(pair *p, int64_t now)
{
    sbuf wa = {NULL, 0, 0}, wb = {NULL, 0, 0}, wc = {NULL, 0, 0};
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    assert_same(p, now);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &p->st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), 0);
    assert_int_equal(b2b2c_lead_band_changes_why(p->a, INT64_MIN / 2, now,
                                                 why_cb, &wa),
                     0);
    assert_int_equal(b2b2c_lead_band_changes_why(p->b, INT64_MIN / 2, now,
                                                 why_cb, &wb),
                     0);
    assert_int_equal(
        b2b2c_lead_band_changes_why(m, INT64_MIN / 2, now, why_cb, &wc), 0);
    assert_non_null(wc.p);
    assert_string_equal(wa.p, wc.p);
    assert_string_equal(wb.p, wc.p);
    free(wa.p);
    free(wb.p);
    free(wc.p);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(c);
}

static int count_rescore(const char *id, int32_t o, int32_t b, int64_t at,
                         void *ud)
{
    (void)id, (void)o, (void)b, (void)at;
    ++*(int *)ud;
    return 0;
}

/* (h) Lazy rescoring (issue 18): a rescoring writes no lead record, yet
 * the other context and a fresh open see every lead rescored, through
 * rescorings one after the other with events between them (records
 * stored at different generations, some handed over in the same sync as
 * the rescorings after them), late events (their checkpoints rescored
 * too), thresholds, fit points and an apply. */
static void t_rescore_lazy(void **state)
{
    pair *p = *state;
    static const char *const ent[] = {"kind:site_visit", "kind:quote_request",
                                      "segment:b2c_consumer"};
    static const double pts[] = {9, 4, 6};
    char id[16];
    int alerts = 0, ok;
    int64_t t = T0 + 30 * DAY;
    assert_int_equal(b2b2c_lead_model_set_param(p->a, B2B2C_LEAD_LATENESS_DAYS,
                                                10),
                     0);
    assert_int_equal(b2b2c_lead_set_rescore_alert(p->b, count_rescore,
                                                  &alerts),
                     0);
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof(id), "R%02d", i);
        assert_int_equal(b2b2c_lead_add(i % 2 ? p->a : p->b, id, T0, i % 6,
                                        i % 3 ? "web" : "partner",
                                        i % 4 ? "north" : NULL, NULL),
                         0);
        for (int e = 0; e <= i % 5; e++)
            assert_int_equal(b2b2c_lead_event(p->a, id,
                                              (i + e) % 3
                                                  ? B2B2C_LEAD_EV_SITE_VISIT
                                                  : B2B2C_LEAD_EV_QUOTE_REQUEST,
                                              T0 + (i + 3 * e) * 3600, 0),
                             0);
    }
    /* a late event: R07 keeps a checkpoint */
    assert_int_equal(b2b2c_lead_event(p->b, "R07", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 1800, 0),
                     0);
    assert_same_why(p, t);
    /* a rescoring in A, an event in A, a threshold in B (A's records
     * come to B in one sync, at two generations) */
    assert_int_equal(b2b2c_lead_kind_set(p->a, B2B2C_LEAD_EV_SITE_VISIT, 30, 0,
                                         0, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(p->a, "R03",
                                      B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 2 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_model_set_param(p->b, B2B2C_LEAD_HOT_THRESHOLD,
                                                45),
                     0);
    assert_same_why(p, t);
    /* B: fit points, then a late event on a lead A rescored */
    assert_int_equal(b2b2c_lead_attr_points_set(p->b, B2B2C_LEAD_ATTR_CHANNEL,
                                                "web", 12),
                     0);
    assert_int_equal(b2b2c_lead_event(p->b, "R07",
                                      B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 2000, 0),
                     0);
    assert_int_equal(b2b2c_lead_kind_set(p->b, B2B2C_LEAD_EV_QUOTE_REQUEST, 1,
                                         0, 0, 0),
                     0);
    assert_same_why(p, t);
    /* an apply at a later time, in A; a late event after it in B */
    ok = b2b2c_lead_points_apply(NULL, NULL, p->a, ent, pts, 3, 0.3, 0.2,
                                 T0 + 5 * DAY);
    assert_int_equal(ok, 0);
    assert_int_equal(b2b2c_lead_event(p->b, "R07", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 2100, 0),
                     0);
    assert_same_why(p, t);
    /* the rescore alert ran in B for B's rescorings only */
    assert_true(alerts > 0);
    /* a rescoring rolled back in a group leaves every context as it was */
    {
        char *before = digest_text(p->b, t), *after;
        assert_int_equal(b2b2c_ctx_begin(p->ca), 0);
        assert_int_equal(b2b2c_lead_kind_set(p->a, B2B2C_LEAD_EV_SITE_VISIT,
                                             2, 0, 0, 0),
                         0);
        assert_int_equal(b2b2c_ctx_rollback(p->ca), 0);
        after = digest_text(p->a, t);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
    assert_same_why(p, t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_both_events_count, setup, teardown),
        cmocka_unit_test_setup_teardown(t_add_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(t_stages_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(t_config, setup, teardown),
        cmocka_unit_test_setup_teardown(t_refit, setup, teardown),
        cmocka_unit_test_setup_teardown(t_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(t_close, setup, teardown),
        cmocka_unit_test_setup_teardown(t_random_mixed, setup, teardown),
        cmocka_unit_test_setup_teardown(t_reload_big_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(t_rescore_lazy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
