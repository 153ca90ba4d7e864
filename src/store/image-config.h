/* SPDX-License-Identifier: Apache-2.0 */
/* The image configuration (OCI image-spec config.json, identical in the
 * fields Docker uses): what a container of the image runs by default, and
 * the DiffIDs of its layers. */
#ifndef HAKO_STORE_IMAGE_CONFIG_H
#define HAKO_STORE_IMAGE_CONFIG_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct image_healthcheck
{
  char **test;      /* ["CMD-SHELL", "curl …"], ["NONE"], … */
  int64_t interval; /* nanoseconds, 0 when unset */
  int64_t timeout;
  int64_t start_period;
  int64_t start_interval;
  int64_t retries;
};

struct image_history
{
  char *created;
  char *created_by;
  char *author;
  char *comment;
  bool empty_layer;
};

struct image_config
{
  char *architecture;
  char *os;
  char *variant;
  char *created; /* RFC 3339, as written by the builder */
  char *author;

  /* "config": each NULL when the image does not set it */
  char *user;
  char **env;
  char **entrypoint;
  char **cmd;
  char *working_dir;
  char *stop_signal;
  char **exposed_ports; /* keys: "80/tcp" */
  char **volumes;       /* keys: "/data" */
  char **label_keys;
  char **label_values;
  struct image_healthcheck *healthcheck;

  char **diff_ids; /* rootfs.diff_ids, in layer order */
  size_t n_diff_ids;
  struct image_history *history;
  size_t n_history;
};

int image_config_parse (const char *body, size_t len, struct image_config **out,
                        struct hk_error **err);
void image_config_free (struct image_config *c);

static inline void
cleanup_image_configp (struct image_config **c)
{
  image_config_free (*c);
}
#define _cleanup_image_config_ __attribute__ ((cleanup (cleanup_image_configp)))

#endif
