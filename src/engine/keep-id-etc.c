/* SPDX-License-Identifier: Apache-2.0 */
#include "keep-id-etc.h"
#include "user-lookup.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

bool
keep_id_own_id (const struct id_map *map, size_t n, uint32_t *own)
{
  for (size_t i = 0; i < n; i++)
    if (map[i].host_id == 0 && map[i].size > 0)
      {
        *own = map[i].container_id;
        return true;
      }
  return false;
}

char *
keep_id_db_with_line (const char *text, const char *name, uint32_t id, const char *line)
{
  if (user_db_has (text, name, id))
    return NULL;
  size_t len = strlen (text);
  bool newline = len > 0 && text[len - 1] != '\n';
  return xasprintf ("%s%s%s\n", text, newline ? "\n" : "", line);
}

/* Writes DIR_FD/FILE: the image's /etc/FILE with LINE added, unless the
 * image has NAME or ID already (*PATH NULL then). */
static int
write_db (int root_fd, int dir_fd, const char *dir, const char *file, const char *name,
          uint32_t id, const char *line, char **path, struct hk_error **err)
{
  _cleanup_free_ char *image_path = xasprintf ("/etc/%s", file);
  _cleanup_free_ char *text = user_db_read (root_fd, image_path);
  _cleanup_free_ char *with = keep_id_db_with_line (text, name, id, line);
  *path = NULL;
  if (with == NULL)
    return 0;
  /* not fsync'ed: written again at each start, as config.json */
  if (fs_replace_file (dir_fd, file, with, strlen (with), 0644, err) < 0)
    return hk_error_prefix (err, "--userns keep-id: write the container's %s", file);
  *path = xasprintf ("%s/%s", dir, file);
  return 0;
}

int
keep_id_etc_write (int root_fd, const char *dir, const struct keep_id_user *u, char **passwd,
                   char **group, struct hk_error **err)
{
  *passwd = *group = NULL;
  _cleanup_close_ int dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  _cleanup_free_ char *user_line = xasprintf ("%s:*:%u:%u:%s:%s:/bin/sh", u->name,
                                              (unsigned)u->uid, (unsigned)u->gid, u->name, u->home);
  _cleanup_free_ char *group_line = xasprintf ("%s:x:%u:", u->name, (unsigned)u->gid);
  if (write_db (root_fd, dir_fd, dir, "passwd", u->name, u->uid, user_line, passwd, err) < 0)
    return -1;
  if (write_db (root_fd, dir_fd, dir, "group", u->name, u->gid, group_line, group, err) < 0)
    {
      free (take_ptr (*passwd));
      return -1;
    }
  return 0;
}
