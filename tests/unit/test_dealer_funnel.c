/* SPDX-License-Identifier: MIT */
/* The dealer funnel (b2b2c_dealer_funnel): a small history worked by
 * hand, every field of every row; the window's edges; an empty engine;
 * bad input; the same answer after a reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "b2b2c.h"
#include "dealer_fixture.h"

#define H 3600
#define D 86400
#define F(x) B2B2C_DEALER_FUNNEL_##x

typedef struct rows {
    int n;
    char id[4][8];
    double f[4][B2B2C_DEALER_FUNNEL_NFIELDS];
    size_t nfields;
} rows;

static int collect(const char *dealer_id, const double *fields,
                   size_t nfields, void *u)
{
    rows *r = u;
    assert_true(r->n < 4);
    strcpy(r->id[r->n], dealer_id ? dealer_id : "*");
    memcpy(r->f[r->n], fields, nfields * sizeof(double));
    r->nfields = nfields;
    r->n++;
    return 0;
}

static int stop(const char *dealer_id, const double *fields, size_t nfields,
                void *u)
{
    (void)dealer_id, (void)fields, (void)nfields, (void)u;
    return 42;
}

#define NEAR(got, want)                                                     \
    do {                                                                    \
        double g_ = (got), w_ = (want);                                     \
        if (isnan(w_) ? !isnan(g_) : fabs(g_ - w_) > 1e-9)                  \
            fail_msg("%s = %.12g, want %.12g", #got, g_, w_);               \
    } while (0)

/* The history (d1 is whoever L2 went to first, d2 the other):
 *   L1  RA  a at T0, accepted +2 h, won 3 days later
 *   L2  RX  d1 at T0 + 1 h, declined at + 5 h -> d2 (routed on then),
 *           accepted at + 6 h, lost a day later
 *   L3  RB  b at T0 + 6 h, open (its deadline is after the expiry run)
 *   L4  RA  a at T0 + 3 h, expired (nobody else covers RA)
 *   L5  RA  a at T0 + 4 h, accepted half an hour later, recalled */
static void history(fx *f, const char **d1)
{
    b2b2c_dealer_engine *e = f->e;
    const char *d, *dd;
    int32_t why;
    size_t n;
    assert_int_equal(b2b2c_dealer_put(e, "a", 1, "RA;RX", "", 10, 0, 48), 0);
    assert_int_equal(b2b2c_dealer_put(e, "b", 1, "RB;RX", "", 10, 0, 48), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L1", "RA", 0, 0, 0,
                                        NULL, 0, 0, T0), 0);
    assert_string_equal(d, "a");
    assert_int_equal(b2b2c_dealer_accept(e, "L1", "a", T0 + 2 * H), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, "L1", 1, 100, T0 + 2 * H + 3 * D),
                     0);
    assert_int_equal(b2b2c_dealer_route(d1, &why, e, "L2", "RX", 0, 0, 0,
                                        NULL, 0, 0, T0 + H), 0);
    assert_int_equal(b2b2c_dealer_decline(&dd, &why, e, "L2", *d1, 0,
                                          T0 + 5 * H), 0);
    assert_true(strcmp(dd, *d1) != 0);
    assert_int_equal(b2b2c_dealer_accept(e, "L2", dd, T0 + 6 * H), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, "L2", 0, 0, T0 + 6 * H + D), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L3", "RB", 0, 0, 0,
                                        NULL, 0, 0, T0 + 6 * H), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L4", "RA", 0, 0, 0,
                                        NULL, 0, 0, T0 + 3 * H), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L5", "RA", 0, 0, 0,
                                        NULL, 0, 0, T0 + 4 * H), 0);
    assert_int_equal(b2b2c_dealer_accept(e, "L5", "a", T0 + 4 * H + H / 2),
                     0);
    assert_int_equal(b2b2c_dealer_recall(e, "L5", T0 + 10 * H), 0);
    /* L4's deadline (48 h) passes; nobody else covers RA */
    assert_int_equal(b2b2c_dealer_expire(&n, e, T0 + 3 * H + 49 * H, NULL,
                                         NULL), 0);
    assert_true(n >= 1);
}

static void t_hand_worked(void **state)
{
    fx *f = *state;
    const char *d1;
    rows r;
    int a_first;
    history(f, &d1);
    a_first = strcmp(d1, "a") == 0;
    for (int pass = 0; pass < 2; pass++) {
        memset(&r, 0, sizeof(r));
        assert_int_equal(b2b2c_dealer_funnel(f->e, T0, T0 + D, collect, &r),
                         0);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.nfields, B2B2C_DEALER_FUNNEL_NFIELDS);
        assert_string_equal(r.id[0], "a");
        assert_string_equal(r.id[1], "b");
        assert_string_equal(r.id[2], "*");
        {
            /* a: L1 (won), L4 (expired), L5 (recalled after accepting),
             * and L2 either declined (a first) or accepted and lost */
            double *fa = r.f[0];
            NEAR(fa[F(OFFERED)], 4);
            NEAR(fa[F(OPEN)], 0);
            NEAR(fa[F(ACCEPTED)], a_first ? 2 : 3);
            NEAR(fa[F(DECLINED)], a_first ? 1 : 0);
            NEAR(fa[F(EXPIRED)], 1);
            NEAR(fa[F(RECALLED)], 1);
            NEAR(fa[F(WON)], 1);
            NEAR(fa[F(LOST)], a_first ? 0 : 1);
            NEAR(fa[F(ACCEPT_RATE)], (a_first ? 2 : 3) / 4.0);
            NEAR(fa[F(WIN_RATE)], a_first ? 1 : 0.5);
            NEAR(fa[F(RESPONSES)], 3);
            /* responses: 2 h, 0.5 h and L2's (4 h declined, or 1 h
             * accepted); close: 3 days (and L2's 1 day) */
            if (a_first) {
                NEAR(fa[F(RESPONSE_P50_HOURS)], 2);
                NEAR(fa[F(RESPONSE_P90_HOURS)], 2 + 0.8 * 2);
                NEAR(fa[F(CLOSE_P50_DAYS)], 3);
                NEAR(fa[F(CLOSE_P90_DAYS)], 3);
            } else {
                NEAR(fa[F(RESPONSE_P50_HOURS)], 1);
                NEAR(fa[F(RESPONSE_P90_HOURS)], 1 + 0.8 * 1);
                NEAR(fa[F(CLOSE_P50_DAYS)], 2);
                NEAR(fa[F(CLOSE_P90_DAYS)], 1 + 0.9 * 2);
            }
        }
        {
            /* b: L3 open, and L2 */
            double *fb = r.f[1];
            NEAR(fb[F(OFFERED)], 2);
            NEAR(fb[F(OPEN)], 1);
            NEAR(fb[F(ACCEPTED)], a_first ? 1 : 0);
            NEAR(fb[F(DECLINED)], a_first ? 0 : 1);
            NEAR(fb[F(LOST)], a_first ? 1 : 0);
            NEAR(fb[F(WON)], 0);
            NEAR(fb[F(WIN_RATE)], a_first ? 0 : NAN);
            NEAR(fb[F(RESPONSES)], 1);
            NEAR(fb[F(RESPONSE_P50_HOURS)], a_first ? 1 : 4);
            NEAR(fb[F(CLOSE_P50_DAYS)], a_first ? 1 : NAN);
        }
        {
            /* the network: sums; responses {0.5, 1, 2, 4} whoever d1 is,
             * close {1, 3} days */
            double *fn = r.f[2];
            NEAR(fn[F(OFFERED)], 6);
            NEAR(fn[F(ACCEPTED)], 3);
            NEAR(fn[F(DECLINED)], 1);
            NEAR(fn[F(OPEN)], 1);
            NEAR(fn[F(EXPIRED)], 1);
            NEAR(fn[F(RECALLED)], 1);
            NEAR(fn[F(WON)], 1);
            NEAR(fn[F(LOST)], 1);
            NEAR(fn[F(ACCEPT_RATE)], 0.5);
            NEAR(fn[F(WIN_RATE)], 0.5);
            NEAR(fn[F(RESPONSES)], 4);
            NEAR(fn[F(RESPONSE_P50_HOURS)], 1.5);
            NEAR(fn[F(RESPONSE_P90_HOURS)], 2 + 0.7 * 2);
            NEAR(fn[F(CLOSE_P50_DAYS)], 2);
            NEAR(fn[F(CLOSE_P90_DAYS)], 1 + 0.9 * 2);
        }
        reopen(f); /* the same answer from storage */
    }
}

/* [from, to): an offer at `to` is out, one at `from` in */
static void t_window(void **state)
{
    fx *f = *state;
    const char *d1;
    rows r;
    history(f, &d1);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_dealer_funnel(f->e, T0 + H, T0 + 3 * H, collect,
                                         &r), 0);
    /* only L2's first offer (T0 + 1 h, to d1): not L1 (T0) nor L4
     * (T0 + 3 h, the end), nor L2's second offer (T0 + 5 h) */
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[0], d1);
    NEAR(r.f[0][F(OFFERED)], 1);
    NEAR(r.f[0][F(DECLINED)], 1);
    NEAR(r.f[0][F(RESPONSE_P50_HOURS)], 4);
    NEAR(r.f[1][F(OFFERED)], 1);
    /* nothing in the window: only the network's row, of zeros */
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_dealer_funnel(f->e, T0 - D, T0, collect, &r), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.id[0], "*");
    NEAR(r.f[0][F(OFFERED)], 0);
    NEAR(r.f[0][F(ACCEPT_RATE)], NAN);
    NEAR(r.f[0][F(RESPONSE_P50_HOURS)], NAN);
}

static void t_empty_and_bad(void **state)
{
    fx *f = *state;
    rows r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_dealer_funnel(f->e, INT64_MIN, INT64_MAX, collect,
                                         &r), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(b2b2c_dealer_funnel(NULL, 0, 1, collect, &r),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_funnel(f->e, 0, 1, NULL, &r), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "cb"));
    assert_int_equal(b2b2c_dealer_funnel(f->e, 2, 1, collect, &r),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from"));
    /* the callback's code stops the listing and is returned */
    assert_int_equal(b2b2c_dealer_funnel(f->e, 0, 1, stop, NULL), 42);
}

static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_hand_worked, setup, teardown),
        cmocka_unit_test_setup_teardown(t_window, setup, teardown),
        cmocka_unit_test_setup_teardown(t_empty_and_bad, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
