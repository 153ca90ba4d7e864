/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless hako: a normal user's command runs in a user namespace (its
 * uid as root, its /etc/subuid and /etc/subgid ranges above, mapped by
 * newuidmap and newgidmap) and a mount namespace, both held by a
 * long-lived process (`hako-rootless`, Podman's pause process) whose pid
 * is in RUNROOT/pause.pid.  Every command of the user joins them, so that
 * its containers, their mounts and network namespaces are seen by the
 * next command.  A user without ranges gets its own uid and gid alone,
 * with a warning of what that limits. */
#ifndef HAKO_CLI_CLI_ROOTLESS_H
#define HAKO_CLI_CLI_ROOTLESS_H

#include "common/error.h"
#include "common/log.h"

/* Joins the user's namespaces, starting their holder first when none
 * runs (under RUNROOT/pause.lock).  Single-threaded callers only. */
int cli_rootless_enter (const char *runroot, const struct hk_log *log, struct hk_error **err);

#endif
