/* SPDX-License-Identifier: MIT */
/* The segment classifier: attributes, default rules (every rule, boundary
 * and organisation kind), confidence and missing attributes, versions,
 * assignments and migrations, persistence, routing, batch (host rules and
 * the expression language: test_segment_rules.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "segment/segment_internal.h"
#include "b2b2c/lead.h"

#include "segment_fixture.h"

/* ---- names ---- */

static void t_names(void **state)
{
    (void)state;
    for (int32_t a = 1; a <= B2B2C_SEG_ATTR_COUNT; a++)
        assert_int_equal(b2b2c_seg_attr_from_name(b2b2c_seg_attr_name(a)), a);
    assert_null(b2b2c_seg_attr_name(0));
    assert_null(b2b2c_seg_attr_name(10));
    for (int32_t k = 1; k <= 12; k++)
        assert_int_equal(b2b2c_seg_org_kind_from_name(b2b2c_seg_org_kind_name(k)), k);
    assert_string_equal(b2b2c_seg_org_kind_name(B2B2C_SEG_ORG_PUBLIC_SECTOR),
                        "public_sector");
    assert_int_equal(b2b2c_seg_party_type_from_name("person"), 1);
    assert_int_equal(b2b2c_seg_party_type_from_name("organisation"), 2);
    assert_int_equal(b2b2c_seg_dest_from_name("partner_onboarding"), 3);
    assert_string_equal(b2b2c_seg_dest_name(B2B2C_SEG_DEST_NURTURE),
                        "nurture");
    assert_string_equal(b2b2c_seg_channel_name(2), "lead_generation");
    assert_int_equal(b2b2c_seg_channel_from_name("reach"), 1);
    assert_int_equal(b2b2c_seg_org_kind_from_name("nope"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_seg_org_kind_from_name(NULL), B2B2C_EINVAL);
    assert_null(b2b2c_seg_org_kind_name(13));
}

/* ---- attribute sets ---- */

/* Errors of an attribute set go to the context it was made on, like every
 * handle's: each call clears the last message, each failure (on a non-NULL
 * set) leaves one naming the argument. */
static void t_attrs_errors_on_ctx(void **state)
{
    fx *f = *state;
    double v;
    b2b2c_segment_attrs *bad = NULL;

    /* a failure, then a successful call: the context reports no failure */
    assert_int_equal(b2b2c_segment_attrs_set_int(f->a, 0, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_ctx_errcode(f->ctx), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_clear(f->a, B2B2C_SEG_ATTR_OUTLETS),
                     0);
    assert_int_equal(b2b2c_ctx_errcode(f->ctx), 0);
    assert_int_equal(b2b2c_segment_attrs_set_int(f->a, 0, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_reset(f->a), 0);
    assert_int_equal(b2b2c_ctx_errcode(f->ctx), 0);
    assert_int_equal(b2b2c_segment_attrs_set_int(f->a, 0, 1), B2B2C_EINVAL);
    assert_int_equal(
        b2b2c_segment_attrs_set_int(f->a, B2B2C_SEG_ATTR_OUTLETS, 3), 0);
    assert_int_equal(b2b2c_segment_attrs_get(&v, f->a, B2B2C_SEG_ATTR_OUTLETS),
                     0);
    assert_int_equal(b2b2c_ctx_errcode(f->ctx), 0);
    /* a NULL out-parameter is named */
    assert_int_equal(
        b2b2c_segment_attrs_get(NULL, f->a, B2B2C_SEG_ATTR_OUTLETS),
        B2B2C_EINVAL);
    assert_string_equal(b2b2c_ctx_errmsg(f->ctx), "value: NULL");
    /* unknown or missing attributes name the argument */
    assert_int_equal(b2b2c_segment_attrs_get(&v, f->a, 42), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "attr: "));
    assert_int_equal(b2b2c_segment_attrs_clear(f->a, -1), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "attr: "));
    /* new: out is NULL on failure, the message names the argument */
    assert_int_equal(b2b2c_segment_attrs_new(NULL, f->ctx), B2B2C_EINVAL);
    assert_string_equal(b2b2c_ctx_errmsg(f->ctx), "out: NULL");
    bad = (b2b2c_segment_attrs *)&v;
    assert_int_equal(b2b2c_segment_attrs_new(&bad, NULL), B2B2C_EINVAL);
    assert_null(bad);
    /* a NULL set cannot reach a context: the code alone */
    assert_int_equal(b2b2c_segment_attrs_reset(NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_clear(NULL, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_get(&v, NULL, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_present(NULL), 0u);
}

static void t_attrs(void **state)
{
    fx *f = *state;
    double v;
    assert_int_equal(b2b2c_segment_attrs_new(NULL, f->ctx), B2B2C_EINVAL);
    assert_int_equal(
        b2b2c_segment_attrs_get(&v, f->a, B2B2C_SEG_ATTR_EMPLOYEES),
        B2B2C_ENOTFOUND);
    assert_int_equal(
        b2b2c_segment_attrs_set_int(f->a, B2B2C_SEG_ATTR_EMPLOYEES, 12), 0);
    assert_int_equal(
        b2b2c_segment_attrs_get(&v, f->a, B2B2C_SEG_ATTR_EMPLOYEES), 0);
    assert_true(v == 12);
    assert_int_equal(b2b2c_segment_attrs_present(f->a), SEG_BIT(4));
    /* bad input: specific codes, set unchanged */
    assert_int_equal(
        b2b2c_segment_attrs_set_double(f->a, B2B2C_SEG_ATTR_EMPLOYEES, NAN),
        B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "employees"));
    assert_int_equal(b2b2c_segment_attrs_set_double(
                         f->a, B2B2C_SEG_ATTR_EMPLOYEES, INFINITY),
                     B2B2C_EINVAL);
    {
        /* integer attributes out of range or not a B2B2C_* value */
        static const struct {
            int32_t attr;
            int64_t value;
            int code;
        } bad[] = {
            {B2B2C_SEG_ATTR_EMPLOYEES, -1, B2B2C_ERANGE},
            {B2B2C_SEG_ATTR_OUTLETS, -3, B2B2C_ERANGE},
            {B2B2C_SEG_ATTR_RESELLER, 2, B2B2C_ERANGE},
            {B2B2C_SEG_ATTR_ORG_KIND, 13, B2B2C_EINVAL},
            {B2B2C_SEG_ATTR_ORG_KIND, 0, B2B2C_EINVAL},
            {B2B2C_SEG_ATTR_PARTY_TYPE, 3, B2B2C_EINVAL},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            assert_int_equal(b2b2c_segment_attrs_set_int(f->a, bad[i].attr,
                                                         bad[i].value),
                             bad[i].code);
    }
    assert_int_equal(
        b2b2c_segment_attrs_set_double(f->a, B2B2C_SEG_ATTR_EMPLOYEES, 2.5),
        B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_set_double(
                         f->a, B2B2C_SEG_ATTR_ANNUAL_REVENUE, -0.01),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_segment_attrs_set_int(f->a, 0, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_set_int(f->a, 10, 1), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "unknown attribute"));
    assert_int_equal(
        b2b2c_segment_attrs_set_int(f->a, B2B2C_SEG_ATTR_ANNUAL_REVENUE, 5),
        B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_set_int(NULL, 1, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_present(f->a), SEG_BIT(4));
    assert_int_equal(
        b2b2c_segment_attrs_get(&v, f->a, B2B2C_SEG_ATTR_EMPLOYEES), 0);
    assert_true(v == 12);
    assert_int_equal(b2b2c_segment_attrs_clear(f->a, B2B2C_SEG_ATTR_EMPLOYEES),
                     0);
    assert_int_equal(b2b2c_segment_attrs_present(f->a), 0);
    assert_int_equal(b2b2c_segment_attrs_clear(f->a, 11), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_attrs_set_double(
                         f->a, B2B2C_SEG_ATTR_ORDERS_PER_YEAR, 0.5),
                     0);
    assert_int_equal(b2b2c_segment_attrs_reset(f->a), 0);
    assert_int_equal(b2b2c_segment_attrs_present(f->a), 0);
    b2b2c_segment_attrs_free(NULL);
}

/* ---- each organisation kind of the source's tables ---- */

static void t_each_kind(void **state)
{
    fx *f = *state;
    static const struct {
        int kind;
        int32_t seg;
        const char *rule;
    } cases[] = {
        {B2B2C_SEG_ORG_RETAIL_CHAIN, B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
         "default.large_wholesale_kind"},
        {B2B2C_SEG_ORG_REGIONAL_DISTRIBUTOR, B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
         "default.large_wholesale_kind"},
        {B2B2C_SEG_ORG_INDEPENDENT_SHOP, B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
         "default.small_retail_kind"},
        {B2B2C_SEG_ORG_ONLINE_RETAILER, B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
         "default.small_retail_kind"},
        {B2B2C_SEG_ORG_PLANT, B2B2C_SEGMENT_B2B_LARGE,
         "default.large_customer_kind"},
        {B2B2C_SEG_ORG_CORPORATION, B2B2C_SEGMENT_B2B_LARGE,
         "default.large_customer_kind"},
        {B2B2C_SEG_ORG_PUBLIC_SECTOR, B2B2C_SEGMENT_B2B_LARGE,
         "default.large_customer_kind"},
        {B2B2C_SEG_ORG_WORKSHOP, B2B2C_SEGMENT_B2B_SMALL_PRO,
         "default.small_pro_kind"},
        {B2B2C_SEG_ORG_SMALL_COMPANY, B2B2C_SEGMENT_B2B_SMALL_PRO,
         "default.small_pro_kind"},
        {B2B2C_SEG_ORG_CONTRACTOR, B2B2C_SEGMENT_B2B_SMALL_PRO,
         "default.small_pro_kind"},
        {B2B2C_SEG_ORG_PRIVATE_PERSON, B2B2C_SEGMENT_B2C_CONSUMER,
         "default.consumer_kind"},
        {B2B2C_SEG_ORG_OTHER, B2B2C_SEGMENT_B2B_SMALL_PRO,
         "default.small_pro_organisation"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double c;
        small_org(f, cases[i].kind);
        assert_int_equal(cls(f, &c), cases[i].seg);
        assert_true(c == 1.0);
        assert_string_equal(b2b2c_segmenter_last_rule(f->s), cases[i].rule);
        assert_int_equal(b2b2c_segmenter_last_missing(f->s), 0);
        assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                               b2b2c_seg_org_kind_name(cases[i].kind)));
        assert_int_equal(b2b2c_segment_group(cases[i].seg),
                         cases[i].seg == B2B2C_SEGMENT_B2C_CONSUMER
                             ? B2B2C_GROUP_B2C
                         : cases[i].seg <= 2 ? B2B2C_GROUP_DEALER
                                             : B2B2C_GROUP_B2B);
    }
}

/* A consumer known only by party type is certain. */
static void t_consumer_person(void **state)
{
    fx *f = *state;
    double c;
    A(B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_PERSON);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2C_CONSUMER);
    assert_true(c == 1.0);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                        "default.consumer_person");
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                           "party_type=person"));
}

/* Each threshold: just below does not fire, at the threshold fires. */
static void t_boundaries(void **state)
{
    fx *f = *state;
    double c;

    /* large wholesale by outlets (a shop) */
    small_org(f, B2B2C_SEG_ORG_INDEPENDENT_SHOP);
    A(B2B2C_SEG_ATTR_OUTLETS, 9);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_DEALER_SMALL_RETAIL);
    assert_true(c == 1.0);
    A(B2B2C_SEG_ATTR_OUTLETS, 10);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                        "default.large_wholesale_outlets");
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s), "outlets=10"));
    /* large wholesale by volume (a reseller of unknown kind) */
    small_org(f, B2B2C_SEG_ORG_OTHER);
    A(B2B2C_SEG_ATTR_RESELLER, 1);
    A(B2B2C_SEG_ATTR_PURCHASE_VOLUME, 999999.99);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_DEALER_SMALL_RETAIL);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                        "default.small_retail_reseller");
    A(B2B2C_SEG_ATTR_PURCHASE_VOLUME, 1e6);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                        "default.large_wholesale_volume");
    /* large customer by each size attribute (a workshop) */
    {
        static const struct {
            int attr;
            double below, at;
        } sz[] = {
            {B2B2C_SEG_ATTR_EMPLOYEES, 249, 250},
            {B2B2C_SEG_ATTR_ANNUAL_REVENUE, 49999999.5, 5e7},
            {B2B2C_SEG_ATTR_PURCHASE_VOLUME, 249999, 250000},
            {B2B2C_SEG_ATTR_CONTRACT_MONTHS, 23.9, 24},
        };
        for (int i = 0; i < 4; i++) {
            small_org(f, B2B2C_SEG_ORG_WORKSHOP);
            A(sz[i].attr, sz[i].below);
            assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
            assert_true(c == 1.0);
            A(sz[i].attr, sz[i].at);
            assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_LARGE);
            assert_true(c == 1.0);
            assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                                "default.large_customer_size");
            assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                                    b2b2c_seg_attr_name(sz[i].attr)));
            /* the same for an organisation of no stated kind */
            small_org(f, B2B2C_SEG_ORG_OTHER);
            A(sz[i].attr, sz[i].below);
            assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
            A(sz[i].attr, sz[i].at);
            assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_LARGE);
        }
    }
    /* thresholds are parameters: move one and the boundary moves */
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES, 100),
                     0);
    small_org(f, B2B2C_SEG_ORG_CONTRACTOR);
    A(B2B2C_SEG_ATTR_EMPLOYEES, 99);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_SMALL_PRO);
    A(B2B2C_SEG_ATTR_EMPLOYEES, 100);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_LARGE);
}

/* Conflicting attributes: the higher rule decides, confidence drops and the
 * reason names the conflict. */
static void t_conflicts(void **state)
{
    fx *f = *state;
    double c;
    const char *r;
    A(B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_PERSON);
    A(B2B2C_SEG_ATTR_OUTLETS, 50);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2C_CONSUMER);
    assert_true(c == 0.5);
    r = b2b2c_segmenter_last_reason(f->s);
    assert_non_null(strstr(r, "conflicts"));
    assert_non_null(strstr(r, "default.large_wholesale_outlets"));
    assert_non_null(strstr(r, "outlets=50"));
    /* a person who says they resell: two groups, one conflict */
    b2b2c_segment_attrs_clear(f->a, B2B2C_SEG_ATTR_OUTLETS);
    A(B2B2C_SEG_ATTR_RESELLER, 1);
    assert_int_equal(b2b2c_segmenter_set_param(f->s,
                                               B2B2C_SEG_CONFLICT_FACTOR, 0.8),
                     0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2C_CONSUMER);
    assert_true(fabs(c - 0.8) < 1e-15);
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                           "default.small_retail_reseller"));
    /* a workshop that grew large: a refinement in the same group, no
     * conflict although small_pro_kind holds below it */
    small_org(f, B2B2C_SEG_ORG_WORKSHOP);
    A(B2B2C_SEG_ATTR_EMPLOYEES, 1000);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_LARGE);
    assert_true(c == 1.0);
}

static void t_all_missing(void **state)
{
    fx *f = *state;
    double c;
    uint32_t m;
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_UNKNOWN);
    assert_true(c == 0.0);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s), "");
    m = b2b2c_segmenter_last_missing(f->s);
    assert_true(m & SEG_BIT(B2B2C_SEG_ATTR_PARTY_TYPE));
    assert_true(m & SEG_BIT(B2B2C_SEG_ATTR_ORG_KIND));
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                           "no rule holds"));
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s), "org_kind"));
}

/* Missing attributes that would settle it. */
static void t_missing(void **state)
{
    fx *f = *state;
    double c;
    A(B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_ORGANISATION);
    A(B2B2C_SEG_ATTR_ORG_KIND, B2B2C_SEG_ORG_WORKSHOP);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_true(c == 0.5);
    assert_int_equal(b2b2c_segmenter_last_missing(f->s),
                     SEG_BIT(B2B2C_SEG_ATTR_EMPLOYEES) |
                         SEG_BIT(B2B2C_SEG_ATTR_ANNUAL_REVENUE) |
                         SEG_BIT(B2B2C_SEG_ATTR_PURCHASE_VOLUME) |
                         SEG_BIT(B2B2C_SEG_ATTR_CONTRACT_MONTHS));
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                           "would settle it: employees"));
    /* only attributes that could decide count: without party_type the
     * kind already settles that part of large_customer_size */
    assert_int_equal(b2b2c_segment_attrs_clear(f->a, B2B2C_SEG_ATTR_PARTY_TYPE),
                     0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_int_equal(b2b2c_segmenter_last_missing(f->s) &
                         SEG_BIT(B2B2C_SEG_ATTR_PARTY_TYPE),
                     0);
    /* an organisation without the reseller flag: could be a dealer */
    b2b2c_segment_attrs_reset(f->a);
    A(B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_ORGANISATION);
    A(B2B2C_SEG_ATTR_ORG_KIND, B2B2C_SEG_ORG_OTHER);
    A(B2B2C_SEG_ATTR_EMPLOYEES, 3);
    A(B2B2C_SEG_ATTR_ANNUAL_REVENUE, 1);
    A(B2B2C_SEG_ATTR_PURCHASE_VOLUME, 1);
    A(B2B2C_SEG_ATTR_CONTRACT_MONTHS, 1);
    A(B2B2C_SEG_ATTR_OUTLETS, 0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_true(c == 0.5);
    assert_int_equal(b2b2c_segmenter_last_missing(f->s),
                     SEG_BIT(B2B2C_SEG_ATTR_RESELLER));
    A(B2B2C_SEG_ATTR_RESELLER, 0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_true(c == 1.0);
    /* the open-rule factor is a parameter */
    b2b2c_segment_attrs_clear(f->a, B2B2C_SEG_ATTR_RESELLER);
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_OPEN_RULE_FACTOR, 0.25),
                     0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_true(c == 0.25);
    assert_int_equal(b2b2c_segmenter_classify(NULL, &c, f->s, f->a),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_classify(&(int32_t){0}, &c, f->s, NULL),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_classify(&(int32_t){0}, &c, NULL, f->a),
                     B2B2C_EINVAL);
}

/* ---- parameters ---- */

static void t_params(void **state)
{
    fx *f = *state;
    double v, lo, hi, def;
    int64_t ver, ver2;
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def,
                                                  B2B2C_SEG_DEALER_POLICY),
                     0);
    assert_true(lo == 0 && hi == 1 && def == 1);
    assert_int_equal(b2b2c_param_bounds(NULL, NULL, NULL, 199),
                     B2B2C_EINVAL);
    for (int32_t p = 200; p <= 208; p++) {
        assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def, p), 0);
        assert_int_equal(b2b2c_segmenter_get_param(&v, f->s, p), 0);
        assert_true(v == def);
        assert_int_equal(b2b2c_segmenter_set_param(f->s, p, hi + 1),
                         B2B2C_ERANGE);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "B2B2C_SEG_"));
        assert_int_equal(b2b2c_segmenter_set_param(f->s, p, NAN),
                         B2B2C_EINVAL);
    }
    assert_int_equal(b2b2c_segmenter_set_param(f->s, 209, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_get_param(&v, f->s, 250), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_set_param(f->s, B2B2C_SEG_DEALER_POLICY,
                                               0.5),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_segmenter_version(&ver, f->s), 0);
    assert_int_equal(ver, 1);
    /* same value: no new version */
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_WHOLESALE_OUTLETS, 10),
                     0);
    assert_int_equal(b2b2c_segmenter_version(&ver2, f->s), 0);
    assert_int_equal(ver2, 1);
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_WHOLESALE_OUTLETS, 5),
                     0);
    assert_int_equal(b2b2c_segmenter_version(&ver2, f->s), 0);
    assert_int_equal(ver2, 2);
    assert_int_equal(b2b2c_segmenter_set_param(NULL, 200, 1), B2B2C_EINVAL);
}

/* ---- assignments and migrations ---- */

typedef struct migs {
    int n;
    char acc[8][32];
    int32_t from[8], to[8];
    int64_t t[8], ver[8];
    int stop_at;
    b2b2c_segmenter *s;
    int inner_rc;
} migs;

static int mig_cb(const char *id, int64_t time, int32_t from, int32_t to,
                  int64_t version, const char *rule, double conf,
                  void *payload)
{
    migs *m = payload;
    assert_non_null(rule);
    assert_true(conf >= 0 && conf <= 1);
    if (m->s)
        m->inner_rc = b2b2c_segmenter_assign_segment(m->s, "zz", 1, 0);
    if (m->n < 8) {
        snprintf(m->acc[m->n], 32, "%s", id);
        m->from[m->n] = from;
        m->to[m->n] = to;
        m->t[m->n] = time;
        m->ver[m->n] = version;
    }
    m->n++;
    return m->stop_at && m->n == m->stop_at ? 77 : 0;
}

static void t_assign(void **state)
{
    fx *f = *state;
    int32_t seg;
    int64_t since, ver;
    migs m;

    small_org(f, B2B2C_SEG_ORG_SMALL_COMPANY);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "acc-1", f->a, 100),
                     0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                        "default.small_pro_kind");
    /* same segment, same version: no new entry */
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "acc-1", f->a, 150),
                     0);
    assert_int_equal(b2b2c_segmenter_assignment(&seg, &since, &ver, f->s,
                                                "acc-1"),
                     0);
    assert_int_equal(since, 100);
    assert_int_equal(ver, 1);
    /* grows: small professional -> large customer */
    A(B2B2C_SEG_ATTR_EMPLOYEES, 400);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "acc-1", f->a, 200),
                     0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_LARGE);
    /* a consumer who opens a workshop */
    b2b2c_segment_attrs_reset(f->a);
    A(B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_PERSON);
    assert_int_equal(b2b2c_segmenter_assign(NULL, f->s, "acc-2", f->a, 50),
                     0);
    small_org(f, B2B2C_SEG_ORG_WORKSHOP);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "acc-2", f->a, 300),
                     0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_SMALL_PRO);
    /* a rule-set change: same segment, new version -> new entry, no
     * migration */
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_WHOLESALE_OUTLETS, 20),
                     0);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "acc-2", f->a, 400),
                     0);
    assert_int_equal(b2b2c_segmenter_assignment(&seg, &since, &ver, f->s,
                                                "acc-2"),
                     0);
    assert_int_equal(ver, 2);
    assert_int_equal(since, 400);
    /* manual */
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         f->s, "acc-3", B2B2C_SEGMENT_DEALER_SMALL_RETAIL, 10),
                     0);
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         f->s, "acc-3", B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
                         200),
                     0);
    /* errors */
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "acc-1", f->a, 199),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "", f->a, 500),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "\xff", f->a, 500),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, NULL, f->a, 500),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_assign(&seg, f->s, "a", NULL, 500),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_assign_segment(f->s, "a", 9, 500),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_assignment(&seg, NULL, NULL, f->s,
                                                "nobody"),
                     B2B2C_ENOTFOUND);
    /* migrations since 150: acc-1 at 200, acc-3 at 200, acc-2 at 300 */
    memset(&m, 0, sizeof(m));
    assert_int_equal(b2b2c_segmenter_migrations(f->s, 150, mig_cb, &m), 0);
    assert_int_equal(m.n, 3);
    assert_string_equal(m.acc[0], "acc-1");
    assert_int_equal(m.from[0], B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_int_equal(m.to[0], B2B2C_SEGMENT_B2B_LARGE);
    assert_int_equal(m.t[0], 200);
    assert_string_equal(m.acc[1], "acc-3");
    assert_string_equal(m.acc[2], "acc-2");
    assert_int_equal(m.from[2], B2B2C_SEGMENT_B2C_CONSUMER);
    assert_int_equal(m.to[2], B2B2C_SEGMENT_B2B_SMALL_PRO);
    memset(&m, 0, sizeof(m));
    assert_int_equal(b2b2c_segmenter_migrations(f->s, 201, mig_cb, &m), 0);
    assert_int_equal(m.n, 1);
    /* stop early; mutating from the callback is refused */
    memset(&m, 0, sizeof(m));
    m.stop_at = 2;
    m.s = f->s;
    assert_int_equal(b2b2c_segmenter_migrations(f->s, 0, mig_cb, &m), 77);
    assert_int_equal(m.n, 2);
    assert_int_equal(m.inner_rc, B2B2C_ESTATE);
    /* history of acc-2: consumer, small pro, small pro (v2) */
    memset(&m, 0, sizeof(m));
    assert_int_equal(b2b2c_segmenter_history(f->s, "acc-2", mig_cb, &m), 0);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.from[0], B2B2C_SEGMENT_UNKNOWN);
    assert_int_equal(m.to[0], B2B2C_SEGMENT_B2C_CONSUMER);
    assert_int_equal(m.ver[2], 2);
    assert_int_equal(b2b2c_segmenter_history(f->s, "nobody", mig_cb, &m),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_segmenter_history(f->s, "acc-2", NULL, &m),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_migrations(f->s, 0, NULL, &m),
                     B2B2C_EINVAL);
}

/* ---- persistence ---- */

static void t_reopen(void **state)
{
    fx *f = *state;
    b2b2c_segmenter *s2;
    int32_t seg, dest, kind;
    int64_t ver, since;
    uint64_t d;
    migs m;

    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES, 100),
                     0);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "r1", 5000,
                                              B2B2C_SEGMENT_B2B_LARGE,
                                              "orders_per_year >= 1000"),
                     0);
    small_org(f, B2B2C_SEG_ORG_WORKSHOP);
    assert_int_equal(b2b2c_segmenter_assign(NULL, f->s, "a1", f->a, 10), 0);
    A(B2B2C_SEG_ATTR_ORDERS_PER_YEAR, 2000);
    assert_int_equal(b2b2c_segmenter_assign(NULL, f->s, "a1", f->a, 20), 0);
    assert_int_equal(b2b2c_segmenter_route_set(
                         f->s, B2B2C_SEGMENT_B2B_LARGE, B2B2C_BAND_COLD,
                         B2B2C_SEG_DEST_DIRECT_SALES,
                         B2B2C_SEG_CHANNEL_LEAD_GENERATION),
                     0);
    d = b2b2c__seg_digest(f->s);
    b2b2c_segmenter_free(f->s);
    f->s = NULL;
    assert_int_equal(b2b2c_segmenter_new(&s2, f->ctx), 0);
    f->s = s2;
    assert_true(b2b2c__seg_digest(s2) == d);
    assert_int_equal(b2b2c_segmenter_version(&ver, s2), 0);
    assert_int_equal(ver, 3);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_LARGE);
    assert_string_equal(b2b2c_segmenter_last_rule(s2), "r1");
    assert_int_equal(b2b2c_segmenter_assignment(&seg, &since, NULL, s2, "a1"),
                     0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_LARGE);
    assert_int_equal(since, 20);
    memset(&m, 0, sizeof(m));
    assert_int_equal(b2b2c_segmenter_migrations(s2, 0, mig_cb, &m), 0);
    assert_int_equal(m.n, 1);
    assert_int_equal(b2b2c_segmenter_route(&dest, &kind, s2,
                                           B2B2C_SEGMENT_B2B_LARGE,
                                           B2B2C_BAND_COLD),
                     0);
    assert_int_equal(dest, B2B2C_SEG_DEST_DIRECT_SALES);
}

static void t_corrupt(void **state)
{
    fx *f = *state;
    static const char *const tables[] = {"segment_meta", "segment_rules",
                                         "segment_assign", "segment_routes"};
    for (int i = 0; i < 4; i++) {
        b2b2c_ctx *ctx;
        b2b2c_segmenter *s;
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
        assert_int_equal(b2b2c_ctx_begin(ctx), 0);
        assert_int_equal(b2b2c__st_put(ctx, tables[i], "k", 1, "junk", 4), 0);
        assert_int_equal(b2b2c_ctx_commit(ctx), 0);
        assert_int_equal(b2b2c_segmenter_new(&s, ctx), B2B2C_ECORRUPT);
        assert_null(s);
        assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), tables[i]));
        b2b2c_ctx_free(ctx);
    }
    /* a record from a newer library */
    {
        b2b2c_ctx *ctx;
        b2b2c_segmenter *s;
        b2b2c__wbuf w;
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
        b2b2c__enc_begin(&w, &ctx->mem, 2);
        b2b2c__enc_i64(&w, 5);
        assert_int_equal(b2b2c_ctx_begin(ctx), 0);
        assert_int_equal(b2b2c__st_put_rec(ctx, "segment_meta", "meta", 4, &w),
                         0);
        assert_int_equal(b2b2c_ctx_commit(ctx), 0);
        assert_int_equal(b2b2c_segmenter_new(&s, ctx), B2B2C_EVERSION);
        assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "segment_meta"));
        b2b2c_ctx_free(ctx);
    }
    /* a well-formed rule record whose expression does not parse */
    {
        b2b2c_ctx *ctx;
        b2b2c_segmenter *s;
        b2b2c__wbuf w;
        assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
        b2b2c__enc_begin(&w, &ctx->mem, 1);
        b2b2c__enc_i64(&w, 5);
        b2b2c__enc_u32(&w, 1);
        b2b2c__enc_str(&w, "employees >>> 3");
        assert_int_equal(b2b2c_ctx_begin(ctx), 0);
        assert_int_equal(b2b2c__st_put_rec(ctx, "segment_rules", "bad", 3, &w),
                         0);
        assert_int_equal(b2b2c_ctx_commit(ctx), 0);
        assert_int_equal(b2b2c_segmenter_new(&s, ctx), B2B2C_ECORRUPT);
        assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "'bad'"));
        b2b2c_ctx_free(ctx);
    }
    (void)f;
}

/* ---- routing ---- */

static void t_route_defaults(void **state)
{
    fx *f = *state;
    int32_t d, k;
    for (int policy = 1; policy >= 0; policy--) {
        assert_int_equal(b2b2c_segmenter_set_param(
                             f->s, B2B2C_SEG_DEALER_POLICY, policy),
                         0);
        for (int32_t seg = 0; seg <= 5; seg++)
            for (int32_t band = 0; band <= 3; band++) {
                int cold = band <= B2B2C_BAND_COLD;
                assert_int_equal(
                    b2b2c_segmenter_route(&d, &k, f->s, seg, band), 0);
                assert_true(d >= 1 && d <= 4);
                assert_true(k >= 1 && k <= 2);
                if (policy && seg == B2B2C_SEGMENT_B2C_CONSUMER)
                    assert_int_not_equal(d, B2B2C_SEG_DEST_DIRECT_SALES);
                if (cold)
                    assert_int_equal(d, B2B2C_SEG_DEST_NURTURE);
                if (seg == B2B2C_SEGMENT_B2C_CONSUMER)
                    assert_int_equal(k, cold ? B2B2C_SEG_CHANNEL_REACH
                                             : B2B2C_SEG_CHANNEL_LEAD_GENERATION);
                if (!cold && (seg == B2B2C_SEGMENT_B2C_CONSUMER ||
                              seg == B2B2C_SEGMENT_B2B_SMALL_PRO))
                    assert_int_equal(d, policy ? B2B2C_SEG_DEST_DEALER
                                               : B2B2C_SEG_DEST_DIRECT_SALES);
                if (!cold && seg == B2B2C_SEGMENT_B2B_LARGE)
                    assert_int_equal(d, B2B2C_SEG_DEST_DIRECT_SALES);
                if (seg == B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE ||
                    seg == B2B2C_SEGMENT_DEALER_SMALL_RETAIL) {
                    assert_int_equal(k, B2B2C_SEG_CHANNEL_LEAD_GENERATION);
                    if (!cold)
                        assert_int_equal(d,
                                         B2B2C_SEG_DEST_PARTNER_ONBOARDING);
                }
                if (seg == B2B2C_SEGMENT_B2B_LARGE)
                    assert_int_equal(k, cold ? B2B2C_SEG_CHANNEL_REACH
                                             : B2B2C_SEG_CHANNEL_LEAD_GENERATION);
            }
    }
    assert_int_equal(b2b2c_segmenter_route(&d, &k, f->s, 6, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_route(&d, &k, f->s, 1, 4), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_route(NULL, &k, f->s, 1, 1),
                     B2B2C_EINVAL);
}

/* Exhaustively: with the dealer policy on, no override of any cell can
 * make a consumer lead go to direct sales. */
static void t_route_policy(void **state)
{
    fx *f = *state;
    int32_t d, k;
    for (int32_t seg = 0; seg <= 5; seg++)
        for (int32_t band = 0; band <= 3; band++)
            for (int32_t dest = 1; dest <= 4; dest++)
                for (int32_t kind = 1; kind <= 2; kind++) {
                    int rc = b2b2c_segmenter_route_set(f->s, seg, band, dest,
                                                       kind);
                    if (seg == B2B2C_SEGMENT_B2C_CONSUMER &&
                        dest == B2B2C_SEG_DEST_DIRECT_SALES) {
                        assert_int_equal(rc, B2B2C_ESTATE);
                    } else {
                        assert_int_equal(rc, 0);
                        assert_int_equal(
                            b2b2c_segmenter_route(&d, &k, f->s, seg, band), 0);
                        assert_int_equal(d, dest);
                        assert_int_equal(k, kind);
                    }
                    for (int32_t b = 0; b <= 3; b++) {
                        assert_int_equal(
                            b2b2c_segmenter_route(&d, &k, f->s,
                                                  B2B2C_SEGMENT_B2C_CONSUMER,
                                                  b),
                            0);
                        assert_int_not_equal(d, B2B2C_SEG_DEST_DIRECT_SALES);
                    }
                }
    /* policy off: allowed; then turning it on is refused */
    assert_int_equal(b2b2c_segmenter_set_param(f->s, B2B2C_SEG_DEALER_POLICY,
                                               0),
                     0);
    assert_int_equal(b2b2c_segmenter_route_set(
                         f->s, B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_HOT,
                         B2B2C_SEG_DEST_DIRECT_SALES,
                         B2B2C_SEG_CHANNEL_LEAD_GENERATION),
                     0);
    assert_int_equal(b2b2c_segmenter_set_param(f->s, B2B2C_SEG_DEALER_POLICY,
                                               1),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_segmenter_route_reset(
                         f->s, B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_HOT),
                     0);
    assert_int_equal(b2b2c_segmenter_set_param(f->s, B2B2C_SEG_DEALER_POLICY,
                                               1),
                     0);
    assert_int_equal(b2b2c_segmenter_route(&d, &k, f->s,
                                           B2B2C_SEGMENT_B2C_CONSUMER,
                                           B2B2C_BAND_HOT),
                     0);
    assert_int_equal(d, B2B2C_SEG_DEST_DEALER);
    /* bad input */
    assert_int_equal(b2b2c_segmenter_route_set(f->s, 1, 1, 0, 1),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_route_set(f->s, 1, 1, 5, 1),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_route_set(f->s, 1, 1, 1, 3),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_route_set(f->s, 1, 7, 1, 1),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_route_reset(f->s, -1, 1), B2B2C_EINVAL);
}

/* ---- batch ---- */

static double pick(b2b2c__rng *r, int attr)
{
    /* values around every threshold, and typical ones */
    static const double nums[] = {0, 1, 5, 9, 10, 11, 23, 24, 25, 99, 100,
                                  249, 250, 251, 1000, 249999, 250000,
                                  999999, 1e6, 4.9e7, 5e7, 1e8};
    switch (attr) {
    case B2B2C_SEG_ATTR_PARTY_TYPE:
        return 1 + (double)b2b2c__rng_below(r, 2);
    case B2B2C_SEG_ATTR_RESELLER:
        return (double)b2b2c__rng_below(r, 2);
    case B2B2C_SEG_ATTR_ORG_KIND:
        return 1 + (double)b2b2c__rng_below(r, 12);
    default:
        return nums[b2b2c__rng_below(r, sizeof(nums) / sizeof(nums[0]))];
    }
}

static void batch_vs_single(fx *f, size_t n, uint64_t seed)
{
    b2b2c__rng r;
    double *vals = malloc(n * SEG_NATTR * sizeof(double));
    uint32_t *pr = malloc(n * sizeof(uint32_t));
    int32_t *seg = malloc(n * sizeof(int32_t));
    double *conf = malloc(n * sizeof(double));
    int seen[6] = {0};

    b2b2c__rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        pr[i] = (uint32_t)b2b2c__rng_below(&r, 1u << SEG_NATTR);
        for (int a = 1; a <= SEG_NATTR; a++)
            vals[i * SEG_NATTR + a - 1] =
                (pr[i] & SEG_BIT(a)) ? pick(&r, a) : NAN;
    }
    assert_int_equal(b2b2c_segmenter_classify_batch(seg, conf, f->s, n, vals,
                                                    pr),
                     0);
    for (size_t i = 0; i < n; i++) {
        double c;
        b2b2c_segment_attrs_reset(f->a);
        for (int a = 1; a <= SEG_NATTR; a++)
            if (pr[i] & SEG_BIT(a))
                A(a, vals[i * SEG_NATTR + a - 1]);
        assert_int_equal(cls(f, &c), seg[i]);
        assert_true(c == conf[i]);
        seen[seg[i]]++;
    }
    for (int k = 0; k < 6; k++)
        assert_true(seen[k] > 0);
    free(vals);
    free(pr);
    free(seg);
    free(conf);
}

static void t_batch(void **state)
{
    fx *f = *state;
    double vals[2 * SEG_NATTR] = {0};
    uint32_t pr[2] = {SEG_BIT(1), SEG_BIT(4)};
    int32_t seg[2];

    /* the compiled default path agrees with the rule table */
    batch_vs_single(f, 20000, 42);
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_WHOLESALE_OUTLETS, 25),
                     0);
    assert_int_equal(b2b2c_segmenter_set_param(f->s,
                                               B2B2C_SEG_CONFLICT_FACTOR, 0.3),
                     0);
    batch_vs_single(f, 20000, 7);
    /* with host rules the rule table runs */
    assert_int_equal(b2b2c_segmenter_rule_add(
                         f->s, "h", 950, B2B2C_SEGMENT_B2B_SMALL_PRO,
                         "all(org_kind == retail_chain, outlets < 5)"),
                     0);
    batch_vs_single(f, 20000, 9);
    /* bad input names the row and attribute */
    vals[0] = 1;
    vals[SEG_NATTR + 3] = -1;
    assert_int_equal(b2b2c_segmenter_classify_batch(seg, NULL, f->s, 2, vals,
                                                    pr),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "row 1"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "employees"));
    vals[SEG_NATTR + 3] = NAN;
    assert_int_equal(b2b2c_segmenter_classify_batch(seg, NULL, f->s, 2, vals,
                                                    pr),
                     B2B2C_EINVAL);
    pr[1] = 1u << 9;
    assert_int_equal(b2b2c_segmenter_classify_batch(seg, NULL, f->s, 2, vals,
                                                    pr),
                     B2B2C_EINVAL);
    pr[1] = 0; /* absent: the NaN is ignored */
    assert_int_equal(b2b2c_segmenter_classify_batch(seg, NULL, f->s, 2, vals,
                                                    pr),
                     0);
    assert_int_equal(seg[0], B2B2C_SEGMENT_B2C_CONSUMER);
    assert_int_equal(seg[1], B2B2C_SEGMENT_UNKNOWN);
    assert_int_equal(b2b2c_segmenter_classify_batch(NULL, NULL, f->s, 2, vals,
                                                    pr),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_classify_batch(NULL, NULL, f->s, 0, NULL,
                                                    NULL),
                     0);
}

/* An array of attribute-set handles gives the single-call results, on the
 * compiled path and on the rule table. */
static void t_sets(void **state)
{
    fx *f = *state;
    b2b2c_segment_attrs *sets[12];
    const b2b2c_segment_attrs *csets[13];
    int32_t seg[13];
    double conf[13];
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 12; k++) {
            assert_int_equal(b2b2c_segment_attrs_new(&sets[k], f->ctx), 0);
            b2b2c_segment_attrs_set_int(sets[k], B2B2C_SEG_ATTR_ORG_KIND,
                                        k + 1);
            if (k % 2)
                b2b2c_segment_attrs_set_int(sets[k], B2B2C_SEG_ATTR_EMPLOYEES,
                                            100 * k);
            csets[k] = sets[k];
        }
        assert_int_equal(b2b2c_segmenter_classify_sets(seg, conf, f->s, 12,
                                                       csets),
                         0);
        for (int k = 0; k < 12; k++) {
            int32_t one;
            double c;
            assert_int_equal(b2b2c_segmenter_classify(&one, &c, f->s,
                                                      sets[k]),
                             0);
            assert_int_equal(seg[k], one);
            assert_true(conf[k] == c);
        }
        csets[12] = NULL;
        assert_int_equal(b2b2c_segmenter_classify_sets(seg, NULL, f->s, 13,
                                                       csets),
                         B2B2C_EINVAL);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "element 12"));
        assert_int_equal(b2b2c_segmenter_classify_sets(seg, NULL, f->s, 1,
                                                       NULL),
                         B2B2C_EINVAL);
        for (int k = 0; k < 12; k++)
            b2b2c_segment_attrs_free(sets[k]);
        if (round == 0)
            assert_int_equal(b2b2c_segmenter_rule_add(
                                 f->s, "h", 1200, B2B2C_SEGMENT_B2B_LARGE,
                                 "employees >= 700"),
                             0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_names),
        cmocka_unit_test_setup_teardown(t_attrs_errors_on_ctx, setup, teardown),
        cmocka_unit_test_setup_teardown(t_attrs, setup, teardown),
        cmocka_unit_test_setup_teardown(t_each_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(t_consumer_person, setup, teardown),
        cmocka_unit_test_setup_teardown(t_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(t_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(t_all_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(t_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(t_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_assign, setup, teardown),
        cmocka_unit_test_setup_teardown(t_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(t_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(t_route_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(t_route_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(t_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(t_sets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
