/* SPDX-License-Identifier: Apache-2.0 */
/* The file `hako checkpoint --export` writes and `hako restore --import`
 * reads: a tar compressed with zstd by default (criu's page images are
 * most of it; zstd at its default level packs them about as well as gzip
 * -6 in a fraction of the time, and the time is a migration's downtime),
 * or gzip, or not at all (--compress); the reader tells which by the
 * first bytes.  Its members, in this order:
 *
 *   manifest.json      {"format": "hako-checkpoint", "version": 1, "name",
 *                       "image", "imageId", "checkpointedAt", "config"
 *                       (the container's settings as the store keeps them)}
 *   rootfs.tar         the container's overlay upper directory as an OCI
 *                      layer (whiteouts as .wh. entries), uncompressed
 *   checkpoint/NAME    criu's image files (regular files, one level)
 *   volumes/NAME.tar   with --with-volumes: the content of each named
 *                      volume the manifest lists ("volumes"), a layer tar
 *
 * The file may come from anywhere, so the reader takes nothing on trust:
 * the manifest must come first and is read into memory (1 MiB at most)
 * before anything is written; every other member must be one of the
 * names above and a regular file (no links, devices, directories,
 * absolute names or ".."), none twice, a volume only when the manifest
 * lists it (a valid volume name) and every listed volume there; the tars
 * go through the layer extractor (layer.h), which keeps every entry
 * inside its directory. */
#ifndef HAKO_TRANSFER_CHECKPOINT_ARCHIVE_H
#define HAKO_TRANSFER_CHECKPOINT_ARCHIVE_H

#include "checkpoint-compression.h"
#include "layer.h"
#include "common/error.h"

#include <jansson.h>

#define CHECKPOINT_FORMAT "hako-checkpoint"
#define CHECKPOINT_VERSION 1
#define CHECKPOINT_MANIFEST_MAX (1 << 20)
#define CHECKPOINT_IMAGES_MAX 4096 /* criu writes a few dozen files */

struct checkpoint_manifest
{
  char *name;
  char *image;    /* the image as the container was created from it */
  char *image_id; /* sha256:… */
  char *checkpointed_at;
  json_t *config; /* the store's document of the container's settings */
  char **volumes; /* the named volumes whose content it holds; NULL: none */
};

void checkpoint_manifest_clear (struct checkpoint_manifest *m);

/* The manifest's JSON TEXT (LEN bytes) into *M; an error names the field
 * at fault, or the version when it is newer than ours. */
int checkpoint_manifest_parse (const char *text, size_t len, struct checkpoint_manifest *m,
                               struct hk_error **err);

/* M as JSON (malloc'd). */
char *checkpoint_manifest_format (const struct checkpoint_manifest *m);

/* Writes the archive, compressed with COMPRESS, to OUT_FD: M, the layer
 * tar in the file LAYER_FD (layer_diff_write_fd), the files of the
 * directory IMAGES_FD and, for each of M->volumes, the tar in the file
 * VOLUME_FDS[i]. */
int checkpoint_archive_write (int out_fd, enum checkpoint_compression compress,
                              const struct checkpoint_manifest *m, int layer_fd, int images_fd,
                              const int *volume_fds, struct hk_error **err);

/* Called with the manifest before anything is extracted: a refusal (-1)
 * stops the read. */
typedef int (*checkpoint_manifest_fn) (const struct checkpoint_manifest *m, void *data,
                                       struct hk_error **err);

/* Reads the archive from IN into DEST_FD (an empty directory): the layer
 * into DEST/rootfs, the images into DEST/checkpoint, each volume's content
 * into DEST/volumes/NAME; the manifest into *M
 * (cleared by the caller) after CHECK (may be NULL) accepted it.  On
 * failure DEST may hold part of it: the caller removes DEST. */
int checkpoint_archive_read (const struct layer_input *in, int dest_fd,
                             checkpoint_manifest_fn check, void *data,
                             struct checkpoint_manifest *m, struct hk_error **err);

#endif
