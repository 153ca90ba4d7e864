/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-ipc.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#define HOST_SHM "/dev/shm"
/* Docker's /dev/shm size. */
#define SHM_DEFAULT_SIZE (64 * 1024 * 1024)

static char *
shm_dir (const struct engine *e, const char *id)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  return xasprintf ("%s/shm", run_dir);
}

static bool
is_mode (const struct ctr_config *c, const char *mode)
{
  return strcmp (config_ipc_mode (c), mode) == 0;
}

int
ctr_ipc_shm_source (struct engine *e, const struct ctr_record *r, char **out, struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  *out = NULL;
  if (is_mode (c, "host"))
    *out = xstrdup (HOST_SHM);
  else if (is_mode (c, "shareable"))
    *out = shm_dir (e, r->id);
  if (*out != NULL || c->ipc_container == NULL)
    return 0;
  _cleanup_record_ struct ctr_record *target = NULL;
  if (ctr_record_find (e->db, c->ipc_container, &target, err) < 0)
    return hk_error_prefix (err, "--ipc %s", c->ipc_mode);
  *out = is_mode (&target->config, "host") ? xstrdup (HOST_SHM) : shm_dir (e, target->id);
  return 0;
}

int
ctr_ipc_up (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  if (!is_mode (c, "shareable"))
    return 0;
  ctr_ipc_down (e, r);
  _cleanup_free_ char *dir = shm_dir (e, r->id);
  _cleanup_free_ char *options = xasprintf (
      "mode=1777,size=%lld", (long long)(c->shm_size > 0 ? c->shm_size : SHM_DEFAULT_SIZE));
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return hk_error_prefix (err, "container %s: its shareable /dev/shm", r->name);
  if (mount ("shm", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options) < 0)
    return hk_error_errno (err, errno, "container %s: mount its shareable /dev/shm on `%s`",
                           r->name, dir);
  return 0;
}

void
ctr_ipc_down (struct engine *e, const struct ctr_record *r)
{
  if (!is_mode (&r->config, "shareable"))
    return;
  _cleanup_free_ char *dir = shm_dir (e, r->id);
  if (umount2 (dir, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    hk_warn (e->log, "container %s: unmount its shareable /dev/shm `%s`: %s", r->name, dir,
             strerror (errno));
}
