/* SPDX-License-Identifier: Apache-2.0 */
#include "container-mounts.h"
#include "volume.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int
check_target (const char *target, const char *spec, struct hk_error **err)
{
  if (target == NULL || target[0] != '/')
    return hk_error_set (err, EINVAL,
                         "invalid volume specification \"%s\": the destination \"%s\" is not an "
                         "absolute path",
                         spec, target ? target : "");
  if (strcmp (target, "/") == 0)
    return hk_error_set (err, EINVAL, "invalid volume specification \"%s\": cannot mount over /",
                         spec);
  return 0;
}

int
container_mounts_parse_volume (const char *spec, json_t **out, struct hk_error **err)
{
  _cleanup_strv_ char **parts = xzalloc (sizeof (char *));
  _cleanup_free_ char *copy = xstrdup (spec);
  char *save = NULL;
  for (char *p = strtok_r (copy, ":", &save); p; p = strtok_r (NULL, ":", &save))
    strv_append (&parts, p);
  size_t n = strv_length (parts);
  if (n == 0 || n > 3)
    return hk_error_set (err, EINVAL, "invalid volume specification \"%s\"", spec);
  const char *source = n >= 2 ? parts[0] : NULL;
  const char *target = n >= 2 ? parts[1] : parts[0];
  const char *mode = n == 3 ? parts[2] : "";
  if (check_target (target, spec, err) < 0)
    return -1;
  bool readonly = false, nocopy = false;
  _cleanup_free_ char *modes = xstrdup (mode);
  save = NULL;
  for (char *m = strtok_r (modes, ",", &save); m; m = strtok_r (NULL, ",", &save))
    {
      if (strcmp (m, "ro") == 0)
        readonly = true;
      else if (strcmp (m, "nocopy") == 0)
        nocopy = true;
      else if (strcmp (m, "rw") != 0 && strcmp (m, "z") != 0 && strcmp (m, "Z") != 0)
        return hk_error_set (err, EINVAL,
                             "invalid volume specification \"%s\": unknown mode \"%s\"", spec, m);
    }
  bool bind = source != NULL && (source[0] == '/' || source[0] == '.');
  if (bind && source[0] != '/')
    return hk_error_set (err, EINVAL,
                         "invalid volume specification \"%s\": a host path must be absolute", spec);
  if (source != NULL && !bind && volume_check_name (source, err) < 0)
    return hk_error_prefix (err, "-v %s", spec);
  *out = json_pack ("{s:s, s:s?, s:s, s:b, s:b, s:b}", "Type", bind ? "bind" : "volume", "Source",
                    source, "Target", target, "ReadOnly", readonly, "NoCopy", nocopy,
                    "CreateHostPath", bind);
  return 0;
}

int
container_mounts_parse_mount (const char *spec, json_t **out, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (spec);
  const char *type = "volume", *source = NULL, *target = NULL;
  bool readonly = false, nocopy = false;
  _cleanup_free_ char *tmpfs_opts = xstrdup ("");
  char *save = NULL;
  for (char *kv = strtok_r (copy, ",", &save); kv; kv = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (kv, '=');
      const char *value = eq ? eq + 1 : "true";
      if (eq)
        *eq = '\0';
      if (strcmp (kv, "type") == 0)
        type = value;
      else if (strcmp (kv, "source") == 0 || strcmp (kv, "src") == 0)
        source = value;
      else if (strcmp (kv, "target") == 0 || strcmp (kv, "destination") == 0
               || strcmp (kv, "dst") == 0)
        target = value;
      else if (strcmp (kv, "readonly") == 0 || strcmp (kv, "ro") == 0)
        readonly = strcmp (value, "true") == 0 || strcmp (value, "1") == 0;
      else if (strcmp (kv, "volume-nocopy") == 0)
        nocopy = strcmp (value, "true") == 0 || strcmp (value, "1") == 0;
      else if (strcmp (kv, "tmpfs-size") == 0 || strcmp (kv, "tmpfs-mode") == 0)
        {
          char *more = xasprintf ("%s%s%s=%s", tmpfs_opts, *tmpfs_opts ? "," : "",
                                  strcmp (kv, "tmpfs-size") == 0 ? "size" : "mode", value);
          free (tmpfs_opts);
          tmpfs_opts = more;
        }
      else if (strcmp (kv, "bind-propagation") != 0 && strcmp (kv, "consistency") != 0)
        return hk_error_set (err, EINVAL, "--mount %s: unknown option \"%s\"", spec, kv);
    }
  if (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0 && strcmp (type, "tmpfs") != 0)
    return hk_error_set (err, EINVAL, "--mount %s: unknown type \"%s\" (bind, volume or tmpfs)",
                         spec, type);
  if (check_target (target, spec, err) < 0)
    return -1;
  if (strcmp (type, "bind") == 0 && (source == NULL || source[0] != '/'))
    return hk_error_set (err, EINVAL, "--mount %s: a bind mount needs an absolute source", spec);
  if (strcmp (type, "volume") == 0 && source != NULL && volume_check_name (source, err) < 0)
    return hk_error_prefix (err, "--mount %s", spec);
  *out = json_pack ("{s:s, s:s?, s:s, s:b, s:b, s:s, s:b}", "Type", type, "Source", source,
                    "Target", target, "ReadOnly", readonly, "NoCopy", nocopy, "TmpfsOptions",
                    tmpfs_opts, "CreateHostPath", false);
  return 0;
}

static bool
target_taken (json_t *mounts, const char *target)
{
  size_t i;
  json_t *m;
  json_array_foreach (mounts, i, m)
  {
    const char *t = json_string_value (json_object_get (m, "Target"));
    if (t && strcmp (t, target) == 0)
      return true;
  }
  return false;
}

static void
add_bind (struct spec_bind **binds, size_t *n, const char *source, const char *target, bool ro)
{
  *binds = xreallocarray (*binds, *n + 1, sizeof **binds);
  (*binds)[(*n)++] = (struct spec_bind){ .source = xstrdup (source),
                                         .destination = xstrdup (target),
                                         .readonly = ro };
}

int
container_mounts_resolve (sqlite3 *db, const char *root, json_t *options,
                          const struct image_config *image, struct spec_bind **binds, size_t *n,
                          struct hk_error **err)
{
  *binds = NULL;
  *n = 0;
  json_t *mounts = json_object_get (options, "Mounts");
  if (!json_is_array (mounts))
    {
      mounts = json_array ();
      json_object_set_new (options, "Mounts", mounts);
    }
  /* The image's VOLUMEs get anonymous volumes unless mounted over. */
  for (size_t i = 0; image != NULL && image->volumes != NULL && image->volumes[i] != NULL; i++)
    if (!target_taken (mounts, image->volumes[i]))
      json_array_append_new (mounts, json_pack ("{s:s, s:s, s:b, s:b}", "Type", "volume", "Target",
                                                image->volumes[i], "ReadOnly", 0, "NoCopy", 0));
  json_t *points = json_array ();
  json_object_set_new (options, "MountPoints", points);
  json_t *tmpfs = json_object_get (options, "Tmpfs");
  size_t i;
  json_t *m;
  json_array_foreach (mounts, i, m)
  {
    const char *type = json_string_value (json_object_get (m, "Type"));
    const char *source = json_string_value (json_object_get (m, "Source"));
    const char *target = json_string_value (json_object_get (m, "Target"));
    bool ro = json_is_true (json_object_get (m, "ReadOnly"));
    if (strcmp (type, "tmpfs") == 0)
      {
        if (!json_is_object (tmpfs))
          {
            tmpfs = json_object ();
            json_object_set_new (options, "Tmpfs", tmpfs);
          }
        const char *o = json_string_value (json_object_get (m, "TmpfsOptions"));
        json_object_set_new (tmpfs, target, json_string (o ? o : ""));
        continue;
      }
    if (strcmp (type, "bind") == 0)
      {
        struct stat st;
        if (stat (source, &st) < 0)
          {
            /* -v creates a missing host directory, --mount does not. */
            if (errno != ENOENT || !json_is_true (json_object_get (m, "CreateHostPath")))
              return hk_error_errno (err, errno, "bind source path \"%s\"", source);
            if (fs_mkdir_p (source, 0755, err) < 0)
              return -1;
          }
        add_bind (binds, n, source, target, ro);
        json_array_append_new (points, json_pack ("{s:s, s:s, s:s, s:b}", "Type", "bind", "Source",
                                                  source, "Destination", target, "RW", !ro));
        continue;
      }
    struct volume *v = NULL;
    if (volume_create (db, root, source, NULL, &v, err) < 0)
      return -1;
    add_bind (binds, n, v->mountpoint, target, ro);
    json_array_append_new (points,
                           json_pack ("{s:s, s:s, s:s, s:s, s:b, s:b}", "Type", "volume", "Name",
                                      v->name, "Source", v->mountpoint, "Destination", target, "RW",
                                      !ro, "NoCopy", json_is_true (json_object_get (m, "NoCopy"))));
    volume_free (v);
  }
  return 0;
}

int
container_mounts_fill (sqlite3 *db, const char *root, json_t *options, int root_fd,
                       struct hk_error **err)
{
  json_t *points = json_object_get (options, "MountPoints");
  size_t i;
  json_t *p;
  json_array_foreach (points, i, p)
  {
    const char *type = json_string_value (json_object_get (p, "Type"));
    if (type == NULL || strcmp (type, "volume") != 0
        || json_is_true (json_object_get (p, "NoCopy")))
      continue;
    struct volume *v = NULL;
    if (volume_get (db, root, json_string_value (json_object_get (p, "Name")), &v, err) < 0)
      return -1;
    struct hk_error *missing = NULL;
    _cleanup_close_ int source
        = in_root_open (root_fd, json_string_value (json_object_get (p, "Destination")),
                        O_RDONLY | O_DIRECTORY, 0, &missing);
    hk_error_free (missing);
    int r = volume_fill (db, v, source, err);
    volume_free (v);
    if (r < 0)
      return -1;
  }
  return 0;
}

void
container_mounts_free_binds (struct spec_bind *binds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (binds[i].source);
      free (binds[i].destination);
    }
  free (binds);
}
