/* SPDX-License-Identifier: MIT */
/* One built-in store shared by contexts on several threads: transactions
 * are serializable (one at a time, a second begin waits), reads outside a
 * transaction see only committed data, and two engines writing disjoint
 * rows through two contexts leave what both committed. Run it under
 * -Db_sanitize=thread too. No timing is asserted: threads are only
 * started together and joined. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <cmocka.h>

#include "harness.h"

#define NTHREADS 2
#define NTXN 2000

typedef struct shared {
    b2b2c_memstore *ms;
    b2b2c_storage st;     /* its methods, shared by every thread */
    pthread_barrier_t go; /* the threads start together */
} shared;

typedef struct worker {
    shared *sh;
    int id;
    long committed;  /* transactions or groups this thread committed */
    int failed;      /* its first unexpected code */
    long mismatches; /* inconsistent reads it saw */
} worker;

static int copy_long(const void *v, size_t n, void *p)
{
    if (n != sizeof(long))
        return -2000;
    memcpy(p, v, n);
    return 0;
}

static int get_long(b2b2c_storage *st, const char *key, long *out)
{
    int rc = st->get(st->userdata, "t", key, strlen(key), copy_long, out);
    if (rc == B2B2C_ENOTFOUND) {
        *out = 0;
        return 0;
    }
    return rc;
}

static int put_long(b2b2c_storage *st, const char *key, long v)
{
    return st->put(st->userdata, "t", key, strlen(key), &v, sizeof v);
}

/* A fresh store, NTHREADS threads running fn on it (started together),
 * joined; none may have failed or seen an inconsistent read. */
static void run_on_store(shared *sh, worker *w, void *(*fn)(void *))
{
    pthread_t th[NTHREADS];

    memset(sh, 0, sizeof *sh);
    memset(w, 0, NTHREADS * sizeof *w);
    assert_int_equal(b2b2c_memstore_new(&sh->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(sh->ms, &sh->st), 0);
    assert_int_equal(pthread_barrier_init(&sh->go, NULL, NTHREADS), 0);
    for (int i = 0; i < NTHREADS; i++) {
        w[i].sh = sh;
        w[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, fn, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(w[i].failed, 0);
        assert_int_equal(w[i].mismatches, 0);
    }
}

static void store_done(shared *sh)
{
    pthread_barrier_destroy(&sh->go);
    b2b2c_memstore_free(sh->ms);
}

static void note(worker *w, int rc)
{
    if (rc && !w->failed)
        w->failed = rc;
}

/* ---- read-modify-write: no update is lost ---- */

static void *counter_thread(void *arg)
{
    worker *w = arg;
    b2b2c_storage *st = &w->sh->st;
    char key[32];

    pthread_barrier_wait(&w->sh->go);
    for (int i = 0; i < NTXN && !w->failed; i++) {
        long c;
        int rc = st->begin(st->userdata);
        if (rc) {
            note(w, rc);
            break;
        }
        snprintf(key, sizeof key, "w%d-%d", w->id, i);
        if ((rc = get_long(st, "counter", &c)) != 0)
            note(w, rc);
        sched_yield(); /* invite the other thread in between */
        if (rc || (rc = put_long(st, "counter", c + 1)) != 0 ||
            (rc = put_long(st, key, c)) != 0) {
            note(w, rc);
            st->rollback(st->userdata);
            break;
        }
        /* every 7th transaction is rolled back: its increment must vanish */
        if (i % 7 == 6) {
            note(w, st->rollback(st->userdata));
        } else {
            note(w, st->commit(st->userdata));
            w->committed++;
        }
    }
    return NULL;
}

static int count_rows(const void *k, size_t kl, const void *v, size_t vl,
                      void *p)
{
    (void)k;
    (void)kl;
    (void)v;
    (void)vl;
    ++*(long *)p;
    return 0;
}

static void t_counter(void **u)
{
    shared sh;
    worker w[NTHREADS];
    long c, rows = 0, total = 0;

    (void)u;
    run_on_store(&sh, w, counter_thread);
    for (int i = 0; i < NTHREADS; i++)
        total += w[i].committed;
    assert_int_equal(get_long(&sh.st, "counter", &c), 0);
    assert_int_equal(c, total);
    assert_int_equal(sh.st.scan(sh.st.userdata, "t", count_rows, &rows), 0);
    assert_int_equal(rows, total + 1);
    store_done(&sh);
}

/* ---- a second begin waits for the first transaction ---- */

static void *handoff_thread(void *arg)
{
    worker *w = arg;
    b2b2c_storage *st = &w->sh->st;
    long v = 0;

    if (w->id == 0) {
        /* holds the store across the other thread's begin (the pause only
         * makes that likely; the result does not depend on it) */
        struct timespec pause = {0, 50 * 1000 * 1000};
        note(w, st->begin(st->userdata));
        note(w, put_long(st, "x", 1));
        pthread_barrier_wait(&w->sh->go);
        nanosleep(&pause, NULL);
        note(w, put_long(st, "x", 2));
        note(w, st->commit(st->userdata));
        return NULL;
    }
    pthread_barrier_wait(&w->sh->go);
    note(w, st->begin(st->userdata));
    if (!w->failed) {
        /* serializable: this transaction comes after the whole other one */
        note(w, get_long(st, "x", &v));
        w->mismatches += v != 2;
        note(w, put_long(st, "x", 3));
        note(w, st->commit(st->userdata));
    }
    return NULL;
}

static void t_second_begin_waits(void **u)
{
    shared sh;
    worker w[NTHREADS];
    long x;

    (void)u;
    run_on_store(&sh, w, handoff_thread);
    assert_int_equal(get_long(&sh.st, "x", &x), 0);
    assert_int_equal(x, 3);
    store_done(&sh);
}

/* ---- readers see whole transactions ---- */

static void *pair_writer(void *arg)
{
    worker *w = arg;
    b2b2c_storage *st = &w->sh->st;

    pthread_barrier_wait(&w->sh->go);
    for (long i = 1; i <= NTXN && !w->failed; i++) {
        int rc = st->begin(st->userdata);
        if (rc) {
            note(w, rc);
            break;
        }
        if ((rc = put_long(st, "a", i)) != 0 || sched_yield() ||
            (rc = put_long(st, "b", i)) != 0 ||
            (i % 5 == 0 && (rc = put_long(st, "a", -i)) != 0)) {
            note(w, rc);
            st->rollback(st->userdata);
            break;
        }
        /* a rolled-back pair (a = -i) must never be seen */
        note(w, i % 5 == 0 ? st->rollback(st->userdata)
                           : st->commit(st->userdata));
    }
    return NULL;
}

static int pair_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *p)
{
    long *ab = p;
    (void)kl;
    if (vl != sizeof(long))
        return -2000;
    memcpy(&ab[((const char *)k)[0] == 'b'], v, sizeof(long));
    return 0;
}

static void *pair_reader(void *arg)
{
    worker *w = arg;
    b2b2c_storage *st = &w->sh->st;

    pthread_barrier_wait(&w->sh->go);
    for (int i = 0; i < NTXN && !w->failed; i++) {
        long ab[2] = {0, 0};
        int rc;
        /* one scan outside a transaction */
        if ((rc = st->scan(st->userdata, "t", pair_row, ab)) != 0) {
            note(w, rc);
            break;
        }
        if (ab[0] != ab[1])
            w->mismatches++;
        /* two gets inside a read transaction */
        if ((rc = st->begin(st->userdata)) != 0) {
            note(w, rc);
            break;
        }
        if ((rc = get_long(st, "a", &ab[0])) != 0 ||
            (rc = get_long(st, "b", &ab[1])) != 0)
            note(w, rc);
        note(w, st->commit(st->userdata));
        if (ab[0] != ab[1])
            w->mismatches++;
    }
    return NULL;
}

static void *pair_thread(void *arg)
{
    worker *w = arg;
    return w->id == 0 ? pair_writer(arg) : pair_reader(arg);
}

static void t_readers_see_whole_transactions(void **u)
{
    shared sh;
    worker w[NTHREADS];
    long a, b;

    (void)u;
    run_on_store(&sh, w, pair_thread);
    assert_int_equal(get_long(&sh.st, "a", &a), 0);
    assert_int_equal(get_long(&sh.st, "b", &b), 0);
    assert_int_equal(a, NTXN - 1); /* NTXN is a multiple of 5 */
    assert_int_equal(b, NTXN - 1);
    store_done(&sh);
}

/* ---- two contexts, two engines, one store ---- */

#define NGROUPS 200
#define PER_GROUP 5
#define DAY 86400
#define T0 INT64_C(1735689600)

static void *forecast_thread(void *arg)
{
    worker *w = arg;
    b2b2c_ctx *ctx = NULL;
    b2b2c_forecaster *f = NULL;
    char id[32];
    int rc;

    pthread_barrier_wait(&w->sh->go);
    if ((rc = b2b2c_ctx_new(&ctx, NULL, &w->sh->st)) != 0 ||
        (rc = b2b2c_forecaster_new(&f, ctx)) != 0) {
        note(w, rc);
        goto done;
    }
    for (int g = 0; g < NGROUPS && !w->failed; g++) {
        snprintf(id, sizeof id, "t%d-c%03d", w->id, g);
        if ((rc = b2b2c_ctx_begin(ctx)) != 0) {
            note(w, rc);
            break;
        }
        for (int k = 0; k < PER_GROUP && rc == 0; k++)
            rc = b2b2c_forecaster_add_purchase(f, id, 1, T0 + k * DAY, 10.0 + k,
                                               B2B2C_FORECAST_KIND_PRODUCT);
        if (rc) {
            note(w, rc);
            b2b2c_ctx_rollback(ctx);
            break;
        }
        if (g % 4 == 3) {
            note(w, b2b2c_ctx_rollback(ctx));
        } else {
            note(w, b2b2c_ctx_commit(ctx));
            w->committed++;
        }
    }
done:
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    return NULL;
}

typedef struct tally {
    long customers, purchases, per_thread[NTHREADS];
} tally;

static int tally_cb(const char *id, double x, double tx, double T, double m,
                    void *p)
{
    tally *t = p;
    (void)tx;
    (void)T;
    (void)m;
    t->customers++;
    t->purchases += (long)x + 1; /* one purchase a day */
    if (id[0] == 't' && id[1] >= '0' && id[1] < '0' + NTHREADS)
        t->per_thread[id[1] - '0']++;
    return 0;
}

static void t_two_contexts(void **u)
{
    shared sh;
    worker w[NTHREADS];
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
    tally t;

    (void)u;
    memset(&t, 0, sizeof t);
    run_on_store(&sh, w, forecast_thread);
    /* a third context reads what both committed, and only that */
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &sh.st), 0);
    assert_int_equal(b2b2c_forecaster_new(&f, ctx), 0);
    assert_int_equal(b2b2c_forecaster_summaries(f, -1, T0 + 100 * DAY,
                                                tally_cb, &t), 0);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(t.per_thread[i], w[i].committed);
    assert_int_equal(t.customers, NTHREADS * (NGROUPS - NGROUPS / 4));
    assert_int_equal(t.purchases, t.customers * PER_GROUP);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    store_done(&sh);
}

/* ---- one thread, two contexts: refused, not waited for ---- */

static void t_same_thread_second_context(void **u)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *c1, *c2;
    b2b2c_forecaster *f1, *f2;

    (void)u;
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&c1, NULL, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&c2, NULL, &st), 0);
    assert_int_equal(b2b2c_forecaster_new(&f1, c1), 0);
    assert_int_equal(b2b2c_forecaster_new(&f2, c2), 0);
    assert_int_equal(b2b2c_ctx_begin(c1), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(f1, "a", 1, T0, 1,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    /* The store is the thread's already: a second transaction on it from
     * the same thread is refused, not waited for (that would never end). */
    assert_int_equal(b2b2c_forecaster_add_purchase(f2, "b", 1, T0, 1,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_ctx_begin(c2), B2B2C_ESTATE);
    assert_int_equal(b2b2c_ctx_commit(c1), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(f2, "b", 1, T0, 1,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    b2b2c_forecaster_free(f1);
    b2b2c_forecaster_free(f2);
    b2b2c_ctx_free(c1);
    b2b2c_ctx_free(c2);
    b2b2c_memstore_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_second_begin_waits),
        cmocka_unit_test(t_counter),
        cmocka_unit_test(t_readers_see_whole_transactions),
        cmocka_unit_test(t_two_contexts),
        cmocka_unit_test(t_same_thread_second_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
