/* SPDX-License-Identifier: MIT */
/* b2b2c_segmenter_list_accounts: every assigned account in ID order,
 * filtered by its current segment. */
#include "segment_internal.h"
#include "listing.h"

static int seg_list_row(const b2b2c__list *l, const void *rec)
{
    const seg_account *a = rec;
    const seg_hist *h = &a->h[a->n - 1];
    return ((b2b2c_seg_account_cb)l->cb)(a->id, h->segment, h->time,
                                          h->version, l->userdata);
}

int b2b2c_segmenter_list_accounts(const b2b2c_segmenter *s, int32_t segment,
                                  b2b2c_seg_account_cb cb, void *userdata)
{
    b2b2c__list l;
    size_t it = 0;
    void *v;
    int rc;

    if (!s)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, s->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (segment != -1 && !b2b2c_segment_name(segment))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = b2b2c__sync_read(s->ctx)) != 0 ||
        (rc = b2b2c__list_reserve(&l, s->accounts.count)) != 0)
        return rc;
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        if (a->n && (segment == -1 || a->h[a->n - 1].segment == segment))
            b2b2c__list_add(&l, a->id, a->idlen, a);
    }
    return b2b2c__list_emit(&l, seg_list_row);
}
