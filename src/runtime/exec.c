/* SPDX-License-Identifier: Apache-2.0 */
#include "exec.h"
#include "caps.h"
#include "container-internal.h"
#include "exe-seal.h"
#include "foreground.h"
#include "process.h"
#include "seccomp.h"
#include "spawn.h"
#include "sync.h"
#include "terminal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The namespaces a process can be in, in the order they are joined: the
 * user namespace first (its capabilities let us join the others), the mount
 * namespace last (it changes our root).  pid and time are joined by the
 * parent, for its child. */
static const struct
{
  const char *name;
  int type;
} namespace_order[] = {
  { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC },       { "uts", CLONE_NEWUTS },
  { "net", CLONE_NEWNET },   { "cgroup", CLONE_NEWCGROUP }, { "mnt", CLONE_NEWNS },
};

#define N_JOINED (sizeof namespace_order / sizeof namespace_order[0])

struct execution
{
  const struct runtime_context *ctx;
  const struct exec_options *opts;
  struct container_state *state;
  struct oci_spec *spec; /* the container's config */
  struct seccomp_program *seccomp;
  char *state_json;
  int ns_fds[N_JOINED]; /* -1: the container shares ours */
  int pid_ns_fd, time_ns_fd;
  int root_fd; /* the container's root, as its process sees it */
  int console_fd;
  int sync[2];
  pid_t pid;
  int pidfd;
  int pty_master;
  bool into_cgroup;
};

int
container_exec_template (const struct runtime_context *ctx, const char *id,
                         struct oci_process **out, struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  _cleanup_spec_ struct oci_spec *spec = NULL;
  if (state_load (ctx->state_root, id, &s, err) < 0 || container_load_config (s, &spec, err) < 0)
    return -1;
  if (spec->process == NULL)
    return hk_error_set (err, EINVAL, "container `%s` has no process in its config", id);
  *out = take_ptr (spec->process);
  return 0;
}

static void
execution_release (struct execution *x)
{
  for (size_t i = 0; i < N_JOINED; i++)
    close_fd (&x->ns_fds[i]);
  close_fd (&x->pid_ns_fd);
  close_fd (&x->time_ns_fd);
  close_fd (&x->root_fd);
  close_fd (&x->console_fd);
  close_fd (&x->sync[0]);
  close_fd (&x->sync[1]);
  close_fd (&x->pty_master);
  if (x->pidfd >= 0)
    {
      /* Still ours: setup failed before the program ran. */
      pidfd_send_signal (x->pidfd, SIGKILL, NULL, 0);
      waitpid (x->pid, NULL, 0);
      close_fd (&x->pidfd);
    }
  state_free (x->state);
  spec_free (x->spec);
  seccomp_program_free (x->seccomp);
  free (x->state_json);
}

/* Opens the container process's namespace of NAME, or -1 when it is ours
 * too (nothing to join). */
static int
open_namespace (pid_t pid, const char *name, struct hk_error **err)
{
  char path[64], mine[64];
  snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, name);
  snprintf (mine, sizeof mine, "/proc/self/ns/%s", name);
  struct stat theirs_st, mine_st;
  if (stat (path, &theirs_st) < 0)
    return hk_error_errno (err, errno, "open the %s namespace of process %d", name, (int) pid);
  if (stat (mine, &mine_st) == 0 && mine_st.st_ino == theirs_st.st_ino
      && mine_st.st_dev == theirs_st.st_dev)
    return -1;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  return fd;
}

static int
open_namespaces (struct execution *x, struct hk_error **err)
{
  pid_t pid = x->state->pid;
  struct hk_error *e = NULL;
  for (size_t i = 0; i < N_JOINED; i++)
    {
      x->ns_fds[i] = open_namespace (pid, namespace_order[i].name, &e);
      if (e != NULL)
        {
          *err = e;
          return -1;
        }
    }
  x->pid_ns_fd = open_namespace (pid, "pid", &e);
  if (e == NULL)
    x->time_ns_fd = open_namespace (pid, "time", &e);
  if (e != NULL)
    {
      /* Kernels without time namespaces have no ns/time. */
      if (x->pid_ns_fd >= 0 && e->errnum == ENOENT)
        {
          hk_error_free (e);
          return 0;
        }
      *err = e;
      return -1;
    }
  char root[64];
  snprintf (root, sizeof root, "/proc/%d/root", (int) pid);
  x->root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (x->root_fd < 0)
    return hk_error_errno (err, errno, "open the root of container `%s`", x->opts->id);
  /* The namespaces must belong to the process we checked, not a process
   * that took its pid meanwhile. */
  if (!state_process_alive (pid, x->state->pid_start_time))
    return hk_error_set (err, ESRCH, "container `%s` is not running", x->opts->id);
  return 0;
}

static int
prepare (struct execution *x, struct hk_error **err)
{
  const struct exec_options *o = x->opts;
  if (state_load (x->ctx->state_root, o->id, &x->state, err) < 0)
    return -1;
  enum container_status status = state_status (x->state);
  if (status != STATUS_RUNNING && status != STATUS_CREATED)
    return hk_error_set (err, EINVAL, "container `%s` is %s: exec needs a running container", o->id,
                         state_status_name (status));
  caps_warn_ungrantable (o->process, x->ctx->log);
  if (o->process->terminal && o->console_socket == NULL && o->detach)
    return hk_error_set (err, EINVAL, "a terminal in a detached exec needs --console-socket");
  /* The new process will be visible inside the container before it
   * executes its program: run sealed (CVE-2019-5736). */
  if (o->reexec_argv != NULL && exe_seal_ensure (x->ctx->state_root, o->reexec_argv, err) < 0)
    return -1;
  if (container_load_config (x->state, &x->spec, err) < 0)
    return -1;
  if (x->spec->linux.seccomp != NULL)
    {
      _cleanup_free_ char *cache = container_seccomp_cache (x->ctx);
      if (seccomp_prepare (x->spec->linux.seccomp, cache, &x->seccomp, err) < 0)
        return -1;
    }
  x->state_json = container_state_text (x->state, STATUS_RUNNING);
  if (open_namespaces (x, err) < 0)
    return -1;
  if (o->console_socket != NULL)
    {
      x->console_fd = terminal_connect_socket (o->console_socket, err);
      if (x->console_fd < 0)
        return -1;
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
    return hk_error_errno (err, errno, "socketpair");
  return 0;
}

static int
join_namespaces (const struct execution *x, struct hk_error **err)
{
  for (size_t i = 0; i < N_JOINED; i++)
    if (x->ns_fds[i] >= 0 && setns (x->ns_fds[i], namespace_order[i].type) < 0)
      return hk_error_errno (err, errno, "join the container's %s namespace",
                             namespace_order[i].name);
  /* The container's root, which is not its mount namespace's root when it
   * was made with --no-pivot (chroot). */
  if (fchdir (x->root_fd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return hk_error_errno (err, errno, "enter the container's root");
  return 0;
}

/* The pty, made in the container's devpts once we are in its mounts. */
static int
setup_terminal (const struct execution *x, struct hk_error **err)
{
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int slave = -1, index;
  _cleanup_close_ int master = terminal_open_pty (root, &slave, &index, err);
  if (master < 0)
    return -1;
  _cleanup_close_ int slave_fd = slave;
  int r = x->console_fd >= 0 ? sync_send_fd (x->console_fd, master, "/dev/ptmx", err)
                             : sync_send (x->sync[1], SYNC_PTY, 0, NULL, master, err);
  if (r < 0)
    return -1;
  const struct oci_process *p = x->opts->process;
  return terminal_attach_stdio (slave_fd, p->user.uid, p->console_height, p->console_width, err);
}

static void __attribute__ ((noreturn))
exec_child (struct execution *x)
{
  struct hk_error *err = NULL;
  struct sync_msg msg;
  const struct exec_options *o = x->opts;
  if (!o->detach)
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_DUMPABLE, 0);
  if (sync_expect (x->sync[1], SYNC_GO, &msg, &err) < 0)
    _exit (1);
  sync_msg_clear (&msg);
  if (join_namespaces (x, &err) < 0)
    goto fail;
  if (o->process->terminal)
    {
      if (setup_terminal (x, &err) < 0)
        goto fail;
    }
  else
    for (int fd = 0; fd < 3; fd++)
      if (o->stdio[fd] >= 0 && dup2 (o->stdio[fd], fd) < 0)
        {
          hk_error_errno (&err, errno, "set up stdio fd %d", fd);
          goto fail;
        }
  struct process_setup setup = PROCESS_SETUP_INIT;
  setup.process = o->process;
  setup.has_personality = x->spec->linux.has_personality;
  setup.personality = x->spec->linux.personality;
  setup.memory_policy = x->spec->linux.has_memory_policy ? &x->spec->linux.memory_policy : NULL;
  setup.seccomp = x->seccomp;
  setup.preserve_fds = o->preserve_fds;
  if (process_prepare (&setup, &err) < 0)
    goto fail;
  if (setup.seccomp_listener >= 0
      && sync_send (x->sync[1], SYNC_SECCOMP, 0, NULL, setup.seccomp_listener, &err) < 0)
    goto fail;
  if (o->detach)
    prctl (PR_SET_PDEATHSIG, 0);
  if (sync_send (x->sync[1], SYNC_READY, 0, NULL, -1, &err) < 0
      || sync_expect (x->sync[1], SYNC_READY_ACK, &msg, &err) < 0)
    _exit (1);
  sync_msg_clear (&msg);
  process_exec (&setup, &err);
  sync_send (x->sync[1], SYNC_EXEC_FAILED, err->errnum, err->message, -1, NULL);
  _exit (err->errnum == ENOENT ? 127 : 126);
fail:
  sync_send_error (x->sync[1], err);
  _exit (1);
}

static void __attribute__ ((noreturn))
run_exec_child (void *data)
{
  struct execution *x = data;
  close (x->sync[0]);
  exec_child (x);
}

static int
spawn (struct execution *x, struct hk_error **err)
{
  struct spawn_request req = {
    .pid_ns_fd = x->pid_ns_fd,
    .time_ns_fd = x->time_ns_fd,
    .user_ns_fd = -1,
    .cgroup = x->state->cgroup,
    .child = run_exec_child,
    .data = x,
  };
  struct spawn_result child;
  if (spawn_process (&req, &child, err) < 0)
    return -1;
  x->pid = child.pid;
  x->pidfd = child.pidfd;
  x->into_cgroup = child.in_cgroup;
  close_fd (&x->sync[1]);
  close_fd (&x->console_fd);
  return 0;
}

/* Cgroups, GO, setup messages until READY, the pid file. */
static int
configure (struct execution *x, struct hk_error **err)
{
  if (x->state->cgroup != NULL
      && cgroup_enter (x->state->cgroup, x->pid, x->into_cgroup, err) < 0)
    return -1;
  if (sync_send (x->sync[0], SYNC_GO, 0, NULL, -1, err) < 0)
    return -1;
  for (;;)
    {
      struct sync_msg msg;
      if (sync_recv (x->sync[0], &msg, err) < 0)
        return -1;
      if (msg.type == SYNC_PTY)
        {
          close_fd (&x->pty_master);
          x->pty_master = take_fd (&msg.fd);
          sync_msg_clear (&msg);
          continue;
        }
      if (msg.type == SYNC_SECCOMP)
        {
          int r = seccomp_send_listener (x->seccomp, msg.fd, x->pid, x->state_json, err);
          sync_msg_clear (&msg);
          if (r < 0)
            return -1;
          continue;
        }
      if (msg.type == SYNC_ERROR)
        {
          hk_error_set (err, msg.errnum, "exec in container `%s`: %s", x->opts->id,
                        msg.text ? msg.text : "unknown error");
          sync_msg_clear (&msg);
          return -1;
        }
      int type = msg.type;
      sync_msg_clear (&msg);
      if (type == SYNC_READY)
        break;
      return hk_error_set (err, EPROTO, "unexpected message from the exec process");
    }
  if (x->opts->pid_file != NULL && state_write_pid_file (x->opts->pid_file, x->pid, err) < 0)
    return -1;
  return 0;
}

int
container_exec (const struct runtime_context *ctx, const struct exec_options *opts,
                int *exit_status, struct hk_error **err)
{
  struct execution x = { .ctx = ctx, .opts = opts, .pid_ns_fd = -1, .time_ns_fd = -1, .root_fd = -1,
                         .console_fd = -1, .sync = { -1, -1 }, .pidfd = -1, .pty_master = -1 };
  for (size_t i = 0; i < N_JOINED; i++)
    x.ns_fds[i] = -1;
  *exit_status = 1;
  sigset_t signals, old;
  if (!opts->detach)
    foreground_block_signals (&signals, &old);
  int r = prepare (&x, err);
  if (r == 0)
    r = spawn (&x, err);
  if (r == 0)
    r = configure (&x, err);
  if (r == 0 && sync_await_exec (x.sync[0], err) < 0)
    {
      r = -1;
      *exit_status = (*err)->errnum == ENOENT ? 127 : 126;
      waitpid (x.pid, NULL, 0);
      close_fd (&x.pidfd);
    }
  if (r == 0 && opts->detach)
    {
      close_fd (&x.pidfd); /* the process runs on, not ours to kill */
      *exit_status = 0;
    }
  else if (r == 0)
    {
      r = foreground_wait (x.pidfd, x.pid, x.pty_master, &signals, exit_status, err);
      x.pidfd = -1;
    }
  if (!opts->detach)
    sigprocmask (SIG_SETMASK, &old, NULL);
  execution_release (&x);
  return r;
}
