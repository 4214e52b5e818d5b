/* SPDX-License-Identifier: MIT */
/* Seeded pseudo-random numbers: xoshiro256** 1.0 (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", 2018). */
#include <math.h>
#include <string.h>

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
 * draws exactly where B itself rounds to 1 (or 0). On that path a gamma
 * of shape s < 1 is Gamma(s + 1) U^(1/s) (Stuart 1962; the note on a < 1
 * in Marsaglia & Tsang 2000), in logs: ln Gamma(s + 1) + ln(U) / s, so
 * that tiny shapes, whose draws underflow a double, keep their ratio; the
 * gamma is drawn before the uniform, X before Y. */

/* The range of a gamma draw's log (gamma_mt, returning d v^3 for
 * v = 1 + c x > 0). The normal x: |x| < ZIG_R on the ziggurat's
 * rectangles and wedges, and the tail returns ZIG_R + ln(1 / V) / ZIG_R
 * with V = 1 - U >= 2^-53 (53 ln 2 < 36.75): |x| <= NORMAL_MAX. So v <=
 * 1 + c NORMAL_MAX (within two roundings). From below: v = 1 + y, y = c x
 * rounded; v > 0 needs y > -1, and for y in (-1, -1/2] the sum is exact
 * (Sterbenz) and a multiple of 2^-53 like y, so v >= 2^-53. Where a
 * compiler fuses 1 + c x into one rounding (an FMA), v is 1 + c x
 * rounded, and c x, with c x near -1 (|x| < 16, c < 1), is a multiple of
 * ulp(c) ulp(x) >= 2^-105, so v >= 2^-105 when v > 0. Take v >= 2^-110:
 * d v^3 >= d 2^-330 (three products, no underflow). Hence ln(d v^3) lies
 * in [ln d - 330 ln 2, ln d + 3 ln(1 + c NORMAL_MAX)], with 1e-9 of slack
 * for the roundings and libm's log (test_rng.c t_gamma_log_range). */
#define NORMAL_MAX (ZIG_R + 36.75 / ZIG_R + 1e-9)
#define GAMMA_LOG_BELOW (330.0 * 0.693147180559945309417232121458176568 + 1e-9)

/* Marsaglia-Tsang's constants of a gamma on the log path, exactly as
 * gamma_ge1 computes them (boosted to s + 1 for s < 1, with *sh = s). */
static void log_path_const(double s, double *d, double *c, double *sh)
{
    *sh = s < 1.0 ? s : 0.0;
    if (s < 1.0)
        s = s + 1.0;
    *d = s - 1.0 / 3.0;
    *c = 1.0 / sqrt(9.0 * *d);
}

/* The draw's constants of b2b2c__rng_beta_prep (all but the log path's
 * bounds lymin and lxmax, which only b2b2c__rng_beta_step reads): inline,
 * so that a single draw (b2b2c__rng_beta) neither calls out nor computes
 * the bounds' log and log1p. */
static RNG_HOT_INLINE void beta_consts(b2b2c__beta_prep *k, double a,
                                       double b)
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
        k->sa = k->sb = 0.0;
    } else {
        /* computed once per posterior, not per draw (the two square roots
         * and divisions were a third of a log-path draw's time) */
        log_path_const(a, &k->da, &k->ca, &k->sa);
        log_path_const(b, &k->db, &k->cb, &k->sb);
    }
}

void b2b2c__rng_beta_prep(b2b2c__beta_prep *k, double a, double b)
{
    beta_consts(k, a, b);
    if (k->sa == 0.0 && k->sb == 0.0) {
        k->lymin = k->lxmax = 0.0;
    } else {
        /* the range of the two logs (NORMAL_MAX, GAMMA_LOG_BELOW), for
         * the draws of b2b2c__rng_beta_step that stop after Y's uniform */
        k->lymin = log(k->db) - GAMMA_LOG_BELOW;
        k->lxmax = log(k->da) + 3.0 * log1p(k->ca * NORMAL_MAX) + 1e-9;
    }
}

static RNG_HOT_INLINE int log_path(const b2b2c__beta_prep *k)
{
    return k->sa != 0.0 || k->sb != 0.0;
}

/* The log path's raw draws in stream order: the gamma gx of X, then (for
 * a < 1) the uniform's 1 - U, vx; then Y's. ln X is log(gx) + log(vx) / a
 * (log(gx) for a >= 1), ln Y the same. */
typedef struct logdraw {
    double gx, vx, gy, vy;
} logdraw;

static RNG_HOT_INLINE void log_raw(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                   logdraw *w)
{
    w->gx = gamma_mt(r, k->da, k->ca);
    w->vx = k->sa != 0.0 ? 1.0 - unif(r) : 1.0;
    w->gy = gamma_mt(r, k->db, k->cb);
    w->vy = k->sb != 0.0 ? 1.0 - unif(r) : 1.0;
}

/* The log-odds ln Y - ln X of the raw draws. */
static RNG_HOT_INLINE double log_odds(const b2b2c__beta_prep *k,
                                      const logdraw *w)
{
    double lx = log(w->gx), ly = log(w->gy);
    if (k->sa != 0.0)
        lx = lx + log(w->vx) / k->sa;
    if (k->sb != 0.0)
        ly = ly + log(w->vy) / k->sb;
    return ly - lx;
}

/* ln 2 (M_LN2 is POSIX, not C11) */
#define LN2 0.693147180559945309417232121458176568

#include "rng_lnmant.h"

/* Bounds of libm's log(g), g >= 0, without calling it: g = (1 + i / 256
 * + f) 2^E, 0 <= f < 1 / 256, puts ln g in [E ln 2 + ln(1 + i / 256),
 * E ln 2 + ln(1 + (i + 1) / 256)] (ln_mant); the 1e-9 of slack covers
 * log's error (under an ulp), the table's and this sum's rounding (|ln g|
 * < 745, whose ulp is 1.1e-13). A subnormal g or 0 (exponent field 0) has
 * no lower bound (-inf) and the upper bound ln 2^-1022. */
static RNG_HOT_INLINE void log_bounds(double g, double *lo, double *hi)
{
    uint64_t u;
    int e;
    unsigned i;
    memcpy(&u, &g, sizeof u);
    e = (int)((u >> 52) & 0x7ff) - 1023;
    i = (unsigned)(u >> 44) & 0xff;
    if (e == -1023) {
        *lo = -INFINITY;
        *hi = -1022.0 * LN2 + 1e-9;
        return;
    }
    *lo = ((double)e * LN2 + ln_mant[i]) - 1e-9;
    *hi = ((double)e * LN2 + ln_mant[i + 1]) + 1e-9;
}

/* Whether the log-odds of the raw draws are certainly >= lt, from the
 * bounds of their logs: rounding to nearest is monotone, and so are the
 * sum, the difference and the division by a positive shape, so the
 * bounds put through log_odds' steps bound its result (ln Y from below,
 * ln X from above). NaN lt: false. */
static RNG_HOT_INLINE int log_odds_not_below(const b2b2c__beta_prep *k,
                                             const logdraw *w, double lt)
{
    double ylo, yhi, xlo, xhi, ly, lx;
    log_bounds(w->gy, &ylo, &yhi);
    log_bounds(w->gx, &xlo, &xhi);
    ly = ylo;
    lx = xhi;
    if (k->sa != 0.0) {
        log_bounds(w->vx, &xlo, &xhi);
        lx = lx + xhi / k->sa;
    }
    if (k->sb != 0.0) {
        log_bounds(w->vy, &ylo, &yhi);
        ly = ly + ylo / k->sb;
    }
    return ly - lx >= lt;
}

/* A draw, its log-odds in *lo (NaN when both shapes are >= 1: the ratio
 * of the gammas, which rounds to 1 only when Y < X 2^-53). */
static RNG_HOT_INLINE double beta_draw(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                       double *lo)
{
    logdraw w;
    if (!log_path(k)) {
        double x = gamma_mt(r, k->da, k->ca), y = gamma_mt(r, k->db, k->cb);
        *lo = NAN;
        return x / (x + y);
    }
    log_raw(r, k, &w);
    *lo = log_odds(k, &w);
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

static RNG_HOT_INLINE int beta_take(b2b2c__beta_best *bb, double x,
                                    double lo, double t)
{
    if (!b2b2c__beta_better(x, lo, t, bb->top, bb->ltop, bb->ttop))
        return 0;
    bb->top = x;
    bb->ltop = lo;
    bb->ttop = t;
    return 1;
}

/* A lower bound of the log-odds of a log-path draw with b < 1 whose
 * uniform V gave vy = 1 - U: ln Gamma(b + 1) >= lymin, ln X <= lxmax. */
static RNG_HOT_INLINE double pre_bound(const b2b2c__beta_prep *k, double vy)
{
    double vlo, vhi;
    log_bounds(vy, &vlo, &vhi);
    return (k->lymin + vlo / k->sb) - k->lxmax;
}

/* The rest of a log-path draw once Y's uniform is known (vy; 1 when
 * b >= 1): X's gamma, X's uniform (a < 1), Y's gamma, then the
 * comparison with the best. */
static RNG_HOT_INLINE int log_step_rest(b2b2c__rng *r,
                                        const b2b2c__beta_prep *k, double t,
                                        b2b2c__beta_best *bb, double vy)
{
    logdraw w;
    int same = t == bb->ttop;
    double lo;
    w.vy = vy;
    w.gx = gamma_mt(r, k->da, k->ca);
    w.vx = k->sa != 0.0 ? 1.0 - unif(r) : 1.0;
    w.gy = gamma_mt(r, k->db, k->cb);
    if (same && log_odds_not_below(k, &w, bb->ltop))
        return 0;
    lo = log_odds(k, &w);
    if (same && lo >= bb->ltop)
        return 0;
    /* B = 1 / (1 + e^lo) is exactly 1 below lo = -40 (e^-40 < 4.3e-18,
     * far below 2^-53 even with libm's error, and 1 + x rounds to 1 for
     * x < 2^-53), so the exp is not taken there: the same B, bit for bit */
    return beta_take(bb, t * (lo < -40.0 ? 1.0 : 1.0 / (1.0 + exp(lo))),
                     lo, t);
}

/* Thompson's draw of posterior k at tier t into the best so far (the
 * caller checked b2b2c__beta_can_win). Both shapes >= 1: the draw of
 * b2b2c__rng_beta_prepped. The log path with b < 1 draws Y's uniform
 * first: ln Y = ln Gamma(b + 1) + ln(V) / b, and for b far below 1 that
 * term decides; when the best is of this tier and has log-odds, and the
 * range of the other two logs (NORMAL_MAX, GAMMA_LOG_BELOW: ln Gamma(b + 1) >= lymin,
 * ln X <= lxmax, as ln(V) / a <= 0) shows that the draw's log-odds
 * cannot be below the best's whatever its gammas, they are not drawn: the
 * draw cannot win, and leaving out draws that cannot change the choice
 * leaves its distribution as it was (the stream after it changes, not
 * the distribution). Otherwise the gammas follow, X's with its uniform
 * (a < 1), then Y's; a draw of the best's tier whose log-odds are not
 * below the best's cannot beat it (B = 1 / (1 + e^lo) does not grow with
 * lo), so its B is not formed, and where the bounds of its logs
 * (log_odds_not_below) show that, the logs are not taken either. */
static RNG_HOT_INLINE int beta_step(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                    double t, b2b2c__beta_best *bb)
{
    double vy;
    if (!log_path(k)) {
        double g = gamma_mt(r, k->da, k->ca);
        double h = gamma_mt(r, k->db, k->cb);
        return beta_take(bb, t * (g / (g + h)), NAN, t);
    }
    if (k->sb == 0.0)
        return log_step_rest(r, k, t, bb, 1.0);
    vy = 1.0 - unif(r);
    if (t == bb->ttop && pre_bound(k, vy) >= bb->ltop)
        return 0; /* NaN ltop: no */
    return log_step_rest(r, k, t, bb, vy);
}

int b2b2c__rng_beta_step(b2b2c__rng *r, const b2b2c__beta_prep *k, double t,
                         b2b2c__beta_best *bb)
{
    return beta_step(r, k, t, bb);
}

/* log_step_rest out of line, for the blocks: about one full draw per
 * block, and the blocks' loops stay small in the instruction cache. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int log_step_out(b2b2c__rng *r, const b2b2c__beta_prep *k, double t,
                        b2b2c__beta_best *bb, double vy)
{
    return log_step_rest(r, k, t, bb, vy);
}

/* A block of 2..B2B2C__BETA_BLOCK posteriors of one tier t, each with b
 * below 1 (the caller checked that the tier can win): every Y uniform
 * first, then in full the draw whose uniform promises most (the least
 * lower bound of its log-odds), then the others in order, each unless
 * its bound already shows it cannot beat the best. The same draws in
 * distribution as the steps one by one (each V, the gammas of those drawn
 * in full; the order the draws are compared in decides only exact ties
 * of log-odds, between draws of one tier), with fewer in full: the first
 * is most often the winner, and the others then stop at their bound.
 * Here with the uniforms' 53 bits already drawn, mm[j] (V = 1 - mm[j]
 * 2^-53, the value of 1 - unif(r)). Returns the new best's index, or n. */
static uint32_t block_bounds(b2b2c__rng *r, const b2b2c__beta_prep *k,
                             uint32_t n, double t, b2b2c__beta_best *bb,
                             const uint64_t *mm)
{
    double v[B2B2C__BETA_BLOCK], lb[B2B2C__BETA_BLOCK];
    uint32_t m = 0, arg = n;
    for (uint32_t j = 0; j < n; j++) {
        v[j] = 1.0 - (double)mm[j] * 0x1.0p-53;
        lb[j] = pre_bound(&k[j], v[j]);
        if (lb[j] < lb[m])
            m = j;
    }
    if (log_step_out(r, &k[m], t, bb, 1.0 - (double)mm[m] * 0x1.0p-53))
        arg = m;
    for (uint32_t j = 0; j < n; j++) {
        if (j == m || (t == bb->ttop && lb[j] >= bb->ltop))
            continue;
        if (log_step_out(r, &k[j], t, bb, v[j]))
            arg = j;
    }
    return arg;
}

static uint32_t beta_block(b2b2c__rng *r, const b2b2c__beta_prep *k,
                           uint32_t n, double t, b2b2c__beta_best *bb)
{
    uint64_t mm[B2B2C__BETA_BLOCK];
    for (uint32_t j = 0; j < n; j++)
        mm[j] = next(r) >> 11;
    return block_bounds(r, k, n, t, bb, mm);
}

/* The same block with its first-pass constants f (b2b2c__rng_beta_first):
 * the same draws, bit for bit, with the bounds taken only for the few
 * uniforms V below q (their 53 bits above f->above: the hits).
 *
 * Why nothing changes. pre_bound(k, V) does not decrease with V: V's
 * exponent and mantissa index (log_bounds) do not decrease, the sum E ln 2
 * + ln_mant[i] does not either (from (E, 255) to (E + 1, 0) it grows by
 * ln(512 / 511) > 1e-3, against roundings below 1e-12), and so do the
 * slack, the division by sb > 0, the sums and the difference (rounding to
 * nearest is monotone). So a uniform not below q has a bound >= x_j =
 * pre_bound(k_j, q) >= f->xs, the least x_j of the block. The hits (V <
 * q) get their bounds; when the least of them, at the first hit m that
 * has it, is below f->xs, every other bound is above it, so m is the
 * first least bound of the whole block, the one block_bounds draws in
 * full first; otherwise (no hit, or a hit as low as a miss could be)
 * block_bounds decides from the bits. After m's draw, a miss j is passed
 * over as block_bounds passes it (t is the best's tier and lb_j >= best's
 * log-odds) when f->xs >= the best's log-odds, as lb_j >= x_j >= f->xs;
 * otherwise its bound is taken as block_bounds takes it. The best's
 * log-odds only fall while its tier stays t (a draw of tier t beats it
 * with a larger B, so smaller log-odds), so once that holds it holds for
 * the rest of the block, and only the hits are left to go through. The
 * uniforms, the full draws and their order are block_bounds', so the
 * generator's stream and the choice are too (test_rng.c t_beta_first). */
static uint32_t beta_block_first(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                 uint32_t n, double t, b2b2c__beta_best *bb,
                                 const b2b2c__beta_first *f)
{
    uint64_t mm[B2B2C__BETA_BLOCK];
    double lh[B2B2C__BETA_BLOCK], lmin = INFINITY;
    uint32_t hit[B2B2C__BETA_BLOCK], nh = 0, m = n, im = 0, arg = n;
    uint64_t above = f->above;
    b2b2c__rng g = *r; /* in registers: the stores to mm cannot alias it */
    for (uint32_t j = 0; j < n; j++) {
        uint64_t x = next(&g) >> 11;
        mm[j] = x;
        hit[nh] = j;
        nh += x > above;
    }
    *r = g;
    for (uint32_t i = 0; i < nh; i++) {
        uint32_t j = hit[i];
        lh[i] = pre_bound(&k[j], 1.0 - (double)mm[j] * 0x1.0p-53);
        if (lh[i] < lmin) {
            lmin = lh[i];
            m = j;
            im = i;
        }
    }
    if (!(lmin < f->xs))
        return block_bounds(r, k, n, t, bb, mm);
    if (log_step_out(r, &k[m], t, bb, 1.0 - (double)mm[m] * 0x1.0p-53))
        arg = m;
    for (uint32_t j = 0, i = 0; j < n; j++) {
        double lb;
        if (t == bb->ttop && f->xs >= bb->ltop) {
            /* every miss from here on is passed over: the hits left */
            for (; i < nh; i++) {
                uint32_t h = hit[i];
                if (i == im || (t == bb->ttop && lh[i] >= bb->ltop))
                    continue;
                if (log_step_out(r, &k[h], t, bb,
                                  1.0 - (double)mm[h] * 0x1.0p-53))
                    arg = h;
            }
            break;
        }
        if (i < nh && hit[i] == j)
            lb = lh[i++];
        else
            lb = pre_bound(&k[j], 1.0 - (double)mm[j] * 0x1.0p-53);
        if (j == m || (t == bb->ttop && lb >= bb->ltop))
            continue;
        if (log_step_out(r, &k[j], t, bb, 1.0 - (double)mm[j] * 0x1.0p-53))
            arg = j;
    }
    return arg;
}

/* Where the scan's piece that starts at j ends: a single step (j + 1), or
 * a block (rng.c, beta_block) up to a change of tier, a posterior with b
 * >= 1, or a multiple of B2B2C__BETA_BLOCK from the tier's first entry
 * tier0. */
static RNG_HOT_INLINE uint32_t piece_end(const b2b2c__beta_prep *k,
                                         const double *t, uint32_t n,
                                         uint32_t j, uint32_t tier0)
{
    uint32_t e = j + 1;
    if (k[j].sb != 0.0)
        while (e < n && t[e] == t[j] && k[e].sb != 0.0 &&
               (e - tier0) % B2B2C__BETA_BLOCK != 0)
            e++;
    return e;
}

uint32_t b2b2c__rng_beta_scan(b2b2c__rng *r, const b2b2c__beta_prep *k,
                              const double *t, uint32_t n,
                              b2b2c__beta_best *bb)
{
    uint32_t arg = n, j = 0, tier0 = 0;
    while (j < n && b2b2c__beta_can_win(t[j], bb->top, bb->ttop, bb->ltop)) {
        uint32_t e;
        if (j > 0 && t[j] != t[j - 1])
            tier0 = j;
        e = piece_end(k, t, n, j, tier0);
        if (e - j > 1) {
            uint32_t a = beta_block(r, k + j, e - j, t[j], bb);
            if (a < e - j)
                arg = j + a;
        } else if (beta_step(r, &k[j], t[j], bb)) {
            arg = j;
        }
        j = e;
    }
    return arg;
}

/* The expected number of hits (uniforms below q) in a block of the
 * first pass: about e^-3 = 5% of blocks have none (and take every bound,
 * as before), and each hit costs a bound. */
#define FIRST_HITS 3.0

void b2b2c__rng_beta_first(b2b2c__beta_first *f, const b2b2c__beta_prep *k,
                           const double *t, uint32_t n)
{
    uint32_t j = 0, tier0 = 0;
    while (j < n) {
        uint32_t e, len;
        if (j > 0 && t[j] != t[j - 1])
            tier0 = j;
        e = piece_end(k, t, n, j, tier0);
        len = e - j;
        f[j].len = len;
        f[j].above = 0;
        f[j].xs = -INFINITY;
        if (len > 1) {
            /* V = 1 - mm 2^-53 < q = h 2^-53 for mm > 2^53 - h, with
             * 1 <= h <= 2^53: q >= 2^-53, the least V, so that the
             * bounds at q are finite */
            double h = floor(FIRST_HITS / (double)len * 0x1.0p53);
            double q, xs = INFINITY;
            if (h < 1.0)
                h = 1.0;
            if (h > 0x1.0p53)
                h = 0x1.0p53;
            q = h * 0x1.0p-53;
            f[j].above = ((uint64_t)1 << 53) - (uint64_t)h;
            for (uint32_t i = j; i < e; i++) {
                double x = pre_bound(&k[i], q);
                if (x < xs)
                    xs = x;
            }
            f[j].xs = xs;
        }
        for (uint32_t i = j + 1; i < e; i++) {
            f[i].len = 0;
            f[i].above = 0;
            f[i].xs = -INFINITY;
        }
        j = e;
    }
}

/* Thompson's choice over a plan: one scan. */
uint32_t b2b2c__rng_beta_argmax(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                const double *t, uint32_t n, double *best)
{
    b2b2c__beta_best bb = B2B2C__BETA_BEST_INIT;
    uint32_t arg = b2b2c__rng_beta_scan(r, k, t, n, &bb);
    *best = bb.top;
    return arg < n ? arg : 0;
}

/* The same scan with the pieces and first-pass constants of
 * b2b2c__rng_beta_first: the pieces are those the scan finds, and each
 * block draws as beta_block (beta_block_first). */
uint32_t b2b2c__rng_beta_argmax_first(b2b2c__rng *r,
                                      const b2b2c__beta_prep *k,
                                      const b2b2c__beta_first *f,
                                      const double *t, uint32_t n,
                                      double *best)
{
    b2b2c__beta_best bb = B2B2C__BETA_BEST_INIT;
    uint32_t arg = n, j = 0;
    while (j < n && b2b2c__beta_can_win(t[j], bb.top, bb.ttop, bb.ltop)) {
        uint32_t len = f[j].len;
        if (len > 1) {
            uint32_t a = beta_block_first(r, k + j, len, t[j], &bb, &f[j]);
            if (a < len)
                arg = j + a;
        } else if (beta_step(r, &k[j], t[j], &bb)) {
            arg = j;
        }
        j += len;
    }
    *best = bb.top;
    return arg < n ? arg : 0;
}

/* b2b2c__rng_beta_prep then b2b2c__rng_beta_prepped, bit for bit, without
 * the calls (exported functions are not inlined into each other here) and
 * without the bounds a single draw does not read. */
double b2b2c__rng_beta(b2b2c__rng *r, double a, double b)
{
    b2b2c__beta_prep k;
    double lo;
    beta_consts(&k, a, b);
    return beta_draw(r, &k, &lo);
}
