/* SPDX-License-Identifier: MIT */
/*
 * The forecaster on a database other contexts write too (core/sync.c,
 * docs/storage.md): another context's commit hands each changed key here,
 * with its value, and the in-memory state is made to match it under undo
 * entries (the call that synced may still fail).
 *
 * A customer is several records: one per purchase (key ID, 0, sequence),
 * its fold (the purchases before a sequence number, folded: memory holds
 * the later ones, slot = sequence - the fold's count) and its
 * cancellation. Keys arrive one at a time and in no promised
 * order across tables, so a customer can pass through states no commit
 * ever had (a cancellation before the purchases that explain it, a
 * deleted purchase in the middle of the log). The purchase array is kept
 * indexed by sequence, a slot not yet filled or deleted is a hole, and
 * refresh_done checks and completes every customer touched: no hole left
 * (else the store lost a record: B2B2C_ECORRUPT), no purchase left (the
 * customer was removed), the segment of the latest purchase. Cost: the
 * keys that changed, and the touched customers' logs in refresh_done.
 */
#include "forecast/fc_state.h"

/* kind of a purchase slot that holds no purchase yet (valid kinds are at
 * most B2B2C_FORECAST_KIND_MAX) */
#define FC_HOLE UINT32_MAX
/* Keys arrive in key order (core sorts them), so a purchase comes right
 * after the last one; a far jump is a damaged record, not a reason to
 * allocate billions of holes. */
#define FC_MAX_JUMP ((size_t)1 << 20)

/* ---- undo of one purchase slot ------------------------------------------- */

/* The slot is saved by index, not address: the array may be reallocated
 * by a later refresh of the same customer before an undo runs. */
typedef struct slot_save {
    size_t i;
    fc_purchase p;
} slot_save;

static void undo_slot(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    fc_cust *c = a;
    const slot_save *s = b2b2c__undo_arena_pop(ctx, n);
    (void)b;
    c->p[s->i] = s->p;
}

static int save_slot(b2b2c_ctx *ctx, fc_cust *c, size_t i)
{
    slot_save *s = b2b2c__undo_arena(ctx, undo_slot, c, NULL, sizeof(*s));
    if (!s)
        return B2B2C_ENOMEM;
    s->i = i;
    s->p = c->p[i];
    return 0;
}

/* ---- customers touched by the sync under way ------------------------------ */

static int mark_dirty(b2b2c_forecaster *f, fc_cust *c)
{
    b2b2c_ctx *ctx = f->ctx;
    if (f->ndirty && f->dirty[f->ndirty - 1] == c)
        return 0; /* a customer's keys arrive together */
    if (f->ndirty == f->capdirty &&
        b2b2c__grow(&ctx->mem, (void **)&f->dirty, &f->capdirty,
                    f->ndirty + 1, sizeof(*f->dirty)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    /* the list empties again if the sync fails */
    if (b2b2c__undo_save(ctx, &f->ndirty, sizeof(f->ndirty)))
        return B2B2C_ENOMEM;
    f->dirty[f->ndirty++] = c;
    return 0;
}

/* The customer `id` (idl bytes), created without purchases when absent
 * and `create`; *out NULL when absent and not created. */
static int touch(fc_cust **out, b2b2c_forecaster *f, const void *id,
                 size_t idl, int create)
{
    int rc;
    *out = b2b2c__map_get(&f->cust, id, idl);
    if (!*out) {
        if (!create)
            return 0;
        if ((rc = b2b2c__fc_cust_create(out, f, id, idl)) != 0)
            return rc;
    }
    return mark_dirty(f, *out);
}

/* ---- one key ------------------------------------------------------------- */

static int refresh_purchase(b2b2c_forecaster *f, const void *k, size_t kl,
                            const void *val, size_t vl)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_purchase p;
    fc_cust *c;
    size_t idl, s;
    int rc;

    if ((rc = b2b2c__fc_dec_purchase(ctx, k, kl, val, vl, &idl, &p)) != 0 ||
        (rc = touch(&c, f, k, idl, val != NULL)) != 0 || !c)
        return rc;
    if (p.seq < fc_base(c)) {
        if (!val)
            return 0; /* folded: gone from memory already */
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_PUR, k, idl,
                                  "purchase %u is folded",
                                  (unsigned)p.seq);
    }
    s = p.seq - fc_base(c); /* the slot: memory starts at the fold */
    if (val && s < c->n) { /* a replaced purchase, or the same again */
        if (memcmp(&c->p[s], &p, sizeof(p)) == 0)
            return 0;
        if ((rc = save_slot(ctx, c, s)) != 0)
            return rc;
        c->p[s] = p;
    } else if (val) { /* beyond the end: holes up to it */
        if (s - c->n > FC_MAX_JUMP)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_PUR, k, idl,
                                      "purchase %zu follows %zu",
                                      s, c->n);
        if (b2b2c__grow(&ctx->mem, (void **)&c->p, &c->cap, s + 1,
                        sizeof(fc_purchase)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_save(ctx, &c->n, sizeof(c->n))) != 0)
            return rc;
        for (size_t i = c->n; i < s; i++) {
            memset(&c->p[i], 0, sizeof(c->p[i]));
            c->p[i].kind = FC_HOLE;
            c->p[i].seq = (uint32_t)(fc_base(c) + i);
        }
        c->p[s] = p;
        c->n = s + 1;
    } else if (s + 1 == c->n) { /* the last one: the log gets shorter */
        if ((rc = b2b2c__undo_save(ctx, &c->n, sizeof(c->n))) != 0)
            return rc;
        c->n--;
        while (c->n && c->p[c->n - 1].kind == FC_HOLE)
            c->n--;
    } else if (s < c->n && c->p[s].kind != FC_HOLE) {
        if ((rc = save_slot(ctx, c, s)) != 0)
            return rc;
        c->p[s].kind = FC_HOLE;
    }
    return 0;
}

/* A fold written (a host folded: the fold grew, its purchases deleted in
 * the same commit) or deleted (the customer removed). Core hands keys
 * over sorted by table name length, then name, then key (sync.c, chcmp):
 * forecast_fold's come before forecast_purchase's, so the log is re-based
 * here first and the purchase keys then index it by sequence - the new
 * fold's count (deletions of folded sequence numbers ignored). */
static int refresh_fold(b2b2c_forecaster *f, const void *k, size_t kl,
                        const void *val, size_t vl)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_folded *fd = NULL;
    fc_cust *c;
    size_t ob, nb;
    int rc;

    if (val && (rc = b2b2c__fc_dec_fold(ctx, k, kl, val, vl, &fd)) != 0)
        return rc;
    if ((rc = touch(&c, f, k, kl, val != NULL)) != 0 || !c) {
        b2b2c__free(ctx, fd);
        return rc;
    }
    if (fd && c->fold &&
        b2b2c__fc_folded_size(fd->nsvc, fd->ngap) ==
            b2b2c__fc_folded_size(c->fold->nsvc, c->fold->ngap) &&
        memcmp(fd, c->fold, b2b2c__fc_folded_size(fd->nsvc, fd->ngap)) ==
            0) {
        b2b2c__free(ctx, fd);
        return 0;
    }
    ob = fc_base(c);
    nb = fd ? (size_t)fd->fo.count : 0;
    /* grown: the slots of sequence ob..nb-1 leave the front, those kept
     * are the same purchases (any that changed since are in this sync's
     * purchase keys, which come after this one); smaller or deleted: the
     * customer was removed (and maybe recorded and folded again), every
     * purchase record it has now is in this sync, so memory starts
     * empty */
    if ((rc = b2b2c__fc_drop_front(ctx, c, nb >= ob ? nb - ob : c->n))) {
        b2b2c__free(ctx, fd);
        return rc;
    }
    return b2b2c__fc_set_fold(ctx, c, fd);
}

static int refresh_cancel(b2b2c_forecaster *f, const void *k, size_t kl,
                          const void *val, size_t vl)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_cust *c;
    int64_t t = 0;
    int rc, has = val != NULL;

    if ((val && (rc = b2b2c__fc_dec_cancel(ctx, k, kl, val, vl, &t)) != 0) ||
        (rc = touch(&c, f, k, kl, has)) != 0 || !c)
        return rc;
    if (c->has_cancel == has && c->cancel == t)
        return 0;
    if ((rc = b2b2c__undo_save(ctx, &c->has_cancel, sizeof(c->has_cancel))) ||
        (rc = b2b2c__undo_save(ctx, &c->cancel, sizeof(c->cancel))))
        return rc;
    c->has_cancel = has;
    c->cancel = t; /* 0 without one, as a fresh load has it */
    return 0;
}

/* Free every slot holding the kind named k (kl bytes) but `keep`. */
static int drop_kind(b2b2c_forecaster *f, const void *k, size_t kl, int keep)
{
    int rc;
    for (int i = B2B2C_FORECAST_KIND_HOST_FIRST; i <= B2B2C_FORECAST_KIND_MAX;
         i++)
        if (i != keep && strlen(f->kinds[i]) == kl &&
            memcmp(f->kinds[i], k, kl) == 0) {
            if ((rc = b2b2c__undo_save(f->ctx, f->kinds[i],
                                       sizeof(f->kinds[i]))) != 0)
                return rc;
            memset(f->kinds[i], 0, sizeof(f->kinds[i]));
        }
    return 0;
}

/* A kind's record is keyed by its name: one name, one slot. This library
 * never deletes or moves a kind; another slot holding the name is freed
 * all the same, so memory is what a fresh open would load. */
static int refresh_kind(b2b2c_forecaster *f, const void *k, size_t kl,
                        const void *val, size_t vl)
{
    b2b2c_ctx *ctx = f->ctx;
    uint32_t slot = 0;
    int rc;

    if (!val)
        return drop_kind(f, k, kl, -1);
    if ((rc = b2b2c__fc_dec_kind(ctx, k, kl, val, vl, &slot)) != 0 ||
        (rc = drop_kind(f, k, kl, (int)slot)) != 0)
        return rc;
    if (strlen(f->kinds[slot]) == kl && memcmp(f->kinds[slot], k, kl) == 0)
        return 0;
    if (f->kinds[slot][0]) /* another name's slot: not renamed, damaged */
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_KIND, k, kl,
                                  "slot %u already holds kind '%s'",
                                  (unsigned)slot, f->kinds[slot]);
    if ((rc = b2b2c__undo_save(ctx, f->kinds[slot], sizeof(f->kinds[slot]))))
        return rc;
    memcpy(f->kinds[slot], k, kl);
    f->kinds[slot][kl] = '\0';
    return 0;
}

static int refresh_fit(b2b2c_forecaster *f, const void *k, size_t kl,
                       const void *val, size_t vl)
{
    fc_fit ft;
    int idx, rc = b2b2c__fc_dec_fit(f->ctx, k, kl, val, vl, &idx, &ft);
    if (rc || memcmp(&f->fits[idx], &ft, sizeof(ft)) == 0)
        return rc;
    if ((rc = b2b2c__undo_save(f->ctx, &f->fits[idx], sizeof(ft))) == 0)
        memcpy(&f->fits[idx], &ft, sizeof(ft));
    return rc;
}

static int fc_refresh(void *h, const char *table, const void *key,
                      size_t klen, const void *val, size_t vlen)
{
    b2b2c_forecaster *f = h;
    if (strcmp(table, FC_T_PUR) == 0)
        return refresh_purchase(f, key, klen, val, vlen);
    if (strcmp(table, FC_T_CAN) == 0)
        return refresh_cancel(f, key, klen, val, vlen);
    if (strcmp(table, FC_T_FOLD) == 0)
        return refresh_fold(f, key, klen, val, vlen);
    if (strcmp(table, FC_T_FIT) == 0)
        return refresh_fit(f, key, klen, val, vlen);
    if (strcmp(table, FC_T_KIND) == 0)
        return refresh_kind(f, key, klen, val, vlen);
    if (strcmp(table, FC_T_CONF) == 0)
        return b2b2c__fc_refresh_params(f, key, klen, val, vlen);
    return b2b2c__err_corrupt(f->ctx, B2B2C_ECORRUPT, table, key, klen,
                              "not a table of the forecaster");
}

/* ---- after the keys ------------------------------------------------------- */

/* Check and complete one touched customer (see the top of the file). */
static int settle(b2b2c_forecaster *f, fc_cust *c)
{
    b2b2c_ctx *ctx = f->ctx;
    int32_t seg;
    if (b2b2c__map_get(&f->cust, c->id, c->idlen) != c)
        return 0; /* listed twice and dropped already */
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].kind == FC_HOLE)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_PUR, c->id,
                                      c->idlen, "purchase %zu missing", i);
    if (c->n == 0 && !c->fold) {
        if (c->has_cancel)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_CAN, c->id,
                                      c->idlen,
                                      "a cancellation without purchases");
        return b2b2c__fc_cust_drop(f, c); /* removed */
    }
    for (size_t i = 0; c->fold && i < c->n; i++)
        if (c->p[i].time < c->fold->fo.before)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_PUR, c->id,
                                      c->idlen,
                                      "purchase %u before the fold",
                                      (unsigned)c->p[i].seq);
    seg = c->n ? c->p[c->n - 1].segment : c->fold->segment;
    if (c->segment != seg) {
        if (b2b2c__undo_save(ctx, &c->segment, sizeof(c->segment)))
            return B2B2C_ENOMEM;
        c->segment = seg;
    }
    return 0;
}

static int fc_refresh_done(void *h)
{
    b2b2c_forecaster *f = h;
    int rc = 0;
    for (size_t i = 0; i < f->ndirty && rc == 0; i++)
        rc = settle(f, f->dirty[i]);
    /* (the first mark_dirty saved 0: a failure from here on empties the
     * list too) */
    f->ndirty = 0;
    return rc;
}

/* Rebuild from storage aside, then swap: on failure f is as it was.
 * Everything the forecaster holds is stored, so nothing is carried over
 * but the handle's identity. */
static int fc_reload(void *h)
{
    b2b2c_forecaster *f = h, fresh;
    int rc;

    b2b2c__fc_init(&fresh, f->ctx);
    if ((rc = b2b2c__fc_load(&fresh)) != 0) {
        b2b2c__fc_clear(&fresh);
        return rc;
    }
    b2b2c__fc_clear(f);
    fresh.dirty = f->dirty;
    fresh.capdirty = f->capdirty;
    fresh.ndirty = 0;
    memcpy(f, &fresh, sizeof(fresh));
    return 0;
}

const b2b2c__engine_ops b2b2c__fc_engine_ops = {
    .prefix = "forecast", .load = b2b2c__fc_load, .refresh = fc_refresh,
    .refresh_done = fc_refresh_done, .reload = fc_reload,
    .erase = b2b2c__fc_erase_op};
