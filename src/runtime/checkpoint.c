/* SPDX-License-Identifier: Apache-2.0 */
#include "checkpoint.h"
#include "container-internal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* What is read of criu's own output, and of its log for an error. */
#define CRIU_OUTPUT_MAX_SIZE (1024 * 1024)
#define CRIU_LOG_MAX_SIZE (16 * 1024 * 1024)

static bool
is_bind (const struct oci_mount *m)
{
  return strcmp (m->type, "bind") == 0 || strv_contains (m->options, "bind")
         || strv_contains (m->options, "rbind");
}

static void
add (char ***argv, const char *a)
{
  strv_append (argv, a);
}

static void
add_pair (char ***argv, const char *flag, char *value_taken)
{
  strv_append (argv, flag);
  strv_append_take (argv, value_taken);
}

static const char *const op_names[] = { "pre-dump", "dump", "restore" };
static const char *const log_names[] = { "pre-dump.log", "dump.log", "restore.log" };

/* The container's cgroup mount when it binds the host's directories (no
 * cgroup namespace): its destination, else NULL. */
static const char *
bound_cgroup_mount (const struct oci_spec *spec)
{
  if (spec_namespace (spec, CLONE_NEWCGROUP) != NULL)
    return NULL;
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].type, "cgroup") == 0 || strcmp (spec->mounts[i].type, "cgroup2") == 0)
      return spec->mounts[i].destination;
  return NULL;
}

/* Without a cgroup namespace the host's cgroup directories are bound into
 * the container (one, or one per v1 hierarchy under a tmpfs): external to
 * criu, and on restore the new container's directories. */
static void
add_cgroup_mounts (char ***argv, const struct criu_request *req)
{
  const char *dest = bound_cgroup_mount (req->spec);
  if (dest == NULL || req->cgroup == NULL || req->cgroup->n == 0)
    return;
  bool only_v2 = req->cgroup->n == 1 && req->cgroup->dirs[0].v2;
  for (size_t i = 0; i < req->cgroup->n; i++)
    {
      const struct cgroup_dir *d = &req->cgroup->dirs[i];
      _cleanup_free_ char *key = only_v2 ? xstrdup (dest)
                                         : xasprintf ("%s/%s", dest, strrchr (d->mount_point, '/') + 1);
      if (req->op == CRIU_RESTORE)
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", key, d->dir));
      else
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", key, key));
    }
}

/* Bind mounts are outside criu's reach: name them on dump by their place
 * in the container, give their host source again on restore. */
static void
add_external_mounts (char ***argv, const struct criu_request *req)
{
  for (size_t i = 0; i < req->spec->n_mounts; i++)
    {
      const struct oci_mount *m = &req->spec->mounts[i];
      if (!is_bind (m))
        continue;
      if (req->op != CRIU_RESTORE)
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", m->destination, m->destination));
      else if (m->source[0] == '/')
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", m->destination, m->source));
      else
        add_pair (argv, "--external",
                  xasprintf ("mnt[%s]:%s/%s", m->destination, req->bundle, m->source));
    }
  add_cgroup_mounts (argv, req);
  /* Masked files are the host's /dev/null bound over them, all named
   * "/dev/null" in the images; masked directories are empty tmpfs mounts,
   * which criu saves itself. */
  for (size_t i = 0; req->masked_files != NULL && req->masked_files[i] != NULL; i++)
    add_pair (argv, "--external", xasprintf ("mnt[%s]:/dev/null", req->masked_files[i]));
  char **masked = req->spec->linux.masked_paths;
  if (req->op == CRIU_RESTORE && masked != NULL && masked[0] != NULL)
    add (argv, "--external"), add (argv, "mnt[/dev/null]:/dev/null");
}

char **
criu_argv (const char *criu, const struct criu_request *req)
{
  char **argv = NULL;
  add (&argv, criu);
  add (&argv, op_names[req->op]);
  add (&argv, "--images-dir");
  add (&argv, req->images_dir);
  add (&argv, "--work-dir");
  add (&argv, req->work_dir ? req->work_dir : req->images_dir);
  add (&argv, "--log-file");
  add (&argv, log_names[req->op]);
  add (&argv, "-v4");
  /* criu takes the mode only in the one-word form. */
  strv_append_take (&argv, xasprintf ("--manage-cgroups=%s",
                                      req->manage_cgroups_mode ? req->manage_cgroups_mode : "soft"));
  if (req->op != CRIU_RESTORE)
    {
      add_pair (&argv, "--tree", xasprintf ("%d", (int) req->pid));
      if (req->leave_running && req->op == CRIU_DUMP)
        add (&argv, "--leave-running");
      /* criu finds it frozen and leaves it so (containerd pauses first) */
      if (req->freeze_cgroup != NULL)
        add_pair (&argv, "--freeze-cgroup", xstrdup (req->freeze_cgroup));
      if (req->op == CRIU_PRE_DUMP || req->parent_path != NULL)
        add (&argv, "--track-mem");
      if (req->parent_path != NULL)
        add_pair (&argv, "--prev-images-dir", xstrdup (req->parent_path));
    }
  else
    {
      add (&argv, "--root");
      add (&argv, req->rootfs);
      add (&argv, "--restore-detached");
      add (&argv, "--pidfile");
      add (&argv, req->pidfile);
      /* The restored processes go into the container's new cgroup. */
      for (size_t i = 0; req->cgroup != NULL && i < req->cgroup->n; i++)
        {
          const struct cgroup_dir *d = &req->cgroup->dirs[i];
          if (d->v2)
            add_pair (&argv, "--cgroup-root", xstrdup (d->path));
          else
            add_pair (&argv, "--cgroup-root", xasprintf ("%s:%s", d->controllers, d->path));
        }
    }
  if (req->tcp_established)
    add (&argv, "--tcp-established");
  if (req->file_locks)
    add (&argv, "--file-locks");
  if (req->ext_unix_sk)
    add (&argv, "--ext-unix-sk");
  if (req->shell_job)
    add (&argv, "--shell-job");
  if (req->empty_netns)
    add_pair (&argv, "--empty-ns", xstrdup ("net"));
  add_external_mounts (&argv, req);
  for (size_t i = 0; i < req->n_external_ns; i++)
    {
      const struct criu_external_ns *ns = &req->external_ns[i];
      if (req->op != CRIU_RESTORE)
        add_pair (&argv, "--external", xasprintf ("%s[%lu]:%s-ns", ns->type, ns->inode, ns->type));
      else if (ns->fd >= 0)
        add_pair (&argv, "--inherit-fd", xasprintf ("fd[%d]:%s-ns", ns->fd, ns->type));
    }
  /* Stdio pipes (a monitor's, a shim's) come back as the caller's own. */
  for (int fd = 0; fd < 3 && req->op == CRIU_RESTORE; fd++)
    if (req->stdio_pipes[fd] != NULL)
      add_pair (&argv, "--inherit-fd", xasprintf ("fd[%d]:%s", req->stdio_fds[fd], req->stdio_pipes[fd]));
  /* A terminal's master is outside the container: its slave is external,
   * and so is /dev/console, bound from the slave when the container has
   * its own mounts. */
  bool console_bound = spec_namespace (req->spec, CLONE_NEWNS) != NULL;
  if (req->console_key != NULL)
    {
      if (req->op != CRIU_RESTORE)
        add_pair (&argv, "--external", xasprintf ("%s", req->console_key));
      else if (req->console_fd >= 0)
        add_pair (&argv, "--inherit-fd", xasprintf ("fd[%d]:%s", req->console_fd, req->console_key));
      if (console_bound && req->op != CRIU_RESTORE)
        add (&argv, "--external"), add (&argv, "mnt[/dev/console]:console");
      else if (console_bound && req->console_path != NULL)
        add_pair (&argv, "--external", xasprintf ("mnt[console]:%s", req->console_path));
    }
  return argv;
}

/* Runs ARGV with its output captured in *OUTPUT; returns its exit status,
 * or -1 with *ERR when it could not run. */
static int
run_captured (char **argv, char **output, struct hk_error **err)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid == 0)
    {
      dup2 (fds[1], 1);
      dup2 (fds[1], 2);
      execvp (argv[0], argv);
      dprintf (2, "cannot execute %s: %s", argv[0], strerror (errno));
      _exit (127);
    }
  close (fds[1]);
  int rc = fs_read_fd (fds[0], CRIU_OUTPUT_MAX_SIZE, output, NULL, err);
  close (fds[0]);
  int status = 0;
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return hk_error_errno (err, errno, "run %s", argv[0]);
  if (rc < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
trim (char *s)
{
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
    s[--n] = '\0';
}

int
criu_check (const char *criu, struct hk_error **err)
{
  char *argv[] = { (char *) criu, (char *) "check", NULL };
  _cleanup_free_ char *output = NULL;
  int status = run_captured (argv, &output, err);
  if (status < 0)
    return -1;
  if (status == 127)
    return hk_error_set (err, ENOENT, "checkpoint/restore needs criu: %s (install Debian's criu)", output);
  if (status != 0)
    {
      trim (output);
      return hk_error_set (err, ENOTSUP,
                           "criu cannot checkpoint on this host; `criu check` says: %s", output);
    }
  return 0;
}

/* The lines of TEXT that say why criu failed: its last "Error" lines (at
 * most MAX), else its last MAX lines. */
static char *
failure_lines (const char *text, size_t max)
{
  _cleanup_free_ char *copy = xstrdup (text);
  _cleanup_strv_ char **lines = NULL;
  char *save = NULL;
  for (char *l = strtok_r (copy, "\n", &save); l != NULL; l = strtok_r (NULL, "\n", &save))
    strv_append (&lines, l);
  size_t n = strv_length (lines), picked = 0;
  const char *pick[8];
  for (size_t i = n; i-- > 0 && picked < max;)
    if (strstr (lines[i], "Error") != NULL)
      pick[picked++] = lines[i];
  if (picked == 0)
    for (size_t i = n; i-- > 0 && picked < max;)
      pick[picked++] = lines[i];
  char *out = xstrdup ("");
  for (size_t i = picked; i-- > 0;)
    {
      char *next = xasprintf ("%s\n  %s", out, pick[i]);
      free (out);
      out = next;
    }
  return out;
}

/* Runs criu with REQ; the error quotes its log (or its own output when it
 * wrote no log) and names the log. */
int
criu_run (const char *criu, const struct criu_request *req, struct hk_error **err)
{
  _cleanup_strv_ char **argv = criu_argv (criu, req);
  _cleanup_free_ char *output = NULL;
  int status = run_captured (argv, &output, err);
  if (status < 0)
    return -1;
  if (status == 0)
    return 0;
  _cleanup_free_ char *log = xasprintf ("%s/%s", req->work_dir ? req->work_dir : req->images_dir,
                                        log_names[req->op]);
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, log, CRIU_LOG_MAX_SIZE, &text, NULL, NULL) < 0)
    {
      _cleanup_free_ char *why = failure_lines (output, 4);
      return hk_error_set (err, EIO, "criu %s failed (status %d) and wrote no log %s; it said:%s",
                           op_names[req->op], status, log, why);
    }
  _cleanup_free_ char *why = failure_lines (text, 4);
  return hk_error_set (err, EIO, "criu %s failed (status %d); its log %s ends:%s", op_names[req->op],
                       status, log, why);
}

/* Namespaces the container joined rather than made: criu leaves them out
 * and needs them named. */
static size_t
external_namespaces (const struct oci_spec *spec, pid_t pid, struct criu_external_ns *out)
{
  static const struct
  {
    int type;
    const char *criu_name, *proc_name;
  } kinds[] = { { CLONE_NEWNET, "net", "net" }, { CLONE_NEWPID, "pid", "pid" } };
  size_t n = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      const struct oci_namespace *ns = spec_namespace (spec, kinds[i].type);
      if (ns != NULL && ns->path == NULL)
        continue; /* the container's own: criu dumps it */
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, kinds[i].proc_name);
      struct stat st;
      if (stat (path, &st) < 0)
        continue;
      out[n++] = (struct criu_external_ns) { .type = kinds[i].criu_name,
                                             .inode = (unsigned long) st.st_ino, .fd = -1 };
    }
  return n;
}

/* The masked paths that are files in PID's root: the host's /dev/null is
 * bound over them.  Missing paths were not masked; directories are empty
 * tmpfs mounts. */
static char **
masked_files (const struct oci_spec *spec, pid_t pid)
{
  char **files = NULL;
  char **masked = spec->linux.masked_paths;
  for (size_t i = 0; masked != NULL && masked[i] != NULL; i++)
    {
      _cleanup_free_ char *path = xasprintf ("/proc/%d/root%s", (int) pid, masked[i]);
      struct stat st;
      if (stat (path, &st) == 0 && !S_ISDIR (st.st_mode))
        strv_append (&files, masked[i]);
    }
  return files;
}

/* A terminal container's slave as criu names it, "tty[RDEV:DEV]" (hex),
 * written to the images directory for restore.  *KEY is NULL without a
 * terminal. */
static int
save_console_key (const struct oci_spec *spec, pid_t pid, const char *images, char **key,
                  struct hk_error **err)
{
  *key = NULL;
  if (spec->process == NULL || !spec->process->terminal)
    return 0;
  _cleanup_free_ char *fd0 = xasprintf ("/proc/%d/fd/0", (int) pid);
  struct stat st;
  if (stat (fd0, &st) < 0)
    return hk_error_errno (err, errno, "stat the container's terminal `%s`", fd0);
  if (!S_ISCHR (st.st_mode))
    return hk_error_set (err, EINVAL, "the container's stdin is no longer its terminal");
  _cleanup_free_ char *text = xasprintf ("tty[%llx:%llx]", (unsigned long long) st.st_rdev,
                                         (unsigned long long) st.st_dev);
  _cleanup_close_ int dir = open (images, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open `%s`", images);
  if (fs_write_atomic (dir, CRIU_TTY_KEY_FILE, text, strlen (text), 0600, err) < 0)
    return -1;
  *key = take_ptr (text);
  return 0;
}

/* What PID's fds 0-2 are, saved with the images: restore hands its own
 * stdio over for the pipes among them. */
static int
save_stdio (pid_t pid, const char *images, struct hk_error **err)
{
  char *text = xstrdup ("");
  for (int fd = 0; fd < 3; fd++)
    {
      char link[64], target[256];
      snprintf (link, sizeof link, "/proc/%d/fd/%d", (int) pid, fd);
      ssize_t n = readlink (link, target, sizeof target - 1);
      target[n > 0 ? n : 0] = '\0';
      char *next = xasprintf ("%s%s\n", text, target);
      free (text);
      text = next;
    }
  _cleanup_free_ char *owned = text;
  _cleanup_close_ int dir = open (images, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open `%s`", images);
  return fs_write_atomic (dir, CRIU_STDIO_FILE, owned, strlen (owned), 0600, err);
}

const char *
criu_program (const char *configured)
{
  return configured != NULL ? configured : "criu";
}

/* The directory whose freezer holds CG's processes: the v1 freezer
 * hierarchy's, else the v2 cgroup. */
static const char *
freezer_dir (const struct cgroup *cg)
{
  const char *v2 = NULL;
  for (size_t i = 0; cg != NULL && i < cg->n; i++)
    if (cg->dirs[i].controllers != NULL && strstr (cg->dirs[i].controllers, "freezer") != NULL)
      return cg->dirs[i].dir;
    else if (cg->dirs[i].v2)
      v2 = cg->dirs[i].dir;
  return v2;
}

int
container_checkpoint (const struct runtime_context *ctx, const struct checkpoint_options *opts,
                      struct hk_error **err)
{
  const char *criu = criu_program (opts->criu);
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (ctx->state_root, opts->id, &s, err) < 0)
    return -1;
  enum container_status status = state_status (s);
  if (status != STATUS_RUNNING && status != STATUS_PAUSED)
    return hk_error_set (err, EINVAL, "container `%s` is %s: only a running or paused container "
                         "can be checkpointed", opts->id, state_status_name (status));
  /* Before anything is made or changed. */
  if (!opts->criu_checked && criu_check (criu, err) < 0)
    return -1;
  _cleanup_spec_ struct oci_spec *spec = NULL;
  if (container_load_config (s, &spec, err) < 0 || state_lock (s, err) < 0)
    return -1;
  if (fs_mkdir_p (opts->image_path, 0700, err) < 0
      || (opts->work_path != NULL && fs_mkdir_p (opts->work_path, 0700, err) < 0))
    return -1;
  _cleanup_free_ char *console_key = NULL;
  if (save_console_key (spec, s->pid, opts->image_path, &console_key, err) < 0
      || save_stdio (s->pid, opts->image_path, err) < 0)
    return -1;
  struct criu_external_ns ns[4];
  _cleanup_strv_ char **masked = masked_files (spec, s->pid);
  struct criu_request req = {
    .op = opts->pre_dump ? CRIU_PRE_DUMP : CRIU_DUMP,
    .spec = spec,
    .bundle = s->bundle,
    .images_dir = opts->image_path,
    .work_dir = opts->work_path,
    .pid = s->pid,
    .parent_path = opts->parent_path,
    .masked_files = masked,
    .cgroup = s->cgroup,
    .leave_running = opts->leave_running,
    .tcp_established = opts->tcp_established,
    .file_locks = opts->file_locks,
    .ext_unix_sk = opts->ext_unix_sk,
    .shell_job = opts->shell_job,
    .empty_netns = opts->empty_netns,
    .manage_cgroups_mode = opts->manage_cgroups_mode,
    .freeze_cgroup = status == STATUS_PAUSED ? freezer_dir (s->cgroup) : NULL,
    .external_ns = ns,
    .n_external_ns = external_namespaces (spec, s->pid, ns),
    .console_fd = -1,
    .console_key = console_key,
  };
  if (criu_run (criu, &req, err) < 0)
    return -1;
  if (opts->leave_running || opts->pre_dump)
    return 0;
  /* criu ended the processes: the container is gone, as with runc. */
  return container_cleanup (ctx, s, err);
}
