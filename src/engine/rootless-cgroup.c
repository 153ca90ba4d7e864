/* SPDX-License-Identifier: Apache-2.0 */
#include "rootless-cgroup.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Our cgroup v2 path ("/a/b"), from the "0::PATH" line; NULL on a v1-only
 * host or when unreadable. */
static char *
own_cgroup (void)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, "/proc/self/cgroup", 65536, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, "0::/", 4) == 0)
      return xstrdup (line + 3);
  return NULL;
}

static bool
owned_by_us (const char *cgroup_root, const char *path)
{
  _cleanup_free_ char *dir = xasprintf ("%s%s", cgroup_root, path);
  struct stat st;
  return stat (dir, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == geteuid ();
}

static bool
has_subtree_controllers (const char *cgroup_root, const char *path)
{
  _cleanup_free_ char *file = xasprintf ("%s%s/cgroup.subtree_control", cgroup_root, path);
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, file, 4096, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return false;
    }
  return text[strspn (text, " \n")] != '\0';
}

char *
rootless_cgroup_parent (const char *cgroup_root)
{
  /* a pure v2 host: the root of the hierarchy is the cgroup2 mount */
  _cleanup_free_ char *controllers = xasprintf ("%s/cgroup.controllers", cgroup_root);
  if (access (controllers, F_OK) < 0)
    return NULL;
  _cleanup_free_ char *path = own_cgroup ();
  if (path == NULL)
    return NULL;
  _cleanup_free_ char *delegated = NULL;
  while (strcmp (path, "/") != 0 && owned_by_us (cgroup_root, path))
    {
      free (delegated);
      delegated = xstrdup (path);
      char *slash = strrchr (path, '/');
      slash[slash == path ? 1 : 0] = '\0';
    }
  if (delegated == NULL || !has_subtree_controllers (cgroup_root, delegated))
    return NULL;
  return xasprintf ("%s/hako", delegated + 1);
}
