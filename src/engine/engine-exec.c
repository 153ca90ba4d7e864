/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-events.h"
#include "engine-exec.h"
#include "ctr-spec.h"
#include "ctr-spec-host.h"
#include "engine-render.h"
#include "runtime/caps.h"
#include "runtime/exe-seal.h"
#include "user-lookup.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* --user: the IDs from the container's own /etc/passwd and /etc/group. */
static int
apply_user (struct engine *e, const char *id, const char *user, json_t *p, char ***env,
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
  json_t *groups = json_array ();
  for (size_t i = 0; i < ids.n_groups; i++)
    json_array_append_new (groups, json_integer (ids.groups[i]));
  json_object_set_new (p, "user",
                       json_pack ("{s:I, s:I, s:o}", "uid", (json_int_t)ids.uid, "gid",
                                  (json_int_t)ids.gid, "additionalGids", groups));
  strv_env_set (env, "HOME", ids.home ? ids.home : "/");
  user_ids_clear (&ids);
  return 0;
}

/* The container's process as Q changes it. */
static int
exec_process (struct engine *e, const struct ctr_record *r,
              const struct engine_exec_request *q, json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *p = NULL;
  _cleanup_strv_ char **env = NULL;
  if (engine_render_process (e, r, &p, err) < 0 || json_get_strv (p, "process", "env", &env, err) < 0)
    return -1;
  if (env == NULL)
    env = xzalloc (sizeof (char *));
  json_object_set_new (p, "args", json_from_strv (q->args));
  if (q->user != NULL && apply_user (e, r->id, q->user, p, &env, err) < 0)
    return -1;
  for (char **v = q->env; v && *v; v++)
    ctr_spec_env_set (&env, *v);
  if (q->tty && strv_env_get (env, "TERM") == NULL)
    strv_env_set (&env, "TERM", "xterm");
  json_object_set_new (p, "env", json_from_strv (env));
  if (q->workdir != NULL)
    json_object_set_new (p, "cwd", json_string (q->workdir));
  json_object_set_new (p, "terminal", json_boolean (q->tty));
  json_object_del (p, "consoleSize");
  struct winsize ws;
  if (q->tty && ioctl (0, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
    json_object_set_new (p, "consoleSize",
                         json_pack ("{s:i, s:i}", "height", ws.ws_row, "width", ws.ws_col));
  if (q->privileged)
    {
      struct ctr_config all;
      ctr_config_init (&all);
      all.privileged = true;
      uint64_t caps;
      if (ctr_spec_caps (&all, spec_host_permitted_caps (), &caps, err) < 0)
        return -1;
      json_object_set_new (p, "capabilities", ctr_spec_caps_json (caps, caps_last_cap ()));
    }
  *out = take_ptr (p);
  return 0;
}

int
engine_exec (struct engine *e, struct ctr_record *r, const struct engine_exec_request *q,
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
  _cleanup_json_ json_t *process = NULL;
  if (exec_process (e, r, q, &process, err) < 0)
    return -1;
  _cleanup_close_ int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  struct backend_exec x = {
    .id = r->id,
    .process = process,
    .detach = q->detach,
    .reexec_argv = q->reexec_argv,
    .work_dir = run_dir,
  };
  memcpy (x.stdio, q->stdio, sizeof x.stdio);
  if (!q->interactive && x.stdio[0] < 0)
    x.stdio[0] = null_fd;
  if (q->detach)
    for (int fd = 0; fd < 3; fd++)
      if (x.stdio[fd] < 0 || fd == 0)
        x.stdio[fd] = null_fd;
  struct runtime_backend b;
  engine_backend (e, r, &b);
  /* The in-process runtime runs an exec from its sealed copy: re-executed
   * here, before the events, which the copy then records once. */
  if (b.program == NULL && q->reexec_argv != NULL && exe_seal_ensure (e->runtime_root, q->reexec_argv, err) < 0)
    return -1;
  _cleanup_free_ char *exec_id = engine_event_exec (e, r, q->args);
  int rc = backend_exec (&b, &x, exit_status, err);
  if (!q->detach)
    engine_event_exec_die (e, r, exec_id, rc < 0 ? -1 : *exit_status);
  return rc;
}
