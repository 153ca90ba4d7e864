/* SPDX-License-Identifier: Apache-2.0 */
#include "registry-auth.h"
#include "common/blanks.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <nettle/base64.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_MAX 16384
#define TOKEN_MAX  (64 * 1024)

void
auth_challenge_clear (struct auth_challenge *c)
{
  free (c->realm);
  free (c->service);
  free (c->scope);
  free (c->error);
  memset (c, 0, sizeof *c);
}

static bool
is_token_char (char c)
{
  /* RFC 7230 tchar */
  return isalnum ((unsigned char)c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Reads a token at *P into a new string. */
static char *
read_token (const char **p)
{
  const char *s = *p;
  while (is_token_char (**p))
    (*p)++;
  return *p > s ? xstrndup (s, (size_t)(*p - s)) : NULL;
}

/* Reads a quoted-string (with \-escapes) or a token as a parameter value. */
static char *
read_value (const char **p, struct hk_error **err)
{
  if (**p != '"')
    {
      /* token68 or token: letters, digits, and -._~+/= */
      const char *s = *p;
      while (is_token_char (**p) || **p == '/' || **p == '=')
        (*p)++;
      return xstrndup (s, (size_t)(*p - s));
    }
  (*p)++;
  size_t cap = 64, n = 0;
  char *out = xmalloc (cap);
  for (;;)
    {
      char c = **p;
      if (c == '\0')
        {
          free (out);
          hk_error_set (err, EINVAL, "WWW-Authenticate: unterminated quoted string");
          return NULL;
        }
      (*p)++;
      if (c == '"')
        break;
      if (c == '\\')
        {
          c = **p;
          if (c == '\0')
            continue;
          (*p)++;
        }
      if (n + 2 > cap)
        out = xrealloc (out, cap *= 2);
      out[n++] = c;
    }
  out[n] = '\0';
  return out;
}

int
auth_challenge_parse (const char *header, struct auth_challenge *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  if (strlen (header) > HEADER_MAX)
    return hk_error_set (err, EFBIG, "WWW-Authenticate header longer than %d bytes", HEADER_MAX);
  struct auth_challenge basic = { 0 };
  const char *p = header;
  while (*(p = skip_blanks (p)) != '\0')
    {
      if (*p == ',')
        {
          p++;
          continue;
        }
      _cleanup_free_ char *scheme = read_token (&p);
      if (scheme == NULL)
        {
          auth_challenge_clear (&basic);
          return hk_error_set (err, EINVAL, "WWW-Authenticate: expected a scheme at `%.20s`", p);
        }
      struct auth_challenge cur = { 0 };
      if (strcasecmp (scheme, "bearer") == 0)
        cur.scheme = AUTH_BEARER;
      else if (strcasecmp (scheme, "basic") == 0)
        cur.scheme = AUTH_BASIC;
      /* parameters: name=value, separated by commas, until the next scheme */
      for (;;)
        {
          p = skip_blanks (p);
          const char *save = p;
          _cleanup_free_ char *name = read_token (&p);
          p = skip_blanks (p);
          if (name == NULL || *p != '=')
            {
              p = save; /* a new challenge starts here (or the end) */
              break;
            }
          p = skip_blanks (p + 1);
          _cleanup_free_ char *value = read_value (&p, err);
          if (value == NULL)
            {
              auth_challenge_clear (&cur);
              auth_challenge_clear (&basic);
              return -1;
            }
          char **slot = NULL;
          if (strcasecmp (name, "realm") == 0)
            slot = &cur.realm;
          else if (strcasecmp (name, "service") == 0)
            slot = &cur.service;
          else if (strcasecmp (name, "scope") == 0)
            slot = &cur.scope;
          else if (strcasecmp (name, "error") == 0)
            slot = &cur.error;
          if (slot)
            {
              free (*slot);
              *slot = take_ptr (value);
            }
          p = skip_blanks (p);
          if (*p == ',')
            p++;
          else
            break;
        }
      if (cur.scheme == AUTH_BEARER)
        {
          auth_challenge_clear (&basic);
          if (cur.realm == NULL)
            {
              auth_challenge_clear (&cur);
              return hk_error_set (err, EINVAL,
                                   "WWW-Authenticate: Bearer challenge without a "
                                   "realm");
            }
          *out = cur;
          return 0;
        }
      if (cur.scheme == AUTH_BASIC && basic.scheme == AUTH_NONE)
        basic = cur;
      else
        auth_challenge_clear (&cur);
      if (*p != '\0' && !is_token_char (*p) && *p != ',')
        {
          auth_challenge_clear (&basic);
          return hk_error_set (err, EINVAL, "WWW-Authenticate: unexpected `%c`", *p);
        }
    }
  *out = basic;
  return 0;
}

int
auth_token_parse (const char *body, size_t len, char **token, int64_t *expires_in,
                  struct hk_error **err)
{
  if (len > TOKEN_MAX)
    return hk_error_set (err, EFBIG, "token response larger than %d bytes", TOKEN_MAX);
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (body, len, "token response", &doc, err) < 0)
    return -1;
  _cleanup_free_ char *t = NULL;
  if (json_get_string (doc, "", "token", &t, err) < 0)
    return hk_error_prefix (err, "token response");
  if (t == NULL || *t == '\0')
    {
      free (t);
      t = NULL;
      if (json_get_string (doc, "", "access_token", &t, err) < 0)
        return hk_error_prefix (err, "token response");
    }
  if (t == NULL || *t == '\0')
    return hk_error_set (err, EINVAL, "token response: neither `token` nor `access_token`");
  for (const char *c = t; *c; c++)
    if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
      return hk_error_set (err, EINVAL,
                           "token response: the token has a character that cannot "
                           "go in a header");
  int64_t exp = 60;
  if (json_get_int64 (doc, "", "expires_in", &exp, err) < 0)
    return hk_error_prefix (err, "token response");
  *token = take_ptr (t);
  if (expires_in)
    *expires_in = exp < 60 ? 60 : exp;
  return 0;
}

char *
auth_basic_encode (const char *user, const char *password)
{
  _cleanup_free_ char *plain = xasprintf ("%s:%s", user, password);
  size_t n = strlen (plain);
  char *out = xmalloc (BASE64_ENCODE_RAW_LENGTH (n) + 1);
  nettle_base64_encode_raw (out, n, (const uint8_t *)plain);
  out[BASE64_ENCODE_RAW_LENGTH (n)] = '\0';
  return out;
}

int
auth_basic_decode (const char *b64, char **user, char **password, struct hk_error **err)
{
  size_t n = strlen (b64);
  if (n == 0 || n % 4 != 0 || n > 8192)
    return hk_error_set (err, EINVAL, "credentials: not valid base64");
  _cleanup_free_ char *plain = xmalloc (BASE64_DECODE_LENGTH (n) + 1);
  struct base64_decode_ctx ctx;
  size_t len = BASE64_DECODE_LENGTH (n);
  nettle_base64_decode_init (&ctx);
  if (!nettle_base64_decode_update (&ctx, &len, (uint8_t *)plain, n, b64)
      || !nettle_base64_decode_final (&ctx))
    return hk_error_set (err, EINVAL, "credentials: not valid base64");
  plain[len] = '\0';
  if (memchr (plain, '\0', len) != NULL)
    return hk_error_set (err, EINVAL, "credentials: contain a NUL byte");
  char *colon = strchr (plain, ':');
  if (colon == NULL)
    return hk_error_set (err, EINVAL, "credentials: expected user:password");
  *colon = '\0';
  *user = xstrdup (plain);
  *password = xstrdup (colon + 1);
  return 0;
}
