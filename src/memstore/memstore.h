/* SPDX-License-Identifier: MIT */
/* The built-in in-memory store's private interface: what core (the default
 * store of a context without one) and the tests use besides the public
 * b2b2c_memstore_* functions. */
#ifndef B2B2C_MEMSTORE_H
#define B2B2C_MEMSTORE_H

#include "internal.h"

/* Order-independent fingerprint of the committed and uncommitted contents
 * (tables, keys, values) and the number of rows. */
uint64_t b2b2c__memstore_fingerprint(const b2b2c_memstore *s, size_t *rows);
/* Where a table's rows are: slots of the ascending run (dead ones among
 * them) and rows in the hash map. Zeros for an unknown table. */
void b2b2c__memstore_layout(const b2b2c_memstore *s, const char *table,
                            size_t *run, size_t *dead, size_t *hashed);

#endif /* B2B2C_MEMSTORE_H */
