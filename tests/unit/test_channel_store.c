/* SPDX-License-Identifier: MIT */
/* Channel analytics: persistence (a reopen gives the same state and
 * answers, corrupt records and index are B2B2C_ECORRUPT) and callbacks
 * (re-entrancy, a non-zero return stops). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "channel/channel_int.h"
#include "channel_fixture.h"

/* ---- persistence ---- */

static int attr_sum(const char *id, double c, double r, double l, void *p)
{
    double *s = p;
    (void)id;
    s[0] += c;
    s[1] += r * 3 + l;
    return 0;
}

static void t_reopen(void **state)
{
    fx *f = *state;
    b2b2c_channels *h2;
    double a[2] = {0, 0}, b[2] = {0, 0};
    hand_data(f);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "A", T0, 10, 5), 0);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "A", T0 - 3 * D, 20, 5), 0);
    assert_int_equal(b2b2c_channels_set_ltv(f->h, "L3", 900), 0);
    assert_int_equal(b2b2c_channels_set_ltv(f->h, "nobody", 1), 0);
    assert_int_equal(b2b2c_channels_new(&h2, f->ctx), 0);
    assert_true(b2b2c__channels_digest(h2) == b2b2c__channels_digest(f->h));
    assert_int_equal(b2b2c_channels_attribute(f->h,
                                              B2B2C_CHANNEL_ATTRIBUTION_MARKOV,
                                              0, INT64_MAX, attr_sum, a),
                     0);
    assert_int_equal(b2b2c_channels_attribute(h2,
                                              B2B2C_CHANNEL_ATTRIBUTION_MARKOV,
                                              0, INT64_MAX, attr_sum, b),
                     0);
    NEAR(a[0], b[0]);
    NEAR(a[1], b[1]);
    /* the reopened handle keeps validating against restored state */
    assert_int_equal(b2b2c_channels_touch(h2, "L1", "A", T0 + 4 * D),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_channels_add(h2, "D", 1, 0, 0), 0);
    b2b2c_channels_free(h2);
}

static void t_corrupt(void **state)
{
    fx *f = *state;
    b2b2c_channels *h2 = NULL;
    b2b2c_ctx *ctx;
    b2b2c_memstore *ms;
    b2b2c_storage st;
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    b2b2c_memstore_methods(ms, &st);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(st.begin(st.userdata), 0);
    assert_int_equal(st.put(st.userdata, CH_T_LEADS, "L9", 2, "\x01zz", 3), 0);
    assert_int_equal(st.commit(st.userdata), 0);
    assert_int_equal(b2b2c_channels_new(&h2, ctx), B2B2C_ECORRUPT);
    assert_null(h2);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "channel_leads"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "L9"));
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
    (void)f;
}

/* A channel record with a well-formed checksum but an index far beyond the
 * number of channels (found by the loader fuzzer: it made the open try to
 * allocate 8 GiB) or an index used twice is ECORRUPT. */
static void put_chan(b2b2c_storage *st, const char *id, uint32_t idx)
{
    b2b2c__alloc a;
    b2b2c__wbuf w;
    b2b2c__alloc_init(&a, NULL);
    b2b2c__enc_begin(&w, &a, 1);
    b2b2c__enc_u32(&w, idx);
    b2b2c__enc_u8(&w, B2B2C_CHANNEL_KIND_REACH);
    b2b2c__enc_u8(&w, 0);
    b2b2c__enc_u8(&w, B2B2C_GROUP_B2C);
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    assert_int_equal(st->put(st->userdata, CH_T_CHANNELS, id, strlen(id),
                             w.buf, w.len), 0);
    b2b2c__enc_fini(&w);
}

static void t_corrupt_index(void **state)
{
    static const uint32_t bad[][2] = {{0, 1u << 30}, {0, 0}, {1, 2}};
    (void)state;
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        b2b2c_channels *h2 = NULL;
        b2b2c_ctx *ctx;
        b2b2c_memstore *ms;
        b2b2c_storage st;
        assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
        b2b2c_memstore_methods(ms, &st);
        put_chan(&st, "a", bad[k][0]);
        put_chan(&st, "b", bad[k][1]);
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
        assert_int_equal(b2b2c_channels_new(&h2, ctx), B2B2C_ECORRUPT);
        assert_null(h2);
        assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "channel index"));
        b2b2c_ctx_free(ctx);
        b2b2c_memstore_free(ms);
    }
    /* the same records with indexes 1 and 0 (out of key order) load */
    {
        b2b2c_channels *h2 = NULL;
        b2b2c_ctx *ctx;
        b2b2c_memstore *ms;
        b2b2c_storage st;
        int32_t kind;
        size_t n;
        assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
        b2b2c_memstore_methods(ms, &st);
        put_chan(&st, "a", 1);
        put_chan(&st, "b", 0);
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
        assert_int_equal(b2b2c_channels_new(&h2, ctx), 0);
        assert_int_equal(b2b2c_channels_count(&n, h2), 0);
        assert_int_equal(n, 2);
        assert_int_equal(b2b2c_channels_get(&kind, NULL, NULL, h2, "a"), 0);
        assert_int_equal(kind, B2B2C_CHANNEL_KIND_REACH);
        b2b2c_channels_free(h2);
        b2b2c_ctx_free(ctx);
        b2b2c_memstore_free(ms);
    }
}

/* ---- callbacks ---- */

typedef struct reent {
    b2b2c_channels *h;
    int rc;
} reent;

static int reenter(const char *id, double c, double r, double l, void *p)
{
    reent *e = p;
    (void)id; (void)c; (void)r; (void)l;
    e->rc = b2b2c_channels_add(e->h, "inner", 1, 0, 0);
    return 0;
}

static int stop(const char *id, double c, double r, double l, void *p)
{
    (void)id; (void)c; (void)r; (void)l; (void)p;
    return -777;
}

static void t_callbacks(void **state)
{
    fx *f = *state;
    reent e = {f->h, 0};
    size_t n;
    hand_data(f);
    assert_int_equal(b2b2c_channels_attribute(f->h, 1, 0, INT64_MAX, reenter,
                                              &e), 0);
    assert_int_equal(e.rc, B2B2C_ESTATE);
    assert_int_equal(b2b2c_channels_count(&n, f->h), 0);
    assert_int_equal(n, 3);
    assert_int_equal(b2b2c_channels_attribute(f->h, 1, 0, INT64_MAX, stop,
                                              NULL), -777);
    /* usable afterwards */
    assert_int_equal(b2b2c_channels_add(f->h, "after", 1, 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(t_corrupt, setup, teardown),
        cmocka_unit_test(t_corrupt_index),
        cmocka_unit_test_setup_teardown(t_callbacks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
