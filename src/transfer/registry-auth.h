/* SPDX-License-Identifier: Apache-2.0 */
/* Registry authentication: the challenges of a WWW-Authenticate header
 * (RFC 7235: `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`)
 * and the token responses of the distribution token protocol.  Both come
 * from the network and are parsed defensively. */
#ifndef HAKO_TRANSFER_REGISTRY_AUTH_H
#define HAKO_TRANSFER_REGISTRY_AUTH_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>

enum auth_scheme
{
  AUTH_NONE,
  AUTH_BASIC,
  AUTH_BEARER,
};

struct auth_challenge
{
  enum auth_scheme scheme;
  char *realm;
  char *service;
  char *scope;
  char *error; /* "insufficient_scope", when the registry says so */
};

/* Parses HEADER (the value of one WWW-Authenticate header) and keeps the
 * first challenge hako can answer: Bearer, else Basic.  Unknown schemes
 * are skipped; a header with none known gives AUTH_NONE and returns 0. */
int auth_challenge_parse (const char *header, struct auth_challenge *out, struct hk_error **err);
void auth_challenge_clear (struct auth_challenge *c);

/* A token response ({"token": …} or {"access_token": …}, "expires_in"). */
int auth_token_parse (const char *body, size_t len, char **token, int64_t *expires_in,
                      struct hk_error **err);

/* "user:password" in base64, and back.  Decoding checks the form. */
char *auth_basic_encode (const char *user, const char *password);
int auth_basic_decode (const char *b64, char **user, char **password, struct hk_error **err);

#endif
