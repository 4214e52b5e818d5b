/* SPDX-License-Identifier: MIT */
/* b2b2c_dealer_list: every dealer in ID order, filtered by status. */
#include "dealer_int.h"
#include "listing.h"

static int dealer_list_row(const b2b2c__list *l, const void *rec)
{
    const dealer *d = rec;
    int64_t open = d->st.open > (uint64_t)INT64_MAX ? INT64_MAX
                                                    : (int64_t)d->st.open;
    return ((b2b2c_dealer_list_cb)l->cb)(
        d->id, d->cfg.status,
        d->cfg.status == B2B2C_DEALER_PAUSED ? d->cfg.paused_until : 0,
        d->cfg.tier, d->cfg.capacity, open, l->userdata);
}

int b2b2c_dealer_list(const b2b2c_dealer_engine *e, int32_t status,
                      b2b2c_dealer_list_cb cb, void *userdata)
{
    b2b2c__list l;
    int rc;

    if (!e)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, e->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (status != -1 && (status < B2B2C_DEALER_ACTIVE ||
                         status > B2B2C_DEALER_OFFBOARDED))
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "status: unknown status %d",
                          (int)status);
    if ((rc = b2b2c__sync_read(e->ctx)) != 0)
        return rc;
    if ((rc = b2b2c__list_reserve(&l, e->nd)) != 0)
        return rc;
    for (size_t i = 0; i < e->nd; i++) {
        const dealer *d = e->dealers[i];
        if (status == -1 || d->cfg.status == status)
            b2b2c__list_add(&l, d->id, d->idlen, d);
    }
    return b2b2c__list_emit(&l, dealer_list_row);
}
