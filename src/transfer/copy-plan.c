/* SPDX-License-Identifier: Apache-2.0 */
#include "copy-plan.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
copy_arg_parse (const char *text, struct copy_arg *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  if (*text == '\0')
    return hk_error_set (err, EINVAL, "an empty path");
  const char *colon = strchr (text, ':');
  /* "./a:b" and "/a:b" are local files with a colon in their name. */
  if (colon == NULL || text[0] == '/' || text[0] == '.')
    {
      out->path = xstrdup (text);
      return 0;
    }
  if (colon == text)
    return hk_error_set (err, EINVAL, "`%s`: no container name before the colon", text);
  if (colon[1] == '\0')
    return hk_error_set (err, EINVAL, "`%s`: no path in the container after the colon", text);
  out->container = xstrndup (text, (size_t)(colon - text));
  out->path = xstrdup (colon + 1);
  return 0;
}

void
copy_arg_clear (struct copy_arg *a)
{
  free (a->container);
  free (a->path);
  memset (a, 0, sizeof *a);
}

/* PATH without its trailing slashes ("/" stays). */
static char *
strip_slashes (const char *path)
{
  size_t len = strlen (path);
  while (len > 1 && path[len - 1] == '/')
    len--;
  return xstrndup (path, len);
}

char *
copy_path_base (const char *path)
{
  char *p = strip_slashes (path);
  char *slash = strrchr (p, '/');
  const char *base = slash ? slash + 1 : p;
  char *out = strcmp (base, ".") == 0 || strcmp (base, "..") == 0 ? xstrdup ("") : xstrdup (base);
  free (p);
  return out;
}

char *
copy_path_dir (const char *path)
{
  char *p = strip_slashes (path);
  char *slash = strrchr (p, '/');
  char *out;
  if (slash == NULL)
    out = xstrdup (".");
  else
    {
      while (slash > p && slash[-1] == '/')
        slash--;
      out = slash == p ? xstrdup ("/") : xstrndup (p, (size_t)(slash - p));
    }
  free (p);
  return out;
}

static bool
names_a_directory (const char *path)
{
  size_t len = strlen (path);
  return (len > 0 && path[len - 1] == '/') || (len >= 2 && strcmp (path + len - 2, "/.") == 0)
         || strcmp (path, ".") == 0;
}

static int
plan (struct copy_plan *out, const char *dir, char *name)
{
  out->dir = xstrdup (dir);
  out->name = name;
  return 0;
}

int
copy_plan_make (const struct copy_source *src, const struct copy_dest *dst, struct copy_plan *out,
                struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  if (names_a_directory (src->path) && !src->is_dir)
    return hk_error_set (err, ENOTDIR, "`%s` is not a directory", src->path);
  if (dst->exists && dst->is_dir)
    return plan (out, dst->path, copy_path_base (src->path));
  if (dst->exists && src->is_dir)
    return hk_error_set (err, ENOTDIR, "cannot copy the directory `%s` to the file `%s`", src->path,
                         dst->path);
  /* A new directory may be named "DIR/"; a file is not put in a
   * directory that is not there. */
  if (names_a_directory (dst->path) && (dst->exists || !src->is_dir))
    return hk_error_set (err, ENOENT, "the destination directory `%s` %s", dst->path,
                         dst->exists ? "is a file" : "does not exist");
  char *name = copy_path_base (dst->path);
  if (*name == '\0')
    {
      free (name);
      return hk_error_set (err, EINVAL, "cannot copy to `%s`", dst->path);
    }
  char *dir = copy_path_dir (dst->path);
  plan (out, dir, name);
  free (dir);
  return 0;
}

void
copy_plan_clear (struct copy_plan *p)
{
  free (p->dir);
  free (p->name);
  memset (p, 0, sizeof *p);
}
