/* SPDX-License-Identifier: Apache-2.0 */
/* The reverse of extraction: an overlayfs upper directory (a container's
 * changes) written as an OCI layer tar.  Overlay whiteouts (character
 * devices 0:0) become ".wh.NAME" entries and opaque directories (the
 * trusted.overlay.opaque xattr) get a ".wh..wh..opq" entry; hard links
 * within the tree stay hard links. */
#ifndef HAKO_TRANSFER_LAYER_DIFF_H
#define HAKO_TRANSFER_LAYER_DIFF_H

#include "layer.h"
#include "store/store.h"
#include "common/id-map.h"

struct layer_diff_result
{
  char blob_digest[DIGEST_STRING_SIZE]; /* of the gzip-compressed blob */
  int64_t blob_size;
  char diff_id[DIGEST_STRING_SIZE]; /* of the uncompressed tar */
  uint64_t tar_size;
};

struct layer_diff_options
{
  char *const *exclude; /* relative paths ("etc/hosts") left out with what is under
                           them; NULL-terminated, may be NULL */
  int64_t mtime;        /* every entry's modification time (reproducible layers),
                           -1: each file's own */
  const struct id_maps *maps; /* a remapped container's tree: owners are written as
                                 it saw them; NULL: as on disk */
};

/* Writes the tar of the tree at DIR_FD as a gzip blob into the store.
 * Access and change times are never written: the same tree gives the
 * same tar. */
int layer_diff_write (struct store *s, int dir_fd, const struct layer_diff_options *o,
                      struct layer_diff_result *result, struct hk_error **err);

/* The same tar, uncompressed, written to OUT_FD. */
int layer_diff_write_fd (int dir_fd, const struct layer_diff_options *o, int out_fd,
                         struct hk_error **err);

#endif
