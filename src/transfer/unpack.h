/* SPDX-License-Identifier: Apache-2.0 */
/* From a layer blob to an extracted, recorded layer: extraction into the
 * command's scratch space, the DiffID check against the image config, and
 * the move into layers/<chain ID>.  A layer the store has already is not
 * extracted again. */
#ifndef HAKO_TRANSFER_UNPACK_H
#define HAKO_TRANSFER_UNPACK_H

#include "layer.h"
#include "store/store.h"

/* The same from a blob already in the store; skips the work when the
 * layer exists. */
int image_unpack_blob (struct store *s, const char *blob_digest, const char *parent_chain,
                       const char *expected_diff_id, struct layer_info *info,
                       enum layer_compression *compression, struct hk_error **err);

#endif
