/* SPDX-License-Identifier: MIT */
/* Hash map keyed by byte strings: open addressing, linear probing,
 * backward-shift deletion (Knuth, TAOCP vol. 3, 6.4 Algorithm R). */
#include "internal.h"

#define SLOT_HASH(h) ((h) | 0x8000000000000000ULL)

void b2b2c__map_init(b2b2c__map *m, const b2b2c__alloc *a)
{
    m->a = a;
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void b2b2c__map_fini(b2b2c__map *m)
{
    b2b2c__afree(m->a, m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static inline size_t find_slot(const b2b2c__map *m, uint64_t h,
                               const void *key, size_t klen)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;

    for (;;) {
        const b2b2c__map_slot *s = &m->slots[i];
        if (!s->hash)
            return i;
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

uint64_t b2b2c__map_keyhash(const void *key, size_t klen)
{
    return SLOT_HASH(b2b2c__hash(key, klen));
}

void *b2b2c__map_get_h(const b2b2c__map *m, uint64_t h, const void *key,
                       size_t klen)
{
    size_t i;

    if (!m->count)
        return NULL;
    i = find_slot(m, h, key, klen);
    return m->slots[i].hash ? m->slots[i].val : NULL;
}

void *b2b2c__map_get(const b2b2c__map *m, const void *key, size_t klen)
{
    return m->count ? b2b2c__map_get_h(m, SLOT_HASH(b2b2c__hash(key, klen)),
                                       key, klen)
                    : NULL;
}

/* Keep the load factor at or under 3/4. */
static int resize(b2b2c__map *m, size_t ncap)
{
    b2b2c__map_slot *ns, *old = m->slots;
    size_t oldcap = m->cap;

    if (ncap > SIZE_MAX / sizeof(*ns))
        return B2B2C_ENOMEM;
    ns = b2b2c__amalloc(m->a, ncap * sizeof(*ns));
    if (!ns)
        return B2B2C_ENOMEM;
    memset(ns, 0, ncap * sizeof(*ns));
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].hash) {
            size_t j = (size_t)old[i].hash & (ncap - 1);
            while (ns[j].hash)
                j = (j + 1) & (ncap - 1);
            ns[j] = old[i];
        }
    }
    b2b2c__afree(m->a, old);
    return 0;
}

int b2b2c__map_reserve(b2b2c__map *m, size_t extra)
{
    size_t need = m->count + extra, ncap = m->cap ? m->cap : 16;

    if (need < m->count)
        return B2B2C_ENOMEM;
    while (need > ncap - ncap / 4) {
        if (ncap > SIZE_MAX / 2)
            return B2B2C_ENOMEM;
        ncap *= 2;
    }
    return ncap == m->cap ? 0 : resize(m, ncap);
}

int b2b2c__map_put(b2b2c__map *m, const void *key, size_t klen, void *val,
                   void **old)
{
    return b2b2c__map_put_h(m, SLOT_HASH(b2b2c__hash(key, klen)), key, klen,
                            val, old);
}

int b2b2c__map_put_h(b2b2c__map *m, uint64_t h, const void *key, size_t klen,
                     void *val, void **old)
{
    size_t i;

    if (old)
        *old = NULL;
    if (m->cap) {
        i = find_slot(m, h, key, klen);
        if (m->slots[i].hash) {
            if (old)
                *old = m->slots[i].val;
            m->slots[i].key = key;
            m->slots[i].val = val;
            return 0;
        }
        /* room without growing (b2b2c__map_reserve(m, 1) would change
         * nothing): the free slot found is where the key goes */
        if (m->count + 1 <= m->cap - m->cap / 4)
            goto insert;
    }
    if (b2b2c__map_reserve(m, 1))
        return B2B2C_ENOMEM;
    i = find_slot(m, h, key, klen);
insert:
    m->slots[i].hash = h;
    m->slots[i].key = key;
    m->slots[i].klen = klen;
    m->slots[i].val = val;
    m->count++;
    return 0;
}

void *b2b2c__map_del(b2b2c__map *m, const void *key, size_t klen)
{
    return b2b2c__map_take(m, key, klen, NULL);
}

void *b2b2c__map_take(b2b2c__map *m, const void *key, size_t klen,
                      const void **stored_key)
{
    size_t mask, i, j;
    void *val;

    if (!m->count)
        return NULL;
    mask = m->cap - 1;
    i = find_slot(m, SLOT_HASH(b2b2c__hash(key, klen)), key, klen);
    if (!m->slots[i].hash)
        return NULL;
    val = m->slots[i].val;
    if (stored_key)
        *stored_key = m->slots[i].key;
    /* Shift later members of the probe run back into the hole. */
    j = i;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!m->slots[j].hash)
            break;
        home = (size_t)m->slots[j].hash & mask;
        /* Move j into i unless its home lies cyclically in (i, j]. */
        if ((j > i && (home <= i || home > j)) ||
            (j < i && (home <= i && home > j))) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    memset(&m->slots[i], 0, sizeof(m->slots[i]));
    m->count--;
    return val;
}

int b2b2c__map_next(const b2b2c__map *m, size_t *it, const void **key,
                    size_t *klen, void **val)
{
    for (size_t i = *it; i < m->cap; i++) {
        if (m->slots[i].hash) {
            if (key)
                *key = m->slots[i].key;
            if (klen)
                *klen = m->slots[i].klen;
            if (val)
                *val = m->slots[i].val;
            *it = i + 1;
            return 1;
        }
    }
    *it = m->cap;
    return 0;
}
