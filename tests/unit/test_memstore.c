/* SPDX-License-Identifier: MIT */
/* The built-in store: the storage conformance suite, and the ascending-key
 * run (append fast path) checked against a reference model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "memstore/memstore.h"
#include "internal.h"

static int ms_open(b2b2c_storage *st, void **handle)
{
    b2b2c_memstore *ms;
    int rc = b2b2c_memstore_new(&ms, NULL);
    if (rc)
        return rc;
    *handle = ms;
    return b2b2c_memstore_methods(ms, st);
}

static void ms_close(void *handle)
{
    b2b2c_memstore_free(handle);
}

/* The failing wrapper must conform too, or fault tests would lie. */
static int fs_open(b2b2c_storage *st, void **handle)
{
    static th_store s;
    th_store_init(&s);
    *st = s.methods;
    *handle = &s;
    return 0;
}

static void fs_close(void *handle)
{
    th_store_fini(handle);
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct fx {
    b2b2c_memstore *ms;
    b2b2c_storage st;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(b2b2c_memstore_new(&f->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(f->ms, &f->st), 0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    b2b2c_memstore_free(f->ms);
    free(f);
    return 0;
}

static void be64(unsigned char k[8], uint64_t x)
{
    for (int b = 7; b >= 0; b--, x >>= 8)
        k[b] = (unsigned char)x;
}

static int put(fx *f, const void *k, size_t kl, const void *v, size_t vl)
{
    return f->st.put(f->st.userdata, "t", k, kl, v, vl);
}

static int del(fx *f, const void *k, size_t kl)
{
    return f->st.del(f->st.userdata, "t", k, kl);
}

typedef struct got {
    unsigned char v[64];
    size_t n;
} got;

static int grab(const void *v, size_t n, void *p)
{
    got *g = p;
    assert_true(n <= sizeof(g->v));
    memcpy(g->v, v, n);
    g->n = n;
    return 0;
}

/* 0 and the value in *g, or B2B2C_ENOTFOUND */
static int get(fx *f, const void *k, size_t kl, got *g)
{
    return f->st.get(f->st.userdata, "t", k, kl, grab, g);
}

static void layout(fx *f, size_t *run, size_t *dead, size_t *hashed)
{
    b2b2c__memstore_layout(f->ms, "t", run, dead, hashed);
}

/* ---- a reference model: a sorted array of (key, value) ------------------ */

enum { KMAX = 24, VMAX = 16 };

typedef struct mrow {
    unsigned char k[KMAX], v[VMAX];
    size_t kl, vl;
} mrow;

typedef struct model {
    mrow *r;
    size_t n, cap;
} model;

static int korder(const unsigned char *a, size_t al, const unsigned char *b,
                  size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

/* index of k, or of where it would go (*found 0) */
static size_t model_find(const model *m, const unsigned char *k, size_t kl,
                         int *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = korder(k, kl, m->r[mid].k, m->r[mid].kl);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = 0;
    return lo;
}

static void model_put(model *m, const unsigned char *k, size_t kl,
                      const unsigned char *v, size_t vl)
{
    int found;
    size_t i = model_find(m, k, kl, &found);
    if (!found) {
        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 64;
            m->r = realloc(m->r, m->cap * sizeof(*m->r));
            assert_non_null(m->r);
        }
        memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(*m->r));
        m->n++;
        memcpy(m->r[i].k, k, kl);
        m->r[i].kl = kl;
    }
    memcpy(m->r[i].v, v, vl);
    m->r[i].vl = vl;
}

static void model_del(model *m, const unsigned char *k, size_t kl)
{
    int found;
    size_t i = model_find(m, k, kl, &found);
    if (found) {
        memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(*m->r));
        m->n--;
    }
}

static void model_copy(model *dst, const model *src)
{
    if (dst->cap < src->n) {
        dst->cap = src->cap;
        dst->r = realloc(dst->r, dst->cap * sizeof(*dst->r));
        assert_non_null(dst->r);
    }
    if (src->n)
        memcpy(dst->r, src->r, src->n * sizeof(*src->r));
    dst->n = src->n;
}

typedef struct cmp_scan {
    const model *m;
    size_t i;
} cmp_scan;

static int scan_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *p)
{
    cmp_scan *c = p;
    const mrow *r;
    assert_true(c->i < c->m->n);
    r = &c->m->r[c->i++];
    assert_int_equal(kl, r->kl);
    assert_memory_equal(k, r->k, kl);
    assert_int_equal(vl, r->vl);
    if (vl)
        assert_memory_equal(v, r->v, vl);
    return 0;
}

/* The store's whole table, in scan order, is the model. */
static void expect_model(fx *f, const model *m)
{
    cmp_scan c = {m, 0};
    size_t rows;
    assert_int_equal(f->st.scan(f->st.userdata, "t", scan_row, &c), 0);
    assert_int_equal(c.i, m->n);
    b2b2c__memstore_fingerprint(f->ms, &rows);
    assert_int_equal(rows, m->n);
}

/* ---- tests -------------------------------------------------------------- */

/* Ascending 8-byte keys go to the run; gets, replaces, deletes, re-puts and
 * keys below or between run keys (to the map) keep every row findable and
 * the scan in order. */
static void t_ascending(void **state)
{
    fx *f = *state;
    model m = {0};
    unsigned char k[8], v[8];
    size_t run, dead, hashed;
    got g;

    for (uint64_t i = 10; i < 2010; i++) {
        be64(k, 2 * i); /* even numbers: the odd ones fall between */
        be64(v, i);
        assert_int_equal(put(f, k, 8, v, 8), 0);
        model_put(&m, k, 8, v, 8);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 2000);
    assert_int_equal(hashed, 0);
    expect_model(f, &m);
    for (uint64_t i = 10; i < 2010; i++) {
        be64(k, 2 * i);
        assert_int_equal(get(f, k, 8, &g), 0);
        be64(v, i);
        assert_int_equal(g.n, 8);
        assert_memory_equal(g.v, v, 8);
        be64(k, 2 * i + 1);
        assert_int_equal(get(f, k, 8, &g), B2B2C_ENOTFOUND);
    }
    /* replace every third row (a longer value), delete every fifth */
    for (uint64_t i = 10; i < 2010; i += 3) {
        be64(k, 2 * i);
        assert_int_equal(put(f, k, 8, "replaced", 8), 0);
        model_put(&m, k, 8, (const unsigned char *)"replaced", 8);
    }
    for (uint64_t i = 10; i < 2010; i += 5) {
        be64(k, 2 * i);
        assert_int_equal(del(f, k, 8), 0);
        assert_int_equal(del(f, k, 8), 0); /* absent now: still 0 */
        model_del(&m, k, 8);
        assert_int_equal(get(f, k, 8, &g), B2B2C_ENOTFOUND);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 2000);
    assert_int_equal(dead, 400);
    assert_int_equal(hashed, 0);
    expect_model(f, &m);
    /* keys between, below and re-puts of deleted ones */
    for (uint64_t i = 10; i < 2010; i += 7) {
        be64(k, 2 * i + 1);
        assert_int_equal(put(f, k, 8, "odd", 3), 0);
        model_put(&m, k, 8, (const unsigned char *)"odd", 3);
    }
    for (uint64_t i = 0; i < 20; i++) {
        be64(k, i);
        assert_int_equal(put(f, k, 8, "low", 3), 0);
        model_put(&m, k, 8, (const unsigned char *)"low", 3);
    }
    for (uint64_t i = 10; i < 2010; i += 10) {
        be64(k, 2 * i);
        assert_int_equal(put(f, k, 8, "back", 4), 0);
        model_put(&m, k, 8, (const unsigned char *)"back", 4);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 2000);
    assert_int_equal(dead, 200);
    assert_int_equal(hashed, 286 + 20);
    expect_model(f, &m);
    /* deleting more than half the run compacts it (outside a transaction) */
    for (uint64_t i = 10; i < 2010; i++) {
        if (i % 3 == 0) {
            be64(k, 2 * i);
            assert_int_equal(del(f, k, 8), 0);
            model_del(&m, k, 8);
        }
    }
    for (uint64_t i = 10; i < 2010; i++) {
        if (i % 3 == 1) {
            be64(k, 2 * i);
            assert_int_equal(del(f, k, 8), 0);
            model_del(&m, k, 8);
        }
    }
    layout(f, &run, &dead, &hashed);
    assert_true(run < 2000);
    assert_true(dead <= run / 2);
    expect_model(f, &m);
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(get(f, m.r[i].k, m.r[i].kl, &g), 0);
        assert_int_equal(g.n, m.r[i].vl);
    }
    /* appends go on above the last key */
    be64(k, 100000);
    assert_int_equal(put(f, k, 8, "top", 3), 0);
    model_put(&m, k, 8, (const unsigned char *)"top", 3);
    expect_model(f, &m);
    free(m.r);
}

/* Ascending keys that share their first 8 bytes (string IDs), including
 * keys that are prefixes of one another and zero bytes. */
static void t_ascending_shared_prefix(void **state)
{
    fx *f = *state;
    model m = {0};
    unsigned char k[KMAX];
    size_t run, dead, hashed;
    got g;

    for (unsigned i = 0; i < 600; i++) {
        size_t n = (size_t)snprintf((char *)k, sizeof(k), "event-%06u", i);
        assert_int_equal(put(f, k, n, k, 8), 0);
        model_put(&m, k, n, k, 8);
        /* a longer key with the same start sorts right after it */
        k[n] = 0;
        assert_int_equal(put(f, k, n + 1, "z", 1), 0);
        model_put(&m, k, n + 1, (const unsigned char *)"z", 1);
    }
    /* keys longer than 8 bytes live in the map (a run searched by their
     * shared first 8 bytes would compare whole rows) */
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 0);
    assert_int_equal(hashed, 1200);
    /* 8-byte keys in the same table, ascending: a table whose map has
     * rows and whose run is empty is a plain hash table, so they go to
     * the map too (a run starts only in an empty table) */
    for (unsigned i = 0; i < 300; i++) {
        memcpy(k, "evt+", 4);
        k[4] = (unsigned char)(i >> 24);
        k[5] = (unsigned char)(i >> 16);
        k[6] = (unsigned char)(i >> 8);
        k[7] = (unsigned char)i;
        assert_int_equal(put(f, k, 8, "s", 1), 0);
        model_put(&m, k, 8, (const unsigned char *)"s", 1);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 0);
    assert_int_equal(hashed, 1500);
    expect_model(f, &m);
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(get(f, m.r[i].k, m.r[i].kl, &g), 0);
        assert_int_equal(g.n, m.r[i].vl);
        /* a key one byte shorter or longer than a stored one: absent
         * unless the model has it */
        if (m.r[i].kl > 1 && m.r[i].k[m.r[i].kl - 1] != 0) {
            int found;
            model_find(&m, m.r[i].k, m.r[i].kl - 1, &found);
            assert_int_equal(get(f, m.r[i].k, m.r[i].kl - 1, &g),
                             found ? 0 : B2B2C_ENOTFOUND);
        }
    }
    memcpy(k, "event-000300x", 13); /* between two run keys */
    assert_int_equal(put(f, k, 13, "mid", 3), 0);
    model_put(&m, k, 13, (const unsigned char *)"mid", 3);
    assert_int_equal(del(f, "event-000301", 12), 0);
    model_del(&m, (const unsigned char *)"event-000301", 12);
    expect_model(f, &m);
    free(m.r);
}

/* Deleting the run's last rows while the map holds keys between them:
 * the last slot stays (dead) as the map's upper bound, so a later put of
 * a map key replaces it there instead of appending a second copy. */
static void t_tail_delete(void **state)
{
    fx *f = *state;
    model m = {0};
    unsigned char k[8];
    size_t run, dead, hashed;

    for (uint64_t i = 1; i <= 10; i++) {
        be64(k, 2 * i);
        assert_int_equal(put(f, k, 8, "r", 1), 0);
        model_put(&m, k, 8, (const unsigned char *)"r", 1);
    }
    be64(k, 19);
    assert_int_equal(put(f, k, 8, "m", 1), 0);
    model_put(&m, k, 8, (const unsigned char *)"m", 1);
    for (uint64_t i = 10; i >= 5; i--) { /* the 6th delete compacts */
        be64(k, 2 * i);
        assert_int_equal(del(f, k, 8), 0);
        model_del(&m, k, 8);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 5); /* 2, 4, 6, 8 and the dead 20 */
    assert_int_equal(dead, 1);
    assert_int_equal(hashed, 1);
    expect_model(f, &m);
    be64(k, 19);
    assert_int_equal(put(f, k, 8, "m2", 2), 0);
    model_put(&m, k, 8, (const unsigned char *)"m2", 2);
    be64(k, 20);
    assert_int_equal(put(f, k, 8, "back", 4), 0);
    model_put(&m, k, 8, (const unsigned char *)"back", 4);
    be64(k, 21);
    assert_int_equal(put(f, k, 8, "up", 2), 0);
    model_put(&m, k, 8, (const unsigned char *)"up", 2);
    expect_model(f, &m);
    /* with the map empty the whole dead tail goes */
    be64(k, 19);
    assert_int_equal(del(f, k, 8), 0);
    model_del(&m, k, 8);
    for (uint64_t i = 1; i <= 4; i++) {
        be64(k, 2 * i);
        assert_int_equal(del(f, k, 8), 0);
        model_del(&m, k, 8);
    }
    be64(k, 21);
    assert_int_equal(del(f, k, 8), 0);
    model_del(&m, k, 8);
    layout(f, &run, &dead, &hashed);
    assert_int_equal(hashed, 0);
    assert_true(dead <= run / 2);
    expect_model(f, &m);
    be64(k, 3);
    assert_int_equal(put(f, k, 8, "low", 3), 0);
    model_put(&m, k, 8, (const unsigned char *)"low", 3);
    expect_model(f, &m);
    free(m.r);
}

/* Random 8-byte keys: the run holds only the running maxima, and once the
 * map holds many times more the run dissolves into it (at a commit). */
static void t_random_keys_dissolve(void **state)
{
    fx *f = *state;
    model m = {0}, saved = {0};
    unsigned char k[8];
    uint64_t x = 88172645463325252ULL;
    size_t run, dead, hashed;
    got g;

    for (int txn = 0; txn < 40; txn++) {
        assert_int_equal(f->st.begin(f->st.userdata), 0);
        model_copy(&saved, &m);
        for (int i = 0; i < 250; i++) {
            x ^= x << 13; /* Marsaglia 2003, xorshift64 */
            x ^= x >> 7;
            x ^= x << 17;
            be64(k, x);
            assert_int_equal(put(f, k, 8, k, 4), 0);
            model_put(&m, k, 8, k, 4);
        }
        layout(f, &run, &dead, &hashed);
        if (txn == 0)
            assert_true(run > 0 && run < 20); /* about ln(250) ~ 6 */
        if (txn % 5 == 4) {
            assert_int_equal(f->st.rollback(f->st.userdata), 0);
            model_copy(&m, &saved);
        } else {
            assert_int_equal(f->st.commit(f->st.userdata), 0);
        }
        expect_model(f, &m);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 0);
    assert_int_equal(hashed, m.n);
    for (size_t i = 0; i < m.n; i++)
        assert_int_equal(get(f, m.r[i].k, 8, &g), 0);
    /* outside a transaction the same happens at once */
    for (int i = 0; i < 2000; i++) {
        be64(k, (uint64_t)i << 40);
        assert_int_equal(f->st.put(f->st.userdata, "u", k, 8, "v", 1), 0);
        be64(k, (uint64_t)(4000 - i) << 40); /* descending */
        assert_int_equal(f->st.put(f->st.userdata, "w", k, 8, "v", 1), 0);
    }
    for (int i = 0; i < 1000; i++) {
        be64(k, (uint64_t)(i * 7919 % 1999) << 40 | 5);
        assert_int_equal(f->st.put(f->st.userdata, "u", k, 8, "v", 1), 0);
    }
    b2b2c__memstore_layout(f->ms, "u", &run, &dead, &hashed);
    assert_int_equal(run, 2000); /* a third out of order: not dissolved */
    assert_int_equal(hashed, 1000);
    b2b2c__memstore_layout(f->ms, "w", &run, &dead, &hashed);
    assert_int_equal(run, 0);
    assert_int_equal(hashed, 2000);
    free(m.r);
    free(saved.r);
}

static int st_get_wrap(void *ud, const char *t, const void *k, size_t kl,
                      b2b2c_storage_value_cb found, void *payload)
{
    fx *f = ud;
    return f->st.get(f->st.userdata, t, k, kl, found, payload);
}

static int st_put_wrap(void *ud, const char *t, const void *k, size_t kl,
                       const void *v, size_t vl)
{
    fx *f = ud;
    return f->st.put(f->st.userdata, t, k, kl, v, vl);
}

/* b2b2c__st_prefetch is a hint: for every key (hashed rows, run rows,
 * absent keys, wrong hashes), both stages, unknown tables, an empty store
 * and a storage that is not the memstore, it changes nothing. */
static void t_prefetch_hint(void **state)
{
    fx *f = *state;
    b2b2c_ctx *ctx;
    b2b2c_storage other;
    static const char *const tables[] = {"t", "r", "none"};
    uint64_t fp0, fp1;
    size_t rows0, rows1;
    unsigned char k[8];
    uint64_t x = 88172645463325252ULL;

    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &f->st), 0);
    for (int s = 0; s < 2; s++) /* nothing stored yet */
        b2b2c__st_prefetch(ctx, "t", b2b2c__map_keyhash("a", 1), s);
    for (int i = 0; i < 3000; i++) {
        x ^= x << 13; /* Marsaglia 2003, xorshift64 */
        x ^= x >> 7;
        x ^= x << 17;
        be64(k, x);
        assert_int_equal(put(f, k, 8, k, 4), 0);
        be64(k, (uint64_t)i); /* ascending: the run */
        assert_int_equal(f->st.put(f->st.userdata, "r", k, 8, k, 2), 0);
    }
    fp0 = b2b2c__memstore_fingerprint(f->ms, &rows0);
    x = 88172645463325252ULL;
    for (int i = 0; i < 3200; i++) {
        uint64_t h;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        be64(k, i < 3000 ? x : ~x); /* the last 200 absent */
        h = b2b2c__map_keyhash(k, 8);
        for (int t = 0; t < 3; t++)
            for (int s = 0; s < 2; s++) {
                b2b2c__st_prefetch(ctx, tables[t], h, s);
                b2b2c__st_prefetch(ctx, tables[t], h ^ 1, s);
            }
    }
    fp1 = b2b2c__memstore_fingerprint(f->ms, &rows1);
    assert_true(fp0 == fp1);
    assert_int_equal(rows0, rows1);
    assert_int_equal(rows0, 6000);
    b2b2c_ctx_free(ctx);
    /* another storage (here one that wraps the memstore's get and put,
     * with a userdata that is not a memstore): every member gets that
     * userdata, so the wrapper clears the memstore's hint and peers (a
     * store without a hint gets none; without peers, the library assumes
     * others may be there) */
    other = f->st;
    other.userdata = f;
    other.get = st_get_wrap;
    other.put = st_put_wrap;
    other.hint = NULL;
    other.peers = NULL;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &other), 0);
    for (int s = 0; s < 2; s++)
        b2b2c__st_prefetch(ctx, "t", b2b2c__map_keyhash(k, 8), s);
    b2b2c_ctx_free(ctx);
    fp1 = b2b2c__memstore_fingerprint(f->ms, &rows1);
    assert_true(fp0 == fp1);
}

/* Appends, replaces of run rows, deletes and re-puts, all rolled back. */
static void t_rollback_appends(void **state)
{
    fx *f = *state;
    model m = {0};
    unsigned char k[8];
    size_t run, dead, hashed;
    uint64_t fp, rows;
    got g;

    for (uint64_t i = 0; i < 100; i++) {
        be64(k, 10 * i);
        assert_int_equal(put(f, k, 8, "a", 1), 0);
        model_put(&m, k, 8, (const unsigned char *)"a", 1);
    }
    be64(k, 5);
    assert_int_equal(put(f, k, 8, "h", 1), 0); /* one row in the map */
    model_put(&m, k, 8, (const unsigned char *)"h", 1);
    fp = b2b2c__memstore_fingerprint(f->ms, &rows);

    assert_int_equal(f->st.begin(f->st.userdata), 0);
    for (uint64_t i = 100; i < 300; i++) { /* grows the run */
        be64(k, 10 * i);
        assert_int_equal(put(f, k, 8, "new", 3), 0);
    }
    for (uint64_t i = 0; i < 300; i += 2) { /* replace old and new rows */
        be64(k, 10 * i);
        assert_int_equal(put(f, k, 8, "rep", 3), 0);
    }
    for (uint64_t i = 0; i < 300; i += 3) { /* delete old and new rows */
        be64(k, 10 * i);
        assert_int_equal(del(f, k, 8), 0);
    }
    for (uint64_t i = 0; i < 300; i += 9) { /* and put some back */
        be64(k, 10 * i);
        assert_int_equal(put(f, k, 8, "again", 5), 0);
    }
    be64(k, 5);
    assert_int_equal(del(f, k, 8), 0);
    be64(k, 15);
    assert_int_equal(put(f, k, 8, "h2", 2), 0);
    be64(k, 10 * 162);
    assert_int_equal(get(f, k, 8, &g), 0); /* reads see the writes */
    assert_int_equal(g.n, 5);
    assert_int_equal(f->st.rollback(f->st.userdata), 0);

    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 100);
    assert_int_equal(dead, 0);
    assert_int_equal(hashed, 1);
    assert_true(b2b2c__memstore_fingerprint(f->ms, NULL) == fp);
    expect_model(f, &m);
    /* appends go on after a rollback */
    be64(k, 1000);
    assert_int_equal(put(f, k, 8, "b", 1), 0);
    model_put(&m, k, 8, (const unsigned char *)"b", 1);
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 101);
    expect_model(f, &m);
    /* the same in a transaction that commits: dead rows are compacted at
     * commit once more than half the run is dead */
    assert_int_equal(f->st.begin(f->st.userdata), 0);
    for (uint64_t i = 0; i < 80; i++) {
        be64(k, 10 * i);
        assert_int_equal(del(f, k, 8), 0);
        model_del(&m, k, 8);
    }
    layout(f, &run, &dead, &hashed);
    assert_int_equal(dead, 80);
    assert_int_equal(f->st.commit(f->st.userdata), 0);
    layout(f, &run, &dead, &hashed);
    assert_int_equal(run, 21);
    assert_int_equal(dead, 0);
    expect_model(f, &m);
    free(m.r);
}

/* Thousands of random operations on keys of three kinds (ascending
 * sequence numbers, random short keys from a small alphabet with zero
 * bytes, existing keys), in transactions that commit or roll back, and
 * outside any; after every transaction the full scan must be the model. */
static void t_model(void **state)
{
    fx *f = *state;
    model m = {0}, saved = {0};
    uint64_t x = 0x2545f4914f6cdd1dULL, seq = 1000;
    size_t run, dead, hashed, max_run = 0, max_hashed = 0;
    int ops = 0;

    for (int txn = 0; txn < 400; txn++) {
        int mode = (int)(x % 4); /* 0,1 commit; 2 rollback; 3 no txn */
        int nops = 1 + (int)((x >> 8) % 30);
        if (mode != 3) {
            assert_int_equal(f->st.begin(f->st.userdata), 0);
            model_copy(&saved, &m);
        }
        for (int o = 0; o < nops; o++, ops++) {
            unsigned char k[KMAX], v[VMAX];
            size_t kl, vl;
            unsigned r, what;
            got g;
            x ^= x << 13; /* Marsaglia 2003, xorshift64 */
            x ^= x >> 7;
            x ^= x << 17;
            r = (unsigned)(x >> 16);
            what = r % 10;
            if (what < 4) { /* the next sequence number, sometimes longer */
                /* 0xff first: above every random key, so the run grows */
                seq += 1 + (r >> 8) % 3;
                be64(k, seq | 0xff00000000000000ULL);
                kl = 8 + ((r >> 12) % 4 == 0);
                k[8] = (unsigned char)(r >> 20);
            } else if (what == 6) { /* a little below the sequence */
                be64(k, (seq - (r >> 8) % 40) | 0xff00000000000000ULL);
                kl = 8;
            } else if (what < 6 && m.n) { /* an existing key */
                const mrow *e = &m.r[(r >> 4) % m.n];
                memcpy(k, e->k, e->kl);
                kl = e->kl;
            } else { /* a random short key */
                kl = 1 + (r >> 4) % 10;
                for (size_t i = 0; i < kl; i++) {
                    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                    k[i] = (unsigned char)"\0\1ab\xfe"[(x >> 33) % 5];
                }
            }
            vl = (r >> 24) % (VMAX + 1);
            for (size_t i = 0; i < vl; i++)
                v[i] = (unsigned char)(ops + (int)i);
            switch ((r >> 28) % 8) {
            case 0:
            case 1: /* delete */
                assert_int_equal(del(f, k, kl), 0);
                model_del(&m, k, kl);
                break;
            case 2: { /* get */
                int found;
                size_t i = model_find(&m, k, kl, &found);
                int rc = get(f, k, kl, &g);
                assert_int_equal(rc, found ? 0 : B2B2C_ENOTFOUND);
                if (found) {
                    assert_int_equal(g.n, m.r[i].vl);
                    if (g.n)
                        assert_memory_equal(g.v, m.r[i].v, g.n);
                }
                break;
            }
            default: /* put */
                assert_int_equal(put(f, k, kl, v, vl), 0);
                model_put(&m, k, kl, v, vl);
            }
            /* the newest row goes now and then (the run's tail) */
            if (what == 8 && (r & 1) && m.n) {
                assert_int_equal(del(f, m.r[m.n - 1].k, m.r[m.n - 1].kl), 0);
                model_del(&m, m.r[m.n - 1].k, m.r[m.n - 1].kl);
            }
            /* trim the oldest sequence rows now and then, as a log does */
            if (what == 9 && m.n > 300) {
                int found;
                size_t i = model_find(&m, (const unsigned char *)"\xff", 1,
                                      &found);
                for (int t = 0; t < 3 && i < m.n; t++) {
                    assert_int_equal(del(f, m.r[i].k, m.r[i].kl), 0);
                    model_del(&m, m.r[i].k, m.r[i].kl);
                }
            }
        }
        if (mode == 2) {
            assert_int_equal(f->st.rollback(f->st.userdata), 0);
            model_copy(&m, &saved);
        } else if (mode != 3) {
            assert_int_equal(f->st.commit(f->st.userdata), 0);
        }
        expect_model(f, &m);
        layout(f, &run, &dead, &hashed);
        assert_int_equal(run - dead + hashed, m.n);
        max_run = run > max_run ? run : max_run;
        max_hashed = hashed > max_hashed ? hashed : max_hashed;
    }
    assert_true(max_run > 200); /* the run was exercised */
    assert_true(max_hashed > 100); /* and so was the map */
    assert_true(ops > 4000);
    free(m.r);
    free(saved.r);
}

/* ---- a failing allocator during appends leaves the store unchanged ---- */

typedef struct fa_state {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    uint64_t next;
} fa_state;

static int fa_setup(th_env *env, void **state)
{
    fa_state *s = calloc(1, sizeof(*s));
    unsigned char k[8];
    int rc;
    if (!s)
        return B2B2C_ENOMEM;
    *state = s;
    if ((rc = b2b2c_memstore_new(&s->ms, &env->alloc.methods)) != 0)
        return rc;
    b2b2c_memstore_methods(s->ms, &s->st);
    /* 8 rows: the run's first capacity, so the next append grows it */
    for (s->next = 0; s->next < 8; s->next++) {
        be64(k, 2 * s->next);
        if ((rc = s->st.put(s->st.userdata, "t", k, 8, "v", 1)) != 0)
            return rc;
    }
    be64(k, 3);
    return s->st.put(s->st.userdata, "t", k, 8, "m", 1);
}

typedef struct hash_scan {
    uint64_t h;
} hash_scan;

static int hash_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *p)
{
    hash_scan *hs = p;
    hs->h = (hs->h * 31 + b2b2c__hash(k, kl)) * 31 + b2b2c__hash(v, vl);
    return 0;
}

/* The rows' fingerprint, and their order as the scan gives it. */
static uint64_t fa_digest(th_env *env, void *state)
{
    fa_state *s = state;
    hash_scan hs = {0};
    (void)env;
    assert_int_equal(s->st.scan(s->st.userdata, "t", hash_row, &hs), 0);
    return b2b2c__memstore_fingerprint(s->ms, NULL) ^ hs.h;
}

/* In a transaction: appends past two growths of the run and a new pool
 * chunk (large values), a replace in the run and in the map, a delete. */
static int fa_op_txn(th_env *env, void *state)
{
    fa_state *s = state;
    static unsigned char big[900];
    unsigned char k[8];
    int rc;
    (void)env;
    if ((rc = s->st.begin(s->st.userdata)) != 0)
        return rc;
    for (int i = 0; i < 80; i++) {
        be64(k, 2 * (s->next + (uint64_t)i));
        if ((rc = s->st.put(s->st.userdata, "t", k, 8, big, sizeof(big))) != 0)
            goto fail;
    }
    be64(k, 2);
    if ((rc = s->st.put(s->st.userdata, "t", k, 8, "rep", 3)) != 0)
        goto fail;
    be64(k, 3);
    if ((rc = s->st.put(s->st.userdata, "t", k, 8, "rep", 3)) != 0)
        goto fail;
    be64(k, 4);
    if ((rc = s->st.del(s->st.userdata, "t", k, 8)) != 0)
        goto fail;
    if ((rc = s->st.commit(s->st.userdata)) != 0)
        goto fail;
    s->next += 80;
    return 0;
fail:
    s->st.rollback(s->st.userdata);
    return rc;
}

/* Outside a transaction: one append that grows the run. */
static int fa_op_single(th_env *env, void *state)
{
    fa_state *s = state;
    unsigned char k[8];
    int rc;
    (void)env;
    be64(k, 2 * s->next);
    rc = s->st.put(s->st.userdata, "t", k, 8, "one", 3);
    if (rc == 0)
        s->next++;
    return rc;
}

static void fa_teardown(th_env *env, void *state)
{
    fa_state *s = state;
    (void)env;
    if (s)
        b2b2c_memstore_free(s->ms);
    free(s);
}

static void t_failalloc_appends(void **unused)
{
    th_fault_ops txn = {"memstore appends in a transaction", fa_setup,
                        fa_op_txn, fa_digest, fa_teardown, 1};
    th_fault_ops one = {"memstore append outside a transaction", fa_setup,
                        fa_op_single, fa_digest, fa_teardown, 1};
    (void)unused;
    assert_true(th_fault_loop(&txn, TH_FAULT_ALLOC) >= 3);
    assert_true(th_fault_loop(&one, TH_FAULT_ALLOC) >= 1);
}

int main(void)
{
    static const th_storage_factory mem = {"memstore", ms_open, ms_close};
    static const th_storage_factory wrap = {"failstore", fs_open, fs_close};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_ascending, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(t_ascending_shared_prefix, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(t_tail_delete, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(t_random_keys_dissolve, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(t_rollback_appends, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(t_model, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(t_prefetch_hint, fx_setup,
                                        fx_teardown),
        cmocka_unit_test(t_failalloc_appends),
    };
    return th_storage_conformance(&mem) + th_storage_conformance(&wrap) +
           cmocka_run_group_tests_name("memstore run", tests, NULL, NULL);
}
