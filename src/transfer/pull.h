/* SPDX-License-Identifier: Apache-2.0 */
/* `hako pull`: from a registry into the store.  The manifest (or the
 * index, then the manifest for the platform) and the config are fetched
 * and checked first; then the layers download in parallel and each is
 * extracted, in a thread of its own, as soon as its blob is verified in
 * the store.  The image is recorded only when every layer is in. */
#ifndef HAKO_TRANSFER_PULL_H
#define HAKO_TRANSFER_PULL_H

#include "store/platform.h"
#include "registry.h"
#include "store/store.h"

#include <stdio.h>

struct pull_options
{
  const struct platform *platform; /* NULL: the host's */
  char *const *search;             /* registries for names without one */
  FILE *progress;                  /* NULL: silent */
  bool progress_tty;
};

struct pull_result
{
  char id[DIGEST_STRING_SIZE];
  char digest[DIGEST_STRING_SIZE]; /* what was pulled: index or manifest digest */
  char *reference;                 /* the full name pulled, "docker.io/library/x:latest" */
  bool downloaded;                 /* false when every blob was there already */
};

void pull_result_clear (struct pull_result *r);

int image_pull (struct store *s, struct registry_client *c, const char *name,
                const struct pull_options *opts, struct pull_result *result, struct hk_error **err);

#endif
