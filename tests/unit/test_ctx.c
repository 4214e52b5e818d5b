/* SPDX-License-Identifier: MIT */
/* The context: creation and argument checks, errors, transaction groups,
 * and the write-through helper through the toy engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "toy.h"
#include "b2b2c/lead.h"

static void t_new_defaults(void **state)
{
    b2b2c_ctx *ctx = NULL;
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_non_null(ctx);
    assert_string_equal(b2b2c_ctx_errmsg(ctx), "");
    assert_int_equal(b2b2c_ctx_errcode(ctx), 0);
    b2b2c_ctx_free(ctx);
    b2b2c_ctx_free(NULL);
    assert_string_equal(b2b2c_ctx_errmsg(NULL), "ctx is NULL");
}

static void t_new_bad_args(void **state)
{
    b2b2c_ctx *ctx = (b2b2c_ctx *)0x1;
    b2b2c_allocator a = B2B2C_ALLOCATOR_INIT;
    b2b2c_storage st = B2B2C_STORAGE_INIT;
    th_store ts;
    (void)state;

    assert_int_equal(b2b2c_ctx_new(NULL, NULL, NULL), B2B2C_EINVAL);
    /* allocator with NULL members */
    assert_int_equal(b2b2c_ctx_new(&ctx, &a, NULL), B2B2C_EINVAL);
    assert_null(ctx);
    a.version = 99;
    assert_int_equal(b2b2c_ctx_new(&ctx, &a, NULL), B2B2C_EVERSION);
    a.version = 0;
    assert_int_equal(b2b2c_ctx_new(&ctx, &a, NULL), B2B2C_EVERSION);
    /* storage: every required member, one at a time */
    th_store_init(&ts);
    for (int i = 0; i < 7; i++) {
        st = ts.methods;
        switch (i) {
        case 0: st.get = NULL; break;
        case 1: st.put = NULL; break;
        case 2: st.del = NULL; break;
        case 3: st.scan = NULL; break;
        case 4: st.begin = NULL; break;
        case 5: st.commit = NULL; break;
        case 6: st.rollback = NULL; break;
        }
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), B2B2C_EINVAL);
    }
    st = ts.methods;
    st.version = B2B2C_STORAGE_VERSION + 1;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), B2B2C_EVERSION);
    {
        /* A host built against version 1 passes a shorter struct: nothing
         * past it is read (ASan and valgrind see an over-read here). */
        volatile size_t n1v = offsetof(b2b2c_storage, begin_read);
        size_t n1 = n1v; /* hidden from gcc's bounds warning */
        b2b2c_storage *v1 = malloc(n1);
        assert_non_null(v1);
        memcpy(v1, &ts.methods, n1);
        v1->version = 1;
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, v1), 0);
        b2b2c_ctx_free(ctx);
        assert_int_equal(b2b2c_storage_init(v1, 1), 0);
        assert_int_equal(v1->version, 1);
        assert_null(v1->get);
        free(v1);
    }
    th_store_fini(&ts);
    /* storage_init */
    assert_int_equal(b2b2c_storage_init(NULL, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_storage_init(&st, B2B2C_STORAGE_VERSION + 1),
                     B2B2C_EVERSION);
    assert_int_equal(b2b2c_storage_init(&st, 2), 0);
    assert_int_equal(st.version, 2);
    assert_null(st.begin_read);
    assert_int_equal(st.flags, 0);
    assert_int_equal(b2b2c_storage_init(&st, 1), 0);
    assert_int_equal(st.version, 1);
    assert_null(st.get);
    /* memstore */
    assert_int_equal(b2b2c_memstore_new(NULL, NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_memstore_methods(NULL, &st), B2B2C_EINVAL);
    b2b2c_memstore_free(NULL);
}

static void t_write_through_and_reopen(void **state)
{
    th_store ts;
    b2b2c_ctx *ctx;
    toy *t;
    (void)state;

    th_store_init(&ts);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &ts.methods), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_add(t, "a", 5), 0);
    assert_int_equal(toy_add(t, "b", 7), 0);
    assert_int_equal(toy_add(t, "a", -5), 0); /* deleted */
    assert_int_equal(toy_add(t, "\xff", 1), B2B2C_EBADID);
    assert_string_equal(b2b2c_ctx_errmsg(ctx), "id: not a valid ID");
    toy_free(t);
    b2b2c_ctx_free(ctx);

    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &ts.methods), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_get(t, "a"), 0);
    assert_int_equal(toy_get(t, "b"), 7);
    assert_int_equal(t->items.count, 1);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    th_store_fini(&ts);
}

static void t_failure_undoes(void **state)
{
    th_store ts;
    b2b2c_ctx *ctx;
    toy *t;
    uint64_t d, fp;
    (void)state;

    th_store_init(&ts);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &ts.methods), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_add(t, "a", 5), 0);
    d = toy_digest(t);
    fp = th_store_fingerprint(&ts, NULL);
    /* range failure after the change: memory is restored */
    assert_int_equal(toy_add(t, "a", 2000000), B2B2C_ERANGE);
    assert_int_equal(toy_get(t, "a"), 5);
    assert_int_equal(toy_add(t, "new", 2000000), B2B2C_ERANGE);
    assert_int_equal(toy_get(t, "new"), 0);
    assert_int_equal(toy_digest(t), d);
    assert_int_equal(th_store_fingerprint(&ts, NULL), fp);
    /* storage failure on put: host code passed back unchanged */
    ts.fail_at = ts.calls + 3; /* begin, sequence read ok, put fails */
    assert_int_equal(toy_add(t, "a", 1), -1000);
    assert_int_equal(toy_get(t, "a"), 5);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "table 'toy_items'"));
    /* positive garbage from storage becomes ESTORAGE */
    ts.fail_code = 3;
    ts.fail_at = ts.calls + 2;
    assert_int_equal(toy_add(t, "a", 1), B2B2C_ESTORAGE);
    ts.fail_code = -1000;
    /* commit failure: memory restored, storage rolled back */
    ts.fail_at = ts.calls + 3; /* begin, put, commit */
    assert_int_equal(toy_add(t, "a", 1), -1000);
    assert_int_equal(toy_get(t, "a"), 5);
    assert_int_equal(th_store_fingerprint(&ts, NULL), fp);
    assert_int_equal(toy_digest(t), d);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    th_store_fini(&ts);
}

static void t_groups(void **state)
{
    th_store ts;
    b2b2c_ctx *ctx;
    toy *t;
    uint64_t d, fp;
    (void)state;

    th_store_init(&ts);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &ts.methods), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), B2B2C_ESTATE);
    assert_int_equal(b2b2c_ctx_rollback(ctx), B2B2C_ESTATE);

    /* a committed group */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), B2B2C_ESTATE);
    for (int i = 0; i < 100; i++)
        assert_int_equal(toy_add(t, "g", 1), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(toy_get(t, "g"), 100);
    d = toy_digest(t);
    fp = th_store_fingerprint(&ts, NULL);

    /* an explicit rollback undoes every call of the group */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(toy_add(t, "g", 1), 0);
    assert_int_equal(toy_add(t, "h", 1), 0);
    assert_int_equal(toy_add(t, "g", -101), 0); /* deletes g */
    assert_int_equal(toy_get(t, "g"), 0);
    assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    assert_int_equal(toy_get(t, "g"), 100);
    assert_int_equal(toy_get(t, "h"), 0);
    assert_int_equal(toy_digest(t), d);
    assert_int_equal(th_store_fingerprint(&ts, NULL), fp);

    /* a failing call aborts the whole group */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(toy_add(t, "g", 1), 0);
    assert_int_equal(toy_add(t, "g", 5000000), B2B2C_ERANGE);
    assert_int_equal(toy_get(t, "g"), 100);
    assert_int_equal(toy_add(t, "g", 1), B2B2C_EABORTED);
    assert_int_equal(b2b2c_ctx_commit(ctx), B2B2C_EABORTED);
    assert_int_equal(toy_digest(t), d);
    assert_int_equal(th_store_fingerprint(&ts, NULL), fp);
    /* and the context works again afterwards */
    assert_int_equal(toy_add(t, "g", 1), 0);
    assert_int_equal(toy_get(t, "g"), 101);

    /* a group aborted then rolled back explicitly */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(toy_add(t, "g", 5000000), B2B2C_ERANGE);
    assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    assert_int_equal(toy_get(t, "g"), 101);

    /* commit failure of a group restores everything */
    d = toy_digest(t);
    fp = th_store_fingerprint(&ts, NULL);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(toy_add(t, "x", 3), 0);
    ts.fail_at = ts.calls + 1;
    assert_int_equal(b2b2c_ctx_commit(ctx), -1000);
    assert_int_equal(toy_get(t, "x"), 0);
    assert_int_equal(toy_digest(t), d);
    assert_int_equal(th_store_fingerprint(&ts, NULL), fp);

    /* freeing a context with an open group rolls it back */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(toy_add(t, "y", 3), 0);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    assert_int_equal(th_store_fingerprint(&ts, NULL), fp);
    th_store_fini(&ts);
}

static void t_corrupt_record_on_open(void **state)
{
    th_store ts;
    b2b2c_ctx *ctx;
    toy *t = (toy *)0x1;
    (void)state;

    th_store_init(&ts);
    assert_int_equal(ts.inner.put(ts.inner.userdata, "toy_items", "k", 1, "junk", 4),
                     0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &ts.methods), 0);
    assert_int_equal(toy_new(&t, ctx), B2B2C_ECORRUPT);
    assert_null(t);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "table 'toy_items' key 'k'"));
    b2b2c_ctx_free(ctx);
    th_store_fini(&ts);
}

static void t_custom_allocator_used(void **state)
{
    th_alloc ta;
    b2b2c_ctx *ctx;
    toy *t;
    (void)state;

    th_alloc_init(&ta);
    assert_int_equal(b2b2c_ctx_new(&ctx, &ta.methods, NULL), 0);
    assert_true(ta.outstanding > 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_add(t, "a", 1), 0);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    assert_int_equal(ta.outstanding, 0);
}

/* The undo arena: saves of any size come back newest first when a call
 * fails (inside a group: the whole group's, as the log does); after the
 * arena has grown once, a call's saves allocate nothing (before: one
 * allocation per b2b2c__undo_save). */
static int save_all(b2b2c_ctx *ctx, unsigned char *buf, size_t n, int v,
                    int fail)
{
    int rc = b2b2c__call_begin(ctx);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* overlapping saves of growing size, as engines do */
        if ((rc = b2b2c__undo_save(ctx, buf, i + 1)) == 0)
            memset(buf, v, i + 1);
    }
    return b2b2c__call_end(ctx, rc ? rc : fail);
}

static void t_undo_arena(void **state)
{
    th_alloc ta;
    b2b2c_ctx *ctx;
    unsigned char buf[100], want[100];
    size_t before;
    (void)state;
    th_alloc_init(&ta);
    assert_int_equal(b2b2c_ctx_new(&ctx, &ta.methods, NULL), 0);
    memset(buf, 1, sizeof(buf));
    /* outside a group: a failed call restores every byte */
    assert_int_equal(save_all(ctx, buf, 100, 2, B2B2C_EINVAL), B2B2C_EINVAL);
    memset(want, 1, sizeof(want));
    assert_memory_equal(buf, want, sizeof(buf));
    assert_int_equal(save_all(ctx, buf, 100, 3, 0), 0);
    memset(want, 3, sizeof(want));
    assert_memory_equal(buf, want, sizeof(buf));
    before = ta.count;
    assert_int_equal(save_all(ctx, buf, 100, 4, 0), 0);
    assert_int_equal(ta.count, before); /* the arena was kept */
    /* in a group: rollback undoes both calls; a failed call the group */
    memset(want, 4, sizeof(want));
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(save_all(ctx, buf, 50, 5, 0), 0);
    assert_int_equal(save_all(ctx, buf + 50, 50, 6, 0), 0);
    assert_int_equal(buf[49], 5);
    assert_int_equal(buf[50], 6);
    assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    assert_memory_equal(buf, want, sizeof(buf));
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(save_all(ctx, buf, 50, 5, 0), 0);
    assert_int_equal(save_all(ctx, buf + 50, 50, 6, B2B2C_ERANGE),
                     B2B2C_ERANGE);
    assert_memory_equal(buf, want, sizeof(buf));
    b2b2c_ctx_rollback(ctx);
    b2b2c_ctx_free(ctx);
    assert_int_equal(ta.outstanding, 0);
}

/* Release functions run once, at the commit that keeps their entry, among
 * saves without one; an undone entry's never runs (the commit reads the
 * log back only when an entry has a release function: ctx.c,
 * release_all). */
static void count_fn(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    ++*(int *)a;
}

/* A call of 40 saves, none with a release function. */
static int saves_call(b2b2c_ctx *ctx, unsigned char *buf)
{
    int rc = b2b2c__call_begin(ctx);
    for (size_t i = 0; rc == 0 && i < 40; i++)
        if ((rc = b2b2c__undo_save(ctx, buf, i + 1)) == 0)
            buf[i] = 7;
    return b2b2c__call_end(ctx, rc);
}

static void t_undo_release(void **state)
{
    b2b2c_ctx *ctx;
    unsigned char buf[40] = {0};
    int undone = 0, released = 0;
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    /* one call: released at its end, not undone */
    assert_int_equal(b2b2c__call_begin(ctx), 0);
    assert_int_equal(b2b2c__undo_save(ctx, buf, 10), 0);
    assert_int_equal(b2b2c__undo_push(ctx, count_fn, count_fn, &undone, NULL,
                                      0), 0);
    assert_int_equal(b2b2c__undo_save(ctx, buf, 20), 0);
    assert_int_equal(b2b2c__call_end(ctx, 0), 0);
    assert_int_equal(undone, 1); /* release got a = &undone too */
    undone = 0;
    /* with release = count_fn on `released` */
    assert_int_equal(b2b2c__call_begin(ctx), 0);
    assert_int_equal(b2b2c__undo_push(ctx, NULL, count_fn, &released, NULL,
                                      0), 0);
    assert_int_equal(b2b2c__undo_save(ctx, buf, 5), 0);
    assert_int_equal(b2b2c__call_end(ctx, 0), 0);
    assert_int_equal(released, 1);
    /* saves only: nothing released */
    assert_int_equal(saves_call(ctx, buf), 0);
    assert_int_equal(released, 1);
    /* a group: released at the commit, once */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c__call_begin(ctx), 0);
    assert_int_equal(b2b2c__undo_push(ctx, NULL, count_fn, &released, NULL,
                                      0), 0);
    assert_int_equal(b2b2c__call_end(ctx, 0), 0);
    assert_int_equal(saves_call(ctx, buf), 0);
    assert_int_equal(released, 1);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(released, 2);
    /* a failed call: undone, never released, and the next commit of saves
     * only releases nothing */
    assert_int_equal(b2b2c__call_begin(ctx), 0);
    assert_int_equal(b2b2c__undo_push(ctx, count_fn, count_fn, &undone, NULL,
                                      0), 0);
    assert_int_equal(b2b2c__call_end(ctx, B2B2C_ERANGE), B2B2C_ERANGE);
    assert_int_equal(undone, 1);
    assert_int_equal(saves_call(ctx, buf), 0);
    assert_int_equal(undone, 1);
    /* a rolled-back group: the same */
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c__call_begin(ctx), 0);
    assert_int_equal(b2b2c__undo_push(ctx, count_fn, count_fn, &undone, NULL,
                                      0), 0);
    assert_int_equal(b2b2c__call_end(ctx, 0), 0);
    assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    assert_int_equal(undone, 2);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(saves_call(ctx, buf), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(undone, 2);
    assert_int_equal(released, 2);
    b2b2c_ctx_free(ctx);
}

/* The storage's optional hint member: the lead engine asks the memstore to
 * prefetch through it (slot, then row, for every event), a store without
 * one works the same, and no answer depends on it. */
static struct {
    void (*inner)(void *, int32_t, const char *, uint64_t);
    int64_t slot, row;
} hints;

static void hint_count(void *ud, int32_t op, const char *table, uint64_t h)
{
    assert_non_null(table);
    if (op == B2B2C_STORAGE_HINT_PREFETCH_SLOT)
        hints.slot++;
    else if (op == B2B2C_STORAGE_HINT_PREFETCH_ROW)
        hints.row++;
    else
        fail_msg("unknown hint %d", (int)op);
    hints.inner(ud, op, table, h);
}

static double score_with_hint(int with_hint)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    double score = 0;
    int32_t band;
    const int64_t t0 = 1767225600;
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_non_null(st.hint);
    hints.inner = st.hint;
    st.hint = with_hint ? hint_count : NULL;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    assert_int_equal(b2b2c_lead_add(m, "lead-1", t0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(m, "lead-2", t0, 0, NULL, NULL, NULL), 0);
    /* alternating leads: the engine's one-entry cache does not answer */
    for (int i = 0; i < 10; i++)
        assert_int_equal(b2b2c_lead_event(m, i % 2 ? "lead-2" : "lead-1",
                                          B2B2C_LEAD_EV_SITE_VISIT,
                                          t0 + 60 * (i + 1), 0),
                         0);
    assert_int_equal(b2b2c_lead_score(&score, &band, m, "lead-1", t0 + 3600),
                     0);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
    return score;
}

static void t_storage_hint(void **state)
{
    double with, without;
    (void)state;
    hints.slot = hints.row = 0;
    with = score_with_hint(1);
    assert_true(hints.slot >= 10);
    assert_int_equal(hints.slot, hints.row);
    hints.slot = hints.row = 0;
    without = score_with_hint(0);
    assert_int_equal(hints.slot + hints.row, 0);
    assert_true(with > 0);
    assert_true(with == without);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_new_defaults),
        cmocka_unit_test(t_new_bad_args),
        cmocka_unit_test(t_write_through_and_reopen),
        cmocka_unit_test(t_failure_undoes),
        cmocka_unit_test(t_groups),
        cmocka_unit_test(t_corrupt_record_on_open),
        cmocka_unit_test(t_undo_arena),
        cmocka_unit_test(t_undo_release),
        cmocka_unit_test(t_custom_allocator_used),
        cmocka_unit_test(t_storage_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
