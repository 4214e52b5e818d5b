/*
 * A libb2b2c storage backend on SQLite: an example of the storage contract
 * (include/b2b2c/sys/storage.h, docs/storage.md) over a real database.
 *
 * All engine tables live in one SQLite table
 *     b2b2c_kv(tbl TEXT, k BLOB, v BLOB, PRIMARY KEY (tbl, k)) WITHOUT ROWID
 * whose BLOB ordering (memcmp, then length) is the order `scan` promises.
 * SQLite failures come back as -(1000 + SQLite result code), so a host can
 * tell them from the library's own codes; SQLITE_NOMEM is B2B2C_ENOMEM.
 *
 * Threads: one connection per context, used by one thread at a time.
 */
#ifndef B2B2C_SQLITE_H
#define B2B2C_SQLITE_H

#include <b2b2c.h>

typedef struct b2b2c_sqlite b2b2c_sqlite;

/* Open (or create) the database at `path` (":memory:" for a private one).
 * Returns 0, B2B2C_EINVAL or a negative SQLite-derived code. */
int b2b2c_sqlite_open(b2b2c_sqlite **out, const char *path);

/* Fill `out` with the method table (userdata = db) for b2b2c_ctx_new. */
int b2b2c_sqlite_methods(b2b2c_sqlite *db, b2b2c_storage *out);

/* The last SQLite error message of this connection (for logs). */
const char *b2b2c_sqlite_errmsg(const b2b2c_sqlite *db);

/* Close; an open transaction is rolled back. NULL is accepted. */
void b2b2c_sqlite_close(b2b2c_sqlite *db);

#endif
