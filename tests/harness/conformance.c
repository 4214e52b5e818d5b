/* SPDX-License-Identifier: MIT */
/* Storage conformance: the contract of include/b2b2c/sys/storage.h, run
 * against any b2b2c_storage (the memstore now, database adapters later). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static const th_storage_factory *factory;

typedef struct cstate {
    b2b2c_storage st;
    void *handle;
} cstate;

static int setup(void **state)
{
    cstate *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    assert_int_equal(factory->open(&c->st, &c->handle), 0);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    cstate *c = *state;
    factory->close(c->handle);
    free(c);
    return 0;
}

typedef struct buf {
    unsigned char *p;
    size_t n;
    int calls;
} buf;

static int grab(const void *val, size_t n, void *payload)
{
    buf *b = payload;
    free(b->p);
    b->p = malloc(n ? n : 1);
    assert_non_null(b->p);
    if (n)
        memcpy(b->p, val, n);
    b->n = n;
    b->calls++;
    return 0;
}

static int get(cstate *c, const char *t, const void *k, size_t kl, buf *b)
{
    return c->st.get(c->st.userdata, t, k, kl, grab, b);
}

static int put(cstate *c, const char *t, const void *k, size_t kl,
               const void *v, size_t vl)
{
    return c->st.put(c->st.userdata, t, k, kl, v, vl);
}

static void expect_row(cstate *c, const char *t, const void *k, size_t kl,
                         const void *v, size_t vl)
{
    buf b = {0};
    assert_int_equal(get(c, t, k, kl, &b), 0);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.n, vl);
    if (vl)
        assert_memory_equal(b.p, v, vl);
    free(b.p);
}

static void expect_absent(cstate *c, const char *t, const void *k, size_t kl)
{
    buf b = {0};
    assert_int_equal(get(c, t, k, kl, &b), B2B2C_ENOTFOUND);
    assert_int_equal(b.calls, 0);
    free(b.p);
}

static void t_put_get_replace(void **state)
{
    cstate *c = *state;
    expect_absent(c, "t", "k", 1);
    assert_int_equal(put(c, "t", "k", 1, "v1", 2), 0);
    expect_row(c, "t", "k", 1, "v1", 2);
    assert_int_equal(put(c, "t", "k", 1, "value2", 6), 0);
    expect_row(c, "t", "k", 1, "value2", 6);
}

static void t_del(void **state)
{
    cstate *c = *state;
    assert_int_equal(put(c, "t", "a", 1, "1", 1), 0);
    assert_int_equal(c->st.del(c->st.userdata, "t", "a", 1), 0);
    expect_absent(c, "t", "a", 1);
    /* deleting an absent key, or from an unknown table, is not an error */
    assert_int_equal(c->st.del(c->st.userdata, "t", "a", 1), 0);
    assert_int_equal(c->st.del(c->st.userdata, "nosuch", "a", 1), 0);
}

typedef struct rows {
    unsigned char keys[64][8];
    size_t klen[64];
    size_t n;
    int stop_at;
} rows;

static int collect(const void *k, size_t kl, const void *v, size_t vl,
                   void *payload)
{
    rows *r = payload;
    (void)v;
    (void)vl;
    assert_true(r->n < 64 && kl <= 8);
    memcpy(r->keys[r->n], k, kl);
    r->klen[r->n++] = kl;
    if (r->stop_at && (int)r->n == r->stop_at)
        return 42;
    return 0;
}

static void t_scan_order(void **state)
{
    cstate *c = *state;
    /* Inserted out of order; includes prefixes, zero and 0xFF bytes. */
    static const struct { const char *k; size_t n; } in[] = {
        {"b", 1}, {"a\0", 2}, {"ab", 2}, {"\xff", 1}, {"a", 1},
        {"\0", 1}, {"abc", 3}, {"\0\0", 2}, {"B", 1},
    };
    static const struct { const char *k; size_t n; } want[] = {
        {"\0", 1}, {"\0\0", 2}, {"B", 1}, {"a", 1}, {"a\0", 2},
        {"ab", 2}, {"abc", 3}, {"b", 1}, {"\xff", 1},
    };
    rows r = {0};

    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        assert_int_equal(put(c, "s", in[i].k, in[i].n, "x", 1), 0);
    assert_int_equal(c->st.scan(c->st.userdata, "s", collect, &r), 0);
    assert_int_equal(r.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < r.n; i++) {
        assert_int_equal(r.klen[i], want[i].n);
        assert_memory_equal(r.keys[i], want[i].k, want[i].n);
    }
}

static void t_scan_stop(void **state)
{
    cstate *c = *state;
    rows r = {0};
    r.stop_at = 2;
    assert_int_equal(put(c, "s", "a", 1, "", 0), 0);
    assert_int_equal(put(c, "s", "b", 1, "", 0), 0);
    assert_int_equal(put(c, "s", "c", 1, "", 0), 0);
    assert_int_equal(c->st.scan(c->st.userdata, "s", collect, &r), 42);
    assert_int_equal(r.n, 2);
}

static int fail_found(const void *v, size_t n, void *p)
{
    (void)v;
    (void)n;
    (void)p;
    return -777;
}

static void t_get_callback_code(void **state)
{
    cstate *c = *state;
    assert_int_equal(put(c, "t", "k", 1, "v", 1), 0);
    assert_int_equal(c->st.get(c->st.userdata, "t", "k", 1, fail_found, NULL),
                     -777);
}

static void t_table_isolation(void **state)
{
    cstate *c = *state;
    rows r = {0};
    assert_int_equal(put(c, "t1", "k", 1, "one", 3), 0);
    assert_int_equal(put(c, "t2", "k", 1, "two", 3), 0);
    expect_row(c, "t1", "k", 1, "one", 3);
    expect_row(c, "t2", "k", 1, "two", 3);
    assert_int_equal(c->st.del(c->st.userdata, "t1", "k", 1), 0);
    expect_row(c, "t2", "k", 1, "two", 3);
    assert_int_equal(c->st.scan(c->st.userdata, "t1", collect, &r), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(c->st.scan(c->st.userdata, "unknown_table", collect, &r),
                     0);
    assert_int_equal(r.n, 0);
}

static void t_rollback(void **state)
{
    cstate *c = *state;
    rows r = {0};
    assert_int_equal(put(c, "t", "keep", 4, "old", 3), 0);
    assert_int_equal(put(c, "t", "gone", 4, "g", 1), 0);
    assert_int_equal(c->st.begin(c->st.userdata), 0);
    assert_int_equal(put(c, "t", "keep", 4, "new", 3), 0);
    assert_int_equal(put(c, "t", "keep", 4, "newer", 5), 0);
    assert_int_equal(put(c, "t", "add", 3, "a", 1), 0);
    assert_int_equal(c->st.del(c->st.userdata, "t", "gone", 4), 0);
    assert_int_equal(put(c, "t", "gone", 4, "again", 5), 0);
    assert_int_equal(c->st.del(c->st.userdata, "t", "add", 3), 0);
    assert_int_equal(put(c, "other", "x", 1, "y", 1), 0);
    /* reads inside the transaction see its writes */
    expect_row(c, "t", "keep", 4, "newer", 5);
    expect_row(c, "t", "gone", 4, "again", 5);
    expect_absent(c, "t", "add", 3);
    assert_int_equal(c->st.rollback(c->st.userdata), 0);
    expect_row(c, "t", "keep", 4, "old", 3);
    expect_row(c, "t", "gone", 4, "g", 1);
    expect_absent(c, "t", "add", 3);
    expect_absent(c, "other", "x", 1);
    assert_int_equal(c->st.scan(c->st.userdata, "t", collect, &r), 0);
    assert_int_equal(r.n, 2);
}

static void t_commit(void **state)
{
    cstate *c = *state;
    assert_int_equal(put(c, "t", "a", 1, "1", 1), 0);
    assert_int_equal(c->st.begin(c->st.userdata), 0);
    assert_int_equal(put(c, "t", "a", 1, "2", 1), 0);
    assert_int_equal(put(c, "t", "b", 1, "3", 1), 0);
    assert_int_equal(c->st.commit(c->st.userdata), 0);
    expect_row(c, "t", "a", 1, "2", 1);
    expect_row(c, "t", "b", 1, "3", 1);
    /* a later rollback does not undo committed work */
    assert_int_equal(c->st.begin(c->st.userdata), 0);
    assert_int_equal(c->st.del(c->st.userdata, "t", "a", 1), 0);
    assert_int_equal(c->st.rollback(c->st.userdata), 0);
    expect_row(c, "t", "a", 1, "2", 1);
}

static void t_zero_bytes_and_empty(void **state)
{
    cstate *c = *state;
    static const unsigned char k[] = {0, 1, 0, 2, 0};
    static const unsigned char v[] = {0, 0, 7, 0};
    assert_int_equal(put(c, "t", k, sizeof(k), v, sizeof(v)), 0);
    expect_row(c, "t", k, sizeof(k), v, sizeof(v));
    /* a key that differs only after a zero byte is another key */
    expect_absent(c, "t", k, 3);
    assert_int_equal(put(c, "t", "e", 1, "", 0), 0);
    expect_row(c, "t", "e", 1, "", 0);
}

static void t_large_value(void **state)
{
    cstate *c = *state;
    size_t n = 1u << 20;
    unsigned char *v = malloc(n);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (unsigned char)(i * 2654435761u >> 24);
    assert_int_equal(put(c, "big", "k", 1, v, n), 0);
    expect_row(c, "big", "k", 1, v, n);
    free(v);
}

int th_storage_conformance(const th_storage_factory *f)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_put_get_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(t_del, setup, teardown),
        cmocka_unit_test_setup_teardown(t_scan_order, setup, teardown),
        cmocka_unit_test_setup_teardown(t_scan_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(t_get_callback_code, setup, teardown),
        cmocka_unit_test_setup_teardown(t_table_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(t_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(t_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(t_zero_bytes_and_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_large_value, setup, teardown),
    };
    factory = f;
    return _cmocka_run_group_tests(f->name, tests,
                                   sizeof(tests) / sizeof(tests[0]), NULL,
                                   NULL);
}
