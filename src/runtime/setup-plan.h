/* SPDX-License-Identifier: Apache-2.0 */
/* The plan of a container's setup, as data: which namespaces are made,
 * joined (in which order) or entered for the child only; which mounts are
 * made, of which kind, in which order, with which flags, attributes and
 * propagation; how the process enters its root.
 *
 * Built by the runtime from the parsed config before anything is created
 * (so a bad mount option fails before a cgroup or a process exists),
 * carried out by the container process (init.c, rootfs.c, mounts.c), and
 * checked by unit tests without root (tests/unit/test-setup-plan.c): the
 * decisions live here, the syscalls there.  This is hako's seam for
 * syscalls, in the spirit of youki's syscall trait but cheaper: the
 * planning is a pure function of the config, so a test compares data
 * instead of recording calls through a table of function pointers, and
 * the hot path keeps direct calls. */
#ifndef HAKO_RUNTIME_SETUP_PLAN_H
#define HAKO_RUNTIME_SETUP_PLAN_H

#include "common/error.h"
#include "mount-options.h"
#include "spec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_PLAN_MAX_JOINED 8

struct ns_plan
{
  uint64_t clone_flags; /* made by clone3 */
  bool unshare_cgroup;  /* made by the process once it is in its cgroup */
  bool new_user, new_net, new_uts;
  bool host_mounts; /* no mount namespace: the runtime's is kept */
  /* Joined by path by the process, in this order: the user namespace first
   * (its capabilities let it join the others). */
  struct
  {
    int type;
    const char *path;
    size_t index; /* in linux.namespaces, for errors */
  } joined[NS_PLAN_MAX_JOINED];
  size_t n_joined;
  /* Entered by the runtime for the child only (a process cannot enter them
   * itself); a time namespace with offsets is made there too. */
  const char *pid_path, *time_path;
  size_t pid_index, time_index;
  bool new_time_with_offsets;
};

void ns_plan_build (const struct oci_spec *spec, struct ns_plan *out);

enum mount_step_kind
{
  MOUNT_STEP_BIND,       /* a bind (prepared by the runtime or cloned here) */
  MOUNT_STEP_FILESYSTEM, /* mount(2) of a file system, tmpfs copy-up included */
  MOUNT_STEP_CGROUP,     /* the container's cgroups, as the host's layout needs */
};

struct mount_step
{
  enum mount_step_kind kind;
  size_t index; /* in spec->mounts */
  const struct oci_mount *mount;
  struct mount_options options;
};

enum root_entry
{
  ROOT_PIVOT,       /* pivot_root, the old root detached */
  ROOT_MOVE_CHROOT, /* --no-pivot: MS_MOVE onto / and chroot */
  ROOT_CHROOT,      /* no mount namespace: chroot only, nothing mounted */
};

struct rootfs_plan
{
  unsigned long propagation_before; /* of "/" before the root is bound */
  unsigned long propagation_after;  /* of the new root (0: leave it) */
  struct mount_step *steps;
  size_t n_steps;
  bool default_devices; /* /dev gets the default nodes (not when /dev is a bind) */
  enum root_entry entry;
  bool readonly_root;
};

/* Fails with the mount named when an option is bad or does not apply to
 * its mount (idmap on a file system, tmpcopyup on anything but a tmpfs). */
int rootfs_plan_build (const struct oci_spec *spec, bool no_pivot, struct rootfs_plan *out,
                       struct hk_error **err);
void rootfs_plan_clear (struct rootfs_plan *plan);

#endif
