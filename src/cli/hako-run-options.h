/* SPDX-License-Identifier: Apache-2.0 */
/* The flags of `hako run` and `hako create`, checked and turned into the
 * run options (a JSON object named like Docker's Config and HostConfig
 * fields) that the engine stores and builds the container from. */
#ifndef HAKO_CLI_HAKO_RUN_OPTIONS_H
#define HAKO_CLI_HAKO_RUN_OPTIONS_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>

struct run_request
{
  json_t *options;   /* the run options */
  const char *image; /* as given */
  bool detach;       /* -d (run only) */
  char *detach_keys;
};

/* Parses ARGV (from the flags to the image and its command).  WITH_DETACH
 * for run.  Errors name the flag and value. */
int run_options_parse (int argc, char **argv, const char *command, bool with_detach,
                       struct run_request *out, struct hk_error **err);

void run_request_clear (struct run_request *r);

/* The flags of `hako update` (run's resource flags and --restart) into
 * *CHANGES, run options to merge into a container's.  At least one. */
int run_options_parse_update (int argc, char **argv, json_t **changes, struct hk_error **err);

extern const char update_options_usage[];

extern const char run_options_usage[];

#endif
