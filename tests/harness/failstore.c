/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "memstore/memstore.h"
#include "internal.h"

static int fire(th_store *s)
{
    s->calls++;
    if (s->fail_at && (s->calls == s->fail_at ||
                       (s->persist && s->calls > s->fail_at))) {
        s->failures++;
        return 1;
    }
    return 0;
}

static int fs_get(void *ud, const char *t, const void *k, size_t kl,
                  b2b2c_storage_value_cb cb, void *p)
{
    th_store *s = ud;
    if (fire(s))
        return s->fail_code;
    return s->inner.get(s->inner.userdata, t, k, kl, cb, p);
}

static int fs_put(void *ud, const char *t, const void *k, size_t kl,
                  const void *v, size_t vl)
{
    th_store *s = ud;
    if (fire(s))
        return s->fail_code;
    return s->inner.put(s->inner.userdata, t, k, kl, v, vl);
}

static int fs_del(void *ud, const char *t, const void *k, size_t kl)
{
    th_store *s = ud;
    if (fire(s))
        return s->fail_code;
    return s->inner.del(s->inner.userdata, t, k, kl);
}

static int fs_scan(void *ud, const char *t, b2b2c_storage_row_cb cb, void *p)
{
    th_store *s = ud;
    if (fire(s))
        return s->fail_code;
    return s->inner.scan(s->inner.userdata, t, cb, p);
}

static int fs_begin(void *ud)
{
    th_store *s = ud;
    if (fire(s))
        return s->fail_code;
    return s->inner.begin(s->inner.userdata);
}

static int fs_commit(void *ud)
{
    th_store *s = ud;
    /* A failed commit leaves the transaction open, as a database does;
     * the library must then roll back. */
    if (fire(s))
        return s->fail_code;
    return s->inner.commit(s->inner.userdata);
}

static int fs_rollback(void *ud)
{
    th_store *s = ud;
    s->calls++;
    return s->inner.rollback(s->inner.userdata);
}

void th_store_init(th_store *s)
{
    memset(s, 0, sizeof(*s));
    th_alloc_init(&s->alloc);
    assert_int_equal(b2b2c_memstore_new(&s->ms, &s->alloc.methods), 0);
    assert_int_equal(b2b2c_memstore_methods(s->ms, &s->inner), 0);
    s->fail_code = -1000;
    s->methods.version = B2B2C_STORAGE_VERSION;
    s->methods.userdata = s;
    s->methods.get = fs_get;
    s->methods.put = fs_put;
    s->methods.del = fs_del;
    s->methods.scan = fs_scan;
    s->methods.begin = fs_begin;
    s->methods.commit = fs_commit;
    s->methods.rollback = fs_rollback;
}

void th_store_fini(th_store *s)
{
    b2b2c_memstore_free(s->ms);
    s->ms = NULL;
    assert_int_equal(s->alloc.outstanding, 0);
}

uint64_t th_store_fingerprint(const th_store *s, size_t *rows)
{
    return b2b2c__memstore_fingerprint(s->ms, rows);
}
