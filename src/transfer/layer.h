/* SPDX-License-Identifier: Apache-2.0 */
/* Extraction of one image layer (a tar stream, plain, gzip or zstd) into
 * an empty directory that becomes an overlayfs lower directory.
 *
 * The tar is hostile.  Every entry is created relative to a directory fd
 * reached from the layer root one component at a time with O_NOFOLLOW, so
 * no symlink in the layer (or planted earlier in the same tar) is ever
 * followed; absolute names and ".." are refused; hard links must point at
 * an entry of the same layer.  OCI whiteouts become overlayfs whiteouts:
 * ".wh.NAME" a character device 0:0 named NAME, ".wh..wh..opq" the xattr
 * trusted.overlay.opaque=y on its directory.
 *
 * While extracting, the uncompressed stream is hashed: its digest is the
 * layer's DiffID, which the caller compares with the image config. */
#ifndef HAKO_TRANSFER_LAYER_H
#define HAKO_TRANSFER_LAYER_H

#include "common/error.h"
#include "store/digest.h"
#include "store/manifest.h"

#include <stdint.h>
#include <sys/types.h>

/* A source of layer bytes.  READ fills up to LEN bytes of BUF and returns
 * how many (0 at the end), or -1 with *ERR set. */
struct layer_input
{
  ssize_t (*read) (void *opaque, void *buf, size_t len, struct hk_error **err);
  void *opaque;
};

struct layer_extract_result
{
  char diff_id[DIGEST_STRING_SIZE]; /* sha256 of the uncompressed tar */
  uint64_t tar_size;                /* bytes of the uncompressed tar */
  uint64_t content_size;            /* bytes of regular-file data */
  uint64_t entries;
  enum layer_compression compression;
};

/* Extracts the layer read from IN into the directory DEST_FD (empty,
 * private to the caller).  Errors name the entry at fault. */
int layer_extract (int dest_fd, const struct layer_input *in, struct layer_extract_result *result,
                   struct hk_error **err);

/* layer_extract from a file descriptor, read to its end. */
int layer_extract_fd (int dest_fd, int src_fd, struct layer_extract_result *result,
                      struct hk_error **err);

/* Reads a (possibly compressed) tar stream to its end only to compute its
 * DiffID and uncompressed size: for blobs stored without extraction. */
int layer_diff_id_fd (int src_fd, char diff_id[DIGEST_STRING_SIZE], uint64_t *tar_size,
                      enum layer_compression *compression, struct hk_error **err);

/* Detects the compression of a blob from its first bytes. */
enum layer_compression layer_compression_sniff (const unsigned char *head, size_t len);

#endif
