/* SPDX-License-Identifier: MIT */
/* Dealer network programs: joint promotion budgets / market development
 * funds (issue 17, step 3). A budget per promotion and dealer (table
 * programs_promos, version 1), claims against it with their dated status
 * steps (table programs_claims, version 1), refreshed from other
 * contexts' commits; spend vs plan per budget, promotion or dealer (the
 * uplift: prog_uplift.c). Rules and sources: docs/programs.md, "Joint
 * promotion budgets". */
#include <stdio.h>
#include <stdlib.h>

#include "listing.h"
#include "prog_int.h"

#define PROMO_REC_VERSION 1
#define CLAIM_REC_VERSION 1
#define NO_TIME B2B2C_PROMO_NO_TIME

static const char *const status_names[] = {"submitted", "approved",
                                           "rejected", "paid"};
B2B2C__NAME_FUNCS(b2b2c_promo_status, status_names)

/* ---- helpers --------------------------------------------------------------------- */

static int id_ok(const void *k, size_t kl)
{
    return kl >= 1 && kl <= B2B2C__ID_MAX && !memchr(k, 0, kl) &&
           b2b2c__utf8_valid(k, kl) == 0;
}

int b2b2c__pg_id_arg(b2b2c_ctx *ctx, const char *s, size_t *len,
                     const char *arg)
{
    if (b2b2c__id_check(s, len))
        return b2b2c__err(ctx, B2B2C_EBADID, "%s: %s", arg,
                          s ? "not a valid ID (1..255 bytes of UTF-8)"
                            : "NULL");
    return 0;
}

/* An optional ID filter: NULL (any) or a valid ID. */
static int filter_arg(b2b2c_ctx *ctx, const char *s, size_t *len,
                      const char *arg)
{
    *len = 0;
    return s ? b2b2c__pg_id_arg(ctx, s, len, arg) : 0;
}

/* The budget key promo NUL dealer into buf (NUL-terminated); its length. */
size_t b2b2c__pg_budget_key(char *buf, const char *promo, size_t plen,
                            const char *dealer, size_t dlen)
{
    memcpy(buf, promo, plen);
    buf[plen] = '\0';
    memcpy(buf + plen + 1, dealer, dlen);
    buf[plen + 1 + dlen] = '\0';
    return plen + 1 + dlen;
}

int b2b2c__pg_no_budget(b2b2c_ctx *ctx, const char *promo, size_t plen,
                        const char *dealer, size_t dlen)
{
    char e1[4 * B2B2C__KEY_SHOWN + 8], e2[4 * B2B2C__KEY_SHOWN + 8];
    b2b2c__key_escape(e1, sizeof(e1), promo, plen);
    b2b2c__key_escape(e2, sizeof(e2), dealer, dlen);
    return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                      "promo_id: no budget of promotion '%s' for dealer "
                      "'%s'",
                      e1, e2);
}

int b2b2c__pg_no_dealer(b2b2c_ctx *ctx, const char *arg, const char *id,
                        size_t len)
{
    char esc[4 * B2B2C__KEY_SHOWN + 8];
    b2b2c__key_escape(esc, sizeof(esc), id, len);
    return b2b2c__err(ctx, B2B2C_ENOTFOUND, "%s: no dealer '%s'", arg, esc);
}

/* What a budget's claims hold: submitted, approved and paid. */
static int64_t held(const pg_promo *p)
{
    return p->sum[B2B2C_PROMO_SUBMITTED] + p->sum[B2B2C_PROMO_APPROVED] +
           p->sum[B2B2C_PROMO_PAID];
}

/* ---- records ----------------------------------------------------------------------- */

/* Budget, version 1: first day i64, day after the last i64, planned i64,
 * product line bytes (empty: all). Key: promotion NUL dealer. */
static int promo_write(b2b2c_ctx *ctx, const pg_promo *p)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, PROMO_REC_VERSION);
    b2b2c__enc_i64(&w, p->start);
    b2b2c__enc_i64(&w, p->end);
    b2b2c__enc_i64(&w, p->planned);
    b2b2c__enc_bytes(&w, p->line, p->linelen);
    return b2b2c__st_put_rec(ctx, PG_T_PROMOS, p->key, p->keylen, &w);
}

/* Claim, version 1: promotion bytes, dealer bytes, amount i64, status u8,
 * submitted, decided and paid times i64 (INT64_MIN: not yet). */
static int claim_write(b2b2c_ctx *ctx, const pg_claim *c)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, CLAIM_REC_VERSION);
    b2b2c__enc_bytes(&w, c->bkey, c->bplen);
    b2b2c__enc_bytes(&w, c->bkey + c->bplen + 1, c->bkeylen - c->bplen - 1);
    b2b2c__enc_i64(&w, c->amount);
    b2b2c__enc_u8(&w, (uint8_t)c->status);
    for (int i = 0; i < 3; i++)
        b2b2c__enc_i64(&w, c->at[i]);
    return b2b2c__st_put_rec(ctx, PG_T_CLAIMS, c->id, c->idlen, &w);
}

static int day_ok(int64_t d)
{
    return d >= B2B2C_TIME_MIN / 86400 - 2 && d <= B2B2C_TIME_MAX / 86400 + 2;
}

/* A budget record into *out's record part (start .. line). */
static int promo_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                        const void *v, size_t vl, pg_promo *out,
                        size_t *plen)
{
    b2b2c__rbuf r;
    const void *line;
    const char *z;
    size_t ll;
    int rc = b2b2c__dec_begin(&r, v, vl, PROMO_REC_VERSION);

    if (rc)
        return b2b2c__err_corrupt(ctx, rc, PG_T_PROMOS, k, kl, NULL);
    out->start = b2b2c__dec_i64(&r);
    out->end = b2b2c__dec_i64(&r);
    out->planned = b2b2c__dec_i64(&r);
    line = b2b2c__dec_bytes(&r, &ll);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(ctx, rc, PG_T_PROMOS, k, kl, NULL);
    z = kl ? memchr(k, 0, kl) : NULL;
    if (!z || !id_ok(k, (size_t)(z - (const char *)k)) ||
        !id_ok(z + 1, kl - (size_t)(z - (const char *)k) - 1) ||
        !day_ok(out->start) || !day_ok(out->end) ||
        out->end <= out->start || out->planned < 0 ||
        out->planned > B2B2C_PROGRAMS_LINE_MAX ||
        (ll && (!line || !id_ok(line, ll))))
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_PROMOS, k, kl,
                                  NULL);
    *plen = (size_t)(z - (const char *)k);
    out->linelen = ll;
    memset(out->line, 0, sizeof(out->line));
    if (ll)
        memcpy(out->line, line, ll);
    return 0;
}

/* A claim record into *out's part from amount to bkey. */
static int claim_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                        const void *v, size_t vl, pg_claim *out)
{
    b2b2c__rbuf r;
    const void *pid, *did;
    size_t pl, dl;
    uint8_t st;
    int rc = b2b2c__dec_begin(&r, v, vl, CLAIM_REC_VERSION);

    if (rc)
        return b2b2c__err_corrupt(ctx, rc, PG_T_CLAIMS, k, kl, NULL);
    pid = b2b2c__dec_bytes(&r, &pl);
    did = b2b2c__dec_bytes(&r, &dl);
    out->amount = b2b2c__dec_i64(&r);
    st = b2b2c__dec_u8(&r);
    for (int i = 0; i < 3; i++)
        out->at[i] = b2b2c__dec_i64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(ctx, rc, PG_T_CLAIMS, k, kl, NULL);
    if (!id_ok(k, kl) || !pid || !id_ok(pid, pl) || !did ||
        !id_ok(did, dl) || st > B2B2C_PROMO_PAID || out->amount < 1 ||
        out->amount > B2B2C_PROGRAMS_LINE_MAX || !b2b2c__time_ok(out->at[0]) ||
        (st == B2B2C_PROMO_SUBMITTED) != (out->at[1] == NO_TIME) ||
        (st == B2B2C_PROMO_PAID) != (out->at[2] != NO_TIME) ||
        (out->at[1] != NO_TIME &&
         (!b2b2c__time_ok(out->at[1]) || out->at[1] < out->at[0])) ||
        (out->at[2] != NO_TIME &&
         (!b2b2c__time_ok(out->at[2]) || out->at[2] < out->at[1])))
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_CLAIMS, k, kl,
                                  NULL);
    out->status = st;
    out->pad = 0;
    out->bplen = pl;
    out->bkeylen = b2b2c__pg_budget_key(out->bkey, pid, pl, did, dl);
    return 0;
}

static pg_promo *promo_alloc(b2b2c_ctx *ctx, const void *key, size_t plen,
                             size_t klen)
{
    pg_promo *p = b2b2c__malloc(ctx, sizeof(*p) + klen + 1);
    if (!p)
        return NULL;
    memset(p, 0, sizeof(*p));
    p->plen = plen;
    p->keylen = klen;
    memcpy(p->key, key, klen);
    p->key[klen] = '\0';
    return p;
}

static pg_claim *claim_alloc(b2b2c_ctx *ctx, const void *id, size_t len)
{
    pg_claim *c = b2b2c__malloc(ctx, sizeof(*c) + len + 1);
    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->idlen = len;
    memcpy(c->id, id, len);
    c->id[len] = '\0';
    return c;
}

/* Add claim c to its budget's sums (no undo: the caller saved them).
 * B2B2C_ECORRUPT when the budget is missing or a sum passes 2^62. */
static int claim_add(b2b2c_programs *h, const pg_claim *c)
{
    pg_promo *p = b2b2c__map_get(&h->promos, c->bkey, c->bkeylen);
    if (!p)
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_CLAIMS, c->id,
                                  c->idlen, "a claim of an unknown budget");
    if (p->sum[c->status] > PG_AGG_MAX - c->amount)
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_CLAIMS, c->id,
                                  c->idlen, "the budget's sum passes 2^62");
    p->sum[c->status] += c->amount;
    p->nclaims++;
    return 0;
}

/* ---- open, refresh, free, digest ----------------------------------------------- */

static int load_promo(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_programs *h = payload;
    pg_promo tmp, *p;
    size_t plen;
    int rc = promo_decode(h->ctx, k, kl, v, vl, &tmp, &plen);

    if (rc)
        return rc;
    if (!b2b2c__map_get(&h->dealers, (const char *)k + plen + 1,
                        kl - plen - 1))
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_PROMOS, k, kl,
                                  "a budget of an unknown dealer");
    if (!(p = promo_alloc(h->ctx, k, plen, kl)))
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    p->start = tmp.start;
    p->end = tmp.end;
    p->planned = tmp.planned;
    p->linelen = tmp.linelen;
    memcpy(p->line, tmp.line, sizeof(p->line));
    if (b2b2c__map_put(&h->promos, p->key, kl, p, NULL)) {
        b2b2c__free(h->ctx, p);
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    }
    return 0;
}

static int load_claim(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_programs *h = payload;
    pg_claim *c = claim_alloc(h->ctx, k, kl);
    int rc;

    if (!c)
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = claim_decode(h->ctx, k, kl, v, vl, c)) != 0 ||
        (rc = claim_add(h, c)) != 0) {
        b2b2c__free(h->ctx, c);
        return rc;
    }
    if (b2b2c__map_put(&h->claims, c->id, kl, c, NULL)) {
        b2b2c__free(h->ctx, c);
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    }
    return 0;
}

int b2b2c__pg_promo_load(b2b2c_programs *h)
{
    int rc = b2b2c__st_scan(h->ctx, PG_T_PROMOS, load_promo, h);
    return rc ? rc : b2b2c__st_scan(h->ctx, PG_T_CLAIMS, load_claim, h);
}

static int mark_dirty(b2b2c_programs *h)
{
    int rc;
    if (h->promo_dirty)
        return 0;
    if ((rc = b2b2c__undo_save(h->ctx, &h->promo_dirty,
                               sizeof(h->promo_dirty))) != 0)
        return rc;
    h->promo_dirty = 1;
    return 0;
}

/* The record part of a budget (start .. line): saved whole for the undo
 * log when it is replaced. */
#define PROMO_REC_OFF offsetof(pg_promo, start)
#define PROMO_REC_LEN (offsetof(pg_promo, plen) - offsetof(pg_promo, start))
#define CLAIM_REC_LEN (offsetof(pg_claim, idlen))

static int promo_refresh(b2b2c_programs *h, const void *key, size_t klen,
                         const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_promo tmp, *p;
    size_t plen;
    int rc;

    if ((rc = promo_decode(ctx, key, klen, val, vlen, &tmp, &plen)) != 0)
        return rc;
    p = b2b2c__map_get(&h->promos, key, klen);
    if (p) {
        if ((rc = b2b2c__undo_save(ctx, &p->start, PROMO_REC_LEN)) != 0)
            return rc;
    } else {
        if (!(p = promo_alloc(ctx, key, plen, klen)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, p)) != 0) {
            b2b2c__free(ctx, p);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &h->promos, p->key, klen,
                                             p)) != 0)
            return rc;
    }
    p->start = tmp.start;
    p->end = tmp.end;
    p->planned = tmp.planned;
    p->linelen = tmp.linelen;
    memcpy(p->line, tmp.line, sizeof(p->line));
    return mark_dirty(h);
}

static int claim_refresh(b2b2c_programs *h, const void *key, size_t klen,
                         const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_claim tmp, *c;
    int rc;

    if ((rc = claim_decode(ctx, key, klen, val, vlen, &tmp)) != 0)
        return rc;
    c = b2b2c__map_get(&h->claims, key, klen);
    if (c) {
        if ((rc = b2b2c__undo_save(ctx, c, CLAIM_REC_LEN)) != 0)
            return rc;
    } else {
        if (!(c = claim_alloc(ctx, key, klen)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, c)) != 0) {
            b2b2c__free(ctx, c);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &h->claims, c->id, klen,
                                             c)) != 0)
            return rc;
    }
    memcpy(c, &tmp, CLAIM_REC_LEN);
    return mark_dirty(h);
}

int b2b2c__pg_promo_refresh(b2b2c_programs *h, const char *table,
                            const void *key, size_t klen, const void *val,
                            size_t vlen)
{
    if (!val) /* this library never deletes a budget or a claim */
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, table, key, klen,
                                  "deleted by another context, but this "
                                  "library never deletes these rows");
    if (strcmp(table, PG_T_PROMOS) == 0)
        return promo_refresh(h, key, klen, val, vlen);
    return claim_refresh(h, key, klen, val, vlen);
}

/* After a sync that brought budgets or claims: every budget's dealer and
 * every claim's budget must be known; the sums are redone from the
 * claims (O(budgets + claims), undone with a failed sync). */
int b2b2c__pg_promo_refresh_done(b2b2c_programs *h)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t i = 0;
    void *v;
    int rc;

    if (!h->promo_dirty)
        return 0;
    while (b2b2c__map_next(&h->promos, &i, NULL, NULL, &v)) {
        pg_promo *p = v;
        if (!b2b2c__map_get(&h->dealers, p->key + p->plen + 1,
                            p->keylen - p->plen - 1))
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_PROMOS,
                                      p->key, p->keylen,
                                      "a budget of an unknown dealer");
        if ((rc = b2b2c__undo_save(ctx, p->sum,
                                   sizeof(p->sum) + sizeof(p->nclaims))) !=
            0)
            return rc;
        memset(p->sum, 0, sizeof(p->sum));
        p->nclaims = 0;
    }
    i = 0;
    while (b2b2c__map_next(&h->claims, &i, NULL, NULL, &v))
        if ((rc = claim_add(h, v)) != 0)
            return rc;
    if ((rc = b2b2c__undo_save(ctx, &h->promo_dirty,
                               sizeof(h->promo_dirty))) != 0)
        return rc;
    h->promo_dirty = 0;
    return 0;
}

void b2b2c__pg_promo_clear(b2b2c_programs *h)
{
    size_t i = 0;
    void *v;
    while (b2b2c__map_next(&h->claims, &i, NULL, NULL, &v))
        b2b2c__free(h->ctx, v);
    i = 0;
    while (b2b2c__map_next(&h->promos, &i, NULL, NULL, &v))
        b2b2c__free(h->ctx, v);
    b2b2c__map_fini(&h->claims);
    b2b2c__map_fini(&h->promos);
}

uint64_t b2b2c__pg_promo_digest(const b2b2c_programs *h)
{
    uint64_t sum = 0;
    size_t i = 0;
    void *v;

    while (b2b2c__map_next(&h->promos, &i, NULL, NULL, &v)) {
        const pg_promo *p = v;
        uint64_t e = b2b2c__hash(p->key, p->keylen);
        e = b2b2c__mix64(e, (uint64_t)p->start);
        e = b2b2c__mix64(e, (uint64_t)p->end);
        e = b2b2c__mix64(e, (uint64_t)p->planned);
        e = b2b2c__mix64(e, b2b2c__hash(p->line, p->linelen));
        for (int k = 0; k < 4; k++)
            e = b2b2c__mix64(e, (uint64_t)p->sum[k]);
        e = b2b2c__mix64(e, (uint64_t)p->nclaims);
        sum += e * 2 + 1;
    }
    i = 0;
    while (b2b2c__map_next(&h->claims, &i, NULL, NULL, &v)) {
        const pg_claim *c = v;
        uint64_t e = b2b2c__hash(c->id, c->idlen);
        e = b2b2c__mix64(e, b2b2c__hash(c->bkey, c->bkeylen));
        e = b2b2c__mix64(e, (uint64_t)c->amount);
        e = b2b2c__mix64(e, (uint64_t)c->status);
        for (int k = 0; k < 3; k++)
            e = b2b2c__mix64(e, (uint64_t)c->at[k]);
        sum += e * 3 + 1;
    }
    return b2b2c__mix64(b2b2c__mix64(h->promos.count, h->claims.count) ^
                            (uint64_t)h->promo_dirty,
                        sum);
}

/* ---- budgets ------------------------------------------------------------------------ */

typedef struct promo_args {
    const char *pid, *did, *line;
    size_t plen, dlen, llen;
    int64_t d0, d1, planned;
} promo_args;

static int set_body(b2b2c_programs *h, const promo_args *a)
{
    b2b2c_ctx *ctx = h->ctx;
    char key[2 * B2B2C__ID_MAX + 2];
    size_t klen = b2b2c__pg_budget_key(key, a->pid, a->plen, a->did, a->dlen);
    pg_promo *p;
    int rc;

    if (!b2b2c__map_get(&h->dealers, a->did, a->dlen))
        return b2b2c__pg_no_dealer(ctx, "dealer_id", a->did, a->dlen);
    p = b2b2c__map_get(&h->promos, key, klen);
    if (p) {
        if (a->planned < held(p))
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "planned: %lld is below what the budget's "
                              "claims hold (%lld submitted, approved or "
                              "paid)",
                              (long long)a->planned, (long long)held(p));
        if ((rc = b2b2c__undo_save(ctx, &p->start, PROMO_REC_LEN)) != 0)
            return rc;
    } else {
        if (!(p = promo_alloc(ctx, key, a->plen, klen)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, p)) != 0) {
            b2b2c__free(ctx, p);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &h->promos, p->key, klen,
                                             p)) != 0)
            return rc;
    }
    p->start = a->d0;
    p->end = a->d1;
    p->planned = a->planned;
    p->linelen = a->llen;
    memset(p->line, 0, sizeof(p->line));
    if (a->llen)
        memcpy(p->line, a->line, a->llen);
    return promo_write(ctx, p);
}

int b2b2c_promo_set(b2b2c_programs *h, const char *promo_id,
                    const char *dealer_id, int64_t start, int64_t end,
                    int64_t planned, const char *product_line)
{
    b2b2c_ctx *ctx;
    promo_args a;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    memset(&a, 0, sizeof(a));
    if ((rc = b2b2c__pg_id_arg(ctx, promo_id, &a.plen, "promo_id")) != 0 ||
        (rc = b2b2c__pg_id_arg(ctx, dealer_id, &a.dlen, "dealer_id")) != 0 ||
        (product_line &&
         (rc = b2b2c__pg_id_arg(ctx, product_line, &a.llen, "product_line")) != 0) ||
        (rc = b2b2c__check_time(ctx, start, "start")) != 0 ||
        (rc = b2b2c__check_time(ctx, end, "end")) != 0)
        return rc;
    a.d0 = b2b2c__day(ctx, start);
    a.d1 = b2b2c__day(ctx, end);
    if (a.d1 <= a.d0)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "end: %lld is not on a day after start's (%lld): "
                          "the period is [day of start, day of end)",
                          (long long)end, (long long)start);
    if (planned < 0 || planned > B2B2C_PROGRAMS_LINE_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "planned: %lld is outside [0, 1e15] minor units",
                          (long long)planned);
    a.pid = promo_id;
    a.did = dealer_id;
    a.line = product_line;
    a.planned = planned;
    B2B2C__CALL(rc, ctx, h, set_body(h, &a));
    return rc;
}

/* ---- claims --------------------------------------------------------------------------- */

static int claim_body(b2b2c_programs *h, const char *cid, size_t clen,
                      const char *pid, size_t plen, const char *did,
                      size_t dlen, int64_t amount, int64_t t)
{
    b2b2c_ctx *ctx = h->ctx;
    char key[2 * B2B2C__ID_MAX + 2];
    size_t klen = b2b2c__pg_budget_key(key, pid, plen, did, dlen);
    pg_promo *p = b2b2c__map_get(&h->promos, key, klen);
    pg_claim *c;
    int64_t left;
    int rc;

    if (!p) {
        if (!b2b2c__map_get(&h->dealers, did, dlen))
            return b2b2c__pg_no_dealer(ctx, "dealer_id", did, dlen);
        return b2b2c__pg_no_budget(ctx, pid, plen, did, dlen);
    }
    if (b2b2c__map_get(&h->claims, cid, clen)) {
        char esc[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(esc, sizeof(esc), cid, clen);
        return b2b2c__err(ctx, B2B2C_EEXISTS, "claim_id: '%s' exists", esc);
    }
    left = p->planned - held(p);
    if (amount > left) {
        char e1[4 * B2B2C__KEY_SHOWN + 8], e2[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(e1, sizeof(e1), pid, plen);
        b2b2c__key_escape(e2, sizeof(e2), did, dlen);
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "amount: %lld is over the remaining budget (%lld "
                          "of %lld planned) of promotion '%s' for dealer "
                          "'%s'",
                          (long long)amount, (long long)left,
                          (long long)p->planned, e1, e2);
    }
    if (!(c = claim_alloc(ctx, cid, clen)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_free_on_fail(ctx, c)) != 0) {
        b2b2c__free(ctx, c);
        return rc;
    }
    c->amount = amount;
    c->status = B2B2C_PROMO_SUBMITTED;
    c->at[0] = t;
    c->at[1] = c->at[2] = NO_TIME;
    c->bplen = plen;
    c->bkeylen = b2b2c__pg_budget_key(c->bkey, pid, plen, did, dlen);
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->claims, c->id, clen, c)) ||
        (rc = b2b2c__undo_save(ctx, p->sum,
                               sizeof(p->sum) + sizeof(p->nclaims))) != 0)
        return rc;
    p->sum[B2B2C_PROMO_SUBMITTED] += amount;
    p->nclaims++;
    return claim_write(ctx, c);
}

int b2b2c_promo_claim(b2b2c_programs *h, const char *claim_id,
                      const char *promo_id, const char *dealer_id,
                      int64_t amount, int64_t t)
{
    b2b2c_ctx *ctx;
    size_t clen, plen, dlen;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__pg_id_arg(ctx, claim_id, &clen, "claim_id")) != 0 ||
        (rc = b2b2c__pg_id_arg(ctx, promo_id, &plen, "promo_id")) != 0 ||
        (rc = b2b2c__pg_id_arg(ctx, dealer_id, &dlen, "dealer_id")) != 0 ||
        (rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    if (amount < 1 || amount > B2B2C_PROGRAMS_LINE_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "amount: %lld is outside [1, 1e15] minor units",
                          (long long)amount);
    B2B2C__CALL(rc, ctx, h,
                claim_body(h, claim_id, clen, promo_id, plen, dealer_id, dlen,
                           amount, t));
    return rc;
}

/* The allowed steps: submitted -> approved | rejected, approved -> paid. */
static int step_ok(int32_t from, int32_t to)
{
    return (from == B2B2C_PROMO_SUBMITTED &&
            (to == B2B2C_PROMO_APPROVED || to == B2B2C_PROMO_REJECTED)) ||
           (from == B2B2C_PROMO_APPROVED && to == B2B2C_PROMO_PAID);
}

static int status_body(b2b2c_programs *h, const char *cid, size_t clen,
                       int32_t to, int64_t t)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_claim *c = b2b2c__map_get(&h->claims, cid, clen);
    char esc[4 * B2B2C__KEY_SHOWN + 8];
    pg_promo *p;
    int64_t last;
    int rc;

    b2b2c__key_escape(esc, sizeof(esc), cid, clen);
    if (!c)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "claim_id: no claim '%s'",
                          esc);
    if (!step_ok(c->status, to))
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "status: claim '%s' cannot go from %s to %s "
                          "(submitted -> approved or rejected, approved -> "
                          "paid)",
                          esc, status_names[c->status], status_names[to]);
    last = c->at[1] != NO_TIME ? c->at[1] : c->at[0];
    if (t < last)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "t: %lld is before the claim's previous step "
                          "(%s at %lld)",
                          (long long)t, status_names[c->status],
                          (long long)last);
    p = b2b2c__map_get(&h->promos, c->bkey, c->bkeylen);
    if (!p)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_CLAIMS, c->id,
                                  c->idlen, "a claim of an unknown budget");
    if (p->sum[to] > PG_AGG_MAX - c->amount)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "claim_id: the budget's %s total would pass 2^62",
                          status_names[to]);
    if ((rc = b2b2c__undo_save(ctx, c, CLAIM_REC_LEN)) != 0 ||
        (rc = b2b2c__undo_save(ctx, p->sum, sizeof(p->sum))) != 0)
        return rc;
    p->sum[c->status] -= c->amount;
    p->sum[to] += c->amount;
    c->at[to == B2B2C_PROMO_PAID ? 2 : 1] = t;
    c->status = to;
    return claim_write(ctx, c);
}

int b2b2c_promo_claim_status(b2b2c_programs *h, const char *claim_id,
                             int32_t status, int64_t t)
{
    b2b2c_ctx *ctx;
    size_t clen;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__pg_id_arg(ctx, claim_id, &clen, "claim_id")) != 0)
        return rc;
    if (status < 0 || status > B2B2C_PROMO_PAID)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "status: %d is not a claim status", (int)status);
    if ((rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    B2B2C__CALL(rc, ctx, h, status_body(h, claim_id, clen, status, t));
    return rc;
}

/* ---- claim listing ------------------------------------------------------------------- */

/* Does budget key k (promotion length pl, key length kl) pass the
 * filters (length 0: any)? */
static int key_match(const char *k, size_t pl, size_t kl, const char *pid,
                     size_t plen, const char *did, size_t dlen)
{
    if (plen && (pl != plen || memcmp(k, pid, plen) != 0))
        return 0;
    if (dlen && (kl - pl - 1 != dlen || memcmp(k + pl + 1, did, dlen) != 0))
        return 0;
    return 1;
}

static int emit_claim(const b2b2c__list *l, const void *rec)
{
    const pg_claim *c = rec;
    int64_t f[B2B2C_PROMO_C_NFIELDS];
    f[B2B2C_PROMO_C_AMOUNT] = c->amount;
    f[B2B2C_PROMO_C_STATUS] = c->status;
    f[B2B2C_PROMO_C_SUBMITTED_AT] = c->at[0];
    f[B2B2C_PROMO_C_DECIDED_AT] = c->at[1];
    f[B2B2C_PROMO_C_PAID_AT] = c->at[2];
    return ((b2b2c_promo_claim_cb)l->cb)(c->id, c->bkey,
                                         c->bkey + c->bplen + 1, f,
                                         B2B2C_PROMO_C_NFIELDS, l->userdata);
}

int b2b2c_promo_list_claims(const b2b2c_programs *h, const char *promo_id,
                            const char *dealer_id, b2b2c_promo_claim_cb cb,
                            void *userdata)
{
    b2b2c__list l;
    size_t plen, dlen, i = 0;
    void *v;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, h->ctx, (b2b2c__list_fn)cb, userdata)) ||
        (rc = filter_arg(h->ctx, promo_id, &plen, "promo_id")) != 0 ||
        (rc = filter_arg(h->ctx, dealer_id, &dlen, "dealer_id")) != 0 ||
        (rc = b2b2c__sync_read(h->ctx)) != 0 ||
        (rc = b2b2c__list_reserve(&l, h->claims.count)) != 0)
        return rc;
    while (b2b2c__map_next(&h->claims, &i, NULL, NULL, &v)) {
        const pg_claim *c = v;
        if (key_match(c->bkey, c->bplen, c->bkeylen, promo_id, plen,
                      dealer_id, dlen))
            b2b2c__list_add(&l, c->id, c->idlen, c);
    }
    return b2b2c__list_emit(&l, emit_claim);
}

/* ---- spend vs plan ---------------------------------------------------------------- */

typedef struct srow {
    const char *pid, *did; /* NUL-terminated; NULL in an aggregate */
    int64_t f[B2B2C_PROMO_S_NFIELDS];
} srow;

static int emit_spend(const b2b2c__list *l, const void *rec)
{
    const srow *r = rec;
    return ((b2b2c_promo_spend_cb)l->cb)(r->pid, r->did, r->f,
                                         B2B2C_PROMO_S_NFIELDS, l->userdata);
}

/* a += b, B2B2C_ERANGE past 2^63 (b >= 0). */
static int add_ok(int64_t *a, int64_t b)
{
    if (*a > INT64_MAX - b)
        return B2B2C_ERANGE;
    *a += b;
    return 0;
}

/* Add budget p to row r (the first budget sets the period). */
static int spend_add(const b2b2c_ctx *ctx, srow *r, const pg_promo *p)
{
    int64_t *f = r->f, s = b2b2c__day_start(ctx, p->start),
            e = b2b2c__day_start(ctx, p->end);
    if (f[B2B2C_PROMO_S_BUDGETS] == 0 || s < f[B2B2C_PROMO_S_START])
        f[B2B2C_PROMO_S_START] = s;
    if (f[B2B2C_PROMO_S_BUDGETS] == 0 || e > f[B2B2C_PROMO_S_END])
        f[B2B2C_PROMO_S_END] = e;
    f[B2B2C_PROMO_S_BUDGETS]++;
    f[B2B2C_PROMO_S_CLAIMS] += p->nclaims;
    if (add_ok(&f[B2B2C_PROMO_S_PLANNED], p->planned) ||
        add_ok(&f[B2B2C_PROMO_S_SUBMITTED], p->sum[B2B2C_PROMO_SUBMITTED]) ||
        add_ok(&f[B2B2C_PROMO_S_APPROVED], p->sum[B2B2C_PROMO_APPROVED]) ||
        add_ok(&f[B2B2C_PROMO_S_PAID], p->sum[B2B2C_PROMO_PAID]) ||
        add_ok(&f[B2B2C_PROMO_S_REJECTED], p->sum[B2B2C_PROMO_REJECTED]))
        return B2B2C_ERANGE;
    /* spent <= held <= planned per budget, so these stay in range */
    f[B2B2C_PROMO_S_SPENT] =
        f[B2B2C_PROMO_S_APPROVED] + f[B2B2C_PROMO_S_PAID];
    f[B2B2C_PROMO_S_REMAINING] = f[B2B2C_PROMO_S_PLANNED] -
                                 f[B2B2C_PROMO_S_SUBMITTED] -
                                 f[B2B2C_PROMO_S_SPENT];
    return 0;
}

/* Order of budgets by their dealer ID (bytewise, the shorter first). */
static int by_dealer(const void *a, const void *b)
{
    const pg_promo *x = *(const pg_promo *const *)a,
                   *y = *(const pg_promo *const *)b;
    size_t xl = x->keylen - x->plen - 1, yl = y->keylen - y->plen - 1;
    int c = memcmp(x->key + x->plen + 1, y->key + y->plen + 1,
                   xl < yl ? xl : yl);
    return c ? c : (xl > yl) - (xl < yl);
}

/* By promotion ID (the key starts with it and its NUL). */
static int by_promo(const void *a, const void *b)
{
    const pg_promo *x = *(const pg_promo *const *)a,
                   *y = *(const pg_promo *const *)b;
    size_t n = (x->plen < y->plen ? x->plen : y->plen) + 1;
    return memcmp(x->key, y->key, n);
}

int b2b2c_promo_spend_list(const b2b2c_programs *h, int32_t scope,
                           const char *promo_id, const char *dealer_id,
                           b2b2c_promo_spend_cb cb, void *userdata)
{
    b2b2c__list l;
    b2b2c_ctx *ctx;
    const pg_promo **bv = NULL;
    srow *rows = NULL;
    size_t plen, dlen, i = 0, nb = 0, nr = 0;
    void *v;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = b2b2c__list_open(&l, ctx, (b2b2c__list_fn)cb, userdata)) != 0)
        return rc;
    if (scope < B2B2C_PROMO_BY_BUDGET || scope > B2B2C_PROMO_BY_DEALER)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "scope: %d is not by budget (0), promotion (1) "
                          "or dealer (2)",
                          (int)scope);
    if ((rc = filter_arg(ctx, promo_id, &plen, "promo_id")) != 0 ||
        (rc = filter_arg(ctx, dealer_id, &dlen, "dealer_id")) != 0 ||
        (rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    bv = b2b2c__malloc(ctx, (h->promos.count + 1) * sizeof(*bv));
    rows = b2b2c__malloc(ctx, (h->promos.count + 1) * sizeof(*rows));
    if (!bv || !rows) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    while (b2b2c__map_next(&h->promos, &i, NULL, NULL, &v)) {
        const pg_promo *p = v;
        if (key_match(p->key, p->plen, p->keylen, promo_id, plen, dealer_id,
                      dlen))
            bv[nb++] = p;
    }
    if (scope != B2B2C_PROMO_BY_BUDGET)
        qsort(bv, nb, sizeof(*bv),
              scope == B2B2C_PROMO_BY_PROMO ? by_promo : by_dealer);
    for (size_t k = 0; k < nb; k++) {
        const pg_promo *p = bv[k];
        if (scope == B2B2C_PROMO_BY_BUDGET || nr == 0 ||
            (scope == B2B2C_PROMO_BY_PROMO ? by_promo : by_dealer)(
                &bv[k - 1], &bv[k]) != 0) {
            memset(&rows[nr], 0, sizeof(rows[nr]));
            rows[nr].pid = scope == B2B2C_PROMO_BY_DEALER ? NULL : p->key;
            rows[nr].did = scope == B2B2C_PROMO_BY_PROMO
                               ? NULL
                               : p->key + p->plen + 1;
            nr++;
        }
        if (spend_add(ctx, &rows[nr - 1], p) != 0) {
            char esc[4 * B2B2C__KEY_SHOWN + 8];
            b2b2c__key_escape(esc, sizeof(esc),
                              scope == B2B2C_PROMO_BY_DEALER
                                  ? p->key + p->plen + 1
                                  : p->key,
                              scope == B2B2C_PROMO_BY_DEALER
                                  ? p->keylen - p->plen - 1
                                  : p->plen);
            rc = b2b2c__err(ctx, B2B2C_ERANGE,
                            "scope: a sum of '%s' passes 2^63", esc);
            goto out;
        }
    }
    if ((rc = b2b2c__list_reserve(&l, nr)) != 0)
        goto out;
    for (size_t k = 0; k < nr; k++) {
        const srow *r = &rows[k];
        if (scope == B2B2C_PROMO_BY_BUDGET) /* promo NUL dealer */
            b2b2c__list_add(&l, r->pid,
                            strlen(r->pid) + 1 + strlen(r->did), r);
        else
            b2b2c__list_add(&l, r->pid ? r->pid : r->did,
                            strlen(r->pid ? r->pid : r->did), r);
    }
    rc = b2b2c__list_emit(&l, emit_spend);
out:
    b2b2c__free(ctx, rows);
    b2b2c__free(ctx, bv);
    return rc;
}
