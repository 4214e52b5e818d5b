/* SPDX-License-Identifier: MIT */
/*
 * CSV reading for the b2b2c tool (RFC 4180: quoted fields, doubled quotes,
 * line breaks inside quotes, CRLF), from a file or standard input ("-").
 *
 * The input is read in large blocks into a buffer of our own. A record
 * without a quote, a carriage return or a NUL byte (nearly every record of
 * a machine-written export) is found with memchr and split at its
 * delimiters in place of a copy; any other record goes through the state
 * machine byte by byte, from the same buffer. Both give the same fields:
 * tests/unit/test_cli_csv.c reads every case with buffers from 1 byte up.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char cli_csv_delimiter = ',';
size_t cli_csv_bufsize = (size_t)1 << 16;

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

/* ---- the input buffer ---------------------------------------------------- */

/* Keep the unread bytes and read more after them; grows the buffer when
 * it is full of one record. Returns the number of bytes added (0 at the
 * end of the input) or -1 (out of memory or a read error: errno says). */
static long refill(cli_csv *c)
{
    size_t n;
    if (c->eof)
        return 0;
    if (c->inpos > 0) {
        memmove(c->in, c->in + c->inpos, c->inlen - c->inpos);
        c->inlen -= c->inpos;
        c->inpos = 0;
    }
    if (c->inlen == c->incap) {
        size_t ncap = c->incap * 2;
        char *nb = realloc(c->in, ncap);
        if (!nb)
            return -1;
        c->in = nb;
        c->incap = ncap;
    }
    n = fread(c->in + c->inlen, 1, c->incap - c->inlen, c->f);
    if (n == 0) {
        if (ferror(c->f))
            return -1;
        c->eof = 1;
    }
    c->inlen += n;
    return (long)n;
}

/* next byte of the input, or EOF (-1), or -2 on a read error */
static int get_byte(cli_csv *c)
{
    if (c->inpos == c->inlen) {
        long r = refill(c);
        if (r < 0)
            return -2;
        if (r == 0)
            return EOF;
    }
    return (unsigned char)c->in[c->inpos++];
}

static int peek_byte(cli_csv *c)
{
    int b = get_byte(c);
    if (b >= 0)
        c->inpos--;
    return b;
}

/* ---- the output record ---------------------------------------------------- */

static int reserve(cli_csv *c, size_t need)
{
    if (need > c->cap) {
        size_t ncap = c->cap ? c->cap : 256;
        char *nb;
        while (ncap < need)
            ncap *= 2;
        nb = realloc(c->buf, ncap);
        if (!nb)
            return -1;
        c->buf = nb;
        c->cap = ncap;
    }
    return 0;
}

static int add_start(cli_csv *c, size_t off)
{
    if (c->nstarts == c->capstarts) {
        size_t ncap = c->capstarts ? c->capstarts * 2 : 16;
        size_t *ns = realloc(c->starts, sizeof(size_t) * ncap);
        if (!ns)
            return -1;
        c->starts = ns;
        c->capstarts = ncap;
    }
    c->starts[c->nstarts++] = off;
    return 0;
}

/* point the fields at buf (it has its final address now) */
static int set_fields(cli_csv *c)
{
    if (c->nstarts > c->capfields) {
        char **nf = realloc(c->fields, sizeof(char *) * c->nstarts);
        if (!nf)
            return -1;
        c->fields = nf;
        c->capfields = c->nstarts;
    }
    for (size_t i = 0; i < c->nstarts; i++)
        c->fields[i] = c->buf + c->starts[i];
    c->nfields = c->nstarts;
    return 0;
}

/* The fast path: the record [p, p + len) has no quote, CR or NUL. Copy it
 * and cut it at its delimiters. */
static int split_plain(cli_csv *c, const char *p, size_t len)
{
    const char d = cli_csv_delimiter;
    char *b, *q, *end;
    if (reserve(c, len + 1))
        return -1;
    b = c->buf;
    memcpy(b, p, len);
    b[len] = '\0';
    c->nstarts = 0;
    if (add_start(c, 0))
        return -1;
    end = b + len;
    for (q = b; (q = memchr(q, d, (size_t)(end - q))) != NULL;) {
        *q++ = '\0';
        if (add_start(c, (size_t)(q - b)))
            return -1;
    }
    return set_fields(c);
}

/* The state machine, for records with quotes, CR or NUL bytes (and any
 * record when the fast path cannot tell). Same returns as read_record. */
static int read_slow(cli_csv *c, long *lines_read)
{
    const int d = (unsigned char)cli_csv_delimiter;
    size_t len = 0;
    int ch, inq = 0, any = 0, after_quote = 0, nul = 0;

#define PUT(chr)                                                              \
    do {                                                                      \
        if (len + 1 >= c->cap && reserve(c, len + 2))                         \
            return -1;                                                        \
        c->buf[len++] = (char)(chr);                                          \
    } while (0)

    c->nstarts = 0;
    for (;;) {
        ch = get_byte(c);
        if (ch == -2)
            return -1;
        if (ch == EOF) {
            if (inq)
                return -2;
            if (!any)
                return 0;
            break;
        }
        if (ch == '\0')
            nul = 1;
        if (!any) {
            any = 1;
            if (add_start(c, 0))
                return -1;
        }
        if (inq) {
            if (ch == '"') {
                int nx = peek_byte(c);
                if (nx == -2)
                    return -1;
                if (nx == '"') {
                    c->inpos++;
                    PUT('"');
                } else {
                    inq = 0;
                    after_quote = 1;
                }
            } else {
                if (ch == '\n')
                    (*lines_read)++;
                PUT(ch);
            }
            continue;
        }
        if (ch == '\r')
            continue;
        if (ch == '\n') {
            (*lines_read)++;
            break;
        }
        if (ch == d) {
            PUT('\0');
            if (add_start(c, len))
                return -1;
            after_quote = 0;
            continue;
        }
        if (ch == '"' && !after_quote && len == c->starts[c->nstarts - 1]) {
            inq = 1;
            continue;
        }
        PUT(ch);
    }
#undef PUT
    if (nul)
        return -3;
    if (reserve(c, len + 1))
        return -1;
    c->buf[len] = '\0';
    return set_fields(c) ? -1 : 1;
}

/* Read one record into buf with fields separated by NUL; returns 1, 0 at
 * EOF, -1 on error (memory or reading), -2 for an unterminated quote, -3
 * when a field holds a NUL byte (the record is read to its end, then
 * refused: a NUL would end the field, so "a<NUL>x" and "a<NUL>y" would
 * become the same ID "a"). Physical lines are counted for messages. */
static int read_record(cli_csv *c, long *lines_read)
{
    *lines_read = 0;
    for (;;) {
        const char *p = c->in + c->inpos, *nl;
        size_t avail = c->inlen - c->inpos, len;
        long r;
        nl = avail ? memchr(p, '\n', avail) : NULL;
        if (nl || (c->eof && avail)) {
            const char *cr;
            size_t plain;
            len = nl ? (size_t)(nl - p) : avail;
            /* CRLF: the CR before the LF is dropped; any other CR, a
             * quote or a NUL takes the state machine */
            cr = memchr(p, '\r', len);
            plain = cr == p + len - 1 ? len - 1 : len;
            if ((cr && cr != p + len - 1) || memchr(p, '"', plain) ||
                memchr(p, '\0', plain))
                return read_slow(c, lines_read);
            if (split_plain(c, p, plain))
                return -1;
            c->inpos += len + (nl != NULL);
            *lines_read = nl != NULL;
            return 1;
        }
        if (c->eof)
            return 0;
        r = refill(c);
        if (r < 0)
            return -1;
    }
}

/* ---- the input options ---------------------------------------------------- */

static int set_delimiter(const char *v)
{
    if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
        v = "\t";
    if (strlen(v) != 1 || v[0] == '"' || v[0] == '\r' || v[0] == '\n' ||
        v[0] == ' ' || (v[0] & 0x80))
        return cli_usage_error("--delimiter: must be one ASCII character "
                               "other than a quote, a space or a line "
                               "break, or 'tab' (got '%s')",
                               v);
    cli_csv_delimiter = v[0];
    return 0;
}

static int set_date_format(const char *v)
{
    static const struct {
        const char *name;
        int format;
    } f[] = {{"YYYY-MM-DD", CLI_DATE_ISO},
             {"DD.MM.YYYY", CLI_DATE_DMY_DOT},
             {"DD/MM/YYYY", CLI_DATE_DMY_SLASH},
             {"MM/DD/YYYY", CLI_DATE_MDY_SLASH}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (strcmp(v, f[i].name) == 0) {
            cli_date_format = f[i].format;
            return 0;
        }
    return cli_usage_error("--date-format: must be YYYY-MM-DD, DD.MM.YYYY, "
                           "DD/MM/YYYY or MM/DD/YYYY (got '%s')",
                           v);
}

int cli_input_take(int *argc, char **argv)
{
    int n = *argc, seen = 0;
    for (int i = 1; i < n;) {
        const char *a = argv[i], *v = NULL;
        int which, take = 1, rc, bit;
        size_t len;
        if (strncmp(a, "--delimiter", len = 11) == 0)
            which = 0;
        else if (strncmp(a, "--date-format", len = 13) == 0)
            which = 1;
        else if (strncmp(a, "--decimal-comma", len = 15) == 0)
            which = 2;
        else
            which = -1;
        if (which < 0 || (a[len] != '\0' && a[len] != '=')) {
            i++;
            continue;
        }
        bit = 1 << which;
        if (seen & bit)
            return cli_usage_error("%.*s: given twice", (int)len, a);
        seen |= bit;
        if (which == 2) {
            if (a[len] == '=')
                return cli_usage_error("--decimal-comma: takes no value");
            cli_decimal_comma = 1;
        } else {
            if (a[len] == '=') {
                v = a + len + 1;
            } else {
                if (i + 1 >= n)
                    return cli_usage_error("option '%s' needs a value", a);
                v = argv[i + 1];
                take = 2;
            }
            if ((rc = which == 0 ? set_delimiter(v) : set_date_format(v)))
                return rc;
        }
        memmove(argv + i, argv + i + take,
                (size_t)(n - i - take) * sizeof(*argv));
        n -= take;
        argv[n] = NULL;
    }
    *argc = n;
    return 0;
}

/* ---- the public calls (cli.h) --------------------------------------------- */

static int is_blank_record(const cli_csv *c)
{
    return c->nfields == 1 && c->fields[0][0] == '\0';
}

int cli_csv_open(cli_csv *c, const char *path)
{
    FILE *f;
    int rc;
    if (strcmp(path, "-") == 0)
        return cli_csv_open_stream(c, stdin, "stdin");
    f = fopen(path, "rb");
    if (!f) {
        memset(c, 0, sizeof(*c));
        return cli_data_error("%s: cannot open: %s", path, strerror(errno));
    }
    rc = cli_csv_open_stream(c, f, path);
    if (c->f)
        c->own = 1;
    else
        fclose(f);
    return rc;
}

int cli_csv_open_stream(cli_csv *c, FILE *f, const char *name)
{
    long lines;
    int rc;

    memset(c, 0, sizeof(*c));
    c->path = name;
    c->f = f;
    c->incap = cli_csv_bufsize ? cli_csv_bufsize : 1;
    c->in = malloc(c->incap);
    if (!c->in) {
        cli_csv_close(c);
        return cli_data_error("out of memory");
    }
    c->line = 1;
    errno = 0;
    rc = read_record(c, &lines);
    if (rc <= 0) {
        int r = rc == 0    ? cli_csv_error(c, "empty file: a header line is required")
                : rc == -3 ? cli_csv_error(c, NUL_MSG)
                : rc == -1 ? cli_csv_error(c, "cannot read: %s",
                                           errno ? strerror(errno)
                                                 : "out of memory")
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
        /* the line the record starts on: after the previous record's
         * last line (a quoted field may hold line breaks) */
        c->line += c->pending + 1;
        c->pending = 0;
        errno = 0;
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
            cli_csv_error(c, "cannot read: %s",
                          errno ? strerror(errno) : "out of memory");
            return -1;
        }
        if (lines > 1)
            c->pending = lines - 1;
        if (!is_blank_record(c))
            return 1;
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
    if (c->f && c->own)
        fclose(c->f);
    for (size_t i = 0; i < c->nheader; i++)
        free(c->header[i]);
    free(c->header);
    free(c->buf);
    free(c->fields);
    free(c->starts);
    free(c->in);
    memset(c, 0, sizeof(*c));
}
