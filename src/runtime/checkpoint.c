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
      if (req->op == CRIU_DUMP)
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", m->destination, m->destination));
      else if (m->source[0] == '/')
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", m->destination, m->source));
      else
        add_pair (argv, "--external",
                  xasprintf ("mnt[%s]:%s/%s", m->destination, req->bundle, m->source));
    }
  /* Masked files are the host's /dev/null bound over them. */
  char **masked = req->spec->linux.masked_paths;
  for (size_t i = 0; masked != NULL && masked[i] != NULL; i++)
    {
      if (req->op == CRIU_DUMP)
        add_pair (argv, "--external", xasprintf ("mnt[%s]:%s", masked[i], masked[i]));
      else
        add_pair (argv, "--external", xasprintf ("mnt[%s]:/dev/null", masked[i]));
    }
}

char **
criu_argv (const char *criu, const struct criu_request *req)
{
  char **argv = NULL;
  add (&argv, criu);
  add (&argv, req->op == CRIU_DUMP ? "dump" : "restore");
  add (&argv, "--images-dir");
  add (&argv, req->images_dir);
  add (&argv, "--work-dir");
  add (&argv, req->work_dir ? req->work_dir : req->images_dir);
  add (&argv, "--log-file");
  add (&argv, req->op == CRIU_DUMP ? "dump.log" : "restore.log");
  add (&argv, "-v4");
  add (&argv, "--manage-cgroups");
  add (&argv, req->manage_cgroups_mode ? req->manage_cgroups_mode : "soft");
  if (req->op == CRIU_DUMP)
    {
      add_pair (&argv, "--tree", xasprintf ("%d", (int) req->pid));
      if (req->leave_running)
        add (&argv, "--leave-running");
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
  add_external_mounts (&argv, req);
  for (size_t i = 0; i < req->n_external_ns; i++)
    {
      const struct criu_external_ns *ns = &req->external_ns[i];
      if (req->op == CRIU_DUMP)
        add_pair (&argv, "--external", xasprintf ("%s[%lu]:%s-ns", ns->type, ns->inode, ns->type));
      else if (ns->fd >= 0)
        add_pair (&argv, "--inherit-fd", xasprintf ("fd[%d]:%s-ns", ns->fd, ns->type));
    }
  if (req->console_key != NULL)
    {
      if (req->op == CRIU_DUMP)
        add_pair (&argv, "--external", xasprintf ("%s", req->console_key));
      else if (req->console_fd >= 0)
        add_pair (&argv, "--inherit-fd", xasprintf ("fd[%d]:%s", req->console_fd, req->console_key));
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

/* The tail of criu's log, to explain a failure. */
static char *
log_tail (const char *dir, const char *name)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (fs_read_file (AT_FDCWD, path, CRIU_LOG_MAX_SIZE, &text, &len, NULL) < 0)
    return xstrdup ("(no log)");
  size_t start = len > 600 ? len - 600 : 0;
  char *tail = xstrdup (text + start);
  trim (tail);
  return tail;
}

/* Runs criu with REQ; the error quotes its log. */
int
criu_run (const char *criu, const struct criu_request *req, struct hk_error **err)
{
  _cleanup_strv_ char **argv = criu_argv (criu, req);
  _cleanup_free_ char *output = NULL;
  int status = run_captured (argv, &output, err);
  if (status < 0)
    return -1;
  if (status != 0)
    {
      _cleanup_free_ char *tail
          = log_tail (req->work_dir ? req->work_dir : req->images_dir,
                      req->op == CRIU_DUMP ? "dump.log" : "restore.log");
      return hk_error_set (err, EIO, "criu %s failed (status %d): %s",
                           req->op == CRIU_DUMP ? "dump" : "restore", status, tail);
    }
  return 0;
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

const char *
criu_program (const char *configured)
{
  return configured != NULL ? configured : "criu";
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
  if (status != STATUS_RUNNING)
    return hk_error_set (err, EINVAL, "container `%s` is %s: only a running container can be checkpointed",
                         opts->id, state_status_name (status));
  /* Before anything is made or changed. */
  if (criu_check (criu, err) < 0)
    return -1;
  _cleanup_spec_ struct oci_spec *spec = NULL;
  if (container_load_config (s, &spec, err) < 0 || state_lock (s, err) < 0)
    return -1;
  if (spec->process != NULL && spec->process->terminal)
    return hk_error_set (err, ENOTSUP, "checkpoint of a container with a terminal is not supported");
  if (fs_mkdir_p (opts->image_path, 0700, err) < 0
      || (opts->work_path != NULL && fs_mkdir_p (opts->work_path, 0700, err) < 0))
    return -1;
  struct criu_external_ns ns[4];
  struct criu_request req = {
    .op = CRIU_DUMP,
    .spec = spec,
    .bundle = s->bundle,
    .images_dir = opts->image_path,
    .work_dir = opts->work_path,
    .pid = s->pid,
    .leave_running = opts->leave_running,
    .tcp_established = opts->tcp_established,
    .file_locks = opts->file_locks,
    .ext_unix_sk = opts->ext_unix_sk,
    .shell_job = opts->shell_job,
    .manage_cgroups_mode = opts->manage_cgroups_mode,
    .external_ns = ns,
    .n_external_ns = external_namespaces (spec, s->pid, ns),
    .console_fd = -1,
  };
  if (criu_run (criu, &req, err) < 0)
    return -1;
  if (opts->leave_running)
    return 0;
  /* criu ended the processes: the container is gone, as with runc. */
  return container_cleanup (ctx, s, err);
}
