/* SPDX-License-Identifier: MIT */
/* SQLite storage backend for libb2b2c (see b2b2c/storage/sqlite.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "b2b2c/storage/sqlite.h"

enum {
    S_GET, S_PUT, S_DEL, S_SCAN, S_BEGIN, S_COMMIT, S_ROLLBACK, S_BEGIN_READ,
    S_N
};

static const char *const sql[S_N] = {
    "SELECT v FROM b2b2c_kv WHERE tbl = ?1 AND k = ?2",
    "INSERT OR REPLACE INTO b2b2c_kv (tbl, k, v) VALUES (?1, ?2, ?3)",
    "DELETE FROM b2b2c_kv WHERE tbl = ?1 AND k = ?2",
    "SELECT k, v FROM b2b2c_kv WHERE tbl = ?1 ORDER BY k",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "BEGIN DEFERRED",
};

struct b2b2c_sqlite {
    sqlite3 *db;
    sqlite3_stmt *st[S_N];
    /* SQLite's message at the last failure: sqlite3_errmsg alone says
     * "not an error" once the library's rollback after it has succeeded */
    char msg[256];
    /* inside a transaction begun by begin_read: SQLITE_BUSY on a write
     * there is a conflict (the read snapshot cannot become a write) */
    int reading;
};

static int code(int rc)
{
    if (rc == SQLITE_NOMEM)
        return B2B2C_ENOMEM;
    return -(1000 + (rc & 0xff));
}

/* Keep SQLite's message for rc and return rc's code: B2B2C_ECONFLICT when
 * the open transaction can no longer write because another connection
 * committed since its snapshot (SQLITE_BUSY_SNAPSHOT in WAL mode), or
 * holds the write lock while this read transaction tries to write
 * (SQLITE_BUSY, returned at once: waiting would deadlock). */
static int fail(b2b2c_sqlite *s, int rc)
{
    snprintf(s->msg, sizeof(s->msg), "%s", sqlite3_errmsg(s->db));
    if (sqlite3_extended_errcode(s->db) == SQLITE_BUSY_SNAPSHOT ||
        ((rc & 0xff) == SQLITE_BUSY && s->reading))
        return B2B2C_ECONFLICT;
    return code(rc);
}

int b2b2c_sqlite_options_init(b2b2c_sqlite_options *o, uint32_t version)
{
    static const b2b2c_sqlite_options defaults = B2B2C_SQLITE_OPTIONS_INIT;

    if (!o)
        return B2B2C_EINVAL;
    if (version == 0 || version > B2B2C_SQLITE_OPTIONS_VERSION)
        return B2B2C_EVERSION;
    *o = defaults;
    o->version = version;
    return 0;
}

static int check_options(const b2b2c_sqlite_options *o)
{
    if (o->version == 0 || o->version > B2B2C_SQLITE_OPTIONS_VERSION)
        return B2B2C_EVERSION;
    if (o->busy_timeout_ms < 0 || (o->wal != 0 && o->wal != 1) ||
        o->synchronous < B2B2C_SQLITE_SYNC_DEFAULT ||
        o->synchronous > B2B2C_SQLITE_SYNC_EXTRA)
        return B2B2C_ERANGE;
    return 0;
}

/* PRAGMA journal_mode=WAL answers with the mode in force: anything but
 * "wal" means no WAL. An in-memory or temporary database (no file name)
 * has no file to log to and keeps its journal. */
static int enable_wal(b2b2c_sqlite *s)
{
    sqlite3_stmt *st;
    const char *file = sqlite3_db_filename(s->db, "main");
    int rc;

    if (!file || !*file)
        return 0;
    rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = fail(s, rc);
        sqlite3_finalize(st);
        return rc;
    }
    rc = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0
             ? 0
             : B2B2C_EINVAL;
    sqlite3_finalize(st);
    return rc;
}

static int apply_options(b2b2c_sqlite *s, const b2b2c_sqlite_options *o)
{
    int rc = sqlite3_busy_timeout(s->db, o->busy_timeout_ms);

    if (rc != SQLITE_OK)
        return fail(s, rc);
    if (o->synchronous != B2B2C_SQLITE_SYNC_DEFAULT) {
        char sql[32];
        snprintf(sql, sizeof(sql), "PRAGMA synchronous=%d",
                 (int)o->synchronous);
        if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
            return fail(s, rc);
    }
    return o->wal ? enable_wal(s) : 0;
}

int b2b2c_sqlite_open(b2b2c_sqlite **out, const char *path)
{
    return b2b2c_sqlite_open_with(out, path, NULL);
}

int b2b2c_sqlite_open_with(b2b2c_sqlite **out, const char *path,
                           const b2b2c_sqlite_options *opts)
{
    static const b2b2c_sqlite_options defaults = B2B2C_SQLITE_OPTIONS_INIT;
    b2b2c_sqlite *s;
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    if (!path)
        return B2B2C_EINVAL;
    if (!opts)
        opts = &defaults;
    if ((rc = check_options(opts)) != 0)
        return rc;
    s = calloc(1, sizeof(*s));
    if (!s)
        return B2B2C_ENOMEM;
    strcpy(s->msg, "not an error");
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = s->db ? fail(s, rc) : B2B2C_ENOMEM;
        b2b2c_sqlite_close(s);
        return rc;
    }
    /* Processes opening one new file at the same moment: converting it
     * to WAL and creating the table need a lock upgrade that SQLite
     * refuses at once, without the busy handler, when another connection
     * holds the lock it would have to wait for (waiting could deadlock).
     * Both steps are idempotent: try them again, sleeping 1, 2, 4 ... 32
     * ms, until they pass or the busy timeout is spent. */
    for (int waited = 0, nap = 1;; nap = nap < 32 ? 2 * nap : 32) {
        rc = apply_options(s, opts);
        if (rc == 0 &&
            (rc = sqlite3_exec(s->db,
                               "CREATE TABLE IF NOT EXISTS b2b2c_kv ("
                               " tbl TEXT NOT NULL, k BLOB NOT NULL,"
                               " v BLOB NOT NULL,"
                               " PRIMARY KEY (tbl, k)) WITHOUT ROWID",
                               NULL, NULL, NULL)) != SQLITE_OK)
            rc = fail(s, rc);
        if ((rc != code(SQLITE_BUSY) && rc != code(SQLITE_LOCKED)) ||
            waited >= opts->busy_timeout_ms)
            break;
        sqlite3_sleep(nap);
        waited += nap;
    }
    if (rc != 0) {
        b2b2c_sqlite_close(s);
        return rc;
    }
    for (int i = 0; rc == SQLITE_OK && i < S_N; i++)
        rc = sqlite3_prepare_v2(s->db, sql[i], -1, &s->st[i], NULL);
    if (rc != SQLITE_OK) {
        rc = fail(s, rc);
        b2b2c_sqlite_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void b2b2c_sqlite_close(b2b2c_sqlite *s)
{
    if (!s)
        return;
    for (int i = 0; i < S_N; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db); /* rolls back an open transaction */
    free(s);
}

const char *b2b2c_sqlite_errmsg(const b2b2c_sqlite *s)
{
    return s ? s->msg : "db is NULL";
}

struct sqlite3 *b2b2c_sqlite_handle(b2b2c_sqlite *s)
{
    return s ? s->db : NULL;
}

/* sqlite3_errstr's text per primary result code, with the code's name. */
static const struct {
    int rc;
    const char *msg;
} messages[] = {
    {SQLITE_ERROR, "SQLite: SQL logic error (SQLITE_ERROR)"},
    {SQLITE_INTERNAL, "SQLite: internal error (SQLITE_INTERNAL)"},
    {SQLITE_PERM, "SQLite: access permission denied (SQLITE_PERM)"},
    {SQLITE_ABORT, "SQLite: query aborted (SQLITE_ABORT)"},
    {SQLITE_BUSY, "SQLite: database is locked (SQLITE_BUSY)"},
    {SQLITE_LOCKED, "SQLite: database table is locked (SQLITE_LOCKED)"},
    {SQLITE_READONLY,
     "SQLite: attempt to write a readonly database (SQLITE_READONLY)"},
    {SQLITE_INTERRUPT, "SQLite: interrupted (SQLITE_INTERRUPT)"},
    {SQLITE_IOERR, "SQLite: disk I/O error (SQLITE_IOERR)"},
    {SQLITE_CORRUPT,
     "SQLite: database disk image is malformed (SQLITE_CORRUPT)"},
    {SQLITE_NOTFOUND, "SQLite: unknown operation (SQLITE_NOTFOUND)"},
    {SQLITE_FULL, "SQLite: database or disk is full (SQLITE_FULL)"},
    {SQLITE_CANTOPEN,
     "SQLite: unable to open database file (SQLITE_CANTOPEN)"},
    {SQLITE_PROTOCOL, "SQLite: locking protocol (SQLITE_PROTOCOL)"},
    {SQLITE_SCHEMA, "SQLite: database schema has changed (SQLITE_SCHEMA)"},
    {SQLITE_TOOBIG, "SQLite: string or blob too big (SQLITE_TOOBIG)"},
    {SQLITE_CONSTRAINT, "SQLite: constraint failed (SQLITE_CONSTRAINT)"},
    {SQLITE_MISMATCH, "SQLite: datatype mismatch (SQLITE_MISMATCH)"},
    {SQLITE_MISUSE,
     "SQLite: bad parameter or other API misuse (SQLITE_MISUSE)"},
    {SQLITE_NOLFS, "SQLite: large file support is disabled (SQLITE_NOLFS)"},
    {SQLITE_AUTH, "SQLite: authorization denied (SQLITE_AUTH)"},
    {SQLITE_RANGE, "SQLite: column index out of range (SQLITE_RANGE)"},
    {SQLITE_NOTADB, "SQLite: file is not a database (SQLITE_NOTADB)"},
};

const char *b2b2c_sqlite_strerror(int c)
{
    if (c > -1000 || c < -1255)
        return b2b2c_strerror(c);
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
        if (-(1000 + messages[i].rc) == c)
            return messages[i].msg;
    return "SQLite: unknown result code";
}

static sqlite3_stmt *bind_key(b2b2c_sqlite *s, int which, const char *table,
                              const void *key, size_t klen)
{
    sqlite3_stmt *st = s->st[which];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    if (key)
        sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
    return st;
}

/* Run a statement that returns no rows; 0 or the failure's code. */
static int step_reset(b2b2c_sqlite *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : fail(s, rc);
    sqlite3_reset(st);
    return rc;
}

/* SQLite returns NULL for an empty BLOB: hand the library "" instead. */
static const void *blob(sqlite3_stmt *st, int col)
{
    const void *p = sqlite3_column_blob(st, col);
    return p ? p : "";
}

static int s_get(void *ud, const char *table, const void *key, size_t klen,
                 b2b2c_storage_value_cb found, void *payload)
{
    sqlite3_stmt *st = bind_key(ud, S_GET, table, key, klen);
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        const void *v = blob(st, 0);
        rc = found(v, (size_t)sqlite3_column_bytes(st, 0), payload);
        sqlite3_reset(st);
        return rc;
    }
    rc = rc == SQLITE_DONE ? B2B2C_ENOTFOUND : fail(ud, rc);
    sqlite3_reset(st);
    return rc;
}

static int s_put(void *ud, const char *table, const void *key, size_t klen,
                 const void *val, size_t vlen)
{
    sqlite3_stmt *st;

    if (klen > 65535 || vlen > INT32_MAX)
        return B2B2C_EINVAL;
    st = bind_key(ud, S_PUT, table, key, klen);
    /* a non-NULL pointer keeps an empty value a BLOB, not NULL */
    sqlite3_bind_blob(st, 3, vlen ? val : "", (int)vlen, SQLITE_STATIC);
    return step_reset(ud, st);
}

static int s_del(void *ud, const char *table, const void *key, size_t klen)
{
    return step_reset(ud, bind_key(ud, S_DEL, table, key, klen));
}

static int s_scan(void *ud, const char *table, b2b2c_storage_row_cb row,
                  void *payload)
{
    sqlite3_stmt *st = bind_key(ud, S_SCAN, table, NULL, 0);
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r = row(blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                    blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), payload);
        if (r) {
            sqlite3_reset(st);
            return r;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : fail(ud, rc);
    sqlite3_reset(st);
    return rc;
}

static int run(b2b2c_sqlite *s, int which)
{
    return step_reset(s, s->st[which]);
}

static int s_begin(void *ud)
{
    ((b2b2c_sqlite *)ud)->reading = 0;
    return run(ud, S_BEGIN);
}

/* A read transaction: in WAL mode its first read fixes the snapshot it
 * sees until the rollback that ends it. */
static int s_begin_read(void *ud)
{
    int rc = run(ud, S_BEGIN_READ);
    ((b2b2c_sqlite *)ud)->reading = rc == 0;
    return rc;
}

static int s_commit(void *ud)
{
    int rc = run(ud, S_COMMIT);
    if (rc == 0)
        ((b2b2c_sqlite *)ud)->reading = 0;
    return rc;
}

static int s_rollback(void *ud)
{
    ((b2b2c_sqlite *)ud)->reading = 0;
    return run(ud, S_ROLLBACK);
}

int b2b2c_sqlite_methods(b2b2c_sqlite *s, b2b2c_storage *out)
{
    if (!s || !out)
        return B2B2C_EINVAL;
    b2b2c_storage_init(out, B2B2C_STORAGE_VERSION);
    out->userdata = s;
    out->get = s_get;
    out->put = s_put;
    out->del = s_del;
    out->scan = s_scan;
    out->begin = s_begin;
    out->commit = s_commit;
    out->rollback = s_rollback;
    out->begin_read = s_begin_read;
    return 0;
}
