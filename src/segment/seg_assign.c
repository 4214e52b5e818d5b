/* SPDX-License-Identifier: MIT */
/* Segment assignments: each account's history of segments (classified or
 * set by hand) and the migrations between segments. */
#include <stdlib.h>

#include "segment_internal.h"

/* ---- assignments ---------------------------------------------------------- */

static int account_write(b2b2c_segmenter *s, const seg_account *a)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &s->ctx->mem, 1);
    b2b2c__enc_u32(&w, (uint32_t)a->n);
    for (size_t i = 0; i < a->n; i++) {
        const seg_hist *h = &a->h[i];
        b2b2c__enc_i64(&w, h->time);
        b2b2c__enc_i64(&w, h->version);
        b2b2c__enc_f64(&w, h->confidence);
        b2b2c__enc_u32(&w, (uint32_t)h->segment);
        b2b2c__enc_bytes(&w, a->names + h->rule_off, h->rule_len);
    }
    return b2b2c__st_put_rec(s->ctx, T_ASSIGN, a->id, a->idlen, &w);
}

/* An account block: `old`'s entries (if any) plus room for `extra` entries
 * and `extra_names` more name bytes. */
seg_account *b2b2c__seg_account_alloc(b2b2c_ctx *ctx, const char *id,
                                      size_t idlen, size_t n, size_t nameslen)
{
    size_t off_id = sizeof(seg_account);
    size_t off_h = (off_id + idlen + 1 + 7) & ~(size_t)7;
    size_t off_names = off_h + n * sizeof(seg_hist);
    seg_account *a = b2b2c__malloc(ctx, off_names + nameslen + 1);
    if (!a)
        return NULL;
    a->idlen = idlen;
    a->n = n;
    a->nameslen = nameslen;
    a->id = (char *)a + off_id;
    memcpy(a->id, id, idlen);
    a->id[idlen] = '\0';
    a->h = (seg_hist *)(void *)((char *)a + off_h);
    a->names = (char *)a + off_names;
    return a;
}

/* Append an entry to the history of account_id (n bytes), undoably. */
static int assign_entry(b2b2c_segmenter *s, const char *account_id, size_t n,
                        int32_t segment, double confidence, const char *rule,
                        int64_t now)
{
    b2b2c_ctx *ctx = s->ctx;
    size_t rl = strlen(rule);
    seg_account *old, *a;
    seg_hist *h;
    int rc;

    old = b2b2c__map_get(&s->accounts, account_id, n);
    if (old) {
        const seg_hist *last = &old->h[old->n - 1];
        if ((rc = b2b2c__check_not_before(ctx, now, "now", last->time,
                                          "the last assignment of account",
                                          account_id)) != 0)
            return rc;
        if (last->segment == segment && last->version == s->version)
            return 0;
    }
    a = b2b2c__seg_account_alloc(ctx, account_id, n, old ? old->n + 1 : 1,
                                 (old ? old->nameslen : 0) + rl);
    if (!a)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_free_on_fail(ctx, a)) != 0) {
        b2b2c__free(ctx, a);
        return b2b2c__err(ctx, rc, "out of memory");
    }
    if (old) {
        memcpy(a->h, old->h, old->n * sizeof(seg_hist));
        memcpy(a->names, old->names, old->nameslen);
        if ((rc = b2b2c__undo_free_on_commit(ctx, old)) != 0 ||
            (rc = b2b2c__map_remove_undoable(ctx, &s->accounts, account_id,
                                             n)) != 0)
            return b2b2c__err(ctx, rc, "out of memory");
    }
    h = &a->h[a->n - 1];
    h->time = now;
    h->version = s->version;
    h->confidence = confidence;
    h->segment = segment;
    h->rule_off = (uint32_t)(a->nameslen - rl);
    h->rule_len = (uint32_t)rl;
    memcpy(a->names + h->rule_off, rule, rl);
    if ((rc = b2b2c__map_insert_undoable(ctx, &s->accounts, a->id, n, a)))
        return b2b2c__err(ctx, rc, "out of memory");
    return account_write(s, a);
}

/* The argument checks of both assignment calls, in their order: the
 * handle (B2B2C_EINVAL without a message), account_id, then attrs (when
 * classifying) or segment (set by hand), the ID, now. *n: the ID's length. */
static int assign_args(size_t *n, b2b2c_segmenter *s, const char *account_id,
                       int by_hand, const b2b2c_segment_attrs *attrs,
                       int32_t segment, int64_t now)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!account_id)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "account_id: NULL");
    if (!by_hand && !attrs)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "attrs: NULL");
    if (by_hand && !b2b2c_segment_name(segment))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (b2b2c__id_check(account_id, n))
        return b2b2c__err(s->ctx, B2B2C_EBADID, "account_id: not a valid ID");
    return b2b2c__check_time(s->ctx, now, "now");
}

/* Classify with the rules of the latest state, then record the verdict. */
static int assign_body(seg_verdict *vd, b2b2c_segmenter *s,
                       const char *account_id, size_t n,
                       const b2b2c_segment_attrs *attrs, int64_t now)
{
    b2b2c__seg_classify_core(vd, s, attrs->v, attrs->present);
    return assign_entry(s, account_id, n, vd->segment, vd->confidence,
                        vd->rule ? vd->rule->id : "none", now);
}

int b2b2c_segmenter_assign(int32_t *segment, b2b2c_segmenter *s,
                           const char *account_id, const b2b2c_segment_attrs *attrs,
                           int64_t now)
{
    seg_verdict vd;
    size_t n;
    int rc = assign_args(&n, s, account_id, 0, attrs, 0, now);
    if (rc)
        return rc;
    B2B2C__CALL(rc, s->ctx, s,
                assign_body(&vd, s, account_id, n, attrs, now));
    if (rc == 0) {
        b2b2c__seg_explain(s, &vd, attrs->v, attrs->present);
        if (segment)
            *segment = vd.segment;
    }
    return rc;
}

int b2b2c_segmenter_assign_segment(b2b2c_segmenter *s,
                                   const char *account_id, int32_t segment,
                                   int64_t now)
{
    size_t n;
    int rc = assign_args(&n, s, account_id, 1, NULL, segment, now);
    if (rc)
        return rc;
    B2B2C__CALL(rc, s->ctx, s,
                assign_entry(s, account_id, n, segment, 1.0, "manual", now));
    return rc;
}

static const seg_account *account_find(const b2b2c_segmenter *s,
                                       const char *account_id, int *rc)
{
    size_t n;
    const seg_account *a;
    if (!account_id) {
        *rc = b2b2c__err(s->ctx, B2B2C_EINVAL, "account_id: NULL");
        return NULL;
    }
    if (b2b2c__id_check(account_id, &n)) {
        *rc = b2b2c__err(s->ctx, B2B2C_EBADID, "account_id: not a valid ID");
        return NULL;
    }
    if ((*rc = b2b2c__sync_read(s->ctx)) != 0)
        return NULL;
    a = b2b2c__map_get(&s->accounts, account_id, n);
    if (!a)
        *rc = b2b2c__err(s->ctx, B2B2C_ENOTFOUND,
                         "account_id: '%s' has no assignment", account_id);
    return a;
}

int b2b2c_segmenter_assignment(int32_t *segment, int64_t *since,
                               int64_t *version, const b2b2c_segmenter *s,
                               const char *account_id)
{
    const seg_account *a;
    const seg_hist *h;
    int rc = 0;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!(a = account_find(s, account_id, &rc)))
        return rc;
    h = &a->h[a->n - 1];
    if (segment)
        *segment = h->segment;
    if (since)
        *since = h->time;
    if (version)
        *version = h->version;
    return 0;
}

static int emit(b2b2c_segmenter *s, const seg_account *a, size_t i,
                b2b2c_seg_change_cb cb, void *payload)
{
    char rule[B2B2C__ID_MAX + 8];
    const seg_hist *h = &a->h[i];
    size_t rl = h->rule_len < sizeof(rule) - 1 ? h->rule_len
                                                : sizeof(rule) - 1;
    memcpy(rule, a->names + h->rule_off, rl);
    rule[rl] = '\0';
    (void)s;
    return cb(a->id, h->time, i ? a->h[i - 1].segment : B2B2C_SEGMENT_UNKNOWN,
              h->segment, h->version, rule, h->confidence, payload);
}

/* Entry checks of the change-stream readers (history, migrations): the
 * handle, then clear the error, then the callback. */
static int change_reader_begin(b2b2c_segmenter *s, b2b2c_seg_change_cb cb)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!cb)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "cb: NULL");
    return 0;
}

int b2b2c_segmenter_history(b2b2c_segmenter *s, const char *account_id,
                            b2b2c_seg_change_cb cb, void *payload)
{
    const seg_account *a;
    int rc = change_reader_begin(s, cb);
    if (rc)
        return rc;
    if (!(a = account_find(s, account_id, &rc)))
        return rc;
    b2b2c__cb_enter(s->ctx); /* one rule: no mutation from callbacks */
    for (size_t i = 0; i < a->n && rc == 0; i++)
        rc = emit(s, a, i, cb, payload);
    b2b2c__cb_leave(s->ctx);
    return rc;
}

typedef struct mig_ref {
    const seg_account *a;
    size_t i;
} mig_ref;

static int mig_cmp(const void *pa, const void *pb)
{
    const mig_ref *x = pa, *y = pb;
    int64_t tx = x->a->h[x->i].time, ty = y->a->h[y->i].time;
    size_t n;
    int c;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    if (x->a != y->a) {
        n = x->a->idlen < y->a->idlen ? x->a->idlen : y->a->idlen;
        c = memcmp(x->a->id, y->a->id, n);
        if (c)
            return c;
        return x->a->idlen < y->a->idlen ? -1 : 1;
    }
    return x->i < y->i ? -1 : x->i > y->i;
}

int b2b2c_segmenter_migrations(b2b2c_segmenter *s, int64_t since,
                               b2b2c_seg_change_cb cb, void *payload)
{
    size_t it = 0, cnt = 0, k = 0;
    void *v;
    mig_ref *refs;
    int rc = change_reader_begin(s, cb);

    if (rc || (rc = b2b2c__sync_read(s->ctx)) != 0)
        return rc;
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        for (size_t i = 1; i < a->n; i++)
            if (a->h[i].time >= since && a->h[i].segment != a->h[i - 1].segment)
                cnt++;
    }
    if (cnt == 0)
        return 0;
    refs = b2b2c__malloc(s->ctx, cnt * sizeof(*refs));
    if (!refs)
        return b2b2c__err(s->ctx, B2B2C_ENOMEM, "out of memory");
    it = 0;
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        for (size_t i = 1; i < a->n; i++)
            if (a->h[i].time >= since &&
                a->h[i].segment != a->h[i - 1].segment) {
                refs[k].a = a;
                refs[k].i = i;
                k++;
            }
    }
    qsort(refs, cnt, sizeof(*refs), mig_cmp);
    b2b2c__cb_enter(s->ctx); /* one rule: no mutation from callbacks */
    for (k = 0; k < cnt && rc == 0; k++)
        rc = emit(s, refs[k].a, refs[k].i, cb, payload);
    b2b2c__cb_leave(s->ctx);
    b2b2c__free(s->ctx, refs);
    return rc;
}

/* ---- erasure (issue 20) ----------------------------------------------------- */

static int erase_body(b2b2c_segmenter *s, const char *account_id, size_t n)
{
    b2b2c_ctx *ctx = s->ctx;
    seg_account *a = b2b2c__map_get(&s->accounts, account_id, n);
    int rc;

    if (!a)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "account_id: no account '%s'", account_id);
    if ((rc = b2b2c__map_remove_undoable(ctx, &s->accounts, account_id, n)) ||
        (rc = b2b2c__undo_free_on_commit(ctx, a)) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    if ((rc = b2b2c__st_del(ctx, T_ASSIGN, account_id, n)) != 0)
        return rc;
    b2b2c__sync_forget(ctx);
    return 0;
}

int b2b2c__seg_erase_op(void *h, const char *id, size_t n)
{
    return erase_body(h, id, n);
}

int b2b2c_segmenter_erase(b2b2c_segmenter *s, const char *account_id)
{
    size_t n;
    int rc;

    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!account_id)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "account_id: NULL");
    if (b2b2c__id_check(account_id, &n))
        return b2b2c__err(s->ctx, B2B2C_EBADID, "account_id: not a valid ID");
    B2B2C__CALL(rc, s->ctx, s, erase_body(s, account_id, n));
    return rc;
}
