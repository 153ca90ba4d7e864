/* SPDX-License-Identifier: Apache-2.0 */
/* cp and export: files in and out of a container, running or not.
 *
 * A running container is reached through /proc/PID/root, its root in its
 * own mount namespace: what cp sees is what the container sees, volumes
 * and tmpfs mounts included.  A stopped container's overlay is mounted on
 * its merged directory for the time of the copy if it is not mounted.
 * export always reads the overlay on the host, which holds the
 * container's file system without any of its mounts. */
#include "ctr-archive.h"
#include "copy-plan.h"
#include "ctr-transfer.h"
#include "engine/ctr-config-userns.h"
#include "engine/ctr-userns.h"
#include "common/cleanup.h"
#include "common/in-root.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "store/rootfs.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A container's root directory, open. */
struct container_root
{
  int fd;
  bool mounted; /* its overlay was mounted for us: unmount when done */
};

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

/* The pid of R's first process while it runs, 0 when it does not. */
static pid_t
running_pid (struct engine *e, const struct ctr_record *r)
{
  struct runtime_backend b;
  engine_backend (e, r, &b);
  _cleanup_json_ json_t *state = NULL;
  struct hk_error *gone = NULL;
  if (backend_state (&b, r->id, &state, &gone) < 0)
    {
      hk_error_free (gone);
      return 0;
    }
  const char *status = json_string_value (json_object_get (state, "status"));
  if (status == NULL || (strcmp (status, "running") != 0 && strcmp (status, "paused") != 0))
    return 0;
  return (pid_t)json_integer_value (json_object_get (state, "pid"));
}

/* The root of the running container's first process; -1 when it is gone.
 * The process must be the same, and still the container's, after the open:
 * a pid recycled meanwhile would lead into another process's root. */
static int
open_process_root (struct engine *e, const struct ctr_record *r)
{
  pid_t pid = running_pid (e, r);
  unsigned long long start = pid > 0 ? state_process_start_time (pid) : 0;
  if (start == 0)
    return -1;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/root", (int)pid);
  _cleanup_close_ int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || !state_process_alive (pid, start) || running_pid (e, r) != pid)
    return -1;
  return take_fd (&fd);
}

static int
root_open (struct engine *e, struct ctr_record *r, bool live, struct container_root *out,
           struct hk_error **err)
{
  *out = (struct container_root){ .fd = -1 };
  if (live && is_running (r) && (out->fd = open_process_root (e, r)) >= 0)
    return 0;
  if (engine_mount_rootfs (e, r->id, &out->mounted, err) < 0)
    return hk_error_prefix (err, "mount the file system of container %s", r->name);
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  out->fd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (out->fd < 0)
    return hk_error_errno (err, errno, "open the file system of container %s", r->name);
  return 0;
}

static void
root_close (struct engine *e, struct ctr_record *r, struct container_root *root)
{
  if (root->fd >= 0)
    close (root->fd);
  struct hk_error *ignored = NULL;
  /* Started meanwhile: the container uses the mount now. */
  if (root->mounted && engine_refresh (e, r, &ignored) == 0 && !is_running (r))
    {
      _cleanup_free_ char *dir = engine_container_dir (e, r->id);
      _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
      image_rootfs_unmount (merged, &ignored);
    }
  hk_error_free (ignored);
}

/* ---- one archive from a writer thread to an extractor ---- */

struct transfer
{
  const struct id_maps *maps; /* the source is a remapped container */
  int root_fd;
  const char *path;
  const char *name;
  bool follow;
  int out_fd;
  struct hk_error *err;
  int rc;
};

static void *
transfer_write (void *data)
{
  struct transfer *t = data;
  t->rc = ctr_archive_write (t->root_fd, t->path, t->name, t->follow, t->maps, t->out_fd,
                            &t->err);
  close (t->out_fd); /* the extractor's end of file */
  return NULL;
}

static int
transfer (struct transfer *t, int dst_root, const char *dst_dir,
          const struct ctr_extract_options *o, struct hk_error **err)
{
  int pair[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    return hk_error_errno (err, errno, "socketpair");
  t->out_fd = pair[1];
  pthread_t thread;
  int rc = pthread_create (&thread, NULL, transfer_write, t);
  if (rc != 0)
    {
      close (pair[0]);
      close (pair[1]);
      return hk_error_errno (err, rc, "start a thread");
    }
  struct hk_error *extract_err = NULL;
  int extracted = ctr_archive_extract (dst_root, dst_dir, pair[0], o, &extract_err);
  close (pair[0]); /* a writer still writing stops with EPIPE */
  pthread_join (thread, NULL);
  /* The writer's error explains the extractor's, unless the extractor
   * stopped first. */
  if (t->rc < 0 && t->err->errnum != EPIPE)
    {
      hk_error_free (extract_err);
      *err = take_ptr (t->err);
      return -1;
    }
  hk_error_free (t->err);
  if (extracted < 0)
    {
      *err = extract_err;
      return -1;
    }
  return 0;
}

/* ---- cp ---- */

/* What is at PATH (in ROOT_FD); a missing path is no error. */
static int
probe (int root_fd, const char *path, bool follow, struct copy_dest *out, struct hk_error **err)
{
  struct hk_error *open_err = NULL;
  _cleanup_close_ int fd
      = in_root_open (root_fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, &open_err);
  struct stat st;
  out->path = path;
  out->exists = fd >= 0 && fstat (fd, &st) == 0;
  out->is_dir = out->exists && S_ISDIR (st.st_mode);
  if (fd < 0 && errno != ENOENT)
    {
      *err = open_err;
      return -1;
    }
  hk_error_free (open_err);
  return 0;
}

static int
container_source (struct container_root *root, const struct ctr_record *r, const char *path,
                  bool follow, struct copy_source *out, struct hk_error **err)
{
  struct copy_dest seen;
  if (probe (root->fd, path, follow, &seen, err) < 0)
    return hk_error_prefix (err, "container %s", r->name);
  if (!seen.exists)
    return hk_error_set (err, ENOENT, "no such file or directory in container %s: %s", r->name,
                         path);
  *out = (struct copy_source){ .path = path, .is_dir = seen.is_dir };
  return 0;
}

/* CONTAINER:SRC to the local DST, or to a tar on stdout with DST "-". */
static int
copy_out (struct container_root *root, const struct ctr_record *r, const char *src,
          const char *dst, const struct transfer_copy_options *o, struct hk_error **err)
{
  struct id_maps maps_storage;
  const struct id_maps *maps = ctr_config_id_maps (&r->config, &maps_storage);
  struct copy_source source;
  if (container_source (root, r, src, o->follow, &source, err) < 0)
    return -1;
  if (strcmp (dst, "-") == 0)
    {
      _cleanup_free_ char *name = copy_path_base (src);
      return ctr_archive_write (root->fd, src, name, o->follow, maps, STDOUT_FILENO, err);
    }
  _cleanup_close_ int host = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *cwd = get_current_dir_name ();
  _cleanup_free_ char *abs
      = dst[0] == '/' || cwd == NULL ? xstrdup (dst) : xasprintf ("%s/%s", cwd, dst);
  struct copy_dest target;
  struct copy_plan plan;
  if (probe (host, abs, true, &target, err) < 0)
    return -1;
  target.path = dst;
  if (copy_plan_make (&source, &target, &plan, err) < 0)
    return -1;
  /* The destination directory is the root of the extraction: nothing in
   * the archive goes above it. */
  _cleanup_close_ int dir = open (plan.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc = -1;
  if (dir < 0)
    hk_error_errno (err, errno, "the destination directory `%s`", plan.dir);
  else
    {
      struct transfer t = { .maps = maps,
                            .root_fd = root->fd,
                            .path = src,
                            .name = plan.name,
                            .follow = o->follow };
      struct ctr_extract_options x
          = { .keep_owner = o->archive, .uid = getuid (), .gid = getgid () };
      if ((rc = transfer (&t, dir, ".", &x, err)) < 0)
        hk_error_prefix (err, "copy from container %s", r->name);
    }
  copy_plan_clear (&plan);
  return rc;
}

/* The local SRC (or a tar on stdin with SRC "-") to CONTAINER:DST. */
static int
copy_in (struct container_root *root, const struct ctr_record *r, const char *src,
         const char *dst, const struct transfer_copy_options *o, struct hk_error **err)
{
  /* Without -a what lands in the container belongs to its root; with -a
   * the archive's owners are the container's ids. */
  struct id_maps maps_storage;
  struct ctr_extract_options x = { .keep_owner = o->archive,
                                   .maps = ctr_config_id_maps (&r->config, &maps_storage),
                                   .devices = true };
  ctr_userns_root (&r->config, &x.uid, &x.gid);
  struct copy_dest target;
  if (probe (root->fd, dst, true, &target, err) < 0)
    return hk_error_prefix (err, "container %s", r->name);
  if (strcmp (src, "-") == 0)
    {
      if (!target.is_dir)
        return hk_error_set (
            err, ENOTDIR, "the destination `%s` in container %s must be a directory", dst, r->name);
      return ctr_archive_extract (root->fd, dst, STDIN_FILENO, &x, err);
    }
  _cleanup_close_ int host = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *cwd = get_current_dir_name ();
  _cleanup_free_ char *abs
      = src[0] == '/' || cwd == NULL ? xstrdup (src) : xasprintf ("%s/%s", cwd, src);
  struct copy_dest seen;
  if (probe (host, abs, o->follow, &seen, err) < 0)
    return -1;
  if (!seen.exists)
    return hk_error_set (err, ENOENT, "no such file or directory: %s", src);
  struct copy_source source = { .path = src, .is_dir = seen.is_dir };
  struct copy_plan plan;
  if (copy_plan_make (&source, &target, &plan, err) < 0)
    return -1;
  struct transfer t = { .root_fd = host, .path = abs, .name = plan.name, .follow = o->follow };
  int rc = transfer (&t, root->fd, plan.dir, &x, err);
  copy_plan_clear (&plan);
  return rc < 0 ? hk_error_prefix (err, "copy into container %s", r->name) : 0;
}

int
transfer_copy (struct engine *e, const char *src, const char *dst,
             const struct transfer_copy_options *o, struct hk_error **err)
{
  struct copy_arg from, to;
  if (copy_arg_parse (src, &from, err) < 0)
    return -1;
  if (copy_arg_parse (dst, &to, err) < 0)
    {
      copy_arg_clear (&from);
      return -1;
    }
  int rc = -1;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (from.container && to.container)
    hk_error_set (err, EINVAL, "copying between containers is not supported");
  else if (!from.container && !to.container)
    hk_error_set (err, EINVAL, "one of the paths must name a container: CONTAINER:PATH");
  else if (engine_find (e, from.container ? from.container : to.container, &r, err) == 0)
    {
      struct container_root root;
      if (root_open (e, r, true, &root, err) == 0)
        rc = from.container ? copy_out (&root, r, from.path, to.path, o, err)
                            : copy_in (&root, r, from.path, to.path, o, err);
      root_close (e, r, &root);
    }
  copy_arg_clear (&from);
  copy_arg_clear (&to);
  return rc;
}

int
transfer_export (struct engine *e, struct ctr_record *r, int out_fd, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  struct container_root root;
  int rc = root_open (e, r, false, &root, err);
  if (rc == 0)
    {
      struct id_maps maps;
      rc = ctr_archive_write (root.fd, "/", "", false, ctr_config_id_maps (&r->config, &maps),
                              out_fd, err);
    }
  root_close (e, r, &root);
  return rc < 0 ? hk_error_prefix (err, "export container %s", r->name) : 0;
}
