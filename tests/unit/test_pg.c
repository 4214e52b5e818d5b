/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL storage adapter (src/storage/postgresql) against a real
 * server that tests/harness/pg_server.sh starts for this test
 * (`test_pg --server pg_server.sh [crash]`, or B2B2C_PG_CONNINFO set by
 * `pg_server.sh test_pg`): the storage conformance suite in both isolation
 * modes, snapshots and conflicts between two connections, writers
 * serialized by the advisory lock, engines written through and reopened,
 * error mapping (bad conninfo, a server error, a dropped connection) and
 * the crash test.
 */
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

#include <libpq-fe.h>

#include "b2b2c/storage/postgresql.h"
#include "crash.h"
#include "harness.h"
#include "kv1.h"
#include "toy.h"

static const char *conninfo;
static int32_t isolation = B2B2C_PG_ISOLATION_LOCK;

static void sql(b2b2c_pg *db, const char *q)
{
    PGresult *res = PQexec(b2b2c_pg_handle(db), q);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", q, PQresultErrorMessage(res));
    PQclear(res);
}

static int pg_connect(b2b2c_storage *st, void **handle)
{
    b2b2c_pg_options o = B2B2C_PG_OPTIONS_INIT;
    b2b2c_pg *db;
    int rc;

    o.isolation = isolation;
    if ((rc = b2b2c_pg_open(&db, conninfo, &o)) != 0)
        return rc;
    *handle = db;
    return b2b2c_pg_methods(db, st);
}

/* The conformance suite's fresh, empty store: the one table emptied. */
static int pg_open_empty(b2b2c_storage *st, void **handle)
{
    int rc = pg_connect(st, handle);
    if (rc == 0)
        sql(*handle, "DELETE FROM b2b2c_kv");
    return rc;
}

static void pg_close(void *handle)
{
    b2b2c_pg_close(handle);
}

static b2b2c_pg *open_db(int32_t iso, b2b2c_storage *st)
{
    b2b2c_pg_options o = B2B2C_PG_OPTIONS_INIT;
    b2b2c_pg *db;

    o.isolation = iso;
    assert_int_equal(b2b2c_pg_open(&db, conninfo, &o), 0);
    assert_int_equal(b2b2c_pg_methods(db, st), 0);
    return db;
}

/* Version 2 table; begin_read sees one snapshot, in both modes. */
static void t_begin_read_snapshot(void **state)
{
    b2b2c_storage sa, sb;
    char buf[16];
    (void)state;

    for (int32_t iso = 1; iso <= 2; iso++) {
        b2b2c_pg *a = open_db(iso, &sa), *b = open_db(iso, &sb);
        assert_int_equal(sa.version, 2);
        assert_non_null(sa.begin_read);
        assert_null(sa.hint);
        assert_int_equal(sa.flags, 0);
        assert_int_equal(kv1_put(&sa, "snap", "one"), 0);
        assert_int_equal(sa.begin_read(sa.userdata), 0);
        assert_string_equal(kv1_get(&sa, "snap", buf), "one");
        assert_int_equal(kv1_put(&sb, "snap", "two"), 0);
        assert_string_equal(kv1_get(&sa, "snap", buf), "one");
        /* a read-only transaction refuses to write: SQLSTATE 25006 */
        assert_int_equal(sa.put(sa.userdata, "t", "x", 1, "", 0), -2025);
        assert_string_equal(b2b2c_pg_sqlstate(a), "25006");
        assert_int_equal(sa.rollback(sa.userdata), 0);
        assert_string_equal(kv1_get(&sa, "snap", buf), "two");
        b2b2c_pg_close(a);
        b2b2c_pg_close(b);
    }
}

/* SERIALIZABLE: write skew between two connections (each reads one key
 * and writes the other) cannot both commit: the second gets 40001 as
 * B2B2C_ECONFLICT (at its write or its commit), and may then run again. */
static void t_serializable_conflict(void **state)
{
    b2b2c_storage sa, sb;
    char buf[16];
    int rc;
    (void)state;

    b2b2c_pg *a = open_db(B2B2C_PG_ISOLATION_SERIALIZABLE, &sa);
    b2b2c_pg *b = open_db(B2B2C_PG_ISOLATION_SERIALIZABLE, &sb);
    assert_int_equal(kv1_put(&sa, "x", "0"), 0);
    assert_int_equal(kv1_put(&sa, "y", "0"), 0);
    assert_int_equal(sa.begin(sa.userdata), 0);
    assert_int_equal(sb.begin(sb.userdata), 0);
    assert_string_equal(kv1_get(&sa, "x", buf), "0");
    assert_string_equal(kv1_get(&sb, "y", buf), "0");
    assert_int_equal(sa.put(sa.userdata, "t", "y", 1, "a", 1), 0);
    rc = sb.put(sb.userdata, "t", "x", 1, "b", 1);
    assert_int_equal(sa.commit(sa.userdata), 0);
    if (rc == 0)
        rc = sb.commit(sb.userdata);
    assert_int_equal(rc, B2B2C_ECONFLICT);
    assert_string_equal(b2b2c_pg_sqlstate(b), "40001");
    assert_int_equal(sb.rollback(sb.userdata), 0);
    /* the re-run sees a's write */
    assert_int_equal(sb.begin(sb.userdata), 0);
    assert_string_equal(kv1_get(&sb, "y", buf), "a");
    assert_int_equal(sb.put(sb.userdata, "t", "x", 1, "b", 1), 0);
    assert_int_equal(sb.commit(sb.userdata), 0);
    b2b2c_pg_close(a);
    b2b2c_pg_close(b);
}

/* LOCK mode: a second writer's begin waits for the first writer's commit
 * and then reads its write (it ran after it, not beside it). */
static void t_lock_serializes_writers(void **state)
{
    b2b2c_storage sa;
    char buf[16], b;
    int fds[2], status;
    pid_t pid;
    (void)state;

    b2b2c_pg *a = open_db(B2B2C_PG_ISOLATION_LOCK, &sa);
    assert_int_equal(kv1_put(&sa, "lock", "before"), 0);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        b2b2c_storage s;
        void *h;
        int ok = pg_connect(&s, &h) == 0 && s.begin(s.userdata) == 0;
        char c = ok ? 'y' : 'n';
        struct timespec hold = {0, 300 * 1000 * 1000};
        if (write(fds[1], &c, 1) != 1)
            ok = 0;
        nanosleep(&hold, NULL); /* the parent's begin now waits */
        ok = ok && s.put(s.userdata, "t", "lock", 4, "child", 5) == 0 &&
             s.commit(s.userdata) == 0;
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(read(fds[0], &b, 1), 1);
    assert_int_equal(b, 'y');
    assert_int_equal(sa.begin(sa.userdata), 0);
    assert_string_equal(kv1_get(&sa, "lock", buf), "child");
    assert_int_equal(sa.commit(sa.userdata), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
    close(fds[1]);
    b2b2c_pg_close(a);
}

/* A toy engine and a lead model written through, closed, reopened on a new
 * connection: the same state; a rejected call leaves the rows as they
 * were. */
static void t_reopen_engines(void **state)
{
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    toy *t;
    int32_t kind;
    size_t n;
    double s1, s2;
    (void)state;

    b2b2c_pg *db = open_db(isolation, &st);
    sql(db, "DELETE FROM b2b2c_kv");
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    for (int i = 1; i <= 30; i++) /* one transaction per call */
        assert_int_equal(toy_add(t, i % 3 ? "two_thirds" : "third", i), 0);
    assert_int_equal(toy_add(t, "third", 5000000), B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    assert_int_equal(b2b2c_lead_add_kind(&kind, m, "site_visit"), 0);
    assert_int_equal(b2b2c_lead_kind_set(m, kind, 10.0, 0.0, 0.0, 0.0), 0);
    assert_int_equal(b2b2c_lead_add(m, "L1", 1767225600,
                                    B2B2C_SEGMENT_B2C_CONSUMER, "web", "north",
                                    NULL),
                     0);
    assert_int_equal(b2b2c_lead_add(m, "L2", 1767225600,
                                    B2B2C_SEGMENT_UNKNOWN, NULL, NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_event(m, "L1", kind, 1767229200, 0.0), 0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, m, "L1", 1767232800), 0);
    b2b2c_lead_model_free(m);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_pg_close(db);

    db = open_db(isolation, &st);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_get(t, "third"), 165);      /* 3 + 6 + ... + 30 */
    assert_int_equal(toy_get(t, "two_thirds"), 300); /* 465 - 165 */
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    assert_int_equal(b2b2c_lead_count(&n, m), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b2b2c_lead_score(&s2, NULL, m, "L1", 1767232800), 0);
    assert_true(s1 > 0.0);
    assert_true(s1 == s2);
    b2b2c_lead_model_free(m);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_pg_close(db);
}

/* Bad arguments and options: a specific code, *out NULL. No server at the
 * address: B2B2C_PG_ECONNECTION, not a crash. */
static void t_bad_open(void **state)
{
    static const struct {
        b2b2c_pg_options o;
        int want;
    } cases[] = {
        {{0, 1, 1}, B2B2C_EVERSION},
        {{B2B2C_PG_OPTIONS_VERSION + 1, 1, 1}, B2B2C_EVERSION},
        {{1, 0, 1}, B2B2C_ERANGE},
        {{1, 3, 1}, B2B2C_ERANGE},
    };
    b2b2c_pg_options o, d = B2B2C_PG_OPTIONS_INIT;
    b2b2c_pg *db;
    b2b2c_storage st;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        db = (b2b2c_pg *)&o;
        assert_int_equal(b2b2c_pg_open(&db, conninfo, &cases[i].o),
                         cases[i].want);
        assert_null(db);
    }
    assert_int_equal(b2b2c_pg_open(NULL, conninfo, NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_pg_open(&db, NULL, NULL), B2B2C_EINVAL);
    assert_null(db);
    assert_int_equal(b2b2c_pg_open(&db, "host=/nonexistent/b2b2c dbname=x",
                                   NULL),
                     B2B2C_PG_ECONNECTION);
    assert_null(db);
    assert_int_equal(b2b2c_pg_open(&db, "not a conninfo", NULL),
                     B2B2C_PG_ECONNECTION);
    assert_int_equal(b2b2c_pg_open(&db, "host=/nonexistent port=x", NULL),
                     B2B2C_PG_ECONNECTION);
    assert_int_equal(b2b2c_pg_methods(NULL, &st), B2B2C_EINVAL);
    assert_int_equal(b2b2c_pg_options_init(&o, 1), 0);
    assert_memory_equal(&o, &d, sizeof(o));
    assert_int_equal(b2b2c_pg_options_init(&o, 2), B2B2C_EVERSION);
    assert_int_equal(b2b2c_pg_options_init(NULL, 1), B2B2C_EINVAL);
    assert_string_equal(b2b2c_pg_strerror(B2B2C_ERANGE),
                        b2b2c_strerror(B2B2C_ERANGE));
    assert_non_null(strstr(b2b2c_pg_strerror(-2008), "connection"));
    assert_non_null(strstr(b2b2c_pg_strerror(-2023), "class 23"));
    assert_non_null(strstr(b2b2c_pg_strerror(-2000), "PostgreSQL"));
    assert_non_null(strstr(b2b2c_pg_strerror(-2097), "PostgreSQL"));
    assert_string_equal(b2b2c_pg_errmsg(NULL), "db is NULL");
    assert_null(b2b2c_pg_handle(NULL));
    b2b2c_pg_close(NULL);
}

/* A server error inside a call: the code of its SQLSTATE class, the
 * server's message and SQLSTATE kept, nothing written, the connection
 * still usable. */
static void t_server_error(void **state)
{
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    toy *t;
    (void)state;

    b2b2c_pg *db = open_db(isolation, &st);
    sql(db, "DELETE FROM b2b2c_kv");
    assert_string_equal(b2b2c_pg_errmsg(db), "not an error");
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_add(t, "a", 1), 0);
    sql(db, "ALTER TABLE b2b2c_kv ADD CONSTRAINT b2b2c_test_small"
            " CHECK (length(v) < 1) NOT VALID");
    assert_int_equal(toy_add(t, "a", 1), -2023);
    assert_string_equal(b2b2c_pg_sqlstate(db), "23514");
    assert_non_null(strstr(b2b2c_pg_errmsg(db), "b2b2c_test_small"));
    sql(db, "ALTER TABLE b2b2c_kv DROP CONSTRAINT b2b2c_test_small");
    assert_int_equal(toy_get(t, "a"), 1);
    assert_int_equal(toy_add(t, "a", 1), 0);
    assert_int_equal(toy_get(t, "a"), 2);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_pg_close(db);
}

/* The server ends this connection's backend (pg_terminate_backend, as a
 * restart or an administrator would): the next call reports the lost
 * connection (-2008) and so does every later one; it is not re-made behind
 * the host's back. */
static void t_dropped_connection(void **state)
{
    b2b2c_storage sa, sb;
    b2b2c_ctx *ctx;
    toy *t;
    char q[96];
    (void)state;

    b2b2c_pg *a = open_db(isolation, &sa), *b = open_db(isolation, &sb);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &sa), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_add(t, "drop", 1), 0);
    snprintf(q, sizeof(q), "SELECT pg_terminate_backend(%d)",
             PQbackendPID(b2b2c_pg_handle(a)));
    sql(b, q);
    assert_int_equal(toy_add(t, "drop", 1), B2B2C_PG_ECONNECTION);
    assert_true(strlen(b2b2c_pg_errmsg(a)) > 0);
    assert_string_not_equal(b2b2c_pg_errmsg(a), "not an error");
    assert_int_equal(toy_add(t, "drop", 1), B2B2C_PG_ECONNECTION);
    assert_int_equal(toy_get(t, "drop"), 1);
    assert_int_equal(sa.scan(sa.userdata, "toy", NULL, NULL),
                     B2B2C_PG_ECONNECTION);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_pg_close(a);
    b2b2c_pg_close(b);
}

/* Clients killed with SIGKILL mid-transaction, in both modes. */
static void crash(int32_t iso)
{
    static const th_storage_factory f = {"pg", pg_connect, pg_close};
    th_crash_opts o = {3, 24, 7, 60};
    th_crash_result r;

    isolation = iso;
    assert_int_equal(th_crash_run(&f, &o, &r), 0);
    isolation = B2B2C_PG_ISOLATION_LOCK;
    printf("crash (isolation %d): %ld reported, %ld whole, %ld missing, "
           "%ld partial, %ld errors\n",
           (int)iso, r.reported, r.found, r.missing, r.partial, r.errors);
    assert_true(r.reported > 0);
    assert_true(r.found >= r.reported);
    assert_int_equal(r.missing, 0);
    assert_int_equal(r.partial, 0);
    assert_int_equal(r.errors, 0);
}

static void t_crash_lock(void **state)
{
    (void)state;
    crash(B2B2C_PG_ISOLATION_LOCK);
}

static void t_crash_serializable(void **state)
{
    (void)state;
    crash(B2B2C_PG_ISOLATION_SERIALIZABLE);
}

/* Start a server of our own with `sh script --for-pid <us>`: it prints
 * the conninfo and stops the server once this process has ended, however
 * it ends. Returns 0, 77 (no server binaries: skip) or 1. */
static int start_server(const char *script)
{
    static char line[512];
    char cmd[1024];
    FILE *p;
    int st;

    snprintf(cmd, sizeof(cmd), "sh '%s' --for-pid %ld", script,
             (long)getpid());
    if (!(p = popen(cmd, "r")))
        return 1;
    if (!fgets(line, sizeof(line), p))
        line[0] = '\0';
    st = pclose(p);
    line[strcspn(line, "\n")] = '\0';
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("%s\n", line);
        return WIFEXITED(st) && WEXITSTATUS(st) == 77 ? 77 : 1;
    }
    conninfo = line;
    return 0;
}

int main(int argc, char **argv)
{
    static const th_storage_factory f = {"postgresql", pg_open_empty,
                                         pg_close};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_begin_read_snapshot),
        cmocka_unit_test(t_serializable_conflict),
        cmocka_unit_test(t_lock_serializes_writers),
        cmocka_unit_test(t_reopen_engines),
        cmocka_unit_test(t_bad_open),
        cmocka_unit_test(t_server_error),
        cmocka_unit_test(t_dropped_connection),
    };
    const struct CMUnitTest crash_tests[] = {
        cmocka_unit_test(t_crash_lock),
        cmocka_unit_test(t_crash_serializable),
    };
    int failed;

    if (argc > 2 && strcmp(argv[1], "--server") == 0) {
        int rc = start_server(argv[2]);
        if (rc != 0)
            return rc;
        argc -= 2;
        argv += 2;
    } else {
        conninfo = getenv("B2B2C_PG_CONNINFO");
    }
    if (!conninfo || !*conninfo) {
        printf("SKIP: no server: run test_pg --server "
               "tests/harness/pg_server.sh, as meson test does, or set "
               "B2B2C_PG_CONNINFO\n");
        return 77;
    }
    /* the crash tests are their own meson test (suite slow) */
    if (argc > 1 && strcmp(argv[1], "crash") == 0)
        return cmocka_run_group_tests(crash_tests, NULL, NULL);
    failed = th_storage_conformance(&f);
    isolation = B2B2C_PG_ISOLATION_SERIALIZABLE;
    failed += th_storage_conformance(&f);
    isolation = B2B2C_PG_ISOLATION_LOCK;
    return failed + cmocka_run_group_tests(tests, NULL, NULL);
}
