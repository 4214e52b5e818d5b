/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c: B2B2C sales logic for manufacturers' ERP and CRM systems.
 *
 * The umbrella header: includes every public module header. See README.md
 * and docs/ for guides. Threads: a context and the handles opened on it are
 * used by one thread at a time; separate contexts are independent.
 */
#ifndef B2B2C_H
#define B2B2C_H

#include "b2b2c/common.h"
#include "b2b2c/sys/storage.h"
#include "b2b2c/segment.h"
#include "b2b2c/lead.h"
#include "b2b2c/dealer.h"
#include "b2b2c/dealer_conflict.h"
#include "b2b2c/forecast.h"
#include "b2b2c/channel.h"
#include "b2b2c/experiment.h"
#include "b2b2c/program.h"

#endif /* B2B2C_H */
