/* SPDX-License-Identifier: MIT */
/* Distribution tests of the seeded generator's normal, gamma and beta
 * draws (src/core/rng.c): the ziggurat tables, moments for several shapes,
 * Kolmogorov-Smirnov and chi-square tests against exact CDFs, the normal's
 * tail beyond the ziggurat's base strip. Fixed seeds, no timing. Each bound
 * is a fixed number of standard errors (or a fixed significance level), so
 * a sampler that is off by more than noise fails whatever the seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "rng_ziggurat.h"
#include "dealer/dealer_internal.h" /* b2b2c__betainc */

static double normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* sqrt(n) times the Kolmogorov-Smirnov distance of sorted v[0..n) from
 * cdf. Under the null it is below 1.95 with probability 0.999 (Kolmogorov's
 * limit distribution; Marsaglia, Tsang & Wang, J. Stat. Softw. 8(18), 2003,
 * give the exact tables). */
static double ks_stat(double *v, int n, double (*cdf)(double, const double *),
                      const double *arg)
{
    double d = 0;
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    for (int i = 0; i < n; i++) {
        double f = cdf(v[i], arg);
        double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
        if (lo > d)
            d = lo;
        if (hi > d)
            d = hi;
    }
    return d * sqrt((double)n);
}

static double beta_cdf(double x, const double *ab)
{
    return b2b2c__betainc(ab[0], ab[1], x);
}

static double normal_cdf_arg(double x, const double *unused)
{
    (void)unused;
    return normal_cdf(x);
}

/* The committed tables satisfy the ziggurat's equations (Marsaglia & Tsang
 * 2000, section 2): equal layer areas v, f(x_i) = exp(-x_i^2 / 2),
 * x_1 = r, x_0 = v / f(r), x_256 = 0, decreasing. The generator program
 * (src/core/rng_ziggurat_gen.c) reproduces the file byte for byte: the
 * meson test `ziggurat_tables`. */
static void t_ziggurat_tables(void **state)
{
    const double r = ZIG_R;
    double v = r * exp(-0.5 * r * r) + sqrt(acos(-1.0) / 2) * erfc(r / sqrt(2.0));
    (void)state;
    assert_true(zig_x[1] == r);
    assert_true(zig_x[256] == 0.0 && zig_f[256] == 1.0);
    assert_true(fabs(zig_x[0] * zig_f[0] - v) < 1e-15);
    for (int i = 1; i <= 256; i++) {
        double f = exp(-0.5 * zig_x[i] * zig_x[i]);
        assert_true(zig_x[i] < zig_x[i - 1]);
        /* the tables hold f of the exact x_i; x_i's rounding moves f by
         * x_i^2 2^-53 relative */
        assert_true(fabs(zig_f[i] - f) <= 4e-16 * (1 + zig_x[i] * zig_x[i]) * f);
    }
    for (int i = 1; i < 256; i++) {
        double area = zig_x[i] * (zig_f[i + 1] - zig_f[i]);
        assert_true(fabs(area - v) < 1e-12 * v);
    }
}

static void t_same_seed_same_draws(void **state)
{
    b2b2c__rng a, b;
    (void)state;
    b2b2c__rng_seed(&a, 11);
    b2b2c__rng_seed(&b, 11);
    for (int i = 0; i < 1000; i++) {
        assert_true(b2b2c__rng_normal(&a) == b2b2c__rng_normal(&b));
        assert_true(b2b2c__rng_gamma(&a, 0.3 + i % 7) ==
                    b2b2c__rng_gamma(&b, 0.3 + i % 7));
        assert_true(b2b2c__rng_beta(&a, 0.5 + i % 5, 1 + i % 3) ==
                    b2b2c__rng_beta(&b, 0.5 + i % 5, 1 + i % 3));
    }
}

/* Moments of 1,000,000 normals: mean, variance, E x^3, E x^4 within 5
 * standard errors (sqrt(1/n), sqrt(2/n), sqrt(15/n), sqrt(96/n)); the first
 * 50,000 against the normal CDF by Kolmogorov-Smirnov. */
static void t_normal_moments(void **state)
{
    const int n = 1000000;
    static double ks[50000];
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 1);
    for (int i = 0; i < n; i++) {
        double x = b2b2c__rng_normal(&r), x2 = x * x;
        assert_true(isfinite(x));
        if (i < 50000)
            ks[i] = x;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
    }
    assert_true(fabs(s1 / n) < 5 * sqrt(1.0 / n));
    assert_true(fabs(s2 / n - 1) < 5 * sqrt(2.0 / n));
    assert_true(fabs(s3 / n) < 5 * sqrt(15.0 / n));
    assert_true(fabs(s4 / n - 3) < 5 * sqrt(96.0 / n));
    assert_true(ks_stat(ks, 50000, normal_cdf_arg, NULL) < 1.95);
}

/* Chi-square over 320 bins of width 0.025 in [-4, 4] plus the two outer
 * bins (every expected count above 6), 2,000,000 draws: the wedges and
 * strips of the layers are resolved by the fine bins, so a wrong table or
 * wedge test shows. 321 degrees of freedom (mean 321, sd 25.3); bound:
 * mean + 5 sd. */
static void t_normal_chisquare(void **state)
{
    enum { NB = 320 };
    const int n = 2000000;
    static int cnt[NB + 2];
    double chi = 0;
    b2b2c__rng r;
    (void)state;
    memset(cnt, 0, sizeof(cnt));
    b2b2c__rng_seed(&r, 2);
    for (int i = 0; i < n; i++) {
        double x = b2b2c__rng_normal(&r);
        int k = x < -4 ? 0 : x >= 4 ? NB + 1 : 1 + (int)((x + 4) / 0.025);
        if (k > NB + 1)
            k = NB + 1;
        if (k == NB + 1 && x < 4) /* rounding at the top edge */
            k = NB;
        cnt[k]++;
    }
    for (int k = 0; k < NB + 2; k++) {
        double lo = k == 0 ? -INFINITY : -4 + (k - 1) * 0.025;
        double hi = k == NB + 1 ? INFINITY : -4 + k * 0.025;
        double e = n * (normal_cdf(hi) - normal_cdf(lo));
        chi += (cnt[k] - e) * (cnt[k] - e) / e;
    }
    assert_true(chi < 321 + 5 * sqrt(2.0 * 321));
}

/* The tail beyond the base strip r = 3.654 (Marsaglia 1964's method):
 * 12,000,000 draws; the count beyond r (expected n erfc(r / sqrt 2), about
 * 3,100) and beyond r + 0.5 (about 490) within 5 sd of the binomial; both
 * signs; the mean excess |x| - r within 5 standard errors of the truncated
 * normal's (lambda - r, variance 1 + r lambda - lambda^2 with the Mills
 * ratio lambda = phi(r) / Q(r); Johnson, Kotz & Balakrishnan 1994, eq.
 * 13.134-13.135); and the excesses against their exact conditional CDF
 * 1 - erfc((r + y) / sqrt 2) / erfc(r / sqrt 2) by Kolmogorov-Smirnov. */
static double tail_cdf(double y, const double *r)
{
    return 1.0 - erfc((r[0] + y) / sqrt(2.0)) / erfc(r[0] / sqrt(2.0));
}

static void t_normal_tail(void **state)
{
    enum { CAP = 6000 };
    const int n = 12000000;
    const double rr = ZIG_R;
    static double ex[CAP];
    int beyond = 0, far = 0, neg = 0;
    double p = erfc(rr / sqrt(2.0)), p2 = erfc((rr + 0.5) / sqrt(2.0));
    double lam = exp(-0.5 * rr * rr) / sqrt(2 * acos(-1.0)) / (0.5 * p);
    double mean = 0, want = lam - rr, var = 1 + rr * lam - lam * lam;
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 3);
    for (int i = 0; i < n; i++) {
        double x = b2b2c__rng_normal(&r);
        if (fabs(x) > rr) {
            if (beyond < CAP)
                ex[beyond] = fabs(x) - rr;
            beyond++;
            neg += x < 0;
            far += fabs(x) > rr + 0.5;
        }
    }
    assert_true(beyond <= CAP);
    assert_true(fabs(beyond - n * p) < 5 * sqrt(n * p));
    assert_true(fabs(far - n * p2) < 5 * sqrt(n * p2));
    assert_true(fabs(neg - beyond / 2.0) < 5 * sqrt(beyond / 4.0));
    for (int i = 0; i < beyond; i++)
        mean += ex[i];
    mean /= beyond;
    assert_true(fabs(mean - want) < 5 * sqrt(var / beyond));
    assert_true(ks_stat(ex, beyond, tail_cdf, &rr) < 1.95);
}

/* Gamma(a): mean a, variance a; the sample mean within 5 sqrt(a / n), the
 * sample variance within 5 sqrt((2 a^2 + 6 a) / n) (its standard error:
 * the fourth central moment is 3 a^2 + 6 a). Shapes below 1 (boosted),
 * 1, and large. */
static void check_gamma(b2b2c__rng *r, double a, int n)
{
    double s1 = 0, s2 = 0, m, var;
    for (int i = 0; i < n; i++) {
        double g = b2b2c__rng_gamma(r, a);
        assert_true(g >= 0 && isfinite(g));
        s1 += g;
        s2 += g * g;
    }
    m = s1 / n;
    var = s2 / n - m * m;
    assert_true(fabs(m - a) < 5 * sqrt(a / n));
    assert_true(fabs(var - a) < 5 * sqrt((2 * a * a + 6 * a) / n));
}

static void t_gamma_moments(void **state)
{
    const double shapes[] = {0.05, 0.3, 0.999, 1.0, 2.5, 30.0, 1000.0};
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 4);
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
        check_gamma(&r, shapes[k], 200000);
}

/* Beta(a, b): the sample mean and variance within 5 standard errors
 * (the variance's from the sample's fourth central moment), and a
 * Kolmogorov-Smirnov test against I_x(a, b) on 20,000 draws. Shapes below
 * 1 (the log-ratio path), at 1, Thompson's posteriors (a prior of 10 at
 * p0 = 0.5 plus outcomes), large and lopsided. */
static void t_beta(void **state)
{
    static const double ab[][2] = {
        {0.1, 0.1}, {0.3, 0.7}, {0.8, 2.5}, {1, 1},     {1, 4},
        {5, 5},     {7, 23},    {2, 6},     {300, 700}, {1, 1000},
        {1000, 2.5}};
    enum { NKS = 20000 };
    static double v[NKS];
    const int n = 100000;
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 5);
    for (size_t k = 0; k < sizeof(ab) / sizeof(ab[0]); k++) {
        double a = ab[k][0], b = ab[k][1], s = a + b;
        double mean = a / s, var = a * b / (s * s * (s + 1));
        double s1 = 0, m, m2 = 0, m4 = 0;
        static double x[100000];
        for (int i = 0; i < n; i++) {
            x[i] = b2b2c__rng_beta(&r, a, b);
            assert_true(x[i] >= 0 && x[i] <= 1);
            s1 += x[i];
        }
        m = s1 / n;
        for (int i = 0; i < n; i++) {
            double d = (x[i] - m) * (x[i] - m);
            m2 += d;
            m4 += d * d;
        }
        m2 /= n;
        m4 /= n;
        assert_true(fabs(m - mean) < 5 * sqrt(var / n));
        assert_true(fabs(m2 - var) < 5 * sqrt((m4 - m2 * m2) / n));
        memcpy(v, x, sizeof(v));
        assert_true(ks_stat(v, NKS, beta_cdf, ab[k]) < 1.95);
    }
}

/* The shapes where Marsaglia-Tsang's acceptance is lowest (d = a - 1/3
 * small), with more draws: a squeeze that accepted points the exact test
 * rejects shifts the mean and variance by several standard errors here
 * (one at 0.3 / 9 c^2 instead of 1.28 / 9 c^2 did by 6-8). */
static void t_gamma_small_d(void **state)
{
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 9);
    check_gamma(&r, 1.0, 2000000);
    check_gamma(&r, 1.5, 2000000);
}

/* The squeezes of rng.c's gamma_mt (the constants are restated here): with
 * t = c x, c = 1 / sqrt(9 d), v = (1 + t)^3, the squeeze 1 - s x^4 (s =
 * 1.28 / 9 c^2 where t >= -1/2, else Marsaglia-Tsang's 0.0331) must not
 * exceed the exact acceptance exp(x^2 / 2 + d (1 - v + ln v)) anywhere. */
static void t_gamma_squeeze_bound(void **state)
{
    const double ds[] = {2.0 / 3.0, 0.7, 1.0, 1.5, 3.0, 10.0, 100.0, 1e4};
    (void)state;
    for (size_t k = 0; k < sizeof(ds) / sizeof(ds[0]); k++) {
        double d = ds[k], c = 1.0 / sqrt(9.0 * d);
        for (int i = 1; i < 200000; i++) {
            /* t from -1 to 3 */
            double t = -1.0 + i * 2e-5, x = t / c, v = (1 + t) * (1 + t) * (1 + t);
            double s = 1 + t >= 0.5 ? (1.28 / 9.0) * c * c : 0.0331;
            double sq = 1 - s * x * x * x * x;
            double acc = exp(0.5 * x * x + d * (1.0 - v + log(v)));
            assert_true(sq <= acc * (1 + 1e-12));
        }
    }
}

/* Gamma draws through the public gamma entry (including the boosted
 * shape < 1 path): X / (X + Y) ~ Beta(a, b) by Kolmogorov-Smirnov. */
static void t_gamma_ratio_ks(void **state)
{
    static const double ab[][2] = {{0.4, 2.0}, {1.0, 0.6}, {3.5, 12.0}};
    enum { NKS = 20000 };
    static double v[NKS];
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 6);
    for (size_t k = 0; k < sizeof(ab) / sizeof(ab[0]); k++) {
        for (int i = 0; i < NKS; i++) {
            double x = b2b2c__rng_gamma(&r, ab[k][0]);
            double y = b2b2c__rng_gamma(&r, ab[k][1]);
            v[i] = x / (x + y);
        }
        assert_true(ks_stat(v, NKS, beta_cdf, ab[k]) < 1.95);
    }
}

/* Tiny shapes: both gammas underflow a double most of the time, yet the
 * beta draw (formed from their logs) is never 0/0: half the mass near 0,
 * half near 1, none collapsed to 1/2. */
static void t_beta_tiny_shapes(void **state)
{
    const int n = 100000;
    int low = 0, mid = 0;
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 7);
    for (int i = 0; i < n; i++) {
        double x = b2b2c__rng_beta(&r, 0.01, 0.01);
        assert_true(x >= 0 && x <= 1);
        low += x < 0.5;
        mid += x > 0.01 && x < 0.99;
    }
    assert_true(fabs(low - n / 2.0) < 5 * sqrt(n / 4.0));
    /* P(0.01 < X < 0.99) = I_.99 - I_.01, about 0.018 */
    {
        double ab[2] = {0.01, 0.01};
        double p = beta_cdf(0.99, ab) - beta_cdf(0.01, ab);
        assert_true(fabs(mid - n * p) < 5 * sqrt(n * p));
    }
}

/* The normal from the ziggurat is the same function of its input bits in
 * every call (no cached second value): a generator copied mid-stream
 * continues identically. */
/* Prepared draws give the very draws of b2b2c__rng_beta, for every
 * shape; with both shapes >= 1 the Thompson argmax makes those draws, in
 * order, and stops where a tier cannot win. */
static void t_beta_prepared_same_draws(void **state)
{
    b2b2c__rng r1, r2, r3;
    b2b2c__beta_prep k[40];
    double t[40], a[40], b[40];
    (void)state;
    b2b2c__rng_seed(&r1, 99);
    for (int i = 0; i < 40; i++) {
        a[i] = i % 5 == 0 ? 0.5 + i * 0.01 : 1.0 + i * 0.7;
        b[i] = i % 7 == 0 ? 0.3 : i % 3 == 1 ? 1e-4 : 2.0 + i * 1.3;
        b2b2c__rng_beta_prep(&k[i], a[i], b[i]);
    }
    for (int i = 0; i < 4000; i++) {
        int j = i % 40;
        double lo;
        r2 = r1;
        r3 = r1;
        double x = b2b2c__rng_beta_prepped(&r1, &k[j]);
        assert_true(x == b2b2c__rng_beta(&r2, a[j], b[j]));
        assert_true(x == b2b2c__rng_beta_logodds(&r3, &k[j], &lo));
        assert_memory_equal(r1.s, r2.s, sizeof(r1.s));
        assert_memory_equal(r1.s, r3.s, sizeof(r1.s));
    }
    for (int i = 0; i < 40; i++) {
        a[i] = 1.0 + i * 0.7;
        b[i] = 2.0 + i * 1.3;
        t[i] = 4.0 - (double)(i / 10);
        b2b2c__rng_beta_prep(&k[i], a[i], b[i]);
    }
    for (int round = 0; round < 2000; round++) {
        double best, want = -1;
        uint32_t arg, warg = 0, drawn = 0;
        r2 = r1;
        arg = b2b2c__rng_beta_argmax(&r1, k, t, 40, &best);
        for (uint32_t j = 0; j < 40 && t[j] > want; j++) {
            double x = t[j] * b2b2c__rng_beta(&r2, a[j], b[j]);
            if (x > want) {
                want = x;
                warg = j;
            }
            drawn++;
        }
        assert_int_equal(arg, warg);
        assert_true(best == want);
        assert_memory_equal(r1.s, r2.s, sizeof(r1.s));
        assert_true(drawn >= 10); /* the top tier at least */
    }
}

/* The full draw of b2b2c__rng_beta_step from the same generator state:
 * on the log path Y's uniform first (b < 1), X's gamma, X's uniform
 * (a < 1), Y's gamma, each gamma as b2b2c__rng_gamma draws a shape >= 1.
 * Returns tier x B, its log-odds in *lo. */
static double step_full(b2b2c__rng *r, const b2b2c__beta_prep *k, double a,
                        double b, double t, double *lo)
{
    double vy = 1.0, vx = 1.0, gx, gy, lx, ly;
    if (k->sa == 0.0 && k->sb == 0.0) {
        *lo = NAN;
        return t * b2b2c__rng_beta_prepped(r, k);
    }
    if (b < 1.0)
        vy = 1.0 - b2b2c__rng_uniform(r);
    gx = b2b2c__rng_gamma(r, a < 1.0 ? a + 1.0 : a);
    if (a < 1.0)
        vx = 1.0 - b2b2c__rng_uniform(r);
    gy = b2b2c__rng_gamma(r, b < 1.0 ? b + 1.0 : b);
    lx = log(gx);
    ly = log(gy);
    if (a < 1.0)
        lx = lx + log(vx) / a;
    if (b < 1.0)
        ly = ly + log(vy) / b;
    *lo = ly - lx;
    return t * (1.0 / (1.0 + exp(*lo)));
}

/* Every Thompson step decides as its full draw would: a step that stops
 * early (after Y's uniform, or before taking the logs) is one whose full
 * draw cannot beat the best; a step that takes the lead has the full
 * draw's value and log-odds. Posteriors as in the benchmark with owners
 * (Beta(10 p0 + won, 2.5e-4): draws that round to 1), mixed with shapes
 * below 1 on both sides and above 1, tiers 3, 2, 1. */
static void t_beta_step_is_full_draw(void **state)
{
    b2b2c__rng r, r2;
    b2b2c__beta_prep k[30];
    double a[30], b[30], t[30];
    long early = 0, records = 0, steps = 0;
    (void)state;
    b2b2c__rng_seed(&r, 5);
    for (int i = 0; i < 30; i++) {
        a[i] = i % 9 == 4 ? 0.4 : 9.9995 + (double)(i % 7);
        b[i] = i % 11 == 5 ? 3.5 : i % 13 == 7 ? 0.02 : 2.5e-4;
        t[i] = 3.0 - (double)(i / 12);
        b2b2c__rng_beta_prep(&k[i], a[i], b[i]);
    }
    for (int round = 0; round < 3000; round++) {
        b2b2c__beta_best bb = B2B2C__BETA_BEST_INIT;
        for (int j = 0; j < 30 &&
                        b2b2c__beta_can_win(t[j], bb.top, bb.ttop, bb.ltop);
             j++) {
            b2b2c__beta_best old = bb;
            double lo, x;
            int won, better;
            r2 = r;
            won = b2b2c__rng_beta_step(&r, &k[j], t[j], &bb);
            x = step_full(&r2, &k[j], a[j], b[j], t[j], &lo);
            better = b2b2c__beta_better(x, lo, t[j], old.top, old.ltop,
                                        old.ttop);
            assert_int_equal(won, better);
            if (won) {
                assert_true(bb.top == x);
                assert_true(bb.ttop == t[j]);
                assert_true(bb.ltop == lo || (isnan(lo) && isnan(bb.ltop)));
                records++;
            } else {
                assert_memory_equal(&bb, &old, sizeof bb);
            }
            if (memcmp(r.s, r2.s, sizeof r.s) != 0) {
                early++; /* stopped after Y's uniform */
                r = r2;  /* go on from the full draw's stream */
            }
            steps++;
        }
    }
    assert_true(early > steps / 2); /* the early stop is the common case */
    assert_true(records > 3000);
}

/* Whatever their stream, the Thompson argmax with early stops and the
 * plain loop over full draws (b2b2c__rng_beta_logodds) choose with the
 * same distribution: 8 posteriors of one tier with draws that round to 1
 * (unequal shapes, so unequal chances; the first has a < 1 too), chi-square over the 8
 * winners' counts of the two, 40,000 choices each (7 degrees of freedom:
 * 24.3 is the 0.999 quantile). */
static void t_beta_argmax_distribution(void **state)
{
    enum { N = 8, R = 40000 };
    b2b2c__rng r1, r2;
    b2b2c__beta_prep k[N];
    double t[N], chi = 0;
    long n1[N] = {0}, n2[N] = {0};
    (void)state;
    b2b2c__rng_seed(&r1, 11);
    b2b2c__rng_seed(&r2, 12);
    for (int i = 0; i < N; i++) {
        b2b2c__rng_beta_prep(&k[i], 0.99 + 0.3 * i, 0.0005 * (1 + i % 3));
        t[i] = 2.0;
    }
    for (int round = 0; round < R; round++) {
        double best, want = -1, lwant = NAN, twant = 0;
        uint32_t warg = 0;
        n1[b2b2c__rng_beta_argmax(&r1, k, t, N, &best)]++;
        for (uint32_t j = 0; j < N; j++) {
            double lo, x = t[j] * b2b2c__rng_beta_logodds(&r2, &k[j], &lo);
            if (b2b2c__beta_better(x, lo, t[j], want, lwant, twant)) {
                want = x;
                lwant = lo;
                twant = t[j];
                warg = j;
            }
        }
        n2[warg]++;
    }
    for (int i = 0; i < N; i++) {
        double d = (double)(n1[i] - n2[i]);
        assert_true(n1[i] + n2[i] > 0);
        chi += d * d / (double)(n1[i] + n2[i]);
    }
    assert_true(chi < 24.3);
    /* the chances are unequal: a smaller b (i % 3 == 0) puts more of its
     * draws nearer to 1 */
    assert_true(n1[3] > 2 * n1[4] && n2[3] > 2 * n2[4]);
}

/* A scan over a tier's run cut into pieces of B2B2C__BETA_BLOCK (as the
 * eligibility pass makes them) draws as one scan over the run (as the
 * region plan makes it): the same best, the same generator state. Tiers
 * of 150 and 70 posteriors, some with b >= 1 in between (a block ends
 * there and the next starts off the multiples of 64). */
static void t_beta_scan_in_pieces(void **state)
{
    enum { N = 220 };
    static b2b2c__beta_prep k[N];
    static double t[N];
    b2b2c__rng r1, r2;
    (void)state;
    for (int i = 0; i < N; i++) {
        b2b2c__rng_beta_prep(&k[i], i % 10 == 3 ? 0.5 : 10.0 + (i * 7) % 9,
                             i % 37 == 5 ? 2.0 : 2.5e-4 * (1 + i % 4));
        t[i] = i < 150 ? 3.0 : 2.0;
    }
    b2b2c__rng_seed(&r1, 21);
    for (int round = 0; round < 300; round++) {
        b2b2c__beta_best b1 = B2B2C__BETA_BEST_INIT,
                         b2 = B2B2C__BETA_BEST_INIT;
        uint32_t a1, a2 = N;
        r2 = r1;
        a1 = b2b2c__rng_beta_scan(&r1, k, t, N, &b1);
        for (uint32_t s0 = 0; s0 < N;) {
            uint32_t tier0 = s0 < 150 ? 0 : 150;
            uint32_t e = s0 + B2B2C__BETA_BLOCK, j;
            if (e > (s0 < 150 ? 150u : (uint32_t)N))
                e = s0 < 150 ? 150u : (uint32_t)N;
            assert_true((s0 - tier0) % B2B2C__BETA_BLOCK == 0);
            j = b2b2c__rng_beta_scan(&r2, k + s0, t + s0, e - s0, &b2);
            if (j < e - s0)
                a2 = s0 + j;
            s0 = e;
        }
        assert_int_equal(a1, a2);
        assert_memory_equal(&b1, &b2, sizeof b1);
        assert_memory_equal(r1.s, r2.s, sizeof r1.s);
    }
}

/* The plans' scan with first-pass constants (b2b2c__rng_beta_first,
 * b2b2c__rng_beta_argmax_first) makes the draws of b2b2c__rng_beta_argmax
 * bit for bit: the same choice, best and generator state. Five plans:
 * the benchmark's (Beta(10 p0 + won, 2.5e-4): the first hit decides and
 * the misses are passed over), shapes near 1 (b = 0.3..0.9: bounds too
 * loose to pass anything over, so the block takes every bound), a mix of
 * both with a < 1 and b >= 1 posteriors between blocks and three tiers,
 * a 150-long tier (blocks cut at 64 from the tier's start) and pieces of
 * two (q = 1). */
static void t_beta_first(void **state)
{
    enum { N = 220 };
    static b2b2c__beta_prep k[N];
    static b2b2c__beta_first f[N];
    static double t[N];
    b2b2c__rng r1, r2;
    long picks[5][4] = {{0}};
    (void)state;
    b2b2c__rng_seed(&r1, 31);
    for (int plan = 0; plan < 5; plan++) {
        uint32_t n = plan == 3 ? (uint32_t)N : 40;
        for (uint32_t i = 0; i < n; i++) {
            double a = 9.9995 + (double)(i % 7), b = 2.5e-4 * (1 + i % 3);
            t[i] = 3.0;
            if (plan == 1)
                b = 0.3 + 0.1 * (double)(i % 7);
            if (plan == 2) {
                a = i % 9 == 4 ? 0.4 : a;
                b = i % 11 == 5 ? 3.5 : i % 13 == 7 ? 0.02 : b;
                t[i] = 3.0 - (double)(i / 14);
            }
            if (plan == 3)
                t[i] = i < 150 ? 3.0 : 2.0;
            if (plan == 4)
                b = i % 3 == 2 ? 2.0 : b;
            b2b2c__rng_beta_prep(&k[i], a, b);
        }
        b2b2c__rng_beta_first(f, k, t, n);
        for (int round = 0; round < 4000; round++) {
            double b1, b2;
            uint32_t a1, a2;
            r2 = r1;
            a1 = b2b2c__rng_beta_argmax(&r1, k, t, n, &b1);
            a2 = b2b2c__rng_beta_argmax_first(&r2, k, f, t, n, &b2);
            assert_int_equal(a1, a2);
            assert_memory_equal(&b1, &b2, sizeof b1);
            assert_memory_equal(r1.s, r2.s, sizeof r1.s);
            picks[plan][a1 % 4]++;
        }
    }
    /* every plan spreads its choices (not one dealer always) */
    for (int plan = 0; plan < 5; plan++)
        for (int i = 0; i < 4; i++)
            assert_true(picks[plan][i] > 0);
}

/* The log path's bounds of the gammas' logs (rng.c, NORMAL_MAX and
 * GAMMA_LOG_BELOW) hold for many draws of shapes near 1 and far above
 * it. */
static void t_gamma_log_range(void **state)
{
    static const double sh[][2] = {
        {10.0, 2.5e-4}, {1.0, 0.5}, {1e4, 0.01}, {0.3, 0.7}, {1.5, 1e-6}};
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 3);
    for (size_t s = 0; s < sizeof sh / sizeof sh[0]; s++) {
        b2b2c__beta_prep k;
        double a = sh[s][0], b = sh[s][1];
        b2b2c__rng_beta_prep(&k, a, b);
        assert_true(k.sa + k.sb > 0);
        assert_true(k.lymin < k.lxmax);
        for (int i = 0; i < 200000; i++) {
            double gx = b2b2c__rng_gamma(&r, a < 1.0 ? a + 1.0 : a);
            double gy = b2b2c__rng_gamma(&r, b < 1.0 ? b + 1.0 : b);
            assert_true(log(gx) <= k.lxmax);
            assert_true(log(gy) >= k.lymin);
        }
    }
    /* the normal stays within the bound NORMAL_MAX is built on */
    for (int i = 0; i < 1000000; i++)
        assert_true(fabs(b2b2c__rng_normal(&r)) <= ZIG_R + 36.75 / ZIG_R);
}

static void t_state_is_all(void **state)
{
    b2b2c__rng a, b;
    (void)state;
    b2b2c__rng_seed(&a, 8);
    for (int i = 0; i < 101; i++)
        (void)b2b2c__rng_normal(&a);
    b = a;
    for (int i = 0; i < 100; i++)
        assert_true(b2b2c__rng_beta(&a, 6, 9) == b2b2c__rng_beta(&b, 6, 9));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_ziggurat_tables),
        cmocka_unit_test(t_same_seed_same_draws),
        cmocka_unit_test(t_normal_moments),
        cmocka_unit_test(t_normal_chisquare),
        cmocka_unit_test(t_normal_tail),
        cmocka_unit_test(t_gamma_moments),
        cmocka_unit_test(t_gamma_small_d),
        cmocka_unit_test(t_gamma_squeeze_bound),
        cmocka_unit_test(t_beta),
        cmocka_unit_test(t_gamma_ratio_ks),
        cmocka_unit_test(t_beta_tiny_shapes),
        cmocka_unit_test(t_beta_prepared_same_draws),
        cmocka_unit_test(t_beta_step_is_full_draw),
        cmocka_unit_test(t_beta_argmax_distribution),
        cmocka_unit_test(t_beta_scan_in_pieces),
        cmocka_unit_test(t_beta_first),
        cmocka_unit_test(t_gamma_log_range),
        cmocka_unit_test(t_state_is_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
