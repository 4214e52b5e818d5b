/* SPDX-License-Identifier: MIT */
/* Entity listings (b2b2c_<engine>_list*): every engine reports its
 * entities in ID order (bytewise) through the same steps. Not installed.
 *
 *   b2b2c__list l;
 *   if ((rc = b2b2c__list_open(&l, ctx, (b2b2c__list_fn)cb, userdata)))
 *       return rc;                        (clears the error, checks cb)
 *   ... check the filters ...
 *   if ((rc = b2b2c__list_reserve(&l, count)))
 *       return rc;
 *   for each entity that passes: b2b2c__list_add(&l, id, idlen, rec);
 *   return b2b2c__list_emit(&l, row);     (sorts, calls row per entity)
 */
#ifndef B2B2C_LISTING_H
#define B2B2C_LISTING_H

#include "internal.h"

/* The host's callback, stored untyped; each engine's row function casts it
 * back to its own callback type. */
typedef void (*b2b2c__list_fn)(void);

typedef struct b2b2c__listref {
    const char *id;
    size_t len;
    const void *rec;
} b2b2c__listref;

typedef struct b2b2c__list {
    b2b2c_ctx *ctx;
    b2b2c__listref *refs;
    size_t n;
    b2b2c__list_fn cb;
    void *userdata;
    const void *h;  /* for the row function: the engine's handle */
    int64_t now;    /* for the row function: the listing's time, if any */
} b2b2c__list;

/* Clear the context's error and check cb (B2B2C_EINVAL "cb: NULL"). */
int b2b2c__list_open(b2b2c__list *l, b2b2c_ctx *ctx, b2b2c__list_fn cb,
                     void *userdata);
/* Room for n entities. Returns 0 or B2B2C_ENOMEM (message set). */
int b2b2c__list_reserve(b2b2c__list *l, size_t n);
/* Add an entity (ID of len bytes without NUL inside; rec for row). At most
 * the n reserved. */
static inline void b2b2c__list_add(b2b2c__list *l, const char *id,
                                   size_t len, const void *rec)
{
    l->refs[l->n].id = id;
    l->refs[l->n].len = len;
    l->refs[l->n++].rec = rec;
}

/* Calls the host's callback for one entity's record. */
typedef int (*b2b2c__list_row_fn)(const b2b2c__list *l, const void *rec);

/* Sort the entities by ID, bytewise (memcmp, then the shorter first; IDs
 * are unique within an engine, so the order is total), then call row for
 * each between b2b2c__cb_enter and b2b2c__cb_leave until one returns
 * non-zero, which is returned. Frees what reserve allocated. */
int b2b2c__list_emit(b2b2c__list *l, b2b2c__list_row_fn row);

#endif
