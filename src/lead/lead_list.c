/* SPDX-License-Identifier: MIT */
/* b2b2c_lead_list: every lead in ID order, filtered by stage and band. */
#include "lead_internal.h"
#include "listing.h"

typedef struct lead_list_arg {
    const b2b2c_lead_model *m;
    int64_t now;
    b2b2c_lead_list_cb cb;
    void *userdata;
} lead_list_arg;

static int lead_list_row(const b2b2c__listref *ref, void *arg)
{
    const lead_list_arg *a = arg;
    const lead_rec *r = ref->rec;
    int32_t band;
    double score = b2b2c__lead_score_at(a->m, r, a->now, &band);
    return a->cb(r->id, r->stage, band, score, a->userdata);
}

int b2b2c_lead_list(const b2b2c_lead_model *m, int32_t stage, int32_t band,
                    int64_t now, b2b2c_lead_list_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    b2b2c__listref *refs;
    size_t n = 0;
    lead_list_arg a;
    int rc;

    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (stage != -1 && !b2b2c_lead_stage_name(stage))
        return b2b2c__err(ctx, B2B2C_EINVAL, "stage: unknown stage %d",
                          (int)stage);
    if (band != -1 && (band < B2B2C_BAND_COLD || band > B2B2C_BAND_HOT))
        return b2b2c__err(ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if ((rc = b2b2c__list_alloc(&refs, ctx, m->nleads)) != 0)
        return rc;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        if (stage != -1 && r->stage != stage)
            continue;
        if (band != -1) {
            int32_t b;
            b2b2c__lead_score_at(m, r, now, &b);
            if (b != band)
                continue;
        }
        refs[n].id = r->id;
        refs[n].len = r->idlen;
        refs[n++].rec = r;
    }
    a.m = m;
    a.now = now;
    a.cb = cb;
    a.userdata = userdata;
    return b2b2c__list_emit(ctx, refs, n, lead_list_row, &a);
}
