/* SPDX-License-Identifier: MIT */
/* b2b2c_channels_list: every channel in ID order, filtered by kind. */
#include "channel_int.h"
#include "listing.h"

static int channels_list_row(const b2b2c__list *l, const void *rec)
{
    const ch_chan *c = rec;
    return ((b2b2c_channels_list_cb)l->cb)(c->id, c->kind, c->sub, c->group,
                                            l->userdata);
}

int b2b2c_channels_list(const b2b2c_channels *h, int32_t kind,
                        b2b2c_channels_list_cb cb, void *userdata)
{
    b2b2c__list l;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, h->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (kind != -1 && kind != B2B2C_CHANNEL_KIND_REACH &&
        kind != B2B2C_CHANNEL_KIND_LEADGEN)
        return b2b2c__err(h->ctx, B2B2C_EINVAL, "kind: unknown kind %d",
                          (int)kind);
    if ((rc = b2b2c__sync_read(h->ctx)) != 0 ||
        (rc = b2b2c__list_reserve(&l, h->nch)) != 0)
        return rc;
    for (size_t i = 0; i < h->nch; i++)
        if (kind == -1 || h->chans[i]->kind == kind)
            b2b2c__list_add(&l, h->chans[i]->id, h->chans[i]->idlen,
                            h->chans[i]);
    return b2b2c__list_emit(&l, channels_list_row);
}
