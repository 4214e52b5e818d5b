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
 * The tests it names are here or in test_outparams_*.c (test_segment:
 * test_outparams_segment.c).
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
 *   b2b2c_ctx_erase                 test_dealer (F, bad ID, unknown ID, ST)
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
 *   b2b2c_channel_markov_counts     test_channel_markov (F, ncounts,
 *                                   ntouches, NULL converted, bad channel)
 *   b2b2c_channel_markov_effects    test_channel_markov (F, ncounts, NULL
 *                                   effects, into START, AL)
 * experiment.h (in test_outparams_experiment.c; in memory, so no storage
 * call: F covers the allocations)
 *   b2b2c_experiment_new            test_experiment (AL; exception)
 *   b2b2c_experiment_get_param      test_experiment (F, unknown param)
 *   b2b2c_experiment_srm            test_experiment (F, one variant, no
 *                                   exposures)
 *   b2b2c_experiment_plan           test_experiment (F, each range, NaN,
 *                                   too large)
 * program.h (in test_outparams_programs.c)
 *   b2b2c_programs_new              test_programs (AL, ST; exception)
 *   b2b2c_programs_get_param        test_programs (F, F2, unknown param,
 *                                   ST)
 *   b2b2c_program_status            test_program_status (F, F2, unknown
 *                                   program, unknown dealer, bad ID,
 *                                   nfields 0, now out of range, ST)
 *   b2b2c_promo_uplift              test_promo_uplift (F, F2, unknown
 *                                   promotion, unknown dealer, bad ID,
 *                                   nfields 0, bad control, ST)
 *   b2b2c_programs_reorder_of       test_reorder_of (F, F2, nfields 0,
 *                                   NULL array, negative units, negative
 *                                   amount, now out of range, ST; in
 *                                   test_outparams_programs_reorder.c)
 * dealer.h
 *   b2b2c_dealer_new                test_dealer (AL, ST; exception)
 *   b2b2c_dealer_get_param          test_dealer (F, F2, unknown param, ST)
 *   b2b2c_dealer_count              test_dealer (F, F2, ST)
 *   b2b2c_dealer_stats              test_dealer (F, F2, bad ID, unknown, ST)
 *   b2b2c_dealer_route              test_dealer (F, bad ID, bad band,
 *                                   EEXISTS, ST, ENODEALER: exception for
 *                                   *reason_out)
 *   b2b2c_dealer_route_customer     test_dealer (F, empty key, key too
 *                                   long, bad ID, ST)
 *   b2b2c_dealer_owner              test_dealer (F, empty key, no owner,
 *                                   ST)
 *   b2b2c_dealer_registration       test_dealer (F, empty key, never
 *                                   registered, ST)
 *   b2b2c_dealer_protected          test_dealer (F, bad product line, ST)
 *   b2b2c_dealer_reg_expire         test_dealer (F, now out of range, ST)
 *   b2b2c_dealer_route_service      test_dealer (F, bad service, nobody
 *                                   certified: exception for *reason_out,
 *                                   ST)
 *   b2b2c_dealer_certified          test_dealer (F, bad service, not
 *                                   certified, ST)
 *   b2b2c_dealer_decline            test_dealer (F, unknown lead, bad
 *                                   reason, ST)
 *   b2b2c_dealer_expire             test_dealer (F, now out of range, cb
 *                                   stops, ST)
 *   b2b2c_dealer_lead_state         test_dealer (F, F2, bad ID, unknown, ST)
 *   b2b2c_dealer_offboard           test_dealer (F, unknown, bad now, ST)
 *   b2b2c_dealer_prune              test_dealer (F, bad now, ST)
 *   b2b2c_dealer_close_due          test_dealer (F, bad now, max 0, ST)
 * forecast.h (stateless; these and the forecaster's are in
 * test_outparams_forecast.c)
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
 *   b2b2c_forecast_stderr           test_forecast (F, bad params, bad last
 *                                   row, not a maximum, AL)
 *   b2b2c_forecast_gg_stderr        test_forecast (F, bad params, m < 0, AL)
 *   b2b2c_forecast_moments          test_forecast (F, NULL, nmoments, bad
 *                                   model, bad last row)
 *   b2b2c_forecast_gg_moments       test_forecast (F, m < 0 in last row)
 *   b2b2c_forecast_fit_sum          test_forecast (F, bad model, NULL cb and
 *                                   moments, bad start, zero and NaN
 *                                   moments, callback error, NaN sum,
 *                                   ENOCONVERGE, interrupted)
 *   b2b2c_forecast_rows_new         test_forecast (AL, bad model, bad
 *                                   last row, ENODATA; exception)
 *   b2b2c_forecast_rows_loglik      test_forecast (F, NULL, nparams, NaN
 *                                   and negative params)
 *   b2b2c_forecast_rows_count       test_forecast (NULL)
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
 *   b2b2c_forecaster_fold           test_forecaster (F, max 0, bad now, ST)
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
 *   b2b2c_lead_loss                 test_lead_sum (F, dim, nfeat, bad
 *                                   label, AL)
 *   b2b2c_lead_fit_sum              test_lead_sum (F, one class, bad l2,
 *                                   callback error, AL)
 *   b2b2c_lead_probability          test_lead (F, F2, not ready, unknown,
 *                                   ST)
 *   b2b2c_lead_points_dry_run       test_lead (F, F2, unknown entry, bad
 *                                   folds, ST)
 *   b2b2c_lead_points_apply         test_lead (F, unknown entry, NaN
 *                                   points, ST)
 *   b2b2c_lead_close_due            test_lead (F, max 0, bad now, ST)
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
#include <math.h>

#include "outparams.h"

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
    FINISH(e);
#undef CANARIES
#undef REFILL
}

/* The stateless Markov calls (markov.c): no storage, so F covers the
 * allocations of _effects (_counts allocates nothing). */
static void test_channel_markov(void **state)
{
    (void)state;
    env e;
    enum { NCH = 3, NC = (NCH + 1) * (NCH + 3) };
    uint64_t cnt[NC], good[NC];
    double eff[NCH], pc = CD;
    uint32_t ch[] = {0, 1, 2, 1, 2, 0};
    const uint32_t len[] = {3, 2, 1}, conv[] = {1, 0, 1};
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES (cnt_intact(cnt, NC) && intact(eff, NCH) && pc == CD)
#define REFILL (cnt_fill(cnt, NC), fill(eff, NCH), pc = CD)
    REFILL;
    assert_int_equal(b2b2c_channel_markov_counts(good, NC, e.ctx, NCH, ch, 6,
                                                 len, conv, 3), 0);
    X(b2b2c_channel_markov_counts(cnt, NC - 1, e.ctx, NCH, ch, 6, len, conv,
                                  3), B2B2C_EINVAL);
    X(b2b2c_channel_markov_counts(cnt, NC, e.ctx, NCH, ch, 5, len, conv, 3),
      B2B2C_EINVAL);
    X(b2b2c_channel_markov_counts(cnt, NC, e.ctx, NCH, ch, 6, len, NULL, 3),
      B2B2C_EINVAL);
    ch[5] = NCH; /* the last touch: no such channel */
    X(b2b2c_channel_markov_counts(cnt, NC, e.ctx, NCH, ch, 6, len, conv, 3),
      B2B2C_ERANGE);
    ch[5] = 0;
    X(b2b2c_channel_markov_effects(eff, &pc, e.ctx, good, NC - 1, NCH),
      B2B2C_EINVAL);
    X(b2b2c_channel_markov_effects(NULL, &pc, e.ctx, good, NC, NCH),
      B2B2C_EINVAL);
    good[NCH + 3] = 1; /* channel 0 -> START */
    X(b2b2c_channel_markov_effects(eff, &pc, e.ctx, good, NC, NCH),
      B2B2C_ERANGE);
    good[NCH + 3] = 0;
    FAULTS(b2b2c_channel_markov_counts(cnt, NC, e.ctx, NCH, ch, 6, len, conv,
                                       3));
    FAULTS(b2b2c_channel_markov_effects(eff, &pc, e.ctx, good, NC, NCH));
    assert_int_equal(b2b2c_channel_markov_effects(eff, &pc, e.ctx, good, NC,
                                                  NCH), 0);
    assert_true(pc != CD && eff[0] != CD);
    FINISH(e);
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
    {
        static const char longkey[B2B2C_DEALER_CUSTOMER_KEY_MAX + 1] = {0};
        int64_t since = (int64_t)CZ, until = (int64_t)CZ;
        X(b2b2c_dealer_route_customer(&who, &reason, d, "l2", "k", 0, "RU",
          0, 0, 0, NULL, 5, 1, T0), B2B2C_EBADID);
        X(b2b2c_dealer_route_customer(&who, &reason, d, "l2", longkey,
          sizeof longkey, "RU", 0, 0, 0, NULL, 5, 1, T0), B2B2C_ERANGE);
        X(b2b2c_dealer_route_customer(&who, &reason, d, "", "k", 1, "RU", 0,
          0, 0, NULL, 5, 1, T0), B2B2C_EBADID);
        X(b2b2c_dealer_owner(&who, &since, &until, d, "k", 0, NULL, T0),
          B2B2C_EBADID);
        X(b2b2c_dealer_owner(&who, &since, &until, d, "k", 1, NULL, T0),
          B2B2C_ENOTFOUND);
        assert_true(since == (int64_t)CZ && until == (int64_t)CZ);
        store_fail(&e);
        X(b2b2c_dealer_route_customer(&who, &reason, d, "l2", "k", 1, "RU",
          0, 0, 0, NULL, 5, 1, T0), ST_CODE);
        X(b2b2c_dealer_owner(&who, &since, &until, d, "k", 1, NULL, T0),
          ST_CODE);
        heal(&e);
        assert_true(since == (int64_t)CZ && until == (int64_t)CZ);
    }
    {
        {
        /* deal registration (issue 14) */
        char longid[300];
        int64_t since = (int64_t)CZ, until = (int64_t)CZ,
                close = (int64_t)CZ;
        memset(longid, 'p', sizeof longid - 1);
        longid[sizeof longid - 1] = 0;
        X(b2b2c_dealer_registration(&who, &ls, &since, &until, &close, d,
          "k", 0, NULL, T0), B2B2C_EBADID);
        X(b2b2c_dealer_registration(&who, &ls, &since, &until, &close, d,
          "k", 1, NULL, T0), B2B2C_ENOTFOUND);
        X(b2b2c_dealer_protected(&who, &reason, &until, d, "k", 1, longid,
          T0), B2B2C_EBADID);
        X(b2b2c_dealer_reg_expire(&cnt, d, INT64_MAX), B2B2C_ERANGE);
        assert_int_equal(b2b2c_dealer_register(d, "d1", "k", 1, NULL, 5, T0,
                                               T0), 0);
        store_fail(&e);
        X(b2b2c_dealer_registration(&who, &ls, &since, &until, &close, d,
          "k", 1, NULL, T0), ST_CODE);
        X(b2b2c_dealer_protected(&who, &reason, &until, d, "k", 1, NULL,
          T0), ST_CODE);
        X(b2b2c_dealer_reg_expire(&cnt, d, T0 + 365 * DAY), ST_CODE);
        heal(&e);
        assert_true(since == (int64_t)CZ && until == (int64_t)CZ &&
                    close == (int64_t)CZ);
        FAULTS(b2b2c_dealer_registration(&who, &ls, NULL, NULL, NULL, d,
                                         "k", 1, NULL, T0));
        FAULTS(b2b2c_dealer_protected(&who, &reason, NULL, d, "k", 1, NULL,
                                      T0));
        FAULTS(b2b2c_dealer_reg_expire(&cnt, d, T0 + 365 * DAY));
        }
        {
        /* service partners (issue 14): nobody certified is ENODEALER, with
         * the reason (the exception, as for route) */
        int64_t since = (int64_t)CZ;
        X(b2b2c_dealer_route_service(&who, &reason, d, "l2", 0, NULL, 0,
          "RU", 0, 0, 0, NULL, 5, 1, T0), B2B2C_ERANGE);
        X(b2b2c_dealer_route_service(&who, &reason, d, "", 1, NULL, 0,
          "RU", 0, 0, 0, NULL, 5, 1, T0), B2B2C_EBADID);
        assert_int_equal(b2b2c_dealer_route_service(&who, &reason, d, "l2",
                                                    1, NULL, 0, "RU", 0, 0,
                                                    0, NULL, 5, 1, T0),
                         B2B2C_ENODEALER);
        assert_true(who == CP);
        assert_int_equal(reason, B2B2C_DEALER_REASON_NO_SERVICE);
        reason = CI;
        X(b2b2c_dealer_certified(&since, d, "d1", 0, "", T0),
          B2B2C_ERANGE);
        X(b2b2c_dealer_certified(&since, d, "d1", 1, "", T0),
          B2B2C_ENOTFOUND);
        assert_true(since == (int64_t)CZ);
        store_fail(&e);
        X(b2b2c_dealer_route_service(&who, &reason, d, "l2", 1, NULL, 0,
          "RU", 0, 0, 0, NULL, 5, 1, T0), ST_CODE);
        X(b2b2c_dealer_certified(&since, d, "d1", 1, "", T0), ST_CODE);
        heal(&e);
        assert_true(since == (int64_t)CZ);
        }
    }

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
    reason = CI;

    /* b2b2c_ctx_erase (common.h), with the dealer engine open: *count_out
     * written on success only */
    X(b2b2c_ctx_erase(&reason, e.ctx, ""), B2B2C_EBADID);
    X(b2b2c_ctx_erase(&reason, e.ctx, "nobody"), B2B2C_ENOTFOUND);
    store_fail(&e);
    X(b2b2c_ctx_erase(&reason, e.ctx, "l4"), ST_CODE);
    heal(&e);
    FAULTS(b2b2c_ctx_erase(&reason, e.ctx, "l4"));
    /* b2b2c_dealer_offboard: *count_out written on success only */
    X(b2b2c_dealer_offboard(&cnt, d, "nobody", T0 + 6 * DAY, NULL, NULL),
      B2B2C_ENOTFOUND);
    X(b2b2c_dealer_offboard(&cnt, d, "d1", INT64_MAX, NULL, NULL),
      B2B2C_ERANGE);
    store_fail(&e);
    X(b2b2c_dealer_offboard(&cnt, d, "d1", T0 + 6 * DAY, NULL, NULL),
      ST_CODE);
    heal(&e);
    FAULTS(b2b2c_dealer_offboard(&cnt, d, "d1", T0 + 6 * DAY, NULL, NULL));
    /* b2b2c_dealer_prune: likewise */
    X(b2b2c_dealer_prune(&cnt, d, INT64_MAX, 5), B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_set_param(d, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            1), 0);
    store_fail(&e);
    X(b2b2c_dealer_prune(&cnt, d, T0 + 30 * DAY, 5), ST_CODE);
    heal(&e);
    FAULTS(b2b2c_dealer_prune(&cnt, d, T0 + 30 * DAY, 5));
    /* b2b2c_dealer_close_due: likewise (the trail pruned above, the won
     * leads close) */
    X(b2b2c_dealer_close_due(&cnt, d, INT64_MAX, 5), B2B2C_ERANGE);
    X(b2b2c_dealer_close_due(&cnt, d, T0 + 400 * DAY, 0), B2B2C_ERANGE);
    {
        const char *to = NULL;
        assert_int_equal(b2b2c_dealer_route(&to, NULL, d, "lc", "RU", 0, 0,
                                            0, NULL, 5, 1, T0 + 7 * DAY),
                         0);
        assert_non_null(to);
        assert_int_equal(b2b2c_dealer_accept(d, "lc", to,
                                             T0 + 7 * DAY + 60),
                         0);
    }
    assert_int_equal(b2b2c_dealer_outcome(d, "lc", 1, 5, T0 + 7 * DAY + 90),
                     0);
    {
        size_t np;
        while (b2b2c_dealer_prune(&np, d, T0 + 30 * DAY, 100) == 0 && np)
            ;
    }
    store_fail(&e);
    X(b2b2c_dealer_close_due(&cnt, d, T0 + 400 * DAY, 100), ST_CODE);
    heal(&e);
    FAULTS(b2b2c_dealer_close_due(&cnt, d, T0 + 400 * DAY, 100));

    b2b2c_dealer_free(d);
    FINISH(e);
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
    double dry[B2B2C_LEAD_DRY_NFIELDS], wt = CD, ht = CD;
    int32_t kind = CI, band = CI, stage = CI, stt = CI, passes = CI;
    size_t n = CZ;
    const char *ent[] = {"kind:guide_download", "kind:no_such"};
    const double ept[] = {33, 1}, enan[] = {NAN};
    env_open(&e);
    nbad = 0;
    nfired = 0;
    fill(dry, B2B2C_LEAD_DRY_NFIELDS);
#define CANARIES                                                              \
    (v == CD && pts == CD && cd == CD && ct == CD && hd == CD && sc == CD &&  \
     p == CD && n == CZ && kind == CI && band == CI && stage == CI &&          \
     stt == CI && passes == CI && wt == CD && ht == CD &&                      \
     intact(dry, B2B2C_LEAD_DRY_NFIELDS))
#define REFILL                                                                \
    (v = pts = cd = ct = hd = sc = p = wt = ht = CD, n = CZ,                  \
     kind = band = stage = stt = passes = CI,                                 \
     fill(dry, B2B2C_LEAD_DRY_NFIELDS))

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
    X(b2b2c_lead_close_due(&n, m, T0, 0), B2B2C_ERANGE);
    X(b2b2c_lead_close_due(&n, m, INT64_MAX, 10), B2B2C_ERANGE);
    X(b2b2c_lead_refit(&stt, &passes, m), B2B2C_ENOTREADY);
    X(b2b2c_lead_probability(&p, m, "l1", T0),
      B2B2C_ENOTREADY);
    X(b2b2c_lead_points_dry_run(dry, B2B2C_LEAD_DRY_NFIELDS, m, ent, ept, 2,
                                NAN, NAN, T0, 5, 1),
      B2B2C_ENOTFOUND);
    X(b2b2c_lead_points_dry_run(dry, B2B2C_LEAD_DRY_NFIELDS, m, ent, ept, 1,
                                NAN, NAN, T0, 1, 1),
      B2B2C_ERANGE);
    X(b2b2c_lead_points_apply(&wt, &ht, m, ent, ept, 2, NAN, NAN, T0),
      B2B2C_ENOTFOUND);
    X(b2b2c_lead_points_apply(&wt, &ht, m, ent, enan, 1, NAN, NAN, T0),
      B2B2C_EINVAL);
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
    X(b2b2c_lead_close_due(&n, m, T0 + 400 * DAY, 10), ST_CODE);
    X(b2b2c_lead_refit(&stt, &passes, m), ST_CODE);
    X(b2b2c_lead_probability(&p, m, "l1", T0 + DAY), ST_CODE);
    X(b2b2c_lead_points_dry_run(dry, B2B2C_LEAD_DRY_NFIELDS, m, ent, ept, 1,
                                NAN, NAN, T0 + DAY, 2, 1),
      ST_CODE);
    X(b2b2c_lead_points_apply(&wt, &ht, m, ent, ept, 1, NAN, NAN, T0 + DAY),
      ST_CODE);
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
    FAULTS_AFTER(PREP, b2b2c_lead_points_dry_run(dry, B2B2C_LEAD_DRY_NFIELDS,
                                                 m, ent, ept, 1, NAN, NAN,
                                                 T0 + DAY, 2, 1));
#undef PREP
    b2b2c_lead_model_free(m2);
    FAULTS(b2b2c_lead_model_get_param(&v, m, B2B2C_LEAD_MIN_OUTCOMES));
    FAULTS(b2b2c_lead_close_due(&n, m, T0 + 400 * DAY, 10));
    FAULTS(b2b2c_lead_add_kind(&kind, m, "webinar"));
    FAULTS(b2b2c_lead_kind_id(&kind, m, "webinar"));
    FAULTS(b2b2c_lead_kind_get(&pts, &cd, &ct, &hd, m, 1));
    FAULTS(b2b2c_lead_score(&sc, &band, m, "l1", T0 + DAY));
    FAULTS(b2b2c_lead_stage(&stage, m, "l1"));
    FAULTS(b2b2c_lead_count(&n, m));
    FAULTS(b2b2c_lead_refit(&stt, &passes, m));
    FAULTS(b2b2c_lead_probability(&p, m, "l1", T0 + DAY));
    FAULTS(b2b2c_lead_points_dry_run(dry, B2B2C_LEAD_DRY_NFIELDS, m, ent, ept,
                                     1, NAN, NAN, T0 + DAY, 2, 1));
    FAULTS(b2b2c_lead_points_apply(&wt, &ht, m, ent, ept, 1, NAN, NAN,
                                   T0 + DAY));

    assert_int_equal(b2b2c_lead_probability(&p, m, "l1", T0 + DAY), 0);
    assert_true(p != CD);
    b2b2c_lead_model_free(m);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

/* The lead model's refit over host sums (lead_sum.c): stateless, so F
 * covers the allocations. The host sums one batch with b2b2c_lead_loss on
 * its own context. */
typedef struct lsum_host {
    b2b2c_ctx *ctx;
    int fail;
} lsum_host;

enum { LS_NA = 1, LS_NK = 1, LS_DIM = 1 + 6 + LS_NA + 2 * LS_NK, LS_N = 4 };
static const uint32_t ls_label[LS_N] = {1, 0, 0, 1}, ls_nk[LS_N] = {1, 0, 1, 1};
static const uint32_t ls_attrs[3 * LS_N] = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
static const uint32_t ls_kind[3] = {0, 0, 0};
static const int32_t ls_seg[LS_N] = {5, 3, 5, 1};
static const double ls_cnt[3] = {2, 0.5, 4}, ls_val[3] = {1, 0, 3};

static int lsum_cb(double *loss, double *grad, double *hdiag,
                   const double *w, size_t dim, void *ud)
{
    lsum_host *h = ud;
    if (h->fail)
        return h->fail;
    return b2b2c_lead_loss(loss, grad, hdiag, dim, h->ctx, w, LS_NA, LS_NK,
                           ls_label, ls_seg, ls_attrs, ls_nk, ls_kind, ls_cnt,
                           ls_val, 3, LS_N);
}

static void test_lead_sum(void **state)
{
    (void)state;
    env e;
    double l = CD, g[LS_DIM], hd[LS_DIM], w[LS_DIM], wz[LS_DIM] = {0};
    int32_t stt = CI, passes = CI;
    uint32_t bad_label[LS_N] = {1, 0, 3, 1};
    lsum_host h = {NULL, 0};
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (l == CD && intact(g, LS_DIM) && intact(hd, LS_DIM) &&                    \
     intact(w, LS_DIM) && stt == CI && passes == CI)
#define REFILL                                                                \
    (l = CD, fill(g, LS_DIM), fill(hd, LS_DIM), fill(w, LS_DIM),              \
     stt = passes = CI)
    REFILL;
    assert_int_equal(b2b2c_ctx_new(&h.ctx, NULL, NULL), 0);
#define LOSS(dim, lab, nf)                                                    \
    b2b2c_lead_loss(&l, g, hd, dim, e.ctx, wz, LS_NA, LS_NK, lab, ls_seg,    \
                    ls_attrs, ls_nk, ls_kind, ls_cnt, ls_val, nf, LS_N)
#define FIT(nwon, l2)                                                         \
    b2b2c_lead_fit_sum(w, LS_DIM, &stt, &passes, e.ctx, LS_NA, LS_NK, LS_N,  \
                       nwon, l2, 100, lsum_cb, &h)
    X(LOSS(LS_DIM + 1, ls_label, 3), B2B2C_EINVAL);
    X(LOSS(LS_DIM, ls_label, 2), B2B2C_EINVAL);
    X(LOSS(LS_DIM, bad_label, 3), B2B2C_ERANGE);
    X(FIT(0, 0.001), B2B2C_ENODATA);
    X(FIT(2, -1), B2B2C_ERANGE);
    h.fail = -4242;
    X(FIT(2, 0.001), -4242);
    h.fail = 0;
    FAULTS(LOSS(LS_DIM, ls_label, 3));
    FAULTS(FIT(2, 0.001));
    assert_int_equal(LOSS(LS_DIM, ls_label, 3), 0);
    assert_int_equal(FIT(2, 0.001), 0);
    assert_true(l != CD && w[0] != CD && passes > 0);
#undef LOSS
#undef FIT
    b2b2c_ctx_free(h.ctx);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common), cmocka_unit_test(test_channels),
        cmocka_unit_test(test_channel_markov),
        cmocka_unit_test(test_dealer), cmocka_unit_test(test_lead),
        cmocka_unit_test(test_lead_sum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
