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
        fn(arg);
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

#endif
