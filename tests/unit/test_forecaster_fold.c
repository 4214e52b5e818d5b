/* SPDX-License-Identifier: MIT */
/* Folding old purchases (issue 20, first slice: src/forecast/fc_fold.c):
 * a customer's summary computed from a folded prefix plus the purchases
 * kept has exactly the bits of the summary of the whole log, for every
 * fold point and every end at or after it, in several UTC offsets; a fold
 * extended in two steps equals the fold made at once; a fold cut in one
 * offset is refused in another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"
#include "forecast/fc_state.h"

#define DAY 86400
#define T0 1735689600 /* 2025-01-01 */
#define NCUST 40

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A forecaster on a context in `offset` with NCUST customers whose logs
 * are out of time order, hold several purchases on some days, purchases
 * exactly at local midnight, and services and subscriptions too. */
static void fill(b2b2c_ctx **ctx, b2b2c_forecaster **f, int32_t offset,
                 int ordered)
{
    char id[32];
    assert_int_equal(b2b2c_ctx_new(ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(*ctx, offset), 0);
    assert_int_equal(b2b2c_forecaster_new(f, *ctx), 0);
    for (int c = 0; c < NCUST; c++) {
        int n = 1 + (int)(next() % 30);
        snprintf(id, sizeof id, "c%02d", c);
        for (int i = 0; i < n; i++) {
            /* ordered: in time order but for one purchase in ten
             * recorded up to 30 days late */
            int64_t day = ordered ? (int64_t)(i * 400 / n) -
                                        (next() % 10 == 0
                                             ? (int64_t)(next() % 30)
                                             : 0)
                                  : (int64_t)(next() % 400);
            int64_t sec = next() % 4 == 0 ? 0 : (int64_t)(next() % DAY);
            int64_t t = T0 + day * DAY - offset + sec;
            double amount = (double)(next() % 100000) / 7.0;
            int32_t kind = next() % 5 == 0
                               ? (int32_t)(1 + next() % 5) /* services */
                               : B2B2C_FORECAST_KIND_PRODUCT;
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 *f, id, B2B2C_SEGMENT_B2B_SMALL_PRO, t,
                                 amount, kind),
                             0);
        }
    }
}

static const fc_cust *cust(const b2b2c_forecaster *f, int c)
{
    char id[32];
    const fc_cust *p;
    snprintf(id, sizeof id, "c%02d", c);
    p = b2b2c__map_get(&f->cust, id, strlen(id));
    assert_non_null(p);
    return p;
}

static void same_summ(const fc_summ *a, const fc_summ *b)
{
    assert_memory_equal(&a->x, &b->x, sizeof(double));
    assert_memory_equal(&a->tx, &b->tx, sizeof(double));
    assert_memory_equal(&a->T, &b->T, sizeof(double));
    assert_memory_equal(&a->m, &b->m, sizeof(double));
    assert_memory_equal(&a->total, &b->total, sizeof(double));
    assert_int_equal(a->ndays, b->ndays);
    assert_int_equal(a->first_day, b->first_day);
    assert_int_equal(a->last_day, b->last_day);
}

/* The fold's prefix summary is the whole log's summary at the fold point
 * (end = fo.before, not inclusive), and its first time the earliest
 * purchase of any kind before it. */
static void check_prefix(const b2b2c_ctx *ctx, const fc_cust *c,
                         const fc_fold *fo, fc_scratch *sc)
{
    fc_summ s;
    int64_t first = INT64_MAX;
    memset(&s, 0, sizeof s);
    if (b2b2c__fc_summarise(ctx, c, fo->before, 0, 1.0, sc, &s)) {
        assert_int_equal(fo->ndays, s.ndays);
        assert_int_equal(fo->first_day, s.first_day);
        assert_int_equal(fo->last_day, s.last_day);
        assert_memory_equal(&fo->total, &s.total, sizeof(double));
    } else {
        assert_int_equal(fo->ndays, 0);
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].time < fo->before && c->p[i].time < first)
            first = c->p[i].time;
    assert_int_equal(fo->first_time, first);
}

static void run_offset(int32_t offset)
{
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
    fc_scratch sc;
    size_t both = 0, compared = 0;
    fill(&ctx, &f, offset, 0);
    assert_int_equal(b2b2c__fc_scratch_new(&sc, ctx, 64, 64), 0);
    for (int ci = 0; ci < NCUST; ci++) {
        const fc_cust *c = cust(f, ci);
        assert_true(c->n <= 64);
        for (int r = 0; r < 12; r++) {
            /* a fold point anywhere in the log's span, often a midnight */
            int64_t before = T0 - 5 * DAY + (int64_t)(next() % (410 * DAY));
            fc_fold fo, two;
            b2b2c__fc_fold_init(&fo, ctx);
            assert_int_equal(b2b2c__fc_fold_extend(&fo, ctx, c, before, &sc),
                             0);
            assert_true(fo.before <= before && before - fo.before < DAY);
            assert_int_equal(b2b2c__day(ctx, fo.before) * DAY -
                                 (int64_t)offset,
                             fo.before);
            check_prefix(ctx, c, &fo, &sc);
            /* the same fold in two steps */
            b2b2c__fc_fold_init(&two, ctx);
            assert_int_equal(b2b2c__fc_fold_extend(
                                 &two, ctx, c,
                                 before - (int64_t)(next() % (90 * DAY)), &sc),
                             0);
            assert_int_equal(b2b2c__fc_fold_extend(&two, ctx, c, before, &sc),
                             0);
            assert_memory_equal(&two, &fo, sizeof fo);
            for (int e = 0; e < 8; e++) {
                int64_t end = fo.before + (e == 0 ? 0
                                                  : (int64_t)(next() %
                                                              (420 * DAY)));
                int incl = e % 2;
                fc_summ whole, folded;
                int hw, hf;
                memset(&whole, 0, sizeof whole);
                memset(&folded, 0, sizeof folded);
                hw = b2b2c__fc_summarise(ctx, c, end, incl, 7.0, &sc,
                                         &whole);
                hf = b2b2c__fc_summarise_fold(ctx, &fo, c, end, incl, 7.0,
                                              &sc, &folded);
                assert_int_equal(hw, hf);
                same_summ(&whole, &folded);
                compared += (size_t)hw;
                both += hw && fo.ndays > 0 && whole.ndays > fo.ndays;
            }
        }
    }
    /* the cases that matter were met: prefix and kept days together */
    assert_true(compared > 1000);
    assert_true(both > 500);
    b2b2c__fc_scratch_free(ctx, &sc);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
}

/* Is folding p[0..j) possible at `before` (brute force)? */
static int can_fold(const b2b2c_ctx *ctx, const fc_cust *c, size_t j,
                    int64_t before)
{
    int64_t lim = before, pmax = INT64_MIN, m;
    for (size_t i = j; i < c->n; i++)
        if (c->p[i].time < lim)
            lim = c->p[i].time;
    m = b2b2c__day_start(ctx, b2b2c__day(ctx, lim));
    for (size_t i = 0; i < j; i++)
        if (c->p[i].time > pmax)
            pmax = c->p[i].time;
    return pmax < m;
}

/* A customer holding only c's purchases p[k..n): what memory keeps after
 * a fold drops p[0..k). Free with free(). */
static fc_cust *kept(const fc_cust *c, size_t k)
{
    fc_cust *d = calloc(1, sizeof(fc_cust) + c->idlen + 1);
    assert_non_null(d);
    memcpy(d->id, c->id, c->idlen + 1);
    d->idlen = c->idlen;
    d->segment = c->segment;
    d->p = c->p + k;
    d->n = c->n - k;
    d->cap = d->n;
    return d;
}

/* The fold's other aggregates against p[0..k) counted by hand. */
static void check_aggregates(const fc_cust *c, size_t k, const fc_fold *fo)
{
    uint64_t nsub = 0;
    int64_t last = INT64_MIN, sf = INT64_MAX, sl = INT64_MIN;
    double rev = 0;
    for (size_t i = 0; i < k; i++) {
        const fc_purchase *p = &c->p[i];
        if (p->time > last)
            last = p->time;
        if (p->kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION) {
            nsub++;
            rev += p->amount;
            sf = p->time < sf ? p->time : sf;
            sl = p->time > sl ? p->time : sl;
        }
    }
    assert_int_equal(fo->count, k);
    if (k)
        assert_int_equal(fo->last_time, last);
    assert_int_equal(fo->nsub, nsub);
    if (nsub) {
        assert_int_equal(fo->sub_first, sf);
        assert_int_equal(fo->sub_last, sl);
        assert_memory_equal(&fo->sub_rev, &rev, sizeof rev);
    }
}

/* Folding where b2b2c__fc_fold_point says keeps the sequence dense: the
 * purchases folded are exactly a sequence prefix, no larger prefix could
 * be, and with them dropped from memory (twice, at two points) every
 * summary at or after the fold point has the whole log's bits. */
static void run_drop(int32_t offset, int ordered)
{
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
    fc_scratch sc;
    size_t folded = 0, compared = 0;
    fill(&ctx, &f, offset, ordered);
    assert_int_equal(b2b2c__fc_scratch_new(&sc, ctx, 64, 64), 0);
    for (int ci = 0; ci < NCUST; ci++) {
        const fc_cust *c = cust(f, ci);
        for (int r = 0; r < 8; r++) {
            int64_t b1 = T0 - 5 * DAY + (int64_t)(next() % (410 * DAY));
            int64_t b2 = b1 + (int64_t)(next() % (100 * DAY));
            int64_t cut, cut2;
            size_t k, k2;
            fc_fold fo;
            fc_cust *d, *d2;
            k = b2b2c__fc_fold_point(ctx, c, b1, sc.days, &cut);
            assert_true(cut <= b1);
            assert_int_equal(b2b2c__day_start(ctx, b2b2c__day(ctx, cut)),
                             cut);
            for (size_t i = 0; i < c->n; i++)
                assert_true(i < k ? c->p[i].time < cut
                                  : c->p[i].time >= cut);
            assert_true(can_fold(ctx, c, k, b1));
            for (size_t j = k + 1; j <= c->n; j++)
                assert_false(can_fold(ctx, c, j, b1));
            b2b2c__fc_fold_init(&fo, ctx);
            assert_int_equal(b2b2c__fc_fold_extend(&fo, ctx, c, cut, &sc), 0);
            assert_int_equal(fo.before, cut);
            check_aggregates(c, k, &fo);
            d = kept(c, k);
            /* again, later, on what memory kept */
            k2 = b2b2c__fc_fold_point(ctx, d, b2, sc.days, &cut2);
            assert_true(cut2 >= cut);
            assert_int_equal(b2b2c__fc_fold_extend(&fo, ctx, d, cut2, &sc),
                             0);
            check_aggregates(c, k + k2, &fo);
            d2 = kept(d, k2);
            folded += k + k2;
            for (int e = 0; e < 6; e++) {
                int64_t end = cut2 + (e == 0 ? 0
                                             : (int64_t)(next() % (420 * DAY)));
                fc_summ whole, part;
                int hw, hp;
                memset(&whole, 0, sizeof whole);
                memset(&part, 0, sizeof part);
                hw = b2b2c__fc_summarise(ctx, c, end, e % 2, 7.0, &sc, &whole);
                hp = b2b2c__fc_summarise_fold(ctx, &fo, d2, end, e % 2, 7.0,
                                              &sc, &part);
                assert_int_equal(hw, hp);
                same_summ(&whole, &part);
                compared += (size_t)hw;
            }
            free(d);
            free(d2);
        }
    }
    assert_true(folded > 1000);
    assert_true(compared > 500);
    b2b2c__fc_scratch_free(ctx, &sc);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
}

static void t_fold_drop_ordered(void **state)
{
    (void)state;
    run_drop(0, 1);
    run_drop(-3 * 3600 - 1800, 1); /* -03:30 */
}

static void t_fold_drop_random(void **state)
{
    (void)state;
    run_drop(0, 0);
    run_drop(9 * 3600, 0);
}

/* fo as a stored fold: no service, and gaps that add up to its days
 * (ndays - 2 gaps of one day and the rest in one). */
static fc_folded *wrap(const fc_fold *fo)
{
    fc_folded *fd = calloc(1, b2b2c__fc_folded_size(0, 2));
    assert_non_null(fd);
    memcpy(&fd->fo, fo, sizeof *fo);
    fd->segment = B2B2C_SEGMENT_B2C_CONSUMER;
    if (fo->ndays >= 2 && fo->ndays <= fo->count &&
        fo->last_day - fo->first_day >= (int64_t)fo->ndays - 1) {
        int64_t rest = fo->last_day - fo->first_day -
                       ((int64_t)fo->ndays - 2);
        if (fo->ndays == 2 || rest == 1) {
            fc_gaps(fd)[0].days = (uint32_t)rest;
            fc_gaps(fd)[0].count = rest == 1 ? (uint32_t)fo->ndays - 1 : 1;
            fd->ngap = 1;
        } else {
            fc_gaps(fd)[0].days = 1;
            fc_gaps(fd)[0].count = (uint32_t)fo->ndays - 2;
            fc_gaps(fd)[1].days = (uint32_t)rest;
            fc_gaps(fd)[1].count = 1;
            fd->ngap = 2;
        }
    }
    return fd;
}

/* Encode fo (version `version`) and decode it under key id. */
static int round_trip(b2b2c_ctx *ctx, const fc_fold *fo, uint8_t version,
                      size_t cut_bytes, fc_fold *out)
{
    b2b2c__wbuf w;
    fc_folded *fd = wrap(fo), *back = NULL;
    int rc;
    b2b2c__fc_fold_enc(&w, ctx, fd);
    w.buf[0] = version;
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    rc = b2b2c__fc_dec_fold(ctx, "c00", 3, w.buf, w.len - cut_bytes, &back);
    b2b2c__enc_fini(&w);
    if (rc == 0) {
        assert_int_equal(back->ngap, fd->ngap);
        assert_int_equal(back->segment, fd->segment);
        memcpy(out, &back->fo, sizeof *out);
        b2b2c__free(ctx, back);
    } else {
        assert_null(back);
    }
    free(fd);
    return rc;
}

/* The forecast_fold record: folds made from real logs come back bit for
 * bit; a value with one field out of range or inconsistent, truncated,
 * under an empty key or of a newer version is refused, the output
 * untouched. */
static void t_fold_record(void **state)
{
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
    fc_scratch sc;
    size_t tried = 0, subs = 0;
    (void)state;
    fill(&ctx, &f, 5 * 3600 + 1800, 1);
    assert_int_equal(b2b2c__fc_scratch_new(&sc, ctx, 64, 64), 0);
    for (int ci = 0; ci < NCUST; ci++) {
        const fc_cust *c = cust(f, ci);
        int64_t cut;
        fc_fold fo, back, bad, keep;
        size_t k = b2b2c__fc_fold_point(ctx, c, T0 + 300 * DAY, sc.days,
                                        &cut);
        if (k == 0)
            continue;
        b2b2c__fc_fold_init(&fo, ctx);
        assert_int_equal(b2b2c__fc_fold_extend(&fo, ctx, c, cut, &sc), 0);
        assert_int_equal(round_trip(ctx, &fo, 1, 0, &back), 0);
        assert_memory_equal(&fo, &back, sizeof fo);
        tried++;
        subs += fo.nsub > 0;
        memset(&keep, 0x5a, sizeof keep);
        for (int m = 0; m < 18; m++) {
            memcpy(&bad, &fo, sizeof bad);
            switch (m) {
            case 0: bad.before += 1; break; /* not a midnight */
            case 1: bad.utc_offset = B2B2C_UTC_OFFSET_MAX + 1; break;
            case 2: bad.count = 0; break;
            case 3: bad.first_time = bad.before; break;
            case 4: bad.last_time = bad.before; break;
            case 5: bad.first_time = bad.last_time + 1; break;
            case 6: bad.ndays = (size_t)bad.count + 1; break;
            case 7: bad.nsub = bad.count - bad.ndays + 1; break;
            case 8:
                if (bad.ndays) bad.first_day = bad.last_day + 1;
                else bad.first_day = 1;
                break;
            case 9:
                if (bad.ndays) bad.last_day = b2b2c__day(ctx, bad.before);
                else bad.total = 1;
                break;
            case 10: bad.total = NAN; bad.ndays = bad.ndays ? bad.ndays : 1;
                break;
            case 11: bad.rep = -1; break;
            case 12: bad.rep = bad.total + 1; break;
            case 13:
                if (bad.nsub) bad.sub_first = bad.sub_last + 1;
                else bad.sub_rev = 1;
                break;
            case 14:
                if (bad.nsub) bad.sub_last = bad.last_time + 1;
                else bad.sub_first = bad.first_time;
                break;
            case 15: bad.before = INT64_MAX - INT64_MAX % DAY; break;
            case 16:
                if (bad.ndays)
                    bad.first_day = b2b2c__day(ctx, bad.first_time) - 1;
                else
                    bad.last_day = 1;
                break;
            default: bad.sub_rev = bad.nsub ? INFINITY : 2; break;
            }
            memcpy(&back, &keep, sizeof back);
            assert_int_equal(round_trip(ctx, &bad, 1, 0, &back),
                             B2B2C_ECORRUPT);
            assert_memory_equal(&back, &keep, sizeof back);
        }
        assert_int_equal(round_trip(ctx, &fo, 1, 1, &back), B2B2C_ECORRUPT);
        assert_int_equal(round_trip(ctx, &fo, 2, 0, &back), B2B2C_EVERSION);
        assert_memory_equal(&back, &keep, sizeof back);
        {
            b2b2c__wbuf w;
            fc_folded *fd = wrap(&fo), *none = NULL;
            b2b2c__fc_fold_enc(&w, ctx, fd);
            free(fd);
            assert_int_equal(b2b2c__enc_finish(&w), 0);
            assert_int_equal(b2b2c__fc_dec_fold(ctx, "", 0, w.buf, w.len,
                                                &none),
                             B2B2C_ECORRUPT);
            assert_null(none);
            assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "forecast_fold"));
            b2b2c__enc_fini(&w);
        }
    }
    assert_true(tried > 10);
    assert_true(subs > 0);
    b2b2c__fc_scratch_free(ctx, &sc);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
}

static void t_fold_bits_utc(void **state)
{
    (void)state;
    run_offset(0);
}

static void t_fold_bits_east(void **state)
{
    (void)state;
    run_offset(5 * 3600 + 1800); /* +05:30 */
}

static void t_fold_bits_west(void **state)
{
    (void)state;
    run_offset(-8 * 3600);
}

/* A fold cut in one UTC offset is not used in another (its days would
 * be another offset's days): B2B2C_ESTATE, the fold unchanged. */
static void t_fold_other_offset(void **state)
{
    b2b2c_ctx *ctx, *other;
    b2b2c_forecaster *f;
    fc_scratch sc;
    fc_fold fo, copy;
    const fc_cust *c;
    (void)state;
    fill(&ctx, &f, 0, 0);
    assert_int_equal(b2b2c_ctx_new(&other, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(other, 3600), 0);
    assert_int_equal(b2b2c__fc_scratch_new(&sc, ctx, 64, 64), 0);
    c = cust(f, 0);
    b2b2c__fc_fold_init(&fo, ctx);
    assert_true(b2b2c__fc_fold_usable(&fo, other)); /* nothing folded */
    assert_int_equal(
        b2b2c__fc_fold_extend(&fo, ctx, c, T0 + 200 * DAY + 7, &sc), 0);
    assert_int_equal(fo.before, T0 + 200 * DAY);
    assert_true(b2b2c__fc_fold_usable(&fo, ctx));
    assert_false(b2b2c__fc_fold_usable(&fo, other));
    memcpy(&copy, &fo, sizeof fo);
    assert_int_equal(
        b2b2c__fc_fold_extend(&fo, other, c, T0 + 300 * DAY, &sc),
        B2B2C_ESTATE);
    assert_memory_equal(&copy, &fo, sizeof fo);
    /* out of the time range: refused, unchanged */
    assert_int_equal(b2b2c__fc_fold_extend(&fo, ctx, c, INT64_MAX, &sc),
                     B2B2C_ERANGE);
    assert_memory_equal(&copy, &fo, sizeof fo);
    /* an earlier point than the fold's: nothing to do */
    assert_int_equal(b2b2c__fc_fold_extend(&fo, ctx, c, T0, &sc), 0);
    assert_memory_equal(&copy, &fo, sizeof fo);
    b2b2c__fc_scratch_free(ctx, &sc);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    b2b2c_ctx_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fold_bits_utc),
        cmocka_unit_test(t_fold_bits_east),
        cmocka_unit_test(t_fold_bits_west),
        cmocka_unit_test(t_fold_other_offset),
        cmocka_unit_test(t_fold_drop_ordered),
        cmocka_unit_test(t_fold_drop_random),
        cmocka_unit_test(t_fold_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
