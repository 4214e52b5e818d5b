/* SPDX-License-Identifier: MIT */
/*
 * Removing a channel (issue 20): only one no lead touched (ESTATE naming
 * the lead otherwise); its record and spend leave the store; the last
 * channel takes its number and the touches that name it follow, so the
 * metrics of the other channels are as before; a reload, another context
 * and a rolled-back group agree; bad input changes nothing.
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

#define DAY 86400
static const int64_t T0 = 1767225600; /* 2026-01-01 */

/* seo (touched), tv (spend only), mail (touched, added last) */
static void fill(b2b2c_channels *h)
{
    assert_int_equal(b2b2c_channels_add(h, "seo", B2B2C_CHANNEL_KIND_REACH,
                                        0, 0), 0);
    assert_int_equal(b2b2c_channels_add(h, "tv", B2B2C_CHANNEL_KIND_REACH, 0,
                                        0), 0);
    assert_int_equal(b2b2c_channels_add(h, "mail", B2B2C_CHANNEL_KIND_REACH,
                                        0, 0), 0);
    for (int d = 0; d < 5; d++) {
        assert_int_equal(b2b2c_channels_set_spend(h, "tv", T0 + d * DAY,
                                                  100, 1000), 0);
        assert_int_equal(b2b2c_channels_set_spend(h, "mail", T0 + d * DAY,
                                                  10, 50), 0);
    }
    for (int i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof id, "L%d", i);
        assert_int_equal(b2b2c_channels_touch(h, id, "seo", T0 + i * 3600),
                         0);
        if (i % 2)
            assert_int_equal(b2b2c_channels_touch(h, id, "mail",
                                                  T0 + i * 3600 + 60), 0);
        if (i % 3 == 0)
            assert_int_equal(b2b2c_channels_convert(h, id, T0 + 2 * DAY,
                                                    50.0 + i), 0);
    }
}

/* Every metrics row as text, channel by channel (rows by channel ID). */
typedef struct text {
    char buf[4096];
    size_t len;
} text;

static int row(const char *key, const double *f, size_t n, void *ud)
{
    text *t = ud;
    t->len += (size_t)snprintf(t->buf + t->len, sizeof t->buf - t->len,
                               "%s", key);
    for (size_t i = 0; i < n; i++)
        t->len += (size_t)snprintf(t->buf + t->len, sizeof t->buf - t->len,
                                   " %.17g", f[i]);
    t->len += (size_t)snprintf(t->buf + t->len, sizeof t->buf - t->len,
                               "\n");
    return 0;
}

static void metrics(b2b2c_channels *h, int32_t model, text *t)
{
    t->len = 0;
    t->buf[0] = 0;
    assert_int_equal(b2b2c_channels_metrics(h, B2B2C_CHANNELS_BY_CHANNEL,
                                            model, T0 - DAY, T0 + 30 * DAY,
                                            row, t),
                     0);
}

/* The text without the line of channel `id`. */
static void drop_line(text *t, const char *id)
{
    size_t k = strlen(id);
    char *p = t->buf;
    while (*p) {
        char *e = strchr(p, '\n');
        if (strncmp(p, id, k) == 0 && p[k] == ' ') {
            memmove(p, e + 1, strlen(e + 1) + 1);
            t->len = strlen(t->buf);
            return;
        }
        p = e + 1;
    }
}

typedef struct search {
    const char *needle;
    size_t hits;
} search;

static int search_row(const void *k, size_t kl, const void *v, size_t vl,
                      void *ud)
{
    search *s = ud;
    size_t n = strlen(s->needle);
    for (size_t i = 0; i + n <= kl; i++)
        s->hits += memcmp((const char *)k + i, s->needle, n) == 0;
    for (size_t i = 0; i + n <= vl; i++)
        s->hits += memcmp((const char *)v + i, s->needle, n) == 0;
    return 0;
}

static size_t hits(b2b2c_storage *st, const char *needle)
{
    search s = {needle, 0};
    static const char *const t[] = {CH_T_CHANNELS, CH_T_SPEND, CH_T_LEADS};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(st->begin(st->userdata), 0);
        assert_int_equal(st->scan(st->userdata, t[i], search_row, &s), 0);
        assert_int_equal(st->rollback(st->userdata), 0);
    }
    return s.hits;
}

static void t_remove(void **state)
{
    sync_pair p;
    b2b2c_channels *a, *b, *c;
    text before, after, other;
    size_t n = 0;
    int32_t kind;
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_channels_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_channels_new(&b, p.cb), 0);
    fill(a);
    metrics(a, B2B2C_CHANNEL_ATTRIBUTION_LINEAR, &before);
    drop_line(&before, "tv");

    /* touched: ESTATE naming a lead; nothing changed */
    assert_int_equal(b2b2c_channels_remove(a, "seo"), B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(p.ca), "lead 'L"));
    assert_int_equal(b2b2c_channels_remove(a, "mail"), B2B2C_ESTATE);

    assert_true(hits(&p.st, "tv") > 0);
    assert_int_equal(b2b2c_channels_remove(a, "tv"), 0);
    assert_int_equal(hits(&p.st, "tv"), 0);
    assert_int_equal(b2b2c_channels_count(&n, a), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b2b2c_channels_get(&kind, NULL, NULL, a, "tv"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_channels_remove(a, "tv"), B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(p.ca), "channel_id"));
    /* mail took tv's number: every metric of the others as before */
    metrics(a, B2B2C_CHANNEL_ATTRIBUTION_LINEAR, &after);
    assert_string_equal(before.buf, after.buf);
    /* the other context reloads; a new one loads the same */
    metrics(b, B2B2C_CHANNEL_ATTRIBUTION_LINEAR, &other);
    assert_string_equal(before.buf, other.buf);
    assert_int_equal(b2b2c_channels_new(&c, p.ca), 0);
    assert_true(b2b2c__channels_digest(c) == b2b2c__channels_digest(a));
    b2b2c_channels_free(c);
    /* the ID may come back; new touches count */
    assert_int_equal(b2b2c_channels_add(b, "tv", B2B2C_CHANNEL_KIND_REACH,
                                        0, 0), 0);
    assert_int_equal(b2b2c_channels_touch(b, "L9", "tv", T0), 0);
    assert_int_equal(b2b2c_channels_remove(a, "tv"), B2B2C_ESTATE);
    b2b2c_channels_free(a);
    b2b2c_channels_free(b);
    sync_pair_close(&p);
}

/* Removing the last channel, and a removal rolled back with its group. */
static void t_remove_last_and_group(void **state)
{
    th_store s;
    b2b2c_ctx *ctx;
    b2b2c_channels *h, *h2;
    uint64_t d0;
    (void)state;
    th_store_init(&s);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &s.methods), 0);
    assert_int_equal(b2b2c_channels_new(&h, ctx), 0);
    fill(h);
    assert_int_equal(b2b2c_channels_add(h, "radio",
                                        B2B2C_CHANNEL_KIND_REACH, 0, 0), 0);
    d0 = b2b2c__channels_digest(h);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c_channels_remove(h, "tv"), 0);
    assert_int_equal(b2b2c_channels_remove(h, "radio"), 0);
    assert_int_equal(b2b2c_channels_add(h, "x1", B2B2C_CHANNEL_KIND_REACH,
                                        0, 0), 0);
    assert_int_equal(b2b2c_channels_add(h, "x2", B2B2C_CHANNEL_KIND_REACH,
                                        0, 0), 0);
    assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    assert_true(b2b2c__channels_digest(h) == d0);
    assert_int_equal(b2b2c_channels_remove(h, "radio"), 0);
    assert_int_equal(b2b2c_channels_new(&h2, ctx), 0);
    assert_true(b2b2c__channels_digest(h2) == b2b2c__channels_digest(h));
    b2b2c_channels_free(h2);
    /* bad input */
    d0 = b2b2c__channels_digest(h);
    assert_int_equal(b2b2c_channels_remove(NULL, "tv"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_remove(h, NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_remove(h, ""), B2B2C_EBADID);
    assert_int_equal(b2b2c_channels_remove(h, "nope"), B2B2C_ENOTFOUND);
    assert_true(b2b2c__channels_digest(h) == d0);
    b2b2c_channels_free(h);
    b2b2c_ctx_free(ctx);
    th_store_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_remove),
        cmocka_unit_test(t_remove_last_and_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
