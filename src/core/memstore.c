/* The built-in in-memory store: one hash map per table, an undo log for
 * transactions, sorted scans. */
#include <stdlib.h>

#include "internal.h"

typedef struct ms_entry {
    size_t klen, vlen;
    unsigned char data[]; /* key bytes, then value bytes */
} ms_entry;

typedef struct ms_table {
    const char *last; /* the caller's pointer last seen for this name */
    char name[64];
    b2b2c__map map;
} ms_table;

typedef struct ms_undo {
    size_t table;
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
    ms_table *tables;
    size_t ntables, captables;
    int in_txn;
    ms_undo *log;
    size_t nlog, caplog;
    void *free_list[MS_CLASSES];
    unsigned char *pos, *end; /* the unused tail of the newest chunk */
    ms_chunk *chunks;
};

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
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    rc = b2b2c__alloc_init(&a, alloc);
    return rc ? rc : b2b2c__memstore_create(out, &a);
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

/* Newest first; map capacity never shrinks, so reinsertion cannot fail. */
static void rollback_log(b2b2c_memstore *s)
{
    while (s->nlog) {
        ms_undo *u = &s->log[--s->nlog];
        b2b2c__map *m = &s->tables[u->table].map;
        if (u->cur) {
            b2b2c__map_del(m, u->cur->data, u->cur->klen);
            entry_free(s, u->cur);
        }
        if (u->old)
            b2b2c__map_put(m, u->old->data, u->old->klen, u->old, NULL);
    }
}

void b2b2c_memstore_free(b2b2c_memstore *s)
{
    if (!s)
        return;
    rollback_log(s);
    for (size_t t = 0; t < s->ntables; t++) {
        size_t it = 0;
        void *v;
        while (b2b2c__map_next(&s->tables[t].map, &it, NULL, NULL, &v))
            if (!entry_pooled(v))
                entry_free(s, v);
        b2b2c__map_fini(&s->tables[t].map);
    }
    while (s->chunks) {
        ms_chunk *next = s->chunks->next;
        b2b2c__afree(&s->a, s->chunks);
        s->chunks = next;
    }
    b2b2c__afree(&s->a, s->tables);
    b2b2c__afree(&s->a, s->log);
    b2b2c__afree(&s->a, s);
}

static ms_table *table_find(b2b2c_memstore *s, const char *name, size_t *idx)
{
    /* Engines pass their table names as string literals: the pointer seen
     * last time finds the table with one strcmp instead of one per table
     * (the strcmp stays: a host may reuse a buffer for another name). */
    for (size_t i = 0; i < s->ntables; i++) {
        if (s->tables[i].last == name &&
            strcmp(s->tables[i].name, name) == 0) {
            *idx = i;
            return &s->tables[i];
        }
    }
    for (size_t i = 0; i < s->ntables; i++) {
        if (strcmp(s->tables[i].name, name) == 0) {
            s->tables[i].last = name;
            *idx = i;
            return &s->tables[i];
        }
    }
    return NULL;
}

static int args_check(const char *table, const void *key, size_t klen)
{
    if (b2b2c__table_check(table) || !key || klen == 0 || klen > 65535)
        return B2B2C_EINVAL;
    return 0;
}

static int ms_get(void *ud, const char *table, const void *key, size_t klen,
                  b2b2c_storage_value_cb found, void *payload)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry *e;
    size_t idx;

    if (args_check(table, key, klen) || !found)
        return B2B2C_EINVAL;
    t = table_find(s, table, &idx);
    e = t ? b2b2c__map_get(&t->map, key, klen) : NULL;
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

static int ms_put(void *ud, const char *table, const void *key, size_t klen,
                  const void *val, size_t vlen)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry *e;
    void *old;
    size_t idx;

    if (args_check(table, key, klen) || (!val && vlen) || vlen > INT32_MAX)
        return B2B2C_EINVAL;
    t = table_find(s, table, &idx);
    if (!t) {
        if (b2b2c__grow(&s->a, (void **)&s->tables, &s->captables,
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
    e = entry_alloc(s, klen, vlen);
    if (!e)
        return B2B2C_ENOMEM;
    e->klen = klen;
    e->vlen = vlen;
    memcpy(e->data, key, klen);
    if (vlen)
        memcpy(e->data + klen, val, vlen);
    if (b2b2c__map_put(&t->map, e->data, klen, e, &old)) {
        entry_free(s, e);
        return B2B2C_ENOMEM;
    }
    if (s->in_txn) {
        ms_undo *u = &s->log[s->nlog++];
        u->table = idx;
        u->old = old;
        u->cur = e;
    } else if (old) {
        entry_free(s, old);
    }
    return 0;
}

static int ms_del(void *ud, const char *table, const void *key, size_t klen)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry *old;
    size_t idx;

    if (args_check(table, key, klen))
        return B2B2C_EINVAL;
    t = table_find(s, table, &idx);
    if (!t || !b2b2c__map_get(&t->map, key, klen))
        return 0;
    if (log_reserve(s))
        return B2B2C_ENOMEM;
    old = b2b2c__map_del(&t->map, key, klen);
    if (s->in_txn) {
        ms_undo *u = &s->log[s->nlog++];
        u->table = idx;
        u->old = old;
        u->cur = NULL;
    } else {
        entry_free(s, old);
    }
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const ms_entry *a = *(const ms_entry *const *)pa;
    const ms_entry *b = *(const ms_entry *const *)pb;
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->data, b->data, n);

    if (c)
        return c;
    return a->klen < b->klen ? -1 : a->klen > b->klen;
}

static int ms_scan(void *ud, const char *table, b2b2c_storage_row_cb row,
                   void *payload)
{
    b2b2c_memstore *s = ud;
    ms_table *t;
    ms_entry **rows;
    size_t idx, n = 0, it = 0;
    void *v;
    int rc = 0;

    if (b2b2c__table_check(table) || !row)
        return B2B2C_EINVAL;
    t = table_find(s, table, &idx);
    if (!t || !t->map.count)
        return 0;
    rows = b2b2c__amalloc(&s->a, t->map.count * sizeof(*rows));
    if (!rows)
        return B2B2C_ENOMEM;
    while (b2b2c__map_next(&t->map, &it, NULL, NULL, &v))
        rows[n++] = v;
    qsort(rows, n, sizeof(*rows), entry_cmp);
    for (size_t i = 0; i < n && !rc; i++)
        rc = row(rows[i]->data, rows[i]->klen, rows[i]->data + rows[i]->klen,
                 rows[i]->vlen, payload);
    b2b2c__afree(&s->a, rows);
    return rc;
}

static int ms_begin(void *ud)
{
    b2b2c_memstore *s = ud;
    if (s->in_txn)
        return B2B2C_ESTATE;
    s->in_txn = 1;
    return 0;
}

static int ms_commit(void *ud)
{
    b2b2c_memstore *s = ud;
    if (!s->in_txn)
        return B2B2C_ESTATE;
    commit_log(s);
    s->in_txn = 0;
    return 0;
}

static int ms_rollback(void *ud)
{
    b2b2c_memstore *s = ud;
    if (!s->in_txn)
        return B2B2C_ESTATE;
    rollback_log(s);
    s->in_txn = 0;
    return 0;
}

int b2b2c_memstore_methods(b2b2c_memstore *store, b2b2c_storage *out)
{
    if (!store || !out)
        return B2B2C_EINVAL;
    out->version = B2B2C_STORAGE_VERSION;
    out->userdata = store;
    out->get = ms_get;
    out->put = ms_put;
    out->del = ms_del;
    out->scan = ms_scan;
    out->begin = ms_begin;
    out->commit = ms_commit;
    out->rollback = ms_rollback;
    return 0;
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
    }
    if (rows)
        *rows = n;
    return sum;
}
