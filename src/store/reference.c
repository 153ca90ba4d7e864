/* SPDX-License-Identifier: Apache-2.0 */
#include "reference.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "digest.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
image_ref_free (struct image_ref *ref)
{
  if (ref == NULL)
    return;
  free (ref->domain);
  free (ref->path);
  free (ref->tag);
  free (ref->digest);
  free (ref);
}

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_word_char (char c)
{
  return isalnum ((unsigned char)c) || c == '_';
}

/* Checks a tag by itself ("latest", "v1.2_rc-3"). */
static bool
image_ref_tag_is_valid (const char *tag)
{
  size_t n = strlen (tag);
  if (n == 0 || n > REFERENCE_TAG_MAX || !is_word_char (tag[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!is_word_char (tag[i]) && tag[i] != '.' && tag[i] != '-')
      return false;
  return true;
}

/* One path component: [a-z0-9]+ joined by ".", "_", "__" or any run of
 * "-"; N bytes of S. */
static bool
path_component_is_valid (const char *s, size_t n)
{
  if (n == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[n - 1]))
    return false;
  for (size_t i = 0; i < n;)
    {
      if (is_lower_alnum (s[i]))
        {
          i++;
          continue;
        }
      size_t start = i;
      while (i < n && !is_lower_alnum (s[i]))
        i++;
      size_t len = i - start;
      const char *sep = s + start;
      bool dashes = true;
      for (size_t k = 0; k < len; k++)
        dashes = dashes && sep[k] == '-';
      if (!(dashes || (len == 1 && (*sep == '.' || *sep == '_'))
            || (len == 2 && sep[0] == '_' && sep[1] == '_')))
        return false;
    }
  return true;
}

static bool
has_upper (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (isupper ((unsigned char)s[i]))
      return true;
  return false;
}

/* host[:port] where host is DNS-like labels or a bracketed IPv6 address. */
static bool
domain_is_valid (const char *s)
{
  const char *port = NULL;
  if (s[0] == '[')
    {
      const char *close = strchr (s, ']');
      if (close == NULL || close == s + 1)
        return false;
      for (const char *p = s + 1; p < close; p++)
        if (!isxdigit ((unsigned char)*p) && *p != ':' && *p != '.')
          return false;
      if (close[1] != '\0' && close[1] != ':')
        return false;
      port = close[1] == ':' ? close + 2 : NULL;
      if (close[1] == ':' && *port == '\0')
        return false;
    }
  else
    {
      const char *colon = strchr (s, ':');
      size_t host_len = colon ? (size_t)(colon - s) : strlen (s);
      if (host_len == 0)
        return false;
      /* labels of [A-Za-z0-9-] not starting or ending with '-' */
      size_t label = 0;
      for (size_t i = 0; i <= host_len; i++)
        {
          char c = i < host_len ? s[i] : '.';
          if (c == '.')
            {
              if (label == 0 || s[i - 1] == '-')
                return false;
              label = 0;
              continue;
            }
          if (!isalnum ((unsigned char)c) && c != '-')
            return false;
          if (label == 0 && c == '-')
            return false;
          label++;
        }
      if (colon != NULL)
        {
          port = colon + 1;
          if (*port == '\0')
            return false;
        }
    }
  if (port != NULL)
    {
      size_t n = strlen (port);
      if (n > 5)
        return false;
      for (size_t i = 0; i < n; i++)
        if (!isdigit ((unsigned char)port[i]))
          return false;
    }
  return true;
}

/* Docker's rule: the first component is a registry when it has a "." or a
 * ":", is "localhost", or has an uppercase letter (paths cannot). */
static bool
first_component_is_domain (const char *s, size_t n)
{
  if (memchr (s, '.', n) != NULL || memchr (s, ':', n) != NULL)
    return true;
  if (n == 9 && strncmp (s, "localhost", 9) == 0)
    return true;
  return has_upper (s, n);
}

bool
image_ref_names_domain (const char *text)
{
  const char *slash = strchr (text, '/');
  return slash != NULL && first_component_is_domain (text, (size_t)(slash - text));
}

int
image_ref_parse_in (const char *text, const char *default_domain, struct image_ref **out,
                    struct hk_error **err)
{
  if (default_domain == NULL)
    default_domain = REFERENCE_DEFAULT_DOMAIN;
  if (*text == '\0')
    return hk_error_set (err, EINVAL, "invalid reference format: empty name");
  if (strlen (text) > 4096)
    return hk_error_set (err, EINVAL, "invalid reference format: longer than 4096 bytes");

  _cleanup_free_ char *copy = xstrdup (text);
  _cleanup_free_ char *digest = NULL;
  _cleanup_free_ char *tag = NULL;

  char *at = strchr (copy, '@');
  if (at != NULL)
    {
      *at = '\0';
      if (digest_check (at + 1, err) < 0)
        return hk_error_prefix (err, "invalid reference `%s`", text);
      digest = xstrdup (at + 1);
    }

  /* A tag follows the last ':' that comes after the last '/'; an earlier
   * ':' belongs to a registry port. */
  char *last_slash = strrchr (copy, '/');
  char *colon = strrchr (last_slash ? last_slash : copy, ':');
  if (colon != NULL)
    {
      *colon = '\0';
      if (!image_ref_tag_is_valid (colon + 1))
        return hk_error_set (err, EINVAL,
                             "invalid reference `%s`: bad tag `%s` (letters, digits, `_`, `.`, "
                             "`-`, at most 128, not starting with `.` or `-`)",
                             text, colon + 1);
      tag = xstrdup (colon + 1);
    }

  const char *name = copy;
  _cleanup_free_ char *domain = NULL;
  const char *slash = strchr (name, '/');
  if (slash != NULL && first_component_is_domain (name, (size_t)(slash - name)))
    {
      domain = xstrndup (name, (size_t)(slash - name));
      name = slash + 1;
      if (!domain_is_valid (domain))
        return hk_error_set (err, EINVAL, "invalid reference `%s`: bad registry `%s`", text,
                             domain);
    }
  else
    domain = xstrdup (default_domain);
  if (strcmp (domain, "index.docker.io") == 0)
    {
      free (domain);
      domain = xstrdup (REFERENCE_DEFAULT_DOMAIN);
    }

  if (*name == '\0')
    return hk_error_set (err, EINVAL, "invalid reference `%s`: missing repository name", text);
  for (const char *c = name;;)
    {
      const char *end = strchr (c, '/');
      size_t n = end ? (size_t)(end - c) : strlen (c);
      if (has_upper (c, n))
        return hk_error_set (err, EINVAL,
                             "invalid reference `%s`: repository name must be "
                             "lowercase",
                             text);
      if (!path_component_is_valid (c, n))
        return hk_error_set (err, EINVAL,
                             "invalid reference `%s`: bad path component `%.*s` (lowercase "
                             "letters and digits, joined by `.`, `_`, `__` or `-`)",
                             text, (int)n, c);
      if (end == NULL)
        break;
      c = end + 1;
    }

  _cleanup_free_ char *path = NULL;
  if (strcmp (domain, REFERENCE_DEFAULT_DOMAIN) == 0 && strchr (name, '/') == NULL)
    path = xasprintf ("library/%s", name);
  else
    path = xstrdup (name);

  if (strlen (domain) + 1 + strlen (path) > REFERENCE_NAME_MAX)
    return hk_error_set (err, EINVAL, "invalid reference `%s`: name longer than %d bytes", text,
                         REFERENCE_NAME_MAX);
  /* A bare 64-hex name would be taken for an image ID by people. */
  if (strlen (name) == DIGEST_HEX_LEN && digest_is_hex_prefix (name))
    return hk_error_set (err, EINVAL,
                         "invalid reference `%s`: a repository name cannot be 64 "
                         "hexadecimal digits",
                         text);

  if (tag == NULL && digest == NULL)
    tag = xstrdup ("latest");

  struct image_ref *ref = xzalloc (sizeof *ref);
  ref->domain = take_ptr (domain);
  ref->path = take_ptr (path);
  ref->tag = take_ptr (tag);
  ref->digest = take_ptr (digest);
  *out = ref;
  return 0;
}

char *
image_ref_repository (const struct image_ref *ref)
{
  return xasprintf ("%s/%s", ref->domain, ref->path);
}

char *
image_ref_string (const struct image_ref *ref)
{
  return xasprintf ("%s/%s%s%s%s%s", ref->domain, ref->path, ref->tag ? ":" : "",
                    ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                    ref->digest ? ref->digest : "");
}

char *
image_ref_familiar_repository (const char *repository)
{
  static const char prefix[] = REFERENCE_DEFAULT_DOMAIN "/";
  if (strncmp (repository, prefix, sizeof prefix - 1) != 0)
    return xstrdup (repository);
  const char *path = repository + sizeof prefix - 1;
  if (strncmp (path, "library/", 8) == 0 && strchr (path + 8, '/') == NULL)
    path += 8;
  return xstrdup (path);
}

char *
image_ref_familiar (const struct image_ref *ref)
{
  _cleanup_free_ char *repo = image_ref_repository (ref);
  _cleanup_free_ char *name = image_ref_familiar_repository (repo);
  return xasprintf ("%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "",
                    ref->digest ? "@" : "", ref->digest ? ref->digest : "");
}
