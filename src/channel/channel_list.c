/* SPDX-License-Identifier: MIT */
/* b2b2c_channels_list: every channel in ID order, filtered by kind. */
#include "channel_int.h"
#include "listing.h"

typedef struct channels_list_arg {
    b2b2c_channels_list_cb cb;
    void *userdata;
} channels_list_arg;

static int channels_list_row(const b2b2c__listref *ref, void *arg)
{
    const channels_list_arg *a = arg;
    const ch_chan *c = ref->rec;
    return a->cb(c->id, c->kind, c->sub, c->group, a->userdata);
}

int b2b2c_channels_list(const b2b2c_channels *h, int32_t kind,
                        b2b2c_channels_list_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    b2b2c__listref *refs;
    size_t n = 0;
    channels_list_arg a;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (kind != -1 && kind != B2B2C_CHANNEL_KIND_REACH &&
        kind != B2B2C_CHANNEL_KIND_LEADGEN)
        return b2b2c__err(ctx, B2B2C_EINVAL, "kind: unknown kind %d",
                          (int)kind);
    if ((rc = b2b2c__list_alloc(&refs, ctx, h->nch)) != 0)
        return rc;
    for (size_t i = 0; i < h->nch; i++) {
        const ch_chan *c = h->chans[i];
        if (kind != -1 && c->kind != kind)
            continue;
        refs[n].id = c->id;
        refs[n].len = c->idlen;
        refs[n++].rec = c;
    }
    a.cb = cb;
    a.userdata = userdata;
    return b2b2c__list_emit(ctx, refs, n, channels_list_row, &a);
}
