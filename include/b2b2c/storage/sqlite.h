/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c-sqlite: the storage contract (include/b2b2c/sys/storage.h,
 * docs/storage.md) over SQLite, as its own shared library
 * (libb2b2c-sqlite.so.1, pkg-config libb2b2c-sqlite) so that libb2b2c
 * itself stays libc-only.
 *
 * All engine tables live in one SQLite table
 *     b2b2c_kv(tbl TEXT, k BLOB, v BLOB, PRIMARY KEY (tbl, k)) WITHOUT ROWID
 * whose BLOB ordering (memcmp, then length) is the order `scan` promises.
 * SQLite failures come back as -(1000 + SQLite primary result code), so a
 * host can tell them from the library's own codes (-1005 is SQLITE_BUSY);
 * SQLITE_NOMEM is B2B2C_ENOMEM. b2b2c_sqlite_strerror names them.
 *
 * Many contexts (processes) on one file (storage version 2): `begin` is
 * BEGIN IMMEDIATE (one writer at a time, waiting up to busy_timeout_ms),
 * `begin_read` is BEGIN DEFERRED (a snapshot in WAL mode, taken at the
 * first read). A transaction that can no longer commit because another
 * connection committed since its snapshot (SQLITE_BUSY_SNAPSHOT, or
 * SQLITE_BUSY when a read transaction tries to write) returns
 * B2B2C_ECONFLICT, and the library re-runs the call. WAL is the default
 * for a file database.
 *
 * Threads: one connection per context, used by one thread at a time.
 */
#ifndef B2B2C_STORAGE_SQLITE_H
#define B2B2C_STORAGE_SQLITE_H

#include <stdint.h>

#include "../../b2b2c.h"

/* Marks what this adapter's own library exports: its functions are not part
 * of libb2b2c.so.1 nor of src/libb2b2c.map, but of the adapter's map. */
#ifndef B2B2C_STORAGE_API
#define B2B2C_STORAGE_API B2B2C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct b2b2c_sqlite b2b2c_sqlite;
struct sqlite3;

/* PRAGMA synchronous levels (SQLite's numbers); DEFAULT leaves SQLite's. */
enum {
    B2B2C_SQLITE_SYNC_DEFAULT = -1,
    B2B2C_SQLITE_SYNC_OFF = 0,
    B2B2C_SQLITE_SYNC_NORMAL = 1,
    B2B2C_SQLITE_SYNC_FULL = 2,
    B2B2C_SQLITE_SYNC_EXTRA = 3
};

/*
 * Connection options, versioned like the library's host structs: set
 * `version` (B2B2C_SQLITE_OPTIONS_INIT or b2b2c_sqlite_options_init does),
 * members are only appended.
 *
 * busy_timeout_ms  how long a call waits for another connection's lock
 *                  before failing with SQLITE_BUSY (-1005), 0 .. INT32_MAX
 *                  milliseconds; 0 fails at once. Default 5000.
 * wal              1: switch a database file to write-ahead logging
 *                  (readers no longer block the writer, and a read
 *                  transaction is a snapshot; the setting stays with the
 *                  file). An in-memory or temporary database (":memory:",
 *                  "") has no file to log to and keeps its own journal:
 *                  1 leaves it as it is. A file whose journal cannot
 *                  become WAL is B2B2C_EINVAL. 0: leave the journal mode
 *                  as the file has it. Default 1 (it was 0 before
 *                  storage version 2).
 * synchronous      B2B2C_SQLITE_SYNC_*: PRAGMA synchronous for this
 *                  connection (NORMAL is the usual choice with WAL).
 *                  Default B2B2C_SQLITE_SYNC_DEFAULT (SQLite's, FULL).
 */
typedef struct b2b2c_sqlite_options {
    uint32_t version;
    int32_t busy_timeout_ms;
    int32_t wal;
    int32_t synchronous;
} b2b2c_sqlite_options;

#define B2B2C_SQLITE_OPTIONS_VERSION 1
#define B2B2C_SQLITE_OPTIONS_INIT                                              \
    {B2B2C_SQLITE_OPTIONS_VERSION, 5000, 1, B2B2C_SQLITE_SYNC_DEFAULT}

/* Fill `o` with the defaults of `version` (1 .. B2B2C_SQLITE_OPTIONS_VERSION).
 * Returns 0, B2B2C_EINVAL (o NULL) or B2B2C_EVERSION. */
B2B2C_STORAGE_API int b2b2c_sqlite_options_init(b2b2c_sqlite_options *o,
                                        uint32_t version);

/* Open (or create) the database at `path` (":memory:" for a private one)
 * with `opts` (NULL: the defaults). *out is NULL on failure. Returns 0,
 * B2B2C_EINVAL (NULL out or path; a file whose journal cannot become WAL),
 * B2B2C_EVERSION (opts->version 0 or newer than this adapter), B2B2C_ERANGE
 * (busy_timeout_ms < 0, wal not 0/1, synchronous not a SYNC_* value),
 * B2B2C_ENOMEM or a negative SQLite-derived code. */
B2B2C_STORAGE_API int b2b2c_sqlite_open_with(b2b2c_sqlite **out, const char *path,
                                     const b2b2c_sqlite_options *opts);

/* b2b2c_sqlite_open_with(out, path, NULL): a 5 s busy timeout, WAL for a
 * file, synchronous left as SQLite has it. */
B2B2C_STORAGE_API int b2b2c_sqlite_open(b2b2c_sqlite **out, const char *path);

/* Fill `out` with the method table (userdata = db) for b2b2c_ctx_new. */
B2B2C_STORAGE_API int b2b2c_sqlite_methods(b2b2c_sqlite *db, b2b2c_storage *out);

/* SQLite's message for the last failed SQLite call of this connection
 * ("database is locked"), kept until the next failure: the rollback the
 * library runs after a failed commit does not clear it. Before any
 * failure: "not an error". Owned by db, valid until the next call on it. */
B2B2C_STORAGE_API const char *b2b2c_sqlite_errmsg(const b2b2c_sqlite *db);

/* A static message for a code an adapter call or a library call through
 * it returned: "SQLite: database is locked (SQLITE_BUSY)" for -1005, and
 * b2b2c_strerror(code) for the library's own codes. */
B2B2C_STORAGE_API const char *b2b2c_sqlite_strerror(int code);

/* The underlying connection, for the host's own PRAGMAs and queries
 * (outside the library's transactions). NULL for NULL db. */
B2B2C_STORAGE_API struct sqlite3 *b2b2c_sqlite_handle(b2b2c_sqlite *db);

/* Close; an open transaction is rolled back. NULL is accepted. */
B2B2C_STORAGE_API void b2b2c_sqlite_close(b2b2c_sqlite *db);

#ifdef __cplusplus
}
#endif

#endif
