/* SPDX-License-Identifier: MIT */
/* The ID-keyed hash map: insert, replace, delete with backward shift,
 * growth, iteration, and agreement with a naive model on random work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "internal.h"

typedef struct fx {
    th_alloc ta;
    b2b2c__alloc a;
    b2b2c__map m;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    th_alloc_init(&f->ta);
    assert_int_equal(b2b2c__alloc_init(&f->a, &f->ta.methods), 0);
    b2b2c__map_init(&f->m, &f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c__map_fini(&f->m);
    assert_int_equal(f->ta.outstanding, 0);
    free(f);
    return 0;
}

static void t_basic(void **state)
{
    fx *f = *state;
    int a = 1, b = 2;
    void *old;

    assert_null(b2b2c__map_get(&f->m, "x", 1));
    assert_null(b2b2c__map_del(&f->m, "x", 1));
    assert_int_equal(b2b2c__map_put(&f->m, "x", 1, &a, &old), 0);
    assert_null(old);
    assert_ptr_equal(b2b2c__map_get(&f->m, "x", 1), &a);
    assert_int_equal(b2b2c__map_put(&f->m, "x", 1, &b, &old), 0);
    assert_ptr_equal(old, &a);
    assert_int_equal(f->m.count, 1);
    assert_ptr_equal(b2b2c__map_del(&f->m, "x", 1), &b);
    assert_int_equal(f->m.count, 0);
    assert_null(b2b2c__map_get(&f->m, "x", 1));
}

static void t_hashed_variants(void **state)
{
    fx *f = *state;
    int a = 1;
    uint64_t h = b2b2c__map_keyhash("lead-7", 6);
    assert_null(b2b2c__map_get_h(&f->m, h, "lead-7", 6));
    assert_int_equal(b2b2c__map_put_h(&f->m, h, "lead-7", 6, &a, NULL), 0);
    assert_ptr_equal(b2b2c__map_get(&f->m, "lead-7", 6), &a);
    assert_ptr_equal(b2b2c__map_get_h(&f->m, h, "lead-7", 6), &a);
    assert_ptr_equal(b2b2c__map_del(&f->m, "lead-7", 6), &a);
}

static void t_binary_keys(void **state)
{
    fx *f = *state;
    int a = 1, b = 2;
    assert_int_equal(b2b2c__map_put(&f->m, "a\0b", 3, &a, NULL), 0);
    assert_int_equal(b2b2c__map_put(&f->m, "a\0c", 3, &b, NULL), 0);
    assert_ptr_equal(b2b2c__map_get(&f->m, "a\0b", 3), &a);
    assert_ptr_equal(b2b2c__map_get(&f->m, "a\0c", 3), &b);
    assert_null(b2b2c__map_get(&f->m, "a", 1));
}

/* Random inserts and deletes against a plain array model. */
static void t_random_model(void **state)
{
    fx *f = *state;
    enum { N = 5000 };
    static char keys[N][16];
    static int present[N];
    b2b2c__rng r;
    size_t live = 0;

    b2b2c__rng_seed(&r, 99);
    for (int i = 0; i < N; i++)
        snprintf(keys[i], sizeof(keys[i]), "k%d", i * 7919);
    for (int step = 0; step < 200000; step++) {
        int i = (int)b2b2c__rng_below(&r, N);
        size_t kl = strlen(keys[i]);
        if (b2b2c__rng_below(&r, 3)) {
            assert_int_equal(b2b2c__map_put(&f->m, keys[i], kl, keys[i], NULL),
                             0);
            live += !present[i];
            present[i] = 1;
        } else {
            void *v = b2b2c__map_del(&f->m, keys[i], kl);
            assert_ptr_equal(v, present[i] ? keys[i] : NULL);
            live -= present[i];
            present[i] = 0;
        }
        assert_int_equal(f->m.count, live);
    }
    for (int i = 0; i < N; i++)
        assert_ptr_equal(b2b2c__map_get(&f->m, keys[i], strlen(keys[i])),
                         present[i] ? keys[i] : NULL);
    {
        size_t it = 0, seen = 0;
        void *v;
        while (b2b2c__map_next(&f->m, &it, NULL, NULL, &v)) {
            int i = (int)(((char(*)[16])v) - keys);
            assert_true(present[i]);
            seen++;
        }
        assert_int_equal(seen, live);
    }
}

static void t_reserve_then_no_alloc(void **state)
{
    fx *f = *state;
    static char keys[100][8];
    size_t before;

    assert_int_equal(b2b2c__map_reserve(&f->m, 100), 0);
    before = f->ta.count;
    for (int i = 0; i < 100; i++) {
        snprintf(keys[i], sizeof(keys[i]), "%d", i);
        assert_int_equal(
            b2b2c__map_put(&f->m, keys[i], strlen(keys[i]), keys[i], NULL), 0);
    }
    assert_int_equal(f->ta.count, before);
}

static void t_alloc_failure(void **state)
{
    fx *f = *state;
    int a = 1;
    f->ta.fail_at = f->ta.count + 1;
    assert_int_equal(b2b2c__map_put(&f->m, "x", 1, &a, NULL), B2B2C_ENOMEM);
    assert_int_equal(f->m.count, 0);
    assert_null(b2b2c__map_get(&f->m, "x", 1));
    assert_int_equal(b2b2c__map_put(&f->m, "x", 1, &a, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(t_binary_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(t_hashed_variants, setup, teardown),
        cmocka_unit_test_setup_teardown(t_random_model, setup, teardown),
        cmocka_unit_test_setup_teardown(t_reserve_then_no_alloc, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_alloc_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
