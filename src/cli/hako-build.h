/* SPDX-License-Identifier: Apache-2.0 */
/* `hako build`'s command line (hako-build.c), which both programs run:
 * hako without the builder's worker, answering builds whose every step is
 * cached, hako-transfer with it (hako-build-transfer.c), doing the rest. */
#ifndef HAKO_CLI_HAKO_BUILD_H
#define HAKO_CLI_HAKO_BUILD_H

#include "cli-registry.h"
#include "hako-cli.h"
#include "builder/builder.h"

#define BUILD_USAGE                                                                          \
  "[-f FILE] [-t NAME[:TAG]]... [--build-arg NAME[=VALUE]]... [--target STAGE] [--no-cache] " \
  "[--pull[=always|missing|never|newer]] [--tls-verify=false] [--authfile FILE] [--creds "    \
  "USER:PASS] [--cert-dir DIR] [--label NAME=VALUE]... [--iidfile FILE] [-q] [--network "    \
  "none|host|NETWORK] [--secret id=ID,src=FILE]... [--timestamp EPOCH] [--platform "          \
  "linux/amd64] [--layers=false] [--allow network.host|security.insecure]... CONTEXT|-"
#define BUILD_SUMMARY "build an image from a Containerfile"

/* A context on stdin (tar or Dockerfile): *TEXT is the Dockerfile, or
 * NULL and *DIR the directory the tar was extracted into. */
typedef int (*build_stdin_fn) (struct store *s, char **text, size_t *len, char **dir,
                               struct hk_error **err);

/* What the pull of a FROM image has from the command line. */
struct build_pull_data
{
  struct hako_cli *cli;
  struct registry_flags flags;
};

struct build_program
{
  const struct build_worker *worker; /* NULL: answer from the cache only */
  build_stdin_fn stdin_context;      /* NULL: stdin is not read */
  build_pull_fn pull_image;          /* its data a struct build_pull_data; NULL: none */
};

/* Runs `build ARGV`.  Without a worker, a build that has work, or reads
 * stdin, sets *DELEGATE and prints nothing: the caller hands the command
 * to hako-transfer.  Returns 1 (Docker's code) when a RUN failed. */
int build_command (struct hako_cli *cli, int argc, char **argv, const struct build_program *p,
                   bool *delegate, struct hk_error **err);

#endif
