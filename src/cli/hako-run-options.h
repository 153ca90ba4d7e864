/* SPDX-License-Identifier: Apache-2.0 */
/* The flags of `hako run` and `hako create`, checked and turned into the
 * engine's model of a container (engine/ctr-config.h). */
#ifndef HAKO_CLI_HAKO_RUN_OPTIONS_H
#define HAKO_CLI_HAKO_RUN_OPTIONS_H

#include "engine/ctr-config.h"
#include "common/error.h"

#include <stdbool.h>

struct run_request
{
  struct ctr_config config;
  char *name;        /* --name, or NULL */
  const char *image; /* as given */
  bool detach;       /* -d (run only) */
  char *detach_keys;
  bool no_sig_proxy; /* --sig-proxy=false (run only): our signals end only us */
  char *pod; /* --pod NAME or new:NAME */
};

/* Parses ARGV (from the flags to the image and its command).  WITH_DETACH
 * for run.  Errors name the flag and value. */
int run_options_parse (int argc, char **argv, const char *command, bool with_detach,
                       struct run_request *out, struct hk_error **err);

void run_request_clear (struct run_request *r);

/* The flags of `hako update` (run's resource flags and --restart) into
 * *CHANGES (initialised here), the limits given marked in its
 * limits.set.  At least one. */
int run_options_parse_update (int argc, char **argv, struct ctr_config *changes,
                              struct hk_error **err);

extern const char update_options_usage[];

extern const char run_options_usage[];

#endif
