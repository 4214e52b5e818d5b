/* SPDX-License-Identifier: MIT */
/* Lead model: stages, the allowed stage changes and their history. */
#include "lead_internal.h"

static const char *const stage_names[] = {
    "new", "nurturing", "qualified", "passed_to_dealer",
    "accepted_by_dealer", "won", "lost", "disqualified", "customer",
    "repeat_due",
};

#define S(x) (1u << B2B2C_LEAD_STAGE_##x)
static const uint32_t stage_next[LEAD_NSTAGES] = {
    /* new */ S(NURTURING) | S(QUALIFIED) | S(LOST) | S(DISQUALIFIED),
    /* nurturing */ S(QUALIFIED) | S(LOST) | S(DISQUALIFIED),
    /* qualified */ S(NURTURING) | S(PASSED_TO_DEALER) | S(WON) | S(LOST) |
        S(DISQUALIFIED),
    /* passed */ S(ACCEPTED_BY_DEALER) | S(QUALIFIED) | S(LOST),
    /* accepted */ S(WON) | S(LOST) | S(QUALIFIED),
    /* won */ S(CUSTOMER),
    /* lost */ S(NURTURING),
    /* disqualified */ S(NURTURING),
    /* customer */ S(REPEAT_DUE),
    /* repeat_due */ S(CUSTOMER) | S(QUALIFIED) | S(NURTURING),
};
#undef S

const char *b2b2c_lead_stage_name(int32_t stage)
{
    return stage >= 0 && stage < LEAD_NSTAGES ? stage_names[stage] : NULL;
}

int32_t b2b2c_lead_stage_from_name(const char *name)
{
    if (!name)
        return B2B2C_EINVAL;
    for (int32_t i = 0; i < LEAD_NSTAGES; i++)
        if (strcmp(stage_names[i], name) == 0)
            return i;
    return B2B2C_EINVAL;
}

/* ---- lifecycle ------------------------------------------------------------------ */

void b2b2c__lead_hist_key(char *key, const lead_rec *r, uint32_t seq)
{
    memcpy(key, r->id, r->idlen);
    key[r->idlen] = '\0';
    lead_key_u32(key + r->idlen + 1, seq);
}

static int stage_body(b2b2c_lead_model *m, const char *id, int32_t stage,
                      int64_t now)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_rec *r;
    char key[B2B2C__ID_MAX + 5];
    b2b2c__wbuf w;
    int32_t band;
    int rc;

    if (!(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    if (stage < 0 || stage >= LEAD_NSTAGES)
        return b2b2c__err(ctx, B2B2C_EINVAL, "stage: unknown stage %d",
                          (int)stage);
    if (!(stage_next[r->stage] & (1u << stage)))
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "stage: lead '%s' cannot go from %s to %s", id,
                          stage_names[r->stage], stage_names[stage]);
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0 ||
        (rc = b2b2c__check_not_before(ctx, now, "now", r->stage_at,
                                      "the last stage change of lead",
                                      id)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, r, sizeof(*r))) != 0)
        return rc;
    /* version 2 (1.1): the band the lead enters the stage with, for the
     * funnel's breakdown by band */
    b2b2c__lead_score_at(m, r, now, &band);
    b2b2c__lead_hist_key(key, r, r->nhist);
    b2b2c__enc_begin(&w, &ctx->mem, 2);
    b2b2c__enc_u8(&w, r->stage);
    b2b2c__enc_u8(&w, (uint8_t)stage);
    b2b2c__enc_i64(&w, now);
    b2b2c__enc_u8(&w, (uint8_t)band);
    if ((rc = b2b2c__st_put_rec(ctx, T_STAGES, key, r->idlen + 5u, &w)) != 0 ||
        (rc = b2b2c__lead_hist_append(m, r, LEAD_HIST_PACK(now, band,
                                                           stage))) != 0)
        return rc;
    r->stage = (uint8_t)stage;
    r->stage_at = now;
    r->nhist++;
    return b2b2c__lead_write(m, r);
}

int b2b2c_lead_set_stage(b2b2c_lead_model *m, const char *id, int32_t stage,
                         int64_t now)
{
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m, stage_body(m, id, stage, now));
    return rc;
}

typedef struct hist_get {
    b2b2c_lead_model *m;
    int32_t from, to;
    int64_t at;
    int found;
} hist_get;

static int hist_found(const void *v, size_t vl, void *payload)
{
    hist_get *h = payload;
    int32_t band;
    int rc = b2b2c__lead_dec_stage(v, vl, &h->from, &h->to, &h->at, &band);
    if (rc == 0)
        h->found = 1;
    return rc;
}

int b2b2c_lead_stage_history(const b2b2c_lead_model *m, const char *id,
                             b2b2c_lead_stage_cb cb, void *payload)
{
    lead_rec *r;
    char key[B2B2C__ID_MAX + 5];
    int rc = 0;
    if (!(r = b2b2c__lead_enter(m, cb ? NULL : "cb", NULL, id, &rc)))
        return rc;
    if (r == &m->ctmp) /* closed: its changes are in its record */
        return b2b2c__lead_closed_history((b2b2c_lead_model *)m, cb, payload);
    for (uint32_t i = 0; i < r->nhist && rc == 0; i++) {
        hist_get h = {(b2b2c_lead_model *)m, 0, 0, 0, 0};
        b2b2c__lead_hist_key(key, r, i);
        rc = b2b2c__st_get(m->ctx, T_STAGES, key, r->idlen + 5u, hist_found,
                           &h);
        if (rc == 0 && !h.found)
            rc = B2B2C_ECORRUPT;
        if (rc) {
            if (rc == B2B2C_ECORRUPT || rc == B2B2C_EVERSION)
                rc = b2b2c__err_corrupt(m->ctx, rc, T_STAGES, key,
                                        r->idlen + 5u, "stage change %u",
                                        (unsigned)i);
            break;
        }
        b2b2c__cb_enter(m->ctx);
        rc = cb(h.from, h.to, h.at, payload);
        b2b2c__cb_leave(m->ctx);
    }
    return rc;
}
