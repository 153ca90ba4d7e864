/* SPDX-License-Identifier: Apache-2.0 */
#include "digest.h"

#include "common/xalloc.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

/* Nettle's header renames sha256_init and the like to its own; ours keep
 * their names, and Nettle's are called by theirs. */
#undef sha256_init
#undef sha256_update
#undef sha256_digest

void
sha256_init (struct sha256 *h)
{
  struct sha256_ctx *ctx = xmalloc (sizeof *ctx);
  nettle_sha256_init (ctx);
  h->ctx = ctx;
}

void
sha256_update (struct sha256 *h, const void *data, size_t len)
{
  nettle_sha256_update (h->ctx, len, data);
}

void
sha256_final (struct sha256 *h, char out[DIGEST_STRING_SIZE])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[SHA256_DIGEST_SIZE];
  const unsigned int n = SHA256_DIGEST_SIZE;
  nettle_sha256_digest (h->ctx, n, md);
  memcpy (out, "sha256:", 7);
  for (unsigned int i = 0; i < n; i++)
    {
      out[7 + 2 * i] = hex[md[i] >> 4];
      out[7 + 2 * i + 1] = hex[md[i] & 0xf];
    }
  out[7 + 2 * n] = '\0';
  sha256_release (h);
}

void
sha256_release (struct sha256 *h)
{
  free (h->ctx);
  h->ctx = NULL;
}

void
digest_of_buffer (const void *data, size_t len, char out[DIGEST_STRING_SIZE])
{
  struct sha256 h;
  sha256_init (&h);
  sha256_update (&h, data, len);
  sha256_final (&h, out);
}

static bool
is_lower_hex (char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool
digest_is_hex_prefix (const char *text)
{
  size_t n = strlen (text);
  if (n == 0 || n > DIGEST_HEX_LEN)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!is_lower_hex (text[i]))
      return false;
  return true;
}

bool
digest_is_valid (const char *digest)
{
  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0)
    return false;
  const char *hex = digest + 7;
  return strlen (hex) == DIGEST_HEX_LEN && digest_is_hex_prefix (hex);
}

int
digest_check (const char *digest, struct hk_error **err)
{
  if (digest_is_valid (digest))
    return 0;
  const char *colon = strchr (digest, ':');
  if (colon == NULL)
    return hk_error_set (err, EINVAL, "invalid digest `%.80s`: expected ALGORITHM:HEX", digest);
  if (colon - digest != 6 || strncmp (digest, "sha256", 6) != 0)
    return hk_error_set (err, ENOTSUP, "digest `%.80s`: unsupported algorithm `%.*s` (only sha256)",
                         digest, (int)(colon - digest > 32 ? 32 : colon - digest), digest);
  return hk_error_set (err, EINVAL, "invalid digest `%.80s`: expected 64 lowercase hex digits",
                       digest);
}
