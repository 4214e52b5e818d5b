/* SPDX-License-Identifier: MIT */
/*
 * Channel analytics with two contexts on one store (issue 13): touches,
 * conversions and spend recorded from both contexts are all counted, as if
 * one context had made every call; channels and parameters set in one are
 * used by the other; a third context opened at the end agrees. The digest
 * is built through the public API only (listings, getters and reports).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "channel/channel_int.h"
#include "sync_util.h"

#define NLEADS 24
#define DAY 86400

typedef struct two {
    sync_pair p;
    b2b2c_ctx *cr;
    b2b2c_channels *a, *b;
    b2b2c_channels *ref; /* one context alone doing every call */
} two;

static int setup(void **state)
{
    two *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    sync_pair_open(&t->p);
    assert_int_equal(b2b2c_ctx_new(&t->cr, NULL, NULL), 0);
    assert_int_equal(b2b2c_channels_new(&t->a, t->p.ca), 0);
    assert_int_equal(b2b2c_channels_new(&t->b, t->p.cb), 0);
    assert_int_equal(b2b2c_channels_new(&t->ref, t->cr), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    two *t = *state;
    b2b2c_channels_free(t->a);
    b2b2c_channels_free(t->b);
    b2b2c_channels_free(t->ref);
    b2b2c_ctx_free(t->cr);
    sync_pair_close(&t->p);
    free(t);
    return 0;
}

/* ---- the digest: everything a host can read ------------------------------ */

/* Reports sum in the order leads were first seen, which differs between
 * contexts: compare them to 9 significant digits. */
static uint64_t fnv_num(uint64_t h, double x)
{
    return isnan(x) ? sync_fnv_str(h, "nan") : sync_fnv_str(h, "%.9g", x);
}

static int list_row(const char *id, int32_t kind, int32_t sub, int32_t group,
                    void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "C %s %d %d %d", id, (int)kind, (int)sub, (int)group);
    return 0;
}

static int metric_row(const char *key, const double *m, size_t n, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "M %s %zu", key, n);
    for (size_t i = 0; i < n; i++)
        *h = fnv_num(*h, m[i]);
    return 0;
}

static int attr_row(const char *id, double conv, double rev, double ltv,
                    void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "A %s", id);
    *h = fnv_num(fnv_num(fnv_num(*h, conv), rev), ltv);
    return 0;
}

static int share_row(const char *id, int64_t t, double share, void *u)
{
    uint64_t *h = u;
    *h = fnv_num(sync_fnv_str(*h, "S %s %lld", id, (long long)t), share);
    return 0;
}

static int markov_row(const char *id, double re, double share, void *u)
{
    uint64_t *h = u;
    *h = fnv_num(fnv_num(sync_fnv_str(*h, "K %s", id), re), share);
    return 0;
}

static uint64_t digest(b2b2c_channels *c)
{
    uint64_t h = SYNC_FNV_SEED;
    size_t n;
    double p;

    for (int32_t k = B2B2C_CHANNELS_LOOKBACK_DAYS;
         k <= B2B2C_CHANNELS_MIX_WINDOW_WEEKS; k++) {
        assert_int_equal(b2b2c_channels_get_param(&p, c, k), 0);
        h = fnv_num(h, p);
    }
    assert_int_equal(b2b2c_channels_count(&n, c), 0);
    h = sync_fnv_str(h, "N %zu", n);
    assert_int_equal(b2b2c_channels_list(c, -1, list_row, &h), 0);
    for (int32_t by = 1; by <= 4; by++)
        for (int32_t m = 1; m <= 6; m++)
            assert_int_equal(b2b2c_channels_metrics(c, by, m, 0, 400 * DAY,
                                                    metric_row, &h), 0);
    assert_int_equal(b2b2c_channels_attribute(c, 3, 0, 400 * DAY, attr_row,
                                              &h), 0);
    assert_int_equal(b2b2c_channels_markov_effects(&p, c, 0, 400 * DAY,
                                                   markov_row, &h), 0);
    h = fnv_num(h, p);
    assert_int_equal(b2b2c_channels_mix_shares(c, 5, 0, 400 * DAY,
                                               metric_row, &h), 0);
    for (int i = 0; i < NLEADS; i++) {
        char id[16];
        snprintf(id, sizeof(id), "L%d", i);
        h = sync_fnv_str(h, "L %d", b2b2c_channels_attribute_lead(
                                   c, id, 4, 0, 400 * DAY, share_row, &h));
    }
    return h;
}

static uint64_t fresh_digest(two *t)
{
    b2b2c_ctx *c;
    b2b2c_channels *h;
    uint64_t d;
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &t->p.st), 0);
    assert_int_equal(b2b2c_channels_new(&h, c), 0);
    d = digest(h);
    b2b2c_channels_free(h);
    b2b2c_ctx_free(c);
    return d;
}

/* A, B, a fresh context and (when the reference made every call) the
 * reference give the same answers. */
static void all_agree(two *t, int with_ref)
{
    uint64_t ha = digest(t->a), hb = digest(t->b);
    assert_true(ha == hb);
    assert_true(ha == fresh_digest(t));
    if (with_ref)
        assert_true(ha == digest(t->ref));
}

/* Calls that succeeded (the random run checks it made enough). */
static int n_ok;

/* Run one call on `on` and on the reference, expecting the same code. */
#define BOTH(t, on, call_on)                                                 \
    do {                                                                     \
        b2b2c_channels *h_ = (on);                                           \
        int r1_ = (call_on);                                                 \
        h_ = (t)->ref;                                                       \
        assert_int_equal(r1_, (call_on));                                    \
        n_ok += r1_ == 0;                                                    \
    } while (0)

/* The lead-generation channel "search" added on h. */
static void add_search(b2b2c_channels *h)
{
    assert_int_equal(b2b2c_channels_add(h, "search",
                                        B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_SEARCH_ADS,
                                        B2B2C_GROUP_B2B), 0);
}

/* ---- (a) touches and spend from both contexts ---------------------------- */

static int first_metric(const char *key, const double *m, size_t n, void *u)
{
    double *out = u;
    (void)n;
    if (strcmp(key, "search") == 0) {
        out[0] = m[B2B2C_CHM_LEADS];
        out[1] = m[B2B2C_CHM_CPL];
        out[2] = m[B2B2C_CHM_ROI];
        out[3] = m[B2B2C_CHM_SPEND];
    }
    return 0;
}

static void t_counts(void **state)
{
    two *t = *state;
    double m[4];

    BOTH(t, t->a, b2b2c_channels_add(h_, "search",
                                     B2B2C_CHANNEL_KIND_LEADGEN,
                                     B2B2C_CHANNEL_SUB_SEARCH_ADS,
                                     B2B2C_GROUP_B2B));
    BOTH(t, t->b, b2b2c_channels_add(h_, "display", B2B2C_CHANNEL_KIND_REACH,
                                     B2B2C_CHANNEL_SUB_DISPLAY_MEDIA,
                                     B2B2C_GROUP_B2C));
    /* the same lead and channel touched from both contexts */
    BOTH(t, t->a, b2b2c_channels_touch(h_, "L1", "search", 10 * DAY));
    BOTH(t, t->b, b2b2c_channels_touch(h_, "L1", "search", 11 * DAY));
    BOTH(t, t->b, b2b2c_channels_touch(h_, "L1", "display", 9 * DAY));
    BOTH(t, t->a, b2b2c_channels_touch(h_, "L2", "search", 12 * DAY));
    BOTH(t, t->b, b2b2c_channels_touch(h_, "L2", "display", 12 * DAY));
    /* spend on the same channel, days set from both */
    BOTH(t, t->a, b2b2c_channels_set_spend(h_, "search", 10 * DAY, 100, 0));
    BOTH(t, t->b, b2b2c_channels_set_spend(h_, "search", 11 * DAY, 50, 0));
    BOTH(t, t->a, b2b2c_channels_set_spend(h_, "display", 11 * DAY, 70,
                                           1000));
    BOTH(t, t->b, b2b2c_channels_set_spend(h_, "search", 10 * DAY, 120, 0));
    /* B sees A's touches right after A committed */
    memset(m, 0, sizeof(m));
    assert_int_equal(b2b2c_channels_metrics(t->b, B2B2C_CHANNELS_BY_CHANNEL,
                                            B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                            0, 400 * DAY, first_metric, m),
                     0);
    assert_true(m[0] == 2);     /* both leads */
    assert_true(m[3] == 170);   /* 120 (B's update of A's day) + 50 */
    assert_true(m[1] == 85);    /* CPL */
    /* conversions: A converts L1, B cannot convert it again */
    BOTH(t, t->a, b2b2c_channels_convert(h_, "L1", 20 * DAY, 340));
    BOTH(t, t->b, b2b2c_channels_convert(h_, "L1", 21 * DAY, 1));
    BOTH(t, t->b, b2b2c_channels_touch(h_, "L1", "search", 25 * DAY));
    BOTH(t, t->b, b2b2c_channels_set_ltv(h_, "L1", 900));
    BOTH(t, t->a, b2b2c_channels_convert(h_, "L2", 30 * DAY, 17));
    memset(m, 0, sizeof(m));
    assert_int_equal(b2b2c_channels_metrics(t->a, B2B2C_CHANNELS_BY_CHANNEL,
                                            B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                            0, 400 * DAY, first_metric, m),
                     0);
    assert_true(m[0] == 2);
    assert_false(isnan(m[2]));
    all_agree(t, 1);
}

/* ---- (b) a channel added in A is usable in B ------------------------------ */

static void t_channel_added(void **state)
{
    two *t = *state;
    int32_t kind;
    size_t n;

    assert_int_equal(b2b2c_channels_add(t->a, "fair",
                                        B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_OTHER,
                                        B2B2C_GROUP_DEALER), 0);
    assert_int_equal(b2b2c_channels_get(&kind, NULL, NULL, t->b, "fair"), 0);
    assert_int_equal(kind, B2B2C_CHANNEL_KIND_LEADGEN);
    assert_int_equal(b2b2c_channels_touch(t->b, "L1", "fair", 100), 0);
    assert_int_equal(b2b2c_channels_set_spend(t->b, "fair", 100, 5, 0), 0);
    /* B cannot add it again; a channel B adds gets the next index */
    assert_int_equal(b2b2c_channels_add(t->b, "fair",
                                        B2B2C_CHANNEL_KIND_REACH,
                                        B2B2C_CHANNEL_SUB_OTHER,
                                        B2B2C_GROUP_DEALER), B2B2C_EEXISTS);
    assert_int_equal(b2b2c_channels_add(t->b, "mail",
                                        B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_OUTREACH,
                                        B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_channels_touch(t->a, "L1", "mail", 200), 0);
    assert_int_equal(b2b2c_channels_count(&n, t->a), 0);
    assert_int_equal(n, 2);
    all_agree(t, 0);
}

/* ---- (c) parameters changed in A are used by B ---------------------------- */

static void t_params(void **state)
{
    two *t = *state;
    double p;

    add_search(t->a);
    assert_int_equal(b2b2c_channels_touch(t->a, "L1", "search", 0), 0);
    assert_int_equal(b2b2c_channels_convert(t->a, "L1", 10 * DAY, 5), 0);
    assert_int_equal(b2b2c_channels_set_param(
                         t->a, B2B2C_CHANNELS_LOOKBACK_DAYS, 2), 0);
    assert_int_equal(b2b2c_channels_get_param(
                         &p, t->b, B2B2C_CHANNELS_LOOKBACK_DAYS), 0);
    assert_true(p == 2);
    /* the touch is outside B's lookback now: the conversion is direct */
    {
        uint64_t h0 = 0, h1 = 0;
        assert_int_equal(b2b2c_channels_attribute_lead(t->b, "L1", 3, 0,
                                                       400 * DAY, share_row,
                                                       &h0), 0);
        assert_int_equal(b2b2c_channels_attribute_lead(t->a, "L1", 3, 0,
                                                       400 * DAY, share_row,
                                                       &h1), 0);
        assert_true(h0 == h1);
        h1 = 0;
        share_row("", 10 * DAY, 1.0, &h1);
        assert_true(h0 == h1);
    }
    /* the position weights are checked together on the latest state */
    assert_int_equal(b2b2c_channels_set_param(
                         t->b, B2B2C_CHANNELS_POSITION_FIRST, 0.55), 0);
    assert_int_equal(b2b2c_channels_set_param(
                         t->a, B2B2C_CHANNELS_POSITION_LAST, 0.5),
                     B2B2C_ERANGE);
    all_agree(t, 0);
}

/* ---- a deletion this library never makes --------------------------------- */

/* Commit, from context c, the deletion of table/key (written to the change
 * log as any write of a call is). */
static void raw_delete(b2b2c_ctx *c, const char *table, const char *key)
{
    int rc;
    assert_int_equal(b2b2c__call_begin(c), 0);
    rc = b2b2c__st_del(c, table, key, strlen(key));
    assert_int_equal(b2b2c__call_end(c, rc), 0);
}

static void deleted_row(two *t, const char *table, const char *key)
{
    uint64_t before;
    b2b2c_ctx *c;
    size_t n;

    add_search(t->a);
    assert_int_equal(b2b2c_channels_touch(t->a, "L1", "search", 0), 0);
    assert_int_equal(b2b2c_channels_count(&n, t->b), 0);
    before = b2b2c__channels_digest(t->b);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &t->p.st), 0);
    raw_delete(c, table, key);
    b2b2c_ctx_free(c);
    /* B's read names the table and key, and B's memory is unchanged */
    assert_int_equal(b2b2c_channels_count(&n, t->b), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(t->p.cb), table));
    assert_non_null(strstr(b2b2c_ctx_errmsg(t->p.cb), key));
    assert_true(b2b2c__channels_digest(t->b) == before);
}
static void t_deleted_lead(void **state)
{
    deleted_row(*state, CH_T_LEADS, "L1");
}
static void t_deleted_channel(void **state)
{
    deleted_row(*state, CH_T_CHANNELS, "search");
}

/* ---- random mixed calls from both contexts -------------------------------- */

static void t_random(void **state)
{
    two *t = *state;
    uint64_t seed = 7;
    static const int32_t subs[6] = {
        B2B2C_CHANNEL_SUB_DISPLAY_MEDIA, B2B2C_CHANNEL_SUB_SEARCH_ADS,
        B2B2C_CHANNEL_SUB_RETAIL_MEDIA,  B2B2C_CHANNEL_SUB_MARKETPLACE,
        B2B2C_CHANNEL_SUB_VIRAL_CONTENT, B2B2C_CHANNEL_SUB_OUTREACH};

    n_ok = 0;
    for (int i = 0; i < 400; i++) {
        b2b2c_channels *on = (i & 1) ? t->b : t->a;
        uint32_t op = sync_rnd(&seed) % 10;
        char ch[8], lead[8];
        int64_t when = (int64_t)(sync_rnd(&seed) % 300) * DAY +
                       (int64_t)(sync_rnd(&seed) % DAY);
        snprintf(ch, sizeof(ch), "c%u", sync_rnd(&seed) % 6);
        /* drawn once: BOTH evaluates its call twice */
        double v1 = (double)(sync_rnd(&seed) % 1000);
        double v2 = (double)(sync_rnd(&seed) % 10000);
        int32_t pk = B2B2C_CHANNELS_LOOKBACK_DAYS + (int32_t)(sync_rnd(&seed) % 2);
        double pv = (double)(5 + sync_rnd(&seed) % 60);
        snprintf(lead, sizeof(lead), "L%u", sync_rnd(&seed) % NLEADS);
        switch (op) {
        case 0: {
            int32_t sub = subs[ch[1] - '0'];
            BOTH(t, on, b2b2c_channels_add(
                            h_, ch, b2b2c_channel_sub_kind(sub), sub,
                            (int32_t)(ch[1] - '0') % 4));
            break;
        }
        case 1:
        case 2:
            BOTH(t, on, b2b2c_channels_set_spend(
                            h_, ch, when, v1, v2));
            break;
        case 3:
        case 4:
        case 5:
        case 6:
            BOTH(t, on, b2b2c_channels_touch(h_, lead, ch, when));
            break;
        case 7:
            BOTH(t, on, b2b2c_channels_convert(h_, lead, when, v1));
            break;
        case 8:
            BOTH(t, on, b2b2c_channels_set_ltv(h_, lead, v2));
            break;
        default:
            BOTH(t, on, b2b2c_channels_set_param(h_, pk, pv));
            break;
        }
    }
    assert_true(n_ok >= 200);
    all_agree(t, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(t_channel_added, setup, teardown),
        cmocka_unit_test_setup_teardown(t_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_deleted_lead, setup, teardown),
        cmocka_unit_test_setup_teardown(t_deleted_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(t_random, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
