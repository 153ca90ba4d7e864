/* SPDX-License-Identifier: Apache-2.0 */
/* checkpoint and restore of an engine container (engine-checkpoint.h).
 *
 * checkpoint: criu checked first (nothing changes when it cannot run),
 * the marker that tells the monitor's cleanup this end is a checkpoint's
 * (no restart), the runtime's dump into checkpoint.new/, which replaces
 * checkpoint/ once complete; the monitor sees the process end and its
 * cleanup records the container exited.  A pre-checkpoint is a pre-dump
 * into checkpoint.pre/, a parent for the next dump.  restore: the start's
 * preparation (root mounted, network, config.json), then a monitor that
 * restores instead of creating (engine-start.c). */
#include "engine-checkpoint.h"
#include "engine.h"
#include "engine-monitor.h"
#include "runtime-backend.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "runtime/checkpoint.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMAGES "checkpoint"
#define IMAGES_NEW "checkpoint.new"
#define PRE_IMAGES "checkpoint.pre"
#define PRE_IMAGES_NEW "checkpoint.pre.new"
/* The parent of IMAGES_NEW (and then of IMAGES, its sibling), relative to it
 * as criu wants it. */
#define PRE_IMAGES_FROM_IMAGES "../" PRE_IMAGES
#define LOGS "checkpoint-logs"
#define CHECKPOINTED_AT "checkpointed-at"
#define RESTORED_AT "restored-at"

/* A file's one line, "" when it is missing. */
static char *
read_line (const char *dir, const char *name)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, 256, &text, NULL, NULL) < 0)
    return xstrdup ("");
  text[strcspn (text, "\n")] = '\0';
  return text;
}

static int
write_now (const char *dir, const char *name, struct hk_error **err)
{
  _cleanup_free_ char *now = state_now_rfc3339 ();
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  return fs_write_atomic (dfd, name, now, strlen (now), 0600, err);
}

static int
remove_in (const char *dir, const char *name, struct hk_error **err)
{
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  return fs_remove_tree (dfd, name, err);
}

/* --pid or --ipc joining a namespace that is not the container's own:
 * the flag as given ("--pid host"), or NULL. */
static char *
shared_namespace (const struct ctr_config *c)
{
  if (c->pid_mode != NULL)
    return xasprintf ("--pid %s", c->pid_mode);
  const char *ipc = config_ipc_mode (c);
  if (strcmp (ipc, "host") == 0 || c->ipc_container != NULL)
    return xasprintf ("--ipc %s", ipc);
  return NULL;
}

/* What criu cannot do for this container, said before anything runs. */
static int
check_supported (const struct ctr_record *r, const char *verb, struct hk_error **err)
{
  if (r->config.runtime != NULL)
    return hk_error_set (err, ENOTSUP, "cannot %s container %s: it runs under --runtime %s; "
                         "only hako's own runtime can %s", verb, r->name, r->config.runtime, verb);
  if (r->config.pod != NULL)
    return hk_error_set (err, ENOTSUP, "cannot %s container %s: it is in pod %.12s, whose "
                         "namespaces it joins (a pod member is not dumped apart from its pod)",
                         verb, r->name, r->config.pod);
  _cleanup_free_ char *shared = shared_namespace (&r->config);
  if (shared != NULL)
    return hk_error_set (err, ENOTSUP, "cannot %s container %s: it joins a namespace that is not "
                         "its own (%s); criu dumps only a container whose pid and IPC namespaces "
                         "are its own", verb, r->name, shared);
  return 0;
}

/* The dump (a pre-dump with O->pre_checkpoint) into NEW; criu's log in LOGS. */
static int
dump (struct engine *e, const struct ctr_record *r, const char *dir, const char *new,
      const struct engine_checkpoint_options *o, struct hk_error **err)
{
  _cleanup_free_ char *images = xasprintf ("%s/%s", dir, new);
  _cleanup_free_ char *logs = xasprintf ("%s/%s", dir, LOGS);
  if (remove_in (dir, new, err) < 0 || remove_in (dir, LOGS, err) < 0)
    return -1;
  struct checkpoint_options c = {
    .id = r->id,
    .image_path = images,
    .work_path = logs,
    .pre_dump = o->pre_checkpoint,
    .parent_path = o->with_previous ? PRE_IMAGES_FROM_IMAGES : NULL,
    .leave_running = o->leave_running,
    .tcp_established = o->tcp_established,
    .file_locks = o->file_locks,
    .criu_checked = true, /* engine_checkpoint did, before anything changed */
  };
  if (container_checkpoint (&e->rt, &c, err) < 0)
    {
      struct hk_error *ignored = NULL;
      if (remove_in (dir, new, &ignored) < 0)
        hk_error_free (ignored);
      return hk_error_prefix (err, "checkpoint container %s", r->name);
    }
  return 0;
}

/* DIR's NEW replaces OLD; criu's logs go unless KEEP_LOGS. */
static int
replace_images (const char *dir, const char *new, const char *old, bool keep_logs,
                struct hk_error **err)
{
  _cleanup_free_ char *from = xasprintf ("%s/%s", dir, new);
  _cleanup_free_ char *to = xasprintf ("%s/%s", dir, old);
  if (remove_in (dir, old, err) < 0)
    return -1;
  if (rename (from, to) < 0)
    return hk_error_errno (err, errno, "rename `%s` to `%s`", from, to);
  if (!keep_logs && remove_in (dir, LOGS, err) < 0)
    return -1;
  return 0;
}

/* The new images replace the last checkpoint's; a pre-checkpoint they do
 * not name as their parent is of no more use. */
static int
commit_images (const char *dir, const struct engine_checkpoint_options *o,
               struct hk_error **err)
{
  if (replace_images (dir, IMAGES_NEW, IMAGES, o->keep, err) < 0)
    return -1;
  if (!o->with_previous && remove_in (dir, PRE_IMAGES, err) < 0)
    return -1;
  return write_now (dir, CHECKPOINTED_AT, err);
}

/* A pre-dump of running R into PRE_IMAGES, replacing the last one (and the
 * checkpoint whose parent it was). */
static int
pre_checkpoint (struct engine *e, const struct ctr_record *r, const char *dir,
                const struct engine_checkpoint_options *o, struct hk_error **err)
{
  if (dump (e, r, dir, PRE_IMAGES_NEW, o, err) < 0)
    return -1;
  _cleanup_free_ char *parent = xasprintf ("%s/%s/parent", dir, IMAGES);
  struct stat st;
  if (lstat (parent, &st) == 0 && remove_in (dir, IMAGES, err) < 0)
    return -1;
  return replace_images (dir, PRE_IMAGES_NEW, PRE_IMAGES, o->keep, err);
}

/* --with-previous needs a pre-checkpoint to name. */
static int
check_previous (const struct ctr_record *r, const char *dir, struct hk_error **err)
{
  _cleanup_free_ char *pre = xasprintf ("%s/%s", dir, PRE_IMAGES);
  if (access (pre, F_OK) == 0)
    return 0;
  return hk_error_set (err, ENOENT, "cannot checkpoint container %s --with-previous: it has no "
                       "pre-checkpoint (hako checkpoint --pre-checkpoint %s makes one)", r->name,
                       r->name);
}

int
engine_checkpoint (struct engine *e, struct ctr_record *r,
                   const struct engine_checkpoint_options *o, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0 || check_supported (r, "checkpoint", err) < 0)
    return -1;
  if (strcmp (r->state, "running") != 0)
    return hk_error_set (err, EINVAL, "cannot checkpoint container %s: it is %s, not running",
                         r->name, r->state);
  /* Before anything is made or changed. */
  if (criu_check (criu_program (NULL), err) < 0)
    return hk_error_prefix (err, "cannot checkpoint container %s", r->name);
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  if (o->pre_checkpoint)
    return pre_checkpoint (e, r, dir, o, err);
  if (o->with_previous && check_previous (r, dir, err) < 0)
    return -1;
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  _cleanup_free_ char *marker = xasprintf ("%s/%s", run_dir, CHECKPOINT_MARKER);
  if (!o->leave_running && write_now (run_dir, CHECKPOINT_MARKER, err) < 0)
    return -1;
  if (dump (e, r, dir, IMAGES_NEW, o, err) < 0)
    {
      unlink (marker);
      return -1;
    }
  /* criu ended the process: the monitor's cleanup records the exit. */
  if (!o->leave_running)
    engine_wait_cleanup (r);
  unlink (marker);
  if (commit_images (dir, o, err) < 0)
    return -1;
  _cleanup_record_ struct ctr_record *now = NULL;
  if (ctr_record_find (e->db, r->id, &now, err) < 0)
    return -1;
  return engine_refresh (e, now, err);
}

int
engine_restore (struct engine *e, struct ctr_record *r,
                const struct engine_checkpoint_options *o, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0 || check_supported (r, "restore", err) < 0)
    return -1;
  bool checkpointed;
  _cleanup_free_ char *at = NULL, *restored = NULL;
  engine_checkpoint_status (e, r, &checkpointed, &at, &restored);
  if (strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0)
    return hk_error_set (err, EBUSY, "cannot restore container %s: it is %s", r->name, r->state);
  if (!checkpointed)
    return hk_error_set (err, ENOENT, "cannot restore container %s: it has no checkpoint "
                         "(hako checkpoint %s makes one)", r->name, r->name);
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *images = xasprintf ("%s/%s", dir, IMAGES);
  _cleanup_free_ char *logs = xasprintf ("%s/%s", dir, LOGS);
  struct restore_options ro = {
    .create = CREATE_OPTIONS_INIT,
    .image_path = images,
    .work_path = logs,
    .tcp_established = o->tcp_established,
    .file_locks = o->file_locks,
  };
  if (engine_start_restored (e, r, &ro, err) < 0)
    return -1;
  if (write_now (dir, RESTORED_AT, err) < 0)
    return -1;
  if (o->keep)
    return 0;
  if (remove_in (dir, IMAGES, err) < 0 || remove_in (dir, PRE_IMAGES, err) < 0)
    return -1;
  return remove_in (dir, LOGS, err);
}

int
engine_checkpoint_adopt (struct engine *e, struct ctr_record *r, const char *images,
                         const char *checkpointed_at, struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *to = xasprintf ("%s/%s", dir, IMAGES);
  if (rename (images, to) < 0)
    return hk_error_errno (err, errno, "rename `%s` to `%s`", images, to);
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  return fs_write_atomic (dfd, CHECKPOINTED_AT, checkpointed_at, strlen (checkpointed_at), 0600,
                          err);
}

char *
engine_checkpoint_images (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  return xasprintf ("%s/%s", dir, IMAGES);
}

char *
engine_checkpoint_logs (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  return xasprintf ("%s/%s", dir, LOGS);
}

void
engine_checkpoint_status (struct engine *e, const struct ctr_record *r, bool *checkpointed,
                          char **checkpointed_at, char **restored_at)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *images = xasprintf ("%s/%s", dir, IMAGES);
  *checkpointed_at = read_line (dir, CHECKPOINTED_AT);
  *restored_at = read_line (dir, RESTORED_AT);
  /* Times in one fixed-width UTC format compare as strings: a start (a
   * restore's too) after the checkpoint ends it. */
  bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
  *checkpointed = !running && **checkpointed_at != '\0'
                  && strcmp (*checkpointed_at, r->started_at) > 0 && access (images, F_OK) == 0;
}
