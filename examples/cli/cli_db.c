/* SPDX-License-Identifier: MIT */
/* b2b2c --db SPEC: the database the subcommands open their engines on
 * (memory, sqlite:FILE, postgresql:CONNINFO). The adapters are linked when
 * meson found their client library (B2B2C_CLI_SQLITE, B2B2C_CLI_PG). */
#include <string.h>

#include "cli.h"

#ifdef B2B2C_CLI_SQLITE
#include "b2b2c/storage/sqlite.h"
#endif
#ifdef B2B2C_CLI_PG
#include "b2b2c/storage/postgresql.h"
#endif

enum { DB_MEMORY, DB_SQLITE, DB_PG };

static struct {
    int kind;
    const char *spec;  /* as given, for messages */
    const char *where; /* FILE or CONNINFO */
#ifdef B2B2C_CLI_SQLITE
    b2b2c_sqlite *lite;
#endif
#ifdef B2B2C_CLI_PG
    b2b2c_pg *pg;
#endif
    b2b2c_ctx *ctx;
} db;

static int set_spec(const char *spec)
{
    static const char sq[] = "sqlite:", pg[] = "postgresql:";
    db.spec = spec;
    if (strcmp(spec, "memory") == 0) {
        db.kind = DB_MEMORY;
        return 0;
    }
    if (strncmp(spec, sq, sizeof(sq) - 1) == 0) {
        db.kind = DB_SQLITE;
        db.where = spec + sizeof(sq) - 1;
        if (!*db.where)
            return cli_usage_error("--db: 'sqlite:' needs a file name "
                                   "(sqlite:FILE)");
#ifndef B2B2C_CLI_SQLITE
        return cli_usage_error("--db: this b2b2c was built without the "
                               "SQLite adapter (libb2b2c-sqlite: SQLite's "
                               "development files were not found)");
#else
        return 0;
#endif
    }
    if (strncmp(spec, pg, sizeof(pg) - 1) == 0) {
        db.kind = DB_PG;
        db.where = spec + sizeof(pg) - 1;
        if (!*db.where)
            return cli_usage_error("--db: 'postgresql:' needs a libpq "
                                   "conninfo (postgresql:CONNINFO)");
#ifndef B2B2C_CLI_PG
        return cli_usage_error("--db: this b2b2c was built without the "
                               "PostgreSQL adapter (libb2b2c-postgresql: "
                               "libpq was not found)");
#else
        return 0;
#endif
    }
    return cli_usage_error("--db: '%s' is not memory, sqlite:FILE or "
                           "postgresql:CONNINFO",
                           spec);
}

int cli_db_take(int *argc, char **argv)
{
    int n = *argc, given = 0;
    for (int i = 1; i < n;) {
        int rc, take = 2;
        const char *v;
        if (strncmp(argv[i], "--db=", 5) == 0) {
            v = argv[i] + 5;
            take = 1;
        } else if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= n)
                return cli_usage_error("option '--db' needs a value");
            v = argv[i + 1];
        } else {
            i++;
            continue;
        }
        if (given)
            return cli_usage_error("--db: given twice");
        if ((rc = set_spec(v)) != 0)
            return rc;
        given = 1;
        memmove(argv + i, argv + i + take,
                (size_t)(n - i - take) * sizeof(*argv));
        n -= take;
        argv[n] = NULL;
    }
    *argc = n;
    return 0;
}

int cli_db_given(void)
{
    return db.kind != DB_MEMORY;
}

int cli_db_refuse(const char *what)
{
    if (!cli_db_given())
        return 0;
    return cli_usage_error("--db: '%s' works on its input files in memory "
                           "and keeps nothing; run it without --db",
                           what);
}

#ifdef B2B2C_CLI_SQLITE
static int open_sqlite(b2b2c_storage *st)
{
    b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
    int rc;
    /* WAL (the default) and NORMAL sync, the usual pair; 5 s busy wait */
    o.synchronous = B2B2C_SQLITE_SYNC_NORMAL;
    if ((rc = b2b2c_sqlite_open_with(&db.lite, db.where, &o)) != 0)
        return cli_data_error("--db: cannot open SQLite database '%s': %s",
                              db.where, b2b2c_sqlite_strerror(rc));
    b2b2c_sqlite_methods(db.lite, st);
    return 0;
}
#endif

#ifdef B2B2C_CLI_PG
static int open_pg(b2b2c_storage *st)
{
    int rc = b2b2c_pg_open(&db.pg, db.where, NULL);
    if (rc)
        return cli_data_error("--db: cannot open PostgreSQL database '%s': "
                              "%s",
                              db.where, b2b2c_pg_strerror(rc));
    b2b2c_pg_methods(db.pg, st);
    return 0;
}
#endif

int cli_ctx_new(b2b2c_ctx **out)
{
    b2b2c_storage st;
    int rc = 0;
    *out = NULL;
    if (db.ctx)
        return cli_data_error("--db: one context per run");
    memset(&st, 0, sizeof(st));
#ifdef B2B2C_CLI_SQLITE
    if (db.kind == DB_SQLITE)
        rc = open_sqlite(&st);
#endif
#ifdef B2B2C_CLI_PG
    if (db.kind == DB_PG)
        rc = open_pg(&st);
#endif
    if (rc)
        return rc;
    rc = b2b2c_ctx_new(out, NULL, db.kind == DB_MEMORY ? NULL : &st);
    if (rc) {
        cli_ctx_free(NULL);
        return cli_data_error("cannot create a context: %s",
                              b2b2c_strerror(rc));
    }
    if (db.kind != DB_MEMORY)
        db.ctx = *out;
    return 0;
}

void cli_ctx_free(b2b2c_ctx *ctx)
{
    b2b2c_ctx_free(ctx);
    if (ctx && ctx != db.ctx)
        return;
    db.ctx = NULL;
#ifdef B2B2C_CLI_SQLITE
    b2b2c_sqlite_close(db.lite);
    db.lite = NULL;
#endif
#ifdef B2B2C_CLI_PG
    b2b2c_pg_close(db.pg);
    db.pg = NULL;
#endif
}

const char *cli_strerror(int code)
{
#ifdef B2B2C_CLI_SQLITE
    if (db.kind == DB_SQLITE)
        return b2b2c_sqlite_strerror(code);
#endif
#ifdef B2B2C_CLI_PG
    if (db.kind == DB_PG)
        return b2b2c_pg_strerror(code);
#endif
    return b2b2c_strerror(code);
}
