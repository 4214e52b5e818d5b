/* SPDX-License-Identifier: MIT */
/*
 * Lazy rescoring (issue 18): a rescoring writes one step record
 * (lead_rescores) and no lead record; a lead record carries the generation
 * it was written at (version 3) and is brought through the later
 * rescorings when read. Records of versions 1 and 2 are still read (at
 * generation 0); records and steps that do not fit are B2B2C_ECORRUPT
 * naming table and key. docs/lead-model.md, "Rescoring".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "b2b2c.h"
#include "internal.h"
#include "lead/lead_internal.h"

#ifdef LAZY_SQLITE
#include <sys/wait.h>
#include <unistd.h>

#include "b2b2c/storage/sqlite.h"
#endif

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

typedef struct store {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
} store;

static void store_open(store *s)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(b2b2c_memstore_new(&s->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(s->ms, &s->st), 0);
    assert_int_equal(b2b2c_ctx_new(&s->ctx, NULL, &s->st), 0);
    assert_int_equal(b2b2c_lead_model_new(&s->m, s->ctx), 0);
    /* no sweep (test_lead_sweep.c): every record stays at the generation
     * it was written at, and these tests read it through the steps */
    s->m->sw_slice = 0;
}

static void store_close(store *s)
{
    b2b2c_lead_model_free(s->m);
    b2b2c_ctx_free(s->ctx);
    b2b2c_memstore_free(s->ms);
}

/* 30 leads with events of two kinds, attributes and a late checkpoint. */
static void fill(b2b2c_lead_model *m)
{
    char id[16];
    assert_int_equal(b2b2c_lead_model_set_param(m, B2B2C_LEAD_LATENESS_DAYS,
                                                5),
                     0);
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof(id), "L%02d", i);
        assert_int_equal(b2b2c_lead_add(m, id, T0, i % 6,
                                        i % 2 ? "web" : NULL, NULL, NULL),
                         0);
        for (int e = 0; e <= i % 4; e++)
            assert_int_equal(
                b2b2c_lead_event(m, id,
                                 e % 2 ? B2B2C_LEAD_EV_QUOTE_REQUEST
                                       : B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                 T0 + (i + 5 * e) * 3600, 0),
                0);
    }
    assert_int_equal(b2b2c_lead_event(m, "L07",
                                      B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                      T0 + 7 * 3600 - 60, 0),
                     0);
}

/* A digest of every lead's score, band and band entry, through the API. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static int why_cb(const char *id, int32_t o, int32_t b, int64_t at,
                  int32_t why, void *ud)
{
    uint64_t *h = ud;
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%s %d %d %lld %d;", id, (int)o,
                     (int)b, (long long)at, (int)why);
    *h = fnv(*h, buf, (size_t)n);
    return 0;
}

static int list_cb(const char *id, int32_t st, int32_t band, double score,
                   void *ud)
{
    uint64_t *h = ud;
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%s %d %d %.17g;", id, (int)st,
                     (int)band, score);
    *h = fnv(*h, buf, (size_t)n);
    return 0;
}

static uint64_t digest(const b2b2c_lead_model *m, int64_t now)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    assert_int_equal(b2b2c_lead_list(m, -1, -1, now, list_cb, &h), 0);
    assert_int_equal(
        b2b2c_lead_band_changes_why(m, INT64_MIN / 2, now, why_cb, &h), 0);
    return h;
}

/* The digest of a handle opened now on s's store (its records read). */
static uint64_t reopened(store *s, int64_t now, int *rc)
{
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    uint64_t h = 0;
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s->st), 0);
    *rc = b2b2c_lead_model_new(&m, c);
    if (*rc == 0) {
        h = digest(m, now);
        b2b2c_lead_model_free(m);
    } else {
        assert_non_null(strstr(b2b2c_ctx_errmsg(c), "lead_"));
    }
    b2b2c_ctx_free(c);
    return h;
}

typedef struct rows {
    uint64_t h;
    size_t n;
} rows;

static int row_cb(const void *k, size_t kl, const void *v, size_t vl,
                  void *ud)
{
    rows *r = ud;
    r->h = fnv(fnv(r->h, k, kl), v, vl);
    r->n++;
    return 0;
}

static rows table_rows(store *s, const char *table)
{
    rows r = {0xcbf29ce484222325ULL, 0};
    assert_int_equal(b2b2c__st_scan(s->ctx, table, row_cb, &r), 0);
    return r;
}

/* A rescoring stores one step and no lead record, yet a reopened handle
 * tells what the rescoring handle tells, through several rescorings of
 * each kind with events between them. */
static void t_no_rewrite(void **state)
{
    static const char *const e[] = {"kind:quote_request", "channel:web"};
    static const double p[] = {7, 11};
    store s;
    rows before, after;
    int rc;
    int64_t now = T0 + 40 * DAY;
    (void)state;
    store_open(&s);
    fill(s.m);
    before = table_rows(&s, "lead_leads");
    assert_int_equal(b2b2c_lead_kind_set(s.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         33, 0, 0, 0),
                     0);
    assert_int_equal(b2b2c_lead_model_set_param(s.m,
                                                B2B2C_LEAD_WARM_THRESHOLD,
                                                25),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(s.m, B2B2C_LEAD_ATTR_SEGMENT,
                                                "b2b_large", 30),
                     0);
    after = table_rows(&s, "lead_leads");
    assert_int_equal(after.n, before.n);
    assert_true(after.h == before.h); /* not one lead record written */
    assert_int_equal(table_rows(&s, "lead_rescores").n, 3);
    assert_true(reopened(&s, now, &rc) == digest(s.m, now));
    assert_int_equal(rc, 0);
    /* a lead written since is at the newest generation; the others still
     * at 0: both read right, through an apply and a late event */
    assert_int_equal(b2b2c_lead_event(s.m, "L05",
                                      B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 2 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_points_apply(NULL, NULL, s.m, e, p, 2, 0.3,
                                             0.1, T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_event(s.m, "L07",
                                      B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 7 * 3600 - 30, 0),
                     0);
    assert_int_equal(table_rows(&s, "lead_rescores").n, 4);
    assert_true(reopened(&s, now, &rc) == digest(s.m, now));
    assert_int_equal(rc, 0);
    /* the same points again: nothing to rescore, no step */
    assert_int_equal(b2b2c_lead_kind_set(s.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         33, 0, 0, 0),
                     0);
    assert_int_equal(table_rows(&s, "lead_rescores").n, 4);
    store_close(&s);
}

/* The record of lead `id` rewritten as version `ver` (1: the fields of
 * version 1, from a version 3 record of generation 0 without late-event
 * bookkeeping), or with its generation set to `gen` (ver 3). */
typedef struct got {
    uint8_t *v;
    size_t n;
} got;

static int got_cb(const void *v, size_t vl, void *ud)
{
    got *g = ud;
    g->v = malloc(vl);
    assert_non_null(g->v);
    memcpy(g->v, v, vl);
    g->n = vl;
    return 0;
}

static void rewrite(store *s, const char *id, int ver, uint8_t gen)
{
    got g = {NULL, 0};
    b2b2c__rbuf r;
    b2b2c__wbuf w;
    const uint8_t *blob;
    uint8_t buf[4096];
    size_t n;
    assert_int_equal(b2b2c__st_get(s->ctx, "lead_leads", id, strlen(id),
                                   got_cb, &g),
                     0);
    assert_int_equal(b2b2c__dec_begin(&r, g.v, g.n, 3), 0);
    assert_int_equal(r.version, 3);
    blob = b2b2c__dec_bytes(&r, &n);
    assert_non_null(blob);
    assert_true(n >= 2 && n < sizeof(buf));
    memcpy(buf, blob, n);
    /* the last two bytes: generation (one byte below 128), late flag 0 */
    assert_int_equal(buf[n - 1], 0);
    buf[n - 2] = gen;
    b2b2c__enc_begin(&w, &s->ctx->mem, (uint8_t)ver);
    b2b2c__enc_bytes(&w, buf, ver == 1 ? n - 2 : n);
    assert_int_equal(b2b2c_ctx_begin(s->ctx), 0);
    assert_int_equal(b2b2c__st_put_rec(s->ctx, "lead_leads", id, strlen(id),
                                       &w),
                     0);
    assert_int_equal(b2b2c_ctx_commit(s->ctx), 0);
    free(g.v);
}

/* A version 1 record (1.0) is at generation 0: read after a rescoring,
 * it is rescored as the lead in memory was. */
static void t_old_version(void **state)
{
    store s;
    int rc;
    uint64_t h0;
    int64_t now = T0 + 40 * DAY;
    (void)state;
    store_open(&s);
    assert_int_equal(b2b2c_lead_add(s.m, "old", T0, 2, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(s.m, "old",
                                      B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 60,
                                      0),
                     0);
    h0 = digest(s.m, now);
    rewrite(&s, "old", 1, 0);
    assert_true(reopened(&s, now, &rc) == h0);
    assert_int_equal(b2b2c_lead_kind_set(s.m, B2B2C_LEAD_EV_QUOTE_REQUEST, 2,
                                         0, 0, 0),
                     0);
    assert_true(digest(s.m, now) != h0); /* the rescoring moved it */
    assert_true(reopened(&s, now, &rc) == digest(s.m, now));
    assert_int_equal(rc, 0);
    store_close(&s);
}

/* A record at a generation no step is stored for, a step that does not
 * decode, a missing step: B2B2C_ECORRUPT at the open, naming the table. */
static void t_corrupt(void **state)
{
    store s;
    int rc;
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    (void)state;
    store_open(&s);
    /* P: no late-event bookkeeping (rewrite needs it so) */
    assert_int_equal(b2b2c_lead_add(s.m, "P", T0, 2, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(s.m, "P", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                      T0 + 60, 0),
                     0);
    fill(s.m);
    assert_int_equal(b2b2c_lead_kind_set(s.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         33, 0, 0, 0),
                     0);
    rewrite(&s, "P", 3, 9); /* 9: ahead of the one rescoring */
    (void)reopened(&s, T0, &rc);
    assert_int_equal(rc, B2B2C_ECORRUPT);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "lead_leads"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "rescoring 9"));
    b2b2c_ctx_free(c);
    rewrite(&s, "P", 3, 1);
    (void)reopened(&s, T0, &rc);
    assert_int_equal(rc, 0);
    /* a step that does not decode */
    assert_int_equal(s.st.put(s.st.userdata, "lead_rescores", "\0\0\0\1", 4,
                              "garbage!", 8),
                     0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "lead_rescores"));
    b2b2c_ctx_free(c);
    /* only step 2 stored: step 1 is missing */
    assert_int_equal(s.st.del(s.st.userdata, "lead_rescores", "\0\0\0\1", 4),
                     0);
    assert_int_equal(b2b2c_lead_model_set_param(s.m,
                                                B2B2C_LEAD_HOT_THRESHOLD, 70),
                     0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "rescoring 1 missing"));
    b2b2c_ctx_free(c);
    store_close(&s);
}

static int count_alert(const char *id, int32_t o, int32_t b, int64_t at,
                       void *ud)
{
    (void)id, (void)o, (void)b, (void)at;
    ++*(int *)ud;
    return 0;
}

/* The reload a context gets when it fell behind the change log's floor
 * rebuilds the handle from storage; the host's rescore alert stays
 * registered, as the band-change alert does (it was dropped before). */
static void t_reload_keeps_rescore_alert(void **state)
{
    store s;
    int n = 0;
    (void)state;
    store_open(&s);
    /* no event: its score is its fit, cold under the default thresholds */
    assert_int_equal(b2b2c_lead_add(s.m, "A", T0, 2, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_rescore_alert(s.m, count_alert, &n), 0);
    assert_int_equal(b2b2c__lead_ops.reload(s.m), 0);
    assert_int_equal(b2b2c_lead_model_set_param(s.m,
                                                B2B2C_LEAD_WARM_THRESHOLD,
                                                -5),
                     0);
    assert_int_equal(n, 1); /* cold -> warm */
    store_close(&s);
}

/* A lead closed after a rescoring keeps the rescored score and band (its
 * stored record was of the generation before; closing stores the lead as
 * it is), and a closed lead is not rescored afterwards (as before lazy
 * rescoring), also when read by a handle opened later. */
static void t_close_after_rescore(void **state)
{
    store s;
    double s0, s1, s2;
    int32_t b0, b1, b2;
    size_t n;
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    int64_t now = T0 + 400 * DAY;
    (void)state;
    store_open(&s);
    assert_int_equal(b2b2c_lead_add(s.m, "W", T0, 2, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(s.m, "W", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                      T0 + 60, 0),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(s.m, "W", B2B2C_LEAD_STAGE_LOST,
                                          T0 + 120),
                     0);
    assert_int_equal(b2b2c_lead_kind_set(s.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         77, 0, 0, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&s0, &b0, s.m, "W", now), 0);
    assert_int_equal(b2b2c_lead_close_due(&n, s.m, now, 10), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_lead_score(&s1, &b1, s.m, "W", now), 0);
    assert_true(s1 == s0);
    assert_int_equal(b1, b0);
    assert_int_equal(b2b2c_lead_kind_set(s.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         5, 0, 0, 0),
                     0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &s.st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, c), 0);
    assert_int_equal(b2b2c_lead_score(&s2, &b2, m, "W", now), 0);
    assert_true(s2 == s0);
    assert_int_equal(b2, b0);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(c);
    store_close(&s);
}

#ifdef LAZY_SQLITE
/* Two processes on one SQLite file: the parent's handle, open all along,
 * sees the child's rescorings through the change log (its lead records
 * are not rewritten by them), as a handle opened afterwards does. */
static void t_two_processes(void **state)
{
    char dir[] = "/tmp/b2b2c_lazy_XXXXXX", path[64];
    b2b2c_sqlite *db;
    b2b2c_storage st;
    b2b2c_ctx *ctx, *c2;
    b2b2c_lead_model *m, *m2;
    uint64_t child = 0;
    int fd[2], status;
    int64_t now = T0 + 40 * DAY;
    pid_t pid;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/db", dir);
    assert_int_equal(b2b2c_sqlite_open(&db, path), 0);
    assert_int_equal(b2b2c_sqlite_methods(db, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    fill(m);
    (void)digest(m, now);
    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the other process: its own connection */
        b2b2c_sqlite *cdb;
        b2b2c_storage cst;
        b2b2c_ctx *cc;
        b2b2c_lead_model *cm;
        uint64_t h;
        int ok = b2b2c_sqlite_open(&cdb, path) == 0 &&
                 b2b2c_sqlite_methods(cdb, &cst) == 0 &&
                 b2b2c_ctx_new(&cc, NULL, &cst) == 0 &&
                 b2b2c_lead_model_new(&cm, cc) == 0 &&
                 b2b2c_lead_kind_set(cm, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, 33, 0,
                                     0, 0) == 0 &&
                 b2b2c_lead_event(cm, "L06", B2B2C_LEAD_EV_QUOTE_REQUEST,
                                  T0 + 2 * DAY, 0) == 0 &&
                 b2b2c_lead_model_set_param(cm, B2B2C_LEAD_HOT_THRESHOLD,
                                            50) == 0;
        h = ok ? digest(cm, now) : 0;
        _exit(write(fd[1], &h, sizeof(h)) == (ssize_t)sizeof(h) && ok ? 0
                                                                       : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(read(fd[0], &child, sizeof(child)), sizeof(child));
    close(fd[0]);
    close(fd[1]);
    assert_true(child != 0);
    assert_true(digest(m, now) == child); /* through the change log */
    assert_int_equal(b2b2c_ctx_new(&c2, NULL, &st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m2, c2), 0);
    assert_true(digest(m2, now) == child); /* from the records */
    b2b2c_lead_model_free(m2);
    b2b2c_ctx_free(c2);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
    b2b2c_sqlite_close(db);
    unlink(path);
    {
        char aux[96];
        snprintf(aux, sizeof(aux), "%s-wal", path);
        unlink(aux);
        snprintf(aux, sizeof(aux), "%s-shm", path);
        unlink(aux);
    }
    rmdir(dir);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_no_rewrite),
        cmocka_unit_test(t_old_version),
        cmocka_unit_test(t_corrupt),
        cmocka_unit_test(t_reload_keeps_rescore_alert),
        cmocka_unit_test(t_close_after_rescore),
#ifdef LAZY_SQLITE
        cmocka_unit_test(t_two_processes),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
