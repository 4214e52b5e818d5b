/* SPDX-License-Identifier: MIT */
/* b2b2c_forecaster_list_customers: every customer in ID order, filtered by
 * segment. */
#include "forecast/fc_state.h"
#include "listing.h"

typedef struct fc_list_arg {
    b2b2c_forecaster_customer_cb cb;
    void *userdata;
} fc_list_arg;

static int fc_list_row(const b2b2c__listref *ref, void *arg)
{
    const fc_list_arg *a = arg;
    const fc_cust *c = ref->rec;
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (i == 0 || c->p[i].time < first)
            first = c->p[i].time;
        if (i == 0 || c->p[i].time > last)
            last = c->p[i].time;
    }
    return a->cb(c->id, c->segment, first, last, (int64_t)c->n, a->userdata);
}

int b2b2c_forecaster_list_customers(const b2b2c_forecaster *f,
                                    int32_t segment,
                                    b2b2c_forecaster_customer_cb cb,
                                    void *userdata)
{
    b2b2c_ctx *ctx;
    b2b2c__listref *refs;
    size_t n = 0, it = 0;
    void *v;
    fc_list_arg a;
    int rc;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (segment != -1 && !b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = b2b2c__list_alloc(&refs, ctx, f->cust.count)) != 0)
        return rc;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        if (segment != -1 && c->segment != segment)
            continue;
        refs[n].id = c->id;
        refs[n].len = c->idlen;
        refs[n++].rec = c;
    }
    a.cb = cb;
    a.userdata = userdata;
    return b2b2c__list_emit(ctx, refs, n, fc_list_row, &a);
}
