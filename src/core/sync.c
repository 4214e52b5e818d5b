/* SPDX-License-Identifier: MIT */
/*
 * Many contexts on one database (docs/storage.md, "Many contexts").
 *
 * Every commit that changes a row also writes, in the same transaction, a
 * change-log entry (table core_log, key = the commit sequence big-endian)
 * naming the (table, key) pairs it wrote or deleted, and the sequence row
 * (table core_seq, key "seq": the last sequence and the trimmed floor).
 * A context remembers the sequence it has applied (`seen`). At the start
 * of a call, inside its transaction, it reads the sequence row; when it is
 * ahead, it reads the log entries in between and hands every changed key,
 * with its current value, to the engine that owns the table, which
 * replaces its in-memory object under undo entries (so a call that fails
 * leaves memory and `seen` as before). The cost is proportional to what
 * others changed. A context that fell behind the trimmed floor, or an
 * engine that cannot refresh one key, reloads from storage.
 *
 * The idea is SQLite's file change counter (a connection compares the
 * counter in the database header with the one it read last and drops its
 * page cache when another connection has written) made per key.
 */
#include "internal.h"

#define T_SEQ "core_seq"
#define T_LOG "core_log"
#define SEQ_KEY "seq"
#define SEQ_VERSION 1
#define LOG_VERSION 1
/* a log entry with more changes than this says "reload" instead */
#define LOG_MAX_CHANGES 65536u
#define LOG_RELOAD UINT32_MAX

enum { OP_PUT = 1, OP_DEL = 2 };

static void be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* ---- the change buffer: what this transaction wrote --------------------- */

/* The number of `table` in the open transaction's table list (added when
 * new), or B2B2C__TXN_SKIP for the library's own tables. Engines pass their
 * table names as string literals, so the pointer of the last one matches
 * almost always; a name seen through another pointer is found by strcmp. */
static int table_no(b2b2c_ctx *ctx, const char *table, uint32_t *out)
{
    size_t tl;
    uint32_t i;

    for (i = 0; i < ctx->ntabs; i++)
        if (ctx->tabs[i] == table || strcmp(ctx->tabs[i], table) == 0)
            break;
    if (i == ctx->ntabs) {
        if ((tl = strlen(table)) > 255)
            return b2b2c__err(ctx, B2B2C_EINVAL, "table '%.64s...': name of "
                              "%zu bytes", table, tl);
        if (i == B2B2C__TXN_TABLES)
            return b2b2c__err(ctx, B2B2C_ESTATE, "table '%s': more than %d "
                              "tables written in one transaction", table,
                              B2B2C__TXN_TABLES);
        ctx->tabs[i] = table;
        ctx->tabskip[i] = strncmp(table, "core_", 5) == 0;
        ctx->ntabs++;
    }
    ctx->lasttab = i;
    *out = i;
    return 0;
}

/* Record that `table`/`key` was put or deleted in the open transaction.
 * Layout per change: [op u8][table number u8][klen u16 LE][key]. */
int b2b2c__sync_note_slow(b2b2c_ctx *ctx, int del, const char *table,
                          const void *key, size_t klen)
{
    size_t need = 4 + klen;
    uint32_t t = ctx->lasttab;
    uint8_t *p;
    int rc;

    if (t >= ctx->ntabs || ctx->tabs[t] != table) {
        if ((rc = table_no(ctx, table, &t)) != 0)
            return rc;
    }
    if (ctx->tabskip[t])
        return 0;
    if (klen > 65535)
        return b2b2c__err(ctx, B2B2C_EINVAL, "table '%s': key of %zu bytes",
                          table, klen);
    if (ctx->chglen + need > ctx->chgcap &&
        b2b2c__grow(&ctx->mem, (void **)&ctx->chg, &ctx->chgcap,
                    ctx->chglen + need, 1))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (change log)");
    p = ctx->chg + ctx->chglen;
    p[0] = (uint8_t)(del ? OP_DEL : OP_PUT);
    p[1] = (uint8_t)t;
    p[2] = (uint8_t)klen;
    p[3] = (uint8_t)(klen >> 8);
    memcpy(p + 4, key, klen);
    ctx->chglen += need;
    ctx->nchg++;
    return 0;
}

void b2b2c__sync_txn_end(b2b2c_ctx *ctx)
{
    ctx->chglen = 0;
    ctx->nchg = 0;
    ctx->ntabs = 0;
    ctx->synced = 0;
    ctx->pend_alone = 0;
    ctx->forget = 0;
    for (size_t i = 0; i < ctx->neng; i++)
        ctx->engs[i]->wrote = 0;
    if (ctx->chgcap > B2B2C__ARENA_KEEP) {
        b2b2c__free(ctx, ctx->chg);
        ctx->chg = NULL;
        ctx->chgcap = 0;
    }
}

/* ---- the sequence row ----------------------------------------------------- */

typedef struct seqrow {
    b2b2c_ctx *ctx;
    uint64_t seq, floor;
} seqrow;

static int seq_found(const void *v, size_t vl, void *payload)
{
    seqrow *s = payload;
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, SEQ_VERSION);
    if (rc == 0) {
        s->seq = b2b2c__dec_u64(&r);
        s->floor = b2b2c__dec_u64(&r);
        rc = b2b2c__dec_finish(&r);
        if (rc == 0 && s->floor > s->seq)
            rc = B2B2C_ECORRUPT;
    }
    if (rc)
        return b2b2c__err_corrupt(s->ctx, rc, T_SEQ, SEQ_KEY, 3, NULL);
    return 0;
}

static int seq_read(b2b2c_ctx *ctx, uint64_t *seq, uint64_t *floor)
{
    seqrow s = {ctx, 0, 0};
    int rc = b2b2c__st_get(ctx, T_SEQ, SEQ_KEY, 3, seq_found, &s);
    if (rc && rc != B2B2C_ENOTFOUND)
        return rc;
    *seq = s.seq;
    *floor = s.floor;
    return 0;
}

/* A sequence lower than one this context has applied: the database was
 * replaced or rolled back under it. */
static int seq_check(b2b2c_ctx *ctx, uint64_t seq)
{
    if (seq >= ctx->seen)
        return 0;
    return b2b2c__err_corrupt(
        ctx, B2B2C_ECORRUPT, T_SEQ, SEQ_KEY, 3,
        "the commit sequence went back from %llu to %llu",
        (unsigned long long)ctx->seen, (unsigned long long)seq);
}

/* ---- applying others' changes ------------------------------------------- */

typedef struct change {
    size_t off;     /* of the table name in pending.buf */
    size_t koff;    /* of the key */
    uint16_t klen;
    uint8_t tlen, op;
    uint32_t eng;   /* index into ctx->engs */
    uint32_t order; /* position in the log, for "the last one wins" */
} change;

typedef struct pending {
    uint8_t *buf; /* the log entries' change bytes, kept while applying */
    size_t len, cap;
    change *ch;
    size_t n, capn;
    int reload; /* an entry said "reload" */
} pending;

#define CH_TABLE(p, c) ((p)->buf + (c)->off)
#define CH_KEY(p, c) ((p)->buf + (c)->koff)

static void pending_fini(b2b2c_ctx *ctx, pending *p)
{
    b2b2c__free(ctx, p->buf);
    b2b2c__free(ctx, p->ch);
}

static int prefix_of(const char *prefix, const uint8_t *t, size_t tl)
{
    size_t pl = strlen(prefix);
    return tl > pl && t[pl] == '_' && memcmp(t, prefix, pl) == 0;
}

/* The engines of this library, open here or not: a change to a table of one
 * that is not open on this context is nobody's business here; any other
 * table is not this library's. */
static int known_prefix(const uint8_t *t, size_t tl)
{
    static const char *const known[] = {"core",     "lead",     "segment",
                                        "dealer",   "forecast", "channel"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (prefix_of(known[i], t, tl))
            return 1;
    return 0;
}

typedef struct logget {
    b2b2c_ctx *ctx;
    pending *p;
    uint64_t seq;
} logget;

static int malformed(b2b2c_ctx *ctx, uint64_t seq, const char *what)
{
    uint8_t k[8];
    be64(k, seq);
    return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_LOG, k, 8, "%s", what);
}

/* Append the changes of entry `seq` (its table names at tab[0..ntab), in
 * p->buf, its changes from `start`) for every engine that has not seen it. */
static int parse(b2b2c_ctx *ctx, pending *p, uint64_t seq, size_t start,
                 const size_t *tab, uint32_t ntab)
{
    size_t off = start;
    while (off < p->len) {
        const uint8_t *c = p->buf + off, *t;
        size_t tl, kl;
        int mine = 0;
        if (p->len - off < 4 || (c[0] != OP_PUT && c[0] != OP_DEL) ||
            c[1] >= ntab ||
            (kl = (size_t)c[2] | (size_t)c[3] << 8) == 0 ||
            p->len - off < 4 + kl)
            return malformed(ctx, seq, "a change entry is malformed");
        t = p->buf + tab[c[1]] + 1;
        tl = t[-1];
        for (size_t e = 0; e < ctx->neng; e++) {
            change *ch;
            if (!prefix_of(ctx->engs[e]->ops->prefix, t, tl))
                continue;
            mine = 1;
            if (ctx->engs[e]->seen >= seq)
                continue;
            if (p->n == p->capn &&
                b2b2c__grow(&ctx->mem, (void **)&p->ch, &p->capn, p->n + 1,
                            sizeof(*p->ch)))
                return b2b2c__err(ctx, B2B2C_ENOMEM,
                                  "out of memory (change log)");
            ch = &p->ch[p->n];
            ch->op = c[0];
            ch->tlen = (uint8_t)tl;
            ch->off = tab[c[1]] + 1;
            ch->koff = off + 4;
            ch->klen = (uint16_t)kl;
            ch->eng = (uint32_t)e;
            ch->order = (uint32_t)p->n;
            p->n++;
        }
        if (!mine && !known_prefix(t, tl)) {
            char tn[256];
            memcpy(tn, t, tl);
            tn[tl] = '\0';
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, tn, c + 4, kl,
                                      "changed by another context, but no "
                                      "engine of this library owns the "
                                      "table");
        }
        off += 4 + kl;
    }
    return 0;
}

static int pend_room(b2b2c_ctx *ctx, pending *p, size_t n)
{
    if (p->len + n < p->len ||
        (p->len + n > p->cap &&
         b2b2c__grow(&ctx->mem, (void **)&p->buf, &p->cap, p->len + n, 1)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (change log)");
    return 0;
}

/* Log record: [nchanges u32][ntables u32][ntables x name (bytes)]
 * [changes (bytes)]; nchanges B2B2C__LOG_RELOAD: reload instead. */
static int log_found(const void *v, size_t vl, void *payload)
{
    logget *g = payload;
    b2b2c_ctx *ctx = g->ctx;
    pending *p = g->p;
    b2b2c__rbuf r;
    size_t tab[256], n, start;
    const void *body;
    uint32_t cnt, ntab;
    int rc;

    if ((rc = b2b2c__dec_begin(&r, v, vl, LOG_VERSION)) != 0) {
        uint8_t k[8];
        be64(k, g->seq);
        return b2b2c__err_corrupt(ctx, rc, T_LOG, k, 8, NULL);
    }
    cnt = b2b2c__dec_u32(&r);
    ntab = b2b2c__dec_u32(&r);
    if (r.err || ntab > 256)
        return malformed(ctx, g->seq, "bad table list");
    for (uint32_t i = 0; i < ntab; i++) {
        const void *name = b2b2c__dec_bytes(&r, &n);
        if (r.err || n == 0 || n > 255)
            return malformed(ctx, g->seq, "bad table name");
        if ((rc = pend_room(ctx, p, n + 1)) != 0)
            return rc;
        tab[i] = p->len;
        p->buf[p->len] = (uint8_t)n;
        memcpy(p->buf + p->len + 1, name, n);
        p->len += n + 1;
    }
    body = b2b2c__dec_bytes(&r, &n);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return malformed(ctx, g->seq, "bad record");
    if (cnt == LOG_RELOAD) {
        p->reload = 1;
        return 0;
    }
    if ((rc = pend_room(ctx, p, n)) != 0)
        return rc;
    start = p->len;
    memcpy(p->buf + p->len, body, n);
    p->len += n;
    return parse(ctx, p, g->seq, start, tab, ntab);
}

static int chcmp(const pending *p, const change *a, const change *b)
{
    int c;
    if (a->eng != b->eng)
        return a->eng < b->eng ? -1 : 1;
    if (a->tlen != b->tlen)
        return a->tlen < b->tlen ? -1 : 1;
    if ((c = memcmp(CH_TABLE(p, a), CH_TABLE(p, b), a->tlen)) != 0)
        return c;
    if (a->klen != b->klen)
        return a->klen < b->klen ? -1 : 1;
    if ((c = memcmp(CH_KEY(p, a), CH_KEY(p, b), a->klen)) != 0)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Keep the last change of every (engine, table, key), in log order: the
 * value read now is the one after all of them. Shell sort, O(n^1.3). */
static void dedupe(pending *p)
{
    change *c = p->ch, t;
    size_t out = 0;

    for (size_t gap = p->n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < p->n; i++) {
            size_t j = i;
            t = c[i];
            while (j >= gap && chcmp(p, &c[j - gap], &t) > 0) {
                c[j] = c[j - gap];
                j -= gap;
            }
            c[j] = t;
        }
    for (size_t i = 0; i < p->n; i++) {
        if (i + 1 < p->n) {
            t = c[i + 1];
            t.order = c[i].order;
            if (chcmp(p, &c[i], &t) == 0)
                continue; /* a later change of the same key follows */
        }
        c[out++] = c[i];
    }
    p->n = out;
}

typedef struct applyget {
    const b2b2c__engine *e;
    const char *table;
    const uint8_t *key;
    size_t klen;
} applyget;

static int apply_found(const void *v, size_t vl, void *payload)
{
    applyget *a = payload;
    return a->e->ops->refresh(a->e->h, a->table, a->key, a->klen, v, vl);
}

static int apply_one(b2b2c_ctx *ctx, const pending *p, const change *ch)
{
    const b2b2c__engine *e = ctx->engs[ch->eng];
    char table[256];
    applyget a;
    int rc;

    memcpy(table, CH_TABLE(p, ch), ch->tlen);
    table[ch->tlen] = '\0';
    a.e = e;
    a.table = table;
    a.key = CH_KEY(p, ch);
    a.klen = ch->klen;
    rc = b2b2c__st_get(ctx, table, a.key, a.klen, apply_found, &a);
    if (rc == B2B2C_ENOTFOUND) {
        if (ch->op == OP_PUT)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, a.key,
                                      a.klen,
                                      "in the change log but not in storage");
        rc = e->ops->refresh(e->h, table, a.key, a.klen, NULL, 0);
    } else if (rc == 0 && ch->op == OP_DEL) {
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, a.key, a.klen,
                                  "deleted in the change log but present in "
                                  "storage");
    }
    return rc;
}

/* A deletion the engine cannot follow by a refresh (ops->behind). */
static int behind(b2b2c_ctx *ctx, const pending *p, const change *ch)
{
    const b2b2c__engine *e = ctx->engs[ch->eng];
    char table[256];
    if (ch->op != OP_DEL || !e->ops->behind)
        return 0;
    memcpy(table, CH_TABLE(p, ch), ch->tlen);
    table[ch->tlen] = '\0';
    return e->ops->behind(e->h, table, CH_KEY(p, ch), ch->klen) != 0;
}

static int reload_all(b2b2c_ctx *ctx, uint64_t seq)
{
    if (ctx->nundo)
        return b2b2c__err(ctx, B2B2C_ECONFLICT,
                          "another context changed the database in the "
                          "middle of this transaction group; roll the group "
                          "back and run it again");
    for (size_t i = 0; i < ctx->neng; i++) {
        int rc = ctx->engs[i]->ops->reload(ctx->engs[i]->h);
        if (rc)
            return rc;
        ctx->engs[i]->seen = seq;
    }
    ctx->seen = seq;
    return 0;
}

/* Every engine's sequence and the context's to `seq`, undoably. */
static int advance(b2b2c_ctx *ctx, uint64_t seq)
{
    int rc;
    if (ctx->nundo) {
        if ((rc = b2b2c__undo_save(ctx, &ctx->seen, sizeof(ctx->seen))) != 0)
            return rc;
        for (size_t i = 0; i < ctx->neng; i++)
            if ((rc = b2b2c__undo_save(ctx, &ctx->engs[i]->seen,
                                       sizeof(ctx->engs[i]->seen))) != 0)
                return rc;
    }
    ctx->seen = seq;
    for (size_t i = 0; i < ctx->neng; i++)
        ctx->engs[i]->seen = seq;
    return 0;
}

static uint64_t lowest_seen(const b2b2c_ctx *ctx)
{
    uint64_t lo = ctx->seen;
    for (size_t i = 0; i < ctx->neng; i++)
        if (ctx->engs[i]->seen < lo)
            lo = ctx->engs[i]->seen;
    return lo;
}

/* Bring every attached engine to the latest committed state. Runs inside
 * a transaction (the call's, the group's or a read transaction). */
static int sync_in_txn(b2b2c_ctx *ctx)
{
    uint64_t seq, floor, lo;
    pending p;
    int rc;

    if ((rc = seq_read(ctx, &seq, &floor)) != 0 ||
        (rc = seq_check(ctx, seq)) != 0)
        return rc;
    ctx->floor = floor;
    lo = lowest_seen(ctx);
    if (seq == lo)
        return 0;
    if (lo < floor)
        return reload_all(ctx, seq);
    memset(&p, 0, sizeof(p));
    for (uint64_t s = lo + 1; s <= seq && !p.reload; s++) {
        logget g = {ctx, &p, s};
        uint8_t k[8];
        be64(k, s);
        rc = b2b2c__st_get(ctx, T_LOG, k, 8, log_found, &g);
        if (rc == B2B2C_ENOTFOUND)
            rc = b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_LOG, k, 8,
                                    "commit %llu is missing from the change "
                                    "log (floor %llu, last %llu)",
                                    (unsigned long long)s,
                                    (unsigned long long)floor,
                                    (unsigned long long)seq);
        if (rc)
            goto out;
    }
    for (size_t i = 0; i < p.n && !p.reload; i++)
        if (!ctx->engs[p.ch[i].eng]->ops->refresh)
            p.reload = 1;
    if (!p.reload) {
        dedupe(&p);
        for (size_t i = 0; i < p.n && !p.reload; i++)
            p.reload = behind(ctx, &p, &p.ch[i]);
    }
    if (p.reload) {
        rc = reload_all(ctx, seq);
        goto out;
    }
    for (size_t i = 0; i < ctx->neng; i++)
        ctx->engs[i]->touched = 0;
    for (size_t i = 0; i < p.n && rc == 0; i++) {
        ctx->engs[p.ch[i].eng]->touched = 1;
        rc = apply_one(ctx, &p, &p.ch[i]);
    }
    for (size_t i = 0; i < ctx->neng && rc == 0; i++)
        if (ctx->engs[i]->touched && ctx->engs[i]->ops->refresh_done)
            rc = ctx->engs[i]->ops->refresh_done(ctx->engs[i]->h);
    if (rc == 0)
        rc = advance(ctx, seq);
out:
    pending_fini(ctx, &p);
    return rc;
}

/* A transaction (or a read) that caught up while alone ended well. */
static void alone_caught_up(b2b2c_ctx *ctx)
{
    if (ctx->pend_alone) {
        ctx->alone_ok = 1;
        ctx->alone_epoch = ctx->pend_epoch;
        ctx->pend_alone = 0;
    }
}

/* A read transaction: begin_read when the store has one. */
static int read_txn_begin(b2b2c_ctx *ctx)
{
    int rc = b2b2c__st_rc(ctx->st.version >= 2 && ctx->st.begin_read
                              ? ctx->st.begin_read(ctx->st.userdata)
                              : ctx->st.begin(ctx->st.userdata));
    if (rc)
        return b2b2c__err(ctx, rc, "storage begin failed: %s",
                          b2b2c_strerror(rc));
    return 0;
}

/* End it: keep what was applied to memory (rc 0) or undo it. */
static int read_txn_end(b2b2c_ctx *ctx, int rc)
{
    if (rc) {
        b2b2c__undo_all(ctx);
    } else {
        b2b2c__release_all(ctx);
        alone_caught_up(ctx);
    }
    ctx->st.rollback(ctx->st.userdata);
    b2b2c__sync_txn_end(ctx);
    return rc;
}

void b2b2c__sync_mode(b2b2c_ctx *ctx)
{
    uint64_t ep;
    int32_t n;

    ctx->logging = ctx->sync_needed = ctx->coherent;
    ctx->pend_alone = 0;
    if (!ctx->coherent || ctx->st.version < 2 || !ctx->st.peers)
        return;
    n = ctx->st.peers(ctx->st.userdata, 0, &ep);
    if (n > 1) {
        ctx->alone_ok = 0;
        return;
    }
    /* Alone: no one reads a log (a context that comes later loads what is
     * stored), and once caught up after the last one left, no one can
     * change anything under us until the epoch moves. */
    ctx->logging = 0;
    if (ctx->alone_ok && ep == ctx->alone_epoch) {
        ctx->sync_needed = 0;
    } else {
        ctx->pend_alone = 1;
        ctx->pend_epoch = ep;
    }
}

int b2b2c__sync_begin_slow(b2b2c_ctx *ctx)
{
    int rc;
    if (!ctx->sync_needed || ctx->synced)
        return 0;
    if ((rc = sync_in_txn(ctx)) != 0)
        return rc;
    ctx->synced = 1;
    return 0;
}

int b2b2c__sync_read(b2b2c_ctx *ctx)
{
    uint64_t seq, floor;
    int rc;

    if (!ctx->coherent || ctx->depth)
        return 0;
    if (ctx->group) { /* the group's transaction and undo scope */
        if (ctx->aborted)
            return 0;
        ctx->depth = 1;
        rc = b2b2c__sync_begin(ctx);
        ctx->depth = 0;
        return rc;
    }
    b2b2c__sync_mode(ctx);
    if (!ctx->sync_needed)
        return 0;
    /* The common case first: nothing new, one read, no transaction. */
    if ((rc = seq_read(ctx, &seq, &floor)) != 0)
        return rc;
    if (seq == ctx->seen && lowest_seen(ctx) == seq)
        alone_caught_up(ctx);
    if (seq == ctx->seen && lowest_seen(ctx) == seq)
        return 0;
    if ((rc = read_txn_begin(ctx)) != 0)
        return rc;
    ctx->depth = 1;
    rc = sync_in_txn(ctx);
    ctx->depth = 0;
    return read_txn_end(ctx, rc);
}

int b2b2c_ctx_sync(b2b2c_ctx *ctx)
{
    if (!ctx)
        return B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_ctx_sync called from inside a callback");
    b2b2c__err_clear(ctx);
    return b2b2c__sync_read(ctx);
}

int b2b2c_ctx_seq(uint64_t *seen, uint64_t *own, const b2b2c_ctx *ctx)
{
    if (!ctx)
        return B2B2C_EINVAL;
    if (seen)
        *seen = ctx->seen;
    if (own)
        *own = ctx->own;
    return 0;
}

/* ---- writing the log at commit -------------------------------------------- */

int b2b2c__sync_commit(b2b2c_ctx *ctx)
{
    uint64_t seq, floor;
    b2b2c__wbuf w;
    uint8_t k[8];
    int rc;

    if (!ctx->logging || ctx->nchg == 0)
        return 0;
    /* The call synced in this transaction, so `seen` is the last commit
     * (a store that let another commit in between refuses ours with
     * B2B2C_ECONFLICT: we write the sequence row it wrote). */
    seq = ctx->seen + 1;
    floor = ctx->floor;
    be64(k, seq);
    b2b2c__enc_begin(&w, &ctx->mem, LOG_VERSION);
    if (ctx->nchg > LOG_MAX_CHANGES || ctx->forget) {
        b2b2c__enc_u32(&w, LOG_RELOAD);
        b2b2c__enc_u32(&w, 0);
        b2b2c__enc_bytes(&w, "", 0);
    } else {
        b2b2c__enc_u32(&w, (uint32_t)ctx->nchg);
        b2b2c__enc_u32(&w, ctx->ntabs);
        for (uint32_t i = 0; i < ctx->ntabs; i++)
            b2b2c__enc_bytes(&w, ctx->tabs[i], strlen(ctx->tabs[i]));
        b2b2c__enc_bytes(&w, ctx->chg, ctx->chglen);
    }
    ctx->nchg = 0; /* the writes below are not changes to log */
    if ((rc = b2b2c__st_put_rec(ctx, T_LOG, k, 8, &w)) != 0)
        return rc;
    /* Trim in batches: keep the last B2B2C__LOG_KEEP entries; after an
     * erase, keep none but this "reload" entry (the others may name the
     * erased ID's keys). */
    if (seq > B2B2C__LOG_KEEP + floor + B2B2C__LOG_TRIM_BATCH ||
        (ctx->forget && seq > floor + 1)) {
        uint64_t nf = ctx->forget ? seq - 1 : seq - B2B2C__LOG_KEEP;
        for (uint64_t s = floor + 1; s <= nf; s++) {
            be64(k, s);
            if ((rc = b2b2c__st_del(ctx, T_LOG, k, 8)) != 0)
                return rc;
        }
        floor = nf;
    }
    b2b2c__enc_begin(&w, &ctx->mem, SEQ_VERSION);
    b2b2c__enc_u64(&w, seq);
    b2b2c__enc_u64(&w, floor);
    if ((rc = b2b2c__st_put_rec(ctx, T_SEQ, SEQ_KEY, 3, &w)) != 0)
        return rc;
    ctx->pending_seq = seq;
    ctx->pending_floor = floor;
    return 0;
}

/* A handle that was current is current after our commit too, unless
 * another handle of the same engine on this context wrote in it (then it
 * reads those changes from the log like anyone else's). */
static int sibling_wrote(const b2b2c_ctx *ctx, const b2b2c__engine *e)
{
    for (size_t i = 0; i < ctx->neng; i++)
        if (ctx->engs[i] != e && ctx->engs[i]->wrote &&
            strcmp(ctx->engs[i]->ops->prefix, e->ops->prefix) == 0)
            return 1;
    return 0;
}

void b2b2c__sync_committed(b2b2c_ctx *ctx)
{
    alone_caught_up(ctx);
    if (ctx->pending_seq) {
        for (size_t i = 0; i < ctx->neng; i++) {
            b2b2c__engine *e = ctx->engs[i];
            if (e->seen == ctx->seen && !sibling_wrote(ctx, e))
                e->seen = ctx->pending_seq;
        }
        ctx->seen = ctx->pending_seq;
        ctx->own = ctx->pending_seq;
        ctx->floor = ctx->pending_floor;
        ctx->pending_seq = 0;
    }
    b2b2c__sync_txn_end(ctx);
}

void b2b2c__sync_writer_slow(b2b2c_ctx *ctx, const void *h)
{
    for (size_t i = 0; i < ctx->neng; i++)
        if (ctx->engs[i]->h == h)
            ctx->engs[i]->wrote = 1;
}

/* ---- engines -------------------------------------------------------------- */

static void count_siblings(b2b2c_ctx *ctx)
{
    ctx->siblings = 0;
    for (size_t i = 0; i < ctx->neng; i++)
        for (size_t j = i + 1; j < ctx->neng; j++)
            if (strcmp(ctx->engs[i]->ops->prefix, ctx->engs[j]->ops->prefix) ==
                0)
                ctx->siblings = 1;
}

int b2b2c__engine_attach(b2b2c_ctx *ctx, const b2b2c__engine_ops *ops,
                         void *h)
{
    b2b2c__engine *e;

    if (ctx->neng == ctx->capeng &&
        b2b2c__grow(&ctx->mem, (void **)&ctx->engs, &ctx->capeng,
                    ctx->neng + 1, sizeof(*ctx->engs)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    /* its own block: undo entries may point at `seen` */
    if (!(e = b2b2c__malloc(ctx, sizeof(*e))))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    e->ops = ops;
    e->h = h;
    e->touched = 0;
    e->wrote = 0;
    e->seen = ctx->seen; /* the load saw what the context has seen */
    ctx->engs[ctx->neng++] = e;
    count_siblings(ctx);
    return 0;
}

void b2b2c__engine_detach(b2b2c_ctx *ctx, void *h)
{
    for (size_t i = 0; i < ctx->neng; i++)
        if (ctx->engs[i]->h == h) {
            b2b2c__free(ctx, ctx->engs[i]);
            memmove(&ctx->engs[i], &ctx->engs[i + 1],
                    (ctx->neng - i - 1) * sizeof(*ctx->engs));
            ctx->neng--;
            count_siblings(ctx);
            return;
        }
}

/* An engine's open reads its tables inside one read transaction, after the
 * engines already open on the context were brought to the same state: the
 * new engine then starts at the context's sequence and the first call
 * replays nothing the load already holds. */
int b2b2c__load_begin(b2b2c_ctx *ctx)
{
    uint64_t seq, floor;
    int rc;

    if (!ctx->coherent)
        return 0;
    if (ctx->group) /* inside the group's transaction */
        return ctx->aborted ? 0 : b2b2c__sync_begin(ctx);
    b2b2c__sync_mode(ctx);
    if (!ctx->sync_needed) /* alone and caught up: storage is memory */
        return 0;
    if ((rc = read_txn_begin(ctx)) != 0)
        return rc;
    if (ctx->neng == 0) {
        if ((rc = seq_read(ctx, &seq, &floor)) == 0 &&
            (rc = seq_check(ctx, seq)) == 0) {
            ctx->seen = seq;
            ctx->floor = floor;
        }
    } else {
        rc = sync_in_txn(ctx);
    }
    if (rc)
        return read_txn_end(ctx, rc);
    ctx->loading = 1;
    return 0;
}

int b2b2c__engine_open(b2b2c_ctx *ctx, const b2b2c__engine_ops *ops,
                       void *h)
{
    int rc = b2b2c__load_begin(ctx);
    if (rc == 0)
        rc = b2b2c__load_end(ctx, ops->load(h));
    if (rc == 0)
        rc = b2b2c__engine_attach(ctx, ops, h);
    return rc;
}

int b2b2c__load_end(b2b2c_ctx *ctx, int rc)
{
    if (!ctx->loading)
        return rc;
    ctx->loading = 0;
    return read_txn_end(ctx, rc);
}
