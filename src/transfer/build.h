/* SPDX-License-Identifier: Apache-2.0 */
/* `hako build`: images made from a Dockerfile (Containerfile).
 *
 * Each stage starts from an image (or scratch, or an earlier stage) and
 * each of its steps makes a new image over the previous one, as Docker's
 * classic builder does: RUN, COPY and ADD add a layer, the other steps
 * only change the config.  Filesystem steps work in an engine container
 * made from the previous image (engine_create, so RUN gets `hako run`'s
 * defaults, seccomp profile and networks); the container's overlay upper
 * directory becomes the layer (image_commit), then the container is
 * removed.  Every step's image is the cache entry of its key (build-cache.h).
 * The Dockerfile syntax, words and ignore rules are in src/build. */
#ifndef HAKO_TRANSFER_BUILD_H
#define HAKO_TRANSFER_BUILD_H

#include "engine/engine.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct build_secret
{
  char *id;
  char *src; /* a host file */
};

/* Runs R (created, not started) in the foreground, its output on ours;
 * its exit code in *CODE.  INTERRUPTED is set when the user interrupted. */
typedef int (*build_run_fn) (struct engine *e, struct ctr_record *r, int *code, void *data,
                             struct hk_error **err);

struct build_options
{
  const char *context;    /* a directory, or NULL (no context) */
  const char *dockerfile; /* the text */
  size_t dockerfile_len;
  const char *dockerfile_name; /* for errors */
  char **tags;                 /* full references (NULL-terminated, or NULL) */
  char **build_args;           /* NAME=VALUE or NAME (our environment's) */
  char **labels;               /* NAME=VALUE */
  const char *target;
  bool no_cache;
  bool quiet;
  bool squash_stage; /* --layers=false: one layer per stage, no cache */
  const char *network; /* NULL: the engine's default network */
  struct build_secret *secrets;
  size_t n_secrets;
  int64_t timestamp; /* -1: now */
  FILE *out;         /* progress */
  build_run_fn run;
  void *run_data;
  volatile sig_atomic_t *interrupted; /* set by the CLI's signal handler */
};

/* Builds; the final image's ID goes to ID.  A failing RUN is an error
 * whose *EXIT_CODE is its exit code (else 0). */
int build_image (struct engine *e, const struct build_options *o, char id[DIGEST_STRING_SIZE],
                 int *exit_code, struct hk_error **err);

#endif
