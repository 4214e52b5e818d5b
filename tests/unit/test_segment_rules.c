/* SPDX-License-Identifier: MIT */
/* The segment classifier's host rules: adding, listing and removing
 * them, re-entrancy from their callbacks, the expression language (logic,
 * numbers, a parser fed garbage). */
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

/* ---- host rules ---- */

typedef struct rule_seen {
    int n, host;
    char first[64];
    int32_t prev_prio;
    int ordered;
} rule_seen;

static int rule_cb(const char *id, int32_t prio, int32_t seg,
                   const char *expr, int32_t is_default, void *payload)
{
    rule_seen *r = payload;
    (void)seg;
    assert_non_null(expr);
    if (r->n == 0)
        snprintf(r->first, sizeof(r->first), "%s", id);
    else if (prio > r->prev_prio)
        r->ordered = 0;
    r->prev_prio = prio;
    r->n++;
    r->host += !is_default;
    return 0;
}

typedef struct reenter {
    b2b2c_segmenter *s;
    b2b2c_lead_model *lead; /* another engine on the same context */
    int rc_add, rc_param, rc_route, rc_lead, calls;
} reenter;

static int reenter_cb(const char *id, int32_t prio, int32_t seg,
                      const char *expr, int32_t is_default, void *payload)
{
    reenter *r = payload;
    (void)id, (void)prio, (void)seg, (void)expr, (void)is_default;
    r->rc_add = b2b2c_segmenter_rule_add(r->s, "inner", 1, 1, "true");
    r->rc_param = b2b2c_segmenter_set_param(r->s, 200, 3);
    r->rc_route = b2b2c_segmenter_route_set(r->s, 1, 1, 1, 1);
    r->rc_lead = b2b2c_lead_add(r->lead, "inner-lead", 1767225600, 0, NULL,
                                NULL, NULL);
    return ++r->calls == 3 ? 5 : 0;
}

/* A callback may not change the segmenter, nor any other engine on its
 * context (one re-entrancy rule, docs/conventions.md); a non-zero return
 * stops. */
static void t_reentry(void **state)
{
    fx *f = *state;
    reenter r = {f->s, NULL, 0, 0, 0, 0, 0};
    int64_t ver;
    size_t nleads = 9;
    assert_int_equal(b2b2c_lead_model_new(&r.lead, f->ctx), 0);
    assert_int_equal(b2b2c_segmenter_rules(f->s, reenter_cb, &r), 5);
    assert_int_equal(r.calls, 3);
    assert_int_equal(r.rc_add, B2B2C_ESTATE);
    assert_int_equal(r.rc_param, B2B2C_ESTATE);
    assert_int_equal(r.rc_route, B2B2C_ESTATE);
    assert_int_equal(r.rc_lead, B2B2C_ESTATE);
    assert_int_equal(b2b2c_lead_count(&nleads, r.lead), 0);
    assert_int_equal(nleads, 0);
    b2b2c_lead_model_free(r.lead);
    assert_int_equal(b2b2c_segmenter_version(&ver, f->s), 0);
    assert_int_equal(ver, 1);
    assert_int_equal(b2b2c_segmenter_rules(f->s, NULL, NULL), B2B2C_EINVAL);
    /* usable again afterwards */
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "inner", 1, 1, "true"), 0);
}

static void t_host_rules(void **state)
{
    fx *f = *state;
    double c;
    int64_t ver;
    rule_seen seen = {0, 0, "", 0, 1};

    small_org(f, B2B2C_SEG_ORG_WORKSHOP);
    A(B2B2C_SEG_ATTR_ORDERS_PER_YEAR, 80);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_SMALL_PRO);
    /* below the default small_pro_kind: no effect */
    assert_int_equal(b2b2c_segmenter_rule_add(
                         f->s, "busy_workshops", 550,
                         B2B2C_SEGMENT_B2B_LARGE,
                         "all(org_kind in (workshop, contractor), "
                         "orders_per_year >= 50)"),
                     0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_true(c == 1.0); /* holds below, same group: not a conflict */
    assert_string_equal(b2b2c_segmenter_last_rule(f->s),
                        "default.small_pro_kind");
    assert_int_equal(b2b2c_segmenter_rule_remove(f->s, "busy_workshops"), 0);
    /* above it: overrides */
    assert_int_equal(b2b2c_segmenter_rule_add(
                         f->s, "busy_workshops", 650,
                         B2B2C_SEGMENT_B2B_LARGE,
                         "all(org_kind in (workshop, contractor), "
                         "orders_per_year >= 50)"),
                     0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_LARGE);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s), "busy_workshops");
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                           "orders_per_year=80"));
    A(B2B2C_SEG_ATTR_ORDERS_PER_YEAR, 49);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_SMALL_PRO);
    /* equal priority: host rules before default rules */
    assert_int_equal(b2b2c_segmenter_rule_add(
                         f->s, "public_is_pro", 700,
                         B2B2C_SEGMENT_B2B_SMALL_PRO,
                         "all(org_kind == public_sector, employees < 10)"),
                     0);
    small_org(f, B2B2C_SEG_ORG_PUBLIC_SECTOR);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_string_equal(b2b2c_segmenter_last_rule(f->s), "public_is_pro");
    /* a rule that holds always, at the top */
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "freeze", 1000000,
                                              B2B2C_SEGMENT_UNKNOWN, "false"),
                     0);
    assert_int_equal(b2b2c_segmenter_rule_add(
                         f->s, "vip", 2000, B2B2C_SEGMENT_B2B_LARGE,
                         "any(not(known(employees)), party_type != person)"),
                     0);
    assert_int_equal(cls(f, &c), B2B2C_SEGMENT_B2B_LARGE);
    assert_true(c == 1.0);
    assert_int_equal(b2b2c_segmenter_rules(f->s, rule_cb, &seen), 0);
    assert_int_equal(seen.n, 11 + 4);
    assert_int_equal(seen.host, 4);
    assert_string_equal(seen.first, "freeze");
    assert_true(seen.ordered);
    assert_int_equal(b2b2c_segmenter_version(&ver, f->s), 0);
    assert_int_equal(ver, 7); /* 1 + add, remove, add, add, add, add */
    /* errors */
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "vip", 1, 1, "true"),
                     B2B2C_EEXISTS);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "default.x", 1, 1,
                                              "true"),
                     B2B2C_EEXISTS);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "", 1, 1, "true"),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1000001, 1, "true"),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 6, "true"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1, NULL),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "employees >= "),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "at byte 13"));
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "colour == red"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "org_kind in (plant, castle)"),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "organisation kind"));
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "org_kind > plant"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "employees in (1, 2)"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "all(true, false"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1, "true true"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1,
                                              "not(true, false)"),
                     B2B2C_EINVAL);
    {
        char deep[400];
        size_t k = 0;
        for (int i = 0; i < 40; i++)
            k += (size_t)snprintf(deep + k, sizeof(deep) - k, "not(");
        k += (size_t)snprintf(deep + k, sizeof(deep) - k, "true");
        for (int i = 0; i < 40; i++)
            deep[k++] = ')';
        deep[k] = '\0';
        assert_int_equal(b2b2c_segmenter_rule_add(f->s, "x", 1, 1, deep),
                         B2B2C_EINVAL);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "nested"));
    }
    assert_int_equal(b2b2c_segmenter_version(&ver, f->s), 0);
    assert_int_equal(ver, 7);
    assert_int_equal(b2b2c_segmenter_rule_remove(f->s, "nope"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_segmenter_rule_remove(
                         f->s, "default.small_pro_kind"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_segmenter_rule_remove(f->s, NULL), B2B2C_EINVAL);
}

/* Expression semantics: three-valued logic. */
static void t_expr_logic(void **state)
{
    seg_node n[SEG_NODES_MAX];
    uint32_t refs;
    char err[128];
    double v[SEG_NATTR] = {0};
    (void)state;
    assert_true(b2b2c__seg_expr_parse(n, &refs,
                                      "all(employees > 5, outlets < 2)", err,
                                      sizeof err) == 3);
    assert_int_equal(refs, SEG_BIT(4) | SEG_BIT(8));
    v[3] = 6;
    v[7] = 1;
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(4) | SEG_BIT(8)),
                     SEG_T);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(4)), SEG_U);
    v[3] = 5;
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(4)), SEG_F);
    assert_true(b2b2c__seg_expr_parse(n, &refs,
                                      "any(employees > 5, outlets <= 1)", err,
                                      sizeof err) > 0);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(8)), SEG_T);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(4)), SEG_U);
    assert_true(b2b2c__seg_expr_parse(n, &refs, "not(employees == 5)", err,
                                      sizeof err) > 0);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(4)), SEG_F);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, 0), SEG_U);
    assert_true(b2b2c__seg_expr_parse(n, &refs, "known(reseller)", err,
                                      sizeof err) > 0);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, 0), SEG_F);
    assert_int_equal(b2b2c__seg_expr_eval(n, v, SEG_BIT(2)), SEG_T);
    assert_true(b2b2c__seg_expr_parse(n, &refs,
                                      "party_type in (1, organisation)", err,
                                      sizeof err) > 0);
    v[0] = 2;
    assert_int_equal(b2b2c__seg_expr_eval(n, v, 1), SEG_T);
}

/* Numbers in rule texts are read and written with '.', independent of the
 * host's LC_NUMERIC; a fractional threshold survives the text form. */
static int find_outlets(const char *id, int32_t prio, int32_t seg,
                        const char *expr, int32_t is_default, void *payload)
{
    (void)prio, (void)seg, (void)is_default;
    if (strcmp(id, "default.large_wholesale_outlets") == 0 &&
        strstr(expr, "outlets >= 12.5)"))
        *(int *)payload = 1;
    return 0;
}

static void t_numbers(void **state)
{
    fx *f = *state;
    const char *end;
    const char *t;
    int found = 0;
    t = "1.5e3x";
    assert_true(b2b2c__seg_strtod_c(t, &end) == 1500 && end == t + 5);
    t = "-.5)";
    assert_true(b2b2c__seg_strtod_c(t, &end) == -0.5 && end == t + 3);
    t = "e5";
    b2b2c__seg_strtod_c(t, &end);
    assert_true(end == t);
    t = "1e+";
    assert_true(b2b2c__seg_strtod_c(t, &end) == 1 && end == t + 1);
    assert_int_equal(b2b2c_segmenter_set_param(
                         f->s, B2B2C_SEG_LARGE_WHOLESALE_OUTLETS, 12.5),
                     0);
    assert_int_equal(b2b2c_segmenter_rules(f->s, find_outlets, &found), 0);
    assert_int_equal(found, 1);
    small_org(f, B2B2C_SEG_ORG_ONLINE_RETAILER);
    A(B2B2C_SEG_ATTR_OUTLETS, 12);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_DEALER_SMALL_RETAIL);
    A(B2B2C_SEG_ATTR_OUTLETS, 13);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE);
    A(B2B2C_SEG_ATTR_ANNUAL_REVENUE, 1234.5);
    assert_int_equal(b2b2c_segmenter_rule_add(f->s, "frac", 2000,
                                              B2B2C_SEGMENT_B2B_LARGE,
                                              "annual_revenue == 1234.5"),
                     0);
    assert_int_equal(cls(f, NULL), B2B2C_SEGMENT_B2B_LARGE);
    assert_non_null(strstr(b2b2c_segmenter_last_reason(f->s),
                           "annual_revenue=1234.5"));
}

/* Random token soup: the parser never reads out of bounds (ASan), and what
 * it accepts is a well-formed tree that evaluates. */
static void t_parser_soup(void **state)
{
    static const char *const tok[] = {
        "all(", "any(", "not(", "known(", ")", ",", "true", "false",
        "employees", "org_kind", "party_type", "outlets", "reseller", "==",
        "!=", "<", "<=", ">", ">=", "in", "(", "1", "2.5", "-3", "1e9",
        "plant", "person", "workshop", " ", "x", "\"", "\xc3", "==="};
    b2b2c__rng r;
    seg_node nodes[SEG_NODES_MAX];
    char text[600], err[200];
    double v[SEG_NATTR] = {1, 1, 5, 10, 10, 10, 10, 10, 10};
    int accepted = 0;
    (void)state;
    b2b2c__rng_seed(&r, 99);
    for (int i = 0; i < 30000; i++) {
        size_t len = 0, ntok = 1 + b2b2c__rng_below(&r, 40);
        uint32_t refs = 0;
        int n;
        text[0] = '\0';
        for (size_t k = 0; k < ntok; k++) {
            const char *t = tok[b2b2c__rng_below(&r, sizeof(tok) /
                                                         sizeof(tok[0]))];
            size_t tl = strlen(t);
            if (len + tl + 1 >= sizeof(text))
                break;
            memcpy(text + len, t, tl + 1);
            len += tl;
        }
        n = b2b2c__seg_expr_parse(nodes, &refs, text, err, sizeof(err));
        if (n > 0) {
            accepted++;
            assert_int_equal(nodes[0].size, n);
            for (uint32_t pr = 0; pr < 8; pr++)
                assert_true(b2b2c__seg_expr_eval(nodes, v, pr * 37u & 0x1ff) <=
                            SEG_U);
        } else {
            assert_int_equal(n, B2B2C_EINVAL);
            assert_true(strncmp(err, "expr: ", 6) == 0);
        }
    }
    assert_true(accepted > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_host_rules, setup, teardown),
        cmocka_unit_test(t_expr_logic),
        cmocka_unit_test_setup_teardown(t_numbers, setup, teardown),
        cmocka_unit_test(t_parser_soup),
        cmocka_unit_test_setup_teardown(t_reentry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
