/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

/* Each block carries its size in front so realloc/free can keep counts. */
typedef union hdr {
    size_t size;
    max_align_t align;
} hdr;

static int should_fail(th_alloc *a)
{
    a->count++;
    if (a->fail_at && (a->count == a->fail_at ||
                       (a->persist && a->count > a->fail_at))) {
        a->failures++;
        return 1;
    }
    return 0;
}

static void *ta_alloc(size_t n, void *ud)
{
    th_alloc *a = ud;
    hdr *h;

    if (should_fail(a))
        return NULL;
    h = malloc(sizeof(hdr) + n);
    if (!h)
        return NULL;
    h->size = n;
    a->outstanding++;
    a->bytes += n;
    return h + 1;
}

static void *ta_realloc(void *p, size_t n, void *ud)
{
    th_alloc *a = ud;
    hdr *h, *nh;
    size_t old;

    if (!p)
        return ta_alloc(n, ud);
    if (should_fail(a))
        return NULL;
    h = (hdr *)p - 1;
    old = h->size;
    nh = realloc(h, sizeof(hdr) + n);
    if (!nh)
        return NULL;
    nh->size = n;
    a->bytes = a->bytes - old + n;
    return nh + 1;
}

static void ta_free(void *p, void *ud)
{
    th_alloc *a = ud;
    hdr *h;

    if (!p)
        return;
    h = (hdr *)p - 1;
    a->outstanding--;
    a->bytes -= h->size;
    free(h);
}

void th_alloc_init(th_alloc *a)
{
    memset(a, 0, sizeof(*a));
    a->methods.version = B2B2C_ALLOCATOR_VERSION;
    a->methods.alloc = ta_alloc;
    a->methods.realloc = ta_realloc;
    a->methods.free = ta_free;
    a->methods.userdata = a;
}
