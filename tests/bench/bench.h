/* SPDX-License-Identifier: MIT */
/*
 * Benchmark harness shared by every engine: monotonic clock, warm-up,
 * repeats, median and spread, items per second. Benchmarks are meson
 * benchmark() targets (meson test --benchmark); tests never time anything.
 *
 *     static void run(void *arg) { ... do `items` units of work ... }
 *     bench_result r = bench_run("lead events", run, arg, 1000000, 1, 7);
 *
 * Output, two lines per benchmark, parseable: wall time, then the process
 * CPU time of the same timed runs (the machine is shared: CPU time leaves
 * out the time the scheduler gave to other jobs):
 *     bench NAME: median 12.3 ms (min 12.0, max 13.1, n=7), 81.3 M items/s
 *     bench NAME [cpu time]: median 12.1 ms (min 11.9, max 12.4, n=7), ...
 */
#ifndef B2B2C_BENCH_H
#define B2B2C_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct bench_result {
    double median_s, min_s, max_s;
    double items_per_s; /* items / median */
    double cpu_median_s; /* process CPU time, median of the timed runs */
} bench_result;

static inline double bench_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double bench_now(void) { return bench_clock(CLOCK_MONOTONIC); }

/* process CPU time (user + system), seconds */
static inline double bench_cpu_now(void)
{
    return bench_clock(CLOCK_PROCESS_CPUTIME_ID);
}

/* Profiling only the timed runs: with BENCH_PERF_CTL set to the control
 * FIFO of `perf record -D -1 --control fifo:PATH`, each timed run is
 * bracketed by "enable" and "disable", so setup and teardown stay out of
 * the profile. */
static inline void bench_perf_ctl(const char *cmd)
{
    static FILE *f;
    static int tried;
    if (!tried) {
        const char *path = getenv("BENCH_PERF_CTL");
        tried = 1;
        f = path && *path ? fopen(path, "w") : NULL;
    }
    if (f) {
        fputs(cmd, f);
        fputc('\n', f);
        fflush(f);
    }
}

/* BENCH_RUNS=N in the environment: no warm-up and N timed runs instead
 * of the program's own counts, so that an instruction count (callgrind,
 * tests/bench/ir_compare.sh) covers a known, small amount of work. Unset,
 * the program's counts stand. */
static inline void bench_runs_override(int *warmup, int *repeats)
{
    const char *v = getenv("BENCH_RUNS");
    if (v && *v && atoi(v) > 0) {
        *warmup = 0;
        *repeats = atoi(v);
    }
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sort t[0..n) and print one result line; returns the median. */
static inline double bench_report(const char *name, const char *how,
                                  double *t, int n, double items)
{
    double med;
    qsort(t, (size_t)n, sizeof(double), bench_cmp);
    med = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    printf("bench %s%s: median %.3f ms (min %.3f, max %.3f, n=%d), "
           "%.3f M items/s\n",
           name, how, med * 1e3, t[0] * 1e3, t[n - 1] * 1e3, n,
           med > 0 ? items / med / 1e6 : 0.0);
    fflush(stdout);
    return med;
}

/* Every timed run goes through this one function, so that callgrind can
 * count the timed runs alone, one profile part per run:
 * --collect-atstart=no --toggle-collect=bench_timed
 * --dump-after=bench_timed (tests/bench/ir_compare.sh). */
#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_NOCLONE __attribute__((noinline, noclone))
#else
#define BENCH_NOCLONE __attribute__((noinline))
#endif
static BENCH_NOCLONE void bench_timed(void (*fn)(void *), void *arg)
{
    fn(arg);
    __asm__ volatile("" ::: "memory");
}

/* Run fn `warmup` times untimed, then `repeats` (<= 64) timed runs. Each run
 * does `items` units of work. `setup` (optional) runs untimed before each
 * run, e.g. to rebuild state that a run consumes. */
static inline bench_result bench_run_setup(const char *name,
                                           void (*setup)(void *),
                                           void (*fn)(void *), void *arg,
                                           double items, int warmup,
                                           int repeats)
{
    double t[64], c[64];
    bench_result r;

    bench_runs_override(&warmup, &repeats);
    if (repeats > 64)
        repeats = 64;
    if (repeats < 1)
        repeats = 1;
    for (int i = 0; i < warmup; i++) {
        if (setup)
            setup(arg);
        fn(arg);
    }
    for (int i = 0; i < repeats; i++) {
        double t0, c0;
        if (setup)
            setup(arg);
        bench_perf_ctl("enable");
        c0 = bench_cpu_now();
        t0 = bench_now();
        bench_timed(fn, arg);
        t[i] = bench_now() - t0;
        c[i] = bench_cpu_now() - c0;
        bench_perf_ctl("disable");
    }
    r.median_s = bench_report(name, "", t, repeats, items);
    r.min_s = t[0];
    r.max_s = t[repeats - 1];
    r.items_per_s = r.median_s > 0 ? items / r.median_s : 0;
    r.cpu_median_s = bench_report(name, " [cpu time]", c, repeats, items);
    return r;
}

static inline bench_result bench_run(const char *name, void (*fn)(void *),
                                     void *arg, double items, int warmup,
                                     int repeats)
{
    return bench_run_setup(name, NULL, fn, arg, items, warmup, repeats);
}

/* A counting allocator for b2b2c_ctx_new: the bytes the library holds.
 *     bench_counter cnt = {0};
 *     b2b2c_allocator al = {B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
 *                           bench_count_realloc, bench_count_free, &cnt};
 */
typedef struct bench_counter {
    long long bytes;
} bench_counter;

static inline void *bench_count_alloc(size_t n, void *ud)
{
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    ((bench_counter *)ud)->bytes += (long long)n;
    return (char *)p + 16;
}

static inline void bench_count_free(void *q, void *ud)
{
    size_t *p;
    if (!q)
        return;
    p = (size_t *)((char *)q - 16);
    ((bench_counter *)ud)->bytes -= (long long)p[0];
    free(p);
}

static inline void *bench_count_realloc(void *q, size_t n, void *ud)
{
    size_t *p, old;
    if (!q)
        return bench_count_alloc(n, ud);
    p = (size_t *)((char *)q - 16);
    old = p[0];
    p = realloc(p, n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    ((bench_counter *)ud)->bytes += (long long)n - (long long)old;
    return (char *)p + 16;
}

/* Wait for n child processes; 1 when every one exited with status 0. */
static inline int bench_wait_all(const pid_t *pid, int n)
{
    int ok = 1;
    for (int i = 0; i < n; i++) {
        int status = 0;
        while (waitpid(pid[i], &status, 0) < 0 && errno == EINTR)
            ;
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok;
}

/* Close both ends of two pipes (a run's start and result pipes). */
static inline void bench_close_pipes(const int a[2], const int b[2])
{
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

#endif
