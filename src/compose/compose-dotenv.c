/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-dotenv.h"
#include "compose-interpolate.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#define DOTENV_MAX_BYTES (1 << 20)

struct reader
{
  const char *name;
  const char *p, *end;
  size_t line;
  char *const *lookup;
  char ***env;
};

static int
fail (struct reader *r, struct hk_error **err, const char *why)
{
  return hk_error_set (err, EINVAL, "%s line %zu: %s", r->name, r->line, why);
}

static void
skip_blanks (struct reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
    r->p++;
}

static void
skip_line (struct reader *r)
{
  while (r->p < r->end && *r->p != '\n')
    r->p++;
}

/* What interpolation sees: the file's entries so far, the lookup's over them. */
static char **
interpolation_env (struct reader *r)
{
  char **env = strv_copy (*r->env);
  for (char *const *e = r->lookup; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq == NULL)
        continue;
      _cleanup_free_ char *name = xstrndup (*e, (size_t)(eq - *e));
      strv_env_set (&env, name, eq + 1);
    }
  return env;
}

static int
interpolate (struct reader *r, const char *raw, char **out, struct hk_error **err)
{
  _cleanup_strv_ char **env = interpolation_env (r);
  if (compose_interpolate (raw, env, NULL, out, err) < 0)
    return hk_error_prefix (err, "%s line %zu", r->name, r->line);
  return 0;
}

static int
single_quoted (struct reader *r, char **out, struct hk_error **err)
{
  const char *start = ++r->p;
  size_t start_line = r->line;
  while (r->p < r->end && *r->p != '\'')
    r->line += *r->p++ == '\n';
  if (r->p >= r->end)
    {
      r->line = start_line;
      return fail (r, err, "a ' is not closed");
    }
  *out = xstrndup (start, (size_t)(r->p++ - start));
  return 0;
}

static int
double_quoted (struct reader *r, char **out, struct hk_error **err)
{
  r->p++;
  size_t start_line = r->line;
  _cleanup_free_ char *raw = xzalloc ((size_t)(r->end - r->p) * 2 + 1);
  size_t n = 0;
  while (r->p < r->end && *r->p != '"')
    {
      char c = *r->p++;
      r->line += c == '\n';
      if (c != '\\' || r->p >= r->end)
        {
          raw[n++] = c;
          continue;
        }
      char e = *r->p++;
      switch (e)
        {
        case 'n':
          raw[n++] = '\n';
          break;
        case 'r':
          raw[n++] = '\r';
          break;
        case 't':
          raw[n++] = '\t';
          break;
        case '$': /* a literal $: kept from interpolation as $$ */
          raw[n++] = '$';
          raw[n++] = '$';
          break;
        case '"':
        case '\\':
          raw[n++] = e;
          break;
        default:
          raw[n++] = '\\';
          raw[n++] = e;
        }
    }
  if (r->p >= r->end)
    {
      r->line = start_line;
      return fail (r, err, "a \" is not closed");
    }
  r->p++;
  return interpolate (r, raw, out, err);
}

static int
unquoted (struct reader *r, char **out, struct hk_error **err)
{
  const char *start = r->p;
  while (r->p < r->end && *r->p != '\n' && *r->p != '\r'
         && !(*r->p == '#' && r->p > start && isblank ((unsigned char)r->p[-1])))
    r->p++;
  const char *stop = r->p;
  while (stop > start && isblank ((unsigned char)stop[-1]))
    stop--;
  _cleanup_free_ char *raw = xstrndup (start, (size_t)(stop - start));
  skip_line (r);
  return interpolate (r, raw, out, err);
}

static bool
is_name_char (char c)
{
  return isalnum ((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* One NAME=VALUE (or NAME) with R->p at the name. */
static int
entry (struct reader *r, struct hk_error **err)
{
  if (r->end - r->p > 7 && strncmp (r->p, "export", 6) == 0 && isblank ((unsigned char)r->p[6]))
    {
      r->p += 6;
      skip_blanks (r);
    }
  const char *start = r->p;
  while (r->p < r->end && is_name_char (*r->p))
    r->p++;
  if (r->p == start)
    return fail (r, err, "expected NAME=VALUE");
  _cleanup_free_ char *name = xstrndup (start, (size_t)(r->p - start));
  skip_blanks (r);
  if (r->p >= r->end || *r->p == '\n' || *r->p == '\r' || *r->p == '#')
    {
      skip_line (r);
      const char *value = strv_env_get (r->lookup, name);
      if (value)
        strv_env_set (r->env, name, value);
      return 0;
    }
  if (*r->p != '=')
    return fail (r, err, "expected = after the name");
  r->p++;
  skip_blanks (r);
  _cleanup_free_ char *value = NULL;
  int rc = r->p < r->end && *r->p == '\'' ? single_quoted (r, &value, err)
           : r->p < r->end && *r->p == '"' ? double_quoted (r, &value, err)
                                           : unquoted (r, &value, err);
  if (rc < 0)
    return -1;
  skip_blanks (r);
  if (r->p < r->end && *r->p != '\n' && *r->p != '\r' && *r->p != '#')
    return fail (r, err, "text after the closing quote");
  skip_line (r);
  strv_env_set (r->env, name, value);
  return 0;
}

int
compose_dotenv_parse (const char *name, const char *text, size_t len, char *const *lookup,
                      char ***env, struct hk_error **err)
{
  if (memchr (text, '\0', len) != NULL)
    return hk_error_set (err, EINVAL, "%s: a NUL character: not a text file", name);
  struct reader r = { .name = name, .p = text, .end = text + len, .line = 1, .lookup = lookup,
                      .env = env };
  while (r.p < r.end)
    {
      skip_blanks (&r);
      if (r.p < r.end && *r.p != '\n' && *r.p != '\r' && *r.p != '#' && entry (&r, err) < 0)
        return -1;
      skip_line (&r);
      if (r.p < r.end)
        {
          r.p++;
          r.line++;
        }
    }
  return 0;
}

int
compose_dotenv_read (const char *path, char *const *lookup, char ***env, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (AT_FDCWD, path, DOTENV_MAX_BYTES, &text, &len, err) < 0)
    return -1;
  return compose_dotenv_parse (path, text, len, lookup, env, err);
}
