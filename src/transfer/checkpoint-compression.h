/* SPDX-License-Identifier: Apache-2.0 */
/* How `hako checkpoint --export --compress` compresses the archive
 * (checkpoint-archive.h).  A header of its own: hako parses the option,
 * hako-transfer (libarchive) applies it.  The reader needs no word of it:
 * it knows the compression by the file's first bytes. */
#ifndef HAKO_TRANSFER_CHECKPOINT_COMPRESSION_H
#define HAKO_TRANSFER_CHECKPOINT_COMPRESSION_H

enum checkpoint_compression
{
  CHECKPOINT_COMPRESS_ZSTD, /* the default */
  CHECKPOINT_COMPRESS_GZIP,
  CHECKPOINT_COMPRESS_NONE,
};

#endif
