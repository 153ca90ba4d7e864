/* SPDX-License-Identifier: Apache-2.0 */
/* Control groups, v1, v2 and the hybrid of both, chosen at run time.
 *
 * A host mounts cgroup hierarchies: one cgroup2 tree (pure v2), several v1
 * trees with one or more controllers each (v1), or v1 trees plus a cgroup2
 * tree that may hold some controllers (hybrid, this project's CI host).  A
 * container gets a directory in every hierarchy; each resource is written
 * to the hierarchy that holds its controller, in that version's format. */
#ifndef HAKO_RUNTIME_CGROUP_H
#define HAKO_RUNTIME_CGROUP_H

#include "common/error.h"
#include "spec.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

enum cgroup_mode
{
  CGROUP_MODE_V1,
  CGROUP_MODE_V2,
  CGROUP_MODE_HYBRID,
};

struct cgroup_hierarchy
{
  bool v2;
  char *mount_point; /* "/sys/fs/cgroup/memory", "/sys/fs/cgroup" */
  char *controllers; /* v1: "memory", "cpu,cpuacct", "name=systemd"; v2: "" */
  char *own_path;    /* the calling process's cgroup in it, "/" at the top */
};

struct cgroup_layout
{
  enum cgroup_mode mode;
  size_t n;
  struct cgroup_hierarchy *hierarchies;
};

/* One container's directory in one hierarchy. */
struct cgroup_dir
{
  bool v2;
  char *controllers; /* as in struct cgroup_hierarchy */
  char *mount_point;
  char *path; /* the cgroup inside the hierarchy, "/hako/ID" */
  char *dir;  /* mount_point + path */
  bool created; /* made by us (removed on a failed create) */
};

struct cgroup
{
  size_t n;
  struct cgroup_dir *dirs;
};

/* Reads the host's layout from /proc/self/mountinfo and /proc/self/cgroup.
 * ROOT is normally "/sys/fs/cgroup"; a test may pass a fake tree holding a
 * cgroup v2 layout (it is then taken as pure v2). */
int cgroup_layout_detect (const char *root, struct cgroup_layout **out, struct hk_error **err);
void cgroup_layout_free (struct cgroup_layout *layout);
const char *cgroup_mode_name (enum cgroup_mode mode);

/* Creates the container's cgroup in every hierarchy.  CGROUPS_PATH is
 * linux.cgroupsPath: absolute from each hierarchy's top, relative from the
 * runtime's own cgroup; NULL means "/hako/ID".  On failure nothing is left. */
int cgroup_create (const struct cgroup_layout *layout, const char *cgroups_path, const char *id,
                   struct cgroup **out, struct hk_error **err);

/* Writes RES (linux.resources) to the hierarchies that hold each
 * controller.  A resource whose controller is missing is an error. */
int cgroup_apply (const struct cgroup *cg, const struct oci_resources *res, bool updating,
                  struct hk_error **err);

/* Moves PID into every hierarchy but the v2 one when SKIP_V2 (it was
 * created there with CLONE_INTO_CGROUP). */
int cgroup_enter (const struct cgroup *cg, pid_t pid, bool skip_v2, struct hk_error **err);

/* An O_PATH|O_DIRECTORY fd of the v2 directory (for CLONE_INTO_CGROUP),
 * -1 when there is no v2 hierarchy. */
int cgroup_open_v2 (const struct cgroup *cg);

/* Kills whatever still runs in the cgroup, waits for it to go, removes the
 * directories (children first).  A cgroup already gone is fine. */
int cgroup_destroy (struct cgroup *cg, struct hk_error **err);

/* The pids in the cgroup (from the first hierarchy that has the
 * directory).  *OUT is malloc'd. */
int cgroup_pids (const struct cgroup *cg, pid_t **out, size_t *n, struct hk_error **err);

/* The directory of the hierarchy holding CONTROLLER ("memory"), or NULL.
 * *V2 tells its format.  For v2 the controller must be enabled there. */
const struct cgroup_dir *cgroup_find (const struct cgroup *cg, const char *controller, bool *v2);

/* The v2 directory, or NULL. */
const struct cgroup_dir *cgroup_v2_dir (const struct cgroup *cg);

/* For state.json: the directories, and back. */
json_t *cgroup_to_json (const struct cgroup *cg);
int cgroup_from_json (json_t *j, struct cgroup **out, struct hk_error **err);
void cgroup_free (struct cgroup *cg);

static inline void
cleanup_cgroupp (struct cgroup **cg)
{
  cgroup_free (*cg);
}
#define _cleanup_cgroup_ __attribute__ ((cleanup (cleanup_cgroupp)))

/* Freezes (pause) or thaws (resume) every process of the cgroup. */
int cgroup_freeze (const struct cgroup *cg, bool freeze, struct hk_error **err);
/* True when the cgroup is frozen. */
bool cgroup_is_frozen (const struct cgroup *cg);

/* Writes VALUE to DIR/FILE; the error names both. */
int cgroup_write (const char *dir, const char *file, const char *value, struct hk_error **err);
/* Reads DIR/FILE with the trailing newline removed. */
int cgroup_read (const char *dir, const char *file, char **out, struct hk_error **err);

#endif
