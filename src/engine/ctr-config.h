/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's model of a container: every setting it can have, typed
 * and checked once, whoever fills it (the CLI's run options today;
 * compose, kube play and build next).  Everything else reads this struct:
 * config.json is rendered from it (ctr-spec.h), the store keeps it and
 * `inspect` shows it (ctr-config-json.c, the only reader and writer of
 * its JSON).
 *
 * The text forms Docker's flags take (-p, -v, --mount, --restart, ...)
 * are parsed into it by ctr-config-parse.c, so that every front
 * end accepts them alike. */
#ifndef HAKO_ENGINE_CTR_CONFIG_H
#define HAKO_ENGINE_CTR_CONFIG_H

#include "common/error.h"
#include "common/id-map.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An ordered map of strings (labels, sysctls, tmpfs mounts). */
struct config_map
{
  char **keys;
  char **values;
  size_t n;
};

/* Sets KEY (replacing its value when present). */
void config_map_set (struct config_map *m, const char *key, const char *value);
const char *config_map_get (const struct config_map *m, const char *key);
/* Docker's label filter: FILTER is KEY (present) or KEY=VALUE. */
bool config_map_matches (const struct config_map *m, const char *filter);
void config_map_clear (struct config_map *m);

enum config_mount_type
{
  CONFIG_MOUNT_BIND,
  CONFIG_MOUNT_VOLUME,
  CONFIG_MOUNT_TMPFS,
};

/* A mount as asked (-v, --mount, --tmpfs through --mount, an image VOLUME). */
struct config_mount
{
  enum config_mount_type type;
  char *source; /* host path, volume name, or NULL (an anonymous volume) */
  char *target;
  bool readonly;
  bool nocopy;
  bool create_host_path; /* -v makes a missing host directory, --mount does not */
  char *tmpfs_options;   /* "size=1m,mode=700" (tmpfs only) */
  bool chown;            /* :U, the source chowned to the container's user */
  bool idmap;            /* :idmap, an idmapped mount with the container's mapping */
};

/* A mount as made at create: a host path bound on a destination. */
struct config_mount_point
{
  enum config_mount_type type; /* bind or volume */
  char *name;                  /* the volume's (volume only) */
  char *source;                /* the host path */
  char *destination;
  bool rw;
  bool nocopy;
  bool chown; /* :U: chowned to the container's user at create */
  bool idmap;
};

/* -p [IP:][HOST:]CONTAINER[/PROTO]; ports or ranges, as given. */
struct config_port
{
  char *host_ip;        /* "" for every address */
  char *host_port;      /* "" for one the kernel picks */
  char *container_port; /* "80" or "8000-8010" */
  char *protocol;       /* tcp, udp, sctp */
};

/* A network the container is attached to. */
struct config_network
{
  char *name;
  char **aliases; /* NULL-terminated, or NULL */
  char *ip;       /* asked for, or NULL */
  char *ip6;      /* asked for (--ip6, a dual-stack network), or NULL */
  char *mac;
};

struct config_ulimit
{
  char *name; /* "nofile" */
  int64_t soft, hard;
};

/* --device HOST[:CONTAINER[:PERMISSIONS]] */
struct config_device
{
  char *host_path;
  char *container_path;
  char *permissions; /* of r, w, m */
};

enum config_restart
{
  CONFIG_RESTART_NO,
  CONFIG_RESTART_ALWAYS,
  CONFIG_RESTART_ON_FAILURE,
  CONFIG_RESTART_UNLESS_STOPPED,
};

/* A health check; durations in nanoseconds, 0 when unset (the defaults
 * apply: 30 s interval and timeout, 3 retries). */
struct config_health
{
  char **test; /* ["CMD-SHELL", "cmd"], ["CMD", "prog", ...], ["NONE"], or NULL */
  int64_t interval_ns;
  int64_t timeout_ns;
  int64_t start_period_ns;
  int retries;
};

/* The resource limits, each with a bit in `set` once given (update
 * changes only those). */
enum config_limit
{
  CONFIG_LIMIT_MEMORY = 1 << 0,
  CONFIG_LIMIT_MEMORY_SWAP = 1 << 1,
  CONFIG_LIMIT_MEMORY_RESERVATION = 1 << 2,
  CONFIG_LIMIT_NANO_CPUS = 1 << 3,
  CONFIG_LIMIT_CPU_SHARES = 1 << 4,
  CONFIG_LIMIT_CPUSET_CPUS = 1 << 5,
  CONFIG_LIMIT_PIDS = 1 << 6,
  CONFIG_LIMIT_RESTART = 1 << 7, /* not a limit, but `update` changes it too */
};

struct config_limits
{
  unsigned set;               /* enum config_limit bits */
  int64_t memory;             /* bytes */
  int64_t memory_swap;        /* bytes, -1: unlimited */
  int64_t memory_reservation; /* bytes */
  int64_t nano_cpus;          /* 10^-9 CPUs */
  int64_t cpu_shares;
  char *cpuset_cpus; /* "0-2,4" */
  int64_t pids_limit; /* -1: unlimited */
};

struct ctr_config
{
  /* The process. */
  char **cmd;           /* NULL: the image's */
  char **entrypoint;    /* NULL: the image's; an empty list drops it */
  char **env;           /* "NAME=VALUE" */
  char *working_dir;    /* NULL: the image's */
  char *user;           /* NAME[:GROUP] or UID[:GID]; NULL: the image's */
  char *hostname;       /* NULL: the short ID (the host's with --network host) */
  char *domainname;
  bool tty;
  bool open_stdin;
  bool init;            /* hako-init as pid 1 */
  struct config_map labels;

  /* Security. */
  bool privileged;
  bool readonly_rootfs;
  bool no_new_privileges;
  char **cap_add;
  char **cap_drop;
  char **security_opt;   /* as given, for inspect */
  char *seccomp_profile; /* a file, "unconfined", or NULL: Docker's default */
  struct config_device *devices;
  size_t n_devices;
  struct config_map sysctls;
  /* The user namespace: the mode as asked (--userns: "host", "auto",
   * "auto:size=N", "keep-id", "nomap", "ns:PATH", "remap:USER", "private"
   * for given maps; NULL until create applies the machine's default), the
   * users whose subordinate ranges to map (--subuidname, --subgidname),
   * and the maps made at create (none: the host's IDs). */
  char *userns_mode;
  char *subuid_name, *subgid_name;
  struct id_map *uid_map, *gid_map;
  size_t n_uid_map, n_gid_map;

  /* Resources. */
  struct config_limits limits;
  struct config_ulimit *ulimits;
  size_t n_ulimits;
  char *cgroup_parent; /* NULL: /hako */

  /* Storage. */
  struct config_mount *mounts; /* as asked, the image's VOLUMEs added at create */
  size_t n_mounts;
  struct config_mount_point *mount_points; /* as made at create */
  size_t n_mount_points;
  struct config_map tmpfs; /* destination → options */
  char **volumes_from;     /* --volumes-from CONTAINER[:ro|:rw], as given */

  /* Life. */
  enum config_restart restart;
  int restart_max_retries; /* on-failure:N; 0 for ever */
  bool auto_remove;        /* --rm */
  char *stop_signal;       /* NULL: SIGTERM */
  int stop_timeout;        /* seconds; -2: unset (10) */
  struct config_health health;
  int64_t log_max_size; /* bytes, 0: unlimited */
  int log_max_files;    /* the current file included, >= 1 */
  char *log_max_size_text, *log_max_files_text; /* as given, for inspect */
  char *runtime;                                /* an OCI runtime program, or NULL: ours */

  /* Network. */
  char *network_mode;           /* a network's name, "none", "host", "container:NAME" */
  char *network_container;      /* container:NAME's ID, once resolved at create */
  struct config_network *networks; /* in attachment order (eth0, eth1, ...) */
  size_t n_networks;
  char *ip, *ip6, *mac;         /* --ip, --ip6, --mac-address: the first network's */
  char **aliases;               /* --network-alias: the first network's */
  struct config_port *ports;
  size_t n_ports;
  bool publish_all;
  char **dns, **dns_search, **extra_hosts;

  /* The pid and IPC namespaces (ctr-join.h): the mode as asked, and
   * container:NAME's ID once resolved at create.  pid_mode NULL: its
   * own; ipc_mode NULL (a record older than --ipc): private. */
  char *pid_mode;      /* "host", "container:NAME" */
  char *pid_container;
  char *ipc_mode;      /* "none", "private", "shareable", "host", "container:NAME" */
  char *ipc_container;
  int64_t shm_size;    /* bytes of /dev/shm (--shm-size); 0: 64 MiB */

  /* Pod. */
  char *pod;          /* the pod's ID, or NULL */
  bool pod_infra;     /* the pod's infra container, whose process is hako-pause */
  unsigned pod_share; /* enum config_pod_share: what it joins of the infra's
                         (the network through network_mode container:INFRA) */
};

#define CONFIG_STOP_TIMEOUT_UNSET (-2)

/* The namespaces a pod's containers share with its infra container. */
enum config_pod_share
{
  CONFIG_SHARE_NET = 1 << 0,
  CONFIG_SHARE_IPC = 1 << 1,
  CONFIG_SHARE_UTS = 1 << 2,
  CONFIG_SHARE_PID = 1 << 3,
};

/* "net,ipc,uts" (pod create --share) into bits; "" shares nothing. */
int config_parse_pod_share (const char *text, unsigned *out, struct hk_error **err);
/* The names of SHARE's bits, in that order. */
char **config_pod_share_names (unsigned share);

/* An empty configuration: every setting unset. */
void ctr_config_init (struct ctr_config *c);
void ctr_config_clear (struct ctr_config *c);

static inline void
cleanup_ctr_configp (struct ctr_config *c)
{
  ctr_config_clear (c);
}
#define _cleanup_ctr_config_ __attribute__ ((cleanup (cleanup_ctr_configp)))

const char *config_restart_name (enum config_restart r);
const char *config_mount_type_name (enum config_mount_type t);

/* NAME of a "container:NAME" mode (--network, --pid, --ipc), or NULL. */
const char *config_mode_container (const char *mode);

/* The IPC mode, "private" when unset. */
const char *config_ipc_mode (const struct ctr_config *c);

/* "none", "host" or "container:NAME": a mode without networks. */
bool config_network_mode_is_special (const char *mode);

/* The container has networks (hako makes its namespace and attaches it),
 * or --network none (hako makes a namespace with lo). */
bool ctr_config_owns_netns (const struct ctr_config *c);

/* The health check is on (a test that is not NONE). */
bool ctr_config_has_health (const struct ctr_config *c);

/* Takes what the container does not set from the image's config, as
 * Docker does at create: the health check (test and each duration). */
struct image_config;
void ctr_config_merge_image (struct ctr_config *c, const struct image_config *image);

/* `update`: CHANGES' given limits (the bits of changes->limits.set) and
 * restart policy into C, checked against Docker's rules between the
 * memory values as they will be. */
int ctr_config_update (struct ctr_config *c, const struct ctr_config *changes,
                             struct hk_error **err);

struct config_network *ctr_config_network (const struct ctr_config *c,
                                                 const char *name);
void ctr_config_add_network (struct ctr_config *c, const char *name);
void ctr_config_remove_network (struct ctr_config *c, size_t index);
void config_network_clear (struct config_network *n);

#endif
