/* SPDX-License-Identifier: MIT */
/* The built-in in-memory store: per table a sorted run of rows written in
 * ascending key order plus a hash map for the others, an undo log for
 * transactions, sorted scans. A store made by b2b2c_memstore_new may be
 * shared by contexts on several threads: see "Threads" below. */
#include <pthread.h>
#include <stdlib.h>

#include "memstore.h"

typedef struct ms_entry {
    uint32_t klen;
    uint32_t dead; /* a run slot deleted, kept until the run is compacted */
    size_t vlen;
    unsigned char data[]; /* key bytes, then value bytes */
} ms_entry;

/* One slot of the run: the key's first 8 bytes, big-endian and zero-padded,
 * decide most comparisons without touching the row (a cache miss each). */
typedef struct ms_slot {
    uint64_t pfx;
    ms_entry *e;
} ms_slot;

/*
 * A table keeps each key in exactly one of two places:
 *
 * - the run: rows whose keys arrived each above every key the run held
 *   (audit trails, event logs: a sequence number as key), in ascending key
 *   order. Appending touches only the run's tail, where a hash map would
 *   miss the cache on a random slot for every new key; a lookup is a binary
 *   search. A deleted run row stays in its slot marked dead (the slot keeps
 *   its key for the search) until more than half the run is dead and no
 *   transaction is open; then the run is compacted in place.
 * - the map: every other row. With random keys the run holds only the
 *   running maxima (about ln n rows).
 *
 * Every key in the map is below the key of the run's last slot, so a key
 * above it is new and goes to the run without a map probe. That holds
 * because the map takes only keys below the last slot, and the last slot is
 * never dropped while the map has rows (a compaction keeps it, dead).
 *
 * Only keys of up to MS_RUN_KEY bytes (a decision or sequence number) use
 * the run; a longer key always lives in the map, and the rule above is
 * about the short keys. A run is searched by the keys' first 8 bytes, so
 * long keys sharing them (zero-padded IDs such as "lead-0000123") would
 * make every search compare whole rows, a cache miss each: the map's one
 * probe is cheaper.
 */
#define MS_RUN_KEY 8
typedef struct ms_table {
    const char *last; /* the caller's pointer last seen for this name */
    char name[64];
    b2b2c__map map;
    ms_slot *run;
    size_t nrun, caprun, ndead;
} ms_table;

enum { U_MAP, U_APPEND, U_RSET, U_RDEL };

typedef struct ms_undo {
    uint32_t table;
    uint32_t kind;
    size_t slot;   /* run slot (U_RSET, U_RDEL) */
    ms_entry *old; /* entry to restore on rollback, free on commit */
    ms_entry *cur; /* entry to remove on rollback (NULL for a delete) */
} ms_undo;

/* Entries up to MS_SMALL bytes come from size classes carved out of 64 KiB
 * chunks and are recycled through per-class free lists: a put that replaces
 * a row then costs no call into the host's allocator, and freeing the store
 * frees a few chunks instead of every row. */
#define MS_GRAIN 16
#if defined(__SANITIZE_ADDRESS__)
#  define MS_NO_POOL 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define MS_NO_POOL 1
#  endif
#endif
/* Under AddressSanitizer every row is its own allocation, so a use after
 * free of a row is still caught (MS_NO_POOL). */
#define MS_SMALL 1024
#define MS_CLASSES (MS_SMALL / MS_GRAIN)
#define MS_CHUNK (64 * 1024)

typedef union ms_chunk {
    union ms_chunk *next;
    max_align_t align;
} ms_chunk;

struct b2b2c_memstore {
    b2b2c__alloc a;
    int32_t npeers;  /* contexts using the store (b2b2c_storage.peers) */
    uint64_t epoch;  /* moves with every context added or removed */
    ms_table *tables;
    size_t ntables, captables;
    size_t lastt; /* the table found last (table_find tries it first) */
    int in_txn;
    ms_undo *log;
    size_t nlog, caplog;
    int tidy; /* a run may want compacting or dissolving at commit */
    void *free_list[MS_CLASSES];
    unsigned char *pos, *end; /* the unused tail of the newest chunk */
    ms_chunk *chunks;
    /* Threads (sys/storage.h): a store from b2b2c_memstore_new may be
     * shared, so every method holds `mu`, and a transaction holds it from
     * begin to commit or rollback: transactions run one at a time, and a
     * read outside one sees only committed rows. Recursive, because the
     * methods a transaction calls take it again on the same thread (glibc
     * then only checks the owner and counts), and a get's or scan's
     * callback may read the store. A context's own store (b2b2c_ctx_new without
     * storage) is reachable from that context only and takes no lock. */
    int shared;
    pthread_mutex_t mu;
};

static int ms_lock(b2b2c_memstore *s)
{
    return s->shared && pthread_mutex_lock(&s->mu) ? B2B2C_ESTORAGE : 0;
}

static void ms_unlock(b2b2c_memstore *s)
{
    if (s->shared)
        pthread_mutex_unlock(&s->mu);
}

int b2b2c__memstore_create(b2b2c_memstore **out, const b2b2c__alloc *a)
{
    b2b2c_memstore *s = b2b2c__amalloc(a, sizeof(*s));

    *out = NULL;
    if (!s)
        return B2B2C_ENOMEM;
    memset(s, 0, sizeof(*s));
    s->a = *a;
    *out = s;
    return 0;
}

int b2b2c_memstore_new(b2b2c_memstore **out, const b2b2c_allocator *alloc)
{
    b2b2c__alloc a;
    pthread_mutexattr_t attr;
    b2b2c_memstore *s;
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    if ((rc = b2b2c__alloc_init(&a, alloc)) != 0 ||
        (rc = b2b2c__memstore_create(&s, &a)) != 0)
        return rc;
    if (pthread_mutexattr_init(&attr)) {
        b2b2c__afree(&a, s);
        return B2B2C_ENOMEM;
    }
    rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) ||
         pthread_mutex_init(&s->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc) {
        b2b2c__afree(&a, s);
        return B2B2C_ENOMEM;
    }
    s->shared = 1;
    *out = s;
    return 0;
}

/* Whether a row lives in a chunk (freed with the chunks) or on its own. */
static int entry_pooled(const ms_entry *e)
{
#ifdef MS_NO_POOL
    (void)e;
    return 0;
#else
    return sizeof(ms_entry) + e->klen + e->vlen <= MS_SMALL;
#endif
}

static size_t entry_class(size_t total)
{
    return (total + MS_GRAIN - 1) / MS_GRAIN - 1;
}

static ms_entry *entry_alloc(b2b2c_memstore *s, size_t klen, size_t vlen)
{
    size_t total = sizeof(ms_entry) + klen + vlen, cls, size;
    void *p;

#ifdef MS_NO_POOL
    return b2b2c__amalloc(&s->a, total);
#endif
    if (total > MS_SMALL)
        return b2b2c__amalloc(&s->a, total);
    cls = entry_class(total);
    size = (cls + 1) * MS_GRAIN;
    if ((p = s->free_list[cls]) != NULL) {
        memcpy(&s->free_list[cls], p, sizeof(void *));
        return p;
    }
    if ((size_t)(s->end - s->pos) < size) {
        ms_chunk *c = b2b2c__amalloc(&s->a, sizeof(ms_chunk) + MS_CHUNK);
        if (!c)
            return NULL;
        c->next = s->chunks;
        s->chunks = c;
        s->pos = (unsigned char *)(c + 1);
        s->end = s->pos + MS_CHUNK;
    }
    p = s->pos;
    s->pos += size;
    return p;
}

static void entry_free(b2b2c_memstore *s, ms_entry *e)
{
    size_t cls;

    if (!entry_pooled(e)) {
        b2b2c__afree(&s->a, e);
        return;
    }
    cls = entry_class(sizeof(ms_entry) + e->klen + e->vlen);
    memcpy(e, &s->free_list[cls], sizeof(void *));
    s->free_list[cls] = e;
}

static void commit_log(b2b2c_memstore *s)
{
    for (size_t i = 0; i < s->nlog; i++)
        if (s->log[i].old)
            entry_free(s, s->log[i].old);
    s->nlog = 0;
}

/* Newest first. Nothing here allocates: map capacity never shrinks, so
 * reinsertion cannot fail; the run is never compacted inside a transaction,
 * so logged slots are where they were. */
static void rollback_log(b2b2c_memstore *s)
{
    while (s->nlog) {
        ms_undo *u = &s->log[--s->nlog];
        ms_table *t = &s->tables[u->table];
        switch (u->kind) {
        case U_APPEND:
            t->nrun--;
            entry_free(s, u->cur);
            break;
        case U_RSET:
            t->run[u->slot].e = u->old;
            if (u->old->dead)
                t->ndead++;
            entry_free(s, u->cur);
            break;
        case U_RDEL:
            t->run[u->slot].e->dead = 0;
            t->ndead--;
            break;
        default:
            if (u->cur) {
                b2b2c__map_del(&t->map, u->cur->data, u->cur->klen);
                entry_free(s, u->cur);
            }
            if (u->old)
                b2b2c__map_put(&t->map, u->old->data, u->old->klen, u->old,
                               NULL);
        }
    }
    s->tidy = 0;
}

/* Drop the dead slots, except the last one while the map has rows (it
 * bounds the map's keys from above, see ms_table). O(run), run only when
 * more than half the run is dead, so a delete costs O(1) amortized on top
 * of its search. */
static void run_compact(b2b2c_memstore *s, ms_table *t)
{
    size_t j = 0, n = t->nrun;

    for (size_t i = 0; i < n; i++) {
        ms_entry *e = t->run[i].e;
        if (e->dead && (i + 1 < n || !t->map.count)) {
            entry_free(s, e);
            continue;
        }
        t->run[j++] = t->run[i];
    }
    t->nrun = j;
    t->ndead = j && t->run[j - 1].e->dead;
}

/* A table whose rows arrive in no order (random keys) keeps only the
 * running maxima in its run, and every put and get would still search
 * them: once the map holds many times the run, the run's rows move into the
 * map and the table is a plain hash table (the run restarts only if the map
 * empties). */
static int mostly_hashed(const ms_table *t)
{
    return t->nrun && t->map.count >= 64 + 16 * t->nrun;
}

/* Map room for the run's live rows and `extra` more: the put that makes a
 * table mostly hashed reserves it, so that dissolving never allocates. */
static size_t dissolve_need(const ms_table *t, size_t extra)
{
    return t->map.count + (t->nrun - t->ndead) + extra;
}

/* 0 when the map has no room reserved (then nothing changes). */
static int run_dissolve(b2b2c_memstore *s, ms_table *t)
{
    if (dissolve_need(t, 0) > t->map.cap - t->map.cap / 4)
        return 0;
    for (size_t i = 0; i < t->nrun; i++) {
        ms_entry *e = t->run[i].e;
        if (e->dead)
            entry_free(s, e);
        else
            b2b2c__map_put(&t->map, e->data, e->klen, e, NULL);
    }
    t->nrun = t->ndead = 0;
    return 1;
}

/* Outside transactions only: slots move. */
static void table_tidy(b2b2c_memstore *s, ms_table *t)
{
    if (mostly_hashed(t) && run_dissolve(s, t))
        return;
    if (t->ndead > t->nrun / 2)
        run_compact(s, t);
}

void b2b2c_memstore_free(b2b2c_memstore *s)
{
    if (!s)
        return;
    rollback_log(s);
    for (size_t t = 0; t < s->ntables; t++) {
        ms_table *tb = &s->tables[t];
        size_t it = 0;
        void *v;
        while (b2b2c__map_next(&tb->map, &it, NULL, NULL, &v))
            if (!entry_pooled(v))
                entry_free(s, v);
        b2b2c__map_fini(&tb->map);
        for (size_t i = 0; i < tb->nrun; i++)
            if (!entry_pooled(tb->run[i].e))
                entry_free(s, tb->run[i].e);
        b2b2c__afree(&s->a, tb->run);
    }
    while (s->chunks) {
        ms_chunk *next = s->chunks->next;
        b2b2c__afree(&s->a, s->chunks);
        s->chunks = next;
    }
    b2b2c__afree(&s->a, s->tables);
    b2b2c__afree(&s->a, s->log);
    if (s->shared) {
        /* an open transaction is the freeing thread's (freeing a store
         * another thread is using is the host's bug) */
        if (s->in_txn)
            pthread_mutex_unlock(&s->mu);
        pthread_mutex_destroy(&s->mu);
    }
    b2b2c__afree(&s->a, s);
}

static ms_table *table_find(b2b2c_memstore *s, const char *name, size_t *idx)
{
    /* Engines pass their table names as string literals: the pointer seen
     * last time finds the table with one strcmp instead of one per table
     * (the strcmp stays: a host may reuse a buffer for another name);
     * the table found last first (tables are never removed). */
    size_t j = s->lastt;
    if (j < s->ntables && s->tables[j].last == name &&
        strcmp(s->tables[j].name, name) == 0)
        return &s->tables[*idx = j];
    for (size_t i = 0; i < s->ntables; i++) {
        if (s->tables[i].last == name &&
            strcmp(s->tables[i].name, name) == 0) {
            *idx = s->lastt = i;
            return &s->tables[i];
        }
    }
    for (size_t i = 0; i < s->ntables; i++) {
        if (strcmp(s->tables[i].name, name) == 0) {
            s->tables[i].last = name;
            *idx = s->lastt = i;
            return &s->tables[i];
        }
    }
    return NULL;
}

/* The arguments' checks, and the table (NULL when there is none yet): an
 * existing table's name is valid, so only a new one is checked. */
static int args_table(b2b2c_memstore *s, const char *table, const void *key,
                      size_t klen, ms_table **t, size_t *idx)
{
    if (!table || !key || klen == 0 || klen > 65535)
        return B2B2C_EINVAL;
    *t = table_find(s, table, idx);
    if (!*t && b2b2c__table_check(table))
        return B2B2C_EINVAL;
    return 0;
}

/* The key's first 8 bytes, big-endian, zero-padded: if two keys' prefixes
 * differ, they order as their keys do (a zero pad sorts a shorter key that
 * is a prefix of the other first, as the scan order wants). */
static uint64_t key_prefix(const unsigned char *k, size_t klen)
{
    uint64_t p = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (klen >= 8) { /* big-endian: one load and a byte swap */
        memcpy(&p, k, 8);
        return __builtin_bswap64(p);
    }
#endif
    for (size_t i = 0; i < 8; i++)
        p = p << 8 | (i < klen ? k[i] : 0u);
    return p;
}

/* The contract's scan order: memcmp, a shorter key first on a tie. */
static int key_order(const unsigned char *a, size_t alen,
                     const unsigned char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int slot_cmp(uint64_t pfx, const unsigned char *k, size_t klen,
                    const ms_slot *sl)
{
    if (pfx != sl->pfx)
        return pfx < sl->pfx ? -1 : 1;
    return key_order(k, klen, sl->e->data, sl->e->klen);
}

enum { LOC_APPEND, LOC_RUN, LOC_MAP };

/* The first slot in [lo, hi] whose prefix is >= pfx, given that run[hi]'s
 * is. Branch-free (the compiler makes the step a conditional move): with
 * random keys the direction of every step is a coin toss, and mispredicted
 * branches here cost more than the search itself. */
static size_t pfx_lower(const ms_slot *run, size_t lo, size_t hi,
                        uint64_t pfx)
{
    const ms_slot *b = run + lo;
    size_t n = hi - lo + 1;

    while (n > 1) {
        size_t half = n / 2;
        b = b[half - 1].pfx < pfx ? b + half : b;
        n -= half;
    }
    return (size_t)(b - run);
}

/* Keys sharing their first 8 bytes with the sought one, from slot i on:
 * an ordinary binary search on whole keys over that stretch. */
static int run_find_tie(const ms_table *t, size_t i, uint64_t pfx,
                        const unsigned char *key, size_t klen, size_t *slot)
{
    size_t lo = i, hi, end;
    int c = key_order(key, klen, t->run[i].e->data, t->run[i].e->klen);

    if (c <= 0) {
        *slot = i;
        return c ? LOC_MAP : LOC_RUN;
    }
    /* the stretch ends before the first slot with a greater prefix; when
     * there is none, pfx_lower gives the last slot and the search runs to
     * the end of the run */
    end = pfx == UINT64_MAX ? t->nrun - 1
                            : pfx_lower(t->run, i, t->nrun - 1, pfx + 1);
    lo = i + 1;
    hi = end + 1 > t->nrun ? t->nrun : end + 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        c = slot_cmp(pfx, key, klen, &t->run[mid]);
        if (c == 0) {
            *slot = mid;
            return LOC_RUN;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return LOC_MAP;
}

/* Where `key` lives or goes: LOC_APPEND above the run's last slot (then it
 * is in neither place), LOC_RUN in slot *slot (possibly dead), LOC_MAP
 * otherwise (in the map, or absent). */
static int run_find(const ms_table *t, uint64_t pfx, const unsigned char *key,
                    size_t klen, size_t *slot)
{
    const ms_slot *run = t->run;
    size_t n = t->nrun, lo = 0, hi, i;
    int c;

    if (!n)
        return t->map.count ? LOC_MAP : LOC_APPEND;
    hi = n - 1;
    c = slot_cmp(pfx, key, klen, &run[hi]);
    if (c >= 0) {
        *slot = hi;
        return c ? LOC_APPEND : LOC_RUN;
    }
    /* key < last key, so pfx <= run[hi].pfx: the first slot with a prefix
     * >= pfx is in [lo, hi]. Sequence numbers and timestamps spread evenly:
     * try the interpolated position's neighbourhood first. */
    if (hi > 64 && pfx > run[0].pfx) {
        uint64_t p0 = run[0].pfx, span = run[hi].pfx - p0;
        size_t g = (size_t)((double)(pfx - p0) / (double)span *
                            (double)(hi - 1)) + 1, w = 8;
        size_t wlo = g > w ? g - w : 1, whi = g + w < hi ? g + w : hi;
        if (wlo <= whi && run[wlo - 1].pfx < pfx && run[whi].pfx >= pfx) {
            lo = wlo;
            hi = whi;
        }
    }
    i = pfx_lower(run, lo, hi, pfx);
    if (run[i].pfx != pfx)
        return LOC_MAP;
    return run_find_tie(t, i, pfx, key, klen, slot);
}

static ms_entry *table_get(const ms_table *t, const unsigned char *key,
                           size_t klen)
{
    ms_entry *e;
    size_t i;
    int loc;

    if (klen > MS_RUN_KEY)
        return b2b2c__map_get(&t->map, key, klen);
    if (t->map.count > t->nrun) {
        /* Mostly hashed rows (random keys): the map first, so that a hit
         * costs no search of the run. */
        if ((e = b2b2c__map_get(&t->map, key, klen)) != NULL)
            return e;
        loc = run_find(t, key_prefix(key, klen), key, klen, &i);
        return loc == LOC_RUN && !t->run[i].e->dead ? t->run[i].e : NULL;
    }
    loc = run_find(t, key_prefix(key, klen), key, klen, &i);
    if (loc == LOC_RUN)
        return t->run[i].e->dead ? NULL : t->run[i].e;
    return loc == LOC_MAP ? b2b2c__map_get(&t->map, key, klen) : NULL;
}

static int ms_get_held(void *ud, const char *table, const void *key,
                       size_t klen, b2b2c_storage_value_cb found,
                       void *payload)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry *e;
    size_t idx;

    if (!found || args_table(s, table, key, klen, &t, &idx))
        return B2B2C_EINVAL;
    e = t ? table_get(t, key, klen) : NULL;
    if (!e)
        return B2B2C_ENOTFOUND;
    return found(e->data + e->klen, e->vlen, payload);
}

static int log_reserve(b2b2c_memstore *s)
{
    if (!s->in_txn)
        return 0;
    return b2b2c__grow(&s->a, (void **)&s->log, &s->caplog, s->nlog + 1,
                       sizeof(*s->log));
}

static void log_push(b2b2c_memstore *s, size_t table, int kind, size_t slot,
                     ms_entry *old, ms_entry *cur)
{
    ms_undo *u = &s->log[s->nlog++];
    u->table = (uint32_t)table;
    u->kind = (uint32_t)kind;
    u->slot = slot;
    u->old = old;
    u->cur = cur;
}

static int ms_put_held(void *ud, const char *table, const void *key,
                       size_t klen, const void *val, size_t vlen)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry *e;
    void *old;
    uint64_t pfx, h = 0;
    size_t idx, slot = 0;
    int loc;

    if ((!val && vlen) || vlen > INT32_MAX ||
        args_table(s, table, key, klen, &t, &idx))
        return B2B2C_EINVAL;
    if (!t) {
        if (s->ntables == UINT32_MAX || /* the undo log's table number */
            b2b2c__grow(&s->a, (void **)&s->tables, &s->captables,
                        s->ntables + 1, sizeof(*s->tables)))
            return B2B2C_ENOMEM;
        idx = s->ntables++;
        t = &s->tables[idx];
        memset(t, 0, sizeof(*t));
        strcpy(t->name, table);
        b2b2c__map_init(&t->map, &s->a);
    }
    if (log_reserve(s))
        return B2B2C_ENOMEM;
    if (klen <= MS_RUN_KEY && (t->nrun || !t->map.count)) {
        pfx = key_prefix(key, klen);
        loc = run_find(t, pfx, key, klen, &slot);
    } else {
        pfx = 0;
        loc = LOC_MAP; /* a long key, or a plain hash table (see
                          mostly_hashed) */
    }
    if (loc == LOC_MAP) {
        /* the slot's cache miss overlaps the row's allocation and copy */
        h = b2b2c__map_keyhash(key, klen);
        b2b2c__map_prefetch_h(&t->map, h);
    }
    /* Room first: past this point nothing fails but the map's insert. */
    if (loc == LOC_APPEND &&
        b2b2c__grow(&s->a, (void **)&t->run, &t->caprun, t->nrun + 1,
                    sizeof(*t->run)))
        return B2B2C_ENOMEM;
    if (loc == LOC_MAP && t->nrun && t->map.count + 1 >= 64 + 16 * t->nrun &&
        b2b2c__map_reserve(&t->map, dissolve_need(t, 1) - t->map.count))
        return B2B2C_ENOMEM;
    e = entry_alloc(s, klen, vlen);
    if (!e)
        return B2B2C_ENOMEM;
    e->klen = (uint32_t)klen;
    e->dead = 0;
    e->vlen = vlen;
    memcpy(e->data, key, klen);
    if (vlen)
        memcpy(e->data + klen, val, vlen);
    if (loc == LOC_APPEND) {
        t->run[t->nrun].pfx = pfx;
        t->run[t->nrun].e = e;
        t->nrun++;
        if (s->in_txn)
            log_push(s, idx, U_APPEND, 0, NULL, e);
        return 0;
    }
    if (loc == LOC_RUN) {
        ms_entry *prev = t->run[slot].e;
        t->run[slot].e = e;
        if (prev->dead)
            t->ndead--;
        if (s->in_txn)
            log_push(s, idx, U_RSET, slot, prev, e);
        else
            entry_free(s, prev);
        return 0;
    }
    if (b2b2c__map_put_h(&t->map, h, e->data, klen, e, &old)) {
        entry_free(s, e);
        return B2B2C_ENOMEM;
    }
    if (s->in_txn)
        log_push(s, idx, U_MAP, 0, old, e);
    else if (old)
        entry_free(s, old);
    if (mostly_hashed(t)) {
        if (s->in_txn)
            s->tidy = 1;
        else
            table_tidy(s, t);
    }
    return 0;
}

static int ms_del_held(void *ud, const char *table, const void *key,
                       size_t klen)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry *old;
    size_t idx, slot = 0;
    int loc;

    if (args_table(s, table, key, klen, &t, &idx))
        return B2B2C_EINVAL;
    if (!t)
        return 0;
    loc = klen > MS_RUN_KEY ? LOC_MAP
                            : run_find(t, key_prefix(key, klen), key, klen,
                                       &slot);
    if (loc == LOC_APPEND)
        return 0;
    if (loc == LOC_RUN) {
        old = t->run[slot].e;
        if (old->dead)
            return 0;
        if (log_reserve(s))
            return B2B2C_ENOMEM;
        old->dead = 1;
        t->ndead++;
        if (s->in_txn) {
            log_push(s, idx, U_RDEL, slot, NULL, NULL);
            s->tidy = 1;
        } else {
            table_tidy(s, t);
        }
        return 0;
    }
    if (!b2b2c__map_get(&t->map, key, klen))
        return 0;
    if (log_reserve(s))
        return B2B2C_ENOMEM;
    old = b2b2c__map_del(&t->map, key, klen);
    if (s->in_txn)
        log_push(s, idx, U_MAP, 0, old, NULL);
    else
        entry_free(s, old);
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const ms_entry *a = *(const ms_entry *const *)pa;
    const ms_entry *b = *(const ms_entry *const *)pb;

    return key_order(a->data, a->klen, b->data, b->klen);
}

/* The run is sorted already; the map's rows are sorted here and merged
 * in (no allocation at all for a table that is only a run). */
static int ms_scan_held(void *ud, const char *table,
                        b2b2c_storage_row_cb row, void *payload)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry **rows = NULL;
    size_t idx, n = 0, it = 0, i = 0, j = 0;
    void *v;
    int rc = 0;

    if (b2b2c__table_check(table) || !row)
        return B2B2C_EINVAL;
    t = table_find(s, table, &idx);
    if (!t)
        return 0;
    if (t->map.count) {
        rows = b2b2c__amalloc(&s->a, t->map.count * sizeof(*rows));
        if (!rows)
            return B2B2C_ENOMEM;
        while (b2b2c__map_next(&t->map, &it, NULL, NULL, &v))
            rows[n++] = v;
        qsort(rows, n, sizeof(*rows), entry_cmp);
    }
    while (!rc) {
        const ms_entry *e;
        while (i < t->nrun && t->run[i].e->dead)
            i++;
        if (i < t->nrun &&
            (j == n || entry_cmp(&t->run[i].e, &rows[j]) < 0))
            e = t->run[i++].e;
        else if (j < n)
            e = rows[j++];
        else
            break;
        rc = row(e->data, e->klen, e->data + e->klen, e->vlen, payload);
    }
    b2b2c__afree(&s->a, rows);
    return rc;
}

/* The methods: each holds the store while it runs (see "Threads").
 * ms_release lets go of it and passes the method's result on, so a method
 * is ms_lock, then its _held body as ms_release's argument. */
static int ms_release(b2b2c_memstore *s, int rc)
{
    ms_unlock(s);
    return rc;
}

/* The contexts using the store (b2b2c_storage.peers): they live in this
 * process, so the store knows them all. */
static int32_t ms_peers(void *ud, int32_t delta, uint64_t *epoch)
{
    b2b2c_memstore *s = ud;
    int32_t n;
    if (ms_lock(s))
        return INT32_MAX; /* cannot tell: "not alone" */
    if (delta) {
        s->npeers += delta;
        s->epoch++;
    }
    n = s->npeers;
    *epoch = s->epoch;
    ms_unlock(s);
    return n;
}

static int ms_get(void *ud, const char *table, const void *key, size_t klen,
                  b2b2c_storage_value_cb found, void *payload)
{
    int rc = ms_lock(ud);
    return rc ? rc : ms_release(ud, ms_get_held(ud, table, key, klen, found,
                                                payload));
}

static int ms_put(void *ud, const char *table, const void *key, size_t klen,
                  const void *val, size_t vlen)
{
    int rc = ms_lock(ud);
    return rc ? rc : ms_release(ud, ms_put_held(ud, table, key, klen, val,
                                                vlen));
}

static int ms_del(void *ud, const char *table, const void *key, size_t klen)
{
    int rc = ms_lock(ud);
    return rc ? rc : ms_release(ud, ms_del_held(ud, table, key, klen));
}

static int ms_scan(void *ud, const char *table, b2b2c_storage_row_cb row,
                   void *payload)
{
    int rc = ms_lock(ud);
    return rc ? rc : ms_release(ud, ms_scan_held(ud, table, row, payload));
}

/* Takes the store and checks that a transaction is open (open = 1) or not
 * (open = 0); on B2B2C_ESTATE the store is let go again. */
static int ms_lock_txn(b2b2c_memstore *s, int open)
{
    int rc = ms_lock(s);
    if (rc)
        return rc;
    if (!s->in_txn != !open) {
        ms_unlock(s);
        return B2B2C_ESTATE;
    }
    return 0;
}

/* begin keeps the store held until commit or rollback: another thread's
 * begin (or read) waits, a second begin on this thread is refused. */
static int ms_begin(void *ud)
{
    b2b2c_memstore *s = ud;
    int rc = ms_lock_txn(s, 0);
    if (rc == 0)
        s->in_txn = 1;
    return rc;
}

/* Ends the transaction and lets go of the store twice: this call's hold and
 * begin's. (A thread that is not the transaction's waits here until the
 * transaction ends, then finds none open.) */
static int ms_end(b2b2c_memstore *s, int commit)
{
    int rc = ms_lock_txn(s, 1);
    if (rc)
        return rc;
    if (commit)
        commit_log(s);
    else
        rollback_log(s);
    s->in_txn = 0;
    if (commit && s->tidy) {
        for (size_t t = 0; t < s->ntables; t++)
            table_tidy(s, &s->tables[t]);
        s->tidy = 0;
    }
    ms_unlock(s);
    ms_unlock(s);
    return 0;
}

static int ms_commit(void *ud)
{
    return ms_end(ud, 1);
}

static int ms_rollback(void *ud)
{
    return ms_end(ud, 0);
}

/* b2b2c_storage.hint: the library hashes keys with b2b2c__map_keyhash, as
 * this store does, so `h` finds the slot. */
static void ms_hint(void *userdata, int32_t op, const char *table, uint64_t h)
{
#if defined(__GNUC__) || defined(__clang__)
    b2b2c_memstore *s;
    const ms_table *t = NULL;
    const b2b2c__map_slot *sl;
    size_t mask;

    s = userdata;
    /* A hint is not worth waiting for: a shared store held by another
     * thread gets none. */
    if (s->shared && pthread_mutex_trylock(&s->mu))
        return;
    /* by the name's pointer only (as the last put saw it): a wrong guess
     * costs a useless load, a strcmp per table would cost more */
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i].last == table) {
            t = &s->tables[i];
            break;
        }
    if (t && t->map.count) {
        mask = t->map.cap - 1;
        sl = &t->map.slots[(size_t)h & mask];
        if (op == B2B2C_STORAGE_HINT_PREFETCH_SLOT) {
            __builtin_prefetch(sl);
        } else {
            /* the home slot or the next (linear probing puts most keys
             * there) */
            if (sl->hash != h && sl->hash)
                sl = &t->map.slots[((size_t)h + 1) & mask];
            if (sl->hash == h)
                __builtin_prefetch(sl->key);
        }
    }
    ms_unlock(s);
#else
    (void)userdata;
    (void)op;
    (void)table;
    (void)h;
#endif
}

uint64_t b2b2c__memstore_fingerprint(const b2b2c_memstore *s, size_t *rows)
{
    uint64_t sum = 0;
    size_t n = 0;

    for (size_t t = 0; t < s->ntables; t++) {
        uint64_t th = b2b2c__hash(s->tables[t].name,
                                  strlen(s->tables[t].name));
        size_t it = 0;
        void *v;
        while (b2b2c__map_next(&s->tables[t].map, &it, NULL, NULL, &v)) {
            const ms_entry *e = v;
            uint64_t h = b2b2c__hash(e->data, e->klen + e->vlen);
            /* Mix the key length in so "ab"+"c" differs from "a"+"bc". */
            sum += (h ^ th) * 0x9e3779b97f4a7c15ULL + e->klen;
            n++;
        }
        for (size_t i = 0; i < s->tables[t].nrun; i++) {
            const ms_entry *e = s->tables[t].run[i].e;
            if (!e->dead) {
                uint64_t h = b2b2c__hash(e->data, e->klen + e->vlen);
                sum += (h ^ th) * 0x9e3779b97f4a7c15ULL + e->klen;
                n++;
            }
        }
    }
    if (rows)
        *rows = n;
    return sum;
}

void b2b2c__memstore_layout(const b2b2c_memstore *s, const char *table,
                            size_t *run, size_t *dead, size_t *hashed)
{
    *run = *dead = *hashed = 0;
    for (size_t t = 0; t < s->ntables; t++) {
        if (strcmp(s->tables[t].name, table) == 0) {
            *run = s->tables[t].nrun;
            *dead = s->tables[t].ndead;
            *hashed = s->tables[t].map.count;
        }
    }
}

int b2b2c_memstore_methods(b2b2c_memstore *store, b2b2c_storage *out)
{
    /* in the order of b2b2c_storage; a member not listed is NULL (0) */
    static const b2b2c_storage methods = {
        B2B2C_STORAGE_VERSION, NULL, ms_get, ms_put, ms_del, ms_scan,
        ms_begin, ms_commit, ms_rollback, ms_hint, NULL, 0, ms_peers};

    if (!store || !out)
        return B2B2C_EINVAL;
    *out = methods; /* begin_read NULL, flags 0 */
    out->userdata = store;
    return 0;
}
