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

int b2b2c__list_open(b2b2c__list *l, b2b2c_ctx *ctx, b2b2c__list_fn cb,
                     void *userdata)
{
    memset(l, 0, sizeof(*l));
    l->ctx = ctx;
    l->cb = cb;
    l->userdata = userdata;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    return 0;
}

int b2b2c__list_reserve(b2b2c__list *l, size_t n)
{
    if (n > SIZE_MAX / sizeof(*l->refs))
        return b2b2c__err(l->ctx, B2B2C_ENOMEM, "out of memory");
    l->refs = b2b2c__malloc(l->ctx, (n ? n : 1) * sizeof(*l->refs));
    if (!l->refs)
        return b2b2c__err(l->ctx, B2B2C_ENOMEM, "out of memory");
    l->n = 0;
    return 0;
}

int b2b2c__list_emit(b2b2c__list *l, b2b2c__list_row_fn row)
{
    int rc = 0;
    if (l->n > 1)
        qsort(l->refs, l->n, sizeof(*l->refs), cmp_ref);
    b2b2c__cb_enter(l->ctx);
    for (size_t i = 0; i < l->n && rc == 0; i++)
        rc = row(l, l->refs[i].rec);
    b2b2c__cb_leave(l->ctx);
    b2b2c__free(l->ctx, l->refs);
    l->refs = NULL;
    return rc;
}
