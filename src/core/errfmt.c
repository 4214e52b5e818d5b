/* SPDX-License-Identifier: MIT */
/* Messages about stored records: the key printed escaped, once for every
 * engine (docs/conventions.md, Errors). */
#include <stdarg.h>
#include <stdio.h>

#include "core/internal.h"

size_t b2b2c__key_escape(char *out, size_t cap, const void *key, size_t klen)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *k = key;
    size_t n = 0, i;

    if (cap == 0)
        return 0;
    for (i = 0; i < klen; i++) {
        unsigned c = k[i];
        int plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '\'';
        size_t w = plain ? 1 : 4;
        /* room for this byte and, if more follow, "..." and the NUL */
        if (n + w + (i + 1 < klen ? 3 : 0) + 1 > cap)
            break;
        if (plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    if (i < klen && n + 4 <= cap) {
        out[n++] = '.';
        out[n++] = '.';
        out[n++] = '.';
    }
    out[n] = '\0';
    return i;
}

int b2b2c__err_corrupt(b2b2c_ctx *ctx, int rc, const char *table,
                       const void *key, size_t klen, const char *fmt, ...)
{
    char k[B2B2C__KEY_SHOWN + 1], len[32] = "", detail[160] = "";

    if (b2b2c__key_escape(k, sizeof(k), key, klen) < klen)
        snprintf(len, sizeof(len), " (%zu bytes)", klen);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        return b2b2c__err(ctx, rc, "table '%s' key '%s'%s: %s (%s)", table, k,
                          len, detail, b2b2c_strerror(rc));
    }
    return b2b2c__err(ctx, rc, "table '%s' key '%s'%s: %s", table, k, len,
                      b2b2c_strerror(rc));
}
