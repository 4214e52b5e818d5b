/* SPDX-License-Identifier: MIT */
/* One string value under one string key of table "t", straight through a
 * storage method table: the adapters' two-connection tests. */
#ifndef B2B2C_TEST_KV1_H
#define B2B2C_TEST_KV1_H

#include <stdio.h>
#include <string.h>

#include "b2b2c.h"

/* Put key = val in its own transaction; 0 or the failing method's code. */
static inline int kv1_put(b2b2c_storage *s, const char *key, const char *val)
{
    int rc = s->begin(s->userdata);
    if (rc == 0)
        rc = s->put(s->userdata, "t", key, strlen(key), val, strlen(val));
    if (rc == 0)
        return s->commit(s->userdata);
    s->rollback(s->userdata);
    return rc;
}

static inline int kv1_copy(const void *val, size_t n, void *payload)
{
    snprintf(payload, 16, "%.*s", (int)n, (const char *)val);
    return 0;
}

/* The value of key (up to 15 bytes) in buf[16], or "rc N" when get fails. */
static inline const char *kv1_get(b2b2c_storage *s, const char *key,
                                  char *buf)
{
    int rc = s->get(s->userdata, "t", key, strlen(key), kv1_copy, buf);
    if (rc != 0)
        snprintf(buf, 16, "rc %d", rc);
    return buf;
}

#endif
