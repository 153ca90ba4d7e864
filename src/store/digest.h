/* SPDX-License-Identifier: Apache-2.0 */
/* Content digests ("sha256:<64 hex>"), the names of everything in an image
 * store.  Hashing (Nettle's SHA-256, with the CPU's SHA instructions where
 * there are some) streams, so that a blob is checked while it is written,
 * never after a second read. */
#ifndef HAKO_STORE_DIGEST_H
#define HAKO_STORE_DIGEST_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

#define DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_STRING_SIZE (7 + DIGEST_HEX_LEN + 1)

struct sha256
{
  void *ctx; /* struct sha256_ctx, opaque so that users need no Nettle header */
};

void sha256_init (struct sha256 *h);
void sha256_update (struct sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into OUT and releases the context. */
void sha256_final (struct sha256 *h, char out[DIGEST_STRING_SIZE]);
/* Releases a context that was not finalised (safe after sha256_final). */
void sha256_release (struct sha256 *h);

static inline void
cleanup_sha256p (struct sha256 *h)
{
  sha256_release (h);
}
#define _cleanup_sha256_ __attribute__ ((cleanup (cleanup_sha256p)))

void digest_of_buffer (const void *data, size_t len, char out[DIGEST_STRING_SIZE]);

/* True for "sha256:" followed by exactly 64 lowercase hex digits. */
bool digest_is_valid (const char *digest);

/* Like digest_is_valid, with an error that quotes the value and says what
 * is wrong (an algorithm other than sha256 is named as unsupported). */
int digest_check (const char *digest, struct hk_error **err);

/* The hex part of a valid digest. */
static inline const char *
digest_hex (const char *digest)
{
  return digest + 7;
}

/* True for 1 to 64 lowercase hex digits: an image ID or a prefix of one. */
bool digest_is_hex_prefix (const char *text);

#endif
