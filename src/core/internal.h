/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c internal building blocks shared by every engine. Not installed.
 *
 * Names here are b2b2c__* (two underscores) and carry no export macro, so the
 * version script keeps them out of the shared library. Tests reach them
 * through the static library built from the same sources.
 */
#ifndef B2B2C_INTERNAL_H
#define B2B2C_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "b2b2c/common.h"
#include "b2b2c/sys/storage.h"

#if defined(__GNUC__) || defined(__clang__)
#  define B2B2C__PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define B2B2C__LIKELY(x) __builtin_expect(!!(x), 1)
#  define B2B2C__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define B2B2C__PRINTF(f, a)
#  define B2B2C__LIKELY(x) (x)
#  define B2B2C__UNLIKELY(x) (x)
#endif

/* ---- allocation ------------------------------------------------------ */

/* A copy of the host's allocator functions (or libc's). */
typedef struct b2b2c__alloc {
    void *(*alloc)(size_t, void *);
    void *(*realloc)(void *, size_t, void *);
    void (*free)(void *, void *);
    void *ud;
} b2b2c__alloc;

/* Validate a host allocator (NULL means libc) and copy it into `out`.
 * Returns 0, B2B2C_EINVAL or B2B2C_EVERSION. */
int b2b2c__alloc_init(b2b2c__alloc *out, const b2b2c_allocator *host);

static inline void *b2b2c__amalloc(const b2b2c__alloc *a, size_t n)
{
    return a->alloc(n ? n : 1, a->ud);
}
static inline void *b2b2c__arealloc(const b2b2c__alloc *a, void *p, size_t n)
{
    return a->realloc(p, n ? n : 1, a->ud);
}
static inline void b2b2c__afree(const b2b2c__alloc *a, void *p)
{
    if (p)
        a->free(p, a->ud);
}

/*
 * Grow an array so that it holds at least `need` elements of `size` bytes.
 * *cap is updated. Growth is geometric. Returns 0 or B2B2C_ENOMEM (the
 * array is then unchanged).
 */
int b2b2c__grow(const b2b2c__alloc *a, void **arr, size_t *cap, size_t need,
                size_t size);

/* ---- IDs and names --------------------------------------------------- */

#define B2B2C__ID_MAX 255

/* 0 when `s` is valid UTF-8 of 1..255 bytes, else B2B2C_EBADID; stores the
 * length in *len when non-NULL. NULL is B2B2C_EINVAL. */
int b2b2c__id_check(const char *s, size_t *len);

/* 0 when s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int b2b2c__utf8_valid(const char *s, size_t n);

/* Stable names of enum values kept in an array indexed by value (NULL for
 * a gap): the name of `v` (NULL when out of range or a gap), and the value
 * of a name (B2B2C_EINVAL for NULL or an unknown name). */
const char *b2b2c__name_of(const char *const *names, int32_t n, int32_t v);
int32_t b2b2c__value_of(const char *const *names, int32_t n, const char *s);

/* The number of elements of an array (not a pointer). */
#define B2B2C__COUNT(a) ((int32_t)(sizeof(a) / sizeof((a)[0])))

/* Defines the public pair PREFIX_name(int32_t v) and PREFIX_from_name(const
 * char *s) over such an array `names` (an array, not a pointer), after
 * their declarations in the public header: B2B2C__NAME_FUNCS(b2b2c_band,
 * band_names) defines b2b2c_band_name and b2b2c_band_from_name. */
#define B2B2C__NAME_FUNCS(prefix, names)                                     \
    const char *prefix##_name(int32_t v)                                     \
    {                                                                        \
        return b2b2c__name_of(names, B2B2C__COUNT(names), v);                \
    }                                                                        \
    int32_t prefix##_from_name(const char *s)                                \
    {                                                                        \
        return b2b2c__value_of(names, B2B2C__COUNT(names), s);               \
    }

/* 0 when `t` is a valid storage table name (1..63 of [a-z0-9_]). */
int b2b2c__table_check(const char *t);

/* ---- time and amounts ---------------------------------------------------- */

/*
 * Why the range [B2B2C_TIME_MIN, B2B2C_TIME_MAX] (common.h) makes every
 * engine's time arithmetic overflow-free: both bounds are below 2^38 in
 * magnitude (2^38 = 274877906944 > 253402300799 > 62135596800). So for
 * times a, b in range and a duration d with |d| <= 2^40 s (every duration
 * parameter is at most 10^4 days = 8.64e8 s, far below), a - b, a + d and
 * a + b are below 2^41 in magnitude, and a day or week index t / 86400 is
 * below 2^22: nothing comes near 2^63. Every time in range is also exact
 * as a double (|t| < 2^53), so (double)t and back lose nothing. Stored
 * records written by older builds may hold any int64: code that reads them
 * uses b2b2c__time_ok or b2b2c__floordiv, never raw negation.
 */
static inline int b2b2c__time_ok(int64_t t)
{
    return t >= B2B2C_TIME_MIN && t <= B2B2C_TIME_MAX;
}

/* floor(a / b) for b > 0, defined for every int64 a (no negation of a). */
static inline int64_t b2b2c__floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b < 0);
}

/* The day length: days are counted only through b2b2c__day and friends. */
#define B2B2C__DAY INT64_C(86400)

/*
 * Index of the period of `len` seconds (len > 0) holding t, periods counted
 * from 1970-01-01 00:00 in local time of the UTC offset `off` (|off| <=
 * 14 h): floor((t + off) / len), computed without overflow for every int64
 * t (stored records may hold any value): the remainder r of t is in
 * [0, len) and r + off cannot overflow.
 */
static inline int64_t b2b2c__period_off(int64_t t, int64_t len, int32_t off)
{
    int64_t q = t / len, r = t % len; /* no q * len: it overflows */
    if (r < 0) {
        r += len;
        q--;
    }
    return q + b2b2c__floordiv(r + off, len);
}

/* The checks below run on every event, so the test is inline and only the
 * message is out of line. */
int b2b2c__time_err(b2b2c_ctx *ctx, int64_t t, const char *arg);
int b2b2c__not_before_err(b2b2c_ctx *ctx, int64_t t, const char *arg,
                          int64_t since, const char *what, const char *id);
int b2b2c__amount_err(b2b2c_ctx *ctx, double v, const char *arg);

/* 0 when t is in the library's range, else B2B2C_ERANGE with the message
 * "<arg>: <t> is outside the time range [min, max] (years 1..9999)". */
static inline int b2b2c__check_time(b2b2c_ctx *ctx, int64_t t,
                                    const char *arg)
{
    return B2B2C__LIKELY(b2b2c__time_ok(t)) ? 0
                                            : b2b2c__time_err(ctx, t, arg);
}

/* 0 when t >= since; else B2B2C_ERANGE with the message
 * "<arg>: <t> is before <what> '<id>' at <since>" (the one rule for a time
 * that goes backwards, common.h). */
static inline int b2b2c__check_not_before(b2b2c_ctx *ctx, int64_t t,
                                          const char *arg, int64_t since,
                                          const char *what, const char *id)
{
    return B2B2C__LIKELY(t >= since)
               ? 0
               : b2b2c__not_before_err(ctx, t, arg, since, what, id);
}

/* 0 when v is an amount the library accepts: B2B2C_EINVAL when v is NaN or
 * infinite, B2B2C_ERANGE when negative or above B2B2C_AMOUNT_MAX; the
 * message names `arg`. (NaN fails both comparisons.) */
static inline int b2b2c__check_amount(b2b2c_ctx *ctx, double v,
                                      const char *arg)
{
    return B2B2C__LIKELY(v >= 0 && v <= B2B2C_AMOUNT_MAX)
               ? 0
               : b2b2c__amount_err(ctx, v, arg);
}

/* ---- hashing ----------------------------------------------------------- */

uint64_t b2b2c__hash(const void *key, size_t len);
/* splitmix64's finaliser (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014; constants of Stafford's
 * Mix13): a bijection of 64 bits in which every input bit reaches every
 * output bit. */
static inline uint64_t b2b2c__fmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
/* Fold the value x into the running digest d (the engines' test digests):
 * order-dependent, one changed bit of d or x changes about half the
 * result's bits. Not for the hot path. */
static inline uint64_t b2b2c__mix64(uint64_t d, uint64_t x)
{
    return b2b2c__fmix64(d ^ b2b2c__fmix64(x + 0x9e3779b97f4a7c15ULL));
}
/* The bits of a double (-0 and +0 differ, as do NaN payloads). */
static inline uint64_t b2b2c__dbits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof(u));
    return u;
}
uint32_t b2b2c__crc32c(uint32_t crc, const void *data, size_t len);
/* The table-driven CRC32C, and whether the hardware one is in use (tests
 * compare the two). */
uint32_t b2b2c__crc32c_sw(uint32_t crc, const void *data, size_t len);
int b2b2c__crc32c_hw_available(void);

/* ---- hash map keyed by byte strings ------------------------------------- */

/*
 * Open addressing with linear probing and backward-shift deletion, so there
 * are no tombstones and a removed key can always be reinserted without
 * allocating (used by the undo log). The map does not own keys or values:
 * a key's bytes must stay valid while it is in the map (engines keep the ID
 * inside the value's allocation).
 */
typedef struct b2b2c__map_slot {
    uint64_t hash; /* 0 marks an empty slot; real hashes have bit 63 set */
    const void *key;
    size_t klen;
    void *val;
} b2b2c__map_slot;

typedef struct b2b2c__map {
    const b2b2c__alloc *a;
    b2b2c__map_slot *slots;
    size_t cap;   /* power of two, or 0 */
    size_t count;
} b2b2c__map;

void b2b2c__map_init(b2b2c__map *m, const b2b2c__alloc *a);
void b2b2c__map_fini(b2b2c__map *m);
void *b2b2c__map_get(const b2b2c__map *m, const void *key, size_t klen);
/* The same with the key's hash computed once by the caller (for a lookup
 * followed by an insert of the same key): h = b2b2c__map_keyhash(key, n). */
uint64_t b2b2c__map_keyhash(const void *key, size_t klen);
void *b2b2c__map_get_h(const b2b2c__map *m, uint64_t h, const void *key,
                       size_t klen);
/* Start loading the slot where a key of hash h is looked up first, so that
 * its cache miss overlaps the caller's other work (a hint: no effect on
 * the map, and none at all without GCC's or clang's builtin). */
static inline void b2b2c__map_prefetch_h(const b2b2c__map *m, uint64_t h)
{
#if defined(__GNUC__) || defined(__clang__)
    if (m->cap)
        __builtin_prefetch(&m->slots[(size_t)h & (m->cap - 1)]);
#else
    (void)m;
    (void)h;
#endif
}
/* Make room for `extra` more keys without further allocation. */
int b2b2c__map_reserve(b2b2c__map *m, size_t extra);
/* Insert or replace; *old (optional) receives the replaced value or NULL.
 * Returns 0 or B2B2C_ENOMEM (map unchanged). */
int b2b2c__map_put(b2b2c__map *m, const void *key, size_t klen, void *val,
                   void **old);
int b2b2c__map_put_h(b2b2c__map *m, uint64_t h, const void *key, size_t klen,
                     void *val, void **old);
/* Remove and return the value, or NULL when absent. Never allocates. */
void *b2b2c__map_del(b2b2c__map *m, const void *key, size_t klen);
/* As map_del, also giving the key pointer the map held. */
void *b2b2c__map_take(b2b2c__map *m, const void *key, size_t klen,
                      const void **stored_key);
/* Iterate: start with *it = 0; returns 0 at the end. Order is unspecified;
 * the map must not change during iteration. */
int b2b2c__map_next(const b2b2c__map *m, size_t *it, const void **key,
                    size_t *klen, void **val);

#include "codec.h" /* the record codec */

/* ---- seeded random generator -------------------------------------------- */

/* xoshiro256** 1.0 (Blackman & Vigna 2018), seeded through splitmix64. The
 * integer and double sequences are identical on every platform. */
typedef struct b2b2c__rng {
    uint64_t s[4];
} b2b2c__rng;

void b2b2c__rng_seed(b2b2c__rng *r, uint64_t seed);
uint64_t b2b2c__rng_u64(b2b2c__rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double b2b2c__rng_uniform(b2b2c__rng *r);
/* Uniform integer in [0, n), unbiased (Lemire 2019); n > 0. */
uint64_t b2b2c__rng_below(b2b2c__rng *r, uint64_t n);
/* Standard normal (256-layer ziggurat, Marsaglia & Tsang 2000). */
double b2b2c__rng_normal(b2b2c__rng *r);
/* Gamma(shape, 1), shape > 0 (Marsaglia & Tsang 2000; shape < 1 by
 * boosting). */
double b2b2c__rng_gamma(b2b2c__rng *r, double shape);
/* Beta(a, b), a, b > 0, from two gammas (in logs when a shape is < 1). */
double b2b2c__rng_beta(b2b2c__rng *r, double a, double b);
/* Beta(a, b) draws with their constants computed once (b2b2c__rng_beta_prep)
 * for a caller that draws from the same (a, b) many times: the same draws
 * as b2b2c__rng_beta(r, a, b), bit for bit, for the same generator state. */
typedef struct b2b2c__beta_prep {
    /* Marsaglia-Tsang's d and c of the two gammas: of Gamma(a) and
     * Gamma(b) when both shapes are >= 1 (sa = sb = 0); otherwise the log
     * path's, of Gamma(a) or, for a < 1, Gamma(a + 1) with sa = a (the
     * same for b): then sa + sb > 0 */
    double da, ca, db, cb, sa, sb;
    /* the log path: bounds of ln Gamma(b or b + 1) from below and of ln X
     * from above, over every draw the generator can make (rng.c,
     * NORMAL_MAX and GAMMA_LOG_BELOW); 0 otherwise */
    double lymin, lxmax;
} b2b2c__beta_prep;
void b2b2c__rng_beta_prep(b2b2c__beta_prep *k, double a, double b);
double b2b2c__rng_beta_prepped(b2b2c__rng *r, const b2b2c__beta_prep *k);
/* The same draw, with its log-odds ln((1 - B) / B) in *lo when a shape is
 * below 1 (NaN otherwise): where B rounds to 1 (or 0) in double precision,
 * the log-odds still order the draws. */
double b2b2c__rng_beta_logodds(b2b2c__rng *r, const b2b2c__beta_prep *k,
                               double *lo);
/* Thompson's comparison: draw x = t B (log-odds lo) beats the best so far
 * (top, of tier ttop, log-odds ltop) when greater, or equal in double
 * precision with the same tier and smaller log-odds (a larger B before
 * rounding; NaN compares false: the first drawn keeps a tie). */
static inline int b2b2c__beta_better(double x, double lo, double t,
                                     double top, double ltop, double ttop)
{
    return x > top || (x == top && t == ttop && lo < ltop);
}
/* Whether a draw of tier t can still beat the best: a draw is at most 1,
 * so t must be above the best, or equal to it when the best is a draw of
 * tier t that rounded to 1 and has its log-odds. */
static inline int b2b2c__beta_can_win(double t, double top, double ttop,
                                      double ltop)
{
    return t > top || (t == top && t == ttop && ltop == ltop);
}
/* Thompson's best draw so far: its value top = tier x B, its log-odds
 * ltop (NaN when both shapes were >= 1) and its tier. */
typedef struct b2b2c__beta_best {
    double top, ltop, ttop;
} b2b2c__beta_best;
#define B2B2C__BETA_BEST_INIT {-1.0, NAN, 0.0}
/* Draws posterior k at tier t > 0 (the caller checked
 * b2b2c__beta_can_win) and returns 1 when the draw became the best
 * (b2b2c__beta_better), 0 otherwise. A draw that cannot win may stop
 * early (with a shape below 1, after the uniform that decides: see
 * rng.c): the choice has the distribution of drawing every posterior in
 * full, its stream is not b2b2c__rng_beta's. */
int b2b2c__rng_beta_step(b2b2c__rng *r, const b2b2c__beta_prep *k, double t,
                         b2b2c__beta_best *bb);
/* Thompson's draws over n posteriors in draw order, t[] descending (t >
 * 0), into the best so far: while b2b2c__beta_can_win, a single step
 * (b2b2c__rng_beta_step), or a block of 2..B2B2C__BETA_BLOCK posteriors
 * of one tier all with b < 1, which draws their Y uniforms first (rng.c,
 * beta_block). A block ends at a change of tier, at a posterior with b >=
 * 1, and where its place from the tier's first entry (the first in k, or
 * where t changes) is a multiple of B2B2C__BETA_BLOCK: a caller that
 * cuts a tier's run into pieces of B2B2C__BETA_BLOCK (each with that
 * tier's first entry or a multiple of it first) gets the same draws as
 * one scan over the run. Returns the new best's index, or n. */
#define B2B2C__BETA_BLOCK 64
uint32_t b2b2c__rng_beta_scan(b2b2c__rng *r, const b2b2c__beta_prep *k,
                              const double *t, uint32_t n,
                              b2b2c__beta_best *bb);
/* Thompson's choice over n posteriors in draw order, t[] descending (t > 0):
 * one b2b2c__rng_beta_scan from no best; returns the best's index and
 * *best its value (n >= 1). */
uint32_t b2b2c__rng_beta_argmax(b2b2c__rng *r, const b2b2c__beta_prep *k,
                                const double *t, uint32_t n, double *best);
/* What the scan's first pass needs of a piece that starts at place j,
 * computed once per plan (b2b2c__rng_beta_first): its length len (1: a
 * single step; 0 at places inside a block), and for a block the bits
 * above which a Y uniform V = 1 - u is below q (u's 53 bits above
 * `above`), and xs, the least of the block's log-odds bounds at V = q
 * (rng.c, beta_block_first). */
typedef struct b2b2c__beta_first {
    uint64_t above;
    double xs;
    uint32_t len;
} b2b2c__beta_first;
/* The first-pass constants f[0..n) of the posteriors k[0..n) at tiers
 * t[0..n) (descending), for b2b2c__rng_beta_argmax_first. Cost O(n). */
void b2b2c__rng_beta_first(b2b2c__beta_first *f, const b2b2c__beta_prep *k,
                           const double *t, uint32_t n);
/* b2b2c__rng_beta_argmax with the first-pass constants f of k and t: the
 * same choice, *best and generator state, bit for bit; a block takes the
 * bounds of only the few uniforms that can lead it. */
uint32_t b2b2c__rng_beta_argmax_first(b2b2c__rng *r,
                                      const b2b2c__beta_prep *k,
                                      const b2b2c__beta_first *f,
                                      const double *t, uint32_t n,
                                      double *best);

/* ---- special functions (core/specfun.c) ------------------------------------ */

/* log Gamma(x) for x > 0 (NaN otherwise). Thread-safe: no signgam.
 * Absolute error about 1e-15 near the zeros at 1 and 2, relative error
 * about 1e-15 elsewhere. */
double b2b2c__lgamma(double x);
/* digamma psi(x) = d/dx log Gamma(x), x > 0. */
double b2b2c__digamma(double x);
/* log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), a, b > 0. */
double b2b2c__lbeta(double a, double b);
/* log(exp(a) + exp(b)) without overflow. */
double b2b2c__logaddexp(double a, double b);
/* trigamma psi'(x), x > 0: recurrence up to x >= 10, then the asymptotic
 * series (Abramowitz & Stegun 6.4.6 and 6.4.12); relative error ~1e-15. */
double b2b2c__trigamma(double x);
/* Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a),
 * a > 0, x >= 0 (series or continued fraction: Numerical Recipes 3rd ed.,
 * eqs. 6.2.5 and 6.2.7). The chi-square survival function with k degrees of
 * freedom at X is Q(k / 2, X / 2). */
double b2b2c__gammaq(double a, double x);
/* Standard normal CDF Phi(x) and survival 1 - Phi(x), each accurate in its
 * own tail (libm's erfc). */
double b2b2c__norm_cdf(double x);
double b2b2c__norm_sf(double x);
/* The p-quantile of the standard normal, p in (0, 1): a rational start
 * (Abramowitz & Stegun 26.2.23) polished by Newton steps on Phi, to about
 * 1e-15 relative. */
double b2b2c__norm_ppf(double p);
/* Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1], and its
 * inverse in x, the p-quantile of Beta(a, b) (defined in dealer/betaq.c,
 * used by the dealer and the experiments module). */
double b2b2c__betainc(double a, double b, double x);
double b2b2c__betaq(double p, double a, double b);

/* Gauss hypergeometric 2F1(a, b; c; z) by its power series, for
 * 0 <= z < 1 and a, b, c > 0 (the region the BG/NBD expectations need;
 * see specfun.c). `d` (optional) receives the derivatives with respect to
 * a, b, c and z. Returns 0, B2B2C_ERANGE when the arguments are outside
 * the region, or B2B2C_ENOCONVERGE when the series needs more than
 * B2B2C__HYP2F1_MAX_TERMS terms (z above about 0.9996). */
#define B2B2C__HYP2F1_MAX_TERMS 100000
int b2b2c__hyp2f1(double a, double b, double c, double z, double *val,
                  double d[4]);

/* log 2F1(a, b; a+1; z), the function of the Pareto/NBD likelihood, for
 * a > 0, 0 < b < a + 1, 0 <= z < 1, in bounded work for every such
 * argument: Euler's transformation and a series of at most
 * B2B2C__HYP2F1_A1_MAX_TERMS terms for z < 0.9, above that 200 terms of
 * it or an integral by Gauss-Legendre quadrature of at most 384 nodes
 * (specfun.c). `dl` (optional) receives d log 2F1 / d(a, b, z), where
 * d/da moves c = a + 1 with a. Relative accuracy 1e-12 in the value (1e-11
 * at a ~ 0.01 with 1 - z ~ 1e-12)
 * (tested against mpmath in test_forecast_pnbd.c). Returns 0,
 * B2B2C_ERANGE (arguments outside the region, or a result that is not
 * finite) or B2B2C_ENOCONVERGE (a cap reached; not seen in tests). */
#define B2B2C__HYP2F1_A1_MAX_TERMS 600
int b2b2c__lhyp2f1_a1(double a, double b, double z, double *lf,
                      double dl[3]);

/* The default store of a context the host gives none: a private built-in
 * memstore on the library's allocator `a` (copied), which takes no lock.
 * Implemented by the backend in src/memstore/, the one thing core asks of
 * it. */
int b2b2c__memstore_create(b2b2c_memstore **out, const b2b2c__alloc *a);

/* ---- parameters (core/param.c) -------------------------------------------- */

/* One parameter of one engine: its number and name (as in the header),
 * bounds (inclusive), default, and whether values must be whole. */
typedef struct b2b2c__param_info {
    int32_t id;
    const char *name;
    double min, max, def;
    int whole;
} b2b2c__param_info;

/* The table of a module's parameters, base = 100 (lead), 200 (segmenter),
 * 300 (dealer), 400 (forecaster), 500 (channels) or 600 (experiments),
 * indexed by
 * number - base; NULL and *n = 0 for another base. */
const b2b2c__param_info *b2b2c__param_table(int32_t base, size_t *n);
/* The entry of `param`, or NULL when no engine has it. */
const b2b2c__param_info *b2b2c__param_find(int32_t param);
/* The one check of a value for every engine's set_param: B2B2C_EINVAL
 * (not a parameter of the engine with `base`, NaN or infinite), ERANGE
 * (outside the bounds, or fractional for a whole parameter), with the
 * message naming the parameter. Engines add their cross-parameter rules. */
int b2b2c__param_check(b2b2c_ctx *ctx, int32_t base, int32_t param,
                       double value);
/* Fill v[0 .. n-1] with the module's defaults. */
void b2b2c__param_defaults(int32_t base, double *v);
/* 1 when v is allowed for p (bounds and wholeness): for loading. */
int b2b2c__param_valid(const b2b2c__param_info *p, double v);

/* ---- the context ---------------------------------------------------------- */

/* One entry of the undo log: `undo` runs (newest first) when the call or
 * group fails, `release` when it commits. Either may be NULL. Neither may
 * fail or allocate. */
typedef void (*b2b2c__undo_fn)(b2b2c_ctx *ctx, void *a, void *b, size_t n);
typedef struct b2b2c__undo {
    b2b2c__undo_fn undo;
    b2b2c__undo_fn release;
    void *a, *b;
    size_t n;
} b2b2c__undo;

/* ---- many contexts on one database (sync.c, docs/storage.md) -------------- */

/*
 * An engine handle tells core how to bring it up to date with what other
 * contexts committed. `prefix` names its tables (every table it owns is
 * "<prefix>_..."). All members but `refresh` and `refresh_done` are
 * required.
 *
 * refresh       another context committed a change to `table`/`key`: it now
 *               holds `val` (vlen bytes), or is absent (val NULL). Make the
 *               in-memory state match, with undo entries for every change
 *               (the call that synced may still fail, and then memory must
 *               be as before). Applying a value that memory already holds
 *               must change nothing (a freshly opened engine may be handed
 *               changes its load already saw). A table it does not know is
 *               B2B2C_ECORRUPT naming table and key. NULL: the engine
 *               reloads whenever one of its tables changed.
 * refresh_done  after the keys of one sync (those of this engine were all
 *               handed over): recompute what depends on several keys. May
 *               be NULL.
 * reload        rebuild everything from storage (a context that fell behind
 *               the trimmed log, or no `refresh`). Called with no undo entry
 *               pending; on failure the handle must be as before.
 * erase         b2b2c_ctx_erase (erase.c), inside its transaction: erase
 *               what the engine keeps under ID `id` (n bytes, a valid ID)
 *               as the engine's own erase calls do (undoable, the change
 *               log told to forget). 0, B2B2C_ENOTFOUND when the engine
 *               knows nothing of the ID (and changed nothing), or an error.
 *               NULL: the engine keeps no host IDs.
 */
typedef struct b2b2c__engine_ops {
    const char *prefix;
    int (*load)(void *h); /* the open's scans (b2b2c__engine_open) */
    int (*refresh)(void *h, const char *table, const void *key, size_t klen,
                   const void *val, size_t vlen);
    int (*refresh_done)(void *h);
    int (*reload)(void *h);
    int (*erase)(void *h, const char *id, size_t n);
    /* Optional: asked, before any key of a sync is handed over, about each
     * key the log says was deleted; nonzero when the handle cannot follow
     * that deletion by a refresh (it never saw what was deleted and needs
     * it): the context reloads instead. */
    int (*behind)(void *h, const char *table, const void *key, size_t klen);
} b2b2c__engine_ops;

typedef struct b2b2c__engine {
    const b2b2c__engine_ops *ops;
    void *h;
    uint64_t seen; /* the last commit applied to this handle */
    int touched;   /* handed a change in the current sync */
    int wrote;     /* a call on it ran in the open transaction */
} b2b2c__engine;

/* Most tables one transaction may write (every engine's together: 26). */
#define B2B2C__TXN_TABLES 64
/* Keep this many change-log entries; trim in batches of the second. */
#define B2B2C__LOG_KEEP ((uint64_t)65536)
#define B2B2C__LOG_TRIM_BATCH ((uint64_t)256)

struct b2b2c_ctx {
    b2b2c__alloc mem;
    b2b2c_storage st;
    b2b2c_memstore *own_store; /* the default store, when the host gave none */
    int group;                 /* host opened a group with b2b2c_ctx_begin */
    int aborted;               /* a call in the group failed */
    int depth;                 /* library calls in progress (re-entrancy) */
    b2b2c__undo *undo;
    size_t nundo, capundo;
    /* entries pushed with a release function since the log was last
     * emptied (more after an undo to a mark): none, and the commit does
     * not read the log back */
    size_t nrelease;
    /* the undo arena: saved bytes, a stack popped by the undo log (newest
     * first), emptied at commit (b2b2c__undo_arena) */
    unsigned char *arena;
    size_t arenatop, caparena;
    int errcode;
    char errmsg[256];
    b2b2c_progress_cb progress; /* b2b2c_ctx_set_progress_handler */
    void *progress_ud;
    int64_t progress_every, progress_count;
    int32_t utc_offset; /* b2b2c_ctx_set_utc_offset: seconds east of UTC */
    int32_t nhandles;   /* engine handles alive on this context */
    /* many contexts on one database (sync.c) */
    int coherent;   /* 0: the store is this context's alone, no change log */
    int synced;     /* brought up to date inside the open transaction */
    int loading;    /* an engine's open holds a read transaction */
    int attempts;   /* re-runs of the current call after B2B2C_ECONFLICT */
    uint64_t seen;  /* the last commit sequence applied to memory */
    uint64_t floor; /* change-log entries up to this one are trimmed */
    uint64_t own;   /* the sequence of this context's last commit */
    uint64_t pending_seq, pending_floor; /* written by the open commit */
    uint8_t *chg;   /* changes written by the open transaction */
    size_t chglen, chgcap, nchg;
    const char *tabs[B2B2C__TXN_TABLES]; /* the tables they name */
    uint8_t tabskip[B2B2C__TXN_TABLES];  /* core's own: not logged */
    uint32_t ntabs, lasttab;
    int forget;   /* an erase ran: the commit drops the log (sync.c) */
    int siblings; /* two handles of one engine are attached */
    /* this transaction: leave changes in the log / look for others' (both
     * off when alone on a store that counts its contexts: sync.c) */
    int logging, sync_needed;
    int alone_ok, pend_alone; /* caught up since the peers' epoch moved */
    uint64_t alone_epoch, pend_epoch;
    b2b2c__engine **engs; /* engine handles attached (b2b2c__engine_attach) */
    size_t neng, capeng;
};

/*
 * The one place days are counted (docs/conventions.md, Time): the day of t
 * in the context's time zone, floor((t + offset) / 86400), and the inverse,
 * the UTC second at which local day `day` starts. Periods of whole days
 * (a dealer's share period) start at local midnight too.
 */
static inline int64_t b2b2c__day(const b2b2c_ctx *ctx, int64_t t)
{
    return b2b2c__period_off(t, B2B2C__DAY, ctx->utc_offset);
}
static inline int64_t b2b2c__day_start(const b2b2c_ctx *ctx, int64_t day)
{
    return day * B2B2C__DAY - ctx->utc_offset;
}
static inline int64_t b2b2c__period(const b2b2c_ctx *ctx, int64_t t,
                                    int64_t len)
{
    return b2b2c__period_off(t, len, ctx->utc_offset);
}

/* An engine handle was created on ctx (counted so that the UTC offset is
 * not changed under an open engine); b2b2c__handle_closing undoes it. */
static inline void b2b2c__handle_opened(b2b2c_ctx *ctx)
{
    ctx->nhandles++;
}

/* Record the error message for `code` and return `code`. */
int b2b2c__err(b2b2c_ctx *ctx, int code, const char *fmt, ...)
    B2B2C__PRINTF(3, 4);
/* Write `key` (klen bytes) into out (cap bytes, NUL-terminated) escaped:
 * printable ASCII as is, other bytes and the backslash and quote as \xNN;
 * a key that does not fit is cut, "..." marking the cut. Returns how many
 * key bytes were written (klen when all). */
size_t b2b2c__key_escape(char *out, size_t cap, const void *key, size_t klen);
/* Most characters of an escaped key in a message. */
#define B2B2C__KEY_SHOWN 64
/* The message for a stored record that is bad, and return `rc`:
 * "table 'T' key 'K': detail (strerror)", or "...: strerror" without fmt;
 * K escaped (b2b2c__key_escape), a cut key followed by " (N bytes)". One
 * helper for every engine's load errors. */
int b2b2c__err_corrupt(b2b2c_ctx *ctx, int rc, const char *table,
                       const void *key, size_t klen, const char *fmt, ...)
    B2B2C__PRINTF(6, 7);
/* Clear the last error (done at the start of every public call). */
static inline void b2b2c__err_clear(b2b2c_ctx *ctx)
{
    ctx->errcode = 0;
    ctx->errmsg[0] = '\0';
}

static inline void *b2b2c__malloc(b2b2c_ctx *ctx, size_t n)
{
    return b2b2c__amalloc(&ctx->mem, n);
}
static inline void b2b2c__free(b2b2c_ctx *ctx, void *p)
{
    b2b2c__afree(&ctx->mem, p);
}

/* Count `units` of work towards the progress handler and call it when
 * due: 0 to go on, or B2B2C_EINTERRUPTED (message set) when it asked to
 * stop. No handler: 0 at once. */
int b2b2c__progress(b2b2c_ctx *ctx, int64_t units);

/* ---- write-through: one public call = one storage transaction ------------- */

/*
 * Every mutating public call is bracketed by call_begin/call_end:
 *
 *     rc = b2b2c__call_begin(ctx);
 *     if (rc) return rc;
 *     ... validate, push undo entries BEFORE each in-memory change,
 *         write records through b2b2c__st_put/b2b2c__st_del ...
 *     return b2b2c__call_end(ctx, rc);
 *
 * call_end commits (outside a group), or on failure runs the undo log back
 * to where the call (or, inside a group, the group) began and rolls the
 * storage back, so the in-memory state is exactly as before.
 */
int b2b2c__call_begin(b2b2c_ctx *ctx);
int b2b2c__call_end(b2b2c_ctx *ctx, int rc);

/* call_end's answer when the call met B2B2C_ECONFLICT and is to be re-run
 * from the start (never returned to a host). */
#define B2B2C__AGAIN (-0x7ffffff0)
/*
 * A mutating call, re-run on B2B2C_ECONFLICT: `body` (an expression, often
 * a static function's call) runs after the call's transaction began and
 * the context was brought up to date, so every check of state it makes
 * sees the latest committed state:
 *
 *     B2B2C__CALL(rc, ctx, m, event_body(m, id, kind, value, now));
 *     return rc;
 *
 * `body` must leave nothing behind but undo entries and storage writes: it
 * may run several times.
 */
#define B2B2C__CALL(rc, ctx, h, body)                                       \
    do {                                                                    \
        (rc) = b2b2c__call_begin(ctx);                                      \
        if ((rc) == 0) {                                                    \
            b2b2c__sync_writer((ctx), (h));                                 \
            (rc) = b2b2c__call_end((ctx), (body));                          \
        }                                                                   \
    } while ((rc) == B2B2C__AGAIN)

/* Every public read that answers from an engine's memory starts with this:
 * outside a call it brings the context up to date with others' commits
 * (nothing to do, and one storage read, when none committed); inside a
 * callback or an aborted group it does nothing. 0 or an error (message
 * set). */
int b2b2c__sync_read(b2b2c_ctx *ctx);
/* Inside a transaction: bring the context up to date once per transaction. */
int b2b2c__sync_begin_slow(b2b2c_ctx *ctx);
static inline int b2b2c__sync_begin(b2b2c_ctx *ctx)
{
    return ctx->sync_needed && !ctx->synced ? b2b2c__sync_begin_slow(ctx)
                                            : 0;
}
/* At the start of a transaction or a read: decide ctx->logging and
 * ctx->sync_needed (a context alone on a store that counts its contexts
 * does neither, once caught up). */
void b2b2c__sync_mode(b2b2c_ctx *ctx);
/* Record a write of the open transaction for the change log (st_put/del):
 * [op u8][table number u8][klen u16 LE][key]. The common case (the table
 * of the last write, room in the buffer) inline; the rest in sync.c. */
int b2b2c__sync_note_slow(b2b2c_ctx *ctx, int del, const char *table,
                          const void *key, size_t klen);
static inline int b2b2c__sync_note(b2b2c_ctx *ctx, int del, const char *table,
                                   const void *key, size_t klen)
{
    uint32_t t = ctx->lasttab;
    uint8_t *p;
    if (t >= ctx->ntabs || ctx->tabs[t] != table || klen > 65535 ||
        ctx->chglen + 4 + klen > ctx->chgcap)
        return b2b2c__sync_note_slow(ctx, del, table, key, klen);
    if (ctx->tabskip[t])
        return 0;
    p = ctx->chg + ctx->chglen;
    p[0] = (uint8_t)(del ? 2 : 1); /* sync.c: OP_DEL, OP_PUT */
    p[1] = (uint8_t)t;
    p[2] = (uint8_t)klen;
    p[3] = (uint8_t)(klen >> 8);
    memcpy(p + 4, key, klen);
    ctx->chglen += 4 + klen;
    ctx->nchg++;
    return 0;
}
/* Before commit: write the change-log entry and the sequence row. */
int b2b2c__sync_commit(b2b2c_ctx *ctx);
/* An erase (b2b2c_*_erase) calls this inside its B2B2C__CALL: the commit
 * then names no key in the change log (its entry says "reload") and
 * deletes every kept entry, which may name the erased ID; other contexts
 * reload (docs/storage.md, "Erasing an ID"). */
static inline void b2b2c__sync_forget(b2b2c_ctx *ctx)
{
    ctx->forget = 1;
}
/* After a commit that succeeded / after any end of a transaction. */
void b2b2c__sync_committed(b2b2c_ctx *ctx);
void b2b2c__sync_txn_end(b2b2c_ctx *ctx);
/* The call in progress runs on handle h (B2B2C__CALL): matters only when
 * two handles of one engine are open on the context. */
void b2b2c__sync_writer_slow(b2b2c_ctx *ctx, const void *h);
static inline void b2b2c__sync_writer(b2b2c_ctx *ctx, const void *h)
{
    if (ctx->siblings)
        b2b2c__sync_writer_slow(ctx, h);
}
/* An engine's open: attach the handle after its load succeeded (several
 * handles of one engine on a context each keep their own sequence), detach
 * in its free. Changes reach `refresh` table by table (ordered by the
 * table name's length, then its bytes: not in any order of dependence, so
 * a record may arrive before one it refers to; check such links in
 * refresh_done), and within a table by key length, then bytewise (keys of
 * one length in memcmp order). Bracket the open's scans with
 * load_begin/load_end (one read transaction; load_end returns rc). */
int b2b2c__engine_attach(b2b2c_ctx *ctx, const b2b2c__engine_ops *ops,
                         void *h);
void b2b2c__engine_detach(b2b2c_ctx *ctx, void *h);
int b2b2c__load_begin(b2b2c_ctx *ctx);
int b2b2c__load_end(b2b2c_ctx *ctx, int rc);
/* The open in one call: load_begin, ops->load(h), load_end, attach. */
int b2b2c__engine_open(b2b2c_ctx *ctx, const b2b2c__engine_ops *ops,
                       void *h);
/* Run the undo log back to the start / release it (commit). */
void b2b2c__undo_all(b2b2c_ctx *ctx);
void b2b2c__release_all(b2b2c_ctx *ctx);
/* `out` = the first index i in arr[0..n) with arr[i].field >= key, n when
 * none (arr sorted by field ascending): bisection, O(log n). */
#define B2B2C__LOWER_BOUND(out, arr, n, field, key)                         \
    do {                                                                    \
        size_t lo_ = 0, hi_ = (n);                                          \
        while (lo_ < hi_) {                                                 \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                            \
            if ((arr)[mid_].field < (key))                                  \
                lo_ = mid_ + 1;                                             \
            else                                                            \
                hi_ = mid_;                                                 \
        }                                                                   \
        (out) = lo_;                                                        \
    } while (0)

/* Storage methods may return positive garbage; map it to ESTORAGE. */
static inline int b2b2c__st_rc(int rc)
{
    return rc > 0 ? B2B2C_ESTORAGE : rc;
}

/* Host callbacks (query rows, alerts, reports) run between these two: a
 * mutating call made from inside one gets B2B2C_ESTATE from
 * b2b2c__call_begin. They nest, and leave the context as they found it. */
static inline void b2b2c__cb_enter(b2b2c_ctx *ctx)
{
    ctx->depth++;
}
static inline void b2b2c__cb_leave(b2b2c_ctx *ctx)
{
    ctx->depth--;
}

/* Every engine's *_free calls this first: undo entries may point into the
 * handle's memory, so an open transaction group is rolled back (and marked
 * aborted) before the handle goes away; and the handle `h` is detached
 * (b2b2c__engine_detach; a handle never attached is fine). */
void b2b2c__handle_closing(b2b2c_ctx *ctx, void *h);

/* Make room for `k` more undo entries so that the next `k` pushes cannot
 * fail. Returns 0 or B2B2C_ENOMEM. */
int b2b2c__undo_reserve(b2b2c_ctx *ctx, size_t k);
/* Push an undo entry. Returns 0 or B2B2C_ENOMEM (nothing pushed). */
int b2b2c__undo_push(b2b2c_ctx *ctx, b2b2c__undo_fn undo,
                     b2b2c__undo_fn release, void *a, void *b, size_t n);
/* The one undo arena, for saved bytes of every engine: push an undo entry
 * (undo, a, b, n) and return n bytes (8-byte aligned) on the context's
 * arena for the caller to fill at once (the next push may move them), or
 * NULL (B2B2C_ENOMEM set, nothing pushed). `undo` must take the bytes
 * back with b2b2c__undo_arena_pop(ctx, n). Commit empties the arena and
 * keeps its memory (up to B2B2C__ARENA_KEEP bytes) for the next call: no
 * allocation per save. */
void *b2b2c__undo_arena_grow(b2b2c_ctx *ctx, b2b2c__undo_fn undo, void *a,
                             void *b, size_t n);
static inline void *b2b2c__undo_arena(b2b2c_ctx *ctx, b2b2c__undo_fn undo,
                                      void *a, void *b, size_t n)
{
    size_t sz = (n + 7) & ~(size_t)7;
    /* the hot path: room on the arena and in the log (sz < n: overflow) */
    if (B2B2C__LIKELY(sz >= n && sz <= ctx->caparena - ctx->arenatop &&
                      ctx->nundo < ctx->capundo)) {
        b2b2c__undo *u = &ctx->undo[ctx->nundo++];
        void *p = ctx->arena + ctx->arenatop;
        u->undo = undo;
        u->release = NULL;
        u->a = a;
        u->b = b;
        u->n = n;
        ctx->arenatop += sz;
        return p;
    }
    return b2b2c__undo_arena_grow(ctx, undo, a, b, n);
}
/* In an arena entry's undo: the n bytes it saved (the arena's top). */
static inline const void *b2b2c__undo_arena_pop(b2b2c_ctx *ctx, size_t n)
{
    ctx->arenatop -= (n + 7) & ~(size_t)7;
    return ctx->arena + ctx->arenatop;
}
/* b2b2c__undo_save's undo: copy the saved bytes back to a. */
void b2b2c__undo_restore(b2b2c_ctx *ctx, void *a, void *b, size_t n);
/* Save `n` bytes at `p` so that a failure restores them. Call before
 * changing them. Returns 0 or B2B2C_ENOMEM. */
static inline int b2b2c__undo_save(b2b2c_ctx *ctx, void *p, size_t n)
{
    void *copy = b2b2c__undo_arena(ctx, b2b2c__undo_restore, p, NULL, n);
    if (!copy)
        return B2B2C_ENOMEM;
    memcpy(copy, p, n);
    return 0;
}
#define B2B2C__ARENA_KEEP ((size_t)1 << 20)
/* Give the undo arena's memory back when nothing is saved on it (tests:
 * the fault loop starts each operation with an empty arena, so that its
 * growth is an allocation that can fail). */
void b2b2c__undo_arena_trim(b2b2c_ctx *ctx);
/* Free `p` with the context's allocator when the call commits, not before
 * (so an undo can still put it back). Returns 0 or B2B2C_ENOMEM. */
int b2b2c__undo_free_on_commit(b2b2c_ctx *ctx, void *p);
/* Free `p` if the call fails (for objects created by the call). */
int b2b2c__undo_free_on_fail(b2b2c_ctx *ctx, void *p);

/* Insert `val` under a key that is absent from `m`; removed again if the
 * call fails. The key bytes must live inside `val` (or outlive it). Returns
 * 0 or B2B2C_ENOMEM (nothing changed). */
int b2b2c__map_insert_undoable(b2b2c_ctx *ctx, b2b2c__map *m, const void *key,
                               size_t klen, void *val);
/* The same with the hash from b2b2c__map_keyhash. */
int b2b2c__map_insert_undoable_h(b2b2c_ctx *ctx, b2b2c__map *m, uint64_t h,
                                 const void *key, size_t klen, void *val);
/* Remove the entry for a key present in `m`; put back if the call fails.
 * The value is not freed (use b2b2c__undo_free_on_commit). Returns 0 or
 * B2B2C_ENOMEM (nothing changed). */
int b2b2c__map_remove_undoable(b2b2c_ctx *ctx, b2b2c__map *m, const void *key,
                               size_t klen);

/* Storage wrappers: validate results and name the table in the error. */
int b2b2c__st_put(b2b2c_ctx *ctx, const char *table, const void *key,
                  size_t klen, const void *val, size_t vlen);
int b2b2c__st_del(b2b2c_ctx *ctx, const char *table, const void *key,
                  size_t klen);
int b2b2c__st_get(b2b2c_ctx *ctx, const char *table, const void *key,
                  size_t klen, b2b2c_storage_value_cb found, void *payload);
int b2b2c__st_scan(b2b2c_ctx *ctx, const char *table,
                   b2b2c_storage_row_cb row, void *payload);
/* A hint before a put of `key` into `table` (the storage's optional
 * `hint` member; nothing happens without one, and it never changes a
 * result). h = b2b2c__map_keyhash(key, klen). Stage 0 starts loading the
 * hash slot the put will look in; stage 1, called once that slot has had
 * time to arrive (after the engine's own lookup, say), starts loading the
 * row the slot holds, whose key the put compares. So the put's two cache
 * misses overlap the engine's work instead of following it. */
static inline void b2b2c__st_prefetch(const b2b2c_ctx *ctx, const char *table,
                                      uint64_t h, int stage)
{
    if (ctx->st.hint)
        ctx->st.hint(ctx->st.userdata,
                     stage ? B2B2C_STORAGE_HINT_PREFETCH_ROW
                           : B2B2C_STORAGE_HINT_PREFETCH_SLOT,
                     table, h);
}
/* Encode-and-put helper: finishes `w` and writes it. */
int b2b2c__st_put_rec(b2b2c_ctx *ctx, const char *table, const void *key,
                      size_t klen, b2b2c__wbuf *w);

#endif /* B2B2C_INTERNAL_H */
