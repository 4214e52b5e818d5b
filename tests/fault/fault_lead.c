/* SPDX-License-Identifier: MIT */
/* The lead model's fault tests' common state and digest (fault_lead.h). */
#include <stdio.h>
#include <string.h>

#include "fault_lead.h"

uint64_t lf_mix(uint64_t d, const void *p, size_t n)
{
    return d * 0x100000001b3ULL ^ b2b2c__hash(p, n);
}

uint64_t lf_digest_of(const b2b2c_lead_model *m, int unordered)
{
    uint64_t d = 1469598103934665603ULL, sum = 0;
    d = lf_mix(d, m->params, sizeof(m->params));
    d = lf_mix(d, &m->nkinds, sizeof(m->nkinds));
    for (uint32_t k = 0; k < m->nkinds; k++)
        d = lf_mix(d, &m->kinds[k], sizeof(lead_kind));
    d = lf_mix(d, m->seg_points, sizeof(m->seg_points));
    d = lf_mix(d, m->seg_w, sizeof(m->seg_w));
    d = lf_mix(d, &m->bias, sizeof(m->bias));
    d = lf_mix(d, &m->rng, sizeof(m->rng));
    d = lf_mix(d, &m->nattrs, sizeof(m->nattrs));
    for (size_t i = 0; i < m->nattrs; i++) {
        const lead_attr *a = m->attrs[i];
        d = lf_mix(d, &a->points, sizeof(double));
        d = lf_mix(d, &a->w, sizeof(double));
        d = lf_mix(d, a->key, a->klen);
    }
    d = lf_mix(d, &m->nleads, sizeof(m->nleads));
    d = lf_mix(d, &m->leads.count, sizeof(size_t));
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        lead_rec c = *r;
        uint64_t h = unordered ? 7 : d;
        c.ks = NULL;
        c.id = NULL;
        c.late = NULL;
        c.capk = 0; /* capacity, not state */
        if (unordered)
            c.idx1 = 0;
        h = lf_mix(h, &c, sizeof(c));
        h = lf_mix(h, r->id, r->idlen);
        h = lf_mix(h, r->ks, r->nk * sizeof(lead_ks));
        if (r->late) /* zeroed when made: padding included */
            h = lf_mix(h, r->late, lead_late_size(r->late->nk, r->late->n));
        if (b2b2c__map_get(&m->leads, r->id, r->idlen) != r)
            h ^= 0xdead;
        if (unordered)
            sum += h;
        else
            d = h;
    }
    d = lf_mix(d, &sum, sizeof(sum));
    d = lf_mix(d, &m->nrows, sizeof(m->nrows));
    d = lf_mix(d, &m->nwon, sizeof(m->nwon));
    d = lf_mix(d, &m->nclosed, sizeof(m->nclosed));
    if (!unordered)
        d = lf_mix(d, &m->close_at, sizeof(m->close_at));
    for (size_t i = 0; i < m->nrows; i++) { /* field by field: padding */
        const lead_row *w = m->rows[i];
        uint32_t h[6] = {w->label, w->segment, w->nk, w->chan, w->region,
                         w->prod};
        d = lf_mix(d, h, sizeof(h));
        for (uint32_t k = 0; k < w->nk; k++) {
            d = lf_mix(d, &w->f[k].kind, sizeof(uint32_t));
            d = lf_mix(d, &w->f[k].cnt, 2 * sizeof(double));
        }
    }
    return d;
}

uint64_t lf_digest(const b2b2c_lead_model *m)
{
    return lf_digest_of(m, 0);
}

int lf_setup(th_env *env, void **state)
{
    b2b2c_lead_model *m;
    int rc = b2b2c_lead_model_new(&m, env->ctx);
    int32_t kind;
    if (rc)
        return rc;
    *state = m;
    if ((rc = b2b2c_lead_model_set_param(m, B2B2C_LEAD_MIN_OUTCOMES, 4)) ||
        (rc = b2b2c_lead_model_set_param(m, B2B2C_LEAD_REFIT_EPOCHS, 3)) ||
        (rc = b2b2c_lead_add_kind(&kind, m, "trade_show")) ||
        (rc = b2b2c_lead_kind_set(m, kind, 8, 1, 0, 0)) ||
        (rc = b2b2c_lead_attr_points_set(m, B2B2C_LEAD_ATTR_REGION, "north",
                                         2)))
        return rc;
    for (int i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof(id), "L%d", i);
        if ((rc = b2b2c_lead_add(m, id, T0, i % 6, i % 2 ? "search" : NULL,
                                 "north", "pumps")) ||
            (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                   T0 + i, 1.0)) ||
            (rc = b2b2c_lead_event(m, id, kind, T0 + 10 + i, 0)) ||
            (rc = b2b2c_lead_outcome(m, id, i % 2, T0 + DAY)))
            return rc;
    }
    return b2b2c_lead_set_stage(m, "L0", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 5);
}

void lf_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_lead_model_free(state);
}

uint64_t lf_dig(th_env *env, void *state)
{
    (void)env;
    return lf_digest(state);
}

int lf_funnel_row(const char *group, int32_t stage, const double *f,
                      size_t n, void *ud)
{
    uint64_t *d = ud;
    *d = lf_mix(*d, group, strlen(group));
    *d = lf_mix(*d, &stage, sizeof(stage));
    *d = lf_mix(*d, f, n * sizeof(double));
    return 0;
}
