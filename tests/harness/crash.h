/* SPDX-License-Identifier: MIT */
/*
 * The crash test for a storage adapter: client processes run transactions
 * of numbered rows in a loop and are killed with SIGKILL at random
 * moments; every transaction a client saw committed must then be there
 * whole, and no transaction may be there in part.
 */
#ifndef B2B2C_TEST_CRASH_H
#define B2B2C_TEST_CRASH_H

#include "harness.h"

typedef struct th_crash_opts {
    int clients;        /* processes running at once */
    int kills;          /* SIGKILLs in all (a killed client is replaced) */
    unsigned seed;      /* which client is killed, and when */
    int max_wait_ms;    /* a kill comes 1 .. max_wait_ms after the last */
} th_crash_opts;

typedef struct th_crash_result {
    long reported;  /* transactions clients reported committed */
    long found;     /* whole transactions found in the store */
    long missing;   /* reported but not found: must be 0 */
    long partial;   /* found in part or with a wrong value: must be 0 */
    long errors;    /* clients that failed with a storage error: must be 0 */
} th_crash_result;

/* `f->open` connects a new process to the one shared database (it does not
 * empty it; the test clears its own table first). Returns 0 when the run
 * could be made and checked; the result says what was found. */
int th_crash_run(const th_storage_factory *f, const th_crash_opts *o,
                 th_crash_result *r);

#endif
