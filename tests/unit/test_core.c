/* SPDX-License-Identifier: MIT */
/* Unit tests of the small core pieces: versions, errors, IDs, hashing,
 * CRC32C, the random generator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

static void t_version(void **state)
{
    (void)state;
    assert_int_equal(b2b2c_version_number(), B2B2C_VERSION_NUMBER);
    assert_int_equal(B2B2C_VERSION_NUMBER, 10000);
    assert_string_equal(b2b2c_version_string(), B2B2C_VERSION_STRING);
}

static void t_strerror(void **state)
{
    (void)state;
    for (int c = 0; c >= B2B2C_ENODATA; c--) {
        assert_non_null(b2b2c_strerror(c));
        assert_string_not_equal(b2b2c_strerror(c), "unknown error");
    }
    assert_string_equal(b2b2c_strerror(-1000), "unknown error");
    assert_string_equal(b2b2c_strerror(5), "unknown error");
}

static void t_names(void **state)
{
    (void)state;
    assert_string_equal(b2b2c_segment_name(B2B2C_SEGMENT_B2B_SMALL_PRO),
                        "b2b_small_pro");
    assert_null(b2b2c_segment_name(6));
    assert_null(b2b2c_segment_name(-1));
    for (int32_t s = 0; s <= 5; s++)
        assert_int_equal(b2b2c_segment_from_name(b2b2c_segment_name(s)), s);
    assert_int_equal(b2b2c_segment_from_name("B2C_consumer"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_from_name(NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_segment_group(B2B2C_SEGMENT_DEALER_SMALL_RETAIL),
                     B2B2C_GROUP_DEALER);
    assert_int_equal(b2b2c_segment_group(B2B2C_SEGMENT_B2B_LARGE),
                     B2B2C_GROUP_B2B);
    assert_int_equal(b2b2c_segment_group(B2B2C_SEGMENT_B2C_CONSUMER),
                     B2B2C_GROUP_B2C);
    assert_int_equal(b2b2c_segment_group(99), B2B2C_GROUP_UNKNOWN);
    assert_string_equal(b2b2c_group_name(B2B2C_GROUP_B2B), "b2b");
    assert_int_equal(b2b2c_group_from_name("dealer"), B2B2C_GROUP_DEALER);
    assert_null(b2b2c_group_name(4));
    assert_string_equal(b2b2c_band_name(B2B2C_BAND_HOT), "hot");
    assert_int_equal(b2b2c_band_from_name("warm"), B2B2C_BAND_WARM);
    assert_int_equal(b2b2c_band_from_name("tepid"), B2B2C_EINVAL);
    assert_null(b2b2c_band_name(4));
}

/* B2B2C__NAME_FUNCS on a table with a gap (value 2 has no name); the
 * static declarations give the defined pair internal linkage. */
static const char *const t_fruit_names[] = {"apple", "pear", NULL, "fig"};
static const char *t_fruit_name(int32_t v);
static int32_t t_fruit_from_name(const char *s);
B2B2C__NAME_FUNCS(t_fruit, t_fruit_names)

static void t_name_funcs(void **state)
{
    (void)state;
    assert_int_equal(B2B2C__COUNT(t_fruit_names), 4);
    assert_string_equal(t_fruit_name(0), "apple");
    assert_string_equal(t_fruit_name(3), "fig");
    assert_null(t_fruit_name(2));
    assert_null(t_fruit_name(4));
    assert_null(t_fruit_name(-1));
    assert_int_equal(t_fruit_from_name("pear"), 1);
    assert_int_equal(t_fruit_from_name("fig"), 3);
    assert_int_equal(t_fruit_from_name("Fig"), B2B2C_EINVAL);
    assert_int_equal(t_fruit_from_name(""), B2B2C_EINVAL);
    assert_int_equal(t_fruit_from_name(NULL), B2B2C_EINVAL);
}

static void t_id_check(void **state)
{
    char big[300];
    size_t n = 0;
    (void)state;

    assert_int_equal(b2b2c__id_check("lead-1", &n), 0);
    assert_int_equal(n, 6);
    assert_int_equal(b2b2c__id_check(NULL, &n), B2B2C_EINVAL);
    assert_int_equal(b2b2c__id_check("", &n), B2B2C_EBADID);
    memset(big, 'x', sizeof(big));
    big[255] = '\0';
    assert_int_equal(b2b2c__id_check(big, &n), 0);
    assert_int_equal(n, 255);
    big[255] = 'x';
    big[256] = '\0';
    assert_int_equal(b2b2c__id_check(big, NULL), B2B2C_EBADID);
    /* UTF-8: Cyrillic is fine, broken sequences are not */
    assert_int_equal(b2b2c__id_check("\xd0\x94\xd0\xb8\xd0\xbb\xd0\xb5\xd1\x80",
                                     NULL), 0);
    assert_int_equal(b2b2c__id_check("\xff", NULL), B2B2C_EBADID);
    assert_int_equal(b2b2c__id_check("a\xd0", NULL), B2B2C_EBADID);
    assert_int_equal(b2b2c__id_check("\xc0\xaf", NULL), B2B2C_EBADID);
    assert_int_equal(b2b2c__id_check("\xed\xa0\x80", NULL), B2B2C_EBADID);
    assert_int_equal(b2b2c__id_check("\xf4\x90\x80\x80", NULL), B2B2C_EBADID);
    assert_int_equal(b2b2c__id_check("\xf0\x9f\x98\x80", NULL), 0);
    /* a multi-byte char cut at the 255-byte limit */
    memset(big, 'x', sizeof(big));
    big[254] = '\xd0';
    big[255] = '\x94';
    big[256] = '\0';
    assert_int_equal(b2b2c__id_check(big, NULL), B2B2C_EBADID);
}

static void t_table_check(void **state)
{
    char t[70];
    (void)state;
    assert_int_equal(b2b2c__table_check("lead_events2"), 0);
    assert_int_equal(b2b2c__table_check(""), B2B2C_EINVAL);
    assert_int_equal(b2b2c__table_check("Lead"), B2B2C_EINVAL);
    assert_int_equal(b2b2c__table_check("a-b"), B2B2C_EINVAL);
    assert_int_equal(b2b2c__table_check(NULL), B2B2C_EINVAL);
    memset(t, 'a', 63);
    t[63] = '\0';
    assert_int_equal(b2b2c__table_check(t), 0);
    t[63] = 'a';
    t[64] = '\0';
    assert_int_equal(b2b2c__table_check(t), B2B2C_EINVAL);
}

static void t_crc32c(void **state)
{
    static const unsigned char zeros[32];
    unsigned char ff[32];
    (void)state;
    /* RFC 3720 appendix B.4 test vectors and the classic check value. */
    assert_int_equal(b2b2c__crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(b2b2c__crc32c(0, zeros, 32), 0x8A9136AAu);
    memset(ff, 0xff, sizeof(ff));
    assert_int_equal(b2b2c__crc32c(0, ff, 32), 0x62A8AB43u);
    /* the table-driven and the hardware paths agree on every length and
     * alignment */
    {
        unsigned char buf[300];
        b2b2c__rng r;
        b2b2c__rng_seed(&r, 5);
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (unsigned char)b2b2c__rng_below(&r, 256);
        for (size_t off = 0; off < 9; off++)
            for (size_t n = 0; n + off <= sizeof(buf); n += 7)
                assert_int_equal(b2b2c__crc32c(0, buf + off, n),
                                 b2b2c__crc32c_sw(0, buf + off, n));
        assert_int_equal(b2b2c__crc32c_sw(0, "123456789", 9), 0xE3069283u);
        print_message("crc32c: hardware path %s\n",
                      b2b2c__crc32c_hw_available() ? "in use" : "not available");
    }
    /* incremental equals one-shot */
    assert_int_equal(b2b2c__crc32c(b2b2c__crc32c(0, "1234", 4), "56789", 5),
                     0xE3069283u);
}

static void t_hash(void **state)
{
    (void)state;
    assert_true(b2b2c__hash("a", 1) != b2b2c__hash("b", 1));
    assert_true(b2b2c__hash("a", 1) != b2b2c__hash("a\0", 2));
    assert_true(b2b2c__hash("12345678", 8) != b2b2c__hash("123456789", 9));
    assert_int_equal(b2b2c__hash("lead", 4), b2b2c__hash("lead", 4));
}

/* The digest mixer: one input bit changes about half the output bits
 * (each of the 64 bits of the value and of the running digest, mean over
 * 200 random pairs within [28, 36]); folding is order-dependent. The
 * engines' former mixer d ^= x + K + (d << 6) + (d >> 2) flipped 1 bit. */
static void t_mix64(void **state)
{
    b2b2c__rng r;
    (void)state;
    b2b2c__rng_seed(&r, 12);
    for (int b = 0; b < 64; b++) {
        unsigned fx = 0, fd = 0;
        for (int n = 0; n < 200; n++) {
            uint64_t d = b2b2c__rng_u64(&r), x = b2b2c__rng_u64(&r);
            uint64_t m = b2b2c__mix64(d, x), bit = UINT64_C(1) << b;
            fx += (unsigned)__builtin_popcountll(m ^ b2b2c__mix64(d, x ^ bit));
            fd += (unsigned)__builtin_popcountll(m ^ b2b2c__mix64(d ^ bit, x));
        }
        assert_in_range(fx, 28 * 200, 36 * 200);
        assert_in_range(fd, 28 * 200, 36 * 200);
    }
    for (int n = 0; n < 200; n++) {
        uint64_t s = b2b2c__rng_u64(&r), a = b2b2c__rng_u64(&r),
                 c = b2b2c__rng_u64(&r);
        assert_true(b2b2c__mix64(b2b2c__mix64(s, a), c) !=
                    b2b2c__mix64(b2b2c__mix64(s, c), a));
    }
    assert_true(b2b2c__mix64(0, 0) != 0);
    assert_true(b2b2c__dbits(0.0) != b2b2c__dbits(-0.0));
    assert_int_equal(b2b2c__dbits(1.0), UINT64_C(0x3ff0000000000000));
}

static void t_rng_sequence(void **state)
{
    b2b2c__rng r, r2;
    (void)state;
    /* Reference values computed independently from the published
     * algorithms (splitmix64 seeding, xoshiro256** 1.0). */
    b2b2c__rng_seed(&r, 42);
    assert_int_equal(b2b2c__rng_u64(&r), 0x15780b2e0c2ec716ULL);
    assert_int_equal(b2b2c__rng_u64(&r), 0x6104d9866d113a7eULL);
    assert_int_equal(b2b2c__rng_u64(&r), 0xae17533239e499a1ULL);
    assert_int_equal(b2b2c__rng_u64(&r), 0xecb8ad4703b360a1ULL);
    b2b2c__rng_seed(&r, 7);
    b2b2c__rng_seed(&r2, 7);
    for (int i = 0; i < 100; i++)
        assert_true(b2b2c__rng_uniform(&r) == b2b2c__rng_uniform(&r2));
}

static void t_rng_distributions(void **state)
{
    b2b2c__rng r;
    double sum = 0, sum2 = 0, gsum = 0, bsum = 0;
    int counts[7] = {0};
    const int n = 200000;
    (void)state;

    b2b2c__rng_seed(&r, 1);
    for (int i = 0; i < n; i++) {
        double u = b2b2c__rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        counts[b2b2c__rng_below(&r, 7)]++;
        double z = b2b2c__rng_normal(&r);
        sum += z;
        sum2 += z * z;
        gsum += b2b2c__rng_gamma(&r, 0.5);
        bsum += b2b2c__rng_beta(&r, 2.0, 6.0);
    }
    for (int k = 0; k < 7; k++) /* within ~6 sd of n/7 */
        assert_true(fabs(counts[k] - n / 7.0) < 6 * sqrt(n / 7.0));
    assert_true(fabs(sum / n) < 0.02);
    assert_true(fabs(sum2 / n - 1.0) < 0.02);
    assert_true(fabs(gsum / n - 0.5) < 0.02);    /* mean = shape */
    assert_true(fabs(bsum / n - 0.25) < 0.005);  /* mean = a/(a+b) */
    assert_int_equal(b2b2c__rng_below(&r, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_version),
        cmocka_unit_test(t_strerror),
        cmocka_unit_test(t_names),
        cmocka_unit_test(t_name_funcs),
        cmocka_unit_test(t_id_check),
        cmocka_unit_test(t_table_check),
        cmocka_unit_test(t_crc32c),
        cmocka_unit_test(t_hash),
        cmocka_unit_test(t_mix64),
        cmocka_unit_test(t_rng_sequence),
        cmocka_unit_test(t_rng_distributions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
