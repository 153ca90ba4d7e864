/* SPDX-License-Identifier: Apache-2.0 */
/* The digests of a build context's files, remembered by what stat(2) says
 * of them (device, inode, size, modification and change times), as git's
 * index and BuildKit's content hash cache do: a rebuild reads a file only
 * when one of those changed.  A content change moves the change time,
 * which no user can set.  An entry is kept only for a file last changed
 * well before it was read (FILE_DIGEST_SETTLED seconds), so that a change
 * within one tick of the file system's clock cannot hide behind the
 * remembered times (git's "racy clean" entries).
 *
 * One file per context directory, ROOT/build-cache/files/HEX; what it
 * holds is ours (root's), a missing or damaged one is an empty cache. */
#ifndef HAKO_BUILDER_FILE_DIGEST_CACHE_H
#define HAKO_BUILDER_FILE_DIGEST_CACHE_H

#include "common/error.h"
#include "store/digest.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#define FILE_DIGEST_SETTLED 2

struct file_digest_cache;

/* The cache of the context directory CONTEXT (its stat) under DIR
 * (ROOT/build-cache/files); an empty one when there is none yet. */
struct file_digest_cache *file_digest_cache_open (const char *dir, const struct stat *context);

/* The digest remembered for a file that stat says ST of, or false. */
bool file_digest_cache_get (struct file_digest_cache *c, const struct stat *st,
                            char digest[DIGEST_STRING_SIZE]);
/* Remembers DIGEST for ST (read at NOW, seconds since the epoch). */
void file_digest_cache_put (struct file_digest_cache *c, const struct stat *st, const char *digest,
                            int64_t now);

/* Writes the cache back when it changed: the entries used by this build,
 * and of the others at most 65536 more than those. */
int file_digest_cache_save (struct file_digest_cache *c, struct hk_error **err);
void file_digest_cache_free (struct file_digest_cache *c);

#endif
