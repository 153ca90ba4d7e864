/* SPDX-License-Identifier: Apache-2.0 */
/* Entering a network namespace kept at a path (a bind mount under
 * RUNROOT/netns, a rootless hako's namespace): the engine, its relay and
 * hako-net do it. */
#ifndef HAKO_COMMON_NETNS_ENTER_H
#define HAKO_COMMON_NETNS_ENTER_H

#include "error.h"

/* The calling thread moves into the network namespace at PATH. */
int netns_enter_path (const char *path, struct hk_error **err);

#endif
