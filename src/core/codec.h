/* SPDX-License-Identifier: MIT */
/* The record codec (core/codec.c): part of internal.h, which includes it
 * where it stands; include internal.h, not this file. Not installed. */
#ifndef B2B2C_CODEC_H
#define B2B2C_CODEC_H

/* ---- record codec ------------------------------------------------------ */

/*
 * Records are [version u8][fields...][crc32c u32 LE over all before it].
 * Fields are little-endian fixed-width integers, IEEE doubles, and byte
 * strings with a u32 length. Readers accept versions 1..max; 0 or a failed
 * checksum or truncation is B2B2C_ECORRUPT, a newer version B2B2C_EVERSION.
 */
typedef struct b2b2c__wbuf {
    const b2b2c__alloc *a;
    uint8_t *buf;
    size_t len, cap;
    int err;          /* sticky: first failure */
    uint8_t inl[256]; /* small records need no allocation */
} b2b2c__wbuf;

void b2b2c__enc_begin(b2b2c__wbuf *w, const b2b2c__alloc *a, uint8_t version);
/* Out-of-line paths that grow the buffer (the inline ones below call them
 * only when the field does not fit). */
void b2b2c__enc_u8_slow(b2b2c__wbuf *w, uint8_t v);
void b2b2c__enc_u32_slow(b2b2c__wbuf *w, uint32_t v);
void b2b2c__enc_u64_slow(b2b2c__wbuf *w, uint64_t v);

/* Little-endian stores: one unaligned store on little-endian hosts (the
 * memcpy), byte by byte elsewhere. */
static inline void b2b2c__put_le32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 4);
#else
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

static inline void b2b2c__put_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* n bytes at the end of the record for the caller to fill (with the
 * put_le helpers), or NULL after a failure (sticky, as every writer). */
uint8_t *b2b2c__enc_raw_slow(b2b2c__wbuf *w, size_t n);
static inline uint8_t *b2b2c__enc_raw(b2b2c__wbuf *w, size_t n)
{
    if (B2B2C__LIKELY(!w->err && w->cap - w->len >= n)) {
        uint8_t *p = w->buf + w->len;
        w->len += n;
        return p;
    }
    return b2b2c__enc_raw_slow(w, n);
}

static inline void b2b2c__enc_u8(b2b2c__wbuf *w, uint8_t v)
{
    if (B2B2C__LIKELY(!w->err && w->len < w->cap))
        w->buf[w->len++] = v;
    else
        b2b2c__enc_u8_slow(w, v);
}

static inline void b2b2c__enc_u32(b2b2c__wbuf *w, uint32_t v)
{
    if (B2B2C__LIKELY(!w->err && w->cap - w->len >= 4)) {
        b2b2c__put_le32(w->buf + w->len, v);
        w->len += 4;
    } else {
        b2b2c__enc_u32_slow(w, v);
    }
}

static inline void b2b2c__enc_u64(b2b2c__wbuf *w, uint64_t v)
{
    if (B2B2C__LIKELY(!w->err && w->cap - w->len >= 8)) {
        b2b2c__put_le64(w->buf + w->len, v);
        w->len += 8;
    } else {
        b2b2c__enc_u64_slow(w, v);
    }
}

static inline void b2b2c__enc_i64(b2b2c__wbuf *w, int64_t v)
{
    b2b2c__enc_u64(w, (uint64_t)v);
}

static inline void b2b2c__enc_f64(b2b2c__wbuf *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    b2b2c__enc_u64(w, u);
}
void b2b2c__enc_bytes_slow(b2b2c__wbuf *w, const void *p, size_t n);
static inline void b2b2c__enc_bytes(b2b2c__wbuf *w, const void *p, size_t n)
{
    if (B2B2C__LIKELY(!w->err && n <= 65535 && w->cap - w->len >= n + 4)) {
        uint8_t *q = w->buf + w->len;
        b2b2c__put_le32(q, (uint32_t)n);
        if (n)
            memcpy(q + 4, p, n);
        w->len += n + 4;
    } else {
        b2b2c__enc_bytes_slow(w, p, n);
    }
}
void b2b2c__enc_str(b2b2c__wbuf *w, const char *s); /* NULL encodes as "" */
/* Append the checksum; returns 0 or the sticky error. */
int b2b2c__enc_finish(b2b2c__wbuf *w);
void b2b2c__enc_fini(b2b2c__wbuf *w);

typedef struct b2b2c__rbuf {
    const uint8_t *p, *end;
    uint8_t version;
    int err; /* sticky */
} b2b2c__rbuf;

/* Check length, checksum and version; positions the reader after the
 * version byte. Returns 0, B2B2C_ECORRUPT or B2B2C_EVERSION. */
int b2b2c__dec_begin(b2b2c__rbuf *r, const void *data, size_t len,
                     uint8_t max_version);
uint8_t b2b2c__dec_u8(b2b2c__rbuf *r);
uint32_t b2b2c__dec_u32(b2b2c__rbuf *r);
uint64_t b2b2c__dec_u64(b2b2c__rbuf *r);
int64_t b2b2c__dec_i64(b2b2c__rbuf *r);
double b2b2c__dec_f64(b2b2c__rbuf *r);
/* Returns a pointer into the record (not NUL-terminated) and its length. */
const void *b2b2c__dec_bytes(b2b2c__rbuf *r, size_t *n);
/* Bytes left before the checksum (newer optional fields test this). */
size_t b2b2c__dec_left(const b2b2c__rbuf *r);
/* 0 when every field was read and nothing is left; else B2B2C_ECORRUPT. */
int b2b2c__dec_finish(b2b2c__rbuf *r);

#endif /* B2B2C_CODEC_H */
