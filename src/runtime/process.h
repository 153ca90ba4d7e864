/* SPDX-License-Identifier: Apache-2.0 */
/* The container process's own settings, applied by the process itself in
 * its last steps before execve: rlimits, scheduling, credentials, and the
 * lookup of the program in its $PATH. */
#ifndef HAKO_RUNTIME_PROCESS_H
#define HAKO_RUNTIME_PROCESS_H

#include "common/error.h"
#include "seccomp.h"
#include "spec.h"

int process_set_rlimits (const struct oci_process *p, struct hk_error **err);

/* Scheduler policy and I/O priority of the calling process. */
int process_set_scheduling (const struct oci_process *p, struct hk_error **err);

/* Supplementary groups, gid, uid. */
int process_set_user (const struct oci_process *p, struct hk_error **err);

/* Asks AppArmor to confine the next execve with PROFILE. */
int process_set_apparmor (const char *profile, struct hk_error **err);

/* What a process needs to become the container's process. */
struct process_setup
{
  const struct oci_process *process;
  bool has_personality;
  unsigned long personality;
  const struct seccomp_program *seccomp; /* NULL: none */
  int seccomp_listener;                  /* out: the notify listener fd, or -1 */
};

/* The last steps before execve, in the order the kernel needs them:
 * personality, scheduling, rlimits, AppArmor, the bounding set (while
 * root), seccomp when no_new_privs is off (installing it then needs
 * CAP_SYS_ADMIN), groups/gid/uid, the other capability sets,
 * no_new_privs, umask, the cwd (checked to be inside the root: CVE-2024-
 * 21626), and seccomp when no_new_privs is on (as late as possible). */
int process_become (struct process_setup *s, struct hk_error **err);

/* Marks every fd but stdio and the PRESERVE_FDS after it close-on-exec,
 * and clears close-on-exec on the preserved ones: no runtime fd reaches
 * the program. */
int process_close_fds (int preserve_fds, struct hk_error **err);

/* execve of p->args[0], searched in the $PATH of p->env when it has no
 * slash.  Returns only on failure, with errno ENOENT or EACCES kept in the
 * error so callers can map it to exit codes 127 and 126. */
int process_exec (const struct oci_process *p, struct hk_error **err);

#endif
