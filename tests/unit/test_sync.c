/* SPDX-License-Identifier: MIT */
/* Many contexts on one database (src/core/sync.c), with the toy engine:
 * no update lost, reads current, sequence numbers, the trimmed log, the
 * re-run on B2B2C_ECONFLICT and the damaged-log checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "toy.h"

/* Two contexts on one shared memstore, each with a toy open. */
typedef struct pair {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *a, *b;
    toy *ta, *tb;
} pair;

static void pair_open(pair *p)
{
    assert_int_equal(b2b2c_memstore_new(&p->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(p->ms, &p->st), 0);
    assert_int_equal(b2b2c_ctx_new(&p->a, NULL, &p->st), 0);
    assert_int_equal(b2b2c_ctx_new(&p->b, NULL, &p->st), 0);
    assert_int_equal(toy_new(&p->ta, p->a), 0);
    assert_int_equal(toy_new(&p->tb, p->b), 0);
}

static void pair_close(pair *p)
{
    toy_free(p->ta);
    toy_free(p->tb);
    b2b2c_ctx_free(p->a);
    b2b2c_ctx_free(p->b);
    b2b2c_memstore_free(p->ms);
}

static int64_t read_val(const toy *t, const char *id)
{
    int64_t v = -1;
    assert_int_equal(toy_read(&v, t, id), 0);
    return v;
}

static uint64_t seq_of(const b2b2c_ctx *ctx)
{
    uint64_t s = 99;
    assert_int_equal(b2b2c_ctx_seq(&s, NULL, ctx), 0);
    return s;
}

static uint64_t own_of(const b2b2c_ctx *ctx)
{
    uint64_t s = 99;
    assert_int_equal(b2b2c_ctx_seq(NULL, &s, ctx), 0);
    return s;
}

/* The case: B wrote its stale record over A's. Not any more. */
static void t_no_lost_update(void **state)
{
    pair p;
    b2b2c_ctx *c;
    toy *t;
    (void)state;

    pair_open(&p);
    assert_int_equal(toy_add(p.ta, "L1", 5), 0);
    assert_int_equal(toy_add(p.tb, "L1", 3), 0); /* decides on A's 5 */
    assert_int_equal(read_val(p.ta, "L1"), 8);
    assert_int_equal(read_val(p.tb, "L1"), 8);
    /* a fresh open agrees */
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &p.st), 0);
    assert_int_equal(toy_new(&t, c), 0);
    assert_int_equal(toy_get(t, "L1"), 8);
    toy_free(t);
    b2b2c_ctx_free(c);
    /* a delete reaches the other context, and so does a re-create */
    assert_int_equal(toy_add(p.ta, "L1", -8), 0);
    assert_int_equal(read_val(p.tb, "L1"), 0);
    assert_int_equal(p.tb->items.count, 0);
    assert_int_equal(toy_add(p.tb, "L1", 2), 0);
    assert_int_equal(read_val(p.ta, "L1"), 2);
    pair_close(&p);
}

static void t_sequence(void **state)
{
    pair p;
    b2b2c_ctx *solo;
    toy *ts;
    (void)state;

    pair_open(&p);
    assert_int_equal(seq_of(p.a), 0);
    assert_int_equal(toy_add(p.ta, "x", 1), 0);
    assert_int_equal(seq_of(p.a), 1);
    assert_int_equal(toy_add(p.tb, "y", 1), 0);
    assert_int_equal(seq_of(p.b), 2);
    assert_int_equal(seq_of(p.a), 1); /* not synced yet */
    assert_int_equal(b2b2c_ctx_sync(p.a), 0);
    assert_int_equal(seq_of(p.a), 2);
    assert_int_equal(own_of(p.a), 1); /* its own last commit */
    assert_int_equal(own_of(p.b), 2);
    /* a call that fails commits nothing and numbers nothing */
    assert_int_equal(toy_add(p.ta, "x", 5000000), B2B2C_ERANGE);
    assert_int_equal(seq_of(p.a), 2);
    /* a sync with nothing new changes nothing */
    assert_int_equal(b2b2c_ctx_sync(p.a), 0);
    assert_int_equal(seq_of(p.a), 2);
    assert_int_equal(b2b2c_ctx_sync(NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_ctx_seq(NULL, NULL, NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_ctx_seq(NULL, NULL, p.a), 0);
    pair_close(&p);

    /* alone: no log, sequence 0 */
    assert_int_equal(b2b2c_ctx_new(&solo, NULL, NULL), 0);
    assert_int_equal(toy_new(&ts, solo), 0);
    assert_int_equal(toy_add(ts, "x", 1), 0);
    assert_int_equal(seq_of(solo), 0);
    assert_int_equal(b2b2c_ctx_sync(solo), 0);
    toy_free(ts);
    b2b2c_ctx_free(solo);
}

/* B2B2C_STORAGE_EXCLUSIVE: the host's promise; no log rows are written. */
static void t_exclusive(void **state)
{
    th_store ts;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    toy *t;
    size_t rows;
    (void)state;

    th_store_init(&ts);
    st = ts.methods;
    st.flags = B2B2C_STORAGE_EXCLUSIVE;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_add(t, "a", 1), 0);
    assert_int_equal(toy_add(t, "b", 1), 0);
    (void)th_store_fingerprint(&ts, &rows);
    assert_int_equal(rows, 2);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    th_store_fini(&ts);
}

static size_t log_rows(const b2b2c_storage *st)
{
    size_t n = 0;
    int count(const void *k, size_t kl, const void *v, size_t vl, void *p);
    (void)st->scan(st->userdata, "core_log", count, &n);
    return n;
}

int count(const void *k, size_t kl, const void *v, size_t vl, void *p)
{
    (void)k, (void)kl, (void)v, (void)vl;
    ++*(size_t *)p;
    return 0;
}

/* Alone on the built-in store (it counts its contexts): no change log,
 * no sequence read; a second context makes both log; when it leaves, the
 * first catches up once with what it committed last, then is alone again. */
static void t_alone(void **state)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *a, *b;
    toy *ta, *tb;
    (void)state;

    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_non_null(st.peers);
    assert_int_equal(b2b2c_ctx_new(&a, NULL, &st), 0);
    assert_int_equal(toy_new(&ta, a), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(toy_add(ta, "x", 1), 0);
    assert_int_equal(log_rows(&st), 0);
    assert_int_equal(seq_of(a), 0);
    /* a second context: it loads what is stored; from now on both log */
    assert_int_equal(b2b2c_ctx_new(&b, NULL, &st), 0);
    assert_int_equal(toy_new(&tb, b), 0);
    assert_int_equal(toy_get(tb, "x"), 10);
    assert_int_equal(toy_add(tb, "x", 2), 0);
    assert_int_equal(read_val(ta, "x"), 12);
    assert_int_equal(toy_add(ta, "x", 1), 0);
    assert_int_equal(read_val(tb, "x"), 13);
    assert_int_equal(log_rows(&st), 2);
    /* b commits and leaves before a has looked */
    assert_int_equal(toy_add(tb, "x", 5), 0);
    toy_free(tb);
    b2b2c_ctx_free(b);
    assert_int_equal(read_val(ta, "x"), 18);
    assert_int_equal(toy_add(ta, "y", 1), 0); /* alone again: not logged */
    assert_int_equal(log_rows(&st), 3);
    assert_int_equal(read_val(ta, "y"), 1);
    toy_free(ta);
    b2b2c_ctx_free(a);
    b2b2c_memstore_free(ms);
}

/* Two handles of one engine on one context see each other's writes. */
static void t_siblings(void **state)
{
    pair p;
    toy *t2;
    (void)state;

    pair_open(&p);
    assert_int_equal(toy_new(&t2, p.a), 0);
    assert_int_equal(toy_add(p.ta, "k", 4), 0);
    assert_int_equal(read_val(t2, "k"), 4);
    assert_int_equal(toy_add(t2, "k", 1), 0);
    assert_int_equal(read_val(p.ta, "k"), 5);
    assert_int_equal(read_val(p.tb, "k"), 5);
    toy_free(t2);
    pair_close(&p);
}

/* Far behind: past the trimmed floor, the context reloads. */
static void t_fell_behind(void **state)
{
    pair p;
    char id[32];
    uint64_t n = B2B2C__LOG_KEEP + 2 * B2B2C__LOG_TRIM_BATCH;
    size_t rows;
    (void)state;

    pair_open(&p);
    assert_int_equal(toy_add(p.tb, "old", 7), 0);
    assert_int_equal(read_val(p.ta, "old"), 7);
    for (uint64_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "k%llu", (unsigned long long)(i % 1000));
        assert_int_equal(toy_add(p.tb, id, 1), 0);
    }
    assert_int_equal(toy_add(p.tb, "old", -7), 0);
    /* the log kept at most KEEP + one batch of entries */
    assert_true(p.b->floor > 0);
    assert_true(seq_of(p.b) - p.b->floor <=
                B2B2C__LOG_KEEP + B2B2C__LOG_TRIM_BATCH);
    assert_int_equal(read_val(p.ta, "k0"), (int64_t)((n + 999) / 1000));
    assert_int_equal(read_val(p.ta, "old"), 0);
    assert_int_equal(p.ta->items.count, 1000);
    assert_int_equal(toy_digest(p.ta), toy_digest(p.tb));
    assert_int_equal(seq_of(p.a), seq_of(p.b));
    (void)rows;
    pair_close(&p);
}

/* ---- a store that refuses commits with B2B2C_ECONFLICT ------------------ */

typedef struct cstore {
    b2b2c_storage inner;
    int refuse; /* commits left to refuse */
    int refused;
} cstore;

static int c_get(void *u, const char *t, const void *k, size_t kl,
                 b2b2c_storage_value_cb f, void *p)
{
    cstore *c = u;
    return c->inner.get(c->inner.userdata, t, k, kl, f, p);
}
static int c_put(void *u, const char *t, const void *k, size_t kl,
                 const void *v, size_t vl)
{
    cstore *c = u;
    return c->inner.put(c->inner.userdata, t, k, kl, v, vl);
}
static int c_del(void *u, const char *t, const void *k, size_t kl)
{
    cstore *c = u;
    return c->inner.del(c->inner.userdata, t, k, kl);
}
static int c_scan(void *u, const char *t, b2b2c_storage_row_cb r, void *p)
{
    cstore *c = u;
    return c->inner.scan(c->inner.userdata, t, r, p);
}
static int c_begin(void *u)
{
    cstore *c = u;
    return c->inner.begin(c->inner.userdata);
}
static int c_commit(void *u)
{
    cstore *c = u;
    if (c->refuse > 0) {
        c->refuse--;
        c->refused++;
        return B2B2C_ECONFLICT; /* the library rolls back */
    }
    return c->inner.commit(c->inner.userdata);
}
static int c_rollback(void *u)
{
    cstore *c = u;
    return c->inner.rollback(c->inner.userdata);
}

static void t_conflict_rerun(void **state)
{
    b2b2c_memstore *ms;
    cstore cs;
    b2b2c_storage st = B2B2C_STORAGE_INIT;
    b2b2c_ctx *ctx;
    toy *t;
    (void)state;

    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &cs.inner), 0);
    cs.refuse = 0;
    cs.refused = 0;
    st.userdata = &cs;
    st.get = c_get;
    st.put = c_put;
    st.del = c_del;
    st.scan = c_scan;
    st.begin = c_begin;
    st.commit = c_commit;
    st.rollback = c_rollback;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);

    /* refused three times, then committed: the host sees success once */
    cs.refuse = 3;
    assert_int_equal(toy_add(t, "a", 2), 0);
    assert_int_equal(cs.refused, 3);
    assert_int_equal(toy_get(t, "a"), 2); /* applied once, not four times */
    assert_int_equal(seq_of(ctx), 1);

    /* refused every time: B2B2C_ECONFLICT after the re-runs, nothing kept */
    cs.refused = 0;
    cs.refuse = B2B2C_CONFLICT_RETRIES + 1;
    assert_int_equal(toy_add(t, "a", 1), B2B2C_ECONFLICT);
    assert_int_equal(cs.refused, B2B2C_CONFLICT_RETRIES + 1);
    assert_int_equal(toy_get(t, "a"), 2);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "re-runs"));
    assert_int_equal(seq_of(ctx), 1);
    /* and the next call starts counting afresh */
    assert_int_equal(toy_add(t, "a", 1), 0);
    assert_int_equal(toy_get(t, "a"), 3);

    /* a group is not re-run: rolled back whole, for the host to run again */
    cs.refused = 0;
    cs.refuse = 1;
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(toy_add(t, "a", 1), 0);
    assert_int_equal(toy_add(t, "b", 1), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), B2B2C_ECONFLICT);
    assert_int_equal(cs.refused, 1);
    assert_int_equal(toy_get(t, "a"), 3);
    assert_int_equal(toy_get(t, "b"), 0);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
}

/* ---- a damaged log is B2B2C_ECORRUPT naming table and key --------------- */

static void put_raw(pair *p, const char *table, const void *k, size_t kl,
                    const void *v, size_t vl)
{
    assert_int_equal(p->st.begin(p->st.userdata), 0);
    assert_int_equal(p->st.put(p->st.userdata, table, k, kl, v, vl), 0);
    assert_int_equal(p->st.commit(p->st.userdata), 0);
}

static void del_raw(pair *p, const char *table, const void *k, size_t kl)
{
    assert_int_equal(p->st.begin(p->st.userdata), 0);
    assert_int_equal(p->st.del(p->st.userdata, table, k, kl), 0);
    assert_int_equal(p->st.commit(p->st.userdata), 0);
}

static void t_damaged_log(void **state)
{
    pair p;
    b2b2c_ctx *c;
    b2b2c__wbuf w;
    const uint8_t k1[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    (void)state;

    /* a record that disappears between the log and the read */
    pair_open(&p);
    assert_int_equal(toy_add(p.tb, "gone", 1), 0);
    del_raw(&p, "toy_items", "gone", 4);
    assert_int_equal(b2b2c_ctx_sync(p.a), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(p.a), "table 'toy_items' key 'gone'"));
    assert_int_equal(seq_of(p.a), 0); /* nothing applied */
    pair_close(&p);

    /* the sequence goes back */
    pair_open(&p);
    assert_int_equal(toy_add(p.ta, "x", 1), 0);
    assert_int_equal(toy_add(p.ta, "x", 1), 0);
    b2b2c__enc_begin(&w, &p.a->mem, 1);
    b2b2c__enc_u64(&w, 1);
    b2b2c__enc_u64(&w, 0);
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    put_raw(&p, "core_seq", "seq", 3, w.buf, w.len);
    b2b2c__enc_fini(&w);
    assert_int_equal(toy_add(p.ta, "x", 1), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(p.a), "table 'core_seq'"));
    assert_int_equal(toy_get(p.ta, "x"), 2);
    pair_close(&p);

    /* a missing entry inside the kept range, and a garbled one */
    pair_open(&p);
    assert_int_equal(toy_add(p.tb, "x", 1), 0);
    assert_int_equal(toy_add(p.tb, "x", 1), 0);
    del_raw(&p, "core_log", k1, 8);
    assert_int_equal(b2b2c_ctx_sync(p.a), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(p.a), "table 'core_log'"));
    put_raw(&p, "core_log", k1, 8, "junk", 4);
    assert_int_equal(b2b2c_ctx_sync(p.a), B2B2C_ECORRUPT);
    assert_int_equal(toy_get(p.ta, "x"), 0);
    pair_close(&p);

    /* a change to a table no engine of this library owns */
    pair_open(&p);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &p.st), 0); /* no toy open */
    assert_int_equal(toy_add(p.ta, "x", 1), 0);
    assert_int_equal(b2b2c_ctx_sync(c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "table 'toy_items' key 'x'"));
    /* the context that has a toy open takes it */
    assert_int_equal(read_val(p.tb, "x"), 1);
    b2b2c_ctx_free(c);
    pair_close(&p);
}

/* ---- the sync under failing allocation and storage ---------------------- */

typedef struct syncst {
    b2b2c_ctx *other;
    toy *ta, *tother;
} syncst;

static int sync_setup(th_env *env, void **state)
{
    syncst *s = calloc(1, sizeof(*s));
    int rc;
    if (!s)
        return -1;
    if ((rc = toy_new(&s->ta, env->ctx)) != 0 ||
        (rc = toy_add(s->ta, "kept", 3)) != 0 ||
        (rc = toy_add(s->ta, "dropped", 4)) != 0 ||
        (rc = b2b2c_ctx_new(&s->other, NULL, &env->store.methods)) != 0 ||
        (rc = toy_new(&s->tother, s->other)) != 0 ||
        (rc = toy_add(s->tother, "kept", 1)) != 0 ||
        (rc = toy_add(s->tother, "dropped", -4)) != 0 ||
        (rc = toy_add(s->tother, "new", 9)) != 0)
        return rc;
    *state = s;
    return 0;
}

static int sync_op(th_env *env, void *state)
{
    syncst *s = state;
    int64_t v = 0;
    int rc = toy_read(&v, s->ta, "kept");
    (void)env;
    if (rc == 0 && (v != 4 || toy_get(s->ta, "new") != 9 ||
                    toy_get(s->ta, "dropped") != 0))
        return -9999;
    return rc;
}

static int sync_op_call(th_env *env, void *state)
{
    syncst *s = state;
    (void)env;
    return toy_add(s->ta, "kept", 10);
}

static uint64_t sync_digest(th_env *env, void *state)
{
    syncst *s = state;
    (void)env;
    return toy_digest(s->ta) ^ env->ctx->seen * 0x9E3779B97F4A7C15ull;
}

static void sync_teardown(th_env *env, void *state)
{
    syncst *s = state;
    (void)env;
    if (!s)
        return;
    toy_free(s->ta);
    toy_free(s->tother);
    b2b2c_ctx_free(s->other);
    free(s);
}

static void t_sync_faults(void **state)
{
    th_fault_ops read = {"sync by a read", sync_setup, sync_op, sync_digest,
                         sync_teardown, 0};
    th_fault_ops call = {"sync by a call", sync_setup, sync_op_call,
                         sync_digest, sync_teardown, 0};
    (void)state;
    assert_true(th_fault_loop(&read, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&read, TH_FAULT_STORAGE) >= 1);
    assert_true(th_fault_loop(&call, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&call, TH_FAULT_STORAGE) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_no_lost_update),
        cmocka_unit_test(t_sequence),
        cmocka_unit_test(t_exclusive),
        cmocka_unit_test(t_alone),
        cmocka_unit_test(t_siblings),
        cmocka_unit_test(t_fell_behind),
        cmocka_unit_test(t_conflict_rerun),
        cmocka_unit_test(t_damaged_log),
        cmocka_unit_test(t_sync_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
