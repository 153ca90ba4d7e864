/* SPDX-License-Identifier: Apache-2.0 */
/* The paths a compose file names, made absolute against its directory,
 * and the rule for those whose files are read and handed to containers:
 * a relative path does not climb out of the directory, by ".." or
 * through a symbolic link.  An include: path may climb out by "..", in
 * plain sight, but not through a link; an include's project_directory
 * may not climb out at all (see compose-paths.h). */
#include "compose-paths.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *
compose_absolute_path (const struct compose_normalize_context *ctx, const char *path)
{
  const char *home = getenv ("HOME");
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home)
    return xasprintf ("%s%s", home, path + 1);
  if (path[0] == '/')
    return xstrdup (path);
  if (strcmp (path, ".") == 0)
    return xstrdup (ctx->dir);
  if (strncmp (path, "./", 2) == 0)
    path += 2;
  return xasprintf ("%s/%s", ctx->dir, path);
}

/* PATH has no ".." that climbs above the directory it is relative to. */
static bool
stays_below (const char *path)
{
  int depth = 0;
  _cleanup_free_ char *copy = xstrdup (path);
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, "..") == 0)
        depth--;
      else if (strcmp (c, ".") != 0)
        depth++;
      if (depth < 0)
        return false;
    }
  return true;
}

/* The absolute PATH is DIR or below it (both without "." or ".."). */
static bool
is_below (const char *dir, const char *path)
{
  size_t n = strlen (dir);
  return strcmp (dir, "/") == 0
         || (strncmp (path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

/* ABS, once its symbolic links are resolved, is still below DIR's real
 * path; a file that does not exist (yet) is let through: there is no
 * link to follow, and reading it fails later. */
static bool
resolves_below (const char *dir, const char *abs)
{
  _cleanup_free_ char *real_dir = realpath (dir, NULL);
  _cleanup_free_ char *real = realpath (abs, NULL);
  if (real_dir == NULL || real == NULL)
    return true;
  return is_below (real_dir, real);
}

/* The absolute ABS with its "." and ".." taken away by their names, as
 * the kernel would take them with no symbolic link on the way
 * ("/p/a/../b/." is "/p/b"; ".." of "/" is "/"). */
static char *
lexically_clean (const char *abs)
{
  _cleanup_free_ char *copy = xstrdup (abs);
  char *clean = xzalloc (strlen (abs) + 2);
  size_t len = 0;
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          while (len > 0 && clean[len - 1] != '/')
            len--;
          if (len > 0)
            len--;
          clean[len] = '\0';
          continue;
        }
      len += (size_t)sprintf (clean + len, "/%s", c);
    }
  if (len == 0)
    strcpy (clean, "/");
  return clean;
}

int
compose_contained_path (const struct compose_normalize_context *ctx, const char *path,
                        const char *where, char **out, struct hk_error **err)
{
  bool relative = path[0] != '/' && path[0] != '~';
  if (relative && !stays_below (path))
    return hk_error_set (err, EPERM,
                         "%s: \"%s\" climbs out of the project directory %s; name a file "
                         "outside it by its absolute path",
                         where, path, ctx->dir);
  _cleanup_free_ char *abs = compose_absolute_path (ctx, path);
  if (relative && !resolves_below (ctx->dir, abs))
    return hk_error_set (err, EPERM,
                         "%s: \"%s\" is a symbolic link (or under one) that leads out of the "
                         "project directory %s; name a file outside it by its absolute path",
                         where, path, ctx->dir);
  *out = take_ptr (abs);
  return 0;
}

/* ABS with its directory's real path: /p/../common/compose.yaml becomes
 * /common/compose.yaml, the file the kernel opens.  ABS itself when the
 * directory does not exist (opening it fails later, naming it). */
static char *
real_directory_path (const char *abs)
{
  _cleanup_free_ char *dir_copy = xstrdup (abs);
  _cleanup_free_ char *base_copy = xstrdup (abs);
  _cleanup_free_ char *real_dir = realpath (dirname (dir_copy), NULL);
  if (real_dir == NULL)
    return xstrdup (abs);
  const char *base = basename (base_copy);
  return strcmp (real_dir, "/") == 0 ? xasprintf ("/%s", base)
                                     : xasprintf ("%s/%s", real_dir, base);
}

int
compose_include_path (const struct compose_normalize_context *ctx, const char *path,
                      const char *where, char **out, struct hk_error **err)
{
  bool relative = path[0] != '/' && path[0] != '~';
  if (!relative || stays_below (path))
    return compose_contained_path (ctx, path, where, out, err);
  _cleanup_free_ char *abs = compose_absolute_path (ctx, path);
  *out = real_directory_path (abs);
  return 0;
}

int
compose_include_directory (const struct compose_normalize_context *ctx, const char *path,
                           const char *include, const char *where, char **out,
                           struct hk_error **err)
{
  _cleanup_free_ char *abs = compose_absolute_path (ctx, path);
  _cleanup_free_ char *dir = lexically_clean (abs);
  _cleanup_free_ char *project = lexically_clean (ctx->dir);
  if (!is_below (project, dir) || !resolves_below (project, dir))
    return hk_error_set (err, EPERM,
                         "%s: the project directory \"%s\" of the include %s leads out of the "
                         "including project %s, where the included file's relative paths "
                         "could read any file; keep it inside the project",
                         where, path, include, ctx->dir);
  *out = take_ptr (dir);
  return 0;
}
