/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c-postgresql: the storage contract (include/b2b2c/sys/storage.h,
 * docs/storage.md) over PostgreSQL through libpq, as its own shared
 * library (libb2b2c-postgresql.so.1, pkg-config libb2b2c-postgresql) so
 * that libb2b2c itself stays libc-only.
 *
 * All engine tables live in one table, created if absent:
 *     b2b2c_kv(tbl text, k bytea, v bytea, PRIMARY KEY (tbl, k))
 * (the library's tables are few and their keys small: one table keeps the
 * schema fixed whatever engines a host opens). bytea compares as memcmp,
 * a shorter key first on a common prefix: the order `scan` promises.
 * Every statement is prepared once per connection, with binary parameters
 * and results.
 *
 * Transactions (b2b2c_pg_options.isolation):
 * - B2B2C_PG_ISOLATION_LOCK (the default): `begin` is READ COMMITTED plus
 *   pg_advisory_xact_lock(lock_key), so writers run one at a time, as
 *   SQLite's BEGIN IMMEDIATE; a writer waits for the one before it.
 * - B2B2C_PG_ISOLATION_SERIALIZABLE: `begin` is SERIALIZABLE; writers run
 *   at once and a transaction the server cannot serialize fails with
 *   SQLSTATE 40001 (or deadlock, 40P01): B2B2C_ECONFLICT, and the library
 *   re-runs the call.
 * `begin_read` is REPEATABLE READ READ ONLY (one snapshot) in both.
 * docs/storage.md has the measurement behind the default.
 *
 * Errors: every libpq or server failure is a negative code in
 * -2000 .. -2099, never a crash:
 *   -(2000 + class) for a SQLSTATE whose class (its first two characters)
 *                   is two digits: -2008 connection exception (also a
 *                   connection that could not be made or was lost: it is
 *                   reported, never silently re-made), -2023 integrity
 *                   constraint, -2042 syntax error or access rule, -2053
 *                   insufficient resources, -2054 program limit exceeded
 *                   (a value over 1 GB), -2057 operator intervention
 *                   (server shut down), -2058 system error;
 *   -2000           a SQLSTATE whose class has letters (XX internal
 *                   error, P0, F0, HV ...) or a failure with no SQLSTATE;
 *   B2B2C_ECONFLICT SQLSTATE 40001 and 40P01;
 *   B2B2C_ENOMEM    libpq could not allocate.
 * b2b2c_pg_errmsg has the server's message and b2b2c_pg_sqlstate the
 * SQLSTATE of the last failure; b2b2c_pg_strerror names a code.
 *
 * Threads: one connection per context, used by one thread at a time.
 * A connection must not be used across fork(): open one in each process.
 */
#ifndef B2B2C_STORAGE_POSTGRESQL_H
#define B2B2C_STORAGE_POSTGRESQL_H

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

typedef struct b2b2c_pg b2b2c_pg;
struct pg_conn;

/* b2b2c_pg_options.isolation. Values are never renumbered. */
enum {
    B2B2C_PG_ISOLATION_LOCK = 1,
    B2B2C_PG_ISOLATION_SERIALIZABLE = 2
};

/* The codes of b2b2c_pg_* failures (see the top of this header). */
enum {
    B2B2C_PG_EBASE = -2000,   /* a SQLSTATE class with letters, or none */
    B2B2C_PG_ECONNECTION = -2008, /* could not connect, connection lost */
    B2B2C_PG_ELAST = -2099
};

/*
 * Connection options, versioned like the library's host structs: set
 * `version` (B2B2C_PG_OPTIONS_INIT or b2b2c_pg_options_init does); members
 * are only appended.
 *
 * isolation  B2B2C_PG_ISOLATION_*; default B2B2C_PG_ISOLATION_LOCK.
 * lock_key   the advisory lock that `begin` takes in LOCK mode (and that
 *            b2b2c_pg_open takes while it creates the table): every
 *            connection to one database must use the same key. Default
 *            B2B2C_PG_LOCK_KEY; any value.
 */
typedef struct b2b2c_pg_options {
    uint32_t version;
    int32_t isolation;
    int64_t lock_key;
} b2b2c_pg_options;

#define B2B2C_PG_OPTIONS_VERSION 1
/* "b2b2c" in ASCII */
#define B2B2C_PG_LOCK_KEY INT64_C(0x6232623263)
#define B2B2C_PG_OPTIONS_INIT                                                  \
    {B2B2C_PG_OPTIONS_VERSION, B2B2C_PG_ISOLATION_LOCK, B2B2C_PG_LOCK_KEY}

/* Fill `o` with the defaults of `version` (1 .. B2B2C_PG_OPTIONS_VERSION).
 * Returns 0, B2B2C_EINVAL (o NULL) or B2B2C_EVERSION. */
B2B2C_STORAGE_API int b2b2c_pg_options_init(b2b2c_pg_options *o, uint32_t version);

/*
 * Connect with `conninfo` (libpq's "host=/tmp dbname=crm" or a
 * postgresql:// URI), create b2b2c_kv if absent and prepare the
 * statements; `opts` NULL: the defaults. *out is NULL on failure (libpq's
 * reason for a failed connection goes with it: psql with the same
 * conninfo shows it). Returns 0, B2B2C_EINVAL (NULL out or conninfo),
 * B2B2C_EVERSION (opts->version 0 or newer than this adapter),
 * B2B2C_ERANGE (isolation not a B2B2C_PG_ISOLATION_* value),
 * B2B2C_ENOMEM, B2B2C_PG_ECONNECTION (no server, bad conninfo,
 * authentication refused) or a code of the server's SQLSTATE (-2042: no
 * right to create the table).
 */
B2B2C_STORAGE_API int b2b2c_pg_open(b2b2c_pg **out, const char *conninfo,
                            const b2b2c_pg_options *opts);

/* Fill `out` with the method table (userdata = db) for b2b2c_ctx_new.
 * Returns 0 or B2B2C_EINVAL. */
B2B2C_STORAGE_API int b2b2c_pg_methods(b2b2c_pg *db, b2b2c_storage *out);

/* The server's (or libpq's) message for the last failure of this
 * connection, kept until the next failure. Before any failure: "not an
 * error". Owned by db, valid until the next call on it. */
B2B2C_STORAGE_API const char *b2b2c_pg_errmsg(const b2b2c_pg *db);

/* The SQLSTATE of the last failure ("40001"), "" when it had none (libpq
 * could not reach the server). Owned by db, valid until the next call. */
B2B2C_STORAGE_API const char *b2b2c_pg_sqlstate(const b2b2c_pg *db);

/* A static message for a code an adapter call or a library call through
 * it returned: "PostgreSQL: connection exception (SQLSTATE class 08)" for
 * -2008, and b2b2c_strerror(code) for the library's own codes. */
B2B2C_STORAGE_API const char *b2b2c_pg_strerror(int code);

/* The libpq connection, for the host's own queries (outside the library's
 * transactions). NULL for NULL db. */
B2B2C_STORAGE_API struct pg_conn *b2b2c_pg_handle(b2b2c_pg *db);

/* Close; an open transaction is rolled back by the server. NULL is
 * accepted. */
B2B2C_STORAGE_API void b2b2c_pg_close(b2b2c_pg *db);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_STORAGE_POSTGRESQL_H */
