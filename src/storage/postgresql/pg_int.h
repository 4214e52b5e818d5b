/* SPDX-License-Identifier: MIT */
/* The PostgreSQL adapter's connection and its error mapping (pg_error.c),
 * private to libb2b2c-postgresql. */
#ifndef B2B2C_PG_INT_H
#define B2B2C_PG_INT_H

#include <libpq-fe.h>

#include "b2b2c/storage/postgresql.h"

struct b2b2c_pg {
    PGconn *conn;
    int32_t isolation;
    char begin_sql[128]; /* BEGIN ... (and the advisory lock) */
    char msg[512];       /* the last failure's message */
    char sqlstate[6];    /* and its SQLSTATE, "" when it had none */
};

/* Keep the failure's message and SQLSTATE (from `res`, or from the
 * connection when res is NULL) and return its code. */
int b2b2c__pg_fail(b2b2c_pg *p, const PGresult *res);

/* Keep `msg` with no SQLSTATE and return `code`. */
int b2b2c__pg_fail_msg(b2b2c_pg *p, int code, const char *msg);

#endif
