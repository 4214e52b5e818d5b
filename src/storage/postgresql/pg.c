/* SPDX-License-Identifier: MIT */
/* PostgreSQL storage backend for libb2b2c through libpq (see
 * b2b2c/storage/postgresql.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

enum { P_GET, P_PUT, P_DEL, P_SCAN, P_N };

static const struct {
    const char *name, *sql;
    int nparams;
} stmts[P_N] = {
    {"b2b2c_get", "SELECT v FROM b2b2c_kv WHERE tbl = $1 AND k = $2", 2},
    {"b2b2c_put",
     "INSERT INTO b2b2c_kv (tbl, k, v) VALUES ($1, $2, $3) "
     "ON CONFLICT (tbl, k) DO UPDATE SET v = EXCLUDED.v",
     3},
    {"b2b2c_del", "DELETE FROM b2b2c_kv WHERE tbl = $1 AND k = $2", 2},
    {"b2b2c_scan", "SELECT k, v FROM b2b2c_kv WHERE tbl = $1 ORDER BY k", 1},
};

/* text, bytea, bytea (pg_type.h's OIDs) */
static const Oid param_types[3] = {25, 17, 17};
/* every parameter and result in binary: bytea as its raw bytes */
static const int binary[3] = {1, 1, 1};

/* The library must not print: libpq's notices ("there is no transaction
 * in progress", "relation already exists, skipping") go nowhere. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int b2b2c_pg_options_init(b2b2c_pg_options *o, uint32_t version)
{
    static const b2b2c_pg_options defaults = B2B2C_PG_OPTIONS_INIT;

    if (!o)
        return B2B2C_EINVAL;
    if (version == 0 || version > B2B2C_PG_OPTIONS_VERSION)
        return B2B2C_EVERSION;
    *o = defaults;
    o->version = version;
    return 0;
}

static int check_options(const b2b2c_pg_options *o)
{
    if (o->version == 0 || o->version > B2B2C_PG_OPTIONS_VERSION)
        return B2B2C_EVERSION;
    if (o->isolation != B2B2C_PG_ISOLATION_LOCK &&
        o->isolation != B2B2C_PG_ISOLATION_SERIALIZABLE)
        return B2B2C_ERANGE;
    return 0;
}

/* Run `sql` (one or more statements), expecting `want` from the last. */
static int exec_simple(b2b2c_pg *p, const char *sql, ExecStatusType want)
{
    PGresult *res = PQexec(p->conn, sql);
    int rc = res && PQresultStatus(res) == want ? 0 : b2b2c__pg_fail(p, res);
    PQclear(res);
    return rc;
}

/* The table, created under the advisory lock so that many processes
 * opening a new database at once do not race on the catalog. */
static int create_table(b2b2c_pg *p, int64_t key)
{
    char sql[320];
    int rc;

    snprintf(sql, sizeof(sql),
             "BEGIN; SELECT pg_advisory_xact_lock(%" PRId64 ");"
             " CREATE TABLE IF NOT EXISTS b2b2c_kv (tbl text NOT NULL,"
             " k bytea NOT NULL, v bytea NOT NULL, PRIMARY KEY (tbl, k));"
             " COMMIT",
             key);
    rc = exec_simple(p, sql, PGRES_COMMAND_OK);
    if (rc != 0 && PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
        PGresult *res = PQexec(p->conn, "ROLLBACK");
        PQclear(res);
    }
    return rc;
}

static int prepare(b2b2c_pg *p)
{
    for (int i = 0; i < P_N; i++) {
        PGresult *res = PQprepare(p->conn, stmts[i].name, stmts[i].sql,
                                  stmts[i].nparams, param_types);
        int rc = res && PQresultStatus(res) == PGRES_COMMAND_OK
                     ? 0
                     : b2b2c__pg_fail(p, res);
        PQclear(res);
        if (rc)
            return rc;
    }
    return 0;
}

int b2b2c_pg_open(b2b2c_pg **out, const char *conninfo,
                  const b2b2c_pg_options *opts)
{
    static const b2b2c_pg_options defaults = B2B2C_PG_OPTIONS_INIT;
    b2b2c_pg *p;
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    if (!conninfo)
        return B2B2C_EINVAL;
    if (!opts)
        opts = &defaults;
    if ((rc = check_options(opts)) != 0)
        return rc;
    p = calloc(1, sizeof(*p));
    if (!p)
        return B2B2C_ENOMEM;
    strcpy(p->msg, "not an error");
    p->isolation = opts->isolation;
    if (opts->isolation == B2B2C_PG_ISOLATION_LOCK)
        snprintf(p->begin_sql, sizeof(p->begin_sql),
                 "BEGIN ISOLATION LEVEL READ COMMITTED;"
                 " SELECT pg_advisory_xact_lock(%" PRId64 ")",
                 opts->lock_key);
    else
        snprintf(p->begin_sql, sizeof(p->begin_sql),
                 "BEGIN ISOLATION LEVEL SERIALIZABLE");
    p->conn = PQconnectdb(conninfo);
    if (!p->conn) {
        free(p);
        return B2B2C_ENOMEM;
    }
    PQsetNoticeProcessor(p->conn, quiet, NULL);
    if (PQstatus(p->conn) != CONNECTION_OK)
        rc = B2B2C_PG_ECONNECTION;
    else if ((rc = create_table(p, opts->lock_key)) == 0)
        rc = prepare(p);
    if (rc) {
        b2b2c_pg_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

void b2b2c_pg_close(b2b2c_pg *p)
{
    if (!p)
        return;
    PQfinish(p->conn); /* the server rolls back an open transaction */
    free(p);
}

struct pg_conn *b2b2c_pg_handle(b2b2c_pg *p)
{
    return p ? p->conn : NULL;
}

/* Run prepared statement `which` with (table, key[, val]). */
static PGresult *run(b2b2c_pg *p, int which, const char *table,
                     const void *key, size_t klen, const void *val,
                     size_t vlen)
{
    const char *vals[3] = {table, key, val};
    int lens[3] = {(int)strlen(table), (int)klen, (int)vlen};

    return PQexecPrepared(p->conn, stmts[which].name, stmts[which].nparams,
                          vals, lens, binary, 1);
}

/* 0 when `res` has status `want`, else the failure's code; clears res. */
static int done(b2b2c_pg *p, PGresult *res, ExecStatusType want)
{
    int rc = res && PQresultStatus(res) == want ? 0 : b2b2c__pg_fail(p, res);
    PQclear(res);
    return rc;
}

static int p_get(void *ud, const char *table, const void *key, size_t klen,
                 b2b2c_storage_value_cb found, void *payload)
{
    b2b2c_pg *p = ud;
    PGresult *res = run(p, P_GET, table, key, klen, NULL, 0);
    int rc;

    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
        return done(p, res, PGRES_TUPLES_OK);
    rc = PQntuples(res) == 0
             ? B2B2C_ENOTFOUND
             : found(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0),
                     payload);
    PQclear(res);
    return rc;
}

static int p_put(void *ud, const char *table, const void *key, size_t klen,
                 const void *val, size_t vlen)
{
    if (klen > 65535 || vlen > INT32_MAX)
        return B2B2C_EINVAL;
    /* a non-NULL pointer keeps an empty value a zero-length bytea: NULL
     * would send SQL NULL */
    return done(ud, run(ud, P_PUT, table, key, klen, vlen ? val : "", vlen),
                PGRES_COMMAND_OK);
}

static int p_del(void *ud, const char *table, const void *key, size_t klen)
{
    return done(ud, run(ud, P_DEL, table, key, klen, NULL, 0),
                PGRES_COMMAND_OK);
}

/* Rows arrive one at a time (libpq's single-row mode), so a large table is
 * never held whole in memory. A scan stopped early still reads the rest
 * of the result from the connection (libpq has no other way to finish
 * it). */
static int p_scan(void *ud, const char *table, b2b2c_storage_row_cb row,
                  void *payload)
{
    b2b2c_pg *p = ud;
    const char *vals[1] = {table};
    int lens[1] = {(int)strlen(table)};
    PGresult *res;
    int stop = 0, err = 0;

    if (!PQsendQueryPrepared(p->conn, stmts[P_SCAN].name, 1, vals, lens,
                             binary, 1))
        return b2b2c__pg_fail(p, NULL);
    if (!PQsetSingleRowMode(p->conn))
        err = b2b2c__pg_fail_msg(p, B2B2C_PG_EBASE,
                                 "libpq refused single-row mode");
    while ((res = PQgetResult(p->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE) {
            if (!stop && !err)
                stop = row(PQgetvalue(res, 0, 0),
                           (size_t)PQgetlength(res, 0, 0),
                           PQgetvalue(res, 0, 1),
                           (size_t)PQgetlength(res, 0, 1), payload);
        } else if (st != PGRES_TUPLES_OK && !err) {
            err = b2b2c__pg_fail(p, res);
        }
        PQclear(res);
        if (PQstatus(p->conn) == CONNECTION_BAD) {
            if (!err)
                err = b2b2c__pg_fail(p, NULL);
            break;
        }
    }
    return err ? err : stop;
}

static int p_begin(void *ud)
{
    b2b2c_pg *p = ud;
    int rc = exec_simple(p, p->begin_sql,
                         p->isolation == B2B2C_PG_ISOLATION_LOCK
                             ? PGRES_TUPLES_OK
                             : PGRES_COMMAND_OK);
    /* a BEGIN whose lock failed leaves an aborted transaction open */
    if (rc != 0 && PQstatus(p->conn) == CONNECTION_OK &&
        PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
        PGresult *res = PQexec(p->conn, "ROLLBACK");
        PQclear(res);
    }
    return rc;
}

static int p_begin_read(void *ud)
{
    return exec_simple(ud, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                       PGRES_COMMAND_OK);
}

/* COMMIT of an aborted transaction "succeeds" as a ROLLBACK: refused
 * here, so that a failed transaction is never reported committed. */
static int p_commit(void *ud)
{
    b2b2c_pg *p = ud;
    PGresult *res;
    int rc;

    if (PQtransactionStatus(p->conn) == PQTRANS_INERROR)
        return b2b2c__pg_fail_msg(
            p, -2025, "the transaction was aborted by an earlier error");
    res = PQexec(p->conn, "COMMIT");
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK &&
        strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        PQclear(res);
        return b2b2c__pg_fail_msg(p, -2025, "the server rolled back");
    }
    rc = done(p, res, PGRES_COMMAND_OK);
    return rc;
}

static int p_rollback(void *ud)
{
    return exec_simple(ud, "ROLLBACK", PGRES_COMMAND_OK);
}

int b2b2c_pg_methods(b2b2c_pg *p, b2b2c_storage *out)
{
    if (!p || !out)
        return B2B2C_EINVAL;
    b2b2c_storage_init(out, B2B2C_STORAGE_VERSION);
    out->userdata = p;
    out->get = p_get;
    out->put = p_put;
    out->del = p_del;
    out->scan = p_scan;
    out->begin = p_begin;
    out->commit = p_commit;
    out->rollback = p_rollback;
    out->begin_read = p_begin_read;
    return 0;
}
