/* SPDX-License-Identifier: MIT */
/*
 * The command-line tool's CSV reader (examples/cli/cli_csv.c) and number
 * and date parsing (cli_util.c).
 *
 * The reader has a fast path (memchr over a block buffer) and a state
 * machine; a difference between them, or a record cut at a block's edge,
 * would change fields silently. So every input here is read with input
 * blocks of 1, 2, 3, 5, 8, 64 bytes and 64 KiB, and compared with a
 * reference: the tool's earlier reader (one fgetc at a time, kept below
 * as it was), on hand-written RFC 4180 cases and on 20,000 random inputs
 * over the bytes that matter (delimiters, quotes, CR, LF, NUL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- the reference: the earlier reader, byte at a time --------------- */

typedef struct ref_rec {
    int rc;        /* 1 record, 0 end, -2 unterminated quote, -3 NUL */
    long lines;    /* physical lines it took */
    size_t nf;
    char *f[64];   /* fields (copies) */
    size_t flen[64];
} ref_rec;

/* one record from f, as the earlier read_record did, with delimiter d */
static void ref_read(FILE *fp, int d, ref_rec *r)
{
    static char buf[1 << 16];
    size_t len = 0, starts[64], nstarts = 0;
    int ch, inq = 0, any = 0, after_quote = 0, nul = 0;

    memset(r, 0, sizeof(*r));
    for (;;) {
        ch = fgetc(fp);
        if (ch == EOF) {
            if (inq) {
                r->rc = -2;
                return;
            }
            if (!any) {
                r->rc = 0;
                return;
            }
            break;
        }
        if (ch == '\0')
            nul = 1;
        if (!any) {
            any = 1;
            starts[nstarts++] = 0;
        }
        if (inq) {
            if (ch == '"') {
                int nx = fgetc(fp);
                if (nx == '"') {
                    buf[len++] = '"';
                } else {
                    inq = 0;
                    after_quote = 1;
                    if (nx != EOF)
                        ungetc(nx, fp);
                }
            } else {
                if (ch == '\n')
                    r->lines++;
                buf[len++] = (char)ch;
            }
            continue;
        }
        if (ch == '\r')
            continue;
        if (ch == '\n') {
            r->lines++;
            break;
        }
        if (ch == d) {
            buf[len++] = '\0';
            assert_true(nstarts < 64);
            starts[nstarts++] = len;
            after_quote = 0;
            continue;
        }
        if (ch == '"' && !after_quote && len == starts[nstarts - 1]) {
            inq = 1;
            continue;
        }
        buf[len++] = (char)ch;
    }
    if (nul) {
        r->rc = -3;
        return;
    }
    buf[len] = '\0';
    r->rc = 1;
    r->nf = nstarts;
    for (size_t i = 0; i < nstarts; i++) {
        r->f[i] = strdup(buf + starts[i]);
        assert_non_null(r->f[i]);
    }
}

static void ref_free(ref_rec *r)
{
    for (size_t i = 0; i < r->nf; i++)
        free(r->f[i]);
}

/* ---- comparing ----------------------------------------------------------- */

/* The reader over `data` (n bytes) against the reference, record by record,
 * with input blocks of `bs` bytes. The reference's header and blank-record
 * rules are those of cli_csv_open / cli_csv_next, applied here. */
static void compare(const char *data, size_t n, int d, size_t bs)
{
    FILE *a = fmemopen((void *)data, n, "rb");
    FILE *b = fmemopen((void *)data, n, "rb");
    cli_csv c;
    ref_rec r;
    long line = 1;
    int rc;

    assert_non_null(a);
    assert_non_null(b);
    cli_csv_delimiter = (char)d;
    cli_csv_bufsize = bs;
    rc = cli_csv_open_stream(&c, a, "t");
    ref_read(b, d, &r);
    if (r.rc != 1) {
        assert_int_not_equal(rc, 0);
        goto out;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(c.nheader, r.nf);
    line += r.lines - 1;
    ref_free(&r);
    for (;;) {
        int got = cli_csv_next(&c);
        for (;;) {
            line++;
            ref_read(b, d, &r);
            if (r.rc == 1 && r.nf == 1 && r.f[0][0] == '\0') {
                line += r.lines > 1 ? r.lines - 1 : 0;
                ref_free(&r);
                continue; /* blank: skipped */
            }
            break;
        }
        if (r.rc != 1) {
            assert_int_equal(got, r.rc == 0 ? 0 : -1);
            break;
        }
        assert_int_equal(got, 1);
        assert_int_equal(c.line, line);
        assert_int_equal(c.nfields, r.nf);
        for (size_t i = 0; i < r.nf; i++)
            assert_string_equal(c.fields[i], r.f[i]);
        line += r.lines > 1 ? r.lines - 1 : 0;
        ref_free(&r);
    }
out:
    cli_csv_close(&c);
    fclose(a);
    fclose(b);
    cli_csv_delimiter = ',';
    cli_csv_bufsize = (size_t)1 << 16;
}

static const size_t block_sizes[] = {1, 2, 3, 5, 8, 64, (size_t)1 << 16};
#define NBS (sizeof(block_sizes) / sizeof(block_sizes[0]))

static void compare_all(const char *s, int d)
{
    for (size_t k = 0; k < NBS; k++)
        compare(s, strlen(s), d, block_sizes[k]);
}

static void test_rfc4180_cases(void **state)
{
    (void)state;
    static const char *cases[] = {
        "a,b,c\n1,2,3\n4,5,6\n",
        "a,b,c\r\n1,2,3\r\n4,5,6\r\n",              /* CRLF */
        "a,b,c\n1,2,3",                             /* no final LF */
        "a,b\n\"x,y\",2\n",                         /* delimiter quoted */
        "a,b\n\"he said \"\"hi\"\"\",2\n",          /* doubled quotes */
        "a,b\n\"two\nlines\",2\n3,4\n",             /* LF inside quotes */
        "a,b\n\"cr\r\nlf\",2\n",                    /* CRLF inside quotes */
        "a,b\n\n\n1,2\n\r\n3,4\n",                  /* blank lines */
        "a,b\n\"\",2\n,\n",                          /* empty fields */
        "a,b\n1,\"open\n",                           /* unterminated quote */
        "a,b\n1,x\"y\"\n",                           /* quote inside a field */
        "a,b\n\"q\"tail,2\n",                        /* text after a quote */
        "a,b\n1,2,3,4\n5\n",                         /* ragged rows */
        "a\rb,c\n1\r2,3\n",                          /* stray CR */
        "\xef\xbb\xbf id , name \n1,x\n",           /* BOM, spaces */
        "",                                          /* empty file */
        "\n\n",                                      /* blank only */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        compare_all(cases[i], ',');
    compare_all("a;b\n\"1;5\";2\n3,5;4\n", ';');
    compare_all("a\tb\n1\t2\n", '\t');
}

static void test_nul_refused(void **state)
{
    (void)state;
    static const char d[] = "a,b\n1,x\0y\n2,3\n";
    for (size_t k = 0; k < NBS; k++)
        compare(d, sizeof(d) - 1, ',', block_sizes[k]);
}

/* 20,000 random inputs over the alphabet that drives the state machine */
static void test_random(void **state)
{
    (void)state;
    static const char alpha[] = {'a', 'b', ',', ';', '"', '"', '\r', '\n',
                                 '\n', '\0', 'x', ' '};
    uint64_t s = 0x9e3779b97f4a7c15u;
    char buf[96];
    for (int t = 0; t < 20000; t++) {
        size_t n;
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        n = (size_t)(s % sizeof(buf));
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            buf[i] = alpha[s % sizeof(alpha)];
        }
        compare(buf, n, t % 2 ? ',' : ';', block_sizes[t % NBS]);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    static const char *ok[] = {"0", "-0", "1", "12.5", "-3.25", "+7",
                               ".5", "5.", "1e5", "1E-3", "  42  ",
                               "123456789012345678", "0.1", "0.3",
                               "9007199254740993", "1e22", "1e23",
                               "1.7976931348623157e308",
                               "0x1p3", "3.14159265358979323846"};
    static const char *bad[] = {"", " ", "abc", "1,5", "1.2.3", "nan",
                                "inf", "1e400", "1e", "--1", "1 2",
                                "4.9e-324" /* subnormal: ERANGE */};
    double v;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        /* the same double as strtod, bit for bit */
        double want = strtod(ok[i], NULL);
        if (cli_parse_double(ok[i], &v) != 0)
            fail_msg("refused: %s", ok[i]);
        assert_memory_equal(&v, &want, sizeof(v));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cli_parse_double(bad[i], &v), -1);
    /* random decimals: the fast path agrees with strtod bit for bit */
    uint64_t s = 12345;
    static const unsigned long long p10[10] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
        1000000000};
    for (int t = 0; t < 100000; t++) {
        char txt[40];
        double want;
        int k;
        s = s * 6364136223846793005u + 1442695040888963407u;
        k = (int)((s >> 8) % 9) + 1; /* 1..9 decimals */
        snprintf(txt, sizeof(txt), "%s%llu.%0*llu", (s >> 63) ? "-" : "",
                 (unsigned long long)((s >> 20) % 100000000u), k,
                 (unsigned long long)((s >> 30) % p10[k]));
        want = strtod(txt, NULL);
        assert_int_equal(cli_parse_double(txt, &v), 0);
        assert_memory_equal(&v, &want, sizeof(v));
    }
    /* --decimal-comma */
    cli_decimal_comma = 1;
    assert_int_equal(cli_parse_double("12,5", &v), 0);
    assert_true(v == 12.5);
    assert_int_equal(cli_parse_double("-0,25", &v), 0);
    assert_true(v == -0.25);
    assert_int_equal(cli_parse_double("7", &v), 0);
    assert_true(v == 7);
    assert_int_equal(cli_parse_double("1.234,5", &v), -1);
    assert_int_equal(cli_parse_double("12.5", &v), -1);
    assert_int_equal(cli_parse_double("1,2,3", &v), -1);
    cli_decimal_comma = 0;
}

static void test_dates(void **state)
{
    (void)state;
    int64_t t, want;
    assert_int_equal(cli_parse_time("2026-12-07", &want), 0);
    cli_date_format = CLI_DATE_DMY_DOT;
    assert_int_equal(cli_parse_time("07.12.2026", &t), 0);
    assert_true(t == want);
    assert_int_equal(cli_parse_time("07.12.2026 14:30:05", &t), 0);
    assert_true(t == want + 14 * 3600 + 30 * 60 + 5);
    assert_int_equal(cli_parse_time("2026-12-07", &t), 0); /* ISO too */
    assert_true(t == want);
    assert_int_equal(cli_parse_time("31.02.2026", &t), -1);
    assert_int_equal(cli_parse_time("07/12/2026", &t), -1);
    cli_date_format = CLI_DATE_MDY_SLASH;
    assert_int_equal(cli_parse_time("12/07/2026", &t), 0);
    assert_true(t == want);
    assert_int_equal(cli_parse_time("13/07/2026", &t), -1);
    cli_date_format = CLI_DATE_DMY_SLASH;
    assert_int_equal(cli_parse_time("07/12/2026", &t), 0);
    assert_true(t == want);
    cli_date_format = CLI_DATE_ISO;
    assert_int_equal(cli_parse_time("07.12.2026", &t), -1);
}

static void test_input_options(void **state)
{
    (void)state;
    char *argv[] = {"b2b2c", "forecast", "--delimiter", ";", "fit",
                    "--decimal-comma", "--date-format=DD.MM.YYYY", NULL};
    int argc = 7;
    char *bad1[] = {"b2b2c", "--delimiter", "ab", NULL};
    char *bad2[] = {"b2b2c", "--date-format", "YYYY", NULL};
    char *bad3[] = {"b2b2c", "--delimiter", "\"", NULL};
    int n;
    assert_int_equal(cli_input_take(&argc, argv), 0);
    assert_int_equal(argc, 3);
    assert_string_equal(argv[1], "forecast");
    assert_string_equal(argv[2], "fit");
    assert_null(argv[3]);
    assert_int_equal(cli_csv_delimiter, ';');
    assert_int_equal(cli_decimal_comma, 1);
    assert_int_equal(cli_date_format, CLI_DATE_DMY_DOT);
    n = 3;
    assert_int_equal(cli_input_take(&n, bad1), CLI_EUSAGE);
    n = 3;
    assert_int_equal(cli_input_take(&n, bad2), CLI_EUSAGE);
    n = 3;
    assert_int_equal(cli_input_take(&n, bad3), CLI_EUSAGE);
    cli_csv_delimiter = ',';
    cli_decimal_comma = 0;
    cli_date_format = CLI_DATE_ISO;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4180_cases),
        cmocka_unit_test(test_nul_refused),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_input_options),
    };
    /* (the bad cases print the reader's messages on stderr) */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
