/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI config.json of an engine container, rendered from its model
 * (ctr-config.h) and the image's config with Docker's defaults
 * (capabilities, seccomp profile, masked and read-only paths, /dev,
 * /etc/hosts, /etc/hostname, /etc/resolv.conf...).
 *
 * ctr_spec_build is a pure function of its inputs: what it needs
 * from the host (our capabilities, device nodes, a seccomp profile file)
 * is gathered first into struct spec_host (ctr-spec-host.h), so
 * that a unit test renders every option without root.  The engine renders
 * config.json at create, at each start and at each update; nothing reads
 * it back. */
#ifndef HAKO_ENGINE_CTR_SPEC_H
#define HAKO_ENGINE_CTR_SPEC_H

#include "ctr-config.h"
#include "user-lookup.h"
#include "common/error.h"
#include "store/image-config.h"

#include <jansson.h>

/* What the host says, gathered before rendering. */
struct spec_host
{
  uint64_t permitted_caps; /* ours: what --privileged gives, the ceiling of the rest */
  int last_cap;            /* the kernel's highest capability */
  json_t *seccomp_profile; /* --security-opt seccomp=FILE, loaded; NULL otherwise */
  json_t *devices;         /* linux.devices of --device (and every host device if privileged) */
  json_t *device_rules;    /* their cgroup rules */
};

struct spec_inputs
{
  const char *id;
  const struct ctr_config *config;
  const struct image_config *image; /* may be NULL (no config) */
  const char *rootfs;               /* the mounted root filesystem */
  const char *container_dir;        /* hostname, hosts, resolv.conf live here */
  const char *etc_dir;              /* or hosts and resolv.conf here (NULL: there) */
  const struct user_ids *user;      /* resolved --user / image User */
  const char *init_path;            /* hako-init on the host, for --init */
  const char *netns_path;           /* a network namespace to join, or NULL */
  const char *userns_path;          /* the user namespace to join (ctr-userns.h), or NULL */
  int pod_infra_pid;                /* the process of the pod's infra container, whose
                                       namespaces config->pod_share names are joined */
  const char *pidns_path;           /* --pid container:NAME's namespace, or NULL */
  const char *ipcns_path;           /* --ipc container:NAME's namespace, or NULL */
  const char *shm_source;           /* a directory bound on /dev/shm (ctr-ipc.h), or NULL:
                                       a tmpfs of its own (none with --ipc none) */
  const struct spec_host *host;
  const char *passwd_path;          /* bound over /etc/passwd (keep-id-etc.h), or NULL */
  const char *group_path;           /* bound over /etc/group, or NULL */
  bool no_cgroup; /* rootless without a cgroup it may write: neither
                     cgroupsPath nor resources (the limits are ignored) */
  const char *cgroup_parent; /* without --cgroup-parent (NULL: "hako"); rootless,
                                its delegated subtree's (rootless-cgroup.h) */
};

/* The process args: entrypoint + cmd, by Docker's rules (an --entrypoint
 * drops the image's Cmd).  Empty is an error. */
int ctr_spec_args (const struct ctr_config *c, const struct image_config *image,
                         char ***out, struct hk_error **err);

/* Sets ENTRY ("NAME=VALUE") in ENV; a bare "NAME" takes our own value of
 * NAME, or nothing when we have none (Docker's -e NAME). */
void ctr_spec_env_set (char ***env, const char *entry);

/* Docker's default capability set, as a mask. */
uint64_t ctr_spec_docker_default_caps (void);

/* The container's capability mask after --cap-add/--cap-drop/--privileged,
 * within PERMITTED.  Unknown names are an error. */
int ctr_spec_caps (const struct ctr_config *c, uint64_t permitted, uint64_t *out,
                         struct hk_error **err);

/* MASK as config.json's capabilities object (bounding, effective,
 * permitted), up to LAST_CAP. */
json_t *ctr_spec_caps_json (uint64_t mask, int last_cap);

/* linux.resources' memory, cpu and pids objects from LIMITS; what is not
 * set is left out, and so is what ONLY (enum config_limit bits, 0: all)
 * does not name.  Shared by the render and update. */
json_t *ctr_spec_limits (const struct config_limits *limits, unsigned only);

/* The config.json of IN. */
int ctr_spec_build (const struct spec_inputs *in, json_t **out, struct hk_error **err);

/* Its "process" object alone (exec starts from it). */
int ctr_spec_process (const struct spec_inputs *in, json_t **out, struct hk_error **err);

#endif
