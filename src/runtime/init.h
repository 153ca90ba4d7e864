/* SPDX-License-Identifier: Apache-2.0 */
/* The container's first process, from clone to execve.
 *
 * The runtime (container.c) prepares everything that can fail early — the
 * parsed config, the cgroup, namespace fds, the sync socket — then clones
 * this process into the new namespaces.  It inherits `struct init_config`
 * through the copied address space and talks to the runtime over the sync
 * socket (sync.h):
 *
 *   runtime                          container process
 *   clone3 ─────────────────────────► (new namespaces, in the v2 cgroup)
 *   write uid/gid maps, join v1
 *   cgroups, oom_score_adj
 *   GO + state JSON ────────────────► join namespaces, cgroup ns,
 *                                     mounts, /dev, console, sysctls
 *                  ◄──────────────── HOOKS (only if there are any)
 *   createRuntime + prestart hooks
 *   HOOKS_DONE ─────────────────────► createContainer hooks, masked and
 *                                     read-only paths, pivot_root, user,
 *                                     capabilities, cwd, fds closed
 *                  ◄──────────────── READY
 *   state.json, pid file
 *   create: exit                      create: block reading the exec fifo
 *   run: READY_ACK ─────────────────► (until `start` writes to it)
 *                                     startContainer hooks, seccomp,
 *                                     execve (nothing in between) */
#ifndef HAKO_RUNTIME_INIT_H
#define HAKO_RUNTIME_INIT_H

#include "cgroup.h"
#include "seccomp.h"
#include "setup-plan.h"
#include "spec.h"

#include <stdbool.h>

struct init_config
{
  const struct oci_spec *spec;
  const char *bundle;
  const char *rootfs_path;
  const struct cgroup *cgroup;
  int sync_fd;               /* the container process's end */
  int fifo_fd;               /* exec fifo, opened O_RDWR; -1 for run */
  int console_socket_fd;     /* --console-socket connection, or -1 */
  int preserve_fds;
  bool foreground;           /* a foreground run: the runtime stays and relays the pty */
  int stdio[3];              /* replacement stdio, -1 keeps what we have */
  int ns_fds[NS_PLAN_MAX_JOINED]; /* namespaces to join by path (not pid/time), in order
                                     (user first), -1 ends */
  int ns_types[NS_PLAN_MAX_JOINED];
  const struct rootfs_plan *rootfs_plan; /* what to mount and how to enter the root */
  bool new_userns;
  bool joined_userns; /* a user namespace joined by path */
  bool runtime_userns; /* the runtime itself runs in one (rootless) */
  bool new_cgroupns;
  bool new_utsns;
  bool new_netns;            /* a new network namespace: lo is brought up */
  bool host_mounts;          /* no mount namespace in the config: the runtime's is kept */
  bool runtime_hooks;        /* createRuntime or prestart hooks exist */
  const struct seccomp_program *seccomp; /* compiled linux.seccomp, or NULL */
  const int *bind_trees;     /* per mount, a tree the runtime prepared (bind-trees.h), or NULL */
  const int *device_trees;   /* per linux.devices entry, the same, or NULL */
};

/* Runs in the cloned process; never returns. */
void init_main (const struct init_config *cfg) __attribute__ ((noreturn));

#endif
