/* SPDX-License-Identifier: MIT */
/* Dealer network programs: the entity listings (dealers, points of sale)
 * in ID order, through core's listing helper. */
#include "listing.h"
#include "prog_int.h"

/* Per listed entity: the entity and its count. */
typedef struct pg_item {
    const void *rec;
    int64_t count;
} pg_item;

static int dealer_row(const b2b2c__list *l, const void *rec)
{
    const pg_item *it = rec;
    const pg_dealer *d = it->rec;
    return ((b2b2c_programs_dealer_cb)l->cb)(d->id, d->tier, d->region,
                                             it->count, l->userdata);
}

int b2b2c_programs_list_dealers(const b2b2c_programs *h, int32_t tier,
                                b2b2c_programs_dealer_cb cb, void *userdata)
{
    b2b2c__list l;
    pg_item *items;
    size_t i = 0, n = 0;
    void *v;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, h->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (tier < -1 || tier > PG_TIER_MAX)
        return b2b2c__err(h->ctx, B2B2C_ERANGE,
                          "tier: %d is outside [0, %d] (or -1, any)",
                          (int)tier, PG_TIER_MAX);
    if ((rc = b2b2c__sync_read(h->ctx)) != 0)
        return rc;
    items = b2b2c__malloc(h->ctx, (h->dealers.count + 1) * sizeof(*items));
    if (!items)
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__list_reserve(&l, h->dealers.count)) != 0) {
        b2b2c__free(h->ctx, items);
        return rc;
    }
    /* the report's scratch slot numbers the dealers for the count */
    while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v)) {
        pg_dealer *d = v;
        d->slot = n;
        items[n].rec = d;
        items[n++].count = 0;
    }
    i = 0;
    while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v))
        items[((const pg_point *)v)->dealer->slot].count++;
    for (size_t k = 0; k < n; k++) {
        const pg_dealer *d = items[k].rec;
        if (tier == -1 || d->tier == tier)
            b2b2c__list_add(&l, d->id, d->idlen, &items[k]);
    }
    rc = b2b2c__list_emit(&l, dealer_row);
    b2b2c__free(h->ctx, items);
    return rc;
}

static int point_row(const b2b2c__list *l, const void *rec)
{
    const pg_item *it = rec;
    const pg_point *p = it->rec;
    return ((b2b2c_programs_point_cb)l->cb)(p->id, p->dealer->id, it->count,
                                            l->userdata);
}

int b2b2c_programs_list_points(const b2b2c_programs *h,
                               const char *dealer_id,
                               b2b2c_programs_point_cb cb, void *userdata)
{
    b2b2c__list l;
    pg_item *items;
    size_t i = 0, n = 0, dlen = 0;
    void *v;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, h->ctx, (b2b2c__list_fn)cb, userdata)))
        return rc;
    if (dealer_id && b2b2c__id_check(dealer_id, &dlen))
        return b2b2c__err(h->ctx, B2B2C_EBADID,
                          "dealer_id: not a valid ID (1..255 bytes of "
                          "UTF-8)");
    if ((rc = b2b2c__sync_read(h->ctx)) != 0)
        return rc;
    items = b2b2c__malloc(h->ctx, (h->points.count + 1) * sizeof(*items));
    if (!items)
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__list_reserve(&l, h->points.count)) != 0) {
        b2b2c__free(h->ctx, items);
        return rc;
    }
    while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v)) {
        pg_point *p = v;
        p->slot = n;
        items[n].rec = p;
        items[n++].count = 0;
    }
    i = 0;
    while (b2b2c__map_next(&h->series, &i, NULL, NULL, &v))
        items[((const pg_series *)v)->point->slot].count++;
    for (size_t k = 0; k < n; k++) {
        const pg_point *p = items[k].rec;
        if (!dealer_id ||
            (p->dlen == dlen && memcmp(p->did, dealer_id, dlen) == 0))
            b2b2c__list_add(&l, p->id, p->idlen, &items[k]);
    }
    rc = b2b2c__list_emit(&l, point_row);
    b2b2c__free(h->ctx, items);
    return rc;
}
