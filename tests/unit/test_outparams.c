/* SPDX-License-Identifier: MIT */
/*
 * Out-parameters are written only on success (docs/conventions.md,
 * "Arguments"), checked for every public function of the headers in
 * include/b2b2c/ and include/b2b2c/sys/ that has one: each is called in
 * failing ways that get past its NULL checks, with every out-parameter
 * pre-filled with a canary, and the canaries must be intact after the
 * failure. Besides bad input, every storage call and every allocation of
 * the call is failed in turn (FAULTS), reads also while their sync has
 * another context's commit to load (FAULTS_AFTER).
 *
 * tests/unit/outparams_list.py checks that every such function of the
 * headers is named in this table (the names are read from the headers).
 *
 * Checklist: function -> test(s) (F = FAULTS: each storage call, then
 * each allocation, failing in turn; F2 = FAULTS_AFTER: each storage call
 * failing while the sync has another context's commit to load; ST = the
 * store failing from the first call; AL = allocations failing from the
 * first; the rest are failures from the arguments or the state).
 *
 * common.h
 *   b2b2c_param_bounds              test_common (unknown param)
 *   b2b2c_ctx_new                   test_common (AL, bad storage version;
 *                                   exception: *out = NULL)
 *   b2b2c_ctx_seq                   test_common (no failure past the NULL
 *                                   check: NULL ctx)
 *   b2b2c_ctx_utc_offset            test_common (same: NULL ctx)
 * sys/storage.h
 *   b2b2c_storage_init              test_common (bad version)
 *   b2b2c_memstore_new              test_common (AL; exception: NULL)
 *   b2b2c_memstore_methods          test_common (NULL store)
 * channel.h
 *   b2b2c_channels_new              test_channels (AL, ST; exception)
 *   b2b2c_channels_get_param        test_channels (F, unknown param, ST)
 *   b2b2c_channels_get              test_channels (F, F2, bad ID, unknown,
 *                                   ST)
 *   b2b2c_channels_count            test_channels (F, F2, ST)
 *   b2b2c_channels_markov_effects   test_channels (F, F2, from > to, cb
 *                                   stops, ST)
 *   b2b2c_channels_mix_lag          test_channels (F, F2, bad group, from >
 *                                   to, cb stops, ST, AL)
 * dealer.h
 *   b2b2c_dealer_new                test_dealer (AL, ST; exception)
 *   b2b2c_dealer_get_param          test_dealer (F, F2, unknown param, ST)
 *   b2b2c_dealer_count              test_dealer (F, F2, ST)
 *   b2b2c_dealer_stats              test_dealer (F, F2, bad ID, unknown, ST)
 *   b2b2c_dealer_route              test_dealer (F, bad ID, bad band,
 *                                   EEXISTS, ST, ENODEALER: exception for
 *                                   *reason_out)
 *   b2b2c_dealer_decline            test_dealer (F, unknown lead, bad
 *                                   reason, ST)
 *   b2b2c_dealer_expire             test_dealer (F, now out of range, cb
 *                                   stops, ST)
 *   b2b2c_dealer_lead_state         test_dealer (F, F2, bad ID, unknown, ST)
 * forecast.h (stateless)
 *   b2b2c_forecast_fit              test_forecast (F, bad model, bad last
 *                                   row, ENODATA, interrupted, AL)
 *   b2b2c_forecast_loglik           test_forecast (F, bad params, bad last
 *                                   row, AL)
 *   b2b2c_forecast_gg_fit           test_forecast (F, m < 0 in last row,
 *                                   ENODATA, interrupted, AL)
 *   b2b2c_forecast_gg_loglik        test_forecast (F, bad params, m < 0, AL)
 *   b2b2c_forecast_predict          test_forecast (F, bad last row, bad t,
 *                                   AL)
 *   b2b2c_forecast_gg_spend         test_forecast (F, m < 0 in last row)
 *   b2b2c_forecast_clv              test_forecast (F, bad spend in last row,
 *                                   bad horizon, AL)
 *   b2b2c_forecast_population_expected
 *                                   test_forecast (F, bad last t, AL)
 *   b2b2c_forecast_frequency_counts test_forecast (F, bad last T, AL)
 * forecast.h (forecaster)
 *   b2b2c_forecaster_new            test_forecaster (AL, ST; exception)
 *   b2b2c_forecaster_get_param      test_forecaster (F, F2, unknown param,
 *                                   ST)
 *   b2b2c_forecaster_add_kind       test_forecaster (F, bad name, ST)
 *   b2b2c_forecaster_fit            test_forecaster (F, bad segment, no
 *                                   data, ST, AL)
 *   b2b2c_forecaster_fit_window     test_forecaster (F, start > end, ST)
 *   b2b2c_forecaster_fit_params     test_forecaster (F, F2, not fitted, bad
 *                                   segment, ST)
 *   b2b2c_forecaster_spend_source   test_forecaster (F, F2, not fitted, ST)
 *   b2b2c_forecaster_service_stats  test_forecaster (F, F2, bad kind, ST)
 *   b2b2c_forecaster_subscription_stats
 *                                   test_forecaster (F, F2, not fitted, ST)
 *   b2b2c_forecaster_customer       test_forecaster (F, F2, unknown, bad
 *                                   horizon, not ready, ST)
 *   b2b2c_forecaster_holdout        test_forecaster (F, F2, bad window, not
 *                                   ready, ST, AL)
 * lead.h
 *   b2b2c_lead_model_new            test_lead (AL, ST; exception)
 *   b2b2c_lead_model_get_param      test_lead (F, F2, unknown param, ST)
 *   b2b2c_lead_add_kind             test_lead (F, bad name, ST)
 *   b2b2c_lead_kind_id              test_lead (F, F2, unknown name, ST)
 *   b2b2c_lead_kind_get             test_lead (F, F2, unknown kind, ST)
 *   b2b2c_lead_score                test_lead (F, F2, bad ID, unknown, bad
 *                                   now, ST)
 *   b2b2c_lead_stage                test_lead (F, F2, unknown, ST)
 *   b2b2c_lead_count                test_lead (F, F2, ST)
 *   b2b2c_lead_refit                test_lead (F, not ready, ST, AL)
 *   b2b2c_lead_probability          test_lead (F, F2, not ready, unknown,
 *                                   ST)
 * segment.h
 *   b2b2c_segment_attrs_new         test_segment (AL; exception)
 *   b2b2c_segment_attrs_get         test_segment (unknown attr, missing)
 *   b2b2c_segmenter_new             test_segment (AL, ST; exception)
 *   b2b2c_segmenter_get_param       test_segment (F, F2, unknown param, ST)
 *   b2b2c_segmenter_version         test_segment (F, F2, ST)
 *   b2b2c_segmenter_classify        test_segment (F, F2, ST)
 *   b2b2c_segmenter_classify_batch  test_segment (F, bad value in last row,
 *                                   both paths, ST)
 *   b2b2c_segmenter_classify_sets   test_segment (F, NULL last element, ST)
 *   b2b2c_segmenter_assign          test_segment (F, bad ID, bad now, ST)
 *   b2b2c_segmenter_assignment      test_segment (F, F2, unknown, ST)
 *   b2b2c_segmenter_route           test_segment (F, F2, bad segment, ST)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "harness.h"

static const int64_t T0 = 1767225600; /* 2026-01-01 */
#define DAY 86400

/* Canaries. */
#define CD 12345.0
#define CI ((int32_t)-777)
#define CL ((int64_t)-777777)
#define CZ ((size_t)4242)
#define CU UINT64_C(0xABABABABABABABAB)
#define CP ((const char *)0x1)
#define NBUF 16

static void fill(double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = CD;
}

static void fill_i(int32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = CI;
}

static int intact(const double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != CD)
            return 0;
    return 1;
}

static int intact_i(const int32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != CI)
            return 0;
    return 1;
}

/* Failures seen by X (reported all at once, then the test fails), and
 * faults FAULTS injected. */
static int nbad;
static size_t nfired;

/*
 * Call, expect `code`, and check the test's canaries (its CANARIES
 * expression); on a violation say which call wrote, and REFILL them.
 */
#define X(call, code)                                                        \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != (code)) {                                                  \
            print_error("line %d: %s returned %d, expected %d\n", __LINE__,  \
                        #call, rc_, (int)(code));                             \
            nbad++;                                                           \
        }                                                                     \
        if (!(CANARIES)) {                                                    \
            print_error("line %d: %s wrote an out-parameter on failure\n",   \
                        __LINE__, #call);                                     \
            nbad++;                                                           \
            REFILL;                                                           \
        }                                                                     \
    } while (0)
#define DONE()                                                                \
    do {                                                                      \
        print_message("%zu faults injected\n", nfired);                       \
        assert_int_equal(nbad, 0);                                            \
    } while (0)

/*
 * Run `call` (on env `e`) with the k-th storage call failing, k = 1, 2, ...
 * until it runs without the fault firing, then the same with the k-th
 * allocation: every failure must leave the canaries intact (a call that
 * computes its answer and then fails to commit, or whose sync fails after
 * some work, must not have written). `call` is run again after each
 * fault, so it must be repeatable (a success may change state: pick a
 * call whose later runs still reach the same code). FAULTS_AFTER runs
 * `prep` before each run with a failing storage call: a commit by a second
 * context on the same store, so that the read's sync has changes to load
 * when the fault hits it (not with failing allocations: the work would
 * grow with every run).
 */
#define EP (&e) /* the env FAULTS runs on */
#define FAULTS(call) FAULTS_AFTER((void)0, call)
#define FAULTS_AFTER(prep, call)                                              \
    do {                                                                      \
        for (int mode_ = 0; mode_ < 2; mode_++)                               \
            for (size_t k_ = 1;; k_++) {                                      \
                size_t f0_ = EP->store.failures + EP->alloc.failures;         \
                int rc_;                                                      \
                REFILL;                                                       \
                if (mode_ == 0) {                                             \
                    prep;                                                     \
                    EP->store.fail_at = EP->store.calls + k_;                 \
                } else                                                        \
                    EP->alloc.fail_at = EP->alloc.count + k_;                 \
                rc_ = (call);                                                 \
                heal(EP);                                                     \
                assert_int_equal(b2b2c_ctx_sync(EP->ctx), 0); /* caught up */ \
                if (EP->store.failures + EP->alloc.failures == f0_)           \
                    break; /* ran to its end without the fault */             \
                nfired++;                                                     \
                if (rc_ == 0 || !(CANARIES)) {                                \
                    print_error("line %d: %s with %s %zu failing: "          \
                                "returned %d, %s\n",                          \
                                __LINE__, #call,                              \
                                mode_ ? "allocation" : "storage call", k_,    \
                                rc_,                                          \
                                rc_ ? "wrote an out-parameter" : "succeeded"); \
                    nbad++;                                                   \
                }                                                             \
            }                                                                 \
        REFILL;                                                               \
    } while (0)

/* One context on a failing store and a failing allocator. */
typedef struct env {
    th_alloc alloc;
    th_store store;
    b2b2c_ctx *ctx;
    b2b2c_ctx *ctx2; /* another context on the same store */
} env;

static void env_open(env *e)
{
    th_alloc_init(&e->alloc);
    th_store_init(&e->store);
    assert_int_equal(
        b2b2c_ctx_new(&e->ctx, &e->alloc.methods, &e->store.methods), 0);
    assert_int_equal(b2b2c_ctx_new(&e->ctx2, NULL, &e->store.methods), 0);
}

static void env_close(env *e)
{
    b2b2c_ctx_free(e->ctx);
    b2b2c_ctx_free(e->ctx2);
    th_store_fini(&e->store);
    assert_int_equal(e->alloc.outstanding, 0);
}

/* Every storage call from the next one on fails (the read's first sync). */
static void store_fail(env *e)
{
    e->store.fail_at = e->store.calls + 1;
    e->store.persist = 1;
}

static void alloc_fail(env *e)
{
    e->alloc.fail_at = e->alloc.count + 1;
    e->alloc.persist = 1;
}

static void heal(env *e)
{
    e->store.fail_at = 0;
    e->store.persist = 0;
    e->alloc.fail_at = 0;
    e->alloc.persist = 0;
}

/* A fresh ID for the second context's commits. */
static const char *fresh_id(void)
{
    static char buf[32];
    static unsigned k;
    snprintf(buf, sizeof(buf), "other%u", ++k);
    return buf;
}

/* The storage's own code comes back unchanged. */
#define ST_CODE (-1000)

/* b2b2c_<engine>_new with a failing allocation, then a failing store:
 * *out is NULL (the documented exception). */
#define NEW_FAILS(fn, type)                                                   \
    do {                                                                      \
        type *o_ = (type *)CP;                                                \
        alloc_fail(&e);                                                       \
        X(fn(&o_, e.ctx), B2B2C_ENOMEM);                                      \
        assert_null(o_);                                                      \
        heal(&e);                                                             \
        o_ = (type *)CP;                                                      \
        store_fail(&e);                                                       \
        X(fn(&o_, e.ctx), ST_CODE);                                           \
        assert_null(o_);                                                      \
        heal(&e);                                                             \
    } while (0)

/* ---- common.h and sys/storage.h ------------------------------------------ */

static void test_common(void **state)
{
    (void)state;
    double mn = CD, mx = CD, df = CD;
/* The exceptions (*out NULL) and structs are checked after each call. */
#define CANARIES (mn == CD && mx == CD && df == CD)
#define REFILL (mn = mx = df = CD)
    X(b2b2c_param_bounds(&mn, &mx, &df, 99999), B2B2C_EINVAL);
    X(b2b2c_param_bounds(&mn, &mx, &df, -1), B2B2C_EINVAL);
    assert_true(mn == CD && mx == CD && df == CD);

    /* b2b2c_ctx_new: *out NULL on failure (the documented exception). */
    {
        th_alloc a;
        b2b2c_ctx *c = (b2b2c_ctx *)CP;
        b2b2c_memstore *ms;
        b2b2c_storage st;
        th_alloc_init(&a);
        a.fail_at = 1;
        X(b2b2c_ctx_new(&c, &a.methods, NULL), B2B2C_ENOMEM);
        assert_null(c);
        assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
        assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
        st.version = 999;
        c = (b2b2c_ctx *)CP;
        X(b2b2c_ctx_new(&c, NULL, &st), B2B2C_EVERSION);
        assert_null(c);
        b2b2c_memstore_free(ms);

        /* b2b2c_memstore_new: same exception. */
        th_alloc_init(&a);
        a.fail_at = 1;
        ms = (b2b2c_memstore *)CP;
        X(b2b2c_memstore_new(&ms, &a.methods), B2B2C_ENOMEM);
        assert_null(ms);
        assert_int_equal(a.outstanding, 0);
    }
    /* b2b2c_memstore_methods and b2b2c_storage_init: the struct untouched. */
    {
        b2b2c_storage st, ref;
        memset(&st, 0xAB, sizeof(st));
        memcpy(&ref, &st, sizeof(st));
        X(b2b2c_memstore_methods(NULL, &st), B2B2C_EINVAL);
        assert_memory_equal(&st, &ref, sizeof(st));
        X(b2b2c_storage_init(&st, 0), B2B2C_EVERSION);
        X(b2b2c_storage_init(&st, 999), B2B2C_EVERSION);
        assert_memory_equal(&st, &ref, sizeof(st));
    }
    /* ctx_seq and ctx_utc_offset cannot fail past the NULL check. */
    {
        uint64_t seen = CU, own = CU;
        int32_t off = CI;
        X(b2b2c_ctx_seq(&seen, &own, NULL), B2B2C_EINVAL);
        assert_true(seen == CU && own == CU);
        X(b2b2c_ctx_utc_offset(&off, NULL), B2B2C_EINVAL);
        assert_int_equal(off, CI);
    }
    DONE();
#undef CANARIES
#undef REFILL
}

/* ---- channels ------------------------------------------------------------ */

static int go_markov(const char *id, double re, double share, void *u)
{
    (void)id, (void)re, (void)share, (void)u;
    return 0;
}

static int stop_markov(const char *id, double re, double share, void *u)
{
    (void)id, (void)re, (void)share, (void)u;
    return -4242;
}

static int stop_lag(int64_t w, double r, double l, double n, double c, void *u)
{
    (void)w, (void)r, (void)l, (void)n, (void)c, (void)u;
    return -4242;
}

static void test_channels(void **state)
{
    (void)state;
    env e;
    b2b2c_channels *h = NULL, *h2;
    double v = CD, pc = CD, slope = CD, corr = CD;
    int32_t k = CI, s = CI, g = CI;
    size_t n = CZ, pairs = CZ;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (v == CD && pc == CD && slope == CD && corr == CD && k == CI &&           \
     s == CI && g == CI && n == CZ && pairs == CZ)
#define REFILL (v = pc = slope = corr = CD, k = s = g = CI, n = pairs = CZ)

    NEW_FAILS(b2b2c_channels_new, b2b2c_channels);

    assert_int_equal(b2b2c_channels_new(&h, e.ctx), 0);
    assert_int_equal(b2b2c_channels_add(h, "tv", B2B2C_CHANNEL_KIND_REACH, 0,
                                        0), 0);
    assert_int_equal(b2b2c_channels_add(h, "ads", B2B2C_CHANNEL_KIND_LEADGEN,
                                        0, 0), 0);
    for (int w = 0; w < 6; w++) {
        char lead[16];
        int64_t t = T0 + (int64_t)w * 7 * DAY;
        assert_int_equal(b2b2c_channels_set_spend(h, "tv", t, 100.0 * (w + 1),
                                                  0), 0);
        assert_int_equal(b2b2c_channels_set_spend(h, "ads", t, 50.0, 0), 0);
        for (int i = 0; i <= w; i++) {
            snprintf(lead, sizeof(lead), "l%d_%d", w, i);
            assert_int_equal(b2b2c_channels_touch(h, lead, "ads", t + 3600),
                             0);
            assert_int_equal(b2b2c_channels_touch(h, lead, "tv", t + 7200),
                             0);
            if (i % 2 == 0)
                assert_int_equal(b2b2c_channels_convert(h, lead, t + DAY,
                                                        10.0), 0);
        }
    }
    /* they succeed (so the failures below are not the only path) */
    assert_int_equal(b2b2c_channels_markov_effects(&pc, h, T0, T0 + 70 * DAY,
                                                   go_markov, NULL), 0);
    assert_true(pc != CD);
    pc = CD;

    X(b2b2c_channels_get_param(&v, h, 42), B2B2C_EINVAL);
    X(b2b2c_channels_get(&k, &s, &g, h, ""), B2B2C_EBADID);
    X(b2b2c_channels_get(&k, &s, &g, h, "radio"),
      B2B2C_ENOTFOUND);
    X(b2b2c_channels_markov_effects(&pc, h, T0 + DAY, T0,
      go_markov, NULL), B2B2C_ERANGE);
    X(b2b2c_channels_markov_effects(&pc, h, T0, T0 + 70 * DAY,
      stop_markov, NULL), -4242);
    X(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, 9, T0,
      T0 + 70 * DAY, NULL, NULL),
      B2B2C_EINVAL);
    X(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1,
      T0 + DAY, T0, NULL, NULL),
      B2B2C_ERANGE);
    X(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1, T0,
      T0 + 70 * DAY, stop_lag, NULL),
      -4242);
    alloc_fail(&e);
    X(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1, T0,
      T0 + 70 * DAY, NULL, NULL),
      B2B2C_ENOMEM);
    heal(&e);

    store_fail(&e);
    X(b2b2c_channels_get_param(
      &v, h, B2B2C_CHANNELS_LOOKBACK_DAYS), ST_CODE);
    X(b2b2c_channels_get(&k, &s, &g, h, "tv"), ST_CODE);
    X(b2b2c_channels_count(&n, h), ST_CODE);
    X(b2b2c_channels_markov_effects(&pc, h, T0, T0 + 70 * DAY,
      go_markov, NULL), ST_CODE);
    X(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1, T0,
      T0 + 70 * DAY, NULL, NULL),
      ST_CODE);
    heal(&e);


    assert_int_equal(b2b2c_channels_new(&h2, e.ctx2), 0);
#define PREP                                                                  \
    assert_int_equal(                                                         \
        b2b2c_channels_touch(h2, fresh_id(), "ads", T0 + 3 * DAY), 0)
    FAULTS_AFTER(PREP, b2b2c_channels_get(&k, &s, &g, h, "tv"));
    FAULTS_AFTER(PREP, b2b2c_channels_count(&n, h));
    FAULTS_AFTER(PREP, b2b2c_channels_markov_effects(
                           &pc, h, T0, T0 + 70 * DAY, go_markov, NULL));
    FAULTS_AFTER(PREP, b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1,
                                              T0, T0 + 70 * DAY, NULL, NULL));
#undef PREP
    b2b2c_channels_free(h2);
    FAULTS(b2b2c_channels_get_param(&v, h, B2B2C_CHANNELS_LOOKBACK_DAYS));
    FAULTS(b2b2c_channels_get(&k, &s, &g, h, "tv"));
    FAULTS(b2b2c_channels_count(&n, h));
    FAULTS(b2b2c_channels_markov_effects(&pc, h, T0, T0 + 70 * DAY,
                                         go_markov, NULL));
    FAULTS(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1, T0,
                                  T0 + 70 * DAY, NULL, NULL));

    /* and they work again */
    assert_int_equal(b2b2c_channels_mix_lag(&slope, &corr, &pairs, h, -1, T0,
                                            T0 + 70 * DAY, NULL, NULL), 0);
    assert_true(pairs != CZ);
    b2b2c_channels_free(h);
    env_close(&e);
    DONE();
#undef CANARIES
#undef REFILL
}

/* ---- dealer -------------------------------------------------------------- */

static int stop_reroute(const char *lead, const char *from, const char *to,
                        int32_t reason, void *u)
{
    (void)lead, (void)from, (void)to, (void)reason, (void)u;
    return -4242;
}

static void test_dealer(void **state)
{
    (void)state;
    env e;
    b2b2c_dealer_engine *d = NULL, *d2;
    double v = CD, st[NBUF] = {CD, CD, CD, CD, CD, CD, CD, CD,
                               CD, CD, CD, CD, CD, CD, CD, CD};
    const char *who = CP;
    int32_t reason = CI, ls = CI;
    size_t n = CZ, cnt = CZ;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (v == CD && intact(st, NBUF) && who == CP && reason == CI && ls == CI &&   \
     n == CZ && cnt == CZ)
#define REFILL                                                                \
    (v = CD, fill(st, NBUF), who = CP, reason = ls = CI, n = cnt = CZ)

    NEW_FAILS(b2b2c_dealer_new, b2b2c_dealer_engine);

    assert_int_equal(b2b2c_dealer_new(&d, e.ctx), 0);
    assert_int_equal(b2b2c_dealer_put(d, "d1", 1.0, "RU", "", 10, 0, 24.0),
                     0);
    assert_int_equal(b2b2c_dealer_route(&who, &reason, d, "l1", "RU-MOW", 0,
                                        0, 0, NULL, 5, 1, T0), 0);
    assert_string_equal(who, "d1");
    who = CP;
    reason = CI;
    fill(st, NBUF);

    X(b2b2c_dealer_get_param(&v, d, 42), B2B2C_EINVAL);
    X(b2b2c_dealer_stats(st, NBUF, d, ""), B2B2C_EBADID);
    X(b2b2c_dealer_stats(st, NBUF, d, "d9"), B2B2C_ENOTFOUND);
    X(b2b2c_dealer_route(&who, &reason, d, "", "RU", 0, 0, 0,
      NULL, 5, 1, T0), B2B2C_EBADID);
    X(b2b2c_dealer_route(&who, &reason, d, "l2", "RU", 0, 0, 0,
      NULL, 5, 99, T0), B2B2C_ERANGE);
    X(b2b2c_dealer_route(&who, &reason, d, "l1", "RU", 0, 0, 0,
      NULL, 5, 1, T0), B2B2C_EEXISTS);
    X(b2b2c_dealer_decline(&who, &reason, d, "l9", "d1", 0,
      T0), B2B2C_ENOTFOUND);
    X(b2b2c_dealer_decline(&who, &reason, d, "l1", "d1", 99,
      T0), B2B2C_ERANGE);
    X(b2b2c_dealer_expire(&cnt, d, INT64_MAX, NULL, NULL),
      B2B2C_ERANGE);
    X(b2b2c_dealer_lead_state(&ls, &who, d, ""), B2B2C_EBADID);
    X(b2b2c_dealer_lead_state(&ls, &who, d, "l9"),
      B2B2C_ENOTFOUND);

    store_fail(&e);
    X(b2b2c_dealer_get_param(&v, d, B2B2C_DEALER_PARAM_POLICY),
      ST_CODE);
    X(b2b2c_dealer_count(&n, d), ST_CODE);
    X(b2b2c_dealer_stats(st, NBUF, d, "d1"), ST_CODE);
    X(b2b2c_dealer_route(&who, &reason, d, "l2", "RU", 0, 0, 0,
      NULL, 5, 1, T0), ST_CODE);
    X(b2b2c_dealer_decline(&who, &reason, d, "l1", "d1", 0,
      T0 + 60), ST_CODE);
    X(b2b2c_dealer_expire(&cnt, d, T0 + 30 * DAY, NULL, NULL),
      ST_CODE);
    X(b2b2c_dealer_lead_state(&ls, &who, d, "l1"), ST_CODE);
    heal(&e);


    assert_int_equal(b2b2c_dealer_put(d, "d2", 1.0, "RU", "", 10, 0, 24.0),
                     0);
    assert_int_equal(b2b2c_dealer_new(&d2, e.ctx2), 0);
#define PREP                                                                  \
    assert_int_equal(                                                         \
        b2b2c_dealer_put(d2, fresh_id(), 1.0, "FR", "", 1, 0, 24.0), 0)
    FAULTS_AFTER(PREP, b2b2c_dealer_get_param(&v, d,
                                              B2B2C_DEALER_PARAM_POLICY));
    FAULTS_AFTER(PREP, b2b2c_dealer_count(&n, d));
    FAULTS_AFTER(PREP, b2b2c_dealer_stats(st, NBUF, d, "d1"));
    FAULTS_AFTER(PREP, b2b2c_dealer_lead_state(&ls, &who, d, "l1"));
#undef PREP
    b2b2c_dealer_free(d2);
    FAULTS(b2b2c_dealer_get_param(&v, d, B2B2C_DEALER_PARAM_POLICY));
    FAULTS(b2b2c_dealer_count(&n, d));
    FAULTS(b2b2c_dealer_stats(st, NBUF, d, "d1"));
    FAULTS(b2b2c_dealer_lead_state(&ls, &who, d, "l1"));
    FAULTS(b2b2c_dealer_route(&who, &reason, d, "l2", "RU", 0, 0, 0, NULL, 5,
                              1, T0));
    {
        const char *holder = NULL;
        assert_int_equal(b2b2c_dealer_lead_state(NULL, &holder, d, "l2"), 0);
        assert_non_null(holder);
        FAULTS(b2b2c_dealer_decline(&who, &reason, d, "l2", holder, 1,
                                    T0 + 60));
    }
    FAULTS(b2b2c_dealer_expire(&cnt, d, T0 + 2 * DAY, NULL, NULL));
    /* the callback stops the reports: the call fails, *count_out as left */
    {
        const char *to = NULL;
        assert_int_equal(b2b2c_dealer_route(&to, NULL, d, "l4", "RU", 0, 0, 0,
                                            NULL, 5, 1, T0 + 3 * DAY), 0);
    }
    X(b2b2c_dealer_expire(&cnt, d, T0 + 5 * DAY, stop_reroute, NULL), -4242);

    /* B2B2C_ENODEALER: *dealer_out untouched, *reason_out written (the
     * documented exception). */
    assert_int_equal(b2b2c_dealer_route(&who, &reason, d, "l3", "DE", 0, 0, 0,
                                        NULL, 5, 1, T0), B2B2C_ENODEALER);
    assert_ptr_equal(who, CP);
    assert_true(reason != CI);

    b2b2c_dealer_free(d);
    env_close(&e);
    DONE();
#undef CANARIES
#undef REFILL
}

/* ---- forecast (stateless) ------------------------------------------------ */

enum { NR = 6 };
static const double FX[NR] = {0, 1, 2, 3, 5, 2};
static const double FTX[NR] = {0, 5, 10, 20, 30, 12};
static const double FT[NR] = {40, 40, 40, 40, 40, 40};
static const double FM[NR] = {0, 20, 30, 25, 40, 35};
static const double BG[4] = {0.24, 4.4, 0.79, 2.4};
static const double GG[3] = {6.25, 3.74, 15.44};

static int stop_progress(void *u)
{
    (void)u;
    return 1;
}

static void test_forecast(void **state)
{
    (void)state;
    env e;
    double p[NBUF], ll = CD, gr[NBUF], o1[NR], o2[NR], o3[NR];
    double x[NR], tx[NR], T[NR], m[NR], sp[NR], zero[NR] = {0};
    int32_t it = CI, stt = CI;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (intact(p, NBUF) && intact(gr, NBUF) && intact(o1, NR) &&                 \
     intact(o2, NR) && intact(o3, NR) && ll == CD && it == CI && stt == CI)
#define REFILL                                                                \
    (fill(p, NBUF), fill(gr, NBUF), fill(o1, NR), fill(o2, NR), fill(o3, NR), \
     ll = CD, it = stt = CI)
    memcpy(x, FX, sizeof(x));
    memcpy(tx, FTX, sizeof(tx));
    memcpy(T, FT, sizeof(T));
    memcpy(m, FM, sizeof(m));
    for (size_t i = 0; i < NR; i++)
        sp[i] = 30;
    fill(p, NBUF);
    fill(gr, NBUF);
    fill(o1, NR);
    fill(o2, NR);
    fill(o3, NR);

#define FIT(model, xx, tt, TT)                                                \
    b2b2c_forecast_fit(p, 4, &ll, &it, &stt, e.ctx, model, xx, tt, TT, NULL,  \
                       NR, 0, 0)
/* loglik, predict and clv on the rows, failing with `code` */
#define ROWS3(code)                                                           \
    do {                                                                      \
        X(b2b2c_forecast_loglik(&ll, gr, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4,  \
                                x, tx, T, NULL, NR), code);                   \
        X(b2b2c_forecast_predict(o1, o2, o3, e.ctx, B2B2C_FORECAST_BGNBD, BG, \
                                 4, x, tx, T, NR, 10), code);                 \
        X(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, x, tx,   \
                             T, sp, NR, 10, 0.01, 1), code);                  \
    } while (0)
    X(FIT(99, x, tx, T), B2B2C_EINVAL);
    X(FIT(B2B2C_FORECAST_BGNBD, zero, zero, T), B2B2C_ENODATA);
    tx[NR - 1] = 50; /* after T: the last row is bad */
    X(FIT(B2B2C_FORECAST_BGNBD, x, tx, T), B2B2C_ERANGE);
    ROWS3(B2B2C_ERANGE);
    tx[NR - 1] = FTX[NR - 1];
    {
        double bad[4] = {0.24, -4.4, 0.79, 2.4};
        X(b2b2c_forecast_loglik(&ll, gr, e.ctx,
          B2B2C_FORECAST_BGNBD, bad, 4,
          x, tx, T, NULL, NR),
          B2B2C_ERANGE);
    }
    X(b2b2c_forecast_predict(o1, o2, o3, e.ctx,
      B2B2C_FORECAST_BGNBD, BG, 4, x,
      tx, T, NR, -1), B2B2C_ERANGE);
    sp[NR - 1] = -1;
    X(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_BGNBD, BG,
      4, x, tx, T, sp, NR, 10, 0.01, 1),
      B2B2C_ERANGE);
    sp[NR - 1] = 30;
    X(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_BGNBD, BG,
      4, x, tx, T, sp, NR, 0.5, 0.01, 1),
      B2B2C_ERANGE);
    T[NR - 1] = -1;
    X(b2b2c_forecast_population_expected(
      o1, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, T, NR),
      B2B2C_ERANGE);
    X(b2b2c_forecast_frequency_counts(
      o1, NR, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, T, NULL,
      NR), B2B2C_ERANGE);
    T[NR - 1] = FT[NR - 1];
    m[NR - 1] = -1;
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m,
      NULL, NR, 0, 0), B2B2C_ERANGE);
    X(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, GG, 3, x, m,
      NULL, NR), B2B2C_ERANGE);
    X(b2b2c_forecast_gg_spend(o1, e.ctx, GG, 3, x, m, NR),
      B2B2C_ERANGE);
    m[NR - 1] = FM[NR - 1];
    {
        double bad[3] = {6.25, 3.74, -1};
        X(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, bad, 3, x,
          m, NULL, NR), B2B2C_ERANGE);
    }
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, zero,
      m, NULL, NR, 0, 0), B2B2C_ENODATA);

    /* interrupted by the progress handler */
    assert_int_equal(b2b2c_ctx_set_progress_handler(e.ctx, 1, stop_progress,
                                                    NULL), 0);
    X(FIT(B2B2C_FORECAST_BGNBD, x, tx, T), B2B2C_EINTERRUPTED);
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m,
      NULL, NR, 0, 0),
      B2B2C_EINTERRUPTED);
    assert_int_equal(b2b2c_ctx_set_progress_handler(e.ctx, 0, NULL, NULL), 0);

    /* a failing allocation, wherever the function allocates */
    alloc_fail(&e);
    X(FIT(B2B2C_FORECAST_BGNBD, x, tx, T), B2B2C_ENOMEM);
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m,
      NULL, NR, 0, 0), B2B2C_ENOMEM);
    X(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, GG, 3, x, m, NULL, NR),
      B2B2C_ENOMEM);
    ROWS3(B2B2C_ENOMEM);
    X(b2b2c_forecast_population_expected(
      o1, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, T, NR),
      B2B2C_ENOMEM);
    heal(&e);
    FAULTS(FIT(B2B2C_FORECAST_BGNBD, x, tx, T));
    FAULTS(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m, NULL, NR,
                                 0, 0));
    FAULTS(b2b2c_forecast_loglik(&ll, gr, e.ctx, B2B2C_FORECAST_PNBD, BG, 4,
                                 x, tx, T, NULL, NR));
    FAULTS(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, GG, 3, x, m, NULL, NR));
    FAULTS(b2b2c_forecast_predict(o1, o2, o3, e.ctx, B2B2C_FORECAST_PNBD, BG,
                                  4, x, tx, T, NR, 10));
    FAULTS(b2b2c_forecast_gg_spend(o1, e.ctx, GG, 3, x, m, NR));
    FAULTS(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_PNBD, BG, 4, x, tx, T,
                              sp, NR, 10, 0.01, 1));
    FAULTS(b2b2c_forecast_population_expected(o1, e.ctx, B2B2C_FORECAST_PNBD,
                                              BG, 4, T, NR));
    FAULTS(b2b2c_forecast_frequency_counts(o1, NR, e.ctx,
                                           B2B2C_FORECAST_PNBD, BG, 4, T,
                                           NULL, NR));
#undef FIT
#undef ROWS3


    /* the same calls succeed with good input */
    assert_int_equal(b2b2c_forecast_gg_spend(o1, e.ctx, GG, 3, x, m, NR), 0);
    assert_true(o1[0] != CD);
    env_close(&e);
    DONE();
#undef CANARIES
#undef REFILL
}

/* ---- forecaster ---------------------------------------------------------- */

static void purchases(b2b2c_forecaster *f, int ncust)
{
    for (int c = 0; c < ncust; c++) {
        char id[16];
        int k = c % 5;
        snprintf(id, sizeof(id), "c%03d", c);
        for (int j = 0; j <= k; j++)
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 f, id, 4, T0 + (int64_t)(c % 7) * DAY +
                                               (int64_t)j * (9 + c % 4) * DAY,
                                 50.0 + c % 13 + j * 7,
                                 B2B2C_FORECAST_KIND_PRODUCT), 0);
        if (c % 3 == 0)
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 f, id, 4, T0 + 20 * DAY, 15,
                                 B2B2C_FORECAST_KIND_REPAIR), 0);
    }
}

static void test_forecaster(void **state)
{
    (void)state;
    env e;
    b2b2c_forecaster *f = NULL, *f2;
    const int64_t end = T0 + 120 * DAY;
    double v = CD, pp[NBUF], gg[NBUF], ll = CD, ms = CD, ar = CD, mv = CD;
    double rpu = CD, ret = CD, ex = CD, pa = CD, py = CD, sp = CD, cp = CD;
    double cs = CD, act[NBUF], pred[NBUF], cnt[NBUF];
    int32_t kind = CI, stt = CI, model = CI, gst = CI, src = CI;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (v == CD && ll == CD && ms == CD && ar == CD && mv == CD && rpu == CD &&  \
     ret == CD && ex == CD && pa == CD && py == CD && sp == CD && cp == CD &&  \
     cs == CD && intact(pp, NBUF) && intact(gg, NBUF) && intact(act, NBUF) && \
     intact(pred, NBUF) && intact(cnt, NBUF) && kind == CI && stt == CI &&    \
     model == CI && gst == CI && src == CI)
#define REFILL                                                                \
    (v = ll = ms = ar = mv = rpu = ret = ex = pa = py = sp = cp = cs = CD,    \
     fill(pp, NBUF), fill(gg, NBUF), fill(act, NBUF), fill(pred, NBUF),       \
     fill(cnt, NBUF), kind = stt = model = gst = src = CI)
    fill(pp, NBUF);
    fill(gg, NBUF);
    fill(act, NBUF);
    fill(pred, NBUF);
    fill(cnt, NBUF);

    NEW_FAILS(b2b2c_forecaster_new, b2b2c_forecaster);

    assert_int_equal(b2b2c_forecaster_new(&f, e.ctx), 0);
    X(b2b2c_forecaster_get_param(&v, f, 42), B2B2C_EINVAL);
    X(b2b2c_forecaster_add_kind(&kind, f, "Bad Name"),
      B2B2C_EINVAL);
    X(b2b2c_forecaster_fit(&stt, f, 99, end), B2B2C_EINVAL);
    X(b2b2c_forecaster_fit(&stt, f, -1, end), B2B2C_ENODATA);
    /* not fitted yet */
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, -1),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_spend_source(&src, &ms, f, -1),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_subscription_stats(&rpu, &ret, f, -1),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end + 30 * DAY),
      B2B2C_ENOTREADY);
    purchases(f, 60);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "c001", end, 10),
      B2B2C_ENOTREADY);
    alloc_fail(&e);
    X(b2b2c_forecaster_fit(&stt, f, -1, end), B2B2C_ENOMEM);
    heal(&e);
    store_fail(&e);
    X(b2b2c_forecaster_fit(&stt, f, -1, end), ST_CODE);
    X(b2b2c_forecaster_fit_window(&stt, f, -1, T0, end),
      ST_CODE);
    heal(&e);
    X(b2b2c_forecaster_fit_window(&stt, f, -1, end, T0),
      B2B2C_ERANGE);
    assert_int_equal(stt, CI);

    assert_int_equal(b2b2c_forecaster_fit(&stt, f, -1, end), 0);
    assert_true(stt != CI);
    stt = CI;
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, 99), B2B2C_EINVAL);
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, 3),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_service_stats(
      &ar, &mv, f, -1, B2B2C_FORECAST_KIND_PRODUCT),
      B2B2C_EINVAL);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "nobody", end, 10),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "c001", end, 0.5),
      B2B2C_ERANGE);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end), B2B2C_ERANGE);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 0, f, -1, end,
      end + DAY), B2B2C_ERANGE);
    alloc_fail(&e);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end + 30 * DAY), B2B2C_ENOMEM);
    heal(&e);

    store_fail(&e);
    X(b2b2c_forecaster_get_param(&v, f, B2B2C_FORECASTER_MODEL),
      ST_CODE);
    X(b2b2c_forecaster_add_kind(&kind, f, "spare_parts"),
      ST_CODE);
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, -1), ST_CODE);
    X(b2b2c_forecaster_spend_source(&src, &ms, f, -1),
      ST_CODE);
    X(b2b2c_forecaster_service_stats(
      &ar, &mv, f, -1, B2B2C_FORECAST_KIND_REPAIR),
      ST_CODE);
    X(b2b2c_forecaster_subscription_stats(&rpu, &ret, f, -1),
      ST_CODE);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "c001", end, 10), ST_CODE);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end + 30 * DAY), ST_CODE);
    heal(&e);


    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs, f, "c001",
      T0 - DAY, 10), B2B2C_ERANGE);
    assert_int_equal(b2b2c_forecaster_new(&f2, e.ctx2), 0);
#define PREP                                                                  \
    assert_int_equal(b2b2c_forecaster_add_purchase(                           \
                         f2, fresh_id(), 4, T0, 10,                           \
                         B2B2C_FORECAST_KIND_PRODUCT), 0)
    FAULTS_AFTER(PREP, b2b2c_forecaster_get_param(&v, f,
                                                  B2B2C_FORECASTER_MODEL));
    FAULTS_AFTER(PREP, b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
                                                   &gst, f, -1));
    FAULTS_AFTER(PREP, b2b2c_forecaster_spend_source(&src, &ms, f, -1));
    FAULTS_AFTER(PREP, b2b2c_forecaster_service_stats(
                           &ar, &mv, f, -1, B2B2C_FORECAST_KIND_REPAIR));
    FAULTS_AFTER(PREP, b2b2c_forecaster_subscription_stats(&rpu, &ret, f,
                                                           -1));
    FAULTS_AFTER(PREP, b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
                                                 f, "c001", end, 10));
    FAULTS_AFTER(PREP, b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1,
                                                end, end + 30 * DAY));
#undef PREP
    b2b2c_forecaster_free(f2);
    FAULTS(b2b2c_forecaster_get_param(&v, f, B2B2C_FORECASTER_MODEL));
    FAULTS(b2b2c_forecaster_add_kind(&kind, f, "spare_parts"));
    FAULTS(b2b2c_forecaster_fit_window(&stt, f, -1, T0, end));
    FAULTS(b2b2c_forecaster_fit(&stt, f, -1, end));
    FAULTS(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt, &gst, f,
                                       -1));
    FAULTS(b2b2c_forecaster_spend_source(&src, &ms, f, -1));
    FAULTS(b2b2c_forecaster_service_stats(&ar, &mv, f, -1,
                                          B2B2C_FORECAST_KIND_REPAIR));
    FAULTS(b2b2c_forecaster_subscription_stats(&rpu, &ret, f, -1));
    FAULTS(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs, f, "c001",
                                     end, 10));
    FAULTS(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
                                    end + 30 * DAY));

    assert_int_equal(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
                                               f, "c001", end, 10), 0);
    assert_true(ex != CD);
    b2b2c_forecaster_free(f);
    env_close(&e);
    DONE();
#undef CANARIES
#undef REFILL
}

/* ---- lead ---------------------------------------------------------------- */

static void test_lead(void **state)
{
    (void)state;
    env e;
    b2b2c_lead_model *m = NULL, *m2;
    double v = CD, pts = CD, cd = CD, ct = CD, hd = CD, sc = CD, p = CD;
    int32_t kind = CI, band = CI, stage = CI, stt = CI, passes = CI;
    size_t n = CZ;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (v == CD && pts == CD && cd == CD && ct == CD && hd == CD && sc == CD &&  \
     p == CD && n == CZ && kind == CI && band == CI && stage == CI &&          \
     stt == CI && passes == CI)
#define REFILL                                                                \
    (v = pts = cd = ct = hd = sc = p = CD, n = CZ,                            \
     kind = band = stage = stt = passes = CI)

    NEW_FAILS(b2b2c_lead_model_new, b2b2c_lead_model);

    assert_int_equal(b2b2c_lead_model_new(&m, e.ctx), 0);
    assert_int_equal(b2b2c_lead_model_set_param(m, B2B2C_LEAD_MIN_OUTCOMES,
                                                2), 0);
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof(id), "l%d", i);
        assert_int_equal(b2b2c_lead_add(m, id, T0, 5, NULL, NULL, NULL), 0);
    }
    X(b2b2c_lead_model_get_param(&v, m, 42), B2B2C_EINVAL);
    X(b2b2c_lead_add_kind(&kind, m, "Bad Name"), B2B2C_EBADID);
    X(b2b2c_lead_kind_id(&kind, m, "no_such_kind"),
      B2B2C_ENOTFOUND);
    X(b2b2c_lead_kind_get(&pts, &cd, &ct, &hd, m, 63),
      B2B2C_ENOTFOUND);
    X(b2b2c_lead_score(&sc, &band, m, "", T0), B2B2C_EBADID);
    X(b2b2c_lead_score(&sc, &band, m, "l9", T0),
      B2B2C_ENOTFOUND);
    X(b2b2c_lead_score(&sc, &band, m, "l1", INT64_MAX),
      B2B2C_ERANGE);
    X(b2b2c_lead_stage(&stage, m, "l9"), B2B2C_ENOTFOUND);
    X(b2b2c_lead_refit(&stt, &passes, m), B2B2C_ENOTREADY);
    X(b2b2c_lead_probability(&p, m, "l1", T0),
      B2B2C_ENOTREADY);
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof(id), "l%d", i);
        assert_int_equal(b2b2c_lead_outcome(m, id, i % 2, T0 + DAY), 0);
    }
    X(b2b2c_lead_probability(&p, m, "l9", T0),
      B2B2C_ENOTFOUND);
    alloc_fail(&e);
    X(b2b2c_lead_refit(&stt, &passes, m), B2B2C_ENOMEM);
    heal(&e);

    store_fail(&e);
    X(b2b2c_lead_model_get_param(&v, m,
      B2B2C_LEAD_MIN_OUTCOMES),
      ST_CODE);
    X(b2b2c_lead_add_kind(&kind, m, "webinar"), ST_CODE);
    X(b2b2c_lead_kind_id(&kind, m, "visit"), ST_CODE);
    X(b2b2c_lead_kind_get(&pts, &cd, &ct, &hd, m, 1), ST_CODE);
    X(b2b2c_lead_score(&sc, &band, m, "l1", T0 + DAY),
      ST_CODE);
    X(b2b2c_lead_stage(&stage, m, "l1"), ST_CODE);
    X(b2b2c_lead_count(&n, m), ST_CODE);
    X(b2b2c_lead_refit(&stt, &passes, m), ST_CODE);
    X(b2b2c_lead_probability(&p, m, "l1", T0 + DAY), ST_CODE);
    heal(&e);


    assert_int_equal(b2b2c_lead_model_new(&m2, e.ctx2), 0);
#define PREP                                                                  \
    assert_int_equal(                                                         \
        b2b2c_lead_add(m2, fresh_id(), T0, 5, NULL, NULL, NULL), 0)
    FAULTS_AFTER(PREP, b2b2c_lead_model_get_param(&v, m,
                                                  B2B2C_LEAD_MIN_OUTCOMES));
    FAULTS_AFTER(PREP, b2b2c_lead_kind_id(&kind, m, "webinar"));
    FAULTS_AFTER(PREP, b2b2c_lead_kind_get(&pts, &cd, &ct, &hd, m, 1));
    FAULTS_AFTER(PREP, b2b2c_lead_score(&sc, &band, m, "l1", T0 + DAY));
    FAULTS_AFTER(PREP, b2b2c_lead_stage(&stage, m, "l1"));
    FAULTS_AFTER(PREP, b2b2c_lead_count(&n, m));
    FAULTS_AFTER(PREP, b2b2c_lead_probability(&p, m, "l1", T0 + DAY));
#undef PREP
    b2b2c_lead_model_free(m2);
    FAULTS(b2b2c_lead_model_get_param(&v, m, B2B2C_LEAD_MIN_OUTCOMES));
    FAULTS(b2b2c_lead_add_kind(&kind, m, "webinar"));
    FAULTS(b2b2c_lead_kind_id(&kind, m, "webinar"));
    FAULTS(b2b2c_lead_kind_get(&pts, &cd, &ct, &hd, m, 1));
    FAULTS(b2b2c_lead_score(&sc, &band, m, "l1", T0 + DAY));
    FAULTS(b2b2c_lead_stage(&stage, m, "l1"));
    FAULTS(b2b2c_lead_count(&n, m));
    FAULTS(b2b2c_lead_refit(&stt, &passes, m));
    FAULTS(b2b2c_lead_probability(&p, m, "l1", T0 + DAY));

    assert_int_equal(b2b2c_lead_probability(&p, m, "l1", T0 + DAY), 0);
    assert_true(p != CD);
    b2b2c_lead_model_free(m);
    env_close(&e);
    DONE();
#undef CANARIES
#undef REFILL
}

/* ---- segmenter ----------------------------------------------------------- */

enum { NB = 3 };

#undef EP
#define EP ep
static void batch_checks(env *ep, b2b2c_segmenter *s, int32_t *seg,
                         double *conf)
{
    double values[NB * B2B2C_SEG_ATTR_COUNT];
    uint32_t present[NB];
    b2b2c_segment_attrs *a[NB];
#define CANARIES (intact(conf, NB) && intact_i(seg, NB))
#define REFILL (fill(conf, NB), fill_i(seg, NB))
    for (size_t i = 0; i < NB * B2B2C_SEG_ATTR_COUNT; i++)
        values[i] = 0;
    for (size_t i = 0; i < NB; i++) {
        values[i * B2B2C_SEG_ATTR_COUNT + B2B2C_SEG_ATTR_EMPLOYEES - 1] = 50;
        present[i] = 1u << (B2B2C_SEG_ATTR_EMPLOYEES - 1);
    }
    values[(NB - 1) * B2B2C_SEG_ATTR_COUNT + B2B2C_SEG_ATTR_EMPLOYEES - 1] =
        -5; /* the last row is bad */
    X(b2b2c_segmenter_classify_batch(seg, conf, s, NB, values, present),
      B2B2C_ERANGE);
    present[NB - 1] |= 1u << 20; /* an unknown attribute */
    X(b2b2c_segmenter_classify_batch(seg, conf, s, NB, values, present),
      B2B2C_EINVAL);
    present[NB - 1] &= ~(1u << 20);
    for (size_t i = 0; i < NB; i++) {
        assert_int_equal(b2b2c_segment_attrs_new(&a[i], ep->ctx), 0);
        assert_int_equal(b2b2c_segment_attrs_set_int(
                             a[i], B2B2C_SEG_ATTR_EMPLOYEES, 50), 0);
    }
    {
        const b2b2c_segment_attrs *sets[NB] = {a[0], a[1], NULL};
        X(b2b2c_segmenter_classify_sets(seg, conf, s, NB,
          sets), B2B2C_EINVAL);
    }
    {
        const b2b2c_segment_attrs *sets[NB] = {a[0], a[1], a[2]};
        store_fail(ep);
        X(b2b2c_segmenter_classify_sets(seg, conf, s, NB,
          sets), ST_CODE);
        values[(NB - 1) * B2B2C_SEG_ATTR_COUNT + B2B2C_SEG_ATTR_EMPLOYEES -
               1] = 50;
        X(b2b2c_segmenter_classify_batch(
          seg, conf, s, NB, values, present), ST_CODE);
        heal(ep);
    }
    {
        const b2b2c_segment_attrs *sets[NB] = {a[0], a[1], a[2]};
        FAULTS(b2b2c_segmenter_classify_sets(seg, conf, s, NB, sets));
        FAULTS(b2b2c_segmenter_classify_batch(seg, conf, s, NB, values,
                                              present));
    }
    for (size_t i = 0; i < NB; i++)
        b2b2c_segment_attrs_free(a[i]);
#undef CANARIES
#undef REFILL
}

#undef EP
#define EP (&e)

static void test_segment(void **state)
{
    (void)state;
    env e;
    b2b2c_segmenter *s = NULL, *s2;
    b2b2c_segment_attrs *at = NULL, *at2;
    double v = CD, conf = CD, confs[NB];
    int32_t seg = CI, segs[NB], dest = CI, ck = CI;
    int64_t ver = CL, since = CL, ver2 = CL;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (v == CD && conf == CD && intact(confs, NB) && intact_i(segs, NB) &&      \
     seg == CI && dest == CI && ck == CI && ver == CL && since == CL &&        \
     ver2 == CL)
#define REFILL                                                                \
    (v = conf = CD, fill(confs, NB), fill_i(segs, NB), seg = dest = ck = CI,  \
     ver = since = ver2 = CL)
    fill(confs, NB);
    fill_i(segs, NB);

    at2 = (b2b2c_segment_attrs *)CP;
    alloc_fail(&e);
    X(b2b2c_segment_attrs_new(&at2, e.ctx), B2B2C_ENOMEM);
    assert_null(at2);
    heal(&e);
    NEW_FAILS(b2b2c_segmenter_new, b2b2c_segmenter);

    assert_int_equal(b2b2c_segment_attrs_new(&at, e.ctx), 0);
    X(b2b2c_segment_attrs_get(&v, at, 99), B2B2C_EINVAL);
    X(b2b2c_segment_attrs_get(&v, at,
      B2B2C_SEG_ATTR_EMPLOYEES),
      B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_segment_attrs_set_int(at, B2B2C_SEG_ATTR_EMPLOYEES,
                                                 12), 0);

    assert_int_equal(b2b2c_segmenter_new(&s, e.ctx), 0);
    assert_int_equal(b2b2c_segmenter_assign(&seg, s, "a1", at, T0), 0);
    seg = CI;
    X(b2b2c_segmenter_get_param(&v, s, 42), B2B2C_EINVAL);
    X(b2b2c_segmenter_assign(&seg, s, "", at, T0),
      B2B2C_EBADID);
    X(b2b2c_segmenter_assign(&seg, s, "a1", at, T0 - DAY),
      B2B2C_ERANGE);
    X(b2b2c_segmenter_assignment(&seg, &since, &ver2, s, "a9"),
      B2B2C_ENOTFOUND);
    X(b2b2c_segmenter_route(&dest, &ck, s, 99, 1),
      B2B2C_EINVAL);
    X(b2b2c_segmenter_route(&dest, &ck, s, 1, 99),
      B2B2C_EINVAL);

    /* the compiled path (default rules) */
    batch_checks(&e, s, segs, confs);

    store_fail(&e);
    X(b2b2c_segmenter_get_param(&v, s, 200), ST_CODE);
    X(b2b2c_segmenter_version(&ver, s), ST_CODE);
    X(b2b2c_segmenter_classify(&seg, &conf, s, at), ST_CODE);
    X(b2b2c_segmenter_assign(&seg, s, "a2", at, T0), ST_CODE);
    X(b2b2c_segmenter_assignment(&seg, &since, &ver2, s, "a1"),
      ST_CODE);
    X(b2b2c_segmenter_route(&dest, &ck, s, 1, 1), ST_CODE);
    heal(&e);

    /* the rule-table path (a host rule) */
    assert_int_equal(b2b2c_segmenter_rule_add(s, "big", 5,
                                              B2B2C_SEGMENT_B2B_LARGE,
                                              "employees >= 1000"), 0);
    batch_checks(&e, s, segs, confs);


    assert_int_equal(b2b2c_segmenter_new(&s2, e.ctx2), 0);
#define PREP                                                                  \
    assert_int_equal(b2b2c_segmenter_assign_segment(                          \
                         s2, fresh_id(), B2B2C_SEGMENT_B2B_LARGE, T0), 0)
    FAULTS_AFTER(PREP, b2b2c_segmenter_get_param(&v, s, 200));
    FAULTS_AFTER(PREP, b2b2c_segmenter_version(&ver, s));
    FAULTS_AFTER(PREP, b2b2c_segmenter_classify(&seg, &conf, s, at));
    FAULTS_AFTER(PREP, b2b2c_segmenter_assignment(&seg, &since, &ver2, s,
                                                  "a1"));
    FAULTS_AFTER(PREP, b2b2c_segmenter_route(&dest, &ck, s, 1, 1));
#undef PREP
    b2b2c_segmenter_free(s2);
    FAULTS(b2b2c_segmenter_get_param(&v, s, 200));
    FAULTS(b2b2c_segmenter_version(&ver, s));
    FAULTS(b2b2c_segmenter_classify(&seg, &conf, s, at));
    FAULTS(b2b2c_segmenter_assign(&seg, s, "a3", at, T0 + DAY));
    FAULTS(b2b2c_segmenter_assignment(&seg, &since, &ver2, s, "a1"));
    FAULTS(b2b2c_segmenter_route(&dest, &ck, s, 1, 1));

    assert_int_equal(b2b2c_segmenter_classify(&seg, &conf, s, at), 0);
    assert_true(seg != CI);
    b2b2c_segmenter_free(s);
    b2b2c_segment_attrs_free(at);
    env_close(&e);
    DONE();
#undef CANARIES
#undef REFILL
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common),     cmocka_unit_test(test_channels),
        cmocka_unit_test(test_dealer),     cmocka_unit_test(test_forecast),
        cmocka_unit_test(test_forecaster), cmocka_unit_test(test_lead),
        cmocka_unit_test(test_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
