/* SPDX-License-Identifier: MIT */
/* Seeded pseudo-random numbers: xoshiro256** 1.0 (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", 2018). */
#include <math.h>

#include "internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    return b2b2c__fmix64(*x += 0x9e3779b97f4a7c15ULL);
}

void b2b2c__rng_seed(b2b2c__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t next(b2b2c__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t b2b2c__rng_u64(b2b2c__rng *r)
{
    return next(r);
}

static inline double unif(b2b2c__rng *r)
{
    return (double)(next(r) >> 11) * 0x1.0p-53;
}

double b2b2c__rng_uniform(b2b2c__rng *r)
{
    return unif(r);
}

/* 64x64 -> 128-bit product, portable (no __int128 under -Wpedantic). */
static inline uint64_t mul128(uint64_t a, uint64_t b, uint64_t *lo)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;

    *lo = (mid << 32) | (uint32_t)p00;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* Lemire, "Fast random integer generation in an interval", ACM TOMACS
 * 29(1), 2019: multiply-shift with rejection of the biased low range. */
uint64_t b2b2c__rng_below(b2b2c__rng *r, uint64_t n)
{
    uint64_t l, hi = mul128(b2b2c__rng_u64(r), n, &l);

    if (l < n) {
        uint64_t t = (0 - n) % n;
        while (l < t)
            hi = mul128(b2b2c__rng_u64(r), n, &l);
    }
    return hi;
}

/* Ziggurat tables (generated, see rng_ziggurat_gen.c). */
#include "rng_ziggurat.h"

/* The normal tail beyond r: Marsaglia, "Generating a variable from the
 * tail of the normal distribution", Technometrics 6(1), 1964 (as used by
 * Marsaglia & Tsang's ziggurat): x = -ln(U1) / r, y = -ln(U2) until
 * 2y > x^2, then r + x. U in (0, 1] so the logs are finite. */
static double zig_tail(b2b2c__rng *r)
{
    double x, y;
    do {
        x = -log(1.0 - unif(r)) / ZIG_R;
        y = -log(1.0 - unif(r));
    } while (y + y <= x * x);
    return ZIG_R + x;
}

#if defined(__GNUC__)
#define RNG_COLD __attribute__((noinline, cold))
#define RNG_HOT_INLINE __attribute__((always_inline)) inline
#else
#define RNG_COLD
#define RNG_HOT_INLINE inline
#endif

/* Standard normal by the ziggurat, Marsaglia & Tsang, J. Stat. Softw.
 * 5(8), 2000, with Doornik's correction ("An improved ziggurat method to
 * generate normal random samples", 2005): the layer index and the signed
 * uniform come from disjoint bits of one 64-bit draw (bits 0-7 the layer,
 * bits 11-63 a signed 53-bit uniform U in (-1, 1), symmetric: (j + 1/2)
 * 2^-52), so they are independent. Layer i >= 1 is the rectangle
 * [0, x_i] x [f(x_i), f(x_i+1)]; a point x = U x_i with |x| < x_i+1 lies
 * under f (98.5% of draws: one 64-bit draw and a table load); otherwise
 * the wedge test y < f(x) with y uniform over the layer's height, or the
 * tail for the base layer (i = 0, whose width x_0 = v / f(r) makes the
 * rectangle part of it accepted when |x| < r). The sign is part of U, so
 * the common path has no branch on it. */
/* The 1.5% that miss the rectangles, out of line so that the common path
 * inlines into the gamma and beta draws: layer i's wedge or the base
 * layer's tail for this x, then fresh draws until one is accepted. */
static RNG_COLD double normal_slow(b2b2c__rng *r, unsigned i, double x)
{
    for (;;) {
        uint64_t u;
        int64_t j;
        if (i == 0)
            return x < 0 ? -zig_tail(r) : zig_tail(r);
        if (zig_f[i] + unif(r) * (zig_f[i + 1] - zig_f[i]) <
            exp(-0.5 * x * x))
            return x;
        u = next(r);
        i = (unsigned)(u & 0xff);
        j = (int64_t)(u >> 11) - ((int64_t)1 << 52);
        x = ((double)j + 0.5) * 0x1.0p-52 * zig_x[i];
        if (fabs(x) < zig_x[i + 1])
            return x;
    }
}

static RNG_HOT_INLINE double normal_draw(b2b2c__rng *r)
{
    uint64_t u = next(r);
    unsigned i = (unsigned)(u & 0xff);
    int64_t j = (int64_t)(u >> 11) - ((int64_t)1 << 52);
    double x = ((double)j + 0.5) * 0x1.0p-52 * zig_x[i];
    if (fabs(x) < zig_x[i + 1])
        return x;
    return normal_slow(r, i, x);
}

double b2b2c__rng_normal(b2b2c__rng *r)
{
    return normal_draw(r);
}

/* Gamma(d + 1/3, 1) for shape >= 1, c = 1 / sqrt(9 d): Marsaglia & Tsang,
 * "A simple method for generating gamma variables", ACM TOMS 26(3), 2000,
 * pp. 363-372: v = (1 + c x)^3 for a standard normal x, accept d v when
 * ln u < x^2 / 2 + d - d v + d ln v (their exact test: the accepted d v
 * is exactly Gamma).
 *
 * Squeeze. MT's u < 1 - 0.0331 x^4 holds for every d >= 2/3 but leaves
 * close to 10% of draws to the two logs (0.0331 E x^4 = 0.099) whatever
 * the shape. With t = c x the exact bound is d g(t), g(t) = 1 - (1+t)^3 +
 * 3 ln(1+t) + 9 t^2 / 2 = -3 t^4 / 4 + 3 t^5 / 5 - ... (x^2 / 2 cancels as
 * d c^2 = 1/9). On t >= -1/2, -g(t) / t^4 is at most 1.2711 (at t = -1/2;
 * 3/4 at 0, less for t > 0: checked to 40 digits on a fine grid), so, as
 * exp(y) >= 1 + y, u < 1 - 1.28 d t^4 = 1 - (1.28 / 9) c^2 x^4 is a
 * squeeze there, tighter as d grows (about 0.05 / d of draws reach the
 * logs); below t = -1/2, MT's. Squeezes only accept points the exact test
 * accepts, so the draw stays exact (test_rng.c t_gamma_squeeze_bound checks
 * both bounds on a grid of d and t). */
static RNG_COLD double gamma_slow(b2b2c__rng *r, double d, double c,
                                  double x, double u);

static RNG_HOT_INLINE double gamma_mt(b2b2c__rng *r, double d, double c)
{
    double x = normal_draw(r), v = 1.0 + c * x, u = 2.0;
    if (v > 0.0) {
        double x2 = x * x, s = v >= 0.5 ? (1.28 / 9.0) * c * c : 0.0331;
        u = unif(r);
        if (u < 1.0 - s * x2 * x2)
            return d * v * v * v;
    }
    return gamma_slow(r, d, c, x, u);
}

/* The exact test for the pair (x, u) the squeeze left (u = 2: x had
 * 1 + c x <= 0, rejected), then whole rounds until one is accepted. The
 * pair must be finished, not redrawn: dropping pairs the squeeze misses
 * would bias the draw. */
static RNG_COLD double gamma_slow(b2b2c__rng *r, double d, double c,
                                  double x, double u)
{
    for (;;) {
        double v = 1.0 + c * x;
        if (u <= 1.0) {
            double x2 = x * x, v3 = v * v * v;
            if (u > 0.0 && log(u) < 0.5 * x2 + d * (1.0 - v3 + log(v3)))
                return d * v3;
        }
        x = normal_draw(r);
        v = 1.0 + c * x;
        u = 2.0;
        if (v > 0.0) {
            double x2 = x * x, s = v >= 0.5 ? (1.28 / 9.0) * c * c : 0.0331;
            u = unif(r);
            if (u < 1.0 - s * x2 * x2)
                return d * v * v * v;
        }
    }
}

static inline double gamma_ge1(b2b2c__rng *r, double shape)
{
    double d = shape - 1.0 / 3.0;
    return gamma_mt(r, d, 1.0 / sqrt(9.0 * d));
}

/* ln of a Gamma(shape, 1) draw. For shape < 1, Gamma(a) = Gamma(a + 1)
 * U^(1/a) (Stuart 1962; the note on a < 1 in Marsaglia & Tsang 2000), in
 * logs so that tiny shapes, whose draws underflow a double, keep their
 * ratio. The gamma is drawn before the uniform. */
static RNG_HOT_INLINE double log_gamma_draw(b2b2c__rng *r, double shape)
{
    double g;
    if (shape >= 1.0)
        return log(gamma_ge1(r, shape));
    g = log(gamma_ge1(r, shape + 1.0));
    return g + log(1.0 - unif(r)) / shape;
}

double b2b2c__rng_gamma(b2b2c__rng *r, double shape)
{
    if (shape < 1.0) {
        double g = gamma_ge1(r, shape + 1.0);
        return g * pow(1.0 - unif(r), 1.0 / shape);
    }
    return gamma_ge1(r, shape);
}

/* Beta(a, b) = X / (X + Y) for independent X ~ Gamma(a), Y ~ Gamma(b)
 * (Devroye 1986, "Non-Uniform Random Variate Generation", section IX.4).
 * When a shape is below 1 the ratio is formed from the logs,
 * 1 / (1 + exp(ln Y - ln X)), so that draws near 0 or 1 do not collapse
 * to 0/0; ln Y - ln X = ln((1 - B) / B), the draw's log-odds, orders the
 * draws exactly where B itself rounds to 1 (or 0). */
void b2b2c__rng_beta_prep(b2b2c__beta_prep *k, double a, double b)
{
    if (a >= 1.0 && b >= 1.0) {
        /* c_a = 1 / sqrt(9 d_a) = sqrt(9 d_b) / (sqrt(9 d_a) sqrt(9 d_b)):
         * one division for both constants (it and the sqrts were a third of
         * the draw's time) */
        double da = a - 1.0 / 3.0, db = b - 1.0 / 3.0;
        double sa = sqrt(9.0 * da), sb = sqrt(9.0 * db), inv = 1.0 / (sa * sb);
        k->da = da;
        k->ca = sb * inv;
        k->db = db;
        k->cb = sa * inv;
    } else {
        k->da = -1.0;
        k->ca = a;
        k->db = 0.0;
        k->cb = b;
    }
}

/* The log path's log-odds ln Y - ln X (X first). */
static RNG_HOT_INLINE double beta_logodds(b2b2c__rng *r,
                                          const b2b2c__beta_prep *k)
{
    double lx = log_gamma_draw(r, k->ca), ly = log_gamma_draw(r, k->cb);
    return ly - lx;
}

/* A draw, its log-odds in *lo (NaN when both shapes are >= 1: the ratio
 * of the gammas, which rounds to 1 only when Y < X 2^-53). */
static RNG_HOT_INLINE double beta_draw(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                       double *lo)
{
    if (k->da >= 0.0) {
        double x = gamma_mt(r, k->da, k->ca), y = gamma_mt(r, k->db, k->cb);
        *lo = NAN;
        return x / (x + y);
    }
    *lo = beta_logodds(r, k);
    return 1.0 / (1.0 + exp(*lo));
}

double b2b2c__rng_beta_prepped(b2b2c__rng *r, const b2b2c__beta_prep *k)
{
    double lo;
    return beta_draw(r, k, &lo);
}

double b2b2c__rng_beta_logodds(b2b2c__rng *r, const b2b2c__beta_prep *k,
                               double *lo)
{
    return beta_draw(r, k, lo);
}

/* Thompson's choice (b2b2c__beta_better, b2b2c__beta_can_win). A log-path
 * draw of the best's tier with log-odds not below the best's cannot beat
 * it (B = 1 / (1 + e^lo) does not grow with lo), so its B is not
 * formed. */
uint32_t b2b2c__rng_beta_argmax(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                const double *t, uint32_t n, double *best)
{
    double top = -1.0, ltop = NAN, ttop = 0.0;
    uint32_t arg = 0;
    for (uint32_t j = 0; j < n && b2b2c__beta_can_win(t[j], top, ttop, ltop);
         j++) {
        double x, lo;
        if (k[j].da >= 0.0) {
            double g = gamma_mt(r, k[j].da, k[j].ca);
            double h = gamma_mt(r, k[j].db, k[j].cb);
            lo = NAN;
            x = t[j] * (g / (g + h));
        } else {
            lo = beta_logodds(r, &k[j]);
            if (t[j] == ttop && lo >= ltop)
                continue;
            x = t[j] * (1.0 / (1.0 + exp(lo)));
        }
        if (b2b2c__beta_better(x, lo, t[j], top, ltop, ttop)) {
            top = x;
            ltop = lo;
            ttop = t[j];
            arg = j;
        }
    }
    *best = top;
    return arg;
}

double b2b2c__rng_beta(b2b2c__rng *r, double a, double b)
{
    b2b2c__beta_prep k;
    b2b2c__rng_beta_prep(&k, a, b);
    return b2b2c__rng_beta_prepped(r, &k);
}
