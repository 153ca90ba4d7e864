/* SPDX-License-Identifier: Apache-2.0 */
/* `hako commit`: a container's changes (its overlay upper directory)
 * become a new layer over its image, and a new image. */
#ifndef HAKO_TRANSFER_COMMIT_H
#define HAKO_TRANSFER_COMMIT_H

#include "store/store.h"
#include "common/id-map.h"

#include <jansson.h>

struct image_commit_options
{
  const char *tag;      /* full reference, or NULL */
  char *const *changes; /* --change instructions, or NULL */
  const char *message;  /* history comment, or NULL */
  const char *author;   /* or NULL */
  char *const *exclude; /* paths of the upper directory left out (layer_diff_write) */
  json_t *config;       /* keys that replace those of the parent's "config" before the
                           changes (a container's Env, Cmd, …), or NULL */
  const char *created;    /* the new image's time (RFC 3339), NULL: now */
  const char *created_by; /* its history entry's, NULL: "hako commit" */
  int64_t mtime;          /* every file's modification time in the layer, -1: as on disk */
  const struct id_maps *maps; /* a remapped container's: owners written as it saw them */
};

/* Writes the tree UPPER_DIR as a layer over image PARENT_ID and records
 * the new image; its ID goes to ID.  Without UPPER_DIR the new image has
 * no new layer (its history entry says empty_layer). */
int image_commit (struct store *s, const char *parent_id, const char *upper_dir,
                  const struct image_commit_options *opts, char id[DIGEST_STRING_SIZE],
                  struct hk_error **err);

#endif
