/* SPDX-License-Identifier: Apache-2.0 */
/* Where a rootless user's containers get cgroups: the cgroup v2 subtree
 * delegated to the user, as crun and Podman use one without systemd.  It
 * is found from the cgroup hako itself runs in (/proc/self/cgroup): the
 * topmost of it and its ancestors that the user owns (the directory an
 * administrator, or systemd's Delegate=, chowned to the user) and that
 * has controllers enabled for its children; containers go under its
 * `hako` child, as root's go under /sys/fs/cgroup/hako.  None on a cgroup
 * v1 or hybrid host, or when nothing is delegated. */
#ifndef HAKO_ENGINE_ROOTLESS_CGROUP_H
#define HAKO_ENGINE_ROOTLESS_CGROUP_H

/* The cgroup parent of rootless containers ("DELEGATED/hako", relative
 * to the cgroup2 root at CGROUP_ROOT), or NULL when there is none. */
char *rootless_cgroup_parent (const char *cgroup_root);

#endif
