/* SPDX-License-Identifier: MIT */
/*
 * Removing a channel that no lead touched (issue 20): its record and its
 * spend days leave memory and storage. Channels are numbered densely (a
 * touch names its channel by number), so the last channel takes the
 * removed one's number: its record and the records of the leads that
 * touched it are rewritten. The commit makes other contexts reload (the
 * change log cannot carry a deletion of this engine's rows), as an erase
 * does.
 */
#include "channel_int.h"

/* Undo entries by index, not by saved pointers: a later call in the same
 * group may move the arrays (see channel.c). */
static void undo_slot(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    b2b2c_channels *h = a;
    (void)ctx;
    h->chans[i] = b;
}

static void undo_retag(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    ch_lead *l = a;
    (void)ctx;
    l->tv[i].ch = (uint32_t)(uintptr_t)b;
}

static int remove_body(b2b2c_channels *h, const char *id, size_t n)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_chan *c = b2b2c__map_get(&h->chmap, id, n), *last;
    uint32_t from;
    int rc;

    if (!c)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "channel_id: unknown channel '%s'", id);
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        for (uint32_t j = 0; j < l->n; j++)
            if (l->tv[j].ch == c->idx)
                return b2b2c__err(ctx, B2B2C_ESTATE,
                                  "channel_id: channel '%s' has touches "
                                  "(lead '%s')",
                                  id, l->id);
    }
    for (size_t i = 0; i < c->n; i++)
        if ((rc = b2b2c__ch_spend_del(ctx, c, c->sv[i].day)) != 0)
            return rc;
    if ((rc = b2b2c__st_del(ctx, CH_T_CHANNELS, c->id, c->idlen)) != 0)
        return rc;
    last = h->chans[h->nch - 1];
    from = last->idx;
    if (last != c) {
        /* the last channel takes c's number, in its record and in the
         * touches that name it */
        if ((rc = b2b2c__undo_save(ctx, &last->idx, sizeof(last->idx))) ||
            (rc = b2b2c__undo_push(ctx, undo_slot, NULL, h, c,
                                   c->idx)) != 0)
            return rc;
        h->chans[c->idx] = last;
        last->idx = c->idx;
        if ((rc = b2b2c__ch_chan_write(ctx, last)) != 0)
            return rc;
        for (size_t i = 0; i < h->nlead; i++) {
            ch_lead *l = h->leads[i];
            int moved = 0;
            for (uint32_t j = 0; j < l->n; j++) {
                if (l->tv[j].ch != from)
                    continue;
                if ((rc = b2b2c__undo_push(ctx, undo_retag, NULL, l,
                                           (void *)(uintptr_t)from, j)) != 0)
                    return rc;
                l->tv[j].ch = c->idx;
                moved = 1;
            }
            if (moved && (rc = b2b2c__ch_lead_write(ctx, l)) != 0)
                return rc;
        }
    }
    if ((rc = b2b2c__undo_push(ctx, undo_slot, NULL, h, last, from)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &h->nch, sizeof(h->nch))) != 0 ||
        (rc = b2b2c__map_remove_undoable(ctx, &h->chmap, c->id,
                                         c->idlen)) != 0 ||
        (c->sv && (rc = b2b2c__undo_free_on_commit(ctx, c->sv)) != 0) ||
        (rc = b2b2c__undo_free_on_commit(ctx, c)) != 0)
        return rc;
    h->chans[from] = NULL;
    h->nch--;
    b2b2c__sync_forget(ctx);
    return 0;
}

int b2b2c_channels_remove(b2b2c_channels *h, const char *channel_id)
{
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if (!channel_id)
        return b2b2c__err(h->ctx, B2B2C_EINVAL, "channel_id: NULL");
    if (b2b2c__id_check(channel_id, &n))
        return b2b2c__err(h->ctx, B2B2C_EBADID,
                          "channel_id: not a valid ID (1..255 bytes of "
                          "UTF-8)");
    B2B2C__CALL(rc, h->ctx, h, remove_body(h, channel_id, n));
    return rc;
}
