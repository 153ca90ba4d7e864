/* SPDX-License-Identifier: Apache-2.0 */
/* The container's root filesystem, set up by the container process in its
 * new mount namespace: propagation, the rootfs bind, every configured
 * mount, /dev, the console, masked and read-only paths, pivot_root.
 *
 * Every destination is resolved inside the root with in_root_*() and
 * mounted through the fd that resolution returned, so a symlink in the
 * image cannot send a mount to the host. */
#ifndef HAKO_RUNTIME_ROOTFS_H
#define HAKO_RUNTIME_ROOTFS_H

#include "cgroup.h"
#include "common/error.h"
#include "setup-plan.h"
#include "spec.h"

#include <stdbool.h>
#include <sys/types.h>

struct rootfs
{
  const struct oci_spec *spec;
  const struct rootfs_plan *plan; /* what to mount, in which order, how to enter */
  const char *bundle;        /* relative bind sources start here */
  const char *rootfs_path;   /* absolute path of the root on the host */
  int root_fd;               /* O_PATH of the root once bind-mounted */
  const struct cgroup *cgroup;
  bool userns;               /* a new user namespace: no mknod, bind devices */
  bool cgroupns;             /* a new cgroup namespace */
  int devnull_fd;            /* the host's /dev/null, checked, for masking */
  const int *bind_trees;     /* per mount: a tree the runtime prepared (bind-trees.h), or NULL */
  const int *device_trees;   /* per linux.devices entry, the same, or NULL */
};

/* Sets the propagation of "/" (the plan's, from linux.rootfsPropagation,
 * default rslave), bind-mounts the root onto itself and opens it into
 * R->root_fd. */
int rootfs_prepare (struct rootfs *r, struct hk_error **err);

/* Mounts every step of the plan, in order. */
int rootfs_mount_all (struct rootfs *r, struct hk_error **err);

/* The default devices and /dev symlinks (unless /dev is a bind mount),
 * then linux.devices. */
int rootfs_setup_devices (struct rootfs *r, struct hk_error **err);

/* Binds /dev/pts/INDEX onto /dev/console. */
int rootfs_bind_console (struct rootfs *r, int index, struct hk_error **err);

/* linux.maskedPaths and linux.readonlyPaths. */
int rootfs_mask_paths (struct rootfs *r, struct hk_error **err);
int rootfs_readonly_paths (struct rootfs *r, struct hk_error **err);

/* Writes linux.sysctl through the container's /proc/sys, checked to be a
 * procfs before anything is written. */
int rootfs_write_sysctls (struct rootfs *r, struct hk_error **err);

/* Enters the root as the plan says (pivot_root, or MS_MOVE + chroot for
 * --no-pivot), then the read-only root and the root propagation. */
int rootfs_enter (struct rootfs *r, struct hk_error **err);

/* Checks that FD lives on a procfs (not a tmpfs or a bind mount posing as
 * /proc).  WHAT names it in the error. */
int rootfs_check_procfs (int fd, const char *what, struct hk_error **err);

/* Sets O's flags and recursive attributes (not the propagation, which
 * needs an attached mount) on a detached TREE (mounts.c). */
struct mount_options;
int mounts_apply_attributes (int tree, const struct mount_options *o, struct hk_error **err);

/* The path of a bind source: relative ones start at BUNDLE (mounts.c). */
char *mounts_bind_source (const char *bundle, const char *source);

/* Mounts one step of the plan (mounts.c). */
int mounts_mount_step (struct rootfs *r, const struct mount_step *step, struct hk_error **err);

#endif
