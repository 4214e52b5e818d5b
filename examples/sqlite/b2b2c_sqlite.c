/* SQLite storage backend for libb2b2c (see b2b2c_sqlite.h). */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "b2b2c_sqlite.h"

enum { S_GET, S_PUT, S_DEL, S_SCAN, S_BEGIN, S_COMMIT, S_ROLLBACK, S_N };

static const char *const sql[S_N] = {
    "SELECT v FROM b2b2c_kv WHERE tbl = ?1 AND k = ?2",
    "INSERT OR REPLACE INTO b2b2c_kv (tbl, k, v) VALUES (?1, ?2, ?3)",
    "DELETE FROM b2b2c_kv WHERE tbl = ?1 AND k = ?2",
    "SELECT k, v FROM b2b2c_kv WHERE tbl = ?1 ORDER BY k",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
};

struct b2b2c_sqlite {
    sqlite3 *db;
    sqlite3_stmt *st[S_N];
};

static int code(int rc)
{
    if (rc == SQLITE_NOMEM)
        return B2B2C_ENOMEM;
    return -(1000 + (rc & 0xff));
}

int b2b2c_sqlite_open(b2b2c_sqlite **out, const char *path)
{
    b2b2c_sqlite *s;
    int rc;

    if (!out || !path)
        return B2B2C_EINVAL;
    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return B2B2C_ENOMEM;
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db,
                          "CREATE TABLE IF NOT EXISTS b2b2c_kv ("
                          " tbl TEXT NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL,"
                          " PRIMARY KEY (tbl, k)) WITHOUT ROWID",
                          NULL, NULL, NULL);
    for (int i = 0; rc == SQLITE_OK && i < S_N; i++)
        rc = sqlite3_prepare_v2(s->db, sql[i], -1, &s->st[i], NULL);
    if (rc != SQLITE_OK) {
        b2b2c_sqlite_close(s);
        return code(rc);
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
    return s ? sqlite3_errmsg(s->db) : "db is NULL";
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
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? B2B2C_ENOTFOUND : code(rc);
}

static int s_put(void *ud, const char *table, const void *key, size_t klen,
                 const void *val, size_t vlen)
{
    sqlite3_stmt *st;
    int rc;

    if (klen > 65535 || vlen > INT32_MAX)
        return B2B2C_EINVAL;
    st = bind_key(ud, S_PUT, table, key, klen);
    /* a non-NULL pointer keeps an empty value a BLOB, not NULL */
    sqlite3_bind_blob(st, 3, vlen ? val : "", (int)vlen, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : code(rc);
}

static int s_del(void *ud, const char *table, const void *key, size_t klen)
{
    sqlite3_stmt *st = bind_key(ud, S_DEL, table, key, klen);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : code(rc);
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
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : code(rc);
}

static int run(b2b2c_sqlite *s, int which)
{
    int rc = sqlite3_step(s->st[which]);
    sqlite3_reset(s->st[which]);
    return rc == SQLITE_DONE ? 0 : code(rc);
}

static int s_begin(void *ud) { return run(ud, S_BEGIN); }
static int s_commit(void *ud) { return run(ud, S_COMMIT); }
static int s_rollback(void *ud) { return run(ud, S_ROLLBACK); }

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
    return 0;
}
