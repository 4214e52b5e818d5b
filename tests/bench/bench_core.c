/* SPDX-License-Identifier: MIT */
/* Core building blocks: hash map, record codec + CRC32C, in-memory store
 * puts in transactions, write-through calls through the toy engine, the
 * generator's normal, gamma and beta draws. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bench.h"
#include "harness.h"
#include "toy.h"

enum { N = 1000000 };
static char (*ids)[16];
static b2b2c__alloc A;

static void map_fill(void *arg)
{
    b2b2c__map m;
    (void)arg;
    b2b2c__map_init(&m, &A);
    for (int i = 0; i < N; i++)
        b2b2c__map_put(&m, ids[i], strlen(ids[i]), ids[i], NULL);
    for (int i = 0; i < N; i++)
        if (!b2b2c__map_get(&m, ids[i], strlen(ids[i])))
            abort();
    b2b2c__map_fini(&m);
}

static void codec_roundtrip(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++) {
        b2b2c__wbuf w;
        b2b2c__rbuf r;
        b2b2c__enc_begin(&w, &A, 1);
        b2b2c__enc_i64(&w, i);
        b2b2c__enc_f64(&w, i * 0.5);
        b2b2c__enc_str(&w, ids[i]);
        b2b2c__enc_finish(&w);
        if (b2b2c__dec_begin(&r, w.buf, w.len, 1))
            abort();
        b2b2c__enc_fini(&w);
    }
}

static void memstore_puts(void *arg)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    (void)arg;
    b2b2c_memstore_new(&ms, NULL);
    b2b2c_memstore_methods(ms, &st);
    for (int i = 0; i < N; i += 1000) {
        st.begin(st.userdata);
        for (int j = i; j < i + 1000; j++)
            st.put(st.userdata, "t", ids[j], strlen(ids[j]), ids[j], 16);
        st.commit(st.userdata);
    }
    b2b2c_memstore_free(ms);
}

/* 8-byte keys as audit trails write them: a big-endian sequence number
 * (ascending), or a random 64-bit number (hash-like IDs). */
static unsigned char (*seqkeys)[8], (*rndkeys)[8];

static void put_keys(b2b2c_storage *st, unsigned char (*keys)[8])
{
    static const unsigned char val[48];
    for (int i = 0; i < N; i += 1000) {
        st->begin(st->userdata);
        for (int j = i; j < i + 1000; j++)
            st->put(st->userdata, "t", keys[j], 8, val, sizeof(val));
        st->commit(st->userdata);
    }
}

static void memstore_keys(void *arg)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_memstore_new(&ms, NULL);
    b2b2c_memstore_methods(ms, &st);
    put_keys(&st, arg);
    b2b2c_memstore_free(ms);
}

static int count_value(const void *v, size_t n, void *p)
{
    (void)v;
    *(size_t *)p += n;
    return 0;
}

/* Look up every ascending key, in random order, in a store filled with
 * them (the fill is untimed). */
static b2b2c_memstore *get_ms;
static void gets_setup(void *arg)
{
    b2b2c_storage st;
    (void)arg;
    if (get_ms)
        return;
    b2b2c_memstore_new(&get_ms, NULL);
    b2b2c_memstore_methods(get_ms, &st);
    put_keys(&st, seqkeys);
}

static void memstore_gets(void *arg)
{
    unsigned char (*order)[8] = arg;
    b2b2c_storage st;
    size_t total = 0;
    b2b2c_memstore_methods(get_ms, &st);
    for (int i = 0; i < N; i++) {
        /* the random keys' low bits pick an existing sequence number */
        uint64_t r = 0;
        unsigned char k[8];
        for (int b = 0; b < 8; b++)
            r = r << 8 | order[i][b];
        r %= N;
        for (int b = 7; b >= 0; b--, r >>= 8)
            k[b] = (unsigned char)r;
        if (st.get(st.userdata, "t", k, 8, count_value, &total))
            abort();
    }
    if (total != (size_t)N * 48)
        abort();
}

static void toy_calls(void *arg)
{
    b2b2c_ctx *ctx;
    toy *t;
    (void)arg;
    b2b2c_ctx_new(&ctx, NULL, NULL);
    toy_new(&t, ctx);
    for (int i = 0; i < N; i += 1000) {
        b2b2c_ctx_begin(ctx);
        for (int j = i; j < i + 1000; j++)
            toy_add(t, ids[j % 10000], 1);
        b2b2c_ctx_commit(ctx);
    }
    toy_free(t);
    b2b2c_ctx_free(ctx);
}

/* Random draws: 4M per run; shapes cycle through 1,024 pairs, either
 * log-uniform in [1, 1000] or Thompson-like posteriors (a prior of 10 at
 * 0.5 plus outcomes: 5 + [0, 40) won, 5 + [0, 120) lost). */
enum { NDRAW = 4000000 };
static double shape_a[2][1024], shape_b[2][1024];
static volatile double draw_sink;

static void draw_normal(void *arg)
{
    b2b2c__rng r;
    double s = 0;
    (void)arg;
    b2b2c__rng_seed(&r, 1);
    for (int i = 0; i < NDRAW; i++)
        s += b2b2c__rng_normal(&r);
    draw_sink = s;
}

static void draw_gamma(void *arg)
{
    const double *a = arg;
    b2b2c__rng r;
    double s = 0;
    b2b2c__rng_seed(&r, 2);
    for (int i = 0; i < NDRAW; i++)
        s += b2b2c__rng_gamma(&r, a[i & 1023]);
    draw_sink = s;
}

static void draw_beta(void *arg)
{
    const int k = *(const int *)arg;
    b2b2c__rng r;
    double s = 0;
    b2b2c__rng_seed(&r, 3);
    for (int i = 0; i < NDRAW; i++)
        s += b2b2c__rng_beta(&r, shape_a[k][i & 1023], shape_b[k][i & 1023]);
    draw_sink = s;
}

static void bench_draws(void)
{
    static const int k0 = 0, k1 = 1;
    b2b2c__rng r;
    b2b2c__rng_seed(&r, 9);
    for (int i = 0; i < 1024; i++) {
        shape_a[0][i] = exp(b2b2c__rng_uniform(&r) * log(1000.0));
        shape_b[0][i] = exp(b2b2c__rng_uniform(&r) * log(1000.0));
        shape_a[1][i] = 5.0 + (double)b2b2c__rng_below(&r, 40);
        shape_b[1][i] = 5.0 + (double)b2b2c__rng_below(&r, 120);
    }
    bench_run("rng normal 4M draws", draw_normal, NULL, NDRAW, 1, 5);
    bench_run("rng gamma 4M draws (shape 1-1000)", draw_gamma, shape_a[0],
              NDRAW, 1, 5);
    bench_run("rng beta 4M draws (shapes 1-1000)", draw_beta, (void *)&k0,
              NDRAW, 1, 5);
    bench_run("rng beta 4M draws (Thompson posteriors)", draw_beta,
              (void *)&k1, NDRAW, 1, 5);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "rng") == 0) {
        bench_draws();
        return 0;
    }
    ids = malloc(sizeof(*ids) * N);
    b2b2c__alloc_init(&A, NULL);
    for (int i = 0; i < N; i++)
        snprintf(ids[i], sizeof(ids[i]), "lead-%d", i * 7);
    seqkeys = malloc(sizeof(*seqkeys) * N);
    rndkeys = malloc(sizeof(*rndkeys) * N);
    {
        uint64_t x = 0x9e3779b97f4a7c15ULL;
        for (int i = 0; i < N; i++) {
            uint64_t q = (uint64_t)i;
            /* splitmix64 (Steele, Lea & Flood 2014) for the random keys */
            uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            z ^= z >> 31;
            for (int b = 7; b >= 0; b--, q >>= 8, z >>= 8) {
                seqkeys[i][b] = (unsigned char)q;
                rndkeys[i][b] = (unsigned char)z;
            }
        }
    }
    bench_run("map put+get 1M ids", map_fill, NULL, 2.0 * N, 1, 5);
    bench_run("codec encode+decode 1M records", codec_roundtrip, NULL, N, 1, 5);
    bench_run("memstore put 1M (txn of 1000)", memstore_puts, NULL, N, 1, 5);
    bench_run("memstore put 1M ascending 8-byte keys (txn of 1000)",
              memstore_keys, seqkeys, N, 1, 5);
    bench_run("memstore put 1M random 8-byte keys (txn of 1000)",
              memstore_keys, rndkeys, N, 1, 5);
    bench_run_setup("memstore get 1M of 1M ascending keys, random order",
                    gets_setup, memstore_gets, rndkeys, N, 1, 5);
    b2b2c_memstore_free(get_ms);
    bench_run("write-through toy_add 1M (groups of 1000)", toy_calls, NULL, N,
              1, 5);
    free(ids);
    free(seqkeys);
    free(rndkeys);
    bench_draws();
    return 0;
}
