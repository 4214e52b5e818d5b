/* SPDX-License-Identifier: MIT */
/* Forecast example: fit BG/NBD and Gamma-Gamma on a small customer
 * summary with the stateless API, then print each customer's expected
 * purchases, P(alive) and 12-week CLV; then the same through the stateful
 * forecaster from a purchase log. Exits non-zero on any library error. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "b2b2c.h"

#define CHECK(call)                                                        \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_) {                                                         \
            fprintf(stderr, "%s: %s (%s)\n", #call, b2b2c_strerror(rc_),    \
                    b2b2c_ctx_errmsg(ctx));                                \
            return 1;                                                      \
        }                                                                  \
    } while (0)

/* uniform in [0, 1) (xorshift64) */
static double unif(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) * 0x1.0p-53;
}

int main(void)
{
    /* frequency, recency and age in weeks; mean repeat-purchase value */
    static const double x[] = {0, 2, 1, 7, 0, 3, 5, 0, 1, 4, 0, 2};
    static const double tx[] = {0, 30.4, 1.7, 29.4, 0, 20.1, 35.0, 0, 5.0,
                                12.3, 0, 36.0};
    static const double T[] = {38.9, 38.9, 38.9, 35.7, 37.0, 36.1, 38.0, 32.0,
                               30.0, 33.3, 31.0, 37.5};
    static const double m[] = {0, 40.0, 25.0, 60.0, 0, 31.0, 44.0, 0, 18.0,
                               52.0, 0, 27.0};
    const size_t n = sizeof(x) / sizeof(x[0]);
    double p[4], gg[3], ll, e[12], pa[12], sp[12], clv[12];
    int32_t it, st, gst;
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
    uint64_t rng = 7;

    if (b2b2c_ctx_new(&ctx, NULL, NULL))
        return 1;
    /* a light penalty keeps a dozen customers from extreme estimates */
    CHECK(b2b2c_forecast_fit(p, 4, &ll, &it, &st, ctx,
                             B2B2C_FORECAST_BGNBD, x, tx, T, NULL, n, 0.1, 0));
    /* status 0 is the only clean fit; anything else is worth a warning */
    printf("BG/NBD r=%.3f alpha=%.3f a=%.3f b=%.3f loglik=%.3f status=%s\n",
           p[0], p[1], p[2], p[3], ll, b2b2c_fit_status_name(st));
    CHECK(b2b2c_forecast_gg_fit(gg, 3, &ll, &it, &gst, ctx, x, m, NULL, n,
                                0.1, 0));
    printf("Gamma-Gamma p=%.3f q=%.3f v=%.3f status=%s\n", gg[0], gg[1],
           gg[2], b2b2c_fit_status_name(gst));
    CHECK(b2b2c_forecast_predict(e, pa, NULL, ctx, B2B2C_FORECAST_BGNBD, p,
                                 4, x, tx, T, n, 12));
    CHECK(b2b2c_forecast_gg_spend(sp, ctx, gg, 3, x, m, n));
    CHECK(b2b2c_forecast_clv(clv, ctx, B2B2C_FORECAST_BGNBD, p, 4, x, tx, T,
                             sp, n, 12, 0.002, 0.3));
    for (size_t i = 0; i < n; i++)
        printf("customer %2zu: E[next 12 weeks]=%.3f P(alive)=%.3f spend=%.2f "
               "CLV=%.2f\n", i, e[i], pa[i], sp[i], clv[i]);

    /* the stateful forecaster: a purchase log, a fit, one customer */
    CHECK(b2b2c_forecaster_new(&f, ctx));
    for (int c = 0; c < 200; c++) {
        char id[16];
        const int64_t t0 = 1735689600 + (int64_t)(c % 30) * 86400;
        int64_t t = t0;
        /* buyers differ (as BG/NBD assumes, FHL 2005 sec. 3): their own
         * purchase rate, gamma(2) across buyers with a mean of 0.2 a week,
         * and their own chance of dropping out after a repeat purchase,
         * beta(1, 3). Buyers all alike would leave the model nothing to
         * estimate (status "boundary"). */
        double rate = 0.1 * (-log(1 - unif(&rng)) - log(1 - unif(&rng)));
        double drop = 1 - pow(unif(&rng), 1.0 / 3);
        snprintf(id, sizeof(id), "cust-%d", c);
        for (int k = 0; t < 1735689600 + 360 * 86400; k++) {
            CHECK(b2b2c_forecaster_add_purchase(
                f, id, B2B2C_SEGMENT_B2B_SMALL_PRO, t, 60.0 + (c * 13) % 90,
                B2B2C_FORECAST_KIND_PRODUCT));
            if (k > 0 && unif(&rng) < drop)
                break;
            t += (int64_t)(-log(1 - unif(&rng)) / rate * 7 * 86400) + 86400;
        }
        if (c % 3 == 0)
            CHECK(b2b2c_forecaster_add_purchase(
                f, id, B2B2C_SEGMENT_B2B_SMALL_PRO, t0 + 3600, 45.0,
                B2B2C_FORECAST_KIND_INSTALL));
    }
    CHECK(b2b2c_forecaster_fit(&st, f, -1, 1735689600 + 360 * 86400));
    CHECK(b2b2c_forecaster_fit_params(NULL, NULL, NULL, NULL, &st, &gst, f,
                                      -1));
    printf("forecaster fit (unit: week): purchases %s, spend %s\n",
           b2b2c_fit_status_name(st), b2b2c_fit_status_name(gst));
    {
        double ex, alive, cp, cs;
        CHECK(b2b2c_forecaster_customer(&ex, &alive, NULL, NULL, &cp, &cs,
                                        f, "cust-9", 1735689600 + 360 * 86400,
                                        26));
        printf("cust-9: E[26 weeks]=%.3f P(alive)=%.3f CLV product=%.2f "
               "services=%.2f\n", ex, alive, cp, cs);
    }
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
    return st != B2B2C_FIT_CONVERGED || gst != B2B2C_FIT_CONVERGED;
}
