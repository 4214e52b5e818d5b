/* SPDX-License-Identifier: MIT */
/* Shared pieces of the b2b2c tool: errors, options, CSV, numbers, dates. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
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
        const char *a = argv[i];
        cli_opt *o = NULL;
        if (strncmp(a, "--", 2) != 0)
            return cli_usage_error("unexpected argument '%s'", a);
        for (cli_opt *p = opts; p->name; p++)
            if (strcmp(p->name, a + 2) == 0)
                o = p;
        if (!o)
            return cli_usage_error("unknown option '%s'", a);
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

int cli_csv_error(const cli_csv *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "b2b2c: %s:%ld: ", c->path, c->line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EDATA;
}

#define NUL_MSG "NUL byte in a field: the line is refused (a binary or UTF-16 file?)"

static int put_char(cli_csv *c, size_t *len, char ch)
{
    if (*len + 1 >= c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 256;
        char *nb = realloc(c->buf, ncap);
        if (!nb)
            return -1;
        c->buf = nb;
        c->cap = ncap;
    }
    c->buf[(*len)++] = ch;
    return 0;
}

/* Read one record into buf with fields separated by NUL; returns 1, 0 at
 * EOF, -1 on error, -2 for an unterminated quote, -3 when a field holds a
 * NUL byte (the record is read to its end, then refused: a NUL would end
 * the field, so "a<NUL>x" and "a<NUL>y" would become the same ID "a").
 * Physical lines are counted for messages. */
static int read_record(cli_csv *c, long *lines_read)
{
    size_t len = 0, starts_cap = 0;
    size_t *starts = NULL;
    size_t nstarts = 0;
    int ch, inq = 0, any = 0, after_quote = 0, nul = 0;

    *lines_read = 0;
    /* offsets are collected first: buf may move while growing */
    for (;;) {
        ch = fgetc(c->f);
        if (ch == EOF) {
            if (inq) {
                free(starts);
                return -2;
            }
            if (!any) {
                free(starts);
                return 0;
            }
            break;
        }
        if (ch == '\0')
            nul = 1;
        if (!any) {
            any = 1;
            starts = malloc(sizeof(size_t) * 16);
            if (!starts)
                return -1;
            starts_cap = 16;
            starts[nstarts++] = 0;
        }
        if (inq) {
            if (ch == '"') {
                int nx = fgetc(c->f);
                if (nx == '"') {
                    if (put_char(c, &len, '"'))
                        goto oom;
                } else {
                    inq = 0;
                    after_quote = 1;
                    if (nx != EOF)
                        ungetc(nx, c->f);
                }
            } else {
                if (ch == '\n')
                    (*lines_read)++;
                if (put_char(c, &len, (char)ch))
                    goto oom;
            }
            continue;
        }
        if (ch == '\r')
            continue;
        if (ch == '\n') {
            (*lines_read)++;
            break;
        }
        if (ch == ',') {
            if (put_char(c, &len, '\0'))
                goto oom;
            if (nstarts == starts_cap) {
                size_t *ns = realloc(starts, sizeof(size_t) * starts_cap * 2);
                if (!ns)
                    goto oom;
                starts = ns;
                starts_cap *= 2;
            }
            starts[nstarts++] = len;
            after_quote = 0;
            continue;
        }
        if (ch == '"' && !after_quote && len == starts[nstarts - 1]) {
            inq = 1;
            continue;
        }
        if (put_char(c, &len, (char)ch))
            goto oom;
    }
    if (nul) {
        free(starts);
        return -3;
    }
    if (put_char(c, &len, '\0'))
        goto oom;
    if (nstarts > c->capfields) {
        char **nf = realloc(c->fields, sizeof(char *) * nstarts);
        if (!nf)
            goto oom;
        c->fields = nf;
        c->capfields = nstarts;
    }
    for (size_t i = 0; i < nstarts; i++)
        c->fields[i] = c->buf + starts[i];
    c->nfields = nstarts;
    free(starts);
    return 1;
oom:
    free(starts);
    return -1;
}

static int is_blank_record(const cli_csv *c)
{
    return c->nfields == 1 && c->fields[0][0] == '\0';
}

int cli_csv_open(cli_csv *c, const char *path)
{
    long lines;
    int rc;

    memset(c, 0, sizeof(*c));
    c->path = path;
    c->f = fopen(path, "rb");
    if (!c->f)
        return cli_data_error("%s: cannot open: %s", path, strerror(errno));
    c->line = 1;
    rc = read_record(c, &lines);
    if (rc <= 0) {
        int r = rc == 0    ? cli_csv_error(c, "empty file: a header line is required")
                : rc == -3 ? cli_csv_error(c, NUL_MSG)
                           : cli_csv_error(c, "malformed header");
        cli_csv_close(c);
        return r;
    }
    c->header = calloc(c->nfields, sizeof(char *));
    if (!c->header) {
        cli_csv_close(c);
        return cli_data_error("out of memory");
    }
    c->nheader = c->nfields;
    for (size_t i = 0; i < c->nfields; i++) {
        const char *h = c->fields[i];
        /* tolerate a UTF-8 byte order mark and spaces around names */
        if (i == 0 && strncmp(h, "\xef\xbb\xbf", 3) == 0)
            h += 3;
        while (*h == ' ')
            h++;
        c->header[i] = strdup(h);
        if (!c->header[i]) {
            cli_csv_close(c);
            return cli_data_error("out of memory");
        }
        for (size_t n = strlen(c->header[i]); n && c->header[i][n - 1] == ' ';)
            c->header[i][--n] = '\0';
    }
    c->line += lines - 1;
    return 0;
}

int cli_csv_next(cli_csv *c)
{
    for (;;) {
        long lines;
        int rc;
        c->line++;
        rc = read_record(c, &lines);
        if (rc == 0)
            return 0;
        if (rc == -2) {
            cli_csv_error(c, "unterminated quoted field");
            return -1;
        }
        if (rc == -3) {
            cli_csv_error(c, NUL_MSG);
            return -1;
        }
        if (rc < 0) {
            cli_csv_error(c, "out of memory");
            return -1;
        }
        if (!is_blank_record(c)) {
            return 1;
        }
        if (lines > 1)
            c->line += lines - 1;
    }
}

int cli_csv_col(const cli_csv *c, const char *name)
{
    for (size_t i = 0; i < c->nheader; i++)
        if (strcmp(c->header[i], name) == 0)
            return (int)i;
    return -1;
}

const char *cli_csv_field(const cli_csv *c, int i)
{
    return i >= 0 && (size_t)i < c->nfields ? c->fields[i] : "";
}

void cli_csv_close(cli_csv *c)
{
    if (c->f)
        fclose(c->f);
    for (size_t i = 0; i < c->nheader; i++)
        free(c->header[i]);
    free(c->header);
    free(c->buf);
    free(c->fields);
    memset(c, 0, sizeof(*c));
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    double v;
    while (*s == ' ')
        s++;
    if (!*s)
        return -1;
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

    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
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
