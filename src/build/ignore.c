/* SPDX-License-Identifier: Apache-2.0 */
#include "ignore.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define IGNORE_MAX_SIZE     (1u << 20)
#define IGNORE_MAX_PATTERNS 10000

struct ignore_rule
{
  char *pattern;
  bool exception;
};

struct ignore_rules
{
  struct ignore_rule *rules;
  size_t n;
  bool exceptions;
};

char *
ignore_clean_path (const char *path)
{
  _cleanup_strv_ char **parts = xzalloc (sizeof *parts);
  bool rooted = path[0] == '/';
  _cleanup_free_ char *copy = xstrdup (path);
  char *save = NULL;
  for (char *t = strtok_r (copy, "/", &save); t; t = strtok_r (NULL, "/", &save))
    {
      size_t n = strv_length (parts);
      if (strcmp (t, ".") == 0)
        continue;
      if (strcmp (t, "..") == 0 && n > 0 && strcmp (parts[n - 1], "..") != 0)
        {
          free (parts[n - 1]);
          parts[n - 1] = NULL;
          continue;
        }
      if (strcmp (t, "..") == 0 && rooted)
        continue;
      strv_append (&parts, t);
    }
  if (parts[0] == NULL)
    return xstrdup (".");
  size_t len = 1;
  for (size_t i = 0; parts[i]; i++)
    len += strlen (parts[i]) + 1;
  char *out = xzalloc (len);
  for (size_t i = 0; parts[i]; i++)
    {
      if (i)
        strcat (out, "/");
      strcat (out, parts[i]);
    }
  return out;
}

/* A `[...]` class at P (just past `[`) against C; *END is past `]`.
 * Returns -1 for a malformed class (no `]`): it matches nothing. */
static int
match_class (const char *p, char c, const char **end)
{
  bool negate = *p == '^' || *p == '!';
  if (negate)
    p++;
  bool hit = false, first = true;
  while (*p && (*p != ']' || first))
    {
      first = false;
      char lo = *p++;
      if (lo == '\\' && *p)
        lo = *p++;
      char hi = lo;
      if (*p == '-' && p[1] && p[1] != ']')
        {
          p++;
          hi = *p++;
          if (hi == '\\' && *p)
            hi = *p++;
        }
      if (c >= lo && c <= hi)
        hit = true;
    }
  if (*p != ']')
    return -1;
  *end = p + 1;
  return hit != negate;
}

/* Failures already seen, by (pattern offset, name offset): keeps hostile
 * patterns (`*a*a*a*a*b`) from taking exponential time. */
struct glob
{
  const char *pat, *name;
  size_t plen, nlen;
  uint8_t *failed;
};

static bool
glob_at (struct glob *g, size_t pi, size_t ni)
{
  size_t key = pi * (g->nlen + 1) + ni;
  if (g->failed[key / 8] & (1u << (key % 8)))
    return false;
  const char *p = g->pat + pi, *s = g->name + ni;
  bool ok = false;
  if (*p == '\0')
    ok = *s == '\0';
  else if (p[0] == '*' && p[1] == '*')
    {
      size_t next = pi + 2 + (p[2] == '/');
      if (p[2] == '\0')
        return true;
      ok = glob_at (g, next, ni);
      for (size_t i = ni; !ok && i < g->nlen; i++)
        if (g->name[i] == '/')
          ok = glob_at (g, next, i + 1);
    }
  else if (*p == '*')
    {
      for (size_t i = ni;; i++)
        {
          if ((ok = glob_at (g, pi + 1, i)) || g->name[i] == '\0' || g->name[i] == '/')
            break;
        }
    }
  else if (*s == '\0')
    ok = false;
  else if (*p == '?')
    ok = *s != '/' && glob_at (g, pi + 1, ni + 1);
  else if (*p == '[')
    {
      const char *end;
      int m = *s == '/' ? 0 : match_class (p + 1, *s, &end);
      ok = m > 0 && glob_at (g, (size_t)(end - g->pat), ni + 1);
    }
  else if (*p == '\\' && p[1])
    ok = p[1] == *s && glob_at (g, pi + 2, ni + 1);
  else
    ok = *p == *s && glob_at (g, pi + 1, ni + 1);
  if (!ok)
    g->failed[key / 8] |= (uint8_t)(1u << (key % 8));
  return ok;
}

bool
ignore_glob_match (const char *pattern, const char *name)
{
  struct glob g = { .pat = pattern, .name = name, .plen = strlen (pattern), .nlen = strlen (name) };
  g.failed = xzalloc (((g.plen + 1) * (g.nlen + 1)) / 8 + 1);
  bool ok = glob_at (&g, 0, 0);
  free (g.failed);
  return ok;
}

int
ignore_rules_parse (const char *text, size_t len, struct ignore_rules **out,
                    struct hk_error **err)
{
  if (len > IGNORE_MAX_SIZE)
    return hk_error_set (err, EFBIG, "ignore file larger than %u bytes", IGNORE_MAX_SIZE);
  struct ignore_rules *r = xzalloc (sizeof *r);
  const char *p = text, *end = text + len;
  unsigned line = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t)(end - p));
      const char *stop = nl ? nl : end;
      _cleanup_free_ char *s = xstrndup (p, (size_t)(stop - p));
      p = nl ? nl + 1 : end;
      line++;
      char *t = s + strspn (s, " \t");
      for (size_t n = strlen (t); n > 0 && strchr (" \t\r", t[n - 1]); n--)
        t[n - 1] = '\0';
      if (*t == '\0' || *t == '#')
        continue;
      bool exception = *t == '!';
      if (exception)
        t += 1 + strspn (t + 1, " \t");
      if (*t == '\0')
        {
          ignore_rules_free (r);
          return hk_error_set (err, EINVAL, "ignore file, line %u: `!` without a pattern", line);
        }
      if (r->n >= IGNORE_MAX_PATTERNS)
        {
          ignore_rules_free (r);
          return hk_error_set (err, EINVAL, "ignore file: more than %u patterns",
                               IGNORE_MAX_PATTERNS);
        }
      char *clean = ignore_clean_path (t);
      if (clean[0] == '/' && clean[1])
        memmove (clean, clean + 1, strlen (clean));
      r->rules = xreallocarray (r->rules, r->n + 1, sizeof *r->rules);
      r->rules[r->n++] = (struct ignore_rule){ .pattern = clean, .exception = exception };
      r->exceptions |= exception;
    }
  *out = r;
  return 0;
}

void
ignore_rules_free (struct ignore_rules *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n; i++)
    free (r->rules[i].pattern);
  free (r->rules);
  free (r);
}

/* PATTERN matches PATH or one of its parent directories. */
static bool
matches_or_parent (const char *pattern, const char *path)
{
  if (ignore_glob_match (pattern, path))
    return true;
  _cleanup_free_ char *prefix = xstrdup (path);
  for (char *slash = strrchr (prefix, '/'); slash; slash = strrchr (prefix, '/'))
    {
      *slash = '\0';
      if (ignore_glob_match (pattern, prefix))
        return true;
    }
  return false;
}

bool
ignore_rules_match (const struct ignore_rules *r, const char *path)
{
  if (r == NULL)
    return false;
  bool ignored = false;
  for (size_t i = 0; i < r->n; i++)
    if (ignored == r->rules[i].exception && matches_or_parent (r->rules[i].pattern, path))
      ignored = !r->rules[i].exception;
  return ignored;
}

bool
ignore_rules_has_exceptions (const struct ignore_rules *r)
{
  return r != NULL && r->exceptions;
}
