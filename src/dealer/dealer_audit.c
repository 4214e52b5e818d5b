/* SPDX-License-Identifier: MIT */
/*
 * The audit trail (one entry per decision, linked per lead and per
 * dealer), its queries, and the scorecards and statistics drawn from it.
 */
#include "dealer_int.h"

/* ---- audit trail ------------------------------------------------------ */

void b2b2c__dealer_aud_link(b2b2c_dealer_engine *e, size_t i)
{
    aent *a = &e->aud[i];
    uint32_t *ends = aent_ends(a); /* the lead's afirst, alast */
    a->prev_lead = ends[1];
    a->next_lead = NONE32;
    if (ends[1] != NONE32)
        e->aud[ends[1]].next_lead = (uint32_t)i;
    else
        ends[0] = (uint32_t)i;
    ends[1] = (uint32_t)i;
    a->prev_dealer = a->next_dealer = NONE32;
    if (a->dealer != NONE32) {
        dealer *d = e->dealers[a->dealer];
        a->prev_dealer = d->alast;
        if (d->alast != NONE32)
            e->aud[d->alast].next_dealer = (uint32_t)i;
        else
            d->afirst = (uint32_t)i;
        d->alast = (uint32_t)i;
    }
}

static void undo_aud_append(b2b2c_ctx *ctx, void *ea, void *b, size_t n)
{
    b2b2c_dealer_engine *e = ea;
    aent *a = &e->aud[--e->naud];
    uint32_t *ends = aent_ends(a);
    (void)ctx;
    (void)b;
    (void)n;
    if (a->prev_lead != NONE32)
        e->aud[a->prev_lead].next_lead = NONE32;
    else
        ends[0] = NONE32;
    ends[1] = a->prev_lead;
    if (a->dealer != NONE32) {
        dealer *d = e->dealers[a->dealer];
        if (a->prev_dealer != NONE32)
            e->aud[a->prev_dealer].next_dealer = NONE32;
        else
            d->afirst = NONE32;
        d->alast = a->prev_dealer;
    }
}

/* The slot of the next entry, its append undoable: the caller fills it,
 * then links it (aud_link) and counts it. NULL: out of memory (message
 * set). */
static inline aent *aud_slot(b2b2c_dealer_engine *e)
{
    if (e->naud == e->capaud &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->aud, &e->capaud, e->naud + 1,
                    sizeof(*e->aud))) {
        oom(e->ctx);
        return NULL;
    }
    if (b2b2c__undo_push(e->ctx, undo_aud_append, NULL, e, NULL, 0))
        return NULL;
    return &e->aud[e->naud];
}

/* Append entry x (its links are set here), undoably. */
int b2b2c__dealer_aud_push(b2b2c_dealer_engine *e, const aent *x)
{
    aent *a = aud_slot(e);
    if (!a)
        return e->ctx->errcode;
    *a = *x;
    b2b2c__dealer_aud_link(e, e->naud);
    e->naud++;
    return 0;
}

/* Append a decision (seq = e->m.seq, already advanced) and write it. */
int b2b2c__dealer_aud_append(b2b2c_dealer_engine *e, lead *l,
                             const decision *dc, int64_t now, int kind,
                             int creates)
{
    aent *a = aud_slot(e);
    if (!a)
        return e->ctx->errcode;
    a->seq = e->m.seq;
    a->time = now;
    a->lp = l;
    a->dealer = dc->elig ? dc->chosen : NONE32;
    a->kind = (uint8_t)kind;
    a->policy = (uint8_t)e->param[P_POLICY];
    a->reason = (uint8_t)dc->reason;
    a->owner = (uint8_t)dc->owner;
    a->odealer = dc->odealer;
    a->cand = dc->cand;
    a->elig = dc->elig;
    a->rank = dc->elig ? dc->rank : 0;
    a->weight = dc->elig ? dc->weight : 0.0;
    memcpy(a->skip, dc->skip, sizeof(a->skip));
    b2b2c__dealer_aud_link(e, e->naud);
    e->naud++;
    return b2b2c__dealer_write_audit(e, a, creates);
}

/* ---- audit queries ---------------------------------------------------- */

static void aud_fields(const aent *a, double *f)
{
    f[B2B2C_DEALER_AUDIT_SEQ] = (double)a->seq;
    f[B2B2C_DEALER_AUDIT_TIME] = (double)a->time;
    f[B2B2C_DEALER_AUDIT_KIND] = a->kind;
    f[B2B2C_DEALER_AUDIT_POLICY] = a->policy;
    f[B2B2C_DEALER_AUDIT_CANDIDATES] = a->cand;
    f[B2B2C_DEALER_AUDIT_ELIGIBLE] = a->elig;
    f[B2B2C_DEALER_AUDIT_WEIGHT] = a->weight;
    f[B2B2C_DEALER_AUDIT_RANK] = a->rank;
    f[B2B2C_DEALER_AUDIT_REASON] = a->reason;
    for (int i = 0; i < NSKIP; i++)
        f[B2B2C_DEALER_AUDIT_SKIP_INACTIVE + i] = a->skip[i];
    f[B2B2C_DEALER_AUDIT_OWNER] = a->owner;
    f[B2B2C_DEALER_AUDIT_SERVICE] = aent_service(a);
}

static int aud_walk(b2b2c_dealer_engine *e, uint32_t i, int by_dealer,
                    b2b2c_dealer_audit_cb cb, void *payload)
{
    double f[B2B2C_DEALER_AUDIT_NFIELDS];
    int rc = 0;
    b2b2c__cb_enter(e->ctx); /* the callback may not change the engine */
    while (i != NONE32 && rc == 0) {
        const aent *a = &e->aud[i];
        size_t idn;
        const char *id = aent_id(a, &idn);
        aud_fields(a, f);
        rc = cb(id[0] == '\xff' ? "" : id, /* erased (dealer_erase.c) */
                a->dealer == NONE32 ? NULL : e->dealers[a->dealer]->id, f,
                B2B2C_DEALER_AUDIT_NFIELDS, payload);
        i = by_dealer ? a->next_dealer : a->next_lead;
    }
    b2b2c__cb_leave(e->ctx);
    return rc;
}

int b2b2c_dealer_audit_lead(b2b2c_dealer_engine *e, const char *lead_id,
                            b2b2c_dealer_audit_cb cb, void *payload)
{
    lead *l;
    stub *s;
    size_t n;
    int rc;
    CHECK_E(e);
    if (!cb)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "lead_id", lead_id, &n)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0)
        return rc;
    /* a closed lead's entries kept (its stub, dealer_close.c) come
     * first: a lead routed under its ID since is newer */
    if ((s = b2b2c__map_get(&e->stubs, lead_id, n)) != NULL &&
        (rc = aud_walk(e, s->afirst, 0, cb, payload)) != 0)
        return rc;
    if (!(l = b2b2c__map_get(&e->leads, lead_id, n))) {
        /* a closed lead without entries left: nothing to list */
        int32_t st;
        uint32_t di;
        if (s)
            return 0;
        if ((rc = b2b2c__dealer_closed_get(e, lead_id, n, &st, &di)) != 0)
            return rc < 0 ? rc : 0;
        return b2b2c__dealer_find_lead(e, lead_id, n, &l);
    }
    return aud_walk(e, l->afirst, 0, cb, payload);
}

int b2b2c_dealer_audit_dealer(b2b2c_dealer_engine *e, const char *dealer_id,
                              b2b2c_dealer_audit_cb cb, void *payload)
{
    dealer *d;
    size_t n;
    int rc;
    CHECK_E(e);
    if (!cb)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "dealer_id", dealer_id, &n)) !=
            0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0 ||
        (rc = b2b2c__dealer_find_dealer(e, dealer_id, n, &d)) != 0)
        return rc;
    return aud_walk(e, d->afirst, 1, cb, payload);
}

/* ---- scorecards and statistics ------------------------------------------ */

typedef struct sc_row {
    uint32_t dealer;
    double f[B2B2C_DEALER_SC_NFIELDS];
} sc_row;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_sc(const void *a, const void *b)
{
    const sc_row *x = a, *y = b;
    double mx = x->f[B2B2C_DEALER_SC_CONV_MEAN];
    double my = y->f[B2B2C_DEALER_SC_CONV_MEAN];
    if (mx != my)
        return mx > my ? -1 : 1;
    return x->dealer < y->dealer ? -1 : x->dealer > y->dealer;
}

static double median_sorted(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* What happened to the offer of audit entry a (to dealer a->dealer):
 * O_* of dealer_int.h. Offers are unique per (lead, dealer): a dealer
 * that declined or let a lead expire is never offered it again. */
int b2b2c__dealer_offer_outcome(const aent *a)
{
    const lmut *m = aent_m(a);
    const uint32_t *tried;
    uint32_t nt;
    if (m->dealer == a->dealer && m->state <= B2B2C_DEALER_LEAD_RECALLED) {
        switch (m->state) {
        case B2B2C_DEALER_LEAD_OFFERED: return O_OPEN;
        case B2B2C_DEALER_LEAD_ACCEPTED: return O_ACCEPTED;
        case B2B2C_DEALER_LEAD_WON: return O_WON;
        case B2B2C_DEALER_LEAD_LOST: return O_LOST;
        default: return O_RECALLED;
        }
    }
    tried = aent_tried(a, &nt);
    for (uint32_t i = 0; i < nt; i++)
        if ((tried[i] & ~TRIED_EXPIRED) == a->dealer)
            return (tried[i] & TRIED_EXPIRED) ? O_EXPIRED : O_DECLINED;
    return O_RECALLED;
}

/* Tally the offers of dealer d with from <= time < to into f[], collecting
 * accept times (hours) into *times (grown as needed). */
static int tally(b2b2c_dealer_engine *e, const dealer *d, int64_t from,
                 int64_t to, double *f, double **times, size_t *cap,
                 size_t *nt)
{
    *nt = 0;
    for (uint32_t i = d->afirst; i != NONE32; i = e->aud[i].next_dealer) {
        const aent *a = &e->aud[i];
        const lmut *m = aent_m(a);
        int o;
        if (a->time < from || a->time >= to)
            continue;
        o = b2b2c__dealer_offer_outcome(a);
        f[B2B2C_DEALER_SC_OFFERED]++;
        if (o == O_ACCEPTED || o == O_WON || o == O_LOST ||
            (o == O_RECALLED && m->accepted_at && m->dealer == a->dealer)) {
            f[B2B2C_DEALER_SC_ACCEPTED]++;
            if (*nt == *cap &&
                b2b2c__grow(&e->ctx->mem, (void **)times, cap, *nt + 1,
                            sizeof(double)))
                return oom(e->ctx);
            (*times)[(*nt)++] =
                (double)(m->accepted_at - m->offered_at) /
                3600.0;
        }
        if (o == O_WON) {
            f[B2B2C_DEALER_SC_WON]++;
            f[B2B2C_DEALER_SC_REVENUE] += m->revenue;
        }
        f[B2B2C_DEALER_SC_OWNER_KEPT] += a->owner == B2B2C_DEALER_OWNER_CHOSEN;
        f[B2B2C_DEALER_SC_SERVICE_JOBS] += aent_service(a) != 0;
        f[B2B2C_DEALER_SC_LOST] += o == O_LOST;
        f[B2B2C_DEALER_SC_DECLINED] += o == O_DECLINED;
        f[B2B2C_DEALER_SC_EXPIRED] += o == O_EXPIRED;
    }
    sort(*times, *nt, sizeof(double), cmp_double);
    f[B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS] = median_sorted(*times, *nt);
    return 0;
}

int b2b2c_dealer_stats(double *out, size_t n, b2b2c_dealer_engine *e,
                       const char *dealer_id)
{
    double f[B2B2C_DEALER_STAT_NFIELDS], sc[B2B2C_DEALER_SC_NFIELDS];
    double *times = NULL, a, b;
    size_t cap = 0, nt, dn;
    dealer *d;
    int rc;
    CHECK_E(e);
    if (!out)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "out: must not be NULL");
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "dealer_id", dealer_id, &dn)) !=
            0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0 ||
        (rc = b2b2c__dealer_find_dealer(e, dealer_id, dn, &d)) != 0)
        return rc;
    memset(sc, 0, sizeof sc);
    rc = tally(e, d, INT64_MIN, INT64_MAX, sc, &times, &cap, &nt);
    b2b2c__free(e->ctx, times);
    if (rc)
        return rc;
    f[B2B2C_DEALER_STAT_OFFERED] = (double)d->st.offered;
    f[B2B2C_DEALER_STAT_ACCEPTED] = (double)d->st.accepted;
    f[B2B2C_DEALER_STAT_DECLINED] = (double)d->st.declined;
    f[B2B2C_DEALER_STAT_EXPIRED] = (double)d->st.expired;
    f[B2B2C_DEALER_STAT_WON] = (double)d->st.won;
    f[B2B2C_DEALER_STAT_LOST] = (double)d->st.lost;
    f[B2B2C_DEALER_STAT_RECALLED] = (double)d->st.recalled;
    f[B2B2C_DEALER_STAT_OPEN] = (double)d->st.open;
    f[B2B2C_DEALER_STAT_REVENUE] = d->st.revenue;
    f[B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS] =
        sc[B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS];
    posterior(e, d, net_p0(e), &a, &b);
    f[B2B2C_DEALER_STAT_POSTERIOR_MEAN] = a / (a + b);
    for (int i = 0; i < NDECL; i++)
        f[B2B2C_DEALER_STAT_DECLINE_REASON0 + i] = (double)d->st.decl[i];
    memcpy(out, f,
           (n < B2B2C_DEALER_STAT_NFIELDS ? n : B2B2C_DEALER_STAT_NFIELDS) *
               sizeof(double));
    return 0;
}

int b2b2c_dealer_scorecards(b2b2c_dealer_engine *e, int64_t from, int64_t to,
                            b2b2c_dealer_scorecard_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    sc_row *rows = NULL;
    double(*rg)[4] = NULL; /* registrations by dealer (dealer_reg.c) */
    double *times = NULL, *means = NULL, tot_off = 0, tot_won = 0,
           tot_res = 0, p0, m, level, med;
    size_t cap = 0, nt, nr = 0;
    int rc = 0;
    CHECK_E(e);
    ctx = e->ctx;
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if (from > to)
        return b2b2c__err(ctx, B2B2C_EINVAL, "from: after to");
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    rows = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*rows));
    means = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*means));
    rg = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*rg));
    if (!rows || !means || !rg) {
        rc = oom(ctx);
        goto out;
    }
    memset(rg, 0, (e->nd ? e->nd : 1) * sizeof(*rg));
    b2b2c__dealer_reg_tally(e, from, to, rg);
    /* the customers' leads each owner lost in the period (the decisions
     * that skipped it), counted into means by dealer number first */
    memset(means, 0, (e->nd ? e->nd : 1) * sizeof(*means));
    for (size_t i = e->abase; i < e->naud; i++) {
        const aent *a = &e->aud[i];
        if (a->lp && a->odealer != NONE32 && a->time >= from &&
            a->time < to)
            means[a->odealer]++;
    }
    for (size_t i = 0; i < e->nd; i++) {
        sc_row *r = &rows[nr];
        memset(r, 0, sizeof(*r));
        r->dealer = (uint32_t)i;
        if ((rc = tally(e, e->dealers[i], from, to, r->f, &times, &cap,
                        &nt)) != 0)
            goto out;
        for (int j = 0; j < 4; j++)
            r->f[B2B2C_DEALER_SC_REG_SUBMITTED + j] = rg[i][j];
        r->f[B2B2C_DEALER_SC_OWNER_LOST] = means[i];
        if (r->f[B2B2C_DEALER_SC_OFFERED] == 0 &&
            r->f[B2B2C_DEALER_SC_REG_SUBMITTED] == 0 &&
            r->f[B2B2C_DEALER_SC_OWNER_LOST] == 0)
            continue;
        tot_off += r->f[B2B2C_DEALER_SC_OFFERED];
        tot_won += r->f[B2B2C_DEALER_SC_WON];
        tot_res += r->f[B2B2C_DEALER_SC_WON] + r->f[B2B2C_DEALER_SC_LOST] +
                   r->f[B2B2C_DEALER_SC_DECLINED] +
                   r->f[B2B2C_DEALER_SC_EXPIRED];
        nr++;
    }
    /* the cohort's network rate is the prior mean (Laplace-smoothed) */
    p0 = (tot_won + 1.0) / (tot_res + 2.0);
    m = e->param[P_PRIOR];
    level = e->param[P_LEVEL];
    for (size_t i = 0; i < nr; i++) {
        double *f = rows[i].f;
        double won = f[B2B2C_DEALER_SC_WON];
        double res = won + f[B2B2C_DEALER_SC_LOST] +
                     f[B2B2C_DEALER_SC_DECLINED] + f[B2B2C_DEALER_SC_EXPIRED];
        /* Gelman et al. 2013 (BDA3), sec. 2.4: Beta(m p0 + y, m (1-p0) +
         * n - y); equal-tailed interval from the Beta quantiles. */
        double a = m * p0 + won, b = m * (1.0 - p0) + (res - won);
        /* a dealer with registrations only: no rate, no share */
        f[B2B2C_DEALER_SC_ACCEPT_RATE] =
            f[B2B2C_DEALER_SC_OFFERED] > 0
                ? f[B2B2C_DEALER_SC_ACCEPTED] / f[B2B2C_DEALER_SC_OFFERED]
                : NAN;
        f[B2B2C_DEALER_SC_CONVERSION] = res > 0 ? won / res : NAN;
        f[B2B2C_DEALER_SC_CONV_MEAN] = a / (a + b);
        f[B2B2C_DEALER_SC_CONV_LOW] = b2b2c__betaq((1 - level) / 2, a, b);
        f[B2B2C_DEALER_SC_CONV_HIGH] = b2b2c__betaq((1 + level) / 2, a, b);
        /* a row of an owner that only lost leads: NaN rate, share 0 */
        f[B2B2C_DEALER_SC_SHARE_LEADS] =
            tot_off > 0 ? f[B2B2C_DEALER_SC_OFFERED] / tot_off : 0;
        f[B2B2C_DEALER_SC_SHARE_WON] = tot_won > 0 ? won / tot_won : 0;
        means[i] = f[B2B2C_DEALER_SC_CONV_MEAN];
    }
    sort(means, nr, sizeof(double), cmp_double);
    med = median_sorted(means, nr);
    sort(rows, nr, sizeof(*rows), cmp_sc);
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < nr && rc == 0; i++) {
        rows[i].f[B2B2C_DEALER_SC_RANK] = (double)(i + 1);
        rows[i].f[B2B2C_DEALER_SC_GAP_TO_MEDIAN] =
            rows[i].f[B2B2C_DEALER_SC_CONV_MEAN] - med;
        rc = cb(e->dealers[rows[i].dealer]->id, rows[i].f,
                B2B2C_DEALER_SC_NFIELDS, payload);
    }
    b2b2c__cb_leave(ctx);
out:
    b2b2c__free(ctx, rows);
    b2b2c__free(ctx, means);
    b2b2c__free(ctx, rg);
    b2b2c__free(ctx, times);
    return rc;
}

