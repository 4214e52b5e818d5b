/* SPDX-License-Identifier: MIT */
/* b2b2c_dealer_list: every dealer in ID order, filtered by status. */
#include "dealer_int.h"
#include "listing.h"

typedef struct dealer_list_arg {
    b2b2c_dealer_list_cb cb;
    void *userdata;
} dealer_list_arg;

static int dealer_list_row(const b2b2c__listref *ref, void *arg)
{
    const dealer_list_arg *a = arg;
    const dealer *d = ref->rec;
    int64_t open = d->st.open > (uint64_t)INT64_MAX ? INT64_MAX
                                                    : (int64_t)d->st.open;
    return a->cb(d->id, d->cfg.status,
                 d->cfg.status == B2B2C_DEALER_PAUSED ? d->cfg.paused_until
                                                      : 0,
                 d->cfg.tier, d->cfg.capacity, open, a->userdata);
}

int b2b2c_dealer_list(const b2b2c_dealer_engine *e, int32_t status,
                      b2b2c_dealer_list_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    b2b2c__listref *refs;
    size_t n = 0;
    dealer_list_arg a;
    int rc;

    if (!e)
        return B2B2C_EINVAL;
    ctx = e->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (status != -1 && (status < B2B2C_DEALER_ACTIVE ||
                         status > B2B2C_DEALER_OFFBOARDED))
        return b2b2c__err(ctx, B2B2C_EINVAL, "status: unknown status %d",
                          (int)status);
    if ((rc = b2b2c__list_alloc(&refs, ctx, e->nd)) != 0)
        return rc;
    for (size_t i = 0; i < e->nd; i++) {
        const dealer *d = e->dealers[i];
        if (status != -1 && d->cfg.status != status)
            continue;
        refs[n].id = d->id;
        refs[n].len = d->idlen;
        refs[n++].rec = d;
    }
    a.cb = cb;
    a.userdata = userdata;
    return b2b2c__list_emit(ctx, refs, n, dealer_list_row, &a);
}
