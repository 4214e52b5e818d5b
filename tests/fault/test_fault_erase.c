/* SPDX-License-Identifier: MIT */
/* Fault injection over b2b2c_ctx_erase with every engine open on the
 * context (issue 20): every allocation and every storage call fails in
 * turn; every engine, the storage and memory must be exactly as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "channel/channel_int.h"
#include "dealer/dealer_internal.h"
#include "forecast/fc_rows.h"
#include "segment/segment_internal.h"

#define T0 INT64_C(1767225600)
#define DAY INT64_C(86400)
#define ZID "Z-erase"

typedef struct all {
    b2b2c_lead_model *m;
    b2b2c_forecaster *f;
    b2b2c_segmenter *s;
    b2b2c_channels *h;
    b2b2c_dealer_engine *d;
} all;

static int write_id(all *a, const char *id)
{
    const char *d;
    int rc;
    if ((rc = b2b2c_lead_add(a->m, id, T0, B2B2C_SEGMENT_B2C_CONSUMER, "web",
                             "north", "pumps")) ||
        (rc = b2b2c_lead_event(a->m, id, B2B2C_LEAD_EV_SITE_VISIT, T0 + DAY,
                               1)) ||
        (rc = b2b2c_forecaster_add_purchase(a->f, id,
                                            B2B2C_SEGMENT_B2C_CONSUMER, T0,
                                            50.0,
                                            B2B2C_FORECAST_KIND_PRODUCT)) ||
        (rc = b2b2c_segmenter_assign_segment(a->s, id,
                                             B2B2C_SEGMENT_B2C_CONSUMER,
                                             T0)) ||
        (rc = b2b2c_channels_touch(a->h, id, "mail", T0)) ||
        (rc = b2b2c_dealer_route(&d, NULL, a->d, id, "RU", 0, 0, 0, "", 5, 1,
                                 T0)) ||
        (rc = b2b2c_dealer_accept(a->d, id, d, T0 + 60)))
        return rc;
    return b2b2c_dealer_register(a->d, d, id, strlen(id), "", 10.0,
                                 T0 + 30 * DAY, T0 + 120);
}

static int setup(th_env *env, void **state)
{
    all *a = calloc(1, sizeof(*a));
    int rc;
    *state = a;
    if (!a)
        return B2B2C_ENOMEM;
    if ((rc = b2b2c_lead_model_new(&a->m, env->ctx)) ||
        (rc = b2b2c_forecaster_new(&a->f, env->ctx)) ||
        (rc = b2b2c_segmenter_new(&a->s, env->ctx)) ||
        (rc = b2b2c_channels_new(&a->h, env->ctx)) ||
        (rc = b2b2c_dealer_new(&a->d, env->ctx)) ||
        (rc = b2b2c_channels_add(a->h, "mail", B2B2C_CHANNEL_KIND_REACH, 0,
                                 0)) ||
        (rc = b2b2c_dealer_put(a->d, "a", 1, "RU", "", 50, 0, 24)) ||
        (rc = b2b2c_dealer_put(a->d, "b", 1, "RU", "", 50, 0, 24)) ||
        (rc = write_id(a, "keep")))
        return rc;
    return write_id(a, ZID);
}

static void teardown(th_env *env, void *state)
{
    all *a = state;
    (void)env;
    b2b2c_lead_model_free(a->m);
    b2b2c_forecaster_free(a->f);
    b2b2c_segmenter_free(a->s);
    b2b2c_channels_free(a->h);
    b2b2c_dealer_free(a->d);
    free(a);
}

static uint64_t dig(th_env *env, void *state)
{
    all *a = state;
    size_t n = 0;
    int32_t st = -1;
    uint64_t d;
    (void)env;
    /* the lead model through its public reads (no read fails here: the
     * context is alone on the store) */
    assert_int_equal(b2b2c_lead_count(&n, a->m), 0);
    (void)b2b2c_lead_stage(&st, a->m, ZID);
    d = b2b2c__dealer_digest(a->d);
    d = d * 31 + b2b2c__channels_digest(a->h);
    d = d * 31 + b2b2c__forecaster_digest(a->f);
    d = d * 31 + b2b2c__seg_digest(a->s);
    return d * 31 + n * 7 + (uint64_t)(st + 1);
}

static int op_erase(th_env *env, void *state)
{
    int32_t n = 0;
    int rc = b2b2c_ctx_erase(&n, env->ctx, ZID);
    (void)state;
    return rc == 0 && n != 5 ? -9999 : rc;
}

static void t_ctx_erase(void **u)
{
    th_fault_ops ops = {"ctx erase", setup, op_erase, dig, teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_ctx_erase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
