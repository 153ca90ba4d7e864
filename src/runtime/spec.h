/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime-spec configuration (config.json) as C structures.
 *
 * spec_parse() reads an untrusted document and either fills a `struct
 * oci_spec` completely or fails with an error naming the field at fault
 * ("config.json: linux.namespaces[2].type: unknown namespace `foo`").
 * Everything later works on these structures, never on the JSON. */
#ifndef HAKO_RUNTIME_SPEC_H
#define HAKO_RUNTIME_SPEC_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The runtime-spec version hako implements: the ociVersion of the state it
 * reports and the config `spec` writes, and the features' ociVersionMax. */
#define OCI_RUNTIME_SPEC_VERSION "1.3.0"

/* A config.json larger than this is refused before parsing. */
#define SPEC_MAX_CONFIG_SIZE (16 * 1024 * 1024)

struct oci_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_mount
{
  char *destination;
  char *type;
  char *source;
  char **options;
  struct oci_id_mapping *uid_mappings; /* idmapped mounts */
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct oci_hook
{
  char *path;
  char **args;
  char **env; /* NULL: the runtime's own environment, as runc and crun pass */
  int timeout; /* seconds, 0 = none */
};

enum oci_hook_kind
{
  HOOK_PRESTART,
  HOOK_CREATE_RUNTIME,
  HOOK_CREATE_CONTAINER,
  HOOK_START_CONTAINER,
  HOOK_POSTSTART,
  HOOK_POSTSTOP,
  HOOK_KIND_COUNT,
};

struct oci_hook_list
{
  struct oci_hook *items;
  size_t n;
};

struct oci_rlimit
{
  int resource;
  uint64_t soft;
  uint64_t hard;
};

/* Capability sets as bit masks of capability numbers. */
struct oci_capabilities
{
  uint64_t bounding;
  uint64_t effective;
  uint64_t inheritable;
  uint64_t permitted;
  uint64_t ambient;
};

struct oci_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
};

struct oci_scheduler
{
  int policy;
  int32_t nice;
  int32_t priority;
  uint64_t flags;
  uint64_t runtime;
  uint64_t deadline;
  uint64_t period;
};

struct oci_io_priority
{
  int class; /* IOPRIO_CLASS_* */
  int32_t priority;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height;
  uint32_t console_width;
  struct oci_user user;
  char **args;
  char **env;
  char *cwd;
  bool has_capabilities;
  struct oci_capabilities capabilities;
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  char *apparmor_profile;
  char *selinux_label;
  bool has_scheduler;
  struct oci_scheduler scheduler;
  bool has_io_priority;
  struct oci_io_priority io_priority;
  char **warnings; /* what was ignored, for the caller to log (NULL: nothing) */
};

struct oci_namespace
{
  int type; /* CLONE_NEW* */
  char *path;
};

struct oci_device
{
  char *path;
  char type; /* 'c', 'b', 'u' or 'p' */
  int64_t major;
  int64_t minor;
  bool has_file_mode;
  uint32_t file_mode; /* permission bits only (file type bits checked and dropped) */
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

/* linux.resources.devices: one rule of the device cgroup. */
struct oci_device_rule
{
  bool allow;
  char type;     /* 'a', 'c' or 'b' */
  int64_t major; /* -1 = any */
  int64_t minor; /* -1 = any */
  char *access;  /* subset of "rwm" */
};

struct oci_memory
{
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness,
      has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
  int64_t limit;
  int64_t reservation;
  int64_t swap; /* memory + swap, as in cgroup v1 */
  int64_t kernel;
  int64_t kernel_tcp;
  uint64_t swappiness;
  bool disable_oom_killer;
  bool use_hierarchy;
  bool check_before_update;
};

struct oci_cpu
{
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period,
      has_idle;
  uint64_t shares;
  int64_t quota;
  uint64_t burst;
  uint64_t period;
  int64_t realtime_runtime;
  uint64_t realtime_period;
  int64_t idle;
  char *cpus;
  char *mems;
};

struct oci_weight_device
{
  int64_t major;
  int64_t minor;
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
};

struct oci_throttle_device
{
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

enum oci_throttle_kind
{
  THROTTLE_READ_BPS,
  THROTTLE_WRITE_BPS,
  THROTTLE_READ_IOPS,
  THROTTLE_WRITE_IOPS,
  THROTTLE_KIND_COUNT,
};

struct oci_block_io
{
  bool has_weight, has_leaf_weight;
  uint16_t weight;
  uint16_t leaf_weight;
  struct oci_weight_device *weight_devices;
  size_t n_weight_devices;
  struct oci_throttle_device *throttle[THROTTLE_KIND_COUNT];
  size_t n_throttle[THROTTLE_KIND_COUNT];
};

struct oci_hugepage_limit
{
  char *page_size; /* "2MB", "1GB" */
  uint64_t limit;
};

struct oci_net_priority
{
  char *name;
  uint32_t priority;
};

struct oci_rdma_limit
{
  char *device;
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles;
  uint32_t hca_objects;
};

struct oci_resources
{
  struct oci_device_rule *devices;
  size_t n_devices;
  bool has_memory;
  struct oci_memory memory;
  bool has_cpu;
  struct oci_cpu cpu;
  bool has_pids;
  int64_t pids_limit; /* -1 (any negative): no limit; 0 is a limit of 0 */
  bool has_block_io;
  struct oci_block_io block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  bool has_net_class_id;
  uint32_t net_class_id;
  struct oci_net_priority *net_priorities;
  size_t n_net_priorities;
  struct oci_rdma_limit *rdma;
  size_t n_rdma;
  char **unified_keys; /* cgroup v2 file names ... */
  char **unified_values; /* ... and the values written to them */
};

struct oci_time_offset
{
  int64_t secs;
  uint32_t nanosecs;
};

/* linux.memoryPolicy: set_mempolicy(2)'s arguments. */
#define MEMORY_POLICY_MAX_NODES 1024
struct oci_memory_policy
{
  int mode;       /* MPOL_* */
  unsigned flags; /* MPOL_F_* */
  unsigned long nodes[MEMORY_POLICY_MAX_NODES / (8 * sizeof (unsigned long))];
  unsigned long max_node; /* one above the highest node set (set_mempolicy's maxnode) */
};

struct oci_linux
{
  struct oci_namespace *namespaces;
  size_t n_namespaces;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  bool has_resources;
  struct oci_resources resources;
  char *rootfs_propagation;
  char **masked_paths;
  char **readonly_paths;
  char **sysctl_keys;
  char **sysctl_values;
  json_t *seccomp; /* parsed and checked by seccomp.c; owned reference */
  bool has_personality;
  unsigned long personality;
  bool has_time_offsets;
  struct oci_time_offset monotonic_offset;
  struct oci_time_offset boottime_offset;
  char *mount_label;
  bool has_intel_rdt;
  bool has_memory_policy;
  struct oci_memory_policy memory_policy;
  json_t *net_devices; /* object: host name -> { "name": in-container name } */
};

struct oci_spec
{
  char *oci_version;
  char *root_path;
  bool root_readonly;
  struct oci_process *process; /* NULL when the config has none */
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  struct oci_hook_list hooks[HOOK_KIND_COUNT];
  char **annotation_keys;
  char **annotation_values;
  struct oci_linux linux;
};

/* Parses the JSON text of a config.json.  On failure the error names the
 * field, prefixed with "config.json". */
int spec_parse (const char *text, size_t len, struct oci_spec **out, struct hk_error **err);

void spec_free (struct oci_spec *spec);

static inline void
cleanup_specp (struct oci_spec **s)
{
  spec_free (*s);
}
#define _cleanup_spec_ __attribute__ ((cleanup (cleanup_specp)))

/* The namespace entry of TYPE (CLONE_NEW*), or NULL when the config does not
 * ask for one (the container then shares the runtime's). */
const struct oci_namespace *spec_namespace (const struct oci_spec *spec, int type);

/* Parses a process object (config.json's "process", or an `exec`
 * process.json); PATH names it in errors. */
int spec_parse_process (json_t *obj, const char *path, struct oci_process **out,
                        struct hk_error **err);
void spec_process_free (struct oci_process *p);

static inline void
spec_process_freep (struct oci_process **p)
{
  spec_process_free (*p);
}
#define _cleanup_process_ __attribute__ ((cleanup (spec_process_freep)))

/* Parses linux.resources (also used by `update --resources`). */
int spec_parse_resources (json_t *obj, const char *path, struct oci_resources *out,
                          struct hk_error **err);
void spec_resources_clear (struct oci_resources *r);

/* The name of a namespace type ("pid", "network", ...) from its CLONE_NEW*
 * flag. */
const char *spec_namespace_name (int flag);

/* The file type bits (S_IFCHR, S_IFBLK, S_IFIFO) of a linux.devices type. */
mode_t spec_device_file_type (char type);

/* Capability name ("CAP_SYS_ADMIN") to number, -1 if unknown. */
int spec_capability_number (const char *name);
/* Capability number to "CAP_SYS_ADMIN" (malloc'd); NULL when libcap has no
 * name for it. */
char *spec_capability_name (int cap);
const char *spec_hook_kind_name (enum oci_hook_kind kind);

#endif
