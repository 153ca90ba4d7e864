/* SPDX-License-Identifier: Apache-2.0 */
#include "unpack.h"
#include "common/cleanup.h"
#include "common/fs-util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Unpacks the bytes from IN as the layer above PARENT_CHAIN (NULL: the
 * first).  EXPECTED_DIFF_ID (NULL when unknown, as for an import) must
 * match the uncompressed stream.  WHAT names the blob in errors. */
static int
image_unpack_input (struct store *s, const struct layer_input *in, const char *parent_chain,
                    const char *expected_diff_id, const char *what, struct layer_info *info,
                    enum layer_compression *compression, struct hk_error **err)
{
  _cleanup_free_ char *scratch = NULL;
  _cleanup_close_ int dir = store_layer_scratch (s, &scratch, err);
  if (dir < 0)
    return -1;
  struct layer_extract_result res;
  if (layer_extract (dir, in, &res, err) < 0)
    {
      _cleanup_error_ struct hk_error *ignored = NULL;
      fs_remove_tree (s->tmp_fd, scratch, &ignored);
      return hk_error_prefix (err, "extract layer %s", what);
    }
  if (expected_diff_id != NULL && strcmp (res.diff_id, expected_diff_id) != 0)
    {
      _cleanup_error_ struct hk_error *ignored = NULL;
      fs_remove_tree (s->tmp_fd, scratch, &ignored);
      return hk_error_set (err, EIO,
                           "layer %s: uncompressed content has DiffID %s, the image config says "
                           "%s: refused",
                           what, res.diff_id, expected_diff_id);
    }
  memset (info, 0, sizeof *info);
  layer_chain_id (parent_chain, res.diff_id, info->chain_id);
  memcpy (info->diff_id, res.diff_id, DIGEST_STRING_SIZE);
  info->size = res.content_size;
  info->tar_size = res.tar_size;
  if (compression)
    *compression = res.compression;
  if (store_layer_commit (s, scratch, info, parent_chain, err) < 0)
    return hk_error_prefix (err, "layer %s", what);
  return 0;
}

static ssize_t
fd_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  int fd = *(int *)opaque;
  for (;;)
    {
      ssize_t n = read (fd, buf, len);
      if (n >= 0)
        return n;
      if (errno != EINTR)
        return hk_error_errno (err, errno, "read blob");
    }
}

int
image_unpack_blob (struct store *s, const char *blob_digest, const char *parent_chain,
                   const char *expected_diff_id, struct layer_info *info,
                   enum layer_compression *compression, struct hk_error **err)
{
  if (expected_diff_id != NULL)
    {
      char chain[DIGEST_STRING_SIZE];
      layer_chain_id (parent_chain, expected_diff_id, chain);
      if (store_layer_exists (s, chain))
        {
          if (compression)
            *compression = LAYER_OTHER_COMPRESSION; /* not looked at */
          return store_layer_get (s, chain, info, err);
        }
    }
  _cleanup_close_ int fd = store_blob_open (s, blob_digest, err);
  if (fd < 0)
    return -1;
  struct layer_input in = { .read = fd_read, .opaque = &fd };
  return image_unpack_input (s, &in, parent_chain, expected_diff_id, blob_digest, info, compression,
                             err);
}
