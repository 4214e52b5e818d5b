/* SPDX-License-Identifier: MIT */
/* The SQLite storage adapter (src/storage/sqlite, libb2b2c-sqlite) against
 * the storage conformance suite, a reopen through a file, and two
 * connections on one file (storage version 2: snapshots and conflicts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "b2b2c/storage/sqlite.h"
#include "crash.h"
#include "harness.h"
#include "kv1.h"
#include "toy.h"

static int sq_open(b2b2c_storage *st, void **handle)
{
    b2b2c_sqlite *db;
    int rc = b2b2c_sqlite_open(&db, ":memory:");
    if (rc)
        return rc;
    *handle = db;
    return b2b2c_sqlite_methods(db, st);
}

static void sq_close(void *handle)
{
    b2b2c_sqlite_close(handle);
}

/* State written through one connection is there after reopening the file;
 * a failed call leaves the file as it was. */
static void t_file_reopen(void **state)
{
    char path[] = "/tmp/b2b2c_sqlite_XXXXXX";
    int fd = mkstemp(path);
    b2b2c_sqlite *db;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    toy *t;
    (void)state;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(b2b2c_sqlite_open(&db, path), 0);
    assert_int_equal(b2b2c_sqlite_methods(db, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(toy_add(t, i % 2 ? "odd" : "even", 1), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(toy_add(t, "odd", 5000000), B2B2C_ERANGE);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_sqlite_close(db);

    assert_int_equal(b2b2c_sqlite_open(&db, path), 0);
    assert_int_equal(b2b2c_sqlite_methods(db, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_get(t, "odd"), 50);
    assert_int_equal(toy_get(t, "even"), 50);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_sqlite_close(db);
    unlink(path);
}

static void temp_path(char *path)
{
    int fd;
    strcpy(path, "/tmp/b2b2c_sqlite_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void remove_db(const char *path)
{
    char side[64];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-journal", path);
    unlink(side);
}

/* A context with a toy engine on a new connection to path. */
typedef struct {
    b2b2c_sqlite *db;
    b2b2c_ctx *ctx;
    toy *t;
} conn;

static int conn_open(conn *c, const char *path, const b2b2c_sqlite_options *o)
{
    b2b2c_storage st;
    int rc = b2b2c_sqlite_open_with(&c->db, path, o);
    if (rc)
        return rc;
    if ((rc = b2b2c_sqlite_methods(c->db, &st)) != 0 ||
        (rc = b2b2c_ctx_new(&c->ctx, NULL, &st)) != 0)
        return rc;
    return toy_new(&c->t, c->ctx);
}

static void conn_close(conn *c)
{
    toy_free(c->t);
    b2b2c_ctx_free(c->ctx);
    b2b2c_sqlite_close(c->db);
}

/* Child process: take the write lock on path (a transaction that has
 * written), tell the parent through fd, hold the lock a while, commit. */
static void hold_lock_then_commit(const char *path, int fd, int wal)
{
    sqlite3 *db;
    int ok = sqlite3_open(path, &db) == SQLITE_OK &&
             sqlite3_busy_timeout(db, 10000) == SQLITE_OK &&
             sqlite3_exec(db, wal ? "PRAGMA journal_mode=WAL" : "SELECT 1",
                          NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(db, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS "
                              "other (x); INSERT INTO other VALUES (1)",
                          NULL, NULL, NULL) == SQLITE_OK;
    char b = ok ? 'y' : 'n';
    if (write(fd, &b, 1) != 1)
        ok = 0;
    struct timespec hold = {0, 300 * 1000 * 1000};
    nanosleep(&hold, NULL); /* the parent's write now waits on the lock */
    if (ok)
        ok = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    _exit(ok ? 0 : 1);
}

/* Two connections on one file: with a busy timeout, a write that meets the
 * other connection's lock waits for it and succeeds; with none it fails at
 * once with the SQLITE_BUSY code, and errmsg/strerror say so. In the
 * rollback journal and in WAL mode. */
static void contention(int wal, int timeout_ms, int want)
{
    char path[32];
    int fds[2], status;
    pid_t pid;
    char b;
    conn c;
    b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;

    temp_path(path);
    o.wal = wal;
    o.busy_timeout_ms = timeout_ms;
    assert_int_equal(conn_open(&c, path, &o), 0);
    assert_int_equal(toy_add(c.t, "a", 1), 0);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        hold_lock_then_commit(path, fds[1], wal);
    assert_int_equal(read(fds[0], &b, 1), 1);
    assert_int_equal(b, 'y');
    assert_int_equal(toy_add(c.t, "a", 1), want);
    assert_int_equal(toy_get(c.t, "a"), want == 0 ? 2 : 1);
    if (want != 0) {
        assert_non_null(strstr(b2b2c_sqlite_errmsg(c.db), "locked"));
        assert_non_null(strstr(b2b2c_sqlite_strerror(want), "locked"));
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
    close(fds[1]);
    conn_close(&c);
    remove_db(path);
}

/* Several processes opening one new file at the same moment (workers
 * starting together): each open converts the file to WAL and creates the
 * table, and SQLite may answer SQLITE_BUSY at once there (a lock upgrade
 * it will not wait for); within the busy timeout every open succeeds. */
static void t_open_at_once(void **state)
{
    enum { NPROC = 6, ROUNDS = 10 };
    (void)state;
    for (int round = 0; round < ROUNDS; round++) {
        char path[64];
        int fds[2], status;
        pid_t pids[NPROC];
        temp_path(path);
        assert_int_equal(pipe(fds), 0);
        for (int i = 0; i < NPROC; i++) {
            pids[i] = fork();
            assert_true(pids[i] >= 0);
            if (pids[i] == 0) {
                b2b2c_sqlite *db;
                char b;
                close(fds[1]);
                /* all start when the parent closes the pipe */
                if (read(fds[0], &b, 1) != 0)
                    _exit(3);
                if (b2b2c_sqlite_open(&db, path) != 0)
                    _exit(1);
                b2b2c_sqlite_close(db);
                _exit(0);
            }
        }
        close(fds[0]);
        close(fds[1]);
        for (int i = 0; i < NPROC; i++) {
            assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("round %d: an open failed (exit %d)", round,
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        remove_db(path);
    }
}

static void t_contention_waits(void **state)
{
    (void)state;
    contention(0, 10000, 0);
}

static void t_contention_waits_wal(void **state)
{
    (void)state;
    contention(1, 10000, 0);
}

static void t_no_timeout_fails_at_once(void **state)
{
    (void)state;
    contention(0, 0, -(1000 + SQLITE_BUSY));
    contention(1, 0, -(1000 + SQLITE_BUSY));
}

/* A commit that fails (a reader holds its SHARED lock, no busy timeout):
 * the call returns SQLITE_BUSY's code, nothing is written, and errmsg is
 * SQLite's message for it, not "not an error" from the rollback after. */
static void t_errmsg_after_failed_commit(void **state)
{
    char path[32];
    conn c;
    sqlite3 *r;
    sqlite3_stmt *st;
    b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
    (void)state;

    temp_path(path);
    o.busy_timeout_ms = 0;
    o.wal = 0; /* a rollback journal: the reader's SHARED lock blocks */
    assert_int_equal(conn_open(&c, path, &o), 0);
    assert_int_equal(toy_add(c.t, "a", 1), 0);
    assert_int_equal(sqlite3_open(path, &r), SQLITE_OK);
    assert_int_equal(sqlite3_exec(r, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(r, "SELECT * FROM b2b2c_kv", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW); /* SHARED lock held */
    assert_int_equal(toy_add(c.t, "a", 1), -(1000 + SQLITE_BUSY));
    assert_string_equal(b2b2c_sqlite_errmsg(c.db), "database is locked");
    assert_string_equal(b2b2c_sqlite_strerror(-(1000 + SQLITE_BUSY)),
                        "SQLite: database is locked (SQLITE_BUSY)");
    sqlite3_finalize(st);
    sqlite3_exec(r, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(r);
    assert_int_equal(toy_get(c.t, "a"), 1);
    assert_int_equal(toy_add(c.t, "a", 1), 0);
    assert_int_equal(toy_get(c.t, "a"), 2);
    conn_close(&c);
    remove_db(path);
}

static const char *pragma(b2b2c_sqlite *db, const char *sql, char *buf,
                          size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(b2b2c_sqlite_handle(db), sql, -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* The options reach the connection; defaults are documented values. */
static void t_options_applied(void **state)
{
    char path[32], buf[32];
    b2b2c_sqlite *db;
    b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT, d;
    (void)state;

    assert_int_equal(o.version, B2B2C_SQLITE_OPTIONS_VERSION);
    assert_int_equal(o.busy_timeout_ms, 5000);
    assert_int_equal(o.wal, 1);
    assert_int_equal(o.synchronous, B2B2C_SQLITE_SYNC_DEFAULT);
    memset(&d, 0x5a, sizeof(d));
    assert_int_equal(b2b2c_sqlite_options_init(&d, 1), 0);
    assert_memory_equal(&d, &o, sizeof(o));

    temp_path(path);
    o.wal = 1;
    o.synchronous = B2B2C_SQLITE_SYNC_NORMAL;
    o.busy_timeout_ms = 1234;
    assert_int_equal(b2b2c_sqlite_open_with(&db, path, &o), 0);
    assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof(buf)),
                        "wal");
    assert_string_equal(pragma(db, "PRAGMA synchronous", buf, sizeof(buf)),
                        "1");
    assert_string_equal(pragma(db, "PRAGMA busy_timeout", buf, sizeof(buf)),
                        "1234");
    b2b2c_sqlite_close(db);
    /* wal 0 leaves the journal as the file has it */
    o.wal = 0;
    assert_int_equal(b2b2c_sqlite_open_with(&db, path, &o), 0);
    assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof(buf)),
                        "wal"); /* WAL is a property of the file */
    b2b2c_sqlite_close(db);
    remove_db(path);
}

/* b2b2c_sqlite_open: a busy timeout and WAL for a file database; an
 * in-memory one, which has no file to log to, keeps its own journal. */
static void t_wal_by_default(void **state)
{
    char path[32], buf[32];
    b2b2c_sqlite *db;
    b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
    (void)state;

    temp_path(path);
    assert_int_equal(b2b2c_sqlite_open(&db, path), 0);
    assert_string_equal(pragma(db, "PRAGMA busy_timeout", buf, sizeof(buf)),
                        "5000");
    assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof(buf)),
                        "wal");
    b2b2c_sqlite_close(db);
    remove_db(path);
    assert_int_equal(b2b2c_sqlite_open(&db, ":memory:"), 0);
    assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof(buf)),
                        "memory");
    b2b2c_sqlite_close(db);
    o.wal = 1;
    assert_int_equal(b2b2c_sqlite_open_with(&db, ":memory:", &o), 0);
    b2b2c_sqlite_close(db);
}

/* Two raw storage tables on one file, for the version-2 members. */
typedef struct pair {
    char path[32];
    b2b2c_sqlite *a, *b;
    b2b2c_storage sa, sb;
} pair;

static void pair_open(pair *p, int wal)
{
    b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
    o.wal = wal;
    o.busy_timeout_ms = 2000;
    temp_path(p->path);
    assert_int_equal(b2b2c_sqlite_open_with(&p->a, p->path, &o), 0);
    assert_int_equal(b2b2c_sqlite_open_with(&p->b, p->path, &o), 0);
    assert_int_equal(b2b2c_sqlite_methods(p->a, &p->sa), 0);
    assert_int_equal(b2b2c_sqlite_methods(p->b, &p->sb), 0);
}

static void pair_close(pair *p)
{
    b2b2c_sqlite_close(p->a);
    b2b2c_sqlite_close(p->b);
    remove_db(p->path);
}

/* The method table is version 2 with begin_read; a read transaction sees
 * one snapshot: another connection's commit shows only after it ends. */
static void t_begin_read_snapshot(void **state)
{
    pair p;
    char buf[16];
    (void)state;

    pair_open(&p, 1);
    assert_int_equal(p.sa.version, 2);
    assert_non_null(p.sa.begin_read);
    assert_int_equal(p.sa.flags, 0);
    assert_int_equal(kv1_put(&p.sa, "k", "one"), 0);
    assert_int_equal(p.sa.begin_read(p.sa.userdata), 0);
    assert_string_equal(kv1_get(&p.sa, "k", buf), "one");
    /* a reader does not block the writer */
    assert_int_equal(kv1_put(&p.sb, "k", "two"), 0);
    assert_string_equal(kv1_get(&p.sa, "k", buf), "one");
    assert_int_equal(p.sa.rollback(p.sa.userdata), 0);
    assert_string_equal(kv1_get(&p.sa, "k", buf), "two");
    pair_close(&p);
}

/* WAL: a read transaction whose snapshot is older than another
 * connection's commit cannot write (SQLITE_BUSY_SNAPSHOT): B2B2C_ECONFLICT,
 * and after the rollback a new transaction writes. */
static void t_busy_snapshot_conflict(void **state)
{
    pair p;
    char buf[16];
    (void)state;

    pair_open(&p, 1);
    assert_int_equal(kv1_put(&p.sa, "k", "one"), 0);
    assert_int_equal(p.sa.begin_read(p.sa.userdata), 0);
    assert_string_equal(kv1_get(&p.sa, "k", buf), "one");
    assert_int_equal(kv1_put(&p.sb, "k", "two"), 0);
    assert_int_equal(p.sa.put(p.sa.userdata, "t", "k", 1, "x", 1),
                     B2B2C_ECONFLICT);
    assert_non_null(strstr(b2b2c_sqlite_errmsg(p.a), "locked"));
    assert_int_equal(p.sa.rollback(p.sa.userdata), 0);
    assert_int_equal(kv1_put(&p.sa, "k", "three"), 0);
    assert_string_equal(kv1_get(&p.sb, "k", buf), "three");
    pair_close(&p);
}

/* Rollback journal: a read transaction that holds its SHARED lock while
 * another connection holds the write lock cannot upgrade (SQLite returns
 * SQLITE_BUSY at once, without waiting: a deadlock): B2B2C_ECONFLICT. A
 * write transaction that meets a lock still waits, then reports
 * SQLITE_BUSY (t_no_timeout_fails_at_once). */
static void t_read_upgrade_conflict(void **state)
{
    pair p;
    char buf[16];
    (void)state;

    pair_open(&p, 0);
    assert_int_equal(kv1_put(&p.sa, "k", "one"), 0);
    assert_int_equal(p.sa.begin_read(p.sa.userdata), 0);
    assert_string_equal(kv1_get(&p.sa, "k", buf), "one");
    assert_int_equal(p.sb.begin(p.sb.userdata), 0);
    assert_int_equal(p.sb.put(p.sb.userdata, "t", "k", 1, "two", 3), 0);
    assert_int_equal(p.sa.put(p.sa.userdata, "t", "k", 1, "x", 1),
                     B2B2C_ECONFLICT);
    assert_int_equal(p.sa.rollback(p.sa.userdata), 0);
    assert_int_equal(p.sb.commit(p.sb.userdata), 0);
    assert_string_equal(kv1_get(&p.sa, "k", buf), "two");
    pair_close(&p);
}

/* Bad options: a specific code, no connection, a NULL *out. */
static void t_bad_options(void **state)
{
    static const struct {
        b2b2c_sqlite_options o;
        int want;
    } cases[] = {
        {{0, 5000, 0, B2B2C_SQLITE_SYNC_DEFAULT}, B2B2C_EVERSION},
        {{B2B2C_SQLITE_OPTIONS_VERSION + 1, 5000, 0, -1}, B2B2C_EVERSION},
        {{1, -1, 0, B2B2C_SQLITE_SYNC_DEFAULT}, B2B2C_ERANGE},
        {{1, 5000, 2, B2B2C_SQLITE_SYNC_DEFAULT}, B2B2C_ERANGE},
        {{1, 5000, -1, B2B2C_SQLITE_SYNC_DEFAULT}, B2B2C_ERANGE},
        {{1, 5000, 0, B2B2C_SQLITE_SYNC_EXTRA + 1}, B2B2C_ERANGE},
        {{1, 5000, 0, B2B2C_SQLITE_SYNC_DEFAULT - 1}, B2B2C_ERANGE},
    };
    b2b2c_sqlite_options o;
    b2b2c_sqlite *db;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        db = (b2b2c_sqlite *)&o; /* any non-NULL: must become NULL */
        assert_int_equal(b2b2c_sqlite_open_with(&db, ":memory:",
                                                &cases[i].o),
                         cases[i].want);
        assert_null(db);
    }
    assert_int_equal(b2b2c_sqlite_options_init(&o, 2), B2B2C_EVERSION);
    assert_int_equal(b2b2c_sqlite_options_init(NULL, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_sqlite_open_with(NULL, ":memory:", NULL),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_sqlite_open_with(&db, NULL, NULL), B2B2C_EINVAL);
    assert_null(db);
    assert_string_equal(b2b2c_sqlite_strerror(B2B2C_ERANGE),
                        b2b2c_strerror(B2B2C_ERANGE));
    assert_string_equal(b2b2c_sqlite_strerror(-(1000 + SQLITE_FULL)),
                        "SQLite: database or disk is full (SQLITE_FULL)");
}

/* Clients killed with SIGKILL mid-transaction on one WAL file. */
static char crash_path[32];

static int crash_open(b2b2c_storage *st, void **handle)
{
    b2b2c_sqlite *db;
    int rc = b2b2c_sqlite_open(&db, crash_path);
    if (rc)
        return rc;
    *handle = db;
    return b2b2c_sqlite_methods(db, st);
}

static void t_crash(void **state)
{
    static const th_storage_factory f = {"sqlite", crash_open, sq_close};
    th_crash_opts o = {3, 24, 7, 60};
    th_crash_result r;
    (void)state;

    temp_path(crash_path);
    assert_int_equal(th_crash_run(&f, &o, &r), 0);
    printf("crash: %ld reported, %ld whole, %ld missing, %ld partial, "
           "%ld errors\n",
           r.reported, r.found, r.missing, r.partial, r.errors);
    assert_true(r.reported > 0);
    assert_true(r.found >= r.reported);
    assert_int_equal(r.missing, 0);
    assert_int_equal(r.partial, 0);
    assert_int_equal(r.errors, 0);
    remove_db(crash_path);
}

int main(int argc, char **argv)
{
    static const th_storage_factory sq = {"sqlite", sq_open, sq_close};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_file_reopen),
        cmocka_unit_test(t_open_at_once),
        cmocka_unit_test(t_contention_waits),
        cmocka_unit_test(t_contention_waits_wal),
        cmocka_unit_test(t_no_timeout_fails_at_once),
        cmocka_unit_test(t_errmsg_after_failed_commit),
        cmocka_unit_test(t_options_applied),
        cmocka_unit_test(t_bad_options),
        cmocka_unit_test(t_wal_by_default),
        cmocka_unit_test(t_begin_read_snapshot),
        cmocka_unit_test(t_busy_snapshot_conflict),
        cmocka_unit_test(t_read_upgrade_conflict),
    };
    const struct CMUnitTest crash_tests[] = {
        cmocka_unit_test(t_crash),
    };

    /* the crash test is its own meson test (suite slow: it forks and
     * kills processes, which valgrind makes too slow to commit anything) */
    if (argc > 1 && strcmp(argv[1], "crash") == 0)
        return cmocka_run_group_tests(crash_tests, NULL, NULL);
    return th_storage_conformance(&sq) +
           cmocka_run_group_tests(tests, NULL, NULL);
}
