/* SPDX-License-Identifier: MIT */
/*
 * Deal registration (issue 14, docs/dealer-allocation.md "Deal
 * registration"): a dealer claims an opportunity (customer key, product
 * line); the first live claim wins, the manufacturer approves, rejects or
 * extends it, it lapses after REG_DAYS, and it is won when the
 * registering dealer records the customer's win.
 *
 * Every registration is kept (scorecards count them by submission time):
 * in e->regs under its number and in table dealer_regs under the number's
 * 8 bytes, big-endian; the record (version 1) is the slot key
 * ([key length u8][customer key][product line], the owners' layout), the
 * dealer's ID, state (u8), value (f64), expected close, since, until,
 * approved and ended (i64). The latest registration of a key is its slot's
 * `cur` (e->regkeys), so a conflict check is one map probe. Numbers are
 * dense from 1 and taken inside the call's transaction, after the context
 * was brought up to date, so two contexts never reuse one. Records are
 * never deleted; other contexts apply them through refresh (dealer_sync.c,
 * apply_reg).
 */
#include "dealer_int.h"

/* ---- records --------------------------------------------------------- */

static void seq_key(unsigned char *sk, uint64_t seq)
{
    for (int i = 7; i >= 0; i--, seq >>= 8)
        sk[i] = (unsigned char)seq;
}

static int write_reg(b2b2c_dealer_engine *e, const reg *r)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_bytes(&w, r->slot->key, r->slot->klen);
    b2b2c__enc_str(&w, e->dealers[r->m.dealer]->id);
    b2b2c__enc_u8(&w, (uint8_t)r->m.state);
    b2b2c__enc_f64(&w, r->m.value);
    b2b2c__enc_i64(&w, r->m.close);
    b2b2c__enc_i64(&w, r->m.since);
    b2b2c__enc_i64(&w, r->m.until);
    b2b2c__enc_i64(&w, r->m.approved);
    b2b2c__enc_i64(&w, r->m.ended);
    return b2b2c__st_put_rec(e->ctx, T_REGS, r->sk, sizeof r->sk, &w);
}

/* A registration record decoded into m, its slot key into *ck (inside v);
 * shared by the loader and refresh. */
int b2b2c__dealer_dec_reg(b2b2c_dealer_engine *e, const void *k, size_t kl,
                          const void *v, size_t vl, rmut *m,
                          const unsigned char **ck, size_t *cklen)
{
    b2b2c__rbuf r;
    const void *did, *sk;
    size_t n = 0, skl = 0;
    uint64_t seq = 0;
    dealer *d;
    int rc;
    if (kl == 8)
        for (size_t i = 0; i < 8; i++)
            seq = seq << 8 | ((const unsigned char *)k)[i];
    if (seq == 0)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                  "bad registration number");
    if ((rc = b2b2c__dec_begin(&r, v, vl, 1)) != 0)
        return b2b2c__err_corrupt(e->ctx, rc, T_REGS, k, kl, NULL);
    sk = b2b2c__dec_bytes(&r, &skl);
    did = b2b2c__dec_bytes(&r, &n);
    m->state = b2b2c__dec_u8(&r);
    m->value = b2b2c__dec_f64(&r);
    m->close = b2b2c__dec_i64(&r);
    m->since = b2b2c__dec_i64(&r);
    m->until = b2b2c__dec_i64(&r);
    m->approved = b2b2c__dec_i64(&r);
    m->ended = b2b2c__dec_i64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(e->ctx, rc, T_REGS, k, kl, NULL);
    if (!sk || !b2b2c__dealer_owner_key_ok(sk, skl))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                  "bad customer key");
    if (!did || !n || !(d = b2b2c__map_get(&e->dmap, did, n)))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                  "no such dealer");
    m->dealer = d->idx;
    if (m->state < B2B2C_DEALER_REG_PENDING ||
        m->state > B2B2C_DEALER_REG_WON)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                  "bad state %d", (int)m->state);
    if (!(m->value >= 0 && m->value <= B2B2C_AMOUNT_MAX))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                  "bad value");
    if (!time_ok(m->close) || !time_ok(m->since) || !time_ok(m->until) ||
        m->until < m->since ||
        (m->approved != REG_NEVER && !time_ok(m->approved)) ||
        (m->ended != REG_NEVER && !time_ok(m->ended)) ||
        ((m->ended == REG_NEVER) !=
         (m->state == B2B2C_DEALER_REG_PENDING ||
          m->state == B2B2C_DEALER_REG_APPROVED)))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                  "time out of range");
    *ck = sk;
    *cklen = skl;
    return 0;
}

/* Set registration number k (its 8-byte key) to m, creating it and its
 * slot as needed; the slot's latest is the highest number. Under undo
 * entries when undoable (the loader's is not). */
int b2b2c__dealer_reg_put(b2b2c_dealer_engine *e, const void *k, size_t kl,
                          const rmut *m, const unsigned char *ck,
                          size_t cklen, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    reg *r = b2b2c__map_get(&e->regs, k, kl);
    regslot *s;
    int rc;
    if (r) {
        if (r->slot->klen != cklen || memcmp(r->slot->key, ck, cklen) != 0)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_REGS, k, kl,
                                      "the registration's key changed");
        if (undoable && (rc = b2b2c__undo_save(ctx, &r->m, sizeof r->m)))
            return rc;
        r->m = *m;
        return 0;
    }
    if (!(s = b2b2c__map_get(&e->regkeys, ck, cklen))) {
        if (!(s = b2b2c__malloc(ctx, sizeof(*s) + cklen)))
            return oom(ctx);
        s->cur = NULL;
        s->klen = cklen;
        memcpy(s->key, ck, cklen);
        if ((rc = b2b2c__dealer_map_add(e, &e->regkeys, s->key, cklen, s,
                                        undoable)) != 0)
            return rc;
    }
    if (!(r = b2b2c__malloc(ctx, sizeof(*r))))
        return oom(ctx);
    r->m = *m;
    r->slot = s;
    memcpy(r->sk, k, 8);
    r->seq = 0;
    for (size_t i = 0; i < 8; i++)
        r->seq = r->seq << 8 | r->sk[i];
    if (!undoable) {
        if (b2b2c__map_put(&e->regs, r->sk, 8, r, NULL)) {
            b2b2c__free(ctx, r);
            return oom(ctx);
        }
    } else if ((rc = b2b2c__undo_free_on_fail(ctx, r)) != 0) {
        b2b2c__free(ctx, r);
        return rc;
    } else if ((rc = b2b2c__map_insert_undoable(ctx, &e->regs, r->sk, 8,
                                                r)) != 0 ||
               (rc = b2b2c__undo_save(ctx, &s->cur, sizeof s->cur)) != 0 ||
               (rc = b2b2c__undo_save(ctx, &e->reg_seq,
                                      sizeof e->reg_seq)) != 0) {
        return rc;
    }
    if (!s->cur || s->cur->seq < r->seq)
        s->cur = r;
    if (r->seq > e->reg_seq)
        e->reg_seq = r->seq;
    return 0;
}

static int load_reg(const void *k, size_t kl, const void *v, size_t vl,
                    void *payload)
{
    b2b2c_dealer_engine *e = payload;
    const unsigned char *ck;
    size_t cklen;
    rmut m;
    int rc = b2b2c__dealer_dec_reg(e, k, kl, v, vl, &m, &ck, &cklen);
    return rc ? rc : b2b2c__dealer_reg_put(e, k, kl, &m, ck, cklen, 0);
}

int b2b2c__dealer_load_regs(b2b2c_dealer_engine *e)
{
    return b2b2c__st_scan(e->ctx, T_REGS, load_reg, e);
}

void b2b2c__dealer_regs_clear(b2b2c_dealer_engine *e)
{
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&e->regs, &it, NULL, NULL, &v))
        b2b2c__free(e->ctx, v);
    it = 0;
    while (b2b2c__map_next(&e->regkeys, &it, NULL, NULL, &v))
        b2b2c__free(e->ctx, v);
    b2b2c__map_fini(&e->regs);
    b2b2c__map_fini(&e->regkeys);
}

uint64_t b2b2c__dealer_regs_digest(const b2b2c_dealer_engine *e)
{
    uint64_t sum = 0;
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&e->regs, &it, NULL, NULL, &v)) {
        const reg *r = v;
        uint64_t h = b2b2c__hash(r->slot->key, r->slot->klen);
        h = b2b2c__mix64(h, r->seq);
        h = b2b2c__mix64(h, (uint64_t)r->m.state << 32 | r->m.dealer);
        h = b2b2c__mix64(h, (uint64_t)r->m.close);
        h = b2b2c__mix64(h, (uint64_t)r->m.since);
        h = b2b2c__mix64(h, (uint64_t)r->m.until);
        h = b2b2c__mix64(h, (uint64_t)r->m.approved);
        h = b2b2c__mix64(h, (uint64_t)r->m.ended);
        h = b2b2c__mix64(h, (uint64_t)llround(r->m.value * 100.0));
        h = b2b2c__mix64(h, r->slot->cur == r);
        sum += h;
    }
    return b2b2c__mix64(b2b2c__mix64(sum, e->regs.count), e->reg_seq);
}

/* ---- state ----------------------------------------------------------- */

/* Pending or approved, by the stored state (lapsed or not). */
static int live_state(const reg *r)
{
    return r->m.state == B2B2C_DEALER_REG_PENDING ||
           r->m.state == B2B2C_DEALER_REG_APPROVED;
}

/* Live at now: pending or approved and not lapsed. */
static int live_at(const reg *r, int64_t now)
{
    return live_state(r) && now < r->m.until;
}

static int state_at(const reg *r, int64_t now)
{
    return live_state(r) && now >= r->m.until ? B2B2C_DEALER_REG_EXPIRED
                                              : r->m.state;
}

static const reg *latest(const b2b2c_dealer_engine *e,
                         const unsigned char *k, size_t kl)
{
    const regslot *s = b2b2c__map_get(&e->regkeys, k, kl);
    return s ? s->cur : NULL;
}

uint32_t b2b2c__dealer_reg_holder(const b2b2c_dealer_engine *e,
                                  const unsigned char *k, size_t kl,
                                  int64_t now)
{
    const reg *r;
    if (e->regkeys.count == 0) /* no probe while nobody registers */
        return NONE32;
    r = latest(e, k, kl);
    return r && r->m.state == B2B2C_DEALER_REG_APPROVED && live_at(r, now)
               ? r->m.dealer
               : NONE32;
}

/* Change r to m: undo entry, then the record. */
static int reg_set(b2b2c_dealer_engine *e, reg *r, const rmut *m)
{
    int rc = b2b2c__undo_save(e->ctx, &r->m, sizeof r->m);
    if (rc)
        return rc;
    r->m = *m;
    return write_reg(e, r);
}

int b2b2c__dealer_reg_won(b2b2c_dealer_engine *e, const unsigned char *k,
                          size_t kl, uint32_t dealer, int64_t at)
{
    reg *r;
    rmut m;
    if (e->regkeys.count == 0)
        return 0;
    r = (reg *)latest(e, k, kl);
    if (!r || r->m.dealer != dealer || !live_state(r) || at < r->m.since ||
        at >= r->m.until)
        return 0;
    m = r->m;
    m.state = B2B2C_DEALER_REG_WON;
    m.ended = at;
    return reg_set(e, r, &m);
}

/* Registrations submitted by each dealer in [from, to): submitted,
 * approved, won, expired (f[dealer][0..3]). */
void b2b2c__dealer_reg_tally(const b2b2c_dealer_engine *e, int64_t from,
                             int64_t to, double (*f)[4])
{
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&e->regs, &it, NULL, NULL, &v)) {
        const reg *r = v;
        double *x = f[r->m.dealer];
        if (r->m.since < from || r->m.since >= to)
            continue;
        x[0]++;
        x[1] += r->m.approved != REG_NEVER;
        x[2] += r->m.state == B2B2C_DEALER_REG_WON;
        x[3] += r->m.state == B2B2C_DEALER_REG_EXPIRED;
    }
}

/* ---- public API -------------------------------------------------------- */

/* The key and product line arguments, checked before the call's
 * transaction: the slot key into k. */
typedef struct reg_in {
    unsigned char k[OWNER_KEY_MAX];
    size_t kl;
    const char *prod;
    int64_t now;
} reg_in;

static int reg_arg(b2b2c_ctx *ctx, reg_in *in, const void *ck, size_t cklen,
                   const char *prod, int64_t now)
{
    size_t pl;
    int rc;
    if ((rc = b2b2c__dealer_customer_arg(ctx, ck, cklen)) != 0)
        return rc;
    if (!prod)
        prod = "";
    pl = strlen(prod);
    if (pl && b2b2c__id_check(prod, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID");
    in->prod = prod;
    in->now = now;
    in->kl = b2b2c__dealer_owner_key(in->k, ck, cklen, prod, pl);
    return check_now(ctx, now);
}

static int64_t reg_end(const b2b2c_dealer_engine *e, int64_t from)
{
    /* REG_DAYS <= 3650 and from within the time range: no overflow */
    return from + (int64_t)llround(e->param[P_REGDAYS] * 86400.0);
}

static const char *const STATE_NAMES[] = {"", "pending", "approved",
                                          "rejected", "expired", "won"};

typedef struct submit_in {
    reg_in r;
    const char *dealer;
    size_t dn;
    double value;
    int64_t close;
} submit_in;

/* Refuse a registration the key's protection blocks: the customer's owner
 * (another dealer), or a live registration. */
static int submit_check(b2b2c_dealer_engine *e, const submit_in *in,
                        const dealer *d, reg **cur)
{
    const owner *o = b2b2c__map_get(&e->owners, in->r.k, in->r.kl);
    reg *r;
    if (o && o->dealer != NONE32 && o->dealer != d->idx &&
        o->since <= in->r.now && in->r.now < o->until)
        return b2b2c__err(e->ctx, B2B2C_EEXISTS,
                          "customer_key: the customer of record of dealer "
                          "'%s' for product line '%s' since %lld, until "
                          "%lld",
                          e->dealers[o->dealer]->id, in->r.prod,
                          (long long)o->since, (long long)o->until);
    *cur = r = (reg *)latest(e, in->r.k, in->r.kl);
    if (!r || !live_at(r, in->r.now))
        return 0;
    if (r->m.dealer == d->idx)
        return b2b2c__err(e->ctx, B2B2C_EDUPLICATE,
                          "dealer_id: dealer '%s' already holds the %s "
                          "registration of product line '%s' of %lld, "
                          "until %lld",
                          d->id, STATE_NAMES[r->m.state], in->r.prod,
                          (long long)r->m.since, (long long)r->m.until);
    return b2b2c__err(e->ctx, B2B2C_EEXISTS,
                      "customer_key: registered by dealer '%s' for product "
                      "line '%s' at %lld (%s until %lld)",
                      e->dealers[r->m.dealer]->id, in->r.prod,
                      (long long)r->m.since, STATE_NAMES[r->m.state],
                      (long long)r->m.until);
}

static int submit_body(b2b2c_dealer_engine *e, const submit_in *in)
{
    unsigned char sk[8];
    dealer *d;
    reg *cur = NULL;
    rmut m;
    int rc;
    if ((rc = b2b2c__dealer_find_dealer(e, in->dealer, in->dn, &d)) != 0)
        return rc;
    if (d->cfg.status == B2B2C_DEALER_OFFBOARDED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "dealer_id: dealer '%s' is off-boarded",
                          in->dealer);
    if ((rc = submit_check(e, in, d, &cur)) != 0)
        return rc;
    /* the key's lapsed registration is stored as expired first */
    if (cur && live_state(cur)) {
        m = cur->m;
        m.state = B2B2C_DEALER_REG_EXPIRED;
        m.ended = m.until;
        if ((rc = reg_set(e, cur, &m)) != 0)
            return rc;
    }
    memset(&m, 0, sizeof m);
    m.state = B2B2C_DEALER_REG_PENDING;
    m.dealer = d->idx;
    m.value = in->value;
    m.close = in->close;
    m.since = in->r.now;
    m.until = reg_end(e, in->r.now);
    m.approved = m.ended = REG_NEVER;
    seq_key(sk, e->reg_seq + 1);
    if ((rc = b2b2c__dealer_reg_put(e, sk, 8, &m, in->r.k, in->r.kl, 1)))
        return rc;
    return write_reg(e, b2b2c__map_get(&e->regs, sk, 8));
}

int b2b2c_dealer_register(b2b2c_dealer_engine *e, const char *dealer_id,
                          const void *customer_key, size_t key_len,
                          const char *product_line, double value,
                          int64_t expected_close, int64_t now)
{
    submit_in in;
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "dealer_id", dealer_id,
                                   &in.dn)) != 0 ||
        (rc = reg_arg(e->ctx, &in.r, customer_key, key_len, product_line,
                      now)) != 0)
        return rc;
    if (!finite(value))
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "value: must be a finite number");
    if ((rc = b2b2c__check_amount(e->ctx, value, "value")) != 0 ||
        (rc = b2b2c__check_time(e->ctx, expected_close,
                                "expected_close")) != 0)
        return rc;
    if (expected_close < now)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "expected_close: %lld is before now (%lld)",
                          (long long)expected_close, (long long)now);
    in.dealer = dealer_id;
    in.value = value;
    in.close = expected_close;
    B2B2C__CALL(rc, e->ctx, e, submit_body(e, &in));
    return rc;
}

/* The latest registration of in's key, or B2B2C_ENOTFOUND. */
static int find_reg(b2b2c_dealer_engine *e, const reg_in *in, reg **out)
{
    reg *r = (reg *)latest(e, in->k, in->kl);
    if (!r)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "customer_key: no registration for product line "
                          "'%s'",
                          in->prod);
    *out = r;
    return 0;
}

int b2b2c_dealer_registration(const char **dealer_out, int32_t *state_out,
                              int64_t *since_out, int64_t *until_out,
                              int64_t *close_out, b2b2c_dealer_engine *e,
                              const void *customer_key, size_t key_len,
                              const char *product_line, int64_t now)
{
    reg_in in;
    reg *r = NULL;
    int rc;
    CHECK_E(e);
    if ((rc = reg_arg(e->ctx, &in, customer_key, key_len, product_line,
                      now)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0 ||
        (rc = find_reg(e, &in, &r)) != 0)
        return rc;
    if (dealer_out)
        *dealer_out = e->dealers[r->m.dealer]->id;
    if (state_out)
        *state_out = state_at(r, now);
    if (since_out)
        *since_out = r->m.since;
    if (until_out)
        *until_out = r->m.ended != REG_NEVER ? r->m.ended : r->m.until;
    if (close_out)
        *close_out = r->m.close;
    return 0;
}

/* What the manufacturer does to a registration: approve, reject, extend. */
enum { OP_APPROVE, OP_REJECT, OP_EXTEND };

typedef struct decide_in {
    reg_in r;
    int op;
    int64_t until;
} decide_in;

static int decide_body(b2b2c_dealer_engine *e, const decide_in *in)
{
    static const char *const VERB[] = {"approve", "reject", "extend"};
    int64_t now = in->r.now;
    reg *r = NULL;
    rmut m;
    int rc, st;
    if ((rc = find_reg(e, &in->r, &r)) != 0)
        return rc;
    st = state_at(r, now);
    if (in->op == OP_EXTEND ? !live_at(r, now)
                            : st != B2B2C_DEALER_REG_PENDING)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "customer_key: cannot %s the %s registration of "
                          "dealer '%s' for product line '%s'",
                          VERB[in->op], STATE_NAMES[st],
                          e->dealers[r->m.dealer]->id, in->r.prod);
    m = r->m;
    switch (in->op) {
    case OP_APPROVE:
        m.state = B2B2C_DEALER_REG_APPROVED;
        m.approved = now;
        m.until = reg_end(e, now);
        break;
    case OP_REJECT:
        m.state = B2B2C_DEALER_REG_REJECTED;
        m.ended = now;
        break;
    default:
        if (in->until <= r->m.until)
            return b2b2c__err(e->ctx, B2B2C_ERANGE,
                              "until: %lld is not after the registration's "
                              "until %lld",
                              (long long)in->until, (long long)r->m.until);
        m.until = in->until;
        break;
    }
    return reg_set(e, r, &m);
}

static int decide(b2b2c_dealer_engine *e, int op, const void *ck,
                  size_t cklen, const char *prod, int64_t until, int64_t now)
{
    decide_in in;
    int rc;
    CHECK_E(e);
    if ((rc = reg_arg(e->ctx, &in.r, ck, cklen, prod, now)) != 0 ||
        (op == OP_EXTEND &&
         (rc = b2b2c__check_time(e->ctx, until, "until")) != 0))
        return rc;
    in.op = op;
    in.until = until;
    B2B2C__CALL(rc, e->ctx, e, decide_body(e, &in));
    return rc;
}

int b2b2c_dealer_reg_approve(b2b2c_dealer_engine *e, const void *customer_key,
                             size_t key_len, const char *product_line,
                             int64_t now)
{
    return decide(e, OP_APPROVE, customer_key, key_len, product_line, 0,
                  now);
}

int b2b2c_dealer_reg_reject(b2b2c_dealer_engine *e, const void *customer_key,
                            size_t key_len, const char *product_line,
                            int64_t now)
{
    return decide(e, OP_REJECT, customer_key, key_len, product_line, 0, now);
}

int b2b2c_dealer_reg_extend(b2b2c_dealer_engine *e, const void *customer_key,
                            size_t key_len, const char *product_line,
                            int64_t until, int64_t now)
{
    return decide(e, OP_EXTEND, customer_key, key_len, product_line, until,
                  now);
}

static int expire_body(b2b2c_dealer_engine *e, int64_t now, size_t *n)
{
    size_t it = 0;
    void *v;
    int rc;
    *n = 0;
    while (b2b2c__map_next(&e->regs, &it, NULL, NULL, &v)) {
        reg *r = v;
        rmut m;
        if (!live_state(r) || now < r->m.until)
            continue;
        m = r->m;
        m.state = B2B2C_DEALER_REG_EXPIRED;
        m.ended = m.until;
        if ((rc = reg_set(e, r, &m)) != 0)
            return rc;
        ++*n;
    }
    return 0;
}

int b2b2c_dealer_reg_expire(size_t *count_out, b2b2c_dealer_engine *e,
                            int64_t now)
{
    size_t n = 0;
    int rc;
    CHECK_E(e);
    if ((rc = check_now(e->ctx, now)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, expire_body(e, now, &n));
    if (rc == 0 && count_out)
        *count_out = n;
    return rc;
}

int b2b2c_dealer_protected(const char **dealer_out, int32_t *by_out,
                           int64_t *until_out, b2b2c_dealer_engine *e,
                           const void *customer_key, size_t key_len,
                           const char *product_line, int64_t now)
{
    reg_in in;
    const owner *o;
    const reg *r;
    const char *d = NULL;
    int32_t by = B2B2C_DEALER_PROTECT_NONE;
    int64_t until = 0;
    int rc;
    CHECK_E(e);
    if ((rc = reg_arg(e->ctx, &in, customer_key, key_len, product_line,
                      now)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0)
        return rc;
    o = b2b2c__map_get(&e->owners, in.k, in.kl);
    if (o && o->dealer != NONE32 && o->since <= now && now < o->until) {
        d = e->dealers[o->dealer]->id;
        by = B2B2C_DEALER_PROTECT_OWNER;
        until = o->until;
    } else if ((r = latest(e, in.k, in.kl)) != NULL && live_at(r, now)) {
        d = e->dealers[r->m.dealer]->id;
        by = r->m.state == B2B2C_DEALER_REG_APPROVED
                 ? B2B2C_DEALER_PROTECT_APPROVED
                 : B2B2C_DEALER_PROTECT_PENDING;
        until = r->m.until;
    }
    if (dealer_out)
        *dealer_out = d;
    if (by_out)
        *by_out = by;
    if (until_out)
        *until_out = until;
    return 0;
}
