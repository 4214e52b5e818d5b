/* SPDX-License-Identifier: MIT */
/* b2b2c_segmenter_list_accounts: every assigned account in ID order,
 * filtered by its current segment. */
#include "segment_internal.h"
#include "listing.h"

typedef struct seg_list_arg {
    b2b2c_seg_account_cb cb;
    void *userdata;
} seg_list_arg;

static int seg_list_row(const b2b2c__listref *ref, void *arg)
{
    const seg_list_arg *a = arg;
    const seg_account *acc = ref->rec;
    const seg_hist *h = &acc->h[acc->n - 1];
    return a->cb(acc->id, h->segment, h->time, h->version, a->userdata);
}

int b2b2c_segmenter_list_accounts(const b2b2c_segmenter *s, int32_t segment,
                                  b2b2c_seg_account_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    b2b2c__listref *refs;
    size_t n = 0, it = 0;
    void *v;
    seg_list_arg a;
    int rc;

    if (!s)
        return B2B2C_EINVAL;
    ctx = s->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (segment != -1 && !b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = b2b2c__list_alloc(&refs, ctx, s->accounts.count)) != 0)
        return rc;
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *acc = v;
        if (acc->n == 0 ||
            (segment != -1 && acc->h[acc->n - 1].segment != segment))
            continue;
        refs[n].id = acc->id;
        refs[n].len = acc->idlen;
        refs[n++].rec = acc;
    }
    a.cb = cb;
    a.userdata = userdata;
    return b2b2c__list_emit(ctx, refs, n, seg_list_row, &a);
}
