/* SPDX-License-Identifier: Apache-2.0 */
#include "cli-paths.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#define ROOT_RUNROOT "/run/hako"

/* VAR when set to an absolute path (the XDG base directory rules ignore
 * a relative one). */
static const char *
absolute_env (const char *var)
{
  const char *v = getenv (var);
  return v != NULL && v[0] == '/' ? v : NULL;
}

int
cli_default_root (uid_t uid, char **out, struct hk_error **err)
{
  if (uid == 0)
    {
      *out = xstrdup (STORE_DEFAULT_ROOT);
      return 0;
    }
  const char *data = absolute_env ("XDG_DATA_HOME");
  if (data != NULL)
    {
      *out = xasprintf ("%s/hako", data);
      return 0;
    }
  const char *home = absolute_env ("HOME");
  if (home == NULL)
    return hk_error_set (err, ENOENT,
                         "neither XDG_DATA_HOME nor HOME is set (to an absolute path): set one, "
                         "or use --root");
  *out = xasprintf ("%s/.local/share/hako", home);
  return 0;
}

/* /tmp/hako-UID made, or checked to be a directory of UID's alone. */
static int
private_tmp (uid_t uid, char **out, struct hk_error **err)
{
  char *dir = xasprintf ("/tmp/hako-%u", (unsigned)uid);
  struct stat st;
  if ((mkdir (dir, 0700) < 0 && errno != EEXIST) || lstat (dir, &st) < 0)
    {
      int saved = errno;
      free (dir);
      return hk_error_errno (err, saved, "the run directory /tmp/hako-%u", (unsigned)uid);
    }
  if (!S_ISDIR (st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0)
    {
      hk_error_set (err, EPERM,
                    "`%s` is not a directory of uid %u alone (mode 0700): remove it, or set "
                    "XDG_RUNTIME_DIR, or use --runroot",
                    dir, (unsigned)uid);
      free (dir);
      return -1;
    }
  *out = dir;
  return 0;
}

int
cli_default_runroot (uid_t uid, char **out, bool *fallback, struct hk_error **err)
{
  *fallback = false;
  if (uid == 0)
    {
      *out = xstrdup (ROOT_RUNROOT);
      return 0;
    }
  const char *run = absolute_env ("XDG_RUNTIME_DIR");
  if (run != NULL)
    {
      *out = xasprintf ("%s/hako", run);
      return 0;
    }
  _cleanup_free_ char *tmp = NULL;
  if (private_tmp (uid, &tmp, err) < 0)
    return -1;
  *out = xasprintf ("%s/run", tmp);
  *fallback = true;
  return 0;
}
