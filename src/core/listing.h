/* SPDX-License-Identifier: MIT */
/* Entity listings (b2b2c_<engine>_list*): every engine reports its
 * entities in ID order (bytewise) through the same steps. Not installed. */
#ifndef B2B2C_LISTING_H
#define B2B2C_LISTING_H

#include "internal.h"

/* One entity to list: its ID (len bytes, no NUL inside) and its record. */
typedef struct b2b2c__listref {
    const char *id;
    size_t len;
    const void *rec;
} b2b2c__listref;

/* Room for n refs (at least one) with the context's allocator. Returns 0 or
 * B2B2C_ENOMEM (message set). */
int b2b2c__list_alloc(b2b2c__listref **out, b2b2c_ctx *ctx, size_t n);

/* Calls the host's callback for one record; arg carries the engine's
 * callback, userdata and whatever the row needs. */
typedef int (*b2b2c__list_row_fn)(const b2b2c__listref *ref, void *arg);

/* Sort refs[0..n) by ID, bytewise (memcmp, then the shorter first; IDs are
 * unique within an engine, so the order is total), then call row for each
 * between b2b2c__cb_enter and b2b2c__cb_leave until one returns non-zero,
 * which is returned. Frees refs. */
int b2b2c__list_emit(b2b2c_ctx *ctx, b2b2c__listref *refs, size_t n,
                     b2b2c__list_row_fn row, void *arg);

#endif
