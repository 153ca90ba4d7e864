/* SPDX-License-Identifier: Apache-2.0 */
/* WWW-Authenticate headers and token responses from registries. */
#include "common/cleanup.h"
#include "transfer/registry-auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_free_ char *text = strndup ((const char *)data, size);
  if (text == NULL)
    return 0;
  struct hk_error *err = NULL;
  struct auth_challenge c;
  if (auth_challenge_parse (text, &c, &err) == 0)
    auth_challenge_clear (&c);
  hk_error_freep (&err);
  char *token = NULL;
  int64_t exp;
  if (auth_token_parse ((const char *)data, size, &token, &exp, &err) == 0)
    free (token);
  hk_error_freep (&err);
  char *u = NULL, *p = NULL;
  if (auth_basic_decode (text, &u, &p, &err) == 0)
    {
      free (u);
      free (p);
    }
  hk_error_freep (&err);
  return 0;
}
