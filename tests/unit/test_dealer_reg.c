/* SPDX-License-Identifier: MIT */
/* Dealer engine, deal registration (issue 14): first in wins, conflicts
 * name the holder, approve / reject / extend, expiry against the caller's
 * now, the protected query, routing to an approved registration, the win,
 * scorecards, persistence and bad input (nothing changed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "dealer_fixture.h"

#define DAY 86400
/* keys are opaque bytes: a NUL inside is fine */
static const unsigned char K1[] = {0x5a, 0x00, 0xfe, 0x01};
static const unsigned char K2[] = {0x07};

/* Round robin; dealers a, b in RU, c in RU-SPE only. */
static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    if (rc || (rc = b2b2c_dealer_set_param(
                   f->e, B2B2C_DEALER_PARAM_POLICY,
                   B2B2C_DEALER_POLICY_ROUND_ROBIN)) ||
        (rc = b2b2c_dealer_put(f->e, "a", 1, "RU", "", 5, 0, 24)) ||
        (rc = b2b2c_dealer_put(f->e, "b", 1, "RU", "", 5, 0, 24)))
        return rc;
    return b2b2c_dealer_put(f->e, "c", 1, "RU-SPE", "", 5, 0, 24);
}

static int reg(fx *f, const char *dealer, const void *k, size_t kl,
               const char *prod, int64_t now)
{
    return b2b2c_dealer_register(f->e, dealer, k, kl, prod, 1000.0,
                                 now + 30 * DAY, now);
}

/* The registration of (K1, prod) at now: dealer (static name), state. */
static int32_t state_of(fx *f, const char *prod, int64_t now,
                        const char **dealer)
{
    int32_t st = -1;
    const char *d = NULL;
    assert_int_equal(b2b2c_dealer_registration(&d, &st, NULL, NULL, NULL,
                                               f->e, K1, sizeof K1, prod,
                                               now),
                     0);
    if (dealer)
        *dealer = strcmp(d, "a") == 0 ? "a" : strcmp(d, "b") == 0 ? "b"
                                                                  : "c";
    return st;
}

static void t_first_wins(void **state)
{
    fx *f = *state;
    const char *d;
    int64_t since = 0, until = 0, close = 0;
    double def;
    assert_int_equal(b2b2c_param_bounds(NULL, NULL, &def,
                                        B2B2C_DEALER_PARAM_REG_DAYS),
                     0);
    assert_int_equal(reg(f, "a", K1, sizeof K1, "boilers", T0), 0);
    assert_int_equal(b2b2c_dealer_registration(&d, NULL, &since, &until,
                                               &close, f->e, K1, sizeof K1,
                                               "boilers", T0 + 1),
                     0);
    assert_string_equal(d, "a");
    assert_true(since == T0);
    assert_true(until == T0 + (int64_t)(def * DAY));
    assert_true(close == T0 + 30 * DAY);
    /* another dealer: EEXISTS naming the holder and its date */
    assert_int_equal(reg(f, "b", K1, sizeof K1, "boilers", T0 + 10),
                     B2B2C_EEXISTS);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "'a'"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "1767225600"));
    /* the same dealer again: its own code */
    assert_int_equal(reg(f, "a", K1, sizeof K1, "boilers", T0 + 10),
                     B2B2C_EDUPLICATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_id"));
    assert_int_equal(state_of(f, "boilers", T0 + 10, &d),
                     B2B2C_DEALER_REG_PENDING);
    assert_string_equal(d, "a");
    /* other product lines and keys are other registrations */
    assert_int_equal(reg(f, "b", K1, sizeof K1, "pumps", T0 + 10), 0);
    assert_int_equal(reg(f, "b", K1, sizeof K1, NULL, T0 + 10), 0);
    assert_int_equal(reg(f, "b", K2, sizeof K2, "boilers", T0 + 10), 0);
    assert_int_equal(state_of(f, "", T0 + 11, &d), B2B2C_DEALER_REG_PENDING);
    assert_string_equal(d, "b");
    reopen(f);
}

/* An expired registration blocks nothing; expiry is the caller's now. */
static void t_expired_does_not_block(void **state)
{
    fx *f = *state;
    const char *d;
    size_t n = 99;
    int64_t end = T0 + 10 * DAY;
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_REG_DAYS,
                                            10),
                     0);
    assert_int_equal(reg(f, "a", K1, sizeof K1, "", T0), 0);
    assert_int_equal(reg(f, "b", K1, sizeof K1, "", end - 1), B2B2C_EEXISTS);
    assert_int_equal(state_of(f, "", end - 1, NULL),
                     B2B2C_DEALER_REG_PENDING);
    assert_int_equal(state_of(f, "", end, NULL), B2B2C_DEALER_REG_EXPIRED);
    /* a read does not store the expiry */
    assert_int_equal(b2b2c_dealer_reg_expire(&n, f->e, end - 1), 0);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c_dealer_reg_expire(&n, f->e, end), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_dealer_reg_expire(&n, f->e, end + 1), 0);
    assert_int_equal(n, 0);
    assert_int_equal(reg(f, "b", K1, sizeof K1, "", end), 0);
    assert_int_equal(state_of(f, "", end, &d), B2B2C_DEALER_REG_PENDING);
    assert_string_equal(d, "b");
    /* a lapsed registration is stored as expired by the next one */
    assert_int_equal(reg(f, "a", K1, sizeof K1, "", end + 10 * DAY), 0);
    assert_int_equal(state_of(f, "", end + 10 * DAY, &d),
                     B2B2C_DEALER_REG_PENDING);
    assert_string_equal(d, "a");
    reopen(f);
}

static void t_approve_reject_extend(void **state)
{
    fx *f = *state;
    int64_t until = 0;
    const char *d;
    assert_int_equal(reg(f, "a", K1, sizeof K1, "x", T0), 0);
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, K1, sizeof K1, "x",
                                              T0 + DAY),
                     0);
    assert_int_equal(state_of(f, "x", T0 + DAY, NULL),
                     B2B2C_DEALER_REG_APPROVED);
    /* the window starts again at the approval */
    assert_int_equal(b2b2c_dealer_registration(NULL, NULL, NULL, &until,
                                               NULL, f->e, K1, sizeof K1,
                                               "x", T0 + DAY),
                     0);
    assert_true(until == T0 + DAY + 90 * (int64_t)DAY);
    /* approved: neither approved nor rejected again */
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, K1, sizeof K1, "x",
                                              T0 + 2 * DAY),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_reg_reject(f->e, K1, sizeof K1, "x",
                                             T0 + 2 * DAY),
                     B2B2C_ESTATE);
    /* extended: still protected after the old until */
    assert_int_equal(b2b2c_dealer_reg_extend(f->e, K1, sizeof K1, "x",
                                             until - 1, T0 + 2 * DAY),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_reg_extend(f->e, K1, sizeof K1, "x",
                                             until + 30 * DAY, T0 + 2 * DAY),
                     0);
    assert_int_equal(state_of(f, "x", until + DAY, NULL),
                     B2B2C_DEALER_REG_APPROVED);
    assert_int_equal(reg(f, "b", K1, sizeof K1, "x", until + DAY),
                     B2B2C_EEXISTS);
    /* lapsed: not extended any more */
    assert_int_equal(b2b2c_dealer_reg_extend(f->e, K1, sizeof K1, "x",
                                             until + 90 * DAY,
                                             until + 30 * DAY),
                     B2B2C_ESTATE);
    /* a rejected one frees the key at once */
    assert_int_equal(reg(f, "a", K2, sizeof K2, "x", T0), 0);
    assert_int_equal(b2b2c_dealer_reg_reject(f->e, K2, sizeof K2, "x",
                                             T0 + 5),
                     0);
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, K2, sizeof K2, "x",
                                              T0 + 6),
                     B2B2C_ESTATE);
    assert_int_equal(reg(f, "b", K2, sizeof K2, "x", T0 + 6), 0);
    assert_int_equal(b2b2c_dealer_registration(&d, NULL, NULL, NULL, NULL,
                                               f->e, K2, sizeof K2, "x",
                                               T0 + 6),
                     0);
    assert_string_equal(d, "b");
    /* a pending one that lapsed cannot be approved */
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, K2, sizeof K2, "x",
                                              T0 + 6 + 90 * DAY),
                     B2B2C_ESTATE);
    reopen(f);
}

static void t_protected(void **state)
{
    fx *f = *state;
    const char *d = "x", *w;
    int32_t by = -1, why = -1;
    int64_t until = -1;
    /* nothing protects it: 0, NONE */
    assert_int_equal(b2b2c_dealer_protected(&d, &by, &until, f->e, K1,
                                            sizeof K1, "", T0),
                     0);
    assert_null(d);
    assert_int_equal(by, B2B2C_DEALER_PROTECT_NONE);
    assert_true(until == 0);
    assert_int_equal(reg(f, "c", K1, sizeof K1, "", T0), 0);
    assert_int_equal(b2b2c_dealer_protected(&d, &by, &until, f->e, K1,
                                            sizeof K1, "", T0 + 1),
                     0);
    assert_string_equal(d, "c");
    assert_int_equal(by, B2B2C_DEALER_PROTECT_PENDING);
    assert_true(until == T0 + 90 * (int64_t)DAY);
    /* pending: routing does not honour it */
    assert_int_equal(b2b2c_dealer_route_customer(
                         &w, &why, f->e, "L1", K1, sizeof K1, "RU-MOW", 0, 0,
                         0, "", 5, 1, T0 + 2),
                     0);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    assert_string_not_equal(w, "c");
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, K1, sizeof K1, "",
                                              T0 + 3),
                     0);
    assert_int_equal(b2b2c_dealer_protected(&d, &by, NULL, f->e, K1,
                                            sizeof K1, "", T0 + 4),
                     0);
    assert_int_equal(by, B2B2C_DEALER_PROTECT_APPROVED);
    /* approved: the lead goes to c although c does not cover RU-MOW */
    assert_int_equal(b2b2c_dealer_route_customer(
                         &w, &why, f->e, "L2", K1, sizeof K1, "RU-MOW", 0, 0,
                         0, "", 5, 1, T0 + 5),
                     0);
    assert_string_equal(w, "c");
    assert_int_equal(why, B2B2C_DEALER_REASON_REGISTERED);
    assert_string_equal(b2b2c_dealer_reason_name(why), "registered");
    /* c wins the customer: the registration is won, c the owner */
    assert_int_equal(b2b2c_dealer_accept(f->e, "L2", "c", T0 + 6), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, "L2", 1, 500, T0 + 7), 0);
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "L2", K1, sizeof K1), 0);
    assert_int_equal(state_of(f, "", T0 + 8, NULL), B2B2C_DEALER_REG_WON);
    assert_int_equal(b2b2c_dealer_protected(&d, &by, &until, f->e, K1,
                                            sizeof K1, "", T0 + 8),
                     0);
    assert_string_equal(d, "c");
    assert_int_equal(by, B2B2C_DEALER_PROTECT_OWNER);
    /* the customer of record blocks others' registrations, not its own */
    assert_int_equal(reg(f, "a", K1, sizeof K1, "", T0 + 9), B2B2C_EEXISTS);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "'c'"));
    assert_int_equal(reg(f, "c", K1, sizeof K1, "", T0 + 9), 0);
    reopen(f);
}

static int on_card(const char *dealer, const double *fl, size_t n, void *u)
{
    double *out = u;
    assert_true(n >= B2B2C_DEALER_SC_NFIELDS);
    if (strcmp(dealer, "a") == 0)
        memcpy(out, fl + B2B2C_DEALER_SC_REG_SUBMITTED, 4 * sizeof *out);
    return 0;
}

/* Scorecards count a dealer's registrations submitted in the period. */
static void t_scorecards(void **state)
{
    fx *f = *state;
    const unsigned char k[4][1] = {{1}, {2}, {3}, {4}};
    double sc[4] = {-1, -1, -1, -1};
    const char *w;
    for (int i = 0; i < 4; i++)
        assert_int_equal(reg(f, "a", k[i], 1, "", T0 + i), 0);
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, k[0], 1, "", T0 + 10),
                     0);
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, k[1], 1, "", T0 + 10),
                     0);
    assert_int_equal(b2b2c_dealer_reg_reject(f->e, k[2], 1, "", T0 + 10), 0);
    /* k[1] won through routing to its holder */
    assert_int_equal(b2b2c_dealer_route_customer(&w, NULL, f->e, "L", k[1],
                                                 1, "RU", 0, 0, 0, "", 5, 1,
                                                 T0 + 20),
                     0);
    assert_string_equal(w, "a");
    assert_int_equal(b2b2c_dealer_accept(f->e, "L", "a", T0 + 21), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, "L", 1, 1, T0 + 22), 0);
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "L", k[1], 1), 0);
    /* k[3] lapses pending, k[0] approved */
    assert_int_equal(b2b2c_dealer_reg_expire(NULL, f->e, T0 + 200 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_scorecards(f->e, T0, T0 + 4, on_card, sc),
                     0);
    assert_true(sc[0] == 4 && sc[1] == 2 && sc[2] == 1 && sc[3] == 2);
    /* a period without them */
    assert_int_equal(b2b2c_dealer_scorecards(f->e, T0 + 1, T0 + 2, on_card,
                                             sc),
                     0);
    assert_true(sc[0] == 1 && sc[1] == 1 && sc[2] == 1 && sc[3] == 0);
    reopen(f);
}

/* Bad input: each its code and argument, nothing changed. */
static void t_bad_input(void **state)
{
    fx *f = *state;
    static const unsigned char longkey[B2B2C_DEALER_CUSTOMER_KEY_MAX + 1];
    uint64_t before;
    const char *d = "untouched";
    int32_t st = -7;
    assert_int_equal(reg(f, "a", K1, sizeof K1, "", T0), 0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "c",
                                             B2B2C_DEALER_OFFBOARDED, 0),
                     0);
    before = b2b2c__dealer_digest(f->e);
#define BAD(call, code, arg)                                                \
    do {                                                                    \
        assert_int_equal(call, code);                                       \
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), arg));             \
        assert_true(b2b2c__dealer_digest(f->e) == before);                  \
    } while (0)
    BAD(b2b2c_dealer_register(f->e, "zz", K2, 1, "", 1, T0, T0),
        B2B2C_ENOTFOUND, "dealer_id");
    BAD(b2b2c_dealer_register(f->e, "c", K2, 1, "", 1, T0, T0), B2B2C_ESTATE,
        "off-boarded");
    BAD(b2b2c_dealer_register(f->e, "b", K2, 1, "", 1, T0 - 1, T0),
        B2B2C_ERANGE, "expected_close");
    BAD(b2b2c_dealer_register(f->e, "b", K2, 1, "", -1, T0, T0),
        B2B2C_ERANGE, "value");
    BAD(b2b2c_dealer_register(f->e, "b", K2, 1, "", NAN, T0, T0),
        B2B2C_EINVAL, "value");
    BAD(b2b2c_dealer_register(f->e, "b", K2, 0, "", 1, T0, T0), B2B2C_EBADID,
        "customer_key");
    BAD(b2b2c_dealer_register(f->e, "b", longkey, sizeof longkey, "", 1, T0,
                              T0),
        B2B2C_ERANGE, "customer_key");
    BAD(b2b2c_dealer_register(f->e, "b", NULL, 1, "", 1, T0, T0),
        B2B2C_EINVAL, "customer_key");
    BAD(b2b2c_dealer_register(f->e, "", K2, 1, "", 1, T0, T0), B2B2C_EBADID,
        "dealer_id");
    BAD(b2b2c_dealer_register(f->e, "b", K2, 1, "", 1, T0,
                              B2B2C_TIME_MAX + 1),
        B2B2C_ERANGE, "now");
    BAD(b2b2c_dealer_register(f->e, "b", K1, sizeof K1, "", 1, T0 + 1,
                              T0 + 1),
        B2B2C_EEXISTS, "customer_key");
    BAD(b2b2c_dealer_register(f->e, "a", K1, sizeof K1, "", 1, T0 + 1,
                              T0 + 1),
        B2B2C_EDUPLICATE, "dealer_id");
    BAD(b2b2c_dealer_reg_approve(f->e, K2, 1, "", T0), B2B2C_ENOTFOUND,
        "customer_key");
    BAD(b2b2c_dealer_reg_extend(f->e, K1, sizeof K1, "", B2B2C_TIME_MAX + 1,
                                T0),
        B2B2C_ERANGE, "until");
    BAD(b2b2c_dealer_reg_expire(NULL, f->e, B2B2C_TIME_MIN - 1),
        B2B2C_ERANGE, "now");
    BAD(b2b2c_dealer_registration(&d, &st, NULL, NULL, NULL, f->e, K2, 1, "",
                                  T0),
        B2B2C_ENOTFOUND, "customer_key");
    {
        char longid[300];
        memset(longid, 'p', sizeof longid - 1);
        longid[sizeof longid - 1] = 0;
        BAD(b2b2c_dealer_protected(&d, &st, NULL, f->e, K1, sizeof K1,
                                   longid, T0),
            B2B2C_EBADID, "product_line");
    }
#undef BAD
    assert_string_equal(d, "untouched");
    assert_int_equal(st, -7);
    assert_int_equal(b2b2c_dealer_register(NULL, "a", K1, 1, "", 1, T0, T0),
                     B2B2C_EINVAL);
    assert_string_equal(b2b2c_strerror(B2B2C_EDUPLICATE),
                        "duplicate of the caller's own live record");
}

/* The state record keeps REG_DAYS; registrations load back. */
static void t_persist(void **state)
{
    fx *f = *state;
    double v = 0;
    const char *d;
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_REG_DAYS,
                                            45.5),
                     0);
    assert_int_equal(reg(f, "b", K1, sizeof K1, "", T0), 0);
    assert_int_equal(b2b2c_dealer_reg_approve(f->e, K1, sizeof K1, "",
                                              T0 + 1),
                     0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_get_param(&v, f->e,
                                            B2B2C_DEALER_PARAM_REG_DAYS),
                     0);
    assert_true(v == 45.5);
    assert_int_equal(state_of(f, "", T0 + 2, &d), B2B2C_DEALER_REG_APPROVED);
    assert_string_equal(d, "b");
    assert_int_equal(reg(f, "a", K1, sizeof K1, "", T0 + 2), B2B2C_EEXISTS);
}

/* A stored registration record that fails to decode: B2B2C_ECORRUPT
 * naming the table, for each way it can be wrong. */
typedef struct badrec {
    const char *dealer;
    int state;
    int64_t since, until, ended;
    int keylen; /* slot key length byte: 0 is malformed */
    size_t sklen; /* the record key's length (8) */
} badrec;

static void put_raw(fx *f, const badrec *b)
{
    static const unsigned char sk[8] = {0, 0, 0, 0, 0, 0, 0, 7};
    unsigned char ck[1 + sizeof K2];
    b2b2c__wbuf w;
    ck[0] = (unsigned char)b->keylen;
    memcpy(ck + 1, K2, sizeof K2);
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_bytes(&w, ck, sizeof ck);
    b2b2c__enc_str(&w, b->dealer);
    b2b2c__enc_u8(&w, (uint8_t)b->state);
    b2b2c__enc_f64(&w, 10.0);
    b2b2c__enc_i64(&w, b->since);
    b2b2c__enc_i64(&w, b->since);
    b2b2c__enc_i64(&w, b->until);
    b2b2c__enc_i64(&w, INT64_MIN);
    b2b2c__enc_i64(&w, b->ended);
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    assert_int_equal(f->store.methods.begin(f->store.methods.userdata), 0);
    assert_int_equal(f->store.methods.put(f->store.methods.userdata,
                                          "dealer_regs", sk, b->sklen,
                                          w.buf, w.len),
                     0);
    assert_int_equal(f->store.methods.commit(f->store.methods.userdata), 0);
    b2b2c__enc_fini(&w);
}

static void t_corrupt(void **state)
{
    fx *f = *state;
    const badrec good = {"b", B2B2C_DEALER_REG_PENDING, T0, T0 + DAY,
                         INT64_MIN, 1, 8};
    badrec bad[7];
    b2b2c_dealer_engine *e2 = NULL;
    for (int i = 0; i < 7; i++)
        bad[i] = good;
    bad[0].dealer = "zz";                      /* no such dealer */
    bad[1].state = 9;                          /* no such state */
    bad[2].until = T0 - 1;                     /* until before since */
    bad[3].ended = T0;                         /* live, yet ended */
    bad[4].keylen = 0;                         /* malformed slot key */
    bad[5].sklen = 7;                          /* record key not 8 bytes */
    bad[6].state = B2B2C_DEALER_REG_REJECTED;  /* ended, without a time */
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    put_raw(f, &good);
    assert_int_equal(b2b2c_dealer_new(&f->e, f->ctx), 0);
    {
        const char *d = NULL;
        assert_int_equal(b2b2c_dealer_registration(&d, NULL, NULL, NULL,
                                                   NULL, f->e, K2, sizeof K2,
                                                   "", T0),
                         0);
        assert_string_equal(d, "b");
    }
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    for (int i = 0; i < 7; i++) {
        put_raw(f, &bad[i]);
        assert_int_equal(b2b2c_dealer_new(&e2, f->ctx), B2B2C_ECORRUPT);
        assert_null(e2);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_regs"));
        if (bad[i].sklen != 8) { /* a record of its own: remove it */
            static const unsigned char sk[8] = {0, 0, 0, 0, 0, 0, 0, 7};
            void *u = f->store.methods.userdata;
            assert_int_equal(f->store.methods.begin(u), 0);
            assert_int_equal(f->store.methods.del(u, "dealer_regs", sk, 7),
                             0);
            assert_int_equal(f->store.methods.commit(u), 0);
        }
    }
    put_raw(f, &good);
    assert_int_equal(b2b2c_dealer_new(&f->e, f->ctx), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_first_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(t_expired_does_not_block, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_approve_reject_extend, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_protected, setup, teardown),
        cmocka_unit_test_setup_teardown(t_scorecards, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_persist, setup, teardown),
        cmocka_unit_test_setup_teardown(t_corrupt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
