/* SPDX-License-Identifier: MIT */
/*
 * The command-line tool's input: CSV reading and the summary loader of
 * `b2b2c forecast fit` (cli_fc_load), against the fit it feeds.
 *
 *   bench_csv CDNOW_SUMMARY.csv
 *
 * Writes a summary of 100,000 customers (the 2,357 CDNOW rows repeated
 * with new IDs, so the fit behaves as on CDNOW) and one of 1,000,000 to a
 * temporary folder, then times: the reader alone (records and fields,
 * MB/s), the loader (reader + numbers + row checks + arrays, what the tool
 * does before fitting) and the BG/NBD fit of the 100,000 rows. The files
 * are read from the page cache after a warm-up run: this measures the
 * parsing, not the disk.
 */
#include <math.h>
#include <stdint.h>

#include "bench.h"
#include "b2b2c.h"
#include "cli.h"
#include "cli_forecast.h"

typedef struct job {
    const char *path;
    size_t bytes;
    cli_fc_data d;
    double p[4];
    int32_t iters;
    long records;
} job;

static size_t write_summary(const char *src, const char *dst, size_t rows)
{
    FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
    char line[256], (*body)[64] = NULL;
    size_t n = 0, cap = 0, w = 0;
    long sz;
    if (!in || !out) {
        fprintf(stderr, "bench_csv: cannot open %s or %s\n", src, dst);
        exit(1);
    }
    if (!fgets(line, sizeof line, in))
        exit(1);
    fputs(line, out); /* id,frequency,recency,T */
    while (fgets(line, sizeof line, in)) {
        char *comma = strchr(line, ',');
        if (!comma)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            body = realloc(body, cap * sizeof(*body));
            if (!body)
                exit(1);
        }
        snprintf(body[n++], sizeof(body[0]), "%s", comma); /* ",x,tx,T\n" */
    }
    /* copy k of the sample has its times stretched by 1 + k / 1000, so
     * the rows are distinct (identical rows are merged by the fit, which
     * would make it look cheaper than on real data) */
    for (w = 0; w < rows; w++) {
        double x, tx, T, s = 1 + (double)(w / n) / 1000;
        if (sscanf(body[w % n], ",%lf,%lf,%lf", &x, &tx, &T) != 3)
            exit(1);
        fprintf(out, "c%07zu,%.0f,%.4f,%.4f\n", w, x, tx * s, T * s);
    }
    sz = ftell(out);
    fclose(in);
    fclose(out);
    free(body);
    return (size_t)sz;
}

static void run_read(void *arg)
{
    job *j = arg;
    cli_csv c;
    long k = 0;
    if (cli_csv_open(&c, j->path))
        exit(1);
    while (cli_csv_next(&c) == 1)
        k += (long)c.nfields;
    cli_csv_close(&c);
    j->records = k;
}

static void run_load(void *arg)
{
    job *j = arg;
    cli_opt o[] = {{"summary", NULL, 0}, {"transactions", NULL, 0},
                   {"calibration-end", NULL, 0}, {"unit", NULL, 0},
                   {NULL, NULL, 0}};
    o[0].value = j->path;
    cli_fc_data_free(&j->d);
    if (cli_fc_load(&j->d, o, B2B2C_FORECAST_BGNBD))
        exit(1);
}

static void run_fit(void *arg)
{
    job *j = arg;
    b2b2c_ctx *ctx;
    int32_t st;
    if (b2b2c_ctx_new(&ctx, NULL, NULL) ||
        b2b2c_forecast_fit(j->p, 4, NULL, &j->iters, &st, ctx,
                           B2B2C_FORECAST_BGNBD, j->d.x, j->d.tx, j->d.T,
                           NULL, j->d.n, 0, 0))
        exit(1);
    b2b2c_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : "tests/data/forecast/cdnow_summary.csv";
    char dir[] = "/tmp/b2b2c-bench-csv-XXXXXX", p100k[64], p1m[64];
    job j;
    bench_result r;

    if (!mkdtemp(dir))
        return 1;
    snprintf(p100k, sizeof p100k, "%s/100k.csv", dir);
    snprintf(p1m, sizeof p1m, "%s/1m.csv", dir);
    memset(&j, 0, sizeof(j));

    j.path = p100k;
    j.bytes = write_summary(src, p100k, 100000);
    r = bench_run("csv read 100k summary rows", run_read, &j, 100000, 1, 9);
    printf("  %.1f MB, %.0f MB/s\n", (double)j.bytes / 1e6,
           (double)j.bytes / r.cpu_median_s / 1e6);
    r = bench_run("forecast fit: load 100k summary rows", run_load, &j,
                  100000, 1, 9);
    printf("  %.0f MB/s\n", (double)j.bytes / r.cpu_median_s / 1e6);
    bench_run("forecast fit: BG/NBD fit of the 100k rows", run_fit, &j,
              100000, 1, 5);
    printf("  r=%.4f alpha=%.4f a=%.4f b=%.4f, %d iterations\n", j.p[0],
           j.p[1], j.p[2], j.p[3], (int)j.iters);

    j.path = p1m;
    j.bytes = write_summary(src, p1m, 1000000);
    r = bench_run("csv read 1M summary rows", run_read, &j, 1000000, 1, 5);
    printf("  %.1f MB, %.0f MB/s\n", (double)j.bytes / 1e6,
           (double)j.bytes / r.cpu_median_s / 1e6);
    r = bench_run("forecast fit: load 1M summary rows", run_load, &j,
                  1000000, 1, 5);
    printf("  %.0f MB/s\n", (double)j.bytes / r.cpu_median_s / 1e6);

    cli_fc_data_free(&j.d);
    remove(p100k);
    remove(p1m);
    rmdir(dir);
    return 0;
}
