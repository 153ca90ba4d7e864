/* SPDX-License-Identifier: Apache-2.0 */
/* One layer for the layers an image added over another: `hako build
 * --layers=false`, as Podman's, which gives a stage one layer.
 *
 * The added layers' trees (overlay format: whiteouts are character
 * devices 0:0, opaque directories carry trusted.overlay.opaque=y) are
 * merged in order into a scratch directory as overlayfs would show them
 * over each other: a whiteout or a new entry replaces what the earlier
 * layers had under its name, an opaque directory drops their entries.
 * Files are hard links into the layers (never written through), so the
 * merge copies no content.  The merged tree is written as one layer. */
#ifndef HAKO_TRANSFER_LAYER_SQUASH_H
#define HAKO_TRANSFER_LAYER_SQUASH_H

#include "store/store.h"

#include <stdint.h>

/* A new image of BASE's layers and one more, the merge of TOP's layers
 * past BASE's (TOP must be made over BASE); TOP's config, its history
 * entries past BASE's empty but the last one that had a layer.  MTIME
 * (-1: as on disk) is every file's time in the layer.  With at most one
 * layer past BASE's, TOP itself.  The ID in ID. */
int image_squash (struct store *s, const char *base_id, const char *top_id, int64_t mtime,
                  char id[DIGEST_STRING_SIZE], struct hk_error **err);

#endif
