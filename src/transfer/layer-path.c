/* SPDX-License-Identifier: Apache-2.0 */
#include "layer-path.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int
layer_path_clean (const char *name, char **out, struct hk_error **err)
{
  if (name == NULL || *name == '\0')
    return hk_error_set (err, EINVAL, "empty name");
  if (name[0] == '/')
    return hk_error_set (err, EPERM, "absolute name refused: it would land outside the layer");

  size_t n = strlen (name);
  _cleanup_free_ char *clean = xmalloc (n + 1);
  size_t used = 0;
  const char *p = name;
  while (*p != '\0')
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      const char *end = strchr (p, '/');
      size_t len = end ? (size_t)(end - p) : strlen (p);
      if (len == 1 && p[0] == '.')
        {
          p += len;
          continue;
        }
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return hk_error_set (err, EPERM, "`..` refused: it would land outside the layer");
      if (len > NAME_MAX)
        return hk_error_set (err, ENAMETOOLONG, "a component is longer than %d bytes", NAME_MAX);
      if (used > 0)
        clean[used++] = '/';
      memcpy (clean + used, p, len);
      used += len;
      p += len;
    }
  clean[used] = '\0';
  *out = take_ptr (clean);
  return 0;
}

#define WH_PREFIX      ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE      ".wh..wh..opq"

int
layer_whiteout_classify (const char *basename, enum whiteout_kind *kind, const char **target,
                         struct hk_error **err)
{
  *target = NULL;
  if (strncmp (basename, WH_PREFIX, strlen (WH_PREFIX)) != 0)
    {
      *kind = WHITEOUT_NONE;
      return 0;
    }
  if (strcmp (basename, WH_OPAQUE) == 0)
    {
      *kind = WHITEOUT_OPAQUE;
      return 0;
    }
  if (strncmp (basename, WH_META_PREFIX, strlen (WH_META_PREFIX)) == 0)
    {
      *kind = WHITEOUT_META;
      return 0;
    }
  const char *hidden = basename + strlen (WH_PREFIX);
  if (*hidden == '\0' || strcmp (hidden, ".") == 0 || strcmp (hidden, "..") == 0)
    return hk_error_set (err, EINVAL, "whiteout `%s` names nothing valid", basename);
  *kind = WHITEOUT_FILE;
  *target = hidden;
  return 0;
}

bool
layer_path_in_aufs_meta (const char *path)
{
  const char *p = path;
  while (p != NULL && *p != '\0')
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t)(slash - p) : strlen (p);
      bool meta = len >= strlen (WH_META_PREFIX)
                  && strncmp (p, WH_META_PREFIX, strlen (WH_META_PREFIX)) == 0;
      /* ".wh..wh..opq" as the last component is the opaque marker. */
      bool opaque_last = slash == NULL && strcmp (p, WH_OPAQUE) == 0;
      if (meta && !opaque_last)
        return true;
      p = slash ? slash + 1 : NULL;
    }
  return false;
}

bool
layer_xattr_allowed (const char *name)
{
  if (strncmp (name, "trusted.overlay.", 16) == 0 || strncmp (name, "user.overlay.", 13) == 0)
    return false;
  /* A label from another host means nothing here and could mislead. */
  if (strcmp (name, "security.selinux") == 0)
    return false;
  return strncmp (name, "user.", 5) == 0 || strncmp (name, "trusted.", 8) == 0
         || strncmp (name, "security.", 9) == 0;
}
