/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-files.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The value of KIND NAME (DEF) that is not a file: the content, or the
 * variable's value; NULL with *ERR set when the variable is unset. */
static const char *
value_of (const struct compose_project *p, const char *kind, const char *name, json_t *def,
          struct hk_error **err)
{
  const char *content = json_string_value (json_object_get (def, "content"));
  if (content)
    return content;
  const char *var = json_string_value (json_object_get (def, "environment"));
  const char *value = strv_env_get (p->env, var);
  if (value == NULL)
    hk_error_set (err, ENOENT, "%s.%s.environment: the variable %s is not set", kind, name,
                  var);
  return value;
}

static bool
is_file_name (const char *name)
{
  return name[0] != '\0' && strchr (name, '/') == NULL && strcmp (name, ".") != 0
         && strcmp (name, "..") != 0;
}

int
compose_file_object_path (const struct compose_project *p, const char *kind, const char *name,
                          char **out, struct hk_error **err)
{
  if (!is_file_name (name))
    return hk_error_set (err, EINVAL, "%s.%s: the name cannot be a file name", kind, name);
  json_t *def = json_object_get (json_object_get (p->model, kind), name);
  if (value_of (p, kind, name, def, err) == NULL)
    return -1;
  if (p->files_dir == NULL)
    return hk_error_set (err, EINVAL, "%s.%s: no directory for the files of the project", kind,
                         name);
  *out = xasprintf ("%s/%s-%s", p->files_dir, kind, name);
  return 0;
}

static int
write_kind (const struct compose_project *p, int dirfd, const char *kind, struct hk_error **err)
{
  const char *name;
  json_t *def;
  json_object_foreach (json_object_get (p->model, kind), name, def)
  {
    if (json_object_get (def, "file") || json_is_true (json_object_get (def, "external")))
      continue;
    if (!is_file_name (name))
      return hk_error_set (err, EINVAL, "%s.%s: the name cannot be a file name", kind, name);
    const char *value = value_of (p, kind, name, def, err);
    if (value == NULL)
      return -1;
    _cleanup_free_ char *file = xasprintf ("%s-%s", kind, name);
    /* readable by the container's user, whoever it is; the directory
     * keeps the host's other users out */
    if (fs_write_atomic (dirfd, file, value, strlen (value), 0444, err) < 0)
      return hk_error_prefix (err, "%s.%s", kind, name);
  }
  return 0;
}

int
compose_write_file_objects (const struct compose_project *p, struct hk_error **err)
{
  bool any = false;
  static const char *const kinds[] = { "secrets", "configs" };
  for (size_t k = 0; k < 2; k++)
    {
      const char *name;
      json_t *def;
      json_object_foreach (json_object_get (p->model, kinds[k]), name, def)
      {
        any |= json_object_get (def, "environment") || json_object_get (def, "content");
      }
    }
  if (!any)
    return 0;
  if (fs_mkdir_p (p->files_dir, 0700, err) < 0)
    return -1;
  _cleanup_close_ int dirfd = open (p->files_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0)
    return hk_error_errno (err, errno, "open %s", p->files_dir);
  if (fchmod (dirfd, 0700) < 0)
    return hk_error_errno (err, errno, "chmod %s", p->files_dir);
  for (size_t k = 0; k < 2; k++)
    if (write_kind (p, dirfd, kinds[k], err) < 0)
      return -1;
  return 0;
}

int
compose_remove_file_objects (const struct compose_project *p, struct hk_error **err)
{
  if (p->files_dir == NULL)
    return 0;
  return fs_remove_tree (AT_FDCWD, p->files_dir, err);
}
