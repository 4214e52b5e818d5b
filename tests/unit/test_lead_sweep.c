/* SPDX-License-Identifier: MIT */
/*
 * The sweep of lazy rescoring (issue 18): each rescoring rewrites a
 * bounded slice of lead records at the current generation; once a pass
 * went through every lead, the steps up to the generation it began at are
 * deleted and the stored floor rises. docs/lead-model.md, "Lazy records".
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
#include "internal.h"
#include "lead/lead_internal.h"

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400
#define NLEADS 30

/* The memstore behind a counter of record writes per table. */
typedef struct counted {
    b2b2c_storage in;
    size_t leads, steps; /* puts to lead_leads / lead_rescores */
} counted;

static int c_put(void *u, const char *t, const void *k, size_t kl,
                 const void *v, size_t vl)
{
    counted *c = u;
    if (strcmp(t, "lead_leads") == 0)
        c->leads++;
    else if (strcmp(t, "lead_rescores") == 0)
        c->steps++;
    return c->in.put(c->in.userdata, t, k, kl, v, vl);
}

/* The other methods: the memstore's, on its own userdata. */
#define IN(u) (&((counted *)(u))->in)
static int c_get(void *u, const char *t, const void *k, size_t kl,
                 b2b2c_storage_value_cb f, void *p)
{
    return IN(u)->get(IN(u)->userdata, t, k, kl, f, p);
}
static int c_del(void *u, const char *t, const void *k, size_t kl)
{
    return IN(u)->del(IN(u)->userdata, t, k, kl);
}
static int c_scan(void *u, const char *t, b2b2c_storage_row_cb r, void *p)
{
    return IN(u)->scan(IN(u)->userdata, t, r, p);
}
static int c_begin(void *u)
{
    return IN(u)->begin(IN(u)->userdata);
}
static int c_commit(void *u)
{
    return IN(u)->commit(IN(u)->userdata);
}
static int c_rollback(void *u)
{
    return IN(u)->rollback(IN(u)->userdata);
}
static void c_hint(void *u, int32_t op, const char *t, uint64_t h)
{
    if (IN(u)->hint)
        IN(u)->hint(IN(u)->userdata, op, t, h);
}
static int c_begin_read(void *u)
{
    return IN(u)->begin_read(IN(u)->userdata);
}
static int32_t c_peers(void *u, int32_t d, uint64_t *e)
{
    return IN(u)->peers(IN(u)->userdata, d, e);
}

typedef struct store {
    b2b2c_memstore *ms;
    counted cnt;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
} store;

static void store_open(store *s, size_t slice)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(b2b2c_memstore_new(&s->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(s->ms, &s->cnt.in), 0);
    s->st = s->cnt.in;
    s->st.userdata = &s->cnt;
    s->st.put = c_put;
    s->st.get = c_get;
    s->st.del = c_del;
    s->st.scan = c_scan;
    s->st.begin = c_begin;
    s->st.commit = c_commit;
    s->st.rollback = c_rollback;
    s->st.hint = c_hint;
    s->st.begin_read = s->cnt.in.begin_read ? c_begin_read : NULL;
    s->st.peers = s->cnt.in.peers ? c_peers : NULL;
    assert_int_equal(b2b2c_ctx_new(&s->ctx, NULL, &s->st), 0);
    assert_int_equal(b2b2c_lead_model_new(&s->m, s->ctx), 0);
    s->m->sw_slice = slice;
}

static void store_close(store *s)
{
    b2b2c_lead_model_free(s->m);
    b2b2c_ctx_free(s->ctx);
    b2b2c_memstore_free(s->ms);
}

/* NLEADS leads with events of two kinds, attributes, late checkpoints. */
static void fill(b2b2c_lead_model *m)
{
    char id[16];
    assert_int_equal(b2b2c_lead_model_set_param(m, B2B2C_LEAD_LATENESS_DAYS,
                                                5),
                     0);
    for (int i = 0; i < NLEADS; i++) {
        snprintf(id, sizeof(id), "L%02d", i);
        assert_int_equal(b2b2c_lead_add(m, id, T0, i % 6,
                                        i % 2 ? "web" : NULL, NULL, NULL),
                         0);
        for (int e = 0; e <= i % 4; e++)
            assert_int_equal(
                b2b2c_lead_event(m, id,
                                 e % 2 ? B2B2C_LEAD_EV_QUOTE_REQUEST
                                       : B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                 T0 + (i + 5 * e) * 3600, 0),
                0);
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static int why_cb(const char *id, int32_t o, int32_t b, int64_t at,
                  int32_t why, void *ud)
{
    uint64_t *h = ud;
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%s %d %d %lld %d;", id, (int)o,
                     (int)b, (long long)at, (int)why);
    *h = fnv(*h, buf, (size_t)n);
    return 0;
}

static int list_cb(const char *id, int32_t st, int32_t band, double score,
                   void *ud)
{
    uint64_t *h = ud;
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%s %d %d %.17g;", id, (int)st,
                     (int)band, score);
    *h = fnv(*h, buf, (size_t)n);
    return 0;
}

/* Every lead's score, band and band entry, through the API. */
static uint64_t digest(const b2b2c_lead_model *m, int64_t now)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    assert_int_equal(b2b2c_lead_list(m, -1, -1, now, list_cb, &h), 0);
    assert_int_equal(
        b2b2c_lead_band_changes_why(m, INT64_MIN / 2, now, why_cb, &h), 0);
    return h;
}

/* The digest of a handle opened now on s's store; *rc its open's code. */
static uint64_t reopened(store *s, int64_t now, int *rc)
{
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    uint64_t h = 0;
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s->st), 0);
    *rc = b2b2c_lead_model_new(&m, c);
    if (*rc == 0) {
        h = digest(m, now);
        b2b2c_lead_model_free(m);
    }
    b2b2c_ctx_free(c);
    return h;
}

typedef struct rows {
    uint64_t h;
    size_t n;
} rows;

static int row_cb(const void *k, size_t kl, const void *v, size_t vl,
                  void *ud)
{
    rows *r = ud;
    r->h = fnv(fnv(r->h, k, kl), v, vl);
    r->n++;
    return 0;
}

static rows table_rows(store *s, const char *table)
{
    rows r = {0xcbf29ce484222325ULL, 0};
    assert_int_equal(b2b2c__st_scan(s->ctx, table, row_cb, &r), 0);
    return r;
}

/* Rescoring number i (1, 2, ...): a kind's points, a threshold or a fit
 * in turn, never the same table twice in a row. */
static void rescore(b2b2c_lead_model *m, int i)
{
    switch (i % 3) {
    case 0:
        assert_int_equal(b2b2c_lead_kind_set(m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                             10 + i, 0, 0, 0),
                         0);
        break;
    case 1:
        assert_int_equal(b2b2c_lead_model_set_param(
                             m, B2B2C_LEAD_WARM_THRESHOLD, 10 + i % 7),
                         0);
        break;
    default:
        assert_int_equal(b2b2c_lead_attr_points_set(
                             m, B2B2C_LEAD_ATTR_CHANNEL, "web", i % 11),
                         0);
    }
}

/* The steps a handle holds below the floor are freed (NULL), the ones
 * after it are there. */
static void steps_freed(const b2b2c_lead_model *m)
{
    for (uint32_t g = m->gbase + 1; g <= m->ngen; g++) {
        if (g <= m->gfloor)
            assert_null(m->steps[g - 1 - m->gbase]);
        else
            assert_non_null(m->steps[g - 1 - m->gbase]);
    }
}

/* Each rescoring writes at most the slice of lead records; the steps kept
 * stay bounded by the leads over the slice whatever the number of
 * rescorings, and a handle opened at any point reads what the rescoring
 * handle tells. */
static void t_bounded(void **state)
{
    const size_t slice = 7, pass = (NLEADS + slice - 1) / slice;
    int64_t now = T0 + 40 * DAY;
    store s;
    int rc;
    (void)state;
    store_open(&s, slice);
    fill(s.m);
    for (int i = 1; i <= 40; i++) {
        size_t before = s.cnt.leads;
        rows g;
        rescore(s.m, i);
        assert_true(s.cnt.leads - before <= slice);
        g = table_rows(&s, "lead_rescores");
        /* steps of this pass and the last, plus the floor record */
        assert_true(g.n <= 2 * pass + 1);
        assert_true(s.m->gfloor + 2 * pass >= s.m->ngen);
        if (i % 5 == 0) {
            assert_true(reopened(&s, now, &rc) == digest(s.m, now));
            assert_int_equal(rc, 0);
        }
    }
    assert_true(s.m->gfloor > 0);
    assert_int_equal(s.m->ngen, 40);
    steps_freed(s.m);
    store_close(&s);
}

/* A slice that covers every lead: a rescoring stores its step, rewrites
 * every record and deletes the step at once (only the floor is left). */
static void t_whole(void **state)
{
    int64_t now = T0 + 40 * DAY;
    store s;
    int rc;
    (void)state;
    store_open(&s, LEAD_SWEEP_SLICE);
    fill(s.m);
    for (int i = 1; i <= 4; i++) {
        rescore(s.m, i);
        assert_int_equal(s.m->gfloor, (uint32_t)i);
        assert_int_equal(table_rows(&s, "lead_rescores").n, 1);
    }
    assert_true(reopened(&s, now, &rc) == digest(s.m, now));
    assert_int_equal(rc, 0);
    store_close(&s);
}

/* Leads removed and closed behind the pass (the last lead moves into
 * their place) and added during it: the pass still reaches every record
 * before the floor rises (a record left behind would be ECORRUPT at the
 * next open). */
static void t_removed_during_pass(void **state)
{
    int64_t now = T0 + 400 * DAY;
    char id[16];
    store s;
    size_t n;
    int rc;
    (void)state;
    store_open(&s, 4);
    fill(s.m);
    assert_int_equal(b2b2c_lead_set_stage(s.m, "L02", B2B2C_LEAD_STAGE_LOST,
                                          T0 + DAY),
                     0);
    for (int i = 1; i <= 30; i++) {
        rescore(s.m, i);
        if (i % 4 == 1 && s.m->sw.at < s.m->nleads && s.m->sw.at > 0) {
            /* the first lead in memory: behind the pass */
            char first[32];
            snprintf(first, sizeof(first), "%s", lead_at(s.m, 0)->id);
            assert_int_equal(b2b2c_lead_remove(s.m, first), 0);
            snprintf(id, sizeof(id), "N%02d", i);
            assert_int_equal(b2b2c_lead_add(s.m, id, T0 + DAY, 1, NULL, NULL,
                                            NULL),
                             0);
        }
        if (i == 10)
            assert_int_equal(b2b2c_lead_close_due(&n, s.m, now, 100), 0);
        assert_true(reopened(&s, now, &rc) == digest(s.m, now));
        assert_int_equal(rc, 0);
    }
    assert_true(s.m->gfloor > 10);
    store_close(&s);
}

/* A rescoring that raises the floor, rolled back with its group: the steps,
 * the floor record and the lead records are as before, and so is the
 * handle (the next rescorings and a reopen agree). */
static void t_group_rollback(void **state)
{
    int64_t now = T0 + 40 * DAY;
    store s;
    rows g0, l0;
    uint32_t f0;
    uint64_t h0;
    int rc;
    (void)state;
    store_open(&s, 10);
    fill(s.m);
    for (int i = 1; i <= 2; i++)
        rescore(s.m, i); /* a pass of 3 slices: not done yet */
    g0 = table_rows(&s, "lead_rescores");
    l0 = table_rows(&s, "lead_leads");
    f0 = s.m->gfloor;
    h0 = digest(s.m, now);
    assert_int_equal(b2b2c_ctx_begin(s.ctx), 0);
    rescore(s.m, 3);
    assert_true(s.m->gfloor > f0); /* the pass ended in the group */
    rescore(s.m, 4);
    assert_int_equal(b2b2c_ctx_rollback(s.ctx), 0);
    assert_int_equal(s.m->gfloor, f0);
    assert_true(table_rows(&s, "lead_rescores").h == g0.h);
    assert_true(table_rows(&s, "lead_leads").h == l0.h);
    assert_true(digest(s.m, now) == h0);
    for (int i = 3; i <= 12; i++)
        rescore(s.m, i);
    assert_true(reopened(&s, now, &rc) == digest(s.m, now));
    assert_int_equal(rc, 0);
    store_close(&s);
}

/* Two contexts on one store: the other one, open all along, follows the
 * steps and the rising floor through the change log; when steps it never
 * read were deleted it reloads; it agrees with the rescoring one and with
 * a handle opened afterwards, and its own rescorings sweep too. */
static void t_two_contexts(void **state)
{
    int64_t now = T0 + 40 * DAY;
    store s;
    b2b2c_ctx *c2;
    b2b2c_lead_model *m2;
    int rc;
    (void)state;
    store_open(&s, 6);
    fill(s.m);
    assert_int_equal(b2b2c_ctx_new(&c2, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m2, c2), 0);
    m2->sw_slice = 4;
    /* in step: one rescoring at a time, the floor rising in between */
    for (int i = 1; i <= 14; i++) {
        rescore(i % 2 ? s.m : m2, i);
        assert_true(digest(m2, now) == digest(s.m, now));
        assert_int_equal(m2->gfloor, s.m->gfloor);
        assert_int_equal(m2->ngen, s.m->ngen);
        steps_freed(m2);
        steps_freed(s.m);
    }
    assert_true(s.m->gfloor > 0);
    /* behind: the floor passes steps m2 never read (a reload) */
    for (int i = 15; i <= 40; i++)
        rescore(s.m, i);
    assert_true(s.m->gfloor > m2->ngen);
    assert_int_equal(b2b2c_lead_event(s.m, "L03",
                                      B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 3 * DAY, 0),
                     0);
    assert_true(digest(m2, now) == digest(s.m, now));
    assert_int_equal(m2->ngen, s.m->ngen);
    assert_true(reopened(&s, now, &rc) == digest(s.m, now));
    assert_int_equal(rc, 0);
    b2b2c_lead_model_free(m2);
    b2b2c_ctx_free(c2);
    store_close(&s);
}

/* Records that do not fit the floor are B2B2C_ECORRUPT at the open, the
 * message naming the table: a lead below the floor, a step kept at or
 * below it, a floor record that does not decode. */
static void t_corrupt(void **state)
{
    static const char zero[4] = {0, 0, 0, 0};
    store s;
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    b2b2c__wbuf w;
    (void)state;
    store_open(&s, 0);
    fill(s.m);
    for (int i = 1; i <= 3; i++)
        rescore(s.m, i); /* steps 1..3, every lead at generation 0 */
    /* a floor of 2 written by hand: the leads at 0 are below it, and steps
     * 1 and 2 are kept although at or below it */
    b2b2c__enc_begin(&w, &s.ctx->mem, 1);
    b2b2c__enc_u32(&w, 2);
    assert_int_equal(b2b2c_ctx_begin(s.ctx), 0);
    assert_int_equal(b2b2c__st_put_rec(s.ctx, "lead_rescores", zero, 4, &w),
                     0);
    assert_int_equal(b2b2c_ctx_commit(s.ctx), 0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "lead_rescores"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "floor is 2"));
    b2b2c_ctx_free(c);
    assert_int_equal(s.st.del(s.st.userdata, "lead_rescores", "\0\0\0\1", 4),
                     0);
    assert_int_equal(s.st.del(s.st.userdata, "lead_rescores", "\0\0\0\2", 4),
                     0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "lead_leads"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "below the floor 2"));
    b2b2c_ctx_free(c);
    /* a floor record that does not decode */
    assert_int_equal(s.st.put(s.st.userdata, "lead_rescores", zero, 4,
                              "garbage!", 8),
                     0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "lead_rescores"));
    b2b2c_ctx_free(c);
    store_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_bounded),
        cmocka_unit_test(t_whole),
        cmocka_unit_test(t_removed_during_pass),
        cmocka_unit_test(t_group_rollback),
        cmocka_unit_test(t_two_contexts),
        cmocka_unit_test(t_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
