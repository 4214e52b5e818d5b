/* SPDX-License-Identifier: MIT */
/* Versioned, checksummed record encoding (see internal.h for the layout). */
#include "internal.h"

void b2b2c__enc_begin(b2b2c__wbuf *w, const b2b2c__alloc *a, uint8_t version)
{
    w->a = a;
    w->buf = w->inl;
    w->cap = sizeof(w->inl);
    w->len = 0;
    w->err = 0;
    w->buf[w->len++] = version;
}

void b2b2c__enc_fini(b2b2c__wbuf *w)
{
    if (w->buf != w->inl)
        b2b2c__afree(w->a, w->buf);
    w->buf = w->inl;
    w->cap = sizeof(w->inl);
    w->len = 0;
}

static uint8_t *room(b2b2c__wbuf *w, size_t n)
{
    if (w->err)
        return NULL;
    if (n > SIZE_MAX - w->len) {
        w->err = B2B2C_ENOMEM;
        return NULL;
    }
    if (w->len + n > w->cap) {
        size_t ncap = w->cap * 2;
        uint8_t *nb;
        while (ncap < w->len + n)
            ncap *= 2;
        if (w->buf == w->inl) {
            nb = b2b2c__amalloc(w->a, ncap);
            if (nb)
                memcpy(nb, w->inl, w->len);
        } else {
            nb = b2b2c__arealloc(w->a, w->buf, ncap);
        }
        if (!nb) {
            w->err = B2B2C_ENOMEM;
            return NULL;
        }
        w->buf = nb;
        w->cap = ncap;
    }
    w->len += n;
    return w->buf + w->len - n;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void b2b2c__enc_u8_slow(b2b2c__wbuf *w, uint8_t v)
{
    uint8_t *p = room(w, 1);
    if (p)
        *p = v;
}

void b2b2c__enc_u32_slow(b2b2c__wbuf *w, uint32_t v)
{
    uint8_t *p = room(w, 4);
    if (p)
        put_le(p, v, 4);
}

void b2b2c__enc_u64_slow(b2b2c__wbuf *w, uint64_t v)
{
    uint8_t *p = room(w, 8);
    if (p)
        put_le(p, v, 8);
}

uint8_t *b2b2c__enc_raw_slow(b2b2c__wbuf *w, size_t n)
{
    return room(w, n);
}

void b2b2c__enc_bytes_slow(b2b2c__wbuf *w, const void *src, size_t n)
{
    uint8_t *p;

    if (n > UINT32_MAX) {
        if (!w->err)
            w->err = B2B2C_ERANGE;
        return;
    }
    b2b2c__enc_u32(w, (uint32_t)n);
    p = room(w, n);
    if (p && n)
        memcpy(p, src, n);
}

void b2b2c__enc_str(b2b2c__wbuf *w, const char *s)
{
    b2b2c__enc_bytes(w, s ? s : "", s ? strlen(s) : 0);
}

int b2b2c__enc_finish(b2b2c__wbuf *w)
{
    uint32_t crc;
    uint8_t *p;

    if (w->err)
        return w->err;
    crc = b2b2c__crc32c(0, w->buf, w->len);
    p = room(w, 4);
    if (!p)
        return w->err;
    put_le(p, crc, 4);
    return 0;
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int b2b2c__dec_begin(b2b2c__rbuf *r, const void *data, size_t len,
                     uint8_t max_version)
{
    const uint8_t *p = data;

    r->p = r->end = p;
    r->version = 0;
    r->err = B2B2C_ECORRUPT;
    if (!p || len < 5)
        return B2B2C_ECORRUPT;
    if (b2b2c__crc32c(0, p, len - 4) != (uint32_t)get_le(p + len - 4, 4))
        return B2B2C_ECORRUPT;
    if (p[0] == 0)
        return B2B2C_ECORRUPT;
    if (p[0] > max_version) {
        r->err = B2B2C_EVERSION;
        return B2B2C_EVERSION;
    }
    r->version = p[0];
    r->p = p + 1;
    r->end = p + len - 4;
    r->err = 0;
    return 0;
}

static const uint8_t *take(b2b2c__rbuf *r, size_t n)
{
    const uint8_t *p;
    if (r->err || (size_t)(r->end - r->p) < n) {
        if (!r->err)
            r->err = B2B2C_ECORRUPT;
        return NULL;
    }
    p = r->p;
    r->p += n;
    return p;
}

uint8_t b2b2c__dec_u8(b2b2c__rbuf *r)
{
    const uint8_t *p = take(r, 1);
    return p ? *p : 0;
}

uint32_t b2b2c__dec_u32(b2b2c__rbuf *r)
{
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)get_le(p, 4) : 0;
}

uint64_t b2b2c__dec_u64(b2b2c__rbuf *r)
{
    const uint8_t *p = take(r, 8);
    return p ? get_le(p, 8) : 0;
}

int64_t b2b2c__dec_i64(b2b2c__rbuf *r)
{
    return (int64_t)b2b2c__dec_u64(r);
}

double b2b2c__dec_f64(b2b2c__rbuf *r)
{
    uint64_t u = b2b2c__dec_u64(r);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

const void *b2b2c__dec_bytes(b2b2c__rbuf *r, size_t *n)
{
    uint32_t len = b2b2c__dec_u32(r);
    const uint8_t *p = take(r, len);
    *n = p ? len : 0;
    return p ? (const void *)p : (const void *)"";
}

size_t b2b2c__dec_left(const b2b2c__rbuf *r)
{
    return r->err ? 0 : (size_t)(r->end - r->p);
}

int b2b2c__dec_finish(b2b2c__rbuf *r)
{
    if (r->err)
        return r->err;
    return r->p == r->end ? 0 : B2B2C_ECORRUPT;
}
