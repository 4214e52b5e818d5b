/* SPDX-License-Identifier: MIT */
/* b2b2c_lead_list: every lead in ID order, filtered by stage and band. */
#include "lead_internal.h"
#include "listing.h"

static int lead_list_row(const b2b2c__list *l, const void *rec)
{
    const lead_rec *r = rec;
    int32_t band;
    double score = b2b2c__lead_score_at(l->h, r, l->now, &band);
    return ((b2b2c_lead_list_cb)l->cb)(r->id, r->stage, band, score,
                                        l->userdata);
}

int b2b2c_lead_list(const b2b2c_lead_model *m, int32_t stage, int32_t band,
                    int64_t now, b2b2c_lead_list_cb cb, void *userdata)
{
    b2b2c__list l;
    int rc;

    if (!m)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, m->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (stage != -1 && !b2b2c_lead_stage_name(stage))
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "stage: unknown stage %d",
                          (int)stage);
    if (band != -1 && (band < B2B2C_BAND_COLD || band > B2B2C_BAND_HOT))
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if ((rc = b2b2c__check_time(m->ctx, now, "now")) != 0 ||
        (rc = b2b2c__sync_read(m->ctx)) != 0 ||
        (rc = b2b2c__list_reserve(&l, m->nleads)) != 0)
        return rc;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        int32_t b = band;
        if (band != -1)
            b2b2c__lead_score_at(m, r, now, &b);
        if ((stage == -1 || r->stage == stage) && b == band)
            b2b2c__list_add(&l, r->id, r->idlen, r);
    }
    l.h = m;
    l.now = now;
    return b2b2c__list_emit(&l, lead_list_row);
}
