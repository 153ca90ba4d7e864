/* SPDX-License-Identifier: Apache-2.0 */
/* The one clone3 of a container's process, for create (its first process)
 * and exec (another one): into its new namespaces, straight into its v2
 * cgroup (CLONE_INTO_CGROUP, so a pids limit of 1 works), in the pid and
 * time namespaces the process must be a child of to be in. */
#ifndef HAKO_RUNTIME_SPAWN_H
#define HAKO_RUNTIME_SPAWN_H

#include "cgroup.h"
#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct spawn_request
{
  uint64_t clone_flags;        /* CLONE_NEW* to make for the child */
  int pid_ns_fd;               /* a pid namespace for the child to be in, or -1 */
  int time_ns_fd;              /* a time namespace for the child to be in, or -1 ... */
  const char *time_offsets;    /* ... or a new one with these timens_offsets, or NULL */
  const struct cgroup *cgroup; /* its v2 directory takes the child, or NULL */
  int user_ns_fd;              /* a user namespace the child's new namespaces belong to
                                * (joined before they are made), or -1 */
  void (*child) (void *data) __attribute__ ((noreturn));
  void *data;
};

struct spawn_result
{
  pid_t pid;
  int pidfd;
  bool in_cgroup; /* started in the v2 cgroup (else the caller moves it) */
};

/* Clones the child, which runs REQ->child (REQ->data).  The caller's own
 * pid and time namespaces for children are back as they were on return.
 * When the v2 cgroup cannot take a process directly (a domain with
 * controllers in a threaded subtree...), the child starts outside it and
 * OUT->in_cgroup says so. */
int spawn_process (const struct spawn_request *req, struct spawn_result *out,
                   struct hk_error **err);

#endif
