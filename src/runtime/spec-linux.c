/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the "linux" section (but its resources), the process's
 * scheduler and I/O priority, and checks that span several fields. */
#include "spec-internal.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>

#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

static const struct
{
  const char *name;
  int flag;
} namespace_names[] = {
  { "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
  { "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
  { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

static int
spec_namespace_flag (const char *name)
{
  for (size_t i = 0; i < sizeof namespace_names / sizeof namespace_names[0]; i++)
    if (strcmp (name, namespace_names[i].name) == 0)
      return namespace_names[i].flag;
  return -1;
}

const char *
spec_namespace_name (int flag)
{
  for (size_t i = 0; i < sizeof namespace_names / sizeof namespace_names[0]; i++)
    if (namespace_names[i].flag == flag)
      return namespace_names[i].name;
  return "unknown";
}

bool
spec_mount_type_known (const char *type)
{
  /* Any file system the kernel knows may be mounted; the name only has to
   * look like one.  Kernel errors name the type if it does not exist. */
  if (*type == '\0' || strlen (type) > 64)
    return false;
  for (const char *p = type; *p; p++)
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-'
        && *p != '.')
      return false;
  return true;
}

int
spec_parse_id_mappings (json_t *obj, const char *path, const char *key,
                        struct oci_id_mapping **out, size_t *n, struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (obj, path, key, &arr, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *apath = json_path_key (path, key);
  *out = xzalloc (sizeof (struct oci_id_mapping) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *ipath = json_path_index (apath, i);
    struct oci_id_mapping *m = &(*out)[(*n)++];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object, got %s", ipath,
                           json_type_name (item));
    if (json_require (item, ipath, "containerID", err) < 0
        || json_require (item, ipath, "hostID", err) < 0
        || json_require (item, ipath, "size", err) < 0
        || json_get_uint32 (item, ipath, "containerID", &m->container_id, err) < 0
        || json_get_uint32 (item, ipath, "hostID", &m->host_id, err) < 0
        || json_get_uint32 (item, ipath, "size", &m->size, err) < 0)
      return -1;
    if (m->size == 0)
      return hk_error_set (err, EINVAL, "%s.size: must be at least 1", ipath);
  }
  return 1;
}

static int
parse_namespaces (json_t *lx, struct oci_linux *linux, struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (lx, "linux", "namespaces", &arr, err);
  if (r <= 0)
    return r;
  linux->namespaces = xzalloc (sizeof (struct oci_namespace) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *path = json_path_index ("linux.namespaces", i);
    _cleanup_free_ char *type = NULL;
    struct oci_namespace *ns = &linux->namespaces[linux->n_namespaces++];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path,
                           json_type_name (item));
    if (json_require (item, path, "type", err) < 0
        || json_get_string (item, path, "type", &type, err) < 0
        || json_get_string (item, path, "path", &ns->path, err) < 0)
      return -1;
    ns->type = spec_namespace_flag (type);
    if (ns->type < 0)
      return hk_error_set (err, EINVAL, "%s.type: unknown namespace `%s`", path, type);
    for (size_t j = 0; j + 1 < linux->n_namespaces; j++)
      if (linux->namespaces[j].type == ns->type)
        return hk_error_set (err, EINVAL, "%s.type: namespace `%s` is listed twice", path, type);
    if (ns->path != NULL && ns->path[0] != '/')
      return hk_error_set (err, EINVAL, "%s.path: `%s` is not an absolute path", path, ns->path);
  }
  return 1;
}

mode_t
spec_device_file_type (char type)
{
  switch (type)
    {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return S_IFCHR; /* 'c' and 'u' (unbuffered character) */
    }
}

/* fileMode holds permission bits; Podman sends the host node's whole
 * st_mode, file type bits included (runc and crun take it): those are
 * accepted when they are the device's type, and dropped. */
static int
check_device_file_mode (struct oci_device *d, const char *path, struct hk_error **err)
{
  mode_t type_bits = d->file_mode & S_IFMT;
  if (type_bits != 0 && type_bits != spec_device_file_type (d->type))
    return hk_error_set (err, EINVAL, "%s.fileMode: %o has the file type of another kind than `%c`",
                         path, d->file_mode, d->type);
  if ((d->file_mode & ~(uint32_t) S_IFMT) > 07777)
    return hk_error_set (err, EINVAL, "%s.fileMode: %o is not a permission mode", path,
                         d->file_mode);
  d->file_mode &= 07777;
  return 0;
}

static int
parse_devices (json_t *lx, struct oci_linux *linux, struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (lx, "linux", "devices", &arr, err);
  if (r <= 0)
    return r;
  linux->devices = xzalloc (sizeof (struct oci_device) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *path = json_path_index ("linux.devices", i);
    _cleanup_free_ char *type = NULL;
    struct oci_device *d = &linux->devices[linux->n_devices++];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path,
                           json_type_name (item));
    if (json_require (item, path, "path", err) < 0 || json_require (item, path, "type", err) < 0
        || json_get_string (item, path, "path", &d->path, err) < 0
        || json_get_string (item, path, "type", &type, err) < 0
        || json_get_int64 (item, path, "major", &d->major, err) < 0
        || json_get_int64 (item, path, "minor", &d->minor, err) < 0)
      return -1;
    int has;
    if ((has = json_get_uint32 (item, path, "fileMode", &d->file_mode, err)) < 0)
      return -1;
    d->has_file_mode = has > 0;
    if ((has = json_get_uint32 (item, path, "uid", &d->uid, err)) < 0)
      return -1;
    d->has_uid = has > 0;
    if ((has = json_get_uint32 (item, path, "gid", &d->gid, err)) < 0)
      return -1;
    d->has_gid = has > 0;
    if (strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
      return hk_error_set (err, EINVAL, "%s.type: `%s` is not one of c, b, u, p", path, type);
    d->type = type[0];
    if (d->path[0] != '/')
      return hk_error_set (err, EINVAL, "%s.path: `%s` is not an absolute path", path, d->path);
    if (d->type != 'p'
        && (json_object_get (item, "major") == NULL || json_object_get (item, "minor") == NULL))
      return hk_error_set (err, EINVAL, "%s: a `%c` device needs major and minor", path, d->type);
    if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
      return hk_error_set (err, EINVAL, "%s: device number %lld:%lld is out of range", path,
                           (long long) d->major, (long long) d->minor);
    if (d->has_file_mode && check_device_file_mode (d, path, err) < 0)
      return -1;
  }
  return 1;
}

static int
parse_time_offset (json_t *offsets, const char *key, struct oci_time_offset *out,
                   struct hk_error **err)
{
  json_t *o;
  int r = json_get_object (offsets, "linux.timeOffsets", key, &o, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *path = json_path_key ("linux.timeOffsets", key);
  if (json_get_int64 (o, path, "secs", &out->secs, err) < 0
      || json_get_uint32 (o, path, "nanosecs", &out->nanosecs, err) < 0)
    return -1;
  if (out->nanosecs >= 1000000000)
    return hk_error_set (err, EINVAL, "%s.nanosecs: must be below 1000000000", path);
  return 1;
}

static int
parse_time_offsets (json_t *lx, struct oci_linux *linux, struct hk_error **err)
{
  json_t *offsets;
  int r = json_get_object (lx, "linux", "timeOffsets", &offsets, err);
  if (r <= 0)
    return r;
  const char *key;
  json_t *value;
  json_object_foreach (offsets, key, value)
  {
    if (strcmp (key, "monotonic") != 0 && strcmp (key, "boottime") != 0)
      return hk_error_set (err, EINVAL, "linux.timeOffsets.%s: only monotonic and boottime clocks can be offset", key);
  }
  linux->has_time_offsets = true;
  if (parse_time_offset (offsets, "monotonic", &linux->monotonic_offset, err) < 0
      || parse_time_offset (offsets, "boottime", &linux->boottime_offset, err) < 0)
    return -1;
  return 1;
}

static int
parse_personality (json_t *lx, struct oci_linux *linux, struct hk_error **err)
{
  json_t *p;
  int r = json_get_object (lx, "linux", "personality", &p, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *domain = NULL;
  _cleanup_strv_ char **flags = NULL;
  if (json_require (p, "linux.personality", "domain", err) < 0
      || json_get_string (p, "linux.personality", "domain", &domain, err) < 0
      || json_get_strv (p, "linux.personality", "flags", &flags, err) < 0)
    return -1;
  if (strcmp (domain, "LINUX") == 0)
    linux->personality = PER_LINUX;
  else if (strcmp (domain, "LINUX32") == 0)
    linux->personality = PER_LINUX32;
  else
    return hk_error_set (err, EINVAL, "linux.personality.domain: unknown domain `%s` (LINUX or LINUX32)", domain);
  if (flags != NULL && flags[0] != NULL)
    return hk_error_set (err, EINVAL, "linux.personality.flags: `%s`: no personality flags are supported", flags[0]);
  linux->has_personality = true;
  return 1;
}

static const struct
{
  const char *name;
  int mode;
  bool needs_nodes;
} memory_policy_modes[] = {
  { "MPOL_DEFAULT", 0, false },        { "MPOL_PREFERRED", 1, true },
  { "MPOL_BIND", 2, true },            { "MPOL_INTERLEAVE", 3, true },
  { "MPOL_LOCAL", 4, false },          { "MPOL_PREFERRED_MANY", 5, true },
  { "MPOL_WEIGHTED_INTERLEAVE", 6, true },
};

static const struct
{
  const char *name;
  unsigned flag;
} memory_policy_flags[] = {
  { "MPOL_F_NUMA_BALANCING", 1u << 13 },
  { "MPOL_F_RELATIVE_NODES", 1u << 14 },
  { "MPOL_F_STATIC_NODES", 1u << 15 },
};

/* "0-3,7" into P's node mask. */
static int
parse_nodes (const char *text, struct oci_memory_policy *p, struct hk_error **err)
{
  const size_t bits = 8 * sizeof p->nodes[0];
  for (const char *s = text; *s;)
    {
      char *end;
      unsigned long first = strtoul (s, &end, 10), last = first;
      if (end == s)
        break;
      if (*end == '-')
        {
          const char *s2 = end + 1;
          last = strtoul (s2, &end, 10);
          if (end == s2)
            break;
        }
      if (last < first || last >= MEMORY_POLICY_MAX_NODES)
        return hk_error_set (err, EINVAL, "linux.memoryPolicy.nodes: `%s`: nodes 0..%d only",
                             text, MEMORY_POLICY_MAX_NODES - 1);
      for (unsigned long n = first; n <= last; n++)
        p->nodes[n / bits] |= 1UL << (n % bits);
      if (last + 1 > p->max_node)
        p->max_node = last + 1;
      if (*end == '\0')
        return 0;
      if (*end != ',')
        break;
      s = end + 1;
    }
  return hk_error_set (err, EINVAL, "linux.memoryPolicy.nodes: `%s` is not a list like 0-3,7",
                       text);
}

static int
parse_memory_policy (json_t *obj, struct oci_memory_policy *p, struct hk_error **err)
{
  static const char path[] = "linux.memoryPolicy";
  _cleanup_free_ char *mode = NULL, *nodes = NULL;
  _cleanup_strv_ char **flags = NULL;
  if (json_require (obj, path, "mode", err) < 0
      || json_get_string (obj, path, "mode", &mode, err) < 0
      || json_get_string (obj, path, "nodes", &nodes, err) < 0
      || json_get_strv (obj, path, "flags", &flags, err) < 0)
    return -1;
  size_t m;
  for (m = 0; m < sizeof memory_policy_modes / sizeof memory_policy_modes[0]; m++)
    if (strcmp (mode, memory_policy_modes[m].name) == 0)
      break;
  if (m == sizeof memory_policy_modes / sizeof memory_policy_modes[0])
    return hk_error_set (err, EINVAL, "%s.mode: unknown mode `%s`", path, mode);
  p->mode = memory_policy_modes[m].mode;
  for (size_t i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      size_t f;
      for (f = 0; f < sizeof memory_policy_flags / sizeof memory_policy_flags[0]; f++)
        if (strcmp (flags[i], memory_policy_flags[f].name) == 0)
          break;
      if (f == sizeof memory_policy_flags / sizeof memory_policy_flags[0])
        return hk_error_set (err, EINVAL, "%s.flags[%zu]: unknown flag `%s`", path, i, flags[i]);
      p->flags |= memory_policy_flags[f].flag;
    }
  bool has_nodes = nodes != NULL && nodes[0] != '\0';
  if (memory_policy_modes[m].needs_nodes && !has_nodes)
    return hk_error_set (err, EINVAL, "%s.nodes: %s needs nodes", path, mode);
  if (!memory_policy_modes[m].needs_nodes && has_nodes)
    return hk_error_set (err, EINVAL, "%s.nodes: %s takes no nodes", path, mode);
  return has_nodes ? parse_nodes (nodes, p, err) : 0;
}

int
spec_parse_linux (json_t *root, struct oci_spec *spec, struct hk_error **err)
{
  struct oci_linux *linux = &spec->linux;
  json_t *lx, *res, *seccomp, *obj;
  int r = json_get_object (root, "", "linux", &lx, err);
  if (r <= 0)
    return r;
  if (parse_namespaces (lx, linux, err) < 0
      || spec_parse_id_mappings (lx, "linux", "uidMappings", &linux->uid_mappings,
                                 &linux->n_uid_mappings, err)
             < 0
      || spec_parse_id_mappings (lx, "linux", "gidMappings", &linux->gid_mappings,
                                 &linux->n_gid_mappings, err)
             < 0
      || parse_devices (lx, linux, err) < 0
      || json_get_string (lx, "linux", "cgroupsPath", &linux->cgroups_path, err) < 0
      || json_get_string (lx, "linux", "rootfsPropagation", &linux->rootfs_propagation, err) < 0
      || json_get_strv (lx, "linux", "maskedPaths", &linux->masked_paths, err) < 0
      || json_get_strv (lx, "linux", "readonlyPaths", &linux->readonly_paths, err) < 0
      || json_get_string_map (lx, "linux", "sysctl", &linux->sysctl_keys, &linux->sysctl_values,
                              err)
             < 0
      || json_get_string (lx, "linux", "mountLabel", &linux->mount_label, err) < 0
      || parse_time_offsets (lx, linux, err) < 0 || parse_personality (lx, linux, err) < 0)
    return -1;
  r = json_get_object (lx, "linux", "resources", &res, err);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      linux->has_resources = true;
      if (spec_parse_resources (res, "linux.resources", &linux->resources, err) < 0)
        return -1;
    }
  r = json_get_object (lx, "linux", "seccomp", &seccomp, err);
  if (r < 0)
    return -1;
  if (r > 0)
    linux->seccomp = json_incref (seccomp);
  if ((r = json_get_object (lx, "linux", "intelRdt", &obj, err)) < 0)
    return -1;
  linux->has_intel_rdt = r > 0;
  if ((r = json_get_object (lx, "linux", "memoryPolicy", &obj, err)) < 0
      || (r > 0 && parse_memory_policy (obj, &linux->memory_policy, err) < 0))
    return -1;
  linux->has_memory_policy = r > 0;
  if ((r = json_get_object (lx, "linux", "netDevices", &obj, err)) < 0)
    return -1;
  if (r > 0)
    linux->net_devices = json_incref (obj);
  if (linux->cgroups_path != NULL && strstr (linux->cgroups_path, "..") != NULL)
    return hk_error_set (err, EINVAL, "linux.cgroupsPath: `%s` must not contain `..`",
                         linux->cgroups_path);
  return 0;
}

void
spec_linux_clear (struct oci_linux *linux)
{
  for (size_t i = 0; i < linux->n_namespaces; i++)
    free (linux->namespaces[i].path);
  free (linux->namespaces);
  free (linux->uid_mappings);
  free (linux->gid_mappings);
  for (size_t i = 0; i < linux->n_devices; i++)
    free (linux->devices[i].path);
  free (linux->devices);
  free (linux->cgroups_path);
  spec_resources_clear (&linux->resources);
  free (linux->rootfs_propagation);
  strv_free (linux->masked_paths);
  strv_free (linux->readonly_paths);
  strv_free (linux->sysctl_keys);
  strv_free (linux->sysctl_values);
  json_decref (linux->seccomp);
  json_decref (linux->net_devices);
  free (linux->mount_label);
}

static const struct
{
  const char *name;
  int policy;
} sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },   { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_IDLE", SCHED_IDLE },   { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const struct
{
  const char *name;
  uint64_t flag;
} sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
  { "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
  { "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
  { "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
  { "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
  { "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
};

int
spec_parse_scheduler (json_t *process, const char *path, struct oci_process *p,
                      struct hk_error **err)
{
  json_t *s;
  int r = json_get_object (process, path, "scheduler", &s, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *spath = json_path_key (path, "scheduler");
  _cleanup_free_ char *policy = NULL;
  _cleanup_strv_ char **flags = NULL;
  struct oci_scheduler *sc = &p->scheduler;
  if (json_require (s, spath, "policy", err) < 0
      || json_get_string (s, spath, "policy", &policy, err) < 0
      || json_get_int32 (s, spath, "nice", &sc->nice, err) < 0
      || json_get_int32 (s, spath, "priority", &sc->priority, err) < 0
      || json_get_strv (s, spath, "flags", &flags, err) < 0
      || json_get_uint64 (s, spath, "runtime", &sc->runtime, err) < 0
      || json_get_uint64 (s, spath, "deadline", &sc->deadline, err) < 0
      || json_get_uint64 (s, spath, "period", &sc->period, err) < 0)
    return -1;
  sc->policy = -1;
  for (size_t i = 0; i < sizeof sched_policies / sizeof sched_policies[0]; i++)
    if (strcmp (policy, sched_policies[i].name) == 0)
      sc->policy = sched_policies[i].policy;
  if (sc->policy < 0)
    return hk_error_set (err, EINVAL, "%s.policy: unknown scheduling policy `%s`", spath, policy);
  for (size_t i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      size_t j;
      for (j = 0; j < sizeof sched_flags / sizeof sched_flags[0]; j++)
        if (strcmp (flags[i], sched_flags[j].name) == 0)
          break;
      if (j == sizeof sched_flags / sizeof sched_flags[0])
        return hk_error_set (err, EINVAL, "%s.flags[%zu]: unknown flag `%s`", spath, i, flags[i]);
      sc->flags |= sched_flags[j].flag;
    }
  if (sc->nice < -20 || sc->nice > 19)
    return hk_error_set (err, EINVAL, "%s.nice: %d is outside -20..19", spath, sc->nice);
  p->has_scheduler = true;
  return 1;
}

int
spec_parse_io_priority (json_t *process, const char *path, struct oci_process *p,
                        struct hk_error **err)
{
  json_t *io;
  int r = json_get_object (process, path, "ioPriority", &io, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *ipath = json_path_key (path, "ioPriority");
  _cleanup_free_ char *class = NULL;
  if (json_require (io, ipath, "class", err) < 0
      || json_get_string (io, ipath, "class", &class, err) < 0
      || json_get_int32 (io, ipath, "priority", &p->io_priority.priority, err) < 0)
    return -1;
  if (strcmp (class, "IOPRIO_CLASS_RT") == 0)
    p->io_priority.class = IOPRIO_CLASS_RT;
  else if (strcmp (class, "IOPRIO_CLASS_BE") == 0)
    p->io_priority.class = IOPRIO_CLASS_BE;
  else if (strcmp (class, "IOPRIO_CLASS_IDLE") == 0)
    p->io_priority.class = IOPRIO_CLASS_IDLE;
  else
    return hk_error_set (err, EINVAL, "%s.class: unknown I/O priority class `%s`", ipath, class);
  if (p->io_priority.priority < 0 || p->io_priority.priority > 7)
    return hk_error_set (err, EINVAL, "%s.priority: %d is outside 0..7", ipath,
                         p->io_priority.priority);
  p->has_io_priority = true;
  return 1;
}

/* A sysctl may be set only when the namespace that scopes it is the
 * container's own; anything else would change the host. */
static int
sysctl_namespace (const char *key)
{
  static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                          "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced" };
  for (size_t i = 0; i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
    if (strcmp (key, ipc_keys[i]) == 0)
      return CLONE_NEWIPC;
  if (strncmp (key, "fs.mqueue.", 10) == 0)
    return CLONE_NEWIPC;
  if (strncmp (key, "net.", 4) == 0)
    return CLONE_NEWNET;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return CLONE_NEWUTS;
  return 0;
}

static bool
has_new_namespace (const struct oci_spec *spec, int type)
{
  const struct oci_namespace *ns = spec_namespace (spec, type);
  return ns != NULL && ns->path == NULL;
}

/* kernel.hostname and kernel.domainname are the hostname and domainname
 * fields by another way: two different values cannot both hold. */
static int
conflicts_with_identity (const struct oci_spec *spec, const char *key, const char *value,
                         struct hk_error **err)
{
  static const struct
  {
    const char *key, *field;
    size_t offset;
  } pairs[] = {
    { "kernel.hostname", "hostname", offsetof (struct oci_spec, hostname) },
    { "kernel.domainname", "domainname", offsetof (struct oci_spec, domainname) },
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    {
      const char *field = *(char *const *) ((const char *) spec + pairs[i].offset);
      if (strcmp (key, pairs[i].key) == 0 && field != NULL && field[0] != '\0'
          && strcmp (field, value) != 0)
        return hk_error_set (err, EINVAL, "linux.sysctl: `%s` = `%s` conflicts with %s `%s`",
                             key, value, pairs[i].field, field);
    }
  return 0;
}

static int
check_sysctls (const struct oci_spec *spec, struct hk_error **err)
{
  for (size_t i = 0; spec->linux.sysctl_keys && spec->linux.sysctl_keys[i]; i++)
    {
      const char *key = spec->linux.sysctl_keys[i];
      if (strstr (key, "..") != NULL || strchr (key, '/') != NULL)
        return hk_error_set (err, EINVAL, "linux.sysctl: `%s` is not a sysctl name", key);
      int ns = sysctl_namespace (key);
      if (ns == 0)
        return hk_error_set (err, EINVAL,
                             "linux.sysctl: `%s` is not namespaced: setting it would change "
                             "the host",
                             key);
      if (spec_namespace (spec, ns) == NULL)
        return hk_error_set (err, EINVAL,
                             "linux.sysctl: `%s` needs the container's own %s namespace", key,
                             spec_namespace_name (ns));
      if (conflicts_with_identity (spec, key, spec->linux.sysctl_values[i], err) < 0)
        return -1;
    }
  return 0;
}

/* Without a mount namespace in linux.namespaces the container shares the
 * runtime's (the spec: a type not listed is inherited), as runc allows:
 * its process is only chrooted into root.path.  What would need mounts
 * there would change the host's: refused, naming the field. */
static int
check_host_mounts (const struct oci_spec *spec, struct hk_error **err)
{
  static const char why[] = "needs the container's own mount namespace (linux.namespaces has "
                            "no \"mount\": it would change the host's mounts)";
  const struct oci_linux *linux = &spec->linux;
  if (spec->n_mounts > 0)
    return hk_error_set (err, EINVAL, "mounts: mounting `%s` %s", spec->mounts[0].destination,
                         why);
  if (linux->masked_paths != NULL && linux->masked_paths[0] != NULL)
    return hk_error_set (err, EINVAL, "linux.maskedPaths: masking `%s` %s",
                         linux->masked_paths[0], why);
  if (linux->readonly_paths != NULL && linux->readonly_paths[0] != NULL)
    return hk_error_set (err, EINVAL, "linux.readonlyPaths: `%s` %s", linux->readonly_paths[0],
                         why);
  if (spec->root_readonly)
    return hk_error_set (err, EINVAL, "root.readonly: a read-only root %s", why);
  if (linux->rootfs_propagation != NULL)
    return hk_error_set (err, EINVAL, "linux.rootfsPropagation %s", why);
  if (linux->n_devices > 0)
    return hk_error_set (err, EINVAL, "linux.devices: making `%s` %s", linux->devices[0].path,
                         why);
  return 0;
}

int
spec_check (const struct oci_spec *spec, struct hk_error **err)
{
  const struct oci_linux *linux = &spec->linux;
  bool userns = spec_namespace (spec, CLONE_NEWUSER) != NULL;
  if (spec_namespace (spec, CLONE_NEWNS) == NULL && check_host_mounts (spec, err) < 0)
    return -1;
  /* With a user namespace joined by path, the mappings describe it (for
   * idmapped mounts and the owners of bind trees); they are not written. */
  if ((linux->n_uid_mappings || linux->n_gid_mappings) && !userns)
    return hk_error_set (err, EINVAL,
                         "linux.uidMappings: mappings need a user namespace in "
                         "linux.namespaces");
  if (has_new_namespace (spec, CLONE_NEWUSER)
      && (linux->n_uid_mappings == 0 || linux->n_gid_mappings == 0))
    return hk_error_set (err, EINVAL,
                         "linux.uidMappings: a new user namespace needs uidMappings and "
                         "gidMappings");
  if (spec->hostname != NULL && spec->hostname[0] != '\0'
      && spec_namespace (spec, CLONE_NEWUTS) == NULL)
    return hk_error_set (err, EINVAL, "hostname: setting it needs a UTS namespace");
  if (spec->domainname != NULL && spec->domainname[0] != '\0'
      && spec_namespace (spec, CLONE_NEWUTS) == NULL)
    return hk_error_set (err, EINVAL, "domainname: setting it needs a UTS namespace");
  if (linux->has_time_offsets && !has_new_namespace (spec, CLONE_NEWTIME))
    return hk_error_set (err, EINVAL, "linux.timeOffsets: offsets need a new time namespace");
  if (linux->rootfs_propagation != NULL)
    {
      static const char *const ok[] = { "shared", "rshared", "slave", "rslave", "private",
                                        "rprivate", "unbindable", "runbindable" };
      bool found = false;
      for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        found = found || strcmp (linux->rootfs_propagation, ok[i]) == 0;
      if (!found)
        return hk_error_set (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`",
                             linux->rootfs_propagation);
    }
  return check_sysctls (spec, err);
}
