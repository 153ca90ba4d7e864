/* SPDX-License-Identifier: Apache-2.0 */
/* `hako build`: images made from a Dockerfile (Containerfile).
 *
 * Each stage starts from an image (or scratch, or an earlier stage) and
 * each of its steps makes a new image over the previous one, as Docker's
 * classic builder does: RUN, COPY and ADD add a layer, the other steps
 * only change the config.  Filesystem steps work in an engine container
 * made from the previous image (engine_create, so RUN gets `hako run`'s
 * defaults, seccomp profile and networks); the container's overlay upper
 * directory becomes the layer, then the container is removed.  Every
 * step's image is the cache entry of its key (build-cache.c).
 *
 * This library plans and runs the build, and answers from the cache; the
 * work that needs libarchive or libcurl (writing layers, streaming files
 * into a container, extracting archives, downloading) is a struct
 * build_worker's, which only hako-transfer has (src/transfer/build-worker.c).
 * `hako` builds without a worker: a build whose every step is cached ends
 * there, without loading those libraries; at the first step with work the
 * build stops with BUILD_NEEDS_WORKER and hako hands the command to
 * hako-transfer.  The Dockerfile syntax, words and ignore rules are in
 * src/build. */
#ifndef HAKO_BUILDER_BUILDER_H
#define HAKO_BUILDER_BUILDER_H

#include "engine/engine.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

struct build_secret
{
  char *id;
  char *src; /* a host file */
};

/* One file that a COPY or ADD writes, as the worker sees it. */
struct build_entry
{
  const char *name; /* relative to the destination directory */
  mode_t mode;      /* type and permissions (--chmod applied) */
  uid_t uid;
  gid_t gid;
  off_t size;
  struct timespec mtime;
  const char *link; /* a symlink's target */
  const char *data; /* a heredoc's content, or NULL */
  int fd;           /* a regular file's content, or -1 */
};

typedef int (*build_entry_fn) (void *sink, const struct build_entry *e, struct hk_error **err);
/* Calls ENTRY (SINK) for every file of a COPY or ADD, in order. */
typedef int (*build_walk_fn) (void *walker, build_entry_fn entry, void *sink,
                              struct hk_error **err);

/* A new image over PARENT: the tree UPPER (NULL: no layer) as its layer,
 * without the paths EXCLUDE; CONFIG (the image config's "config"),
 * AUTHOR, history CREATED_BY; CREATED (NULL: now) and MTIME (-1: as on
 * disk) for reproducible builds; ENGINE_FILES leaves out the files the
 * engine binds into every container (/etc/hosts ...). */
struct build_commit_request
{
  const char *parent;
  const char *upper;
  char *const *exclude;
  bool engine_files;
  json_t *config;
  const char *author;
  const char *created;
  const char *created_by;
  int64_t mtime;
};

/* The steps' work that needs libarchive or libcurl. */
struct build_worker
{
  int (*commit) (struct store *s, const struct build_commit_request *q,
                 char id[DIGEST_STRING_SIZE], struct hk_error **err);
  /* WALK's files written into DIR (inside ROOT_FD), owners kept. */
  int (*write_files) (int root_fd, const char *dir, build_walk_fn walk, void *walker,
                      struct hk_error **err);
  /* Whether FD (rewound after) is a tar archive, plain or compressed. */
  bool (*is_archive) (int fd);
  int (*extract_archive) (int root_fd, const char *dir, int fd, struct hk_error **err);
  /* URL into FD; CHECKSUM ("sha256:…", or NULL) checked; its digest in
   * DIGEST, Last-Modified in *MTIME (-1 when none). */
  int (*fetch) (const char *url, int fd, const char *checksum, char digest[DIGEST_STRING_SIZE],
                int64_t *mtime, struct hk_error **err);
  /* An image of BASE's layers and one that merges TOP's others (TOP is
   * made over BASE), with TOP's config; MTIME as in commit. */
  int (*squash) (struct store *s, const char *base, const char *top, int64_t mtime,
                 char id[DIGEST_STRING_SIZE], struct hk_error **err);
};

/* When FROM, COPY --from and RUN --mount from= pull the image they name
 * (Podman's --pull): MISSING when it is not in the store, ALWAYS, NEVER,
 * or NEWER (always, but a failed pull falls back on the store's). */
enum build_pull_policy
{
  BUILD_PULL_MISSING,
  BUILD_PULL_ALWAYS,
  BUILD_PULL_NEVER,
  BUILD_PULL_NEWER,
};

/* Pulls NAME from its registry into store S; the image ID in ID. */
typedef int (*build_pull_fn) (struct store *s, const char *name, char id[DIGEST_STRING_SIZE],
                              void *data, struct hk_error **err);

/* Attaches to a RUN step's container through the monitor's SOCKET,
 * starts it and streams its output to ours until it exits: *CODE its
 * exit code (-1 when the monitor did not say).  Runs while other stages
 * use the engine: it must not. */
typedef int (*build_attach_fn) (const char *socket, int *code, void *data,
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
  bool one_layer_per_stage; /* --layers=false: no cache, no intermediate images */
  bool quiet;
  const char *network; /* NULL: the engine's default network */
  /* What a Dockerfile may ask for only when the command line allows it
   * (BuildKit's entitlements, --allow): RUN --network=host and RUN
   * --security=insecure (a privileged container). */
  bool allow_network_host;
  bool allow_security_insecure;
  struct build_secret *secrets;
  size_t n_secrets;
  int64_t timestamp; /* -1: now */
  FILE *out;         /* progress */
  const struct build_worker *worker; /* NULL: answer from the cache or stop */
  enum build_pull_policy pull;
  build_pull_fn pull_image; /* NULL (without a worker): a pull stops the build */
  void *pull_data;
  build_attach_fn attach;
  void *attach_data;
  volatile sig_atomic_t *interrupted; /* set by the CLI's signal handler */
};

/* What a build made. */
struct build_result
{
  char id[DIGEST_STRING_SIZE]; /* the final image */
  int exit_code;               /* of the RUN that failed, else 0 */
  bool needs_worker;           /* stopped at a step that has work (no worker) */
};

/* TEXT (os/arch[/variant]) must be this machine's platform: hako builds
 * for no other (--platform, FROM --platform). */
int build_platform_check (const char *text, struct hk_error **err);

/* Builds.  A failing RUN is an error with its exit code in the result;
 * without a worker, a step that has work is an error with needs_worker
 * set, and the build made nothing the worker would not make again. */
int build_image (struct engine *e, const struct build_options *o, struct build_result *result,
                 struct hk_error **err);

#endif
