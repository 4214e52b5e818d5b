/* SPDX-License-Identifier: MIT */
/* Dealer engine, lead merges (issue 20): b2b2c_dealer_merge_lead renames
 * a lead only `from` names, or joins two leads, the one further along
 * keeping its state and the other's open offer recalled; the audit chains
 * join under `into` with a MERGE record; counters move only by the recall;
 * the load and another context give the same engine; from's ID is left in
 * no byte of the tables; bad input, groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "dealer_fixture.h"
#include "sync_util.h"

#define DAY 86400
#define FID "ZQX-merge-from-7731"
#define IID "ZQX-merge-into-4402"
static const unsigned char K1[] = {'K', 0x01, 0xfe};
static const unsigned char K2[] = {'Q', 0x02, 0xfd, 0x00};

/* Round robin; dealers a, b in RU. */
static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    if (rc || (rc = b2b2c_dealer_set_param(
                   f->e, B2B2C_DEALER_PARAM_POLICY,
                   B2B2C_DEALER_POLICY_ROUND_ROBIN)) ||
        (rc = b2b2c_dealer_put(f->e, "a", 1, "RU", "", 5, 0, 24)))
        return rc;
    return b2b2c_dealer_put(f->e, "b", 1, "RU", "", 5, 0, 24);
}

static size_t count_in(const void *p, size_t n, const void *needle,
                       size_t k)
{
    size_t hits = 0;
    const unsigned char *b = p;
    for (size_t i = 0; i + k <= n; i++)
        hits += memcmp(b + i, needle, k) == 0;
    return hits;
}

typedef struct search {
    const void *needle;
    size_t k, hits;
} search;

static int search_row(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    search *s = payload;
    s->hits += count_in(k, kl, s->needle, s->k) +
               count_in(v, vl, s->needle, s->k);
    return 0;
}

/* Hits of needle in every key and value of the engine's tables. */
static size_t hits(fx *f, const void *needle, size_t k)
{
    static const char *const tables[] = {
        "dealer_state", "dealer_dealers", "dealer_stats", "dealer_leads",
        "dealer_audit", "dealer_owners",  "dealer_regs",  "dealer_certs",
        "core_log"};
    b2b2c_storage *st = &f->store.inner;
    search s = {needle, k, 0};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        assert_int_equal(st->begin(st->userdata), 0);
        assert_int_equal(st->scan(st->userdata, tables[i], search_row, &s),
                         0);
        assert_int_equal(st->rollback(st->userdata), 0);
    }
    return s.hits;
}

static int route(fx *f, const char *id, const char **d, int64_t now)
{
    return b2b2c_dealer_route(d, NULL, f->e, id, "RU", 1, 55.75, 37.61,
                              "boilers", B2B2C_SEGMENT_B2C_CONSUMER, 1, now);
}

/* A lead's audit: count, the kinds in order, the last record's fields. */
typedef struct aud {
    int n, other;
    int kinds[8];
    double seq[8];
    double last[B2B2C_DEALER_AUDIT_NFIELDS];
    const char *id;
} aud;

static int aud_row(const char *lead, const char *dealer, const double *fld,
                   size_t n, void *ud)
{
    aud *a = ud;
    (void)dealer;
    assert_int_equal(n, B2B2C_DEALER_AUDIT_NFIELDS);
    if (a->n < 8) {
        a->kinds[a->n] = (int)fld[B2B2C_DEALER_AUDIT_KIND];
        a->seq[a->n] = fld[B2B2C_DEALER_AUDIT_SEQ];
    }
    memcpy(a->last, fld, sizeof a->last);
    a->other += strcmp(lead, a->id) != 0;
    a->n++;
    return 0;
}

static aud lead_audit(fx *f, const char *id)
{
    aud a;
    memset(&a, 0, sizeof a);
    a.id = id;
    assert_int_equal(b2b2c_dealer_audit_lead(f->e, id, aud_row, &a), 0);
    assert_int_equal(a.other, 0);
    for (int i = 1; i < a.n && i < 8; i++)
        assert_true(a.seq[i] > a.seq[i - 1]); /* decision order */
    return a;
}

static double stat(fx *f, const char *d, int field)
{
    double s[B2B2C_DEALER_STAT_NFIELDS];
    assert_int_equal(b2b2c_dealer_stats(s, B2B2C_DEALER_STAT_NFIELDS, f->e,
                                        d),
                     0);
    return s[field];
}

typedef struct sc {
    double f[2][B2B2C_DEALER_SC_NFIELDS];
} sc;

static int sc_row(const char *dealer, const double *fld, size_t n, void *ud)
{
    sc *s = ud;
    memcpy(s->f[dealer[0] - 'a'], fld,
           (n < B2B2C_DEALER_SC_NFIELDS ? n : B2B2C_DEALER_SC_NFIELDS) *
               sizeof(double));
    return 0;
}

static sc cards(fx *f)
{
    sc s;
    memset(&s, 0, sizeof s);
    assert_int_equal(b2b2c_dealer_scorecards(f->e, T0 - DAY, T0 + 90 * DAY,
                                             sc_row, &s),
                     0);
    return s;
}

/* Only from is known: renamed, its offer (in the deadline heap) and its
 * audit chain with it; no counter moves. */
static void t_rename(void **state)
{
    fx *f = *state;
    const char *d = NULL, *cur = NULL;
    char ds[8];
    double st[2];
    int32_t s;
    size_t n = 0;
    aud a;
    assert_int_equal(b2b2c_dealer_route_customer(&d, NULL, f->e, FID, K1,
                                                 sizeof K1, "RU", 1, 55.75,
                                                 37.61, "boilers",
                                                 B2B2C_SEGMENT_B2C_CONSUMER,
                                                 1, T0),
                     0);
    snprintf(ds, sizeof ds, "%s", d);
    d = ds;
    st[0] = stat(f, d, B2B2C_DEALER_STAT_OFFERED);
    st[1] = stat(f, d, B2B2C_DEALER_STAT_OPEN);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 60), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, f->e, FID),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&s, &cur, f->e, IID), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_OFFERED);
    assert_string_equal(cur, d);
    assert_true(stat(f, d, B2B2C_DEALER_STAT_OFFERED) == st[0]);
    assert_true(stat(f, d, B2B2C_DEALER_STAT_OPEN) == st[1]);
    a = lead_audit(f, IID);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.kinds[0], B2B2C_DEALER_KIND_ROUTE);
    assert_int_equal(a.kinds[1], B2B2C_DEALER_KIND_MERGE);
    assert_true(a.last[B2B2C_DEALER_AUDIT_CANDIDATES] == 1);
    assert_true(a.last[B2B2C_DEALER_AUDIT_TIME] == (double)(T0 + 60));
    assert_int_equal(hits(f, FID, strlen(FID)), 0);
    assert_true(hits(f, K1, sizeof K1) > 0); /* the key came along */
    reopen(f);
    /* the offer expires under its new name */
    assert_int_equal(b2b2c_dealer_expire(&n, f->e, T0 + 3 * DAY, NULL, NULL),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_dealer_lead_state(&s, &cur, f->e, IID), 0);
    assert_true(strcmp(cur, d) != 0);
    /* the customer key still erases every byte of it */
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    reopen(f);
}

/* Both with a customer key: into's stays, from's leaves every byte of
 * the tables (an erase of it could no longer find it). */
static int route_key(fx *f, const char *id, const unsigned char *k,
                     size_t kl, int64_t now)
{
    const char *d;
    return b2b2c_dealer_route_customer(&d, NULL, f->e, id, k, kl, "RU", 0,
                                       0, 0, "boilers",
                                       B2B2C_SEGMENT_B2C_CONSUMER, 1, now);
}

static void t_keys(void **state)
{
    fx *f = *state;
    assert_int_equal(route_key(f, FID, K1, sizeof K1, T0), 0);
    assert_int_equal(route_key(f, IID, K2, sizeof K2, T0 + 1), 0);
    assert_true(hits(f, K1, sizeof K1) > 0);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 2), 0);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    assert_int_equal(hits(f, FID, strlen(FID)), 0);
    assert_true(hits(f, K2, sizeof K2) > 0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K2, sizeof K2), 0);
    assert_int_equal(hits(f, K2, sizeof K2), 0);
    /* into without a key takes from's */
    assert_int_equal(route_key(f, "F2", K1, sizeof K1, T0 + 3), 0);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, "F2", IID, T0 + 4), 0);
    assert_true(hits(f, K1, sizeof K1) > 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    reopen(f);
}

/* Both known: from accepted by one dealer, into offered to the other.
 * from is further along: into takes its state, into's offer is recalled
 * at now; scorecards follow; the outcome lands on the kept offer. */
static void t_both(void **state)
{
    fx *f = *state;
    const char *df = NULL, *di = NULL, *cur = NULL;
    char dfs[8], dis[8];
    double offered[2], won0;
    int32_t s;
    aud a;
    sc c;
    assert_int_equal(route(f, FID, &df, T0), 0);
    assert_int_equal(b2b2c_dealer_accept(f->e, FID, df, T0 + 600), 0);
    assert_int_equal(route(f, IID, &di, T0 + DAY), 0);
    snprintf(dfs, sizeof dfs, "%s", df);
    snprintf(dis, sizeof dis, "%s", di);
    assert_string_not_equal(dfs, dis); /* round robin */
    offered[0] = stat(f, dfs, B2B2C_DEALER_STAT_OFFERED);
    offered[1] = stat(f, dis, B2B2C_DEALER_STAT_OFFERED);
    won0 = stat(f, dfs, B2B2C_DEALER_STAT_WON);
    assert_true(stat(f, dis, B2B2C_DEALER_STAT_OPEN) == 1);
    /* now before into's route: ERANGE, nothing changed */
    {
        uint64_t before = b2b2c__dealer_digest(f->e);
        assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 60),
                         B2B2C_ERANGE);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
        assert_true(before == b2b2c__dealer_digest(f->e));
    }
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 2 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, &cur, f->e, IID), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_ACCEPTED);
    assert_string_equal(cur, dfs);
    assert_true(stat(f, dis, B2B2C_DEALER_STAT_OPEN) == 0);
    assert_true(stat(f, dis, B2B2C_DEALER_STAT_RECALLED) == 1);
    assert_true(stat(f, dfs, B2B2C_DEALER_STAT_OPEN) == 1);
    assert_true(stat(f, dfs, B2B2C_DEALER_STAT_OFFERED) == offered[0]);
    assert_true(stat(f, dis, B2B2C_DEALER_STAT_OFFERED) == offered[1]);
    a = lead_audit(f, IID);
    assert_int_equal(a.n, 3);
    assert_int_equal(a.kinds[0], B2B2C_DEALER_KIND_ROUTE); /* from's */
    assert_int_equal(a.kinds[1], B2B2C_DEALER_KIND_ROUTE); /* into's */
    assert_int_equal(a.kinds[2], B2B2C_DEALER_KIND_MERGE);
    assert_true(a.last[B2B2C_DEALER_AUDIT_CANDIDATES] == 1);
    assert_int_equal(hits(f, FID, strlen(FID)), 0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_outcome(f->e, IID, 1, 900.0, T0 + 5 * DAY),
                     0);
    assert_true(stat(f, dfs, B2B2C_DEALER_STAT_WON) == won0 + 1);
    c = cards(f);
    assert_true(c.f[dfs[0] - 'a'][B2B2C_DEALER_SC_WON] == 1);
    assert_true(c.f[dfs[0] - 'a'][B2B2C_DEALER_SC_REVENUE] == 900.0);
    assert_true(c.f[dis[0] - 'a'][B2B2C_DEALER_SC_OFFERED] == 1);
    assert_true(c.f[dis[0] - 'a'][B2B2C_DEALER_SC_WON] == 0);
    assert_true(c.f[dis[0] - 'a'][B2B2C_DEALER_SC_ACCEPTED] == 0);
    reopen(f);
    /* erasing the merged lead leaves neither ID */
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, IID), 0);
    assert_int_equal(hits(f, IID, strlen(IID)), 0);
    reopen(f);
}

/* Into further along (won) keeps its state; from's open offer is
 * recalled; from's declined dealer stays declined. Both with an outcome:
 * ESTATE, nothing changed. */
static void t_into_keeps(void **state)
{
    fx *f = *state;
    const char *d = NULL, *next = NULL, *cur = NULL;
    char won_by[8];
    int32_t s;
    uint64_t before;
    assert_int_equal(route(f, IID, &d, T0), 0);
    snprintf(won_by, sizeof won_by, "%s", d);
    assert_int_equal(b2b2c_dealer_accept(f->e, IID, d, T0 + 60), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, IID, 1, 10.0, T0 + 120), 0);
    assert_int_equal(route(f, FID, &d, T0 + 200), 0);
    assert_int_equal(b2b2c_dealer_decline(&next, NULL, f->e, FID, d, 1,
                                          T0 + 300),
                     0);
    assert_non_null(next);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 400), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, &cur, f->e, IID), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    assert_string_equal(cur, won_by);
    assert_true(stat(f, "a", B2B2C_DEALER_STAT_OPEN) +
                    stat(f, "b", B2B2C_DEALER_STAT_OPEN) ==
                0);
    assert_true(stat(f, next, B2B2C_DEALER_STAT_RECALLED) == 1);
    assert_int_equal(lead_audit(f, IID).n, 4); /* 1 + 2 + MERGE */
    assert_true(lead_audit(f, IID).last[B2B2C_DEALER_AUDIT_CANDIDATES] == 2);
    reopen(f);
    /* both with an outcome */
    assert_int_equal(route(f, FID, &d, T0 + 500), 0);
    assert_int_equal(b2b2c_dealer_accept(f->e, FID, d, T0 + 560), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, FID, 0, 0.0, T0 + 620), 0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 700),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "outcome"));
    assert_true(before == b2b2c__dealer_digest(f->e));
    reopen(f);
}

static void t_bad_input(void **state)
{
    fx *f = *state;
    const char *d = NULL;
    uint64_t before;
    assert_int_equal(route(f, FID, &d, T0), 0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_dealer_merge_lead(NULL, FID, IID, T0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, NULL, IID, T0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id"));
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, NULL, T0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "into_id"));
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, FID, T0 + 1),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id"));
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, "", IID, T0 + 1),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, "\xff\xfe", T0 + 1),
                     B2B2C_EBADID);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "into_id"));
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, "nobody", IID, T0 + 1),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id"));
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, INT64_MAX),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 - 1),
                     B2B2C_ERANGE);
    assert_true(before == b2b2c__dealer_digest(f->e));
    reopen(f);
}

/* In a group: rolled back with it, also after enough routes that the
 * audit array moves (the undo holds no pointer into it). */
static void t_group(void **state)
{
    fx *f = *state;
    const char *d = NULL;
    uint64_t before;
    assert_int_equal(route(f, FID, &d, T0), 0);
    assert_int_equal(route(f, IID, &d, T0 + 10), 0);
    assert_int_equal(route(f, "O1", &d, T0 + 20), 0);
    assert_int_equal(b2b2c_dealer_put(f->e, "c", 1, "RU", "", 1000, 0, 24),
                     0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 30), 0);
    for (int i = 0; i < 300; i++) {
        char id[16];
        snprintf(id, sizeof id, "G%d", i);
        assert_int_equal(route(f, id, &d, T0 + 40 + i), 0);
    }
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_true(before == b2b2c__dealer_digest(f->e));
    assert_true(hits(f, FID, strlen(FID)) > 0);
    assert_int_equal(lead_audit(f, FID).n, 1);
    assert_int_equal(lead_audit(f, IID).n, 1);
    reopen(f);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, FID, IID, T0 + 30), 0);
    assert_int_equal(b2b2c_dealer_merge_lead(f->e, "O1", IID, T0 + 31), 0);
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    assert_int_equal(lead_audit(f, IID).n, 5);
    assert_int_equal(hits(f, FID, strlen(FID)), 0);
    reopen(f);
}

/* The sequence of docs/lead-model.md in one group: lead model, channels,
 * dealer engine (asked first whether it knows from_id: a failing call
 * would abort the group); committed together, rolled back together. */
static int merge_all(fx *f, b2b2c_lead_model *m, b2b2c_channels *ch,
                     const char *from, const char *into, int64_t now,
                     int commit)
{
    int32_t st;
    int rc = b2b2c_ctx_begin(f->ctx);
    if (rc == 0)
        rc = b2b2c_lead_merge(m, from, into, now);
    if (rc == 0)
        rc = b2b2c_channels_merge(ch, from, into);
    if (rc == 0 && b2b2c_dealer_lead_state(&st, NULL, f->e, from) == 0)
        rc = b2b2c_dealer_merge_lead(f->e, from, into, now);
    if (rc == 0 && commit)
        return b2b2c_ctx_commit(f->ctx);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    return rc;
}

static void t_three_engines(void **state)
{
    fx *f = *state;
    b2b2c_lead_model *m;
    b2b2c_channels *ch;
    const char *d = NULL;
    uint64_t before;
    int32_t st;
    assert_int_equal(b2b2c_lead_model_new(&m, f->ctx), 0);
    assert_int_equal(b2b2c_channels_new(&ch, f->ctx), 0);
    assert_int_equal(b2b2c_channels_add(ch, "search",
                                        B2B2C_CHANNEL_KIND_LEADGEN, 0, 0),
                     0);
    assert_int_equal(b2b2c_lead_add(m, FID, T0, B2B2C_SEGMENT_B2C_CONSUMER,
                                    NULL, "RU", "boilers"),
                     0);
    assert_int_equal(b2b2c_lead_add(m, IID, T0, B2B2C_SEGMENT_B2C_CONSUMER,
                                    NULL, "RU", "boilers"),
                     0);
    assert_int_equal(b2b2c_channels_touch(ch, FID, "search", T0), 0);
    assert_int_equal(b2b2c_channels_touch(ch, IID, "search", T0 + 1), 0);
    assert_int_equal(route(f, FID, &d, T0 + 10), 0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(merge_all(f, m, ch, FID, IID, T0 + 20, 0), 0);
    assert_true(before == b2b2c__dealer_digest(f->e));
    assert_int_equal(b2b2c_lead_stage(&st, m, FID), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, FID), 0);
    assert_int_equal(merge_all(f, m, ch, FID, IID, T0 + 20, 1), 0);
    assert_int_equal(b2b2c_lead_stage(&st, m, FID), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, FID),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, IID), 0);
    assert_int_equal(st, B2B2C_DEALER_LEAD_OFFERED);
    assert_int_equal(hits(f, FID, strlen(FID)), 0);
    /* a lead the dealer engine never saw: the other two merge */
    assert_int_equal(b2b2c_lead_add(m, "X2", T0, B2B2C_SEGMENT_B2C_CONSUMER,
                                    NULL, "RU", "boilers"),
                     0);
    assert_int_equal(b2b2c_channels_touch(ch, "X2", "search", T0 + 2), 0);
    assert_int_equal(merge_all(f, m, ch, "X2", IID, T0 + 30, 1), 0);
    assert_int_equal(b2b2c_lead_stage(&st, m, "X2"), B2B2C_ENOTFOUND);
    b2b2c_channels_free(ch);
    b2b2c_lead_model_free(m);
    reopen(f);
}

/* Another context sees the merge (it reloads), and routes on from the
 * same decision number. */
static void t_sync(void **state)
{
    sync_pair p;
    b2b2c_dealer_engine *a, *b, *c;
    const char *d;
    int32_t s;
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_dealer_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_dealer_new(&b, p.cb), 0);
    assert_int_equal(b2b2c_dealer_put(a, "a", 1, "RU", "", 1000, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, a, FID, "RU", 0, 0, 0, "",
                                        5, 1, T0),
                     0);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, b, IID, "RU", 0, 0, 0, "",
                                        5, 1, T0 + 1),
                     0);
    assert_int_equal(b2b2c_dealer_accept(b, FID, "a", T0 + 2), 0);
    assert_int_equal(b2b2c_dealer_merge_lead(a, FID, IID, T0 + 3), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, b, FID),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, b, IID), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_ACCEPTED);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.ca), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(c);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, b, "Q1", "RU", 0, 0, 0, "",
                                        5, 1, T0 + 4),
                     0);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, a, "Q2", "RU", 0, 0, 0, "",
                                        5, 1, T0 + 5),
                     0);
    assert_int_equal(b2b2c_dealer_outcome(b, IID, 1, 5.0, T0 + 6), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, IID), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(a);
    b2b2c_dealer_free(b);
    sync_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(t_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(t_both, setup, teardown),
        cmocka_unit_test_setup_teardown(t_into_keeps, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_group, setup, teardown),
        cmocka_unit_test_setup_teardown(t_three_engines, setup, teardown),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
