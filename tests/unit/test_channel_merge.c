/* SPDX-License-Identifier: MIT */
/*
 * Channel analytics: merging two leads of one person
 * (b2b2c_channels_merge, issue 20). The merged lead's touches and
 * conversion equal those of one lead that had them all (its per-lead
 * attribution, touch by touch); from goes; into is made when unknown; a
 * later conversion's touches after the earlier one are dropped; errors
 * change nothing; a group rolls it back; a fresh handle agrees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "b2b2c.h"

#define T0 1767225600
#define DAY 86400

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_channels *h;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (!f || b2b2c_ctx_new(&f->ctx, NULL, NULL) ||
        b2b2c_channels_new(&f->h, f->ctx) ||
        b2b2c_channels_add(f->h, "search", B2B2C_CHANNEL_KIND_LEADGEN, 0, 0) ||
        b2b2c_channels_add(f->h, "display", B2B2C_CHANNEL_KIND_REACH, 0, 0) ||
        b2b2c_channels_add(f->h, "email", B2B2C_CHANNEL_KIND_LEADGEN, 0, 0))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_channels_free(f->h);
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

typedef struct path {
    char text[2048];
    size_t n;
} path;

static int share_cb(const char *ch, int64_t t, double share, void *ud)
{
    path *p = ud;
    int k = snprintf(p->text + p->n, sizeof p->text - p->n, "%s@%lld=%.17g;",
                     ch, (long long)t, share);
    assert_true(k > 0 && (size_t)k < sizeof p->text - p->n);
    p->n += (size_t)k;
    return 0;
}

static void path_of(b2b2c_channels *h, const char *id, path *p)
{
    p->n = 0;
    p->text[0] = '\0';
    assert_int_equal(b2b2c_channels_attribute_lead(
                         h, id, B2B2C_CHANNEL_ATTRIBUTION_LINEAR, 0,
                         T0 + 100 * DAY, share_cb, p),
                     0);
}

static void t_merged_like_one(void **state)
{
    fx *f = *state;
    static const struct {
        const char *who, *ch;
        int64_t t;
    } tv[] = {
        {"a", "search", T0 + DAY},   {"b", "display", T0 + 2 * DAY},
        {"a", "email", T0 + 3 * DAY}, {"b", "search", T0 + 3 * DAY},
        {"b", "email", T0 + 5 * DAY},
    };
    path p1, p2;
    for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++) {
        assert_int_equal(b2b2c_channels_touch(f->h, tv[i].who, tv[i].ch,
                                              tv[i].t),
                         0);
    }
    /* "all": into's touches first at equal times, as the merge orders */
    assert_int_equal(b2b2c_channels_touch(f->h, "all", "search", T0 + DAY), 0);
    assert_int_equal(
        b2b2c_channels_touch(f->h, "all", "display", T0 + 2 * DAY), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "all", "search", T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_channels_touch(f->h, "all", "email", T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_channels_touch(f->h, "all", "email", T0 + 5 * DAY),
                     0);
    assert_int_equal(b2b2c_channels_convert(f->h, "a", T0 + 6 * DAY, 100), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "all", T0 + 6 * DAY, 100),
                     0);
    assert_int_equal(b2b2c_channels_merge(f->h, "a", "b"), 0);
    path_of(f->h, "b", &p1);
    path_of(f->h, "all", &p2);
    assert_string_equal(p1.text, p2.text);
    assert_int_equal(b2b2c_channels_attribute_lead(
                         f->h, "a", B2B2C_CHANNEL_ATTRIBUTION_LINEAR, 0,
                         T0 + 100 * DAY, share_cb, &p1),
                     B2B2C_ENOTFOUND);
    /* a fresh handle reads the same */
    {
        b2b2c_channels *h2;
        assert_int_equal(b2b2c_channels_new(&h2, f->ctx), 0);
        path_of(h2, "b", &p1);
        assert_string_equal(p1.text, p2.text);
        b2b2c_channels_free(h2);
    }
}

/* into unknown: made; both converted: the earlier conversion, revenues
 * added, later touches dropped. */
static void t_conversions(void **state)
{
    fx *f = *state;
    path p;
    assert_int_equal(b2b2c_channels_touch(f->h, "a", "search", T0 + DAY), 0);
    assert_int_equal(b2b2c_channels_merge(f->h, "a", "new"), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "new", T0 + 2 * DAY, 10), 0);
    path_of(f->h, "new", &p);
    assert_string_equal(p.text, "search@1767312000=1;");
    assert_int_equal(b2b2c_channels_touch(f->h, "c", "display", T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_channels_convert(f->h, "c", T0 + 4 * DAY, 5), 0);
    assert_int_equal(b2b2c_channels_merge(f->h, "c", "new"), 0);
    path_of(f->h, "new", &p);
    assert_string_equal(p.text, "search@1767312000=1;");
    /* the conversion is the earlier one: a touch after it is refused */
    assert_int_equal(b2b2c_channels_touch(f->h, "new", "email", T0 + 3 * DAY),
                     B2B2C_ESTATE);
}

static void t_errors_and_group(void **state)
{
    fx *f = *state;
    path p0, p1;
    assert_int_equal(b2b2c_channels_touch(f->h, "a", "search", T0 + DAY), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "b", "email", T0 + 2 * DAY),
                     0);
    assert_int_equal(b2b2c_channels_convert(f->h, "b", T0 + 3 * DAY, 1), 0);
    path_of(f->h, "b", &p0);
    assert_int_equal(b2b2c_channels_merge(NULL, "a", "b"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_merge(f->h, NULL, "b"), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id"));
    assert_int_equal(b2b2c_channels_merge(f->h, "a", NULL), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "into_id"));
    assert_int_equal(b2b2c_channels_merge(f->h, "a", "a"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_merge(f->h, "", "b"), B2B2C_EBADID);
    assert_int_equal(b2b2c_channels_merge(f->h, "x", "b"), B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id: no lead 'x'"));
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_channels_merge(f->h, "a", "b"), 0);
    path_of(f->h, "b", &p1);
    assert_string_not_equal(p0.text, p1.text);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    path_of(f->h, "b", &p1);
    assert_string_equal(p0.text, p1.text);
    assert_int_equal(b2b2c_channels_touch(f->h, "a", "display", T0 + 2 * DAY),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_merged_like_one, setup, teardown),
        cmocka_unit_test_setup_teardown(t_conversions, setup, teardown),
        cmocka_unit_test_setup_teardown(t_errors_and_group, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
