/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime-backend.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/exec.h"
#include "runtime/spec.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the external runtime's command line ---- */

/* PROGRAM --root ROOT --log LOG --log-format json ARGS... */
static char **
runtime_argv (const struct runtime_backend *b, const char *log_path, char *const *args)
{
  char **argv = xzalloc (sizeof (char *));
  strv_append (&argv, b->program);
  strv_append (&argv, "--root");
  strv_append (&argv, b->program_root);
  if (log_path != NULL)
    {
      strv_append (&argv, "--log");
      strv_append (&argv, log_path);
      strv_append (&argv, "--log-format");
      strv_append (&argv, "json");
    }
  for (char *const *a = args; *a; a++)
    strv_append (&argv, *a);
  return argv;
}

/* Starts ARGV with STDIO (-1: ours); returns the child's pid. */
static pid_t
spawn (char **argv, const int stdio[3], struct hk_error **err)
{
  pid_t pid = fork ();
  if (pid < 0)
    return hk_error_errno (err, errno, "fork");
  if (pid == 0)
    {
      for (int fd = 0; fd < 3; fd++)
        if (stdio[fd] >= 0 && dup2 (stdio[fd], fd) < 0)
          _exit (127);
      signal (SIGINT, SIG_DFL);
      signal (SIGPIPE, SIG_DFL);
      execv (argv[0], argv);
      fprintf (stderr, "execute the OCI runtime `%s`: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  return pid;
}

static int
wait_child (pid_t pid)
{
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return 255;
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

/* The last error message in a runtime's JSON log (runc and crun write
 * {"level": "error", "msg": ...} lines), or its plain last line. */
static char *
log_message (const char *log_path)
{
  _cleanup_free_ char *text = NULL;
  if (log_path == NULL || fs_read_file (AT_FDCWD, log_path, FS_TEXT_FILE_MAX, &text, NULL, NULL) < 0)
    return NULL;
  char *message = NULL;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      json_t *j = json_loads (line, 0, NULL);
      const char *msg = json_string_value (json_object_get (j, "msg"));
      const char *level = json_string_value (json_object_get (j, "level"));
      if (msg != NULL && (level == NULL || strcmp (level, "error") == 0))
        {
          free (message);
          message = xstrdup (msg);
        }
      else if (j == NULL)
        {
          free (message);
          message = xstrdup (line);
        }
      json_decref (j);
    }
  return message;
}

/* Runs `PROGRAM ... VERB ARGS` to completion; its stdout in *OUT when OUT
 * is given.  A failure quotes the runtime's own message. */
static int
run_runtime (const struct runtime_backend *b, char *const *args, int stdin_fd, char **out,
             struct hk_error **err)
{
  _cleanup_close_ int log_fd = memfd_create ("runtime-log", MFD_CLOEXEC);
  _cleanup_close_ int out_fd = out ? memfd_create ("runtime-out", MFD_CLOEXEC) : -1;
  if (log_fd < 0 || (out && out_fd < 0))
    return hk_error_errno (err, errno, "memfd_create");
  /* The runtime opens the log by name: our memfd through /proc. */
  _cleanup_free_ char *log_path = xasprintf ("/proc/%d/fd/%d", (int)getpid (), log_fd);
  _cleanup_strv_ char **argv = runtime_argv (b, log_path, args);
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int stdio[3] = { stdin_fd >= 0 ? stdin_fd : null_fd, out ? out_fd : null_fd, -1 };
  pid_t pid = spawn (argv, stdio, err);
  close (null_fd);
  if (pid < 0)
    return -1;
  int status = wait_child (pid);
  if (status != 0)
    {
      _cleanup_free_ char *message = log_message (log_path);
      return hk_error_set (err, EIO, "%s %s: %s", b->program, args[0],
                           message ? message : "failed (no message)");
    }
  if (out)
    {
      struct stat st;
      fstat (out_fd, &st);
      *out = xzalloc ((size_t)st.st_size + 1);
      if (pread (out_fd, *out, (size_t)st.st_size, 0) < 0)
        return hk_error_errno (err, errno, "read the output of %s", b->program);
    }
  return 0;
}

static int
run_runtime_json (const struct runtime_backend *b, char *const *args, json_t **out,
                  struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (run_runtime (b, args, -1, &text, err) < 0)
    return -1;
  return json_parse_object (text, strlen (text), b->program, out, err);
}

/* ---- create ---- */

int
backend_receive_pty (int sock, struct hk_error **err)
{
  char name[64];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = { .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  if (recvmsg (sock, &mh, MSG_CMSG_CLOEXEC) < 0 || CMSG_FIRSTHDR (&mh) == NULL)
    return hk_error_errno (err, errno ? errno : EPROTO, "receive the container's terminal");
  int fd;
  memcpy (&fd, CMSG_DATA (CMSG_FIRSTHDR (&mh)), sizeof fd);
  return fd;
}

static int
create_in_process (const struct runtime_backend *b, const struct backend_create *c, pid_t *pid,
                   int *pty, struct hk_error **err)
{
  int console[2] = { -1, -1 };
  struct create_options o = CREATE_OPTIONS_INIT;
  o.id = c->id;
  o.bundle = c->bundle;
  o.reexec_argv = c->reexec_argv;
  if (c->terminal)
    {
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0)
        return hk_error_errno (err, errno, "socketpair");
      o.console_socket_fd = console[1];
    }
  else
    memcpy (o.stdio, c->stdio, sizeof o.stdio);
  int r = container_create (b->lib, &o, err);
  if (r == 0 && c->terminal)
    {
      *pty = backend_receive_pty (console[0], err);
      r = *pty < 0 ? -1 : 0;
    }
  if (console[0] >= 0)
    {
      close (console[0]);
      close (console[1]);
    }
  if (r < 0)
    return -1;
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (b->lib->state_root, c->id, &s, err) < 0)
    return -1;
  *pid = s->pid;
  return 0;
}

/* A socket at DIR/console.sock for the runtime to send the pty to; the
 * name it is given goes through our /proc entry (a socket's path may not
 * be longer than 107 bytes; DIR may be). */
static int
listen_console (const char *dir, int dir_fd, char **name, struct hk_error **err)
{
  if (dir_fd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/console.sock", dir_fd);
  unlink (addr.sun_path);
  _cleanup_close_ int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || bind (sock, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (sock, 1) < 0)
    return hk_error_errno (err, errno, "listen on `%s/console.sock`", dir);
  *name = xasprintf ("/proc/%d/fd/%d/console.sock", (int)getpid (), dir_fd);
  return take_fd (&sock);
}

/* Accepts the runtime's connection on SOCK and takes the pty master, unless
 * the runtime (PID) ends first. */
static int
accept_pty (int sock, pid_t pid, struct hk_error **err)
{
  _cleanup_close_ int pidfd = pidfd_open (pid, 0);
  struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
  if (poll (p, 2, 30000) <= 0 || !(p[0].revents & POLLIN))
    return hk_error_set (err, EIO, "the OCI runtime did not send the container's terminal");
  _cleanup_close_ int conn = accept4 (sock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return hk_error_errno (err, errno, "accept the container's terminal");
  return backend_receive_pty (conn, err);
}

static int
create_external (const struct runtime_backend *b, const struct backend_create *c, pid_t *pid,
                 int *pty, struct hk_error **err)
{
  /* runc's first process is re-parented to us when runc exits. */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    return hk_error_errno (err, errno, "become a child subreaper");
  _cleanup_free_ char *pid_file = xasprintf ("%s/runtime.pid", c->work_dir);
  _cleanup_free_ char *log_path = xasprintf ("%s/runtime.log", c->work_dir);
  _cleanup_free_ char *console = NULL;
  _cleanup_close_ int sock = -1;
  _cleanup_close_ int dir_fd
      = c->terminal ? open (c->work_dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (c->terminal && (sock = listen_console (c->work_dir, dir_fd, &console, err)) < 0)
    return -1;
  _cleanup_strv_ char **args = xzalloc (sizeof (char *));
  strv_append (&args, "create");
  strv_append (&args, "--bundle");
  strv_append (&args, c->bundle);
  strv_append (&args, "--pid-file");
  strv_append (&args, pid_file);
  if (console != NULL)
    {
      strv_append (&args, "--console-socket");
      strv_append (&args, console);
    }
  strv_append (&args, c->id);
  _cleanup_strv_ char **argv = runtime_argv (b, log_path, args);
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int stdio[3] = { null_fd, null_fd, null_fd };
  pid_t child = spawn (argv, c->terminal ? stdio : c->stdio, err);
  close (null_fd);
  if (child < 0)
    return -1;
  if (c->terminal && (*pty = accept_pty (sock, child, err)) < 0)
    {
      kill (child, SIGKILL);
      wait_child (child);
      return -1;
    }
  if (wait_child (child) != 0)
    {
      _cleanup_free_ char *message = log_message (log_path);
      return hk_error_set (err, EIO, "%s create: %s", b->program,
                           message ? message : "failed (no message)");
    }
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, pid_file, 64, &text, NULL, err) < 0)
    return hk_error_prefix (err, "the pid file of %s", b->program);
  *pid = atoi (text);
  return 0;
}

int
backend_create (const struct runtime_backend *b, const struct backend_create *c, pid_t *pid,
                int *pty, struct hk_error **err)
{
  *pty = -1;
  return b->program ? create_external (b, c, pid, pty, err)
                    : create_in_process (b, c, pid, pty, err);
}

void
backend_start_method (const struct runtime_backend *b, const char *id, char **fifo, char ***command)
{
  *fifo = NULL;
  *command = NULL;
  if (b->program == NULL)
    {
      *fifo = xasprintf ("%s/%s/exec.fifo", b->lib->state_root, id);
      return;
    }
  char *args[] = { "start", (char *)id, NULL };
  *command = runtime_argv (b, NULL, args);
}

/* ---- the rest of the lifecycle ---- */

int
backend_kill (const struct runtime_backend *b, const char *id, int signum, bool all,
              struct hk_error **err)
{
  if (b->program == NULL)
    return container_kill (b->lib, id, signum, all, err);
  _cleanup_free_ char *sig = xasprintf ("%d", signum);
  char *with_all[] = { "kill", "--all", (char *)id, sig, NULL };
  char *one[] = { "kill", (char *)id, sig, NULL };
  return run_runtime (b, all ? with_all : one, -1, NULL, err);
}

int
backend_delete (const struct runtime_backend *b, const char *id, struct hk_error **err)
{
  if (b->program == NULL)
    return container_delete (b->lib, id, true, err);
  char *args[] = { "delete", "--force", (char *)id, NULL };
  return run_runtime (b, args, -1, NULL, err);
}

int
backend_pause (const struct runtime_backend *b, const char *id, bool pause, struct hk_error **err)
{
  if (b->program == NULL)
    return container_pause (b->lib, id, pause, err);
  char *args[] = { pause ? "pause" : "resume", (char *)id, NULL };
  return run_runtime (b, args, -1, NULL, err);
}

int
backend_state (const struct runtime_backend *b, const char *id, json_t **out, struct hk_error **err)
{
  if (b->program == NULL)
    return container_state (b->lib, id, out, err);
  char *args[] = { "state", (char *)id, NULL };
  return run_runtime_json (b, args, out, err);
}

int
backend_pids (const struct runtime_backend *b, const char *id, pid_t **pids, size_t *n,
              struct hk_error **err)
{
  if (b->program == NULL)
    return container_pids (b->lib, id, pids, n, err);
  char *args[] = { "ps", "--format", "json", (char *)id, NULL };
  _cleanup_free_ char *text = NULL;
  if (run_runtime (b, args, -1, &text, err) < 0)
    return -1;
  _cleanup_json_ json_t *list = json_loads (text, 0, NULL);
  if (!json_is_array (list))
    return hk_error_set (err, EPROTO, "%s ps: not a JSON list of pids", b->program);
  *n = json_array_size (list);
  *pids = xzalloc ((*n ? *n : 1) * sizeof (pid_t));
  for (size_t i = 0; i < *n; i++)
    (*pids)[i] = (pid_t)json_integer_value (json_array_get (list, i));
  return 0;
}

int
backend_update (const struct runtime_backend *b, const char *id, json_t *resources,
                struct hk_error **err)
{
  if (b->program == NULL)
    {
      struct oci_resources res = { 0 };
      int r = spec_parse_resources (resources, "resources", &res, err);
      if (r == 0)
        r = container_update (b->lib, id, &res, err);
      spec_resources_clear (&res);
      return r;
    }
  _cleanup_free_ char *text = json_to_string (resources, false);
  _cleanup_close_ int in = memfd_create ("resources", MFD_CLOEXEC);
  if (in < 0 || fs_write_all (in, text, strlen (text)) < 0 || lseek (in, 0, SEEK_SET) < 0)
    return hk_error_errno (err, errno, "pass the resources to %s", b->program);
  char *args[] = { "update", "--resources", "-", (char *)id, NULL };
  return run_runtime (b, args, in, NULL, err);
}

int
backend_stats (const struct runtime_backend *b, const char *id, json_t **out, struct hk_error **err)
{
  if (b->program == NULL)
    return container_stats (b->lib, id, out, err);
  char *args[] = { "events", "--stats", (char *)id, NULL };
  return run_runtime_json (b, args, out, err);
}

int
backend_oom_kills (const struct runtime_backend *b, const char *id, uint64_t *out,
                   struct hk_error **err)
{
  if (b->program == NULL)
    return container_oom_kills (b->lib, id, out, err);
  _cleanup_json_ json_t *stats = NULL;
  if (backend_stats (b, id, &stats, err) < 0)
    return -1;
  json_t *memory = json_object_get (json_object_get (stats, "data"), "memory");
  *out = (uint64_t)json_integer_value (json_object_get (memory, "oomKills"));
  return 0;
}

/* ---- exec ---- */

static int
exec_in_process (const struct runtime_backend *b, const struct backend_exec *x, int *status,
                 struct hk_error **err)
{
  _cleanup_process_ struct oci_process *p = NULL;
  if (spec_parse_process (x->process, "process", &p, err) < 0)
    return -1;
  struct exec_options o = {
    .id = x->id,
    .process = p,
    .detach = x->detach,
    .reexec_argv = x->reexec_argv,
  };
  memcpy (o.stdio, x->stdio, sizeof o.stdio);
  return container_exec (b->lib, &o, status, err);
}

static int
exec_external (const struct runtime_backend *b, const struct backend_exec *x, int *status,
               struct hk_error **err)
{
  _cleanup_free_ char *text = json_to_string (x->process, false);
  _cleanup_free_ char *path = xasprintf ("%s/exec-%d.json", x->work_dir, (int)getpid ());
  _cleanup_close_ int dir = open (x->work_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || fs_replace_file (dir, strrchr (path, '/') + 1, text, strlen (text), 0600, err) < 0)
    return hk_error_prefix (err, "write the process for %s", b->program);
  char *detached[] = { "exec", "--process", path, "--detach", (char *)x->id, NULL };
  char *foreground[] = { "exec", "--process", path, (char *)x->id, NULL };
  _cleanup_strv_ char **argv = runtime_argv (b, NULL, x->detach ? detached : foreground);
  /* The runtime relays the terminal and forwards signals itself; a ctrl-c
   * at the terminal reaches it directly. */
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
  sigaction (SIGINT, &ignore, &old_int);
  sigaction (SIGQUIT, &ignore, &old_quit);
  pid_t pid = spawn (argv, x->stdio, err);
  if (pid >= 0)
    *status = wait_child (pid);
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGQUIT, &old_quit, NULL);
  unlink (path);
  return pid < 0 ? -1 : 0;
}

int
backend_exec (const struct runtime_backend *b, const struct backend_exec *x, int *status,
              struct hk_error **err)
{
  *status = 1;
  return b->program ? exec_external (b, x, status, err) : exec_in_process (b, x, status, err);
}
