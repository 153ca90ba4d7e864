/* SPDX-License-Identifier: Apache-2.0 */
/* linux.netDevices: host network interfaces moved into the container's
 * network namespace (through rtnetlink). */
#ifndef HAKO_RUNTIME_NETDEV_H
#define HAKO_RUNTIME_NETDEV_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* True for a name the kernel takes for a network interface. */
bool netdev_valid_name (const char *name);

/* Checks linux.netDevices (an object: host name -> {"name": new name}):
 * valid interface names, each host interface present. */
int netdev_check (json_t *devices, struct hk_error **err);

/* Moves every device of DEVICES into the network namespace of PID, under
 * its new name (or its own). */
int netdev_move_all (json_t *devices, pid_t pid, struct hk_error **err);

/* Brings up the loopback interface of the calling process's network
 * namespace (a new namespace starts with lo down). */
int netdev_loopback_up (struct hk_error **err);

#endif
