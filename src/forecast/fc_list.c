/* SPDX-License-Identifier: MIT */
/* b2b2c_forecaster_list_customers: every customer in ID order, filtered by
 * segment. */
#include "forecast/fc_state.h"
#include "listing.h"

static int fc_list_row(const b2b2c__list *l, const void *rec)
{
    const fc_cust *c = rec;
    const fc_fold *fo = c->fold ? &c->fold->fo : NULL;
    int64_t first = fo ? fo->first_time : 0, last = fo ? fo->last_time : 0;
    for (size_t i = 0; i < c->n; i++) {
        if ((!fo && i == 0) || c->p[i].time < first)
            first = c->p[i].time;
        if ((!fo && i == 0) || c->p[i].time > last)
            last = c->p[i].time;
    }
    /* folded purchases count and date as before the fold */
    return ((b2b2c_forecaster_customer_cb)l->cb)(
        c->id, c->segment, first, last, (int64_t)(fc_base(c) + c->n),
        l->userdata);
}

int b2b2c_forecaster_list_customers(const b2b2c_forecaster *f,
                                    int32_t segment,
                                    b2b2c_forecaster_customer_cb cb,
                                    void *userdata)
{
    b2b2c__list l;
    size_t it = 0;
    void *v;
    int rc;

    if (!f)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, f->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (segment != -1 && !b2b2c_segment_name(segment))
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = b2b2c__sync_read(f->ctx)) != 0 ||
        (rc = b2b2c__list_reserve(&l, f->cust.count)) != 0)
        return rc;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        if (segment == -1 || c->segment == segment)
            b2b2c__list_add(&l, c->id, c->idlen, c);
    }
    return b2b2c__list_emit(&l, fc_list_row);
}
