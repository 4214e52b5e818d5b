/* SPDX-License-Identifier: MIT */
/* libpq and server failures as the adapter's codes (postgresql.h). */
#include <stdio.h>
#include <string.h>

#include "pg_int.h"

/* A copy of `m` without libpq's trailing newline. */
static void keep_msg(b2b2c_pg *p, const char *m)
{
    size_t n;
    snprintf(p->msg, sizeof(p->msg), "%s", m && *m ? m : "unknown error");
    n = strlen(p->msg);
    while (n > 0 && (p->msg[n - 1] == '\n' || p->msg[n - 1] == ' '))
        p->msg[--n] = '\0';
}

static int state_code(const char *state)
{
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return B2B2C_ECONFLICT;
    if (state[0] >= '0' && state[0] <= '9' && state[1] >= '0' &&
        state[1] <= '9')
        return -(2000 + (state[0] - '0') * 10 + (state[1] - '0'));
    return B2B2C_PG_EBASE;
}

int b2b2c__pg_fail(b2b2c_pg *p, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *m = res ? PQresultErrorMessage(res) : NULL;

    keep_msg(p, m && *m ? m : PQerrorMessage(p->conn));
    snprintf(p->sqlstate, sizeof(p->sqlstate), "%s", state ? state : "");
    /* a lost connection first: the host must reopen, whatever the last
     * statement's SQLSTATE (57P01 for a terminated backend) */
    if (PQstatus(p->conn) == CONNECTION_BAD)
        return B2B2C_PG_ECONNECTION;
    if (state && strlen(state) == 5)
        return state_code(state);
    /* no result at all with a live connection: libpq's allocation */
    return res ? B2B2C_PG_EBASE : B2B2C_ENOMEM;
}

int b2b2c__pg_fail_msg(b2b2c_pg *p, int code, const char *msg)
{
    keep_msg(p, msg);
    p->sqlstate[0] = '\0';
    return code;
}

/* The SQLSTATE classes (PostgreSQL's appendix A) with two digits. */
static const struct {
    int cls;
    const char *msg;
} classes[] = {
    {3, "PostgreSQL: SQL statement not yet complete (SQLSTATE class 03)"},
    {8, "PostgreSQL: connection exception or connection lost "
        "(SQLSTATE class 08)"},
    {9, "PostgreSQL: triggered action exception (SQLSTATE class 09)"},
    {21, "PostgreSQL: cardinality violation (SQLSTATE class 21)"},
    {22, "PostgreSQL: data exception (SQLSTATE class 22)"},
    {23, "PostgreSQL: integrity constraint violation (SQLSTATE class 23)"},
    {24, "PostgreSQL: invalid cursor state (SQLSTATE class 24)"},
    {25, "PostgreSQL: invalid transaction state (SQLSTATE class 25)"},
    {26, "PostgreSQL: invalid SQL statement name (SQLSTATE class 26)"},
    {28, "PostgreSQL: invalid authorization specification "
         "(SQLSTATE class 28)"},
    {40, "PostgreSQL: transaction rollback (SQLSTATE class 40)"},
    {42, "PostgreSQL: syntax error or access rule violation "
         "(SQLSTATE class 42)"},
    {53, "PostgreSQL: insufficient resources (SQLSTATE class 53)"},
    {54, "PostgreSQL: program limit exceeded (SQLSTATE class 54)"},
    {55, "PostgreSQL: object not in prerequisite state (SQLSTATE class 55)"},
    {57, "PostgreSQL: operator intervention (SQLSTATE class 57)"},
    {58, "PostgreSQL: system error (SQLSTATE class 58)"},
};

const char *b2b2c_pg_strerror(int c)
{
    if (c > B2B2C_PG_EBASE || c < B2B2C_PG_ELAST)
        return b2b2c_strerror(c);
    if (c == B2B2C_PG_EBASE)
        return "PostgreSQL: error (a SQLSTATE class with letters, or none: "
               "see b2b2c_pg_sqlstate)";
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (-(2000 + classes[i].cls) == c)
            return classes[i].msg;
    return "PostgreSQL: error (see b2b2c_pg_sqlstate)";
}

const char *b2b2c_pg_errmsg(const b2b2c_pg *p)
{
    return p ? p->msg : "db is NULL";
}

const char *b2b2c_pg_sqlstate(const b2b2c_pg *p)
{
    return p ? p->sqlstate : "";
}
