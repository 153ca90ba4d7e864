/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a new image into the store from layers it already holds: the
 * config and an OCI manifest become blobs, and the image is recorded.
 * Used by import, archive load (Docker archives carry no manifest) and
 * commit. */
#ifndef HAKO_STORE_IMAGE_RECORD_H
#define HAKO_STORE_IMAGE_RECORD_H

#include "store.h"

#include <jansson.h>

struct image_record_layer
{
  char blob_digest[DIGEST_STRING_SIZE];
  const char *media_type;
  int64_t blob_size;
  struct layer_info info;
};

/* IMG's layers as the layers of a new image made over it, followed by
 * EXTRA zeroed entries for the new image's own (owned by the caller). */
struct image_record_layer *image_record_layers_of (const struct store_image *img, size_t extra);

/* CONFIG is the complete image config (rootfs.diff_ids included); it is
 * serialised once, and its digest is the image ID written to ID. */
int image_record_new (struct store *s, json_t *config, const struct image_record_layer *layers,
                      size_t n_layers, const char *tag, char id[DIGEST_STRING_SIZE],
                      struct hk_error **err);

/* The same with the config as it must stay, byte for byte (an archive's:
 * its digest is the image ID people know).  TAGS: NULL-terminated full
 * references, or NULL. */
int image_record_config_text (struct store *s, const char *config_text, size_t config_len,
                              const struct image_record_layer *layers, size_t n_layers,
                              char *const *tags, char id[DIGEST_STRING_SIZE],
                              struct hk_error **err);

/* "2024-05-01T12:00:00.123456789Z", now. */
char *image_time_now (void);

#endif
