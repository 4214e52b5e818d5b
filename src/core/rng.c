/* Seeded pseudo-random numbers: xoshiro256** 1.0 (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", 2018). */
#include <math.h>

#include "internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
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

uint64_t b2b2c__rng_u64(b2b2c__rng *r)
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

double b2b2c__rng_uniform(b2b2c__rng *r)
{
    return (double)(b2b2c__rng_u64(r) >> 11) * 0x1.0p-53;
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

double b2b2c__rng_normal(b2b2c__rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * b2b2c__rng_uniform(r) - 1.0;
        v = 2.0 * b2b2c__rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* Marsaglia & Tsang, "A simple method for generating gamma variables",
 * ACM TOMS 26(3), 2000; for shape < 1, Gamma(a) = Gamma(a+1) * U^(1/a). */
double b2b2c__rng_gamma(b2b2c__rng *r, double shape)
{
    double d, c, x, v, u;

    if (shape < 1.0) {
        double g = b2b2c__rng_gamma(r, shape + 1.0);
        double w;
        do
            w = b2b2c__rng_uniform(r);
        while (w == 0.0);
        return g * pow(w, 1.0 / shape);
    }
    d = shape - 1.0 / 3.0;
    c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        do {
            x = b2b2c__rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        u = b2b2c__rng_uniform(r);
        if (u < 1.0 - 0.0331 * x * x * x * x)
            return d * v;
        if (u > 0.0 && log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}

double b2b2c__rng_beta(b2b2c__rng *r, double a, double b)
{
    double x = b2b2c__rng_gamma(r, a), y = b2b2c__rng_gamma(r, b);
    return x + y > 0.0 ? x / (x + y) : 0.5;
}
