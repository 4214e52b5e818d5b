/* SPDX-License-Identifier: MIT */
/* Dealer engine internals shared with tests. Not installed. */
#ifndef B2B2C_DEALER_INTERNAL_H
#define B2B2C_DEALER_INTERNAL_H

#include "b2b2c/dealer.h"

/* b2b2c__betainc and b2b2c__betaq (betaq.c) are declared in core's
 * internal.h: the experiments module uses them too. */
/* Great-circle distance in km (haversine, mean Earth radius 6371.0088). */
double b2b2c__haversine_km(double lat1, double lon1, double lat2, double lon2);
/* 0 when the routing mirror (the per-bucket copies of what routing reads
 * per dealer) equals what the dealer structs give, every cached weight of
 * the current epoch equals a fresh computation, and the deadline heap is
 * ordered with its entries' keys equal to their leads'; else 1 + the
 * index of the first dealer that differs, SIZE_MAX for a bucket without
 * copies, SIZE_MAX - 1 for the heap. Also part of the digest. */
size_t b2b2c__dealer_mirror_check(const b2b2c_dealer_engine *e);
/* on = 0: every decision by the eligibility pass, no region plans (tests
 * compare the two). */
void b2b2c__dealer_set_plans(b2b2c_dealer_engine *e, int on);
/* How many decisions a plan made (a decision rolled back still counts). */
uint64_t b2b2c__dealer_plan_hits(const b2b2c_dealer_engine *e);
/* Order-independent digest of the engine's in-memory state (tests). */
uint64_t b2b2c__dealer_digest(const b2b2c_dealer_engine *e);

#endif
