/* SPDX-License-Identifier: MIT */
/* The lead model's fault tests (test_fault_lead*.c): their common state
 * (six leads with events, outcomes and a stage) and its digest. */
#ifndef B2B2C_FAULT_LEAD_H
#define B2B2C_FAULT_LEAD_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "lead/lead_internal.h"

#define T0 1767225600
#define DAY 86400

uint64_t lf_mix(uint64_t d, const void *p, size_t n);
/* The in-memory state; `unordered`: whatever the leads' places in the
 * dense array (two contexts that applied the same changes in another
 * order hold the same leads in other places). */
uint64_t lf_digest_of(const b2b2c_lead_model *m, int unordered);
uint64_t lf_digest(const b2b2c_lead_model *m);
/* th_fault_ops's setup, teardown and digest of the common state (a
 * b2b2c_lead_model *) */
int lf_setup(th_env *env, void **state);
void lf_teardown(th_env *env, void *state);
uint64_t lf_dig(th_env *env, void *state);
/* A funnel row folded into the digest *ud (a uint64_t). */
int lf_funnel_row(const char *group, int32_t stage, const double *f,
                  size_t n, void *ud);

#endif
