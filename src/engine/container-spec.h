/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI config.json of an engine container: the image's config and the
 * run options, with Docker's defaults (capabilities, seccomp profile,
 * masked and read-only paths, /dev, /etc/hosts, /etc/hostname,
 * /etc/resolv.conf...). */
#ifndef HAKO_ENGINE_CONTAINER_SPEC_H
#define HAKO_ENGINE_CONTAINER_SPEC_H

#include "common/error.h"
#include "store/image-config.h"
#include "user-lookup.h"

#include <jansson.h>

/* A host directory or file to bind into the container. */
struct spec_bind
{
  char *source;
  char *destination;
  bool readonly;
};

struct spec_inputs
{
  const char *id;
  const json_t *options;            /* the run options */
  const struct image_config *image; /* may be NULL (no config) */
  const char *rootfs;               /* the mounted root filesystem */
  const char *container_dir;        /* hostname, hosts, resolv.conf live here */
  const char *etc_dir;              /* or hosts and resolv.conf here (NULL: there) */
  const struct user_ids *user;      /* resolved --user / image User */
  const struct spec_bind *binds;    /* volumes and bind mounts, resolved */
  size_t n_binds;
  const char *init_path;  /* hako-init on the host, for --init */
  const char *netns_path; /* a network namespace to join, or NULL */
};

/* The process args: entrypoint + cmd, by Docker's rules (an --entrypoint
 * drops the image's Cmd).  Empty is an error. */
int container_spec_args (const json_t *options, const struct image_config *image, char ***out,
                         struct hk_error **err);

/* Sets ENTRY ("NAME=VALUE") in ENV; a bare "NAME" takes our own value of
 * NAME, or nothing when we have none (Docker's -e NAME). */
void container_spec_env_set (char ***env, const char *entry);

/* The default capability set of Docker containers, as a mask. */
uint64_t container_spec_default_caps (void);

/* The container's capability mask after --cap-add/--cap-drop/--privileged.
 * Unknown names are an error. */
int container_spec_caps (const json_t *options, uint64_t *out, struct hk_error **err);

/* MASK as config.json's list of names ("CAP_CHOWN", ...). */
json_t *container_spec_caps_json (uint64_t mask);

/* linux.resources' memory, cpu and pids objects from the run options
 * (Memory, MemorySwap, MemoryReservation, NanoCpus, CpuShares, CpusetCpus,
 * PidsLimit); what is not set is left out.  Shared by create and update. */
json_t *container_spec_limits (const json_t *options);

int container_spec_build (const struct spec_inputs *in, json_t **out, struct hk_error **err);

#endif
