/* SPDX-License-Identifier: MIT */
/*
 * Out-parameters written only on success: the segmenter (the checklist is
 * at the top of test_outparams.c).
 */
#include <math.h>

#include "outparams.h"

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
    /* classify_batch: one pass; a bad row and the rows after it are
     * untouched (the documented exception: rows before it are written) */
    values[B2B2C_SEG_ATTR_EMPLOYEES - 1] = -5; /* the first row is bad */
    X(b2b2c_segmenter_classify_batch(seg, conf, s, NB, values, present),
      B2B2C_ERANGE);
    present[0] |= 1u << 20; /* and an unknown attribute */
    X(b2b2c_segmenter_classify_batch(seg, conf, s, NB, values, present),
      B2B2C_EINVAL);
    present[0] &= ~(1u << 20);
    values[B2B2C_SEG_ATTR_EMPLOYEES - 1] = 50;
    values[(NB - 1) * B2B2C_SEG_ATTR_COUNT + B2B2C_SEG_ATTR_EMPLOYEES - 1] =
        -5; /* the last row is bad: the rows before it are written */
    REFILL;
    assert_int_equal(b2b2c_segmenter_classify_batch(seg, conf, s, NB, values,
                                                    present),
                     B2B2C_ERANGE);
    assert_int_equal(seg[NB - 1], -777);
    assert_true(conf[NB - 1] == 12345.0);
    assert_true(seg[0] != -777);
    REFILL;
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
    FINISH(e);
#undef CANARIES
#undef REFILL
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
