/* SPDX-License-Identifier: Apache-2.0 */
/* `hako push`: an image of the store to a registry.  Blobs the registry
 * lacks are uploaded (in one PUT, or in PATCH chunks when larger than the
 * chunk size), then the manifest as stored, so the digest is unchanged. */
#ifndef HAKO_TRANSFER_PUSH_H
#define HAKO_TRANSFER_PUSH_H

#include "store/reference.h"
#include "registry.h"
#include "store/store.h"

#include <stdio.h>

#define PUSH_CHUNK_DEFAULT (16 * 1024 * 1024)

struct push_options
{
  FILE *progress; /* NULL: silent */
  bool progress_tty;
  uint64_t chunk_size; /* 0: PUSH_CHUNK_DEFAULT */
};

/* Pushes image ID as DEST (which carries the tag, or a digest to check).
 * DIGEST receives the manifest digest. */
int image_push (struct store *s, struct registry_client *c, const char *id,
                const struct image_ref *dest, const struct push_options *opts,
                char digest[DIGEST_STRING_SIZE], struct hk_error **err);

#endif
