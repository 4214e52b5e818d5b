/* SPDX-License-Identifier: MIT */
/* The record codec: round trips, every truncation, every single-bit flip,
 * versions, sticky errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "internal.h"

static b2b2c__alloc A;

static void encode_sample(b2b2c__wbuf *w, uint8_t version)
{
    b2b2c__enc_begin(w, &A, version);
    b2b2c__enc_u8(w, 0xAB);
    b2b2c__enc_u32(w, 0xDEADBEEFu);
    b2b2c__enc_u64(w, 0x0123456789ABCDEFULL);
    b2b2c__enc_i64(w, -42);
    b2b2c__enc_f64(w, -0.125);
    b2b2c__enc_str(w, "lead-\xd0\x94");
    b2b2c__enc_bytes(w, "\0\1\0", 3);
    assert_int_equal(b2b2c__enc_finish(w), 0);
}

static int decode_sample(const void *p, size_t n)
{
    b2b2c__rbuf r;
    size_t len;
    const char *s;
    int rc = b2b2c__dec_begin(&r, p, n, 2);
    if (rc)
        return rc;
    assert_int_equal(b2b2c__dec_u8(&r), 0xAB);
    assert_int_equal(b2b2c__dec_u32(&r), 0xDEADBEEFu);
    assert_int_equal(b2b2c__dec_u64(&r), 0x0123456789ABCDEFULL);
    assert_int_equal(b2b2c__dec_i64(&r), -42);
    assert_true(b2b2c__dec_f64(&r) == -0.125);
    s = b2b2c__dec_bytes(&r, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(s, "lead-\xd0\x94", 7);
    s = b2b2c__dec_bytes(&r, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "\0\1\0", 3);
    return b2b2c__dec_finish(&r);
}

static void t_roundtrip(void **state)
{
    b2b2c__wbuf w;
    (void)state;
    encode_sample(&w, 1);
    assert_int_equal(w.len, 1 + 1 + 4 + 8 + 8 + 8 + 4 + 7 + 4 + 3 + 4);
    assert_int_equal(w.buf[0], 1);
    assert_int_equal(w.buf[2], 0xEF); /* little-endian */
    assert_int_equal(decode_sample(w.buf, w.len), 0);
    b2b2c__enc_fini(&w);
}

static void t_truncation(void **state)
{
    b2b2c__wbuf w;
    (void)state;
    encode_sample(&w, 1);
    for (size_t n = 0; n < w.len; n++) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, w.buf, n);
        assert_int_equal(decode_sample(copy, n), B2B2C_ECORRUPT);
        free(copy);
    }
    b2b2c__enc_fini(&w);
}

static void t_bit_flips(void **state)
{
    b2b2c__wbuf w;
    (void)state;
    encode_sample(&w, 1);
    for (size_t i = 0; i < w.len * 8; i++) {
        w.buf[i / 8] ^= (unsigned char)(1u << (i % 8));
        assert_int_equal(decode_sample(w.buf, w.len), B2B2C_ECORRUPT);
        w.buf[i / 8] ^= (unsigned char)(1u << (i % 8));
    }
    b2b2c__enc_fini(&w);
}

static void t_versions(void **state)
{
    b2b2c__wbuf w;
    b2b2c__rbuf r;
    (void)state;
    encode_sample(&w, 3); /* newer than the reader's 2 */
    assert_int_equal(decode_sample(w.buf, w.len), B2B2C_EVERSION);
    b2b2c__enc_fini(&w);
    encode_sample(&w, 0); /* version 0 never exists */
    assert_int_equal(b2b2c__dec_begin(&r, w.buf, w.len, 2), B2B2C_ECORRUPT);
    b2b2c__enc_fini(&w);
    encode_sample(&w, 2);
    assert_int_equal(decode_sample(w.buf, w.len), 0);
    b2b2c__enc_fini(&w);
}

static void t_short_read_and_trailing(void **state)
{
    b2b2c__wbuf w;
    b2b2c__rbuf r;
    size_t n;
    (void)state;
    b2b2c__enc_begin(&w, &A, 1);
    b2b2c__enc_u32(&w, 100); /* a length with no bytes behind it */
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    assert_int_equal(b2b2c__dec_begin(&r, w.buf, w.len, 1), 0);
    (void)b2b2c__dec_bytes(&r, &n);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c__dec_u64(&r), 0); /* sticky */
    assert_int_equal(b2b2c__dec_finish(&r), B2B2C_ECORRUPT);
    /* trailing bytes not read are corruption too */
    assert_int_equal(b2b2c__dec_begin(&r, w.buf, w.len, 1), 0);
    assert_int_equal(b2b2c__dec_left(&r), 4);
    assert_int_equal(b2b2c__dec_finish(&r), B2B2C_ECORRUPT);
    b2b2c__enc_fini(&w);
}

static void t_large_and_alloc_failure(void **state)
{
    th_alloc ta;
    b2b2c__alloc a;
    b2b2c__wbuf w;
    b2b2c__rbuf r;
    static char big[5000];
    size_t n;
    (void)state;

    th_alloc_init(&ta);
    b2b2c__alloc_init(&a, &ta.methods);
    memset(big, 'z', sizeof(big));
    b2b2c__enc_begin(&w, &a, 1);
    b2b2c__enc_bytes(&w, big, sizeof(big));
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    assert_int_equal(b2b2c__dec_begin(&r, w.buf, w.len, 1), 0);
    assert_memory_equal(b2b2c__dec_bytes(&r, &n), big, sizeof(big));
    assert_int_equal(b2b2c__dec_finish(&r), 0);
    b2b2c__enc_fini(&w);

    ta.fail_at = ta.count + 1;
    b2b2c__enc_begin(&w, &a, 1);
    b2b2c__enc_bytes(&w, big, sizeof(big));
    b2b2c__enc_u8(&w, 1);
    assert_int_equal(b2b2c__enc_finish(&w), B2B2C_ENOMEM);
    b2b2c__enc_fini(&w);
    assert_int_equal(ta.outstanding, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_roundtrip),
        cmocka_unit_test(t_truncation),
        cmocka_unit_test(t_bit_flips),
        cmocka_unit_test(t_versions),
        cmocka_unit_test(t_short_read_and_trailing),
        cmocka_unit_test(t_large_and_alloc_failure),
    };
    b2b2c__alloc_init(&A, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
