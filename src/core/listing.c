/* SPDX-License-Identifier: MIT */
/* Entity listings: the one ID order and callback loop shared by every
 * engine's b2b2c_<engine>_list*. */
#include <stdlib.h>
#include <string.h>

#include "listing.h"

static int cmp_ref(const void *pa, const void *pb)
{
    const b2b2c__listref *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->id, b->id, n);
    if (c)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

int b2b2c__list_alloc(b2b2c__listref **out, b2b2c_ctx *ctx, size_t n)
{
    b2b2c__listref *r;
    if (n > SIZE_MAX / sizeof(*r))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    r = b2b2c__malloc(ctx, (n ? n : 1) * sizeof(*r));
    if (!r)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    *out = r;
    return 0;
}

int b2b2c__list_emit(b2b2c_ctx *ctx, b2b2c__listref *refs, size_t n,
                     b2b2c__list_row_fn row, void *arg)
{
    int rc = 0;
    if (n > 1)
        qsort(refs, n, sizeof(*refs), cmp_ref);
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = row(&refs[i], arg);
    b2b2c__cb_leave(ctx);
    b2b2c__free(ctx, refs);
    return rc;
}
