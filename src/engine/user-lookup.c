/* SPDX-License-Identifier: Apache-2.0 */
#include "user-lookup.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DB_SIZE (4 << 20)

char *
user_db_read (int root_fd, const char *path)
{
  struct hk_error *e = NULL;
  _cleanup_close_ int fd = in_root_open (root_fd, path, O_RDONLY, 0, &e);
  hk_error_free (e);
  char *text = NULL;
  e = NULL;
  if (fd < 0 || fs_read_fd (fd, MAX_DB_SIZE, &text, NULL, &e) < 0)
    {
      hk_error_free (e);
      return xstrdup ("");
    }
  return text;
}

static bool
parse_id (const char *s, uint32_t *out)
{
  if (*s == '\0' || strspn (s, "0123456789") != strlen (s) || strlen (s) > 10)
    return false;
  unsigned long v = strtoul (s, NULL, 10);
  if (v > UINT32_MAX)
    return false;
  *out = (uint32_t)v;
  return true;
}

/* Splits LINE (modified) at ':' into up to N fields. */
static size_t
split_fields (char *line, char **fields, size_t n)
{
  size_t k = 0;
  while (k < n)
    {
      fields[k++] = line;
      char *colon = strchr (line, ':');
      if (colon == NULL)
        break;
      *colon = '\0';
      line = colon + 1;
    }
  return k;
}

/* Finds the passwd entry whose name (or uid) is KEY. */
static bool
passwd_find (char *passwd, const char *name, const uint32_t *uid, struct user_ids *out,
             char **found_name)
{
  char *save = NULL;
  for (char *line = strtok_r (passwd, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[7];
      if (split_fields (line, f, 7) < 7)
        continue;
      uint32_t u, g;
      if (!parse_id (f[2], &u) || !parse_id (f[3], &g))
        continue;
      if ((name != NULL && strcmp (f[0], name) == 0) || (uid != NULL && u == *uid))
        {
          out->uid = u;
          out->gid = g;
          free (out->home);
          out->home = xstrdup (*f[5] ? f[5] : "/");
          *found_name = xstrdup (f[0]);
          return true;
        }
    }
  return false;
}

/* Resolves GROUP (name or number) from /etc/group. */
static bool
group_find (char *group, const char *name, uint32_t *gid)
{
  char *save = NULL;
  for (char *line = strtok_r (group, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[4];
      if (split_fields (line, f, 4) < 3)
        continue;
      uint32_t g;
      if (parse_id (f[2], &g) && strcmp (f[0], name) == 0)
        {
          *gid = g;
          return true;
        }
    }
  return false;
}

/* The groups listing USER as a member. */
static void
supplementary_groups (char *group, const char *user, struct user_ids *out)
{
  char *save = NULL;
  for (char *line = strtok_r (group, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[4];
      uint32_t g;
      if (split_fields (line, f, 4) < 4 || !parse_id (f[2], &g))
        continue;
      char *msave = NULL;
      for (char *m = strtok_r (f[3], ",", &msave); m; m = strtok_r (NULL, ",", &msave))
        if (strcmp (m, user) == 0 && g != out->gid)
          {
            out->groups = xreallocarray (out->groups, out->n_groups + 1, sizeof (uint32_t));
            out->groups[out->n_groups++] = g;
            break;
          }
    }
}

int
user_lookup (int root_fd, const char *spec, struct user_ids *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  out->home = xstrdup ("/");
  if (spec == NULL || *spec == '\0')
    spec = "0";
  _cleanup_free_ char *copy = xstrdup (spec);
  char *group_part = strchr (copy, ':');
  if (group_part != NULL)
    *group_part++ = '\0';
  _cleanup_free_ char *passwd = user_db_read (root_fd, "/etc/passwd");
  _cleanup_free_ char *name = NULL;
  uint32_t uid;
  bool numeric = parse_id (copy, &uid);
  bool found = passwd_find (passwd, numeric ? NULL : copy, numeric ? &uid : NULL, out, &name);
  if (!found)
    {
      if (!numeric)
        return hk_error_set (err, ENOENT,
                             "unable to find user %s: no matching entries in passwd file", copy);
      out->uid = uid; /* a number needs no entry; its group is 0 */
      out->gid = 0;
    }
  if (group_part != NULL && *group_part != '\0')
    {
      uint32_t gid;
      _cleanup_free_ char *groups = user_db_read (root_fd, "/etc/group");
      if (parse_id (group_part, &gid))
        out->gid = gid;
      else if (group_find (groups, group_part, &gid))
        out->gid = gid;
      else
        return hk_error_set (
            err, ENOENT, "unable to find group %s: no matching entries in group file", group_part);
    }
  if (name != NULL)
    {
      _cleanup_free_ char *groups = user_db_read (root_fd, "/etc/group");
      supplementary_groups (groups, name, out);
    }
  return 0;
}

bool
user_db_has (const char *text, const char *name, uint32_t id)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[4];
      uint32_t v;
      if (split_fields (line, f, 4) < 3)
        continue;
      if (strcmp (f[0], name) == 0 || (parse_id (f[2], &v) && v == id))
        return true;
    }
  return false;
}

void
user_ids_clear (struct user_ids *ids)
{
  free (ids->groups);
  free (ids->home);
  memset (ids, 0, sizeof *ids);
}
