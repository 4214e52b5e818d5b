/* SPDX-License-Identifier: MIT */
/*
 * Off-boarding (issue 20, docs/dealer-allocation.md "Off-boarding"): the
 * dealer's status becomes OFFBOARDED and every lead it holds, offered or
 * accepted and not closed, is recalled from it and re-routed at `now`,
 * one decision of kind B2B2C_DEALER_KIND_OFFBOARD each, in the order the
 * dealer was given them. The leads are found through the dealer's audit
 * list (every offer to it has an entry there), so the cost is one step
 * per decision that chose the dealer, plus a decision per lead re-routed.
 */
#include "dealer_int.h"

static int offboard_body(b2b2c_dealer_engine *e, const char *dealer_id,
                         size_t n, int64_t now)
{
    b2b2c_ctx *ctx = e->ctx;
    dealer *d;
    int rc;
    e->nex = 0;
    if ((rc = b2b2c__dealer_find_dealer(e, dealer_id, n, &d)) != 0)
        return rc;
    if (d->cfg.status != B2B2C_DEALER_OFFBOARDED) {
        if ((rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
            (rc = b2b2c__undo_save(ctx, &d->cfg, sizeof(d->cfg))) != 0)
            return rc;
        d->cfg.status = B2B2C_DEALER_OFFBOARDED;
        d->cfg.paused_until = 0;
        b2b2c__dealer_mirror_sync(e, d);
        if ((rc = b2b2c__dealer_write_dealer(e, d)) != 0)
            return rc;
    }
    if (d->st.open && (rc = b2b2c__dealer_save_emut(e)) != 0)
        return rc;
    /* an index, not a pointer: re-routing appends to e->aud (to other
     * dealers' lists, never to d's: it is not eligible any more) */
    for (uint32_t i = d->afirst; i != NONE32 && d->st.open;
         i = e->aud[i].next_dealer) {
        lead *l = aent_lead(&e->aud[i]); /* NULL: closed, resolved */
        decision dc;
        if (!l || l->m.dealer != d->idx ||
            (l->m.state != B2B2C_DEALER_LEAD_OFFERED &&
             l->m.state != B2B2C_DEALER_LEAD_ACCEPTED))
            continue;
        if ((rc = b2b2c__check_not_before(ctx, now, "now",
                                          l->m.accepted_at > l->m.offered_at
                                              ? l->m.accepted_at
                                              : l->m.offered_at,
                                          "the offer of lead", l->id)) != 0)
            return rc;
        if (e->nex == e->capex &&
            b2b2c__grow(&ctx->mem, (void **)&e->ex, &e->capex, e->nex + 1,
                        sizeof(*e->ex)))
            return oom(ctx);
        if ((rc = b2b2c__dealer_recall_offer(e, l, now)) != 0 ||
            (rc = b2b2c__dealer_reroute(e, l, now, B2B2C_DEALER_KIND_OFFBOARD,
                                        &dc)) != 0 ||
            (rc = b2b2c__dealer_write_lead(e, l)) != 0)
            return rc;
        e->ex[e->nex].l = l;
        e->ex[e->nex].from = d->idx;
        e->ex[e->nex].to = dc.elig ? dc.chosen : NONE32;
        e->ex[e->nex].reason = dc.reason;
        e->nex++;
    }
    return 0;
}

int b2b2c_dealer_offboard(size_t *count_out, b2b2c_dealer_engine *e,
                          const char *dealer_id, int64_t now,
                          b2b2c_dealer_reroute_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    size_t n;
    int rc;
    CHECK_E(e);
    ctx = e->ctx;
    if ((rc = check_now(ctx, now)) != 0 ||
        (rc = b2b2c__dealer_id_arg(ctx, "dealer_id", dealer_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, ctx, e, offboard_body(e, dealer_id, n, now));
    if (rc)
        return rc;
    if (cb) {
        /* committed; callbacks may not call mutating functions */
        b2b2c__cb_enter(ctx);
        for (size_t i = 0; i < e->nex && rc == 0; i++) {
            const expiry *x = &e->ex[i];
            rc = cb(x->l->id, e->dealers[x->from]->id,
                    x->to == NONE32 ? NULL : e->dealers[x->to]->id, x->reason,
                    userdata);
        }
        b2b2c__cb_leave(ctx);
    }
    if (rc == 0 && count_out)
        *count_out = e->nex;
    return rc;
}
