/* SPDX-License-Identifier: Apache-2.0 */
/* The container process's own settings, applied by the process itself in
 * its last steps before execve: rlimits, scheduling, credentials, the cwd,
 * HOME, the lookup of the program in its $PATH, seccomp.
 *
 * Everything the runtime does happens before the seccomp filter is
 * loaded; after it comes only execve, so a profile need not allow any
 * syscall of ours (runc and crun arrange the same).  Without no_new_privs,
 * loading a filter needs CAP_SYS_ADMIN: the process keeps it in its
 * effective and permitted sets until then, and execve drops it (it is in
 * neither the bounding, inheritable nor ambient set unless the config asks
 * for it). */
#ifndef HAKO_RUNTIME_PROCESS_H
#define HAKO_RUNTIME_PROCESS_H

#include "common/error.h"
#include "seccomp.h"
#include "spec.h"

/* What a process needs to become the container's process. */
struct process_setup
{
  const struct oci_process *process;
  bool has_personality;
  unsigned long personality;
  const struct oci_memory_policy *memory_policy; /* NULL: none */
  const struct seccomp_program *seccomp; /* NULL: none */
  int preserve_fds;                      /* fds 3 .. 3+N-1 pass to the program */
  /* Filled by process_prepare: */
  int seccomp_listener;     /* the notify listener fd, or -1 */
  bool seccomp_loaded;      /* a notify filter is loaded early: its fd must reach the runtime */
  char **env;               /* process->env, with HOME when it has none */
  char *program;            /* args[0] found in $PATH, or NULL ... */
  struct hk_error *missing; /* ... and why (create reports it, exec's process_exec) */
};

#define PROCESS_SETUP_INIT { .seccomp_listener = -1 }

/* Everything but the last step, in the order the kernel needs it:
 * signal dispositions reset, a session of its own, personality, the
 * memory policy, scheduling,
 * rlimits, AppArmor, the bounding set (while root), groups/gid/uid, the
 * other capability sets, no_new_privs, umask, the cwd (checked to be
 * inside the root: CVE-2024-21626), HOME from the container's /etc/passwd
 * when the environment has none, the program looked up in $PATH, every fd
 * but stdio and the preserved ones marked close-on-exec.  A filter with
 * SCMP_ACT_NOTIFY is loaded here (its listener must reach the runtime
 * before the process is reported ready). */
int process_prepare (struct process_setup *s, struct hk_error **err);

/* The last step: unblocks signals, loads the seccomp filter and executes
 * the program.  Returns only on failure, with errno ENOENT or EACCES kept
 * in the error so callers can map it to exit codes 127 and 126. */
int process_exec (struct process_setup *s, struct hk_error **err);

#endif
