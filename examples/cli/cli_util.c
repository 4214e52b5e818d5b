/* SPDX-License-Identifier: MIT */
/* Shared pieces of the b2b2c tool: errors, options, CSV, numbers, dates. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vmsg(const char *fmt, va_list ap)
{
    fputs("b2b2c: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    return CLI_EUSAGE;
}

int cli_data_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    return CLI_EDATA;
}

int cli_parse_opts(int argc, char **argv, int first, cli_opt *opts)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i], *eq;
        size_t len;
        cli_opt *o = NULL;
        if (strncmp(a, "--", 2) != 0)
            return cli_usage_error("unexpected argument '%s'", a);
        /* --name VALUE or --name=VALUE */
        eq = strchr(a + 2, '=');
        len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        for (cli_opt *p = opts; p->name; p++)
            if (strlen(p->name) == len && strncmp(p->name, a + 2, len) == 0)
                o = p;
        if (!o)
            return cli_usage_error("unknown option '%.*s'", (int)len + 2, a);
        if (eq) {
            o->value = eq + 1;
            continue;
        }
        if (i + 1 >= argc)
            return cli_usage_error("option '%s' needs a value", a);
        o->value = argv[++i];
    }
    for (cli_opt *p = opts; p->name; p++)
        if (p->required && !p->value)
            return cli_usage_error("missing required option '--%s'", p->name);
    return 0;
}

const char *cli_opt_get(const cli_opt *opts, const char *name)
{
    for (const cli_opt *p = opts; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p->value;
    return NULL;
}

int cli_decimal_comma = 0;
int cli_date_format = CLI_DATE_ISO;

/* Exact powers of ten: every one up to 1e22 is a double. */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* [-+]digits[.digits][(e|E)[-+]digits], the whole of s[0, n): the value
 * when it is exact by Clinger's fast path (W. D. Clinger 1990, "How to
 * read floating point numbers accurately", PLDI, section 5: a significand
 * w <= 2^53 and a power of ten 10^k with |k| <= 22 are both exact doubles,
 * so w * 10^k or w / 10^-k, one correctly rounded operation, is the
 * correctly rounded value: the one strtod gives). 0 on success, -1 when
 * the text is another shape or outside the fast path (strtod decides). */
static int parse_fast(const char *s, size_t n, double *out)
{
    const char *p = s, *end = s + n;
    uint64_t w = 0;
    int neg = 0, nd = 0, frac = 0, e = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < end && *p >= '0' && *p <= '9'; p++, nd++)
        if (nd < 19)
            w = w * 10 + (uint64_t)(*p - '0');
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, nd++, frac++)
            if (nd < 19)
                w = w * 10 + (uint64_t)(*p - '0');
    if (nd == 0 || nd > 19)
        return -1;
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0, ed = 0;
        p++;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9' && ed < 4; p++, ed++)
            e = e * 10 + (*p - '0');
        if (ed == 0 || ed == 4)
            return -1;
        if (eneg)
            e = -e;
    }
    if (p != end || w > ((uint64_t)1 << 53))
        return -1;
    e -= frac;
    if (e < -22 || e > 22)
        return -1;
    *out = e >= 0 ? (double)w * pow10_exact[e] : (double)w / pow10_exact[-e];
    if (neg)
        *out = -*out;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end, tmp[64];
    double v;
    size_t n;
    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (!n)
        return -1;
    if (cli_decimal_comma) {
        /* 12,5 is 12.5; a '.' (a thousands mark elsewhere) or a second
         * comma is refused, never guessed */
        const char *c = memchr(s, ',', n);
        if (memchr(s, '.', n) || n >= sizeof(tmp) ||
            (c && memchr(c + 1, ',', n - (size_t)(c - s) - 1)))
            return -1;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (c)
            tmp[c - s] = '.';
        s = tmp;
    }
    if (parse_fast(s, n, &v) == 0) {
        *out = v;
        return 0;
    }
    errno = 0;
    v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(v) || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;
    while (*s == ' ')
        s++;
    if (!*s)
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || errno == ERANGE)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* Howard Hinnant's days_from_civil. */
int64_t cli_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int cli_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n;

    char iso[40];

    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (cli_date_format != CLI_DATE_ISO && n >= 10 && n < sizeof(iso) &&
        s[2] == (cli_date_format == CLI_DATE_DMY_DOT ? '.' : '/') &&
        s[5] == s[2]) {
        /* DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY, then what an ISO date may
         * have after it (" HH:MM[:SS]"): rewritten as ISO */
        int dm = cli_date_format == CLI_DATE_MDY_SLASH;
        memcpy(iso, s + 6, 4);
        iso[4] = '-';
        memcpy(iso + 5, s + (dm ? 0 : 3), 2);
        iso[7] = '-';
        memcpy(iso + 8, s + (dm ? 3 : 0), 2);
        memcpy(iso + 10, s + 10, n - 10);
        s = iso;
    }
    if (n >= 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d))
            return -1;
        if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
            return -1;
        if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
            return -1;
        if (n > 10) {
            const char *t = s + 10;
            size_t rest = n - 10;
            if ((t[0] != 'T' && t[0] != ' ') || rest < 6 || t[3] != ':')
                return -1;
            if (digits(t + 1, 2, &hh) || digits(t + 4, 2, &mi))
                return -1;
            t += 6;
            rest -= 6;
            if (rest >= 3 && t[0] == ':') {
                if (digits(t + 1, 2, &ss))
                    return -1;
                t += 3;
                rest -= 3;
            }
            if (rest == 1 && t[0] == 'Z')
                rest = 0;
            if (rest != 0 || hh > 23 || mi > 59 || ss > 60)
                return -1;
        }
        *out = cli_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
               hh * 3600 + mi * 60 + ss;
        return 0;
    }
    {
        char tmp[32];
        if (n >= sizeof(tmp))
            return -1;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        return cli_parse_int64(tmp, out);
    }
}

void cli_put_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

int cli_grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t nc = *cap ? *cap : 64;
    void *q;
    if (need <= *cap)
        return 0;
    while (nc < need)
        nc *= 2;
    if (!(q = realloc(*p, nc * size)))
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}
