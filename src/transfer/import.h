/* SPDX-License-Identifier: Apache-2.0 */
/* `hako import`: a root filesystem tar (plain, gzip or zstd) becomes a
 * one-layer image. */
#ifndef HAKO_TRANSFER_IMPORT_H
#define HAKO_TRANSFER_IMPORT_H

#include "store/platform.h"
#include "store/store.h"

struct image_import_options
{
  const char *tag;                 /* full reference ("docker.io/library/x:latest"), or NULL */
  char *const *changes;            /* --change instructions, NULL-terminated, or NULL */
  const char *message;             /* history comment, or NULL */
  const struct platform *platform; /* NULL: the host's */
};

/* Reads the tar from FD to its end and records the image; its ID goes to
 * ID. */
int image_import (struct store *s, int fd, const struct image_import_options *opts,
                  char id[DIGEST_STRING_SIZE], struct hk_error **err);

#endif
