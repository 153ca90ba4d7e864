/* SPDX-License-Identifier: Apache-2.0 */
#include "init.h"
#include "hooks.h"
#include "netdev.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"
#include "sync.h"
#include "terminal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Reports ERR to the runtime and dies. */
static void __attribute__ ((noreturn))
fail (const struct init_config *cfg, struct hk_error *err)
{
  sync_send_error (cfg->sync_fd, err);
  _exit (1);
}

/* Whether FD is the user namespace we are in (spawn.c cloned us in the
 * one we join, so that our new namespaces belong to it). */
static bool
in_user_namespace (int fd)
{
  struct stat ns, ours;
  return fstat (fd, &ns) == 0 && stat ("/proc/self/ns/user", &ours) == 0
         && ns.st_dev == ours.st_dev && ns.st_ino == ours.st_ino;
}

/* In the plan's order: the user namespace first (joining the others needs
 * its capabilities). */
static int
join_namespaces (const struct init_config *cfg, struct hk_error **err)
{
  for (size_t i = 0; i < NS_PLAN_MAX_JOINED && cfg->ns_fds[i] >= 0; i++)
    if ((cfg->ns_types[i] != CLONE_NEWUSER || !in_user_namespace (cfg->ns_fds[i]))
        && setns (cfg->ns_fds[i], cfg->ns_types[i]) < 0)
      return hk_error_errno (err, errno, "join the %s namespace",
                             spec_namespace_name (cfg->ns_types[i]));
  return 0;
}

/* In a user namespace, the process is still the host's root (a uid the
 * namespace does not map) until this: it reaches the root filesystem
 * through directories only the host's root may search, then becomes the
 * namespace's root, whose files the kernel can represent. */
static int
become_userns_root (const struct init_config *cfg, struct hk_error **err)
{
  if (!cfg->new_userns && !cfg->joined_userns)
    return 0;
  if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    return hk_error_errno (err, errno, "become root in the user namespace (is 0 mapped?)");
  return 0;
}

/* The host's /dev/null, to mask files with: checked to be the real device. */
static int
open_devnull (struct hk_error **err)
{
  _cleanup_close_ int fd = open ("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return hk_error_errno (err, errno, "open the host's /dev/null");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return hk_error_set (err, EPERM, "the host's /dev/null is not the null device");
  return take_fd (&fd);
}

/* The pty; bound on the container's /dev/console when it has its own
 * mounts. */
static int
setup_terminal (const struct init_config *cfg, struct rootfs *r, int *slave,
                struct hk_error **err)
{
  int index;
  _cleanup_close_ int master = terminal_open_pty (r->root_fd, slave, &index, err);
  if (master < 0)
    return -1;
  if (!cfg->host_mounts && rootfs_bind_console (r, index, err) < 0)
    return -1;
  if (cfg->console_socket_fd >= 0)
    return sync_send_fd (cfg->console_socket_fd, master, "/dev/ptmx", err);
  if (cfg->foreground)
    return sync_send (cfg->sync_fd, SYNC_PTY, 0, NULL, master, err);
  return hk_error_set (err, EINVAL,
                       "process.terminal: a terminal needs --console-socket (or a foreground "
                       "run)");
}

/* Stdio that is the host's /dev/null is opened again on the container's
 * own (as runc does): criu can only reopen files it finds in the
 * container's mounts.  A container without a usable /dev/null of its own
 * keeps the host's. */
static int
reopen_devnull_stdio (struct hk_error **err)
{
  for (int fd = 0; fd < 3; fd++)
    {
      struct stat st, own;
      if (fstat (fd, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
        continue;
      int mode = fcntl (fd, F_GETFL) & O_ACCMODE;
      _cleanup_close_ int null = open ("/dev/null", mode | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      if (null < 0 || fstat (null, &own) < 0 || !S_ISCHR (own.st_mode)
          || own.st_rdev != makedev (1, 3))
        continue;
      if (dup2 (null, fd) < 0)
        return hk_error_errno (err, errno, "set up stdio fd %d", fd);
    }
  return 0;
}

static int
redirect_stdio (const struct init_config *cfg, struct hk_error **err)
{
  for (int fd = 0; fd < 3; fd++)
    if (cfg->stdio[fd] >= 0 && dup2 (cfg->stdio[fd], fd) < 0)
      return hk_error_errno (err, errno, "set up stdio fd %d", fd);
  return 0;
}

static int
set_identity (const struct oci_spec *spec, struct hk_error **err)
{
  if (spec->hostname != NULL && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return hk_error_errno (err, errno, "hostname: set `%s`", spec->hostname);
  if (spec->domainname != NULL && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return hk_error_errno (err, errno, "domainname: set `%s`", spec->domainname);
  return 0;
}

/* A missing process.cwd is made (0755, root's), as runc and crun do. */
static int
make_cwd (int root_fd, const struct oci_process *p, struct hk_error **err)
{
  _cleanup_close_ int cwd = in_root_mkpath (root_fd, p->cwd, IN_ROOT_DIR, 0755, err);
  if (cwd < 0)
    return hk_error_prefix (err, "process.cwd");
  return 0;
}

/* Asks the runtime to run the prestart and createRuntime hooks, if any. */
static int
run_runtime_hooks (const struct init_config *cfg, struct hk_error **err)
{
  if (!cfg->runtime_hooks)
    return 0;
  struct sync_msg msg;
  if (sync_send (cfg->sync_fd, SYNC_HOOKS, 0, NULL, -1, err) < 0
      || sync_expect (cfg->sync_fd, SYNC_HOOKS_DONE, &msg, err) < 0)
    return -1;
  sync_msg_clear (&msg);
  return 0;
}

/* The runtime's own mounts (no mount namespace in the config): nothing is
 * mounted; the pty comes from the host's devpts, sysctls go through the
 * host's /proc (which shows the container's namespaces to it), the hooks
 * run, then the process chroots into root.path (no pivot_root, as runc). */
static int
keep_host_mounts (const struct init_config *cfg, const char *state_json, int *slave,
                  struct hk_error **err)
{
  const struct oci_spec *spec = cfg->spec;
  _cleanup_close_ int host_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int root = open (cfg->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_root < 0 || root < 0)
    return hk_error_errno (err, errno, "open the root `%s`", cfg->rootfs_path);
  if (become_userns_root (cfg, err) < 0)
    return -1;
  struct rootfs r = { .spec = spec, .plan = cfg->rootfs_plan, .rootfs_path = cfg->rootfs_path,
                      .root_fd = host_root };
  if (spec->process->terminal && setup_terminal (cfg, &r, slave, err) < 0)
    return -1;
  if (make_cwd (root, spec->process, err) < 0 || rootfs_write_sysctls (&r, err) < 0
      || run_runtime_hooks (cfg, err) < 0
      || hooks_run (&spec->hooks[HOOK_CREATE_CONTAINER], HOOK_CREATE_CONTAINER, state_json, err)
             < 0)
    return -1;
  if (fchdir (root) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return hk_error_errno (err, errno, "chroot into `%s`", cfg->rootfs_path);
  return 0;
}

/* Everything that needs the host's view: mounts, devices, the console,
 * sysctls, hooks, then pivot_root. */
static int
build_root (const struct init_config *cfg, const char *state_json, int *slave,
            struct hk_error **err)
{
  if (cfg->host_mounts)
    return keep_host_mounts (cfg, state_json, slave, err);
  const struct oci_spec *spec = cfg->spec;
  struct rootfs r = {
    .spec = spec,
    .plan = cfg->rootfs_plan,
    .bundle = cfg->bundle,
    .rootfs_path = cfg->rootfs_path,
    .root_fd = -1,
    .cgroup = cfg->cgroup,
    .userns = cfg->new_userns || cfg->joined_userns || cfg->runtime_userns,
    .cgroupns = cfg->new_cgroupns,
    .bind_trees = cfg->bind_trees,
    .device_trees = cfg->device_trees,
  };
  _cleanup_close_ int devnull = open_devnull (err);
  if (devnull < 0)
    return -1;
  r.devnull_fd = devnull;
  if (rootfs_prepare (&r, err) < 0 || become_userns_root (cfg, err) < 0
      || rootfs_mount_all (&r, err) < 0
      || rootfs_setup_devices (&r, err) < 0 || make_cwd (r.root_fd, spec->process, err) < 0)
    goto fail;
  if (spec->process->terminal && setup_terminal (cfg, &r, slave, err) < 0)
    goto fail;
  if (rootfs_write_sysctls (&r, err) < 0)
    goto fail;
  if (run_runtime_hooks (cfg, err) < 0)
    goto fail;
  if (hooks_run (&spec->hooks[HOOK_CREATE_CONTAINER], HOOK_CREATE_CONTAINER, state_json, err) < 0)
    goto fail;
  if (rootfs_mask_paths (&r, err) < 0 || rootfs_readonly_paths (&r, err) < 0
      || rootfs_enter (&r, err) < 0)
    goto fail;
  close (r.root_fd);
  return 0;
fail:
  if (r.root_fd >= 0)
    close (r.root_fd);
  return -1;
}

static void
wait_for_start (const struct init_config *cfg)
{
  char byte;
  ssize_t n;
  do
    n = read (cfg->fifo_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    _exit (1);
}

/* After `start`: the startContainer hooks, then the program.  The hooks
 * run before the seccomp filter is loaded (process_exec). */
static void __attribute__ ((noreturn))
exec_process (const struct init_config *cfg, struct process_setup *setup, const char *state_json)
{
  struct hk_error *err = NULL;
  const struct oci_hook_list *start_hooks = &cfg->spec->hooks[HOOK_START_CONTAINER];
  if (hooks_run (start_hooks, HOOK_START_CONTAINER, state_json, &err) < 0)
    goto fail;
  process_exec (setup, &err);
fail:
  /* The runtime may have gone (create): say it on the process's stderr. */
  if (cfg->fifo_fd < 0)
    sync_send (cfg->sync_fd, SYNC_EXEC_FAILED, err->errnum, err->message, -1, NULL);
  else
    dprintf (2, "hako-runtime: %s\n", err->message);
  _exit (err->errnum == ENOENT ? 127 : 126);
}

void
init_main (const struct init_config *cfg)
{
  struct hk_error *err = NULL;
  struct sync_msg go;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* Not dumpable: other processes of the container cannot open our
   * /proc/PID entries (exe, fds, memory) while we still hold the host's. */
  prctl (PR_SET_DUMPABLE, 0);
  if (sync_expect (cfg->sync_fd, SYNC_GO, &go, &err) < 0)
    _exit (1);
  _cleanup_free_ char *state_json = take_ptr (go.text);
  sync_msg_clear (&go);
  if (join_namespaces (cfg, &err) < 0)
    fail (cfg, err);
  if (cfg->new_cgroupns && unshare (CLONE_NEWCGROUP) < 0)
    {
      hk_error_errno (&err, errno, "create the cgroup namespace");
      fail (cfg, err);
    }
  /* A new network namespace starts with lo down; runc and crun bring it
   * up (programs expect 127.0.0.1 to work). */
  if (cfg->new_netns && netdev_loopback_up (&err) < 0)
    fail (cfg, err);
  umask (0);
  int slave = -1;
  if (build_root (cfg, state_json, &slave, &err) < 0)
    fail (cfg, err);
  if (cfg->new_utsns && set_identity (cfg->spec, &err) < 0)
    fail (cfg, err);
  if (slave >= 0)
    {
      const struct oci_process *p = cfg->spec->process;
      if (terminal_attach_stdio (slave, p->user.uid, p->console_height, p->console_width, &err)
          < 0)
        fail (cfg, err);
      close (slave);
    }
  else if (redirect_stdio (cfg, &err) < 0 || (!cfg->host_mounts && reopen_devnull_stdio (&err) < 0))
    fail (cfg, err);
  struct process_setup setup = PROCESS_SETUP_INIT;
  setup.process = cfg->spec->process;
  setup.has_personality = cfg->spec->linux.has_personality;
  setup.personality = cfg->spec->linux.personality;
  setup.memory_policy = cfg->spec->linux.has_memory_policy ? &cfg->spec->linux.memory_policy : NULL;
  setup.seccomp = cfg->seccomp;
  setup.preserve_fds = cfg->preserve_fds;
  if (process_prepare (&setup, &err) < 0)
    fail (cfg, err);
  /* A program that is not there (or not executable) fails the create, as
   * with runc and crun: clients then show a container that could not
   * start (Docker: "created", exit 127; CRI: StartContainer fails), not
   * one that started and exited. */
  if (setup.program == NULL)
    {
      sync_send (cfg->sync_fd, SYNC_EXEC_FAILED, setup.missing->errnum, setup.missing->message, -1,
                 NULL);
      _exit (1);
    }
  if (setup.seccomp_listener >= 0
      && sync_send (cfg->sync_fd, SYNC_SECCOMP, 0, NULL, setup.seccomp_listener, &err) < 0)
    fail (cfg, err);
  /* A created (or detached) container outlives the runtime that made it;
   * a foreground run's dies with it. */
  if (!cfg->foreground)
    prctl (PR_SET_PDEATHSIG, 0);
  if (sync_send (cfg->sync_fd, SYNC_READY, 0, NULL, -1, &err) < 0)
    _exit (1);
  if (cfg->fifo_fd >= 0)
    wait_for_start (cfg);
  else
    {
      struct sync_msg ack;
      if (sync_expect (cfg->sync_fd, SYNC_READY_ACK, &ack, &err) < 0)
        _exit (1);
      sync_msg_clear (&ack);
    }
  exec_process (cfg, &setup, state_json);
}
