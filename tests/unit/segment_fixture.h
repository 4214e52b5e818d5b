/* SPDX-License-Identifier: MIT */
/* The segment classifier tests' fixture (test_segment*.c): a context, a
 * segmenter and an attribute set per test, and the classification
 * helpers. Include after cmocka.h. */
#ifndef B2B2C_TEST_SEGMENT_FIXTURE_H
#define B2B2C_TEST_SEGMENT_FIXTURE_H

#include <stdlib.h>

#include "b2b2c.h"

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_segmenter *s;
    b2b2c_segment_attrs *a;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_int_equal(b2b2c_ctx_new(&f->ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_segmenter_new(&f->s, f->ctx), 0);
    assert_int_equal(b2b2c_segment_attrs_new(&f->a, f->ctx), 0);
    *state = f;
    return 0;
}
static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_segment_attrs_free(f->a);
    b2b2c_segmenter_free(f->s);
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

#define A(attr, val)                                                           \
    assert_int_equal(b2b2c_segment_attrs_set_double(f->a, attr, val), 0)

static int32_t cls(fx *f, double *conf)
{
    int32_t seg = -1;
    double c = -1;
    assert_int_equal(b2b2c_segmenter_classify(&seg, &c, f->s, f->a), 0);
    assert_true(c >= 0 && c <= 1);
    if (conf)
        *conf = c;
    return seg;
}

/* An organisation with every numeric attribute present and small. */
static void small_org(fx *f, int kind)
{
    b2b2c_segment_attrs_reset(f->a);
    A(B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_ORGANISATION);
    A(B2B2C_SEG_ATTR_ORG_KIND, kind);
    A(B2B2C_SEG_ATTR_RESELLER, 0);
    A(B2B2C_SEG_ATTR_EMPLOYEES, 5);
    A(B2B2C_SEG_ATTR_ANNUAL_REVENUE, 100000);
    A(B2B2C_SEG_ATTR_PURCHASE_VOLUME, 1000);
    A(B2B2C_SEG_ATTR_ORDERS_PER_YEAR, 12);
    A(B2B2C_SEG_ATTR_OUTLETS, 1);
    A(B2B2C_SEG_ATTR_CONTRACT_MONTHS, 6);
}

#endif
