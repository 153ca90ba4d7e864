/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-exec.h"
#include "container-spec.h"
#include "user-lookup.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* --user: the IDs from the container's own /etc/passwd and /etc/group. */
static int
apply_user (struct engine *e, const char *id, const char *user, struct oci_process *p,
            struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, id);
  _cleanup_free_ char *rootfs = xasprintf ("%s/merged", dir);
  _cleanup_close_ int root_fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open the root filesystem `%s`", rootfs);
  struct user_ids ids = { 0 };
  if (user_lookup (root_fd, user, &ids, err) < 0)
    return hk_error_prefix (err, "--user %s", user);
  p->user.uid = ids.uid;
  p->user.gid = ids.gid;
  free (p->user.additional_gids);
  p->user.additional_gids = take_ptr (ids.groups);
  p->user.n_additional_gids = ids.n_groups;
  strv_env_set (&p->env, "HOME", ids.home ? ids.home : "/");
  user_ids_clear (&ids);
  return 0;
}

static int
apply_request (struct engine *e, const struct container_record *r,
               const struct engine_exec_request *q, struct oci_process *p, struct hk_error **err)
{
  strv_free (p->args);
  p->args = strv_copy (q->args);
  if (q->user != NULL && apply_user (e, r->id, q->user, p, err) < 0)
    return -1;
  for (char **v = q->env; v && *v; v++)
    container_spec_env_set (&p->env, *v);
  if (q->workdir != NULL)
    {
      free (p->cwd);
      p->cwd = xstrdup (q->workdir);
    }
  p->terminal = q->tty;
  struct winsize ws;
  if (q->tty && ioctl (0, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
    {
      p->has_console_size = true;
      p->console_height = ws.ws_row;
      p->console_width = ws.ws_col;
    }
  if (q->tty && strv_env_get (p->env, "TERM") == NULL)
    strv_env_set (&p->env, "TERM", "xterm");
  if (q->privileged)
    {
      _cleanup_json_ json_t *all = json_pack ("{s:b}", "Privileged", true);
      uint64_t caps;
      if (container_spec_caps (all, &caps, err) < 0)
        return -1;
      p->has_capabilities = true;
      p->capabilities = (struct oci_capabilities){
        .bounding = caps, .effective = caps, .permitted = caps, .inheritable = 0, .ambient = 0
      };
    }
  return 0;
}

int
engine_exec (struct engine *e, struct container_record *r, const struct engine_exec_request *q,
             int *exit_status, struct hk_error **err)
{
  *exit_status = 1;
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (strcmp (r->state, "paused") == 0)
    return hk_error_set (err, EBUSY, "container %s is paused, unpause the container before exec",
                         r->name);
  if (strcmp (r->state, "running") != 0)
    return hk_error_set (err, EINVAL, "container %s is not running", r->name);
  if (q->tty && q->detach)
    return hk_error_set (err, EINVAL, "-d with -t: a detached exec has no terminal to attach");
  _cleanup_process_ struct oci_process *p = NULL;
  if (container_exec_template (&e->rt, r->id, &p, err) < 0 || apply_request (e, r, q, p, err) < 0)
    return -1;
  _cleanup_close_ int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  struct exec_options o = {
    .id = r->id,
    .process = p,
    .detach = q->detach,
    .stdio = { -1, -1, -1 },
    .reexec_argv = q->reexec_argv,
  };
  if (!q->interactive)
    o.stdio[0] = null_fd;
  if (q->detach)
    o.stdio[1] = o.stdio[2] = null_fd;
  return container_exec (&e->rt, &o, exit_status, err);
}
