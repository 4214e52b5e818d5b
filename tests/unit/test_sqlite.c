/* The SQLite storage adapter (examples/sqlite) against the storage
 * conformance suite and a reopen through a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "b2b2c_sqlite.h"
#include "harness.h"
#include "toy.h"

static int sq_open(b2b2c_storage *st, void **handle)
{
    b2b2c_sqlite *db;
    int rc = b2b2c_sqlite_open(&db, ":memory:");
    if (rc)
        return rc;
    *handle = db;
    return b2b2c_sqlite_methods(db, st);
}

static void sq_close(void *handle)
{
    b2b2c_sqlite_close(handle);
}

/* State written through one connection is there after reopening the file;
 * a failed call leaves the file as it was. */
static void t_file_reopen(void **state)
{
    char path[] = "/tmp/b2b2c_sqlite_XXXXXX";
    int fd = mkstemp(path);
    b2b2c_sqlite *db;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    toy *t;
    (void)state;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(b2b2c_sqlite_open(&db, path), 0);
    assert_int_equal(b2b2c_sqlite_methods(db, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(toy_add(t, i % 2 ? "odd" : "even", 1), 0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(toy_add(t, "odd", 5000000), B2B2C_ERANGE);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_sqlite_close(db);

    assert_int_equal(b2b2c_sqlite_open(&db, path), 0);
    assert_int_equal(b2b2c_sqlite_methods(db, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(toy_new(&t, ctx), 0);
    assert_int_equal(toy_get(t, "odd"), 50);
    assert_int_equal(toy_get(t, "even"), 50);
    toy_free(t);
    b2b2c_ctx_free(ctx);
    b2b2c_sqlite_close(db);
    unlink(path);
}

int main(void)
{
    static const th_storage_factory sq = {"sqlite", sq_open, sq_close};
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_file_reopen)};
    return th_storage_conformance(&sq) +
           cmocka_run_group_tests(tests, NULL, NULL);
}
