/* SPDX-License-Identifier: MIT */
/* Fuzz target for the record decoder: any bytes are decoded as a record and
 * then read field by field as the record itself dictates; nothing may crash,
 * read out of bounds or leak. Built for libFuzzer (-Dfuzz=true with clang);
 * replay.c runs the corpus as a normal test. */
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

int b2b2c_fuzz_record(const uint8_t *data, size_t size);

int b2b2c_fuzz_record(const uint8_t *data, size_t size)
{
    b2b2c__rbuf r;
    size_t n;

    if (b2b2c__dec_begin(&r, data, size, 3))
        return 0;
    /* Each field is introduced by a tag byte, so the corpus steers which
     * readers run and in what order. */
    for (int i = 0; i < 64 && !r.err && b2b2c__dec_left(&r); i++) {
        switch (b2b2c__dec_u8(&r) % 6) {
        case 0: (void)b2b2c__dec_u8(&r); break;
        case 1: (void)b2b2c__dec_u32(&r); break;
        case 2: (void)b2b2c__dec_u64(&r); break;
        case 3: (void)b2b2c__dec_f64(&r); break;
        case 4: (void)b2b2c__dec_bytes(&r, &n); break;
        case 5: (void)b2b2c__dec_i64(&r); break;
        }
    }
    (void)b2b2c__dec_finish(&r);
    return 0;
}

#ifdef B2B2C_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return b2b2c_fuzz_record(data, size);
}
#endif
