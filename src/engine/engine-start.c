/* SPDX-License-Identifier: Apache-2.0 */
/* engine_start: a monitor process for the container.
 *
 *   hako (this process)            monitor (forked)
 *   fork ───────────────────────► setsid; create the container with the
 *                                 runtime library (its first process is
 *                                 our child, its stdio our pipes or pty)
 *                                 execve hako-monitor (small, static),
 *                                 which listens on the attach socket,
 *   read "ok" on the notify pipe ◄─ says "ok", starts the container
 *   record: running, monitor pid
 *
 * Because the monitor exec's a small program after the setup, the memory
 * it keeps while the container runs is that program's alone. */
#include "engine-events.h"
#include "engine.h"
#include "ctr-ipc.h"
#include "ctr-network.h"
#include "ctr-port-relay.h"
#include "ctr-userns.h"
#include "engine-checkpoint.h"
#include "engine-monitor.h"
#include "engine-render.h"
#include "pod-cgroup.h"
#include "pod-record.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/rootfs.h"
#include "runtime/checkpoint.h"
#include "runtime/state.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
add (char ***argv, const char *a)
{
  strv_append (argv, a);
}

static void
add_fd (char ***argv, const char *flag, int fd)
{
  strv_append (argv, flag);
  strv_append_take (argv, xasprintf ("%d", fd));
}

/* The hako command line that the monitor runs for COMMAND ID. */
static void
add_hako_command (char ***argv, const struct engine *e, const char *command, const char *id)
{
  add (argv, e->hako_path);
  add (argv, "--root");
  add (argv, e->root);
  add (argv, "--runroot");
  add (argv, e->runroot);
  add (argv, "container");
  add (argv, command);
  add (argv, id);
  add (argv, "--");
}

/* Docker's defaults: 30 s between checks, 30 s for each. */
#define HEALTH_DEFAULT_MS 30000

static void
add_ms (char ***argv, const char *flag, int64_t ns, int64_t fallback_ms)
{
  add (argv, flag);
  strv_append_take (argv, xasprintf ("%lld", (long long)(ns > 0 ? ns / 1000000 : fallback_ms)));
}

static void
add_health (char ***argv, const struct engine *e, const struct ctr_record *r)
{
  const struct config_health *h = &r->config.health;
  if (!ctr_config_has_health (&r->config))
    return;
  add_ms (argv, "--health-interval", h->interval_ns, HEALTH_DEFAULT_MS);
  add_ms (argv, "--health-timeout", h->timeout_ns, HEALTH_DEFAULT_MS);
  add_ms (argv, "--health-start-period", h->start_period_ns, 0);
  add (argv, "--health-command");
  add_hako_command (argv, e, "healthcheck", r->id);
}

/* Clears FD_CLOEXEC so FD survives into the monitor program. */
static void
inherit (int fd)
{
  if (fd >= 0)
    fcntl (fd, F_SETFD, 0);
}

/* The monitor's ends of the container's stdio: pipes, or the pty. */
struct monitor_fds
{
  int out, err, in; /* -1 when not there */
  int pty;
};

/* The command line that becomes R's monitor again: what the runtime
 * re-executes from its sealed copy when the container joins a pid
 * namespace (CVE-2019-5736: its processes could see ours).  NOTIFY_FD
 * and OWNER_FD are inherited. */
static char **
monitor_again_argv (const struct engine *e, const struct ctr_record *r, bool start_on_attach,
                    int notify_fd, int owner_fd)
{
  char **argv = NULL;
  add (&argv, e->hako_path);
  add (&argv, "--root");
  add (&argv, e->root);
  add (&argv, "--runroot");
  add (&argv, e->runroot);
  add (&argv, "container");
  add (&argv, "monitor");
  if (notify_fd >= 0)
    add_fd (&argv, "--notify-fd", notify_fd);
  if (owner_fd >= 0)
    add_fd (&argv, "--owner-fd", owner_fd);
  if (start_on_attach)
    add (&argv, "--start-on-attach");
  add (&argv, r->id);
  return argv;
}

/* R's container from its checkpoint (engine-checkpoint.c) instead of a
 * create: the runtime's restore hands our fds 0-2 to the restored process
 * for the pipes it had, or with a terminal makes a new pty whose master
 * it sends over a socket pair into *PTY; the process becomes our child
 * (we are its subreaper).  Its pid from the pid file. */
static int
restore_container (struct engine *e, const struct ctr_record *r, const struct backend_create *c,
                   const struct restore_options *restore, pid_t *pid, int *pty,
                   struct hk_error **err)
{
  _cleanup_free_ char *pid_file = xasprintf ("%s/restore.pid", c->work_dir);
  struct restore_options o = *restore;
  o.create.id = r->id;
  o.create.bundle = c->bundle;
  o.create.pid_file = pid_file;
  o.detach = true;
  _cleanup_close_ int ours = -1, theirs = -1;
  if (c->terminal)
    {
      int console[2];
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0)
        return hk_error_errno (err, errno, "restore container %s: socketpair", r->name);
      ours = console[0];
      theirs = console[1];
      o.create.console_socket_fd = theirs;
    }
  else
    for (int fd = 0; fd < 3; fd++)
      if (dup2 (c->stdio[fd], fd) < 0)
        return hk_error_errno (err, errno, "restore container %s: stdio", r->name);
  int status;
  if (container_restore (&e->rt, &o, &status, err) < 0)
    return hk_error_prefix (err, "restore container %s", r->name);
  if (c->terminal && (*pty = backend_receive_pty (ours, err)) < 0)
    return hk_error_prefix (err, "restore container %s", r->name);
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, pid_file, 64, &text, NULL, err) < 0)
    return hk_error_prefix (err, "restore container %s", r->name);
  unlink (pid_file);
  *pid = (pid_t)atoi (text);
  return 0;
}

/* Creates R's container, our child or re-parented to us, its stdio our
 * pipes or a pty; its first process in *PID. */
static int
create_container (struct engine *e, const struct ctr_record *r, char **again,
                  const struct restore_options *restore, struct monitor_fds *m, pid_t *pid,
                  struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  bool tty = r->config.tty, interactive = r->config.open_stdin;
  int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 };
  _cleanup_close_ int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  struct backend_create c
      = { .id = r->id, .bundle = dir, .work_dir = run_dir, .terminal = tty, .reexec_argv = again };
  if (!tty)
    {
      if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0
          || (interactive && pipe2 (in, O_CLOEXEC) < 0))
        return hk_error_errno (err, errno, "pipe");
      c.stdio[0] = interactive ? in[0] : null_fd;
      c.stdio[1] = out[1];
      c.stdio[2] = errp[1];
    }
  *m = (struct monitor_fds){ .out = out[0], .err = errp[0], .in = in[1], .pty = -1 };
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (restore != NULL)
    return restore_container (e, r, &c, restore, pid, &m->pty, err);
  if (backend_create (&b, &c, pid, &m->pty, err) < 0)
    return hk_error_prefix (err, "start container %s", r->name);
  return 0;
}

/* How the monitor starts the container: our runtime's exec fifo, or an
 * external runtime's `start`. */
static void
add_start (char ***argv, const struct engine *e, const struct ctr_record *r, bool restored)
{
  if (restored)
    {
      add (argv, "--started"); /* running already */
      return;
    }
  struct runtime_backend b;
  engine_backend (e, r, &b);
  _cleanup_free_ char *fifo = NULL;
  _cleanup_strv_ char **start_command = NULL;
  backend_start_method (&b, r->id, &fifo, &start_command);
  if (fifo != NULL)
    {
      add (argv, "--exec-fifo");
      add (argv, fifo);
      return;
    }
  add (argv, "--start-command");
  for (char **a = start_command; *a; a++)
    add (argv, *a);
  add (argv, "--");
}

static void
add_stdio (char ***argv, const struct monitor_fds *m, int notify_fd, int owner_fd)
{
  if (owner_fd >= 0)
    add_fd (argv, "--owner-fd", owner_fd);
  if (m->pty >= 0)
    add_fd (argv, "--pty-fd", m->pty);
  else
    {
      add_fd (argv, "--out-fd", m->out);
      add_fd (argv, "--err-fd", m->err);
      if (m->in >= 0)
        add_fd (argv, "--in-fd", m->in);
    }
  if (notify_fd >= 0)
    add_fd (argv, "--notify-fd", notify_fd);
}

/* hako-monitor's command line for R's container, process PID. */
static char **
monitor_argv (const struct engine *e, const struct ctr_record *r, pid_t pid,
              const struct monitor_fds *m, bool restored, bool start_on_attach, int notify_fd,
              int owner_fd)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  _cleanup_free_ char *log_path = engine_log_path (e, r->id);
  char **argv = NULL;
  add (&argv, e->monitor_path);
  add (&argv, "--id");
  add (&argv, r->id);
  add (&argv, "--run-dir");
  add (&argv, run_dir);
  add (&argv, "--log");
  add (&argv, log_path);
  add (&argv, "--log-max-size");
  strv_append_take (&argv, xasprintf ("%lld", (long long)r->config.log_max_size));
  add (&argv, "--log-max-files");
  strv_append_take (&argv, xasprintf ("%d", r->config.log_max_files));
  add_fd (&argv, "--pid", pid);
  add_start (&argv, e, r, restored);
  add_stdio (&argv, m, notify_fd, owner_fd);
  if (start_on_attach)
    add (&argv, "--start-on-attach");
  add_health (&argv, e, r);
  add (&argv, "--exit-command");
  add_hako_command (&argv, e, "cleanup", r->id);
  return argv;
}

/* engine_become_monitor, or with RESTORE its restore's counterpart;
 * RELAYS as ctr_port_relays gave them (read before the fork: the store's
 * connection is the parent's). */
static int
become_monitor (struct engine *e, const struct ctr_record *r, const struct restore_options *restore,
                bool start_on_attach, int notify_fd, int owner_fd, char *const *relays,
                struct hk_error **err)
{
  struct monitor_fds m;
  pid_t pid;
  /* Bound first: a port taken fails the start before a container is made. */
  struct port_relay_socket *relay = NULL;
  size_t n_relay = 0;
  if (ctr_port_relay_bind (e->log, relays, &relay, &n_relay, err) < 0)
    return -1;
  _cleanup_strv_ char **again = monitor_again_argv (e, r, start_on_attach, notify_fd, owner_fd);
  /* Through a re-execution from the sealed copy too: the notify pipe, and
   * the programs, which that copy would look for next to itself. */
  inherit (notify_fd);
  inherit (owner_fd);
  setenv ("HAKO_PROGRAM", e->hako_path, 1);
  setenv ("HAKO_MONITOR", e->monitor_path, 1);
  setenv ("HAKO_INIT", e->init_path, 1);
  setenv ("HAKO_PAUSE", e->pause_path, 1);
  if (create_container (e, r, again, restore, &m, &pid, err) < 0)
    {
      ctr_port_relay_close (relay, n_relay);
      return -1;
    }
  _cleanup_strv_ char **argv
      = monitor_argv (e, r, pid, &m, restore != NULL, start_on_attach, notify_fd, owner_fd);
  for (size_t i = 0; i < n_relay; i++)
    {
      add (&argv, "--relay");
      add (&argv, relay[i].arg);
    }
  /* Only the monitor's own fds go on; the container has its ends. */
  close_range (3, ~0U, CLOSE_RANGE_CLOEXEC);
  int kept[] = { m.pty, m.out, m.err, m.in, notify_fd, owner_fd };
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
    inherit (kept[i]);
  for (size_t i = 0; i < n_relay; i++)
    inherit (relay[i].fd);
  execv (e->monitor_path, argv);
  hk_error_errno (err, errno, "execute the monitor `%s`", e->monitor_path);
  ctr_port_relay_close (relay, n_relay);
  return -1;
}

int
engine_become_monitor (struct engine *e, const struct ctr_record *r, bool start_on_attach,
                       int notify_fd, int owner_fd, struct hk_error **err)
{
  _cleanup_strv_ char **relays = NULL;
  if (ctr_port_relays (e, r, &relays, err) < 0)
    return -1;
  return become_monitor (e, r, NULL, start_on_attach, notify_fd, owner_fd, relays, err);
}

/* The monitor's reply on FD, ended by a NUL byte (an error may have
 * several lines: criu's, quoted), or NULL when the monitor (PID) died
 * first.  The container process holds a copy of the pipe until it
 * executes its program, so end of file cannot tell us. */
static char *
read_reply (int fd, pid_t pid)
{
  _cleanup_close_ int pidfd = pidfd_open (pid, 0);
  char buf[4096];
  size_t len = 0;
  while (len < sizeof buf - 1)
    {
      struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      if (poll (p, pidfd >= 0 ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (!(p[0].revents & (POLLIN | POLLHUP)))
        break; /* the monitor is gone and said nothing more */
      ssize_t n = read (fd, buf + len, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || buf[len] == '\0')
        break;
      len++;
    }
  if (len == 0)
    return NULL;
  buf[len] = '\0';
  return xstrdup (buf);
}

/* Leftovers of the container's previous run. */
static void
reset_run_state (struct engine *e, const struct ctr_record *r)
{
  const char *id = r->id;
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  _cleanup_free_ char *exit_file = xasprintf ("%s/exit", run_dir);
  _cleanup_free_ char *stopping = xasprintf ("%s/stopping", run_dir);
  /* left by a `hako checkpoint` that was killed */
  _cleanup_free_ char *checkpointing = xasprintf ("%s/" CHECKPOINT_MARKER, run_dir);
  unlink (exit_file);
  unlink (stopping);
  unlink (checkpointing);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  struct hk_error *ignored = NULL;
  backend_delete (&b, id, &ignored);
  hk_error_free (ignored);
}

/* In the monitor: a pidfd of OWNER, our parent, or -1 when it is gone
 * already (then the pid could be another process's). */
static int
watch_owner (pid_t owner)
{
  int fd = pidfd_open (owner, 0);
  if (fd >= 0 && getppid () != owner)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Forks the monitor, which creates and starts the container; its pid in
 * *PID, its reply ("ok" or "error: ...") in *REPLY (NULL when it died
 * first). */
static int
fork_monitor (struct engine *e, const struct ctr_record *r, unsigned flags,
              const struct restore_options *restore, pid_t *pid, char **reply,
              struct hk_error **err)
{
  _cleanup_strv_ char **relays = NULL;
  if (ctr_port_relays (e, r, &relays, err) < 0)
    return -1;
  int notify[2];
  if (pipe2 (notify, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t self = getpid ();
  *pid = fork ();
  if (*pid < 0)
    {
      close (notify[0]);
      close (notify[1]);
      return hk_error_errno (err, errno, "fork the monitor");
    }
  if (*pid == 0)
    {
      close (notify[0]);
      setsid ();
      signal (SIGINT, SIG_IGN);
      struct hk_error *e2 = NULL;
      int owner = -1;
      if ((flags & ENGINE_START_OWNED) && (owner = watch_owner (self)) < 0)
        hk_error_set (&e2, ESRCH, "the process that starts the container is gone");
      else
        become_monitor (e, r, restore, flags & ENGINE_START_ON_ATTACH, notify[1], owner, relays,
                        &e2);
      dprintf (notify[1], "error: %s%c", e2 ? e2->message : "unknown error", '\0');
      _exit (1);
    }
  close (notify[1]);
  /* Up to a NUL byte: the container process holds a copy of the pipe
   * until it executes its program, so there is no end of file to wait for. */
  *reply = read_reply (notify[0], *pid);
  close (notify[0]);
  return 0;
}

/* Docker's reading of a start error: the program does not exist (ENOENT,
 * `run` exits 127) or cannot be executed (EACCES, 126).  Read from the
 * text, as Docker does, because another runtime may have written it (runc:
 * `exec: "x": executable file not found in $PATH`). */
static int
start_error_errno (const char *why)
{
  if (strstr (why, "executable file not found") || strstr (why, "no such file or directory"))
    return ENOENT;
  if (strstr (why, "permission denied"))
    return EACCES;
  return EIO;
}

/* The start failed: what it made undone, and why in the record. */
static int
start_failed (struct engine *e, struct ctr_record *r, const char *reply, struct hk_error **err)
{
  reset_run_state (e, r); /* a container the monitor left waiting */
  ctr_network_down (e, r);
  ctr_ipc_down (e, r);
  ctr_userns_down (e, r);
  const char *why = reply && strncmp (reply, "error: ", 7) == 0 ? reply + 7 : "the monitor died";
  size_t len = strlen (why);
  free (r->error);
  r->error = xstrndup (why, len && why[len - 1] == '\n' ? len - 1 : len);
  ctr_record_update (e->db, r, NULL);
  return hk_error_set (err, start_error_errno (r->error), "%s", r->error);
}

static int
record_running (struct engine *e, struct ctr_record *r, pid_t monitor, struct hk_error **err)
{
  _cleanup_free_ char *now = state_now_rfc3339 ();
  ctr_record_set_exited (r, 0, "", "");
  ctr_record_set_state (r, "running");
  r->oom_killed = false;
  r->monitor_pid = monitor;
  r->monitor_start_time = state_process_start_time (monitor);
  free (r->started_at);
  r->started_at = take_ptr (now);
  return ctr_record_update (e->db, r, err);
}

/* A pod's container: the pod's cgroup with its limits, and for a member
 * the infra container running, whose namespaces it joins. */
static int
prepare_pod (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  if (r->config.pod == NULL)
    return 0;
  _cleanup_pod_record_ struct pod_record *p = NULL;
  if (pod_record_find (e->db, r->config.pod, &p, err) < 0 || pod_cgroup_ensure (e, p, err) < 0)
    return -1;
  if (r->config.pod_infra || *p->infra_id == '\0')
    return 0;
  _cleanup_record_ struct ctr_record *infra = NULL;
  if (ctr_record_find (e->db, p->infra_id, &infra, err) < 0
      || engine_start (e, infra, false, err) < 0)
    return hk_error_prefix (err, "start the infra container of pod %s", p->name);
  return 0;
}

/* The root mounted, the last run's leftovers gone, the network up and
 * config.json rendered again from the record (joining that network). */
static int
prepare_start (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  _cleanup_free_ char *netns = NULL;
  bool mounted;
  if (prepare_pod (e, r, err) < 0 || fs_mkdir_p (run_dir, 0700, err) < 0)
    return -1;
  /* an infra container's root is a plain directory */
  if (!r->config.pod_infra && engine_mount_rootfs (e, r->id, &mounted, err) < 0)
    return -1;
  if (r->config.runtime != NULL)
    {
      _cleanup_free_ char *dir = engine_container_dir (e, r->id);
      _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
      if (ctr_userns_make_reachable (&r->config, merged, err) < 0)
        return hk_error_prefix (err, "container %s: --runtime %s", r->name, r->config.runtime);
    }
  reset_run_state (e, r);
  /* The user namespace first: the network namespace is made in it. */
  if (ctr_userns_up (e, r, err) < 0)
    return -1;
  if (ctr_ipc_up (e, r, err) < 0 || ctr_network_up (e, r, err) < 0)
    {
      ctr_ipc_down (e, r);
      ctr_userns_down (e, r);
      return -1;
    }
  if (ctr_network_join_path (e, r, &netns, err) < 0
      || engine_render_config (e, r, netns, true, err) < 0)
    {
      ctr_network_down (e, r);
      ctr_ipc_down (e, r);
      ctr_userns_down (e, r);
      return -1;
    }
  return 0;
}

int
engine_monitor (struct engine *e, const char *id, bool start_on_attach, int notify_fd,
                int owner_fd, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = NULL;
  if (ctr_record_find (e->db, id, &r, err) < 0)
    return -1;
  return engine_become_monitor (e, r, start_on_attach, notify_fd, owner_fd, err);
}

/* engine_start, or with RESTORE engine_start_restored. */
static int
start (struct engine *e, struct ctr_record *r, unsigned flags,
       const struct restore_options *restore, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0)
    return 0;
  /* The last run's cleanup (unmount, network teardown) must not undo
   * this one's setup. */
  engine_wait_cleanup (r);
  if (prepare_start (e, r, err) < 0)
    return -1;
  pid_t pid = -1;
  _cleanup_free_ char *reply = NULL;
  if (fork_monitor (e, r, flags, restore, &pid, &reply, err) < 0)
    {
      ctr_network_down (e, r);
      ctr_ipc_down (e, r);
      ctr_userns_down (e, r);
      return -1;
    }
  if (reply == NULL || strncmp (reply, "ok", 2) != 0)
    {
      waitpid (pid, NULL, 0);
      return start_failed (e, r, reply, err);
    }
  if (record_running (e, r, pid, err) < 0)
    return -1;
  engine_event_volume_mounts (e, r);
  engine_event (e, r, "start", NULL, NULL);
  return 0;
}

int
engine_start (struct engine *e, struct ctr_record *r, unsigned flags, struct hk_error **err)
{
  return start (e, r, flags, NULL, err);
}

int
engine_start_restored (struct engine *e, struct ctr_record *r,
                       const struct restore_options *restore, struct hk_error **err)
{
  return start (e, r, 0, restore, err);
}
