/* The built-in store against the storage conformance suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "harness.h"

static int ms_open(b2b2c_storage *st, void **handle)
{
    b2b2c_memstore *ms;
    int rc = b2b2c_memstore_new(&ms, NULL);
    if (rc)
        return rc;
    *handle = ms;
    return b2b2c_memstore_methods(ms, st);
}

static void ms_close(void *handle)
{
    b2b2c_memstore_free(handle);
}

/* The failing wrapper must conform too, or fault tests would lie. */
static int fs_open(b2b2c_storage *st, void **handle)
{
    static th_store s;
    th_store_init(&s);
    *st = s.methods;
    *handle = &s;
    return 0;
}

static void fs_close(void *handle)
{
    th_store_fini(handle);
}

int main(void)
{
    static const th_storage_factory mem = {"memstore", ms_open, ms_close};
    static const th_storage_factory wrap = {"failstore", fs_open, fs_close};
    return th_storage_conformance(&mem) + th_storage_conformance(&wrap);
}
