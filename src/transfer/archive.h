/* SPDX-License-Identifier: Apache-2.0 */
/* Image archives: `docker save` archives (manifest.json with RepoTags, a
 * config and layer tars per image; several images in one file) and OCI
 * archives (an OCI image layout in a tar: oci-layout, index.json,
 * blobs/sha256/…), plain or compressed.  Load reads either; save writes
 * either. */
#ifndef HAKO_TRANSFER_ARCHIVE_H
#define HAKO_TRANSFER_ARCHIVE_H

#include "store/platform.h"
#include "store/store.h"

#include <stdio.h>

struct archive_loaded
{
  char id[DIGEST_STRING_SIZE];
  char **tags; /* full references, NULL-terminated */
};

/* Loads every image of the archive read from FD.  *LOADED (owned, *N
 * entries) says what came in.  PLATFORM (NULL: the host's) picks from
 * multi-platform OCI indexes. */
int archive_load (struct store *s, int fd, const struct platform *platform,
                  struct archive_loaded **loaded, size_t *n, struct hk_error **err);
void archive_loaded_free (struct archive_loaded *loaded, size_t n);

enum archive_format
{
  ARCHIVE_DOCKER,
  ARCHIVE_OCI,
};

struct archive_save_item
{
  const char *id;   /* image ID */
  const char *name; /* full reference to record for it, or NULL */
};

/* Writes the images to FD in FORMAT. */
int archive_save (struct store *s, int fd, enum archive_format format,
                  const struct archive_save_item *items, size_t n, struct hk_error **err);

#endif
