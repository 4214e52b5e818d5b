/* SPDX-License-Identifier: MIT */
/* A record that fails to decode names its table and its key, the key
 * printed escaped (conventions.md, Errors): each engine is opened on a
 * store holding a bad record under a binary key (0x00, 0xff, '\n'). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"
#include "core/internal.h"
#include "b2b2c.h"

static const char KEY[] = "a\0\xff\nz";
#define KEYLEN 5

typedef int (*open_fn)(b2b2c_ctx *ctx);

static int open_lead(b2b2c_ctx *ctx)
{
    b2b2c_lead_model *m = NULL;
    int rc = b2b2c_lead_model_new(&m, ctx);
    b2b2c_lead_model_free(m);
    return rc;
}
static int open_segment(b2b2c_ctx *ctx)
{
    b2b2c_segmenter *s = NULL;
    int rc = b2b2c_segmenter_new(&s, ctx);
    b2b2c_segmenter_free(s);
    return rc;
}
static int open_dealer(b2b2c_ctx *ctx)
{
    b2b2c_dealer_engine *e = NULL;
    int rc = b2b2c_dealer_new(&e, ctx);
    b2b2c_dealer_free(e);
    return rc;
}
static int open_forecast(b2b2c_ctx *ctx)
{
    b2b2c_forecaster *f = NULL;
    int rc = b2b2c_forecaster_new(&f, ctx);
    b2b2c_forecaster_free(f);
    return rc;
}
static int open_channels(b2b2c_ctx *ctx)
{
    b2b2c_channels *h = NULL;
    int rc = b2b2c_channels_new(&h, ctx);
    b2b2c_channels_free(h);
    return rc;
}

/* No byte below 0x20, none at or above 0x7f. */
static void assert_printable(const char *msg)
{
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            fail_msg("raw byte 0x%02x in \"%s\"", *p, msg);
}

static void check_table(const char *table, open_fn open)
{
    b2b2c_ctx *ctx;
    char want[128];
    const char *msg;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c__st_put(ctx, table, KEY, KEYLEN, "\x01junk", 5), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(open(ctx), B2B2C_ECORRUPT);
    msg = b2b2c_ctx_errmsg(ctx);
    snprintf(want, sizeof(want), "table '%s' key 'a\\x00\\xff\\x0az'", table);
    if (!strstr(msg, want))
        fail_msg("\"%s\" lacks \"%s\"", msg, want);
    assert_printable(msg);
    assert_non_null(strstr(msg, b2b2c_strerror(B2B2C_ECORRUPT)));
    b2b2c_ctx_free(ctx);
}

/* Two tables of each engine. */
static void t_engines(void **state)
{
    static const struct {
        const char *table;
        open_fn open;
    } cases[] = {
        {"lead_leads", open_lead},          {"lead_config", open_lead},
        {"segment_rules", open_segment},    {"segment_assign", open_segment},
        {"dealer_dealers", open_dealer},    {"dealer_state", open_dealer},
        {"forecast_kind", open_forecast},   {"forecast_config", open_forecast},
        {"channel_leads", open_channels},   {"channel_channels", open_channels},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_table(cases[i].table, cases[i].open);
}

/* A long key is cut with "..." and its length said; the message keeps
 * its end (the detail) within the context's buffer. */
static void t_long_key(void **state)
{
    b2b2c_ctx *ctx;
    char key[200];
    const char *msg;
    (void)state;
    memset(key, '\x01', sizeof(key));
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c__st_put(ctx, "channel_leads", key, sizeof(key),
                                   "\x01junk", 5),
                     0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(open_channels(ctx), B2B2C_ECORRUPT);
    msg = b2b2c_ctx_errmsg(ctx);
    assert_printable(msg);
    assert_non_null(strstr(msg, "key '\\x01\\x01"));
    assert_non_null(strstr(msg, "...' (200 bytes)"));
    assert_non_null(strstr(msg, b2b2c_strerror(B2B2C_ECORRUPT)));
    b2b2c_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_engines),
        cmocka_unit_test(t_long_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
