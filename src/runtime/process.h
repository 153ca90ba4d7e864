/* SPDX-License-Identifier: Apache-2.0 */
/* The container process's own settings, applied by the process itself in
 * its last steps before execve: rlimits, scheduling, credentials, and the
 * lookup of the program in its $PATH. */
#ifndef HAKO_RUNTIME_PROCESS_H
#define HAKO_RUNTIME_PROCESS_H

#include "common/error.h"
#include "spec.h"

int process_set_rlimits (const struct oci_process *p, struct hk_error **err);

/* Scheduler policy and I/O priority of the calling process. */
int process_set_scheduling (const struct oci_process *p, struct hk_error **err);

/* Supplementary groups, gid, uid.  SETGROUPS_ALLOWED is false in a user
 * namespace whose setgroups is "deny". */
int process_set_user (const struct oci_process *p, bool setgroups_allowed, struct hk_error **err);

/* Asks AppArmor to confine the next execve with PROFILE. */
int process_set_apparmor (const char *profile, struct hk_error **err);

/* execve of p->args[0], searched in the $PATH of p->env when it has no
 * slash.  Returns only on failure, with errno ENOENT or EACCES kept in the
 * error so callers can map it to exit codes 127 and 126. */
int process_exec (const struct oci_process *p, struct hk_error **err);

#endif
