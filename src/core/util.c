/* SPDX-License-Identifier: MIT */
/* Small shared pieces: allocator, versions, error strings, IDs, hashing. */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

static void *libc_alloc(size_t n, void *ud)
{
    (void)ud;
    return malloc(n);
}
static void *libc_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    return realloc(p, n);
}
static void libc_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

int b2b2c__alloc_init(b2b2c__alloc *out, const b2b2c_allocator *host)
{
    if (!host) {
        out->alloc = libc_alloc;
        out->realloc = libc_realloc;
        out->free = libc_free;
        out->ud = NULL;
        return 0;
    }
    if (host->version == 0 || host->version > B2B2C_ALLOCATOR_VERSION)
        return B2B2C_EVERSION;
    if (!host->alloc || !host->realloc || !host->free)
        return B2B2C_EINVAL;
    out->alloc = host->alloc;
    out->realloc = host->realloc;
    out->free = host->free;
    out->ud = host->userdata;
    return 0;
}

int b2b2c__grow(const b2b2c__alloc *a, void **arr, size_t *cap, size_t need,
                size_t size)
{
    size_t ncap;
    void *p;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return B2B2C_ENOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / size)
        return B2B2C_ENOMEM;
    p = b2b2c__arealloc(a, *arr, ncap * size);
    if (!p)
        return B2B2C_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

uint32_t b2b2c_version_number(void)
{
    return B2B2C_VERSION_NUMBER;
}

const char *b2b2c_version_string(void)
{
    return B2B2C_VERSION_STRING;
}

const char *b2b2c_strerror(int code)
{
    switch (code) {
    case B2B2C_OK: return "success";
    case B2B2C_EINVAL: return "invalid argument";
    case B2B2C_ENOMEM: return "out of memory";
    case B2B2C_EBADID: return "invalid ID (must be UTF-8, 1 to 255 bytes)";
    case B2B2C_ENOTFOUND: return "not found";
    case B2B2C_EEXISTS: return "already exists";
    case B2B2C_ECORRUPT: return "corrupt record";
    case B2B2C_EVERSION: return "unsupported version";
    case B2B2C_EBUFSIZE: return "buffer too small";
    case B2B2C_ESTORAGE: return "storage failure";
    case B2B2C_ESTATE: return "invalid state for this operation";
    case B2B2C_ERANGE: return "value out of range";
    case B2B2C_EABORTED: return "transaction group aborted; roll it back";
    case B2B2C_ENOTREADY: return "model not ready: too little data";
    case B2B2C_ENOCONVERGE: return "optimizer did not converge";
    case B2B2C_ENODEALER: return "no eligible dealer";
    case B2B2C_EEXPIRED: return "deadline passed";
    case B2B2C_ENODATA: return "no usable data";
    case B2B2C_EINTERRUPTED: return "interrupted by the progress handler";
    case B2B2C_ECONFLICT:
        return "conflict with another context's commit (re-run failed)";
    case B2B2C_EDUPLICATE: return "duplicate of the caller's own live record";
    default: return "unknown error";
    }
}

int b2b2c__utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t need;
        uint32_t cp, min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1; cp = c & 0x1F; min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2; cp = c & 0x0F; min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return B2B2C_EBADID;
        }
        if (n - i - 1 < need)
            return B2B2C_EBADID;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return B2B2C_EBADID;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return B2B2C_EBADID;
        i += need + 1;
    }
    return 0;
}

int b2b2c__id_check(const char *s, size_t *len)
{
    size_t n;
    unsigned high = 0;

    if (!s)
        return B2B2C_EINVAL;
    /* strnlen is POSIX, not C11: bound the scan by hand; an all-ASCII ID
     * (the common case) needs no UTF-8 pass */
    for (n = 0; n <= B2B2C__ID_MAX && s[n]; n++)
        high |= (unsigned char)s[n];
    if (n == 0 || n > B2B2C__ID_MAX)
        return B2B2C_EBADID;
    if ((high & 0x80) && b2b2c__utf8_valid(s, n))
        return B2B2C_EBADID;
    if (len)
        *len = n;
    return 0;
}

int b2b2c__time_err(b2b2c_ctx *ctx, int64_t t, const char *arg)
{
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "%s: %lld is outside the time range [%lld, %lld] "
                      "(years 1..9999)",
                      arg, (long long)t, (long long)B2B2C_TIME_MIN,
                      (long long)B2B2C_TIME_MAX);
}

int b2b2c__not_before_err(b2b2c_ctx *ctx, int64_t t, const char *arg,
                          int64_t since, const char *what, const char *id)
{
    return b2b2c__err(ctx, B2B2C_ERANGE, "%s: %lld is before %s '%s' at %lld",
                      arg, (long long)t, what, id, (long long)since);
}

int b2b2c__amount_err(b2b2c_ctx *ctx, double v, const char *arg)
{
    if (!isfinite(v))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must be finite", arg);
    return b2b2c__err(ctx, B2B2C_ERANGE, "%s: %g is outside [0, %g]", arg, v,
                      B2B2C_AMOUNT_MAX);
}

int b2b2c__table_check(const char *t)
{
    size_t n = 0;

    if (!t)
        return B2B2C_EINVAL;
    for (; t[n]; n++) {
        char c = t[n];
        if (n >= 63 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c == '_'))
            return B2B2C_EINVAL;
    }
    return n ? 0 : B2B2C_EINVAL;
}

/* 64-bit hash for short keys: 8 bytes at a time with a multiply-xorshift
 * mix (the finaliser is splitmix64's). Deterministic, unseeded. */
static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

uint64_t b2b2c__hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL);
    size_t i = 0;

    for (; i + 8 <= len; i += 8)
        h = (h ^ b2b2c__fmix64(rd64(p + i))) * 0x9e3779b97f4a7c15ULL;
    if (i < len) {
        /* the last 1..7 bytes without a loop: the last 8 bytes of the key
         * (overlapping the words above), or two overlapping 4-byte reads,
         * or the first, middle and last byte (as wyhash does); the length
         * is in h already, so overlaps cannot make two keys equal */
        uint64_t t;
        size_t r = len - i;
        if (len >= 8) {
            t = rd64(p + len - 8);
        } else if (r >= 4) {
            uint32_t a, b;
            memcpy(&a, p, 4);
            memcpy(&b, p + len - 4, 4);
            t = (uint64_t)a | (uint64_t)b << 32;
        } else {
            t = (uint64_t)p[0] | (uint64_t)p[r / 2] << 8 |
                (uint64_t)p[r - 1] << 16;
        }
        h = (h ^ b2b2c__fmix64(t ^ 0x2545f4914f6cdd1dULL)) *
            0x9e3779b97f4a7c15ULL;
    }
    return b2b2c__fmix64(h);
}

#include "crc32c_table.h"

/* CRC32C, slicing-by-8 (Kounavis & Berry 2005). */
uint32_t b2b2c__crc32c_sw(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;

    crc = ~crc;
    while (len >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                             (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        crc = crc32c_table[7][lo & 0xff] ^ crc32c_table[6][(lo >> 8) & 0xff] ^
              crc32c_table[5][(lo >> 16) & 0xff] ^ crc32c_table[4][lo >> 24] ^
              crc32c_table[3][p[4]] ^ crc32c_table[2][p[5]] ^
              crc32c_table[1][p[6]] ^ crc32c_table[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ crc32c_table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The SSE4.2 crc32 instruction computes the same CRC32C, 8 bytes a step.
 * Chosen at run time; the result is identical either way. */
__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t c = ~crc & 0xffffffffu;
    uint32_t c32;

    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    c32 = (uint32_t)c;
    /* the tail (at most 7 bytes) a byte a step */
    while (len--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}

int b2b2c__crc32c_hw_available(void)
{
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

uint32_t b2b2c__crc32c(uint32_t crc, const void *data, size_t len)
{
    if (__builtin_cpu_supports("sse4.2"))
        return crc32c_hw(crc, data, len);
    return b2b2c__crc32c_sw(crc, data, len);
}
#else
int b2b2c__crc32c_hw_available(void)
{
    return 0;
}

uint32_t b2b2c__crc32c(uint32_t crc, const void *data, size_t len)
{
    return b2b2c__crc32c_sw(crc, data, len);
}
#endif
