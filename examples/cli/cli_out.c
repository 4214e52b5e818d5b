/* SPDX-License-Identifier: MIT */
/*
 * Tables on standard output, as CSV (RFC 4180, a header line) or JSON (an
 * array of objects, one per row, keys the column names), with the tool's
 * one rule for numbers (cli.h, "output"): money with 2 decimals, rates,
 * probabilities and expected counts with 4, counts whole.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_format_parse(const cli_opt *opts, int *json)
{
    const char *f = cli_opt_get(opts, "format");
    if (!f || strcmp(f, "csv") == 0)
        *json = 0;
    else if (strcmp(f, "json") == 0)
        *json = 1;
    else
        return cli_usage_error("--format: must be csv or json (got '%s')", f);
    return 0;
}

void cli_table_begin(cli_table *t, int json, const char *const *cols,
                     size_t ncols)
{
    t->json = json;
    t->cols = cols;
    t->ncols = ncols;
    t->col = 0;
    t->rows = 0;
    if (json) {
        fputs("[", stdout);
        return;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            putchar(',');
        cli_put_field(cols[i]);
    }
    putchar('\n');
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putchar('\\');
            putchar(*p);
        } else if (*p < 0x20) {
            printf("\\u%04x", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

/* before a value: the separator, the row's start, the key */
static void cell(cli_table *t)
{
    if (t->json) {
        if (t->col == 0)
            fputs(t->rows ? ",\n{" : "\n{", stdout);
        else
            putchar(',');
        json_string(t->cols[t->col]);
        putchar(':');
    } else if (t->col) {
        putchar(',');
    }
}

/* after a value: the row's end */
static void next(cli_table *t)
{
    if (++t->col == t->ncols) {
        fputs(t->json ? "}" : "\n", stdout);
        t->col = 0;
        t->rows++;
    }
}

void cli_table_str(cli_table *t, const char *s)
{
    cell(t);
    if (t->json) {
        if (s)
            json_string(s);
        else
            fputs("null", stdout);
    } else if (s) {
        cli_put_field(s);
    }
    next(t);
}

void cli_table_num(cli_table *t, double v, int kind)
{
    static const int decimals[] = {0, 2, 4};
    static const double half[] = {0.5, 0.005, 0.00005};
    cell(t);
    if (!isfinite(v))
        fputs(t->json ? "null" : "", stdout);
    else if (kind == CLI_EXACT) {
        /* the shortest of 15, 16, 17 significant digits that reads back
         * as v (17 always does: IEEE 754-2008, 5.12.2) */
        char buf[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v == 0 ? 0.0 : v);
            if (strtod(buf, NULL) == v)
                break;
        }
        fputs(buf, stdout);
    }
    else /* what rounds to zero prints as 0, never -0 */
        printf("%.*f", decimals[kind], fabs(v) < half[kind] ? 0.0 : v);
    next(t);
}

void cli_table_end(cli_table *t)
{
    if (t->json)
        fputs(t->rows ? "\n]\n" : "]\n", stdout);
}

/* The UTC date of Unix time t and the seconds into its day (Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", civil_from_days). */
static void civil(int64_t t, int64_t *y, int64_t *m, int64_t *d,
                  int64_t *sec)
{
    int64_t days = (t >= 0 ? t : t - 86399) / 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *sec = t - days * 86400;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

void cli_format_date(char *buf, size_t n, int64_t t)
{
    int64_t y, m, d, sec;
    civil(t, &y, &m, &d, &sec);
    snprintf(buf, n, "%04lld-%02lld-%02lld", (long long)y, (long long)m,
             (long long)d);
}

void cli_format_time(char *buf, size_t n, int64_t t)
{
    int64_t y, m, d, sec;
    civil(t, &y, &m, &d, &sec);
    snprintf(buf, n, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
             (long long)y, (long long)m, (long long)d, (long long)(sec / 3600),
             (long long)(sec / 60 % 60), (long long)(sec % 60));
}
