/* SPDX-License-Identifier: MIT */
/* Removing a lead (also the repair of a lead stored with a poisoned time). */
#include "lead_internal.h"

/*
 * Leads live densely in chunks (index 0..nleads-1, see
 * b2b2c__lead_slot), so the last lead moves into the removed one's slot.
 * The index keys point into the records (short IDs live in sid), so both
 * keys leave the index before either slot changes and the moved one comes
 * back under its new address.
 * Undo runs newest first: the insert is taken out, the two slots get their
 * bytes back, and only then are the old keys re-hashed and put back, from
 * the restored bytes.
 */
int b2b2c__lead_unlink(b2b2c_lead_model *m, lead_rec *r)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_rec *last = lead_at(m, m->nleads - 1);
    int rc;

    if ((rc = b2b2c__map_remove_undoable(ctx, &m->leads, r->id, r->idlen)) ||
        (last != r && (rc = b2b2c__map_remove_undoable(
                           ctx, &m->leads, last->id, last->idlen)) != 0) ||
        (rc = b2b2c__undo_save(ctx, r, sizeof(*r))) != 0 ||
        (rc = b2b2c__undo_save(ctx, last, sizeof(*last))) != 0 ||
        (rc = b2b2c__undo_save(ctx, &m->nleads, sizeof(m->nleads))) != 0 ||
        (r->ks && (rc = b2b2c__undo_free_on_commit(ctx, r->ks)) != 0) ||
        (r->late && (rc = b2b2c__undo_free_on_commit(ctx, r->late)) != 0) ||
        (r->id != r->sid && (rc = b2b2c__undo_free_on_commit(ctx, r->id))))
        return rc;
    b2b2c__lead_hist_drop(m); /* the last lead moves: read histories again */
    if (last != r) {
        uint32_t idx1 = r->idx1;
        b2b2c__lead_sweep_moved(m, idx1 ? (size_t)idx1 - 1 : 0);
        memcpy(r, last, sizeof(*r));
        r->idx1 = idx1;
        if (last->id == last->sid)
            r->id = r->sid;
        if ((rc = b2b2c__map_insert_undoable(ctx, &m->leads, r->id, r->idlen,
                                             r)) != 0)
            return rc;
    }
    m->nleads--;
    return 0;
}

/* Removal; an erasure (issue 20) also makes the change log forget the
 * lead's keys. */
static int remove_body(b2b2c_lead_model *m, const char *id, int erase)
{
    b2b2c_ctx *ctx = m->ctx;
    char key[B2B2C__ID_MAX + 5];
    lead_rec *r;
    int rc = 0;

    if (!(r = b2b2c__lead_find(m, id, &rc))) {
        if (rc != B2B2C_ESTATE) /* else closed (lead_close.c) */
            return rc;
        b2b2c__err_clear(ctx);
        if ((rc = b2b2c__lead_closed_remove(m, id, strlen(id))) != 0)
            return rc;
        if (erase)
            b2b2c__sync_forget(ctx);
        return 0;
    }
    for (uint32_t i = 0; i < r->nhist && rc == 0; i++) {
        b2b2c__lead_hist_key(key, r, i);
        rc = b2b2c__st_del(ctx, T_STAGES, key, r->idlen + 5u);
    }
    if (rc || (rc = b2b2c__st_del(ctx, T_LEADS, r->id, r->idlen)) != 0 ||
        (rc = b2b2c__lead_unlink(m, r)) != 0)
        return rc;
    if (erase)
        b2b2c__sync_forget(ctx);
    return 0;
}

static int remove_call(b2b2c_lead_model *m, const char *id, int erase)
{
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m, remove_body(m, id, erase));
    return rc;
}

int b2b2c_lead_remove(b2b2c_lead_model *m, const char *id)
{
    return remove_call(m, id, 0);
}

int b2b2c__lead_erase_op(void *h, const char *id, size_t n)
{
    (void)n;
    return remove_body(h, id, 1);
}

int b2b2c_lead_erase(b2b2c_lead_model *m, const char *id)
{
    return remove_call(m, id, 1);
}
