/* SPDX-License-Identifier: Apache-2.0 */
/* create and run: everything the runtime does between reading config.json
 * and a container process that waits to be started (or runs). */
#include "container-internal.h"
#include "bind-trees.h"
#include "caps.h"
#include "checkpoint.h"
#include "exe-seal.h"
#include "foreground.h"
#include "hooks.h"
#include "idmap.h"
#include "init.h"
#include "netdev.h"
#include "rootfs.h"
#include "seccomp.h"
#include "setup-plan.h"
#include "spawn.h"
#include "sync.h"
#include "terminal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a create in progress owns; creation_abort() undoes it all. */
struct creation
{
  const struct runtime_context *ctx;
  const struct create_options *opts;
  bool foreground; /* run without --detach */
  bool wait_start; /* create: the process waits on the exec fifo */
  struct oci_spec *spec;
  struct ns_plan ns;              /* namespaces: made, joined, entered for the child */
  struct rootfs_plan rootfs_plan; /* mounts and the root */
  char *config_text;
  size_t config_len;
  char *bundle;
  char *rootfs;
  int state_fd;
  struct cgroup *cgroup;
  struct seccomp_program *seccomp;
  int *bind_trees;
  int *device_trees;
  int fifo_fd;
  int console_fd;
  int sync[2];
  struct init_config init;
  int join_pid_fd, join_time_fd; /* namespaces the parent enters for its child */
  pid_t pid;
  int pidfd;
  int pty_master;
  bool used_clone_into_cgroup;
  char *state_json;
  bool program_missing; /* the process found no program to execute */
};

static void
creation_init (struct creation *c, const struct runtime_context *ctx,
               const struct create_options *opts)
{
  memset (c, 0, sizeof *c);
  c->ctx = ctx;
  c->opts = opts;
  c->state_fd = c->fifo_fd = c->console_fd = c->pidfd = c->pty_master = -1;
  c->join_pid_fd = c->join_time_fd = -1;
  c->sync[0] = c->sync[1] = -1;
  for (size_t i = 0; i < NS_PLAN_MAX_JOINED; i++)
    c->init.ns_fds[i] = -1;
}

/* Releases memory and fds; with ABORT, also kills the process and
 * removes the cgroup and state directory. */
static void
creation_release (struct creation *c, bool abort)
{
  if (abort)
    {
      if (c->pidfd >= 0)
        {
          pidfd_send_signal (c->pidfd, SIGKILL, NULL, 0);
          waitpid (c->pid, NULL, 0);
        }
      if (c->cgroup != NULL)
        {
          struct hk_error *ignored = NULL;
          cgroup_destroy (c->cgroup, &ignored);
          hk_error_free (ignored);
        }
      if (c->state_fd >= 0)
        {
          struct hk_error *ignored = NULL;
          state_remove (c->ctx->state_root, c->opts->id, &ignored);
          hk_error_free (ignored);
        }
    }
  for (size_t i = 0; i < NS_PLAN_MAX_JOINED; i++)
    close_fd (&c->init.ns_fds[i]);
  close_fd (&c->state_fd);
  close_fd (&c->fifo_fd);
  close_fd (&c->console_fd);
  close_fd (&c->sync[0]);
  close_fd (&c->sync[1]);
  close_fd (&c->join_pid_fd);
  close_fd (&c->join_time_fd);
  close_fd (&c->pidfd);
  close_fd (&c->pty_master);
  if (c->spec != NULL)
    {
      bind_trees_release (c->bind_trees, c->spec->n_mounts);
      bind_trees_release (c->device_trees, c->spec->linux.n_devices);
    }
  rootfs_plan_clear (&c->rootfs_plan);
  spec_free (c->spec);
  cgroup_free (c->cgroup);
  seccomp_program_free (c->seccomp);
  free (c->config_text);
  free (c->bundle);
  free (c->rootfs);
  free (c->state_json);
}

/* True when the kernel knows file system TYPE, or may load it on demand
 * (a module not loaded yet). */
static bool
filesystem_known (const char *type)
{
  static const char *const modules[] = { "overlay", "fuse",  "nfs",      "nfs4", "cifs",
                                         "9p",      "xfs",   "btrfs",    "ext4", "squashfs",
                                         "erofs",   "vfat",  "virtiofs", "iso9660" };
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
    if (strcmp (type, modules[i]) == 0)
      return true;
  _cleanup_fclose_ FILE *f = fopen ("/proc/filesystems", "re");
  if (f == NULL)
    return true; /* cannot tell: let mount(2) judge */
  char line[128];
  while (fgets (line, sizeof line, f) != NULL)
    {
      char *name = strchr (line, '\t');
      if (name == NULL)
        continue;
      name++;
      name[strcspn (name, "\n")] = '\0';
      if (strcmp (name, type) == 0)
        return true;
    }
  return false;
}

/* A mistyped file system is named at once, not after half a setup. */
static int
check_mount_types (const struct rootfs_plan *plan, struct hk_error **err)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct mount_step *step = &plan->steps[i];
      const char *type = step->mount->type;
      if (step->kind == MOUNT_STEP_FILESYSTEM && strcmp (type, "none") != 0
          && !filesystem_known (type))
        return hk_error_set (err, ENODEV, "mounts[%zu].type: unknown file system type `%s`",
                             step->index, type);
    }
  return 0;
}

static int
load_bundle (struct creation *c, struct hk_error **err)
{
  char path[PATH_MAX];
  if (c->opts->bundle == NULL || realpath (c->opts->bundle, path) == NULL)
    return hk_error_errno (err, c->opts->bundle ? errno : EINVAL, "bundle `%s`",
                           c->opts->bundle ? c->opts->bundle : "");
  c->bundle = xstrdup (path);
  _cleanup_close_ int bfd = open (c->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (bfd < 0)
    return hk_error_errno (err, errno, "bundle `%s`", c->bundle);
  if (fs_read_file (bfd, "config.json", SPEC_MAX_CONFIG_SIZE, &c->config_text, &c->config_len, err) < 0)
    return hk_error_prefix (err, "bundle `%s`", c->bundle);
  if (spec_parse (c->config_text, c->config_len, &c->spec, err) < 0)
    return -1;
  if (c->spec->process == NULL)
    return hk_error_set (err, EINVAL, "config.json: process: required to create a container");
  caps_warn_ungrantable (c->spec->process, c->ctx->log);
  _cleanup_free_ char *root = c->spec->root_path[0] == '/'
                                  ? xstrdup (c->spec->root_path)
                                  : xasprintf ("%s/%s", c->bundle, c->spec->root_path);
  struct stat st;
  if (realpath (root, path) == NULL || stat (path, &st) < 0)
    return hk_error_errno (err, errno, "config.json: root.path: `%s`", root);
  if (!S_ISDIR (st.st_mode))
    return hk_error_set (err, ENOTDIR, "config.json: root.path: `%s` is not a directory", root);
  c->rootfs = xstrdup (path);
  bool console = c->opts->console_socket != NULL || c->opts->console_socket_fd >= 0;
  if (c->spec->process->terminal && !console && !c->foreground)
    return hk_error_set (err, EINVAL,
                         "config.json: process.terminal is true: --console-socket is required "
                         "unless running in the foreground");
  if (!c->spec->process->terminal && console)
    return hk_error_set (err, EINVAL,
                         "--console-socket given but config.json: process.terminal is false");
  ns_plan_build (c->spec, &c->ns);
  if (rootfs_plan_build (c->spec, c->opts->no_pivot, &c->rootfs_plan, err) < 0
      || check_mount_types (&c->rootfs_plan, err) < 0)
    return hk_error_prefix (err, "config.json");
  if (c->spec->linux.net_devices != NULL)
    {
      const struct oci_namespace *net = spec_namespace (c->spec, CLONE_NEWNET);
      if (net == NULL || net->path != NULL)
        return hk_error_set (err, EINVAL, "config.json: linux.netDevices: devices can only be moved into a new network namespace");
      if (netdev_check (c->spec->linux.net_devices, err) < 0)
        return hk_error_prefix (err, "config.json");
    }
  if (c->spec->linux.has_intel_rdt)
    return hk_error_set (err, ENOTSUP, "config.json: linux.intelRdt: Intel RDT is not supported here");
  return 0;
}

/* Opens the namespace at PATH (linux.namespaces[INDEX]), checked to be of
 * TYPE. */
static int
open_namespace (const char *path, int type, size_t index, struct hk_error **err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "config.json: linux.namespaces[%zu].path: `%s`", index,
                           path);
  if (ioctl (fd, NS_GET_NSTYPE) != type)
    return hk_error_set (err, EINVAL,
                         "config.json: linux.namespaces[%zu].path: `%s` is not a %s namespace",
                         index, path, spec_namespace_name (type));
  return take_fd (&fd);
}

/* Opens the namespaces to join (errors before anything is created), in
 * the plan's order. */
static int
open_namespaces (struct creation *c, struct hk_error **err)
{
  const struct ns_plan *ns = &c->ns;
  for (size_t i = 0; i < ns->n_joined; i++)
    {
      c->init.ns_fds[i] = open_namespace (ns->joined[i].path, ns->joined[i].type,
                                          ns->joined[i].index, err);
      if (c->init.ns_fds[i] < 0)
        return -1;
      c->init.ns_types[i] = ns->joined[i].type;
    }
  if (ns->pid_path != NULL
      && (c->join_pid_fd = open_namespace (ns->pid_path, CLONE_NEWPID, ns->pid_index, err)) < 0)
    return -1;
  if (ns->time_path != NULL
      && (c->join_time_fd = open_namespace (ns->time_path, CLONE_NEWTIME, ns->time_index, err))
             < 0)
    return -1;
  return 0;
}

/* The devices every container needs, allowed after the config's own
 * device rules as runc and crun do: mknod of any node (access is what is
 * checked), the default devices and the pty devices.  Not linux.devices:
 * the client's rules say what access those get (`--device X:r` is an "r"
 * rule), and allowing them here would widen it. */
static void
add_default_device_rules (struct oci_spec *spec)
{
  static const struct
  {
    char type;
    int64_t major, minor;
    const char *access;
  } defaults[] = {
    { 'c', -1, -1, "m" }, { 'b', -1, -1, "m" },  { 'c', 1, 3, "rwm" }, { 'c', 1, 5, "rwm" },
    { 'c', 1, 7, "rwm" }, { 'c', 1, 8, "rwm" },  { 'c', 1, 9, "rwm" }, { 'c', 5, 0, "rwm" },
    { 'c', 5, 1, "rwm" }, { 'c', 5, 2, "rwm" },  { 'c', 136, -1, "rwm" },
  };
  struct oci_resources *res = &spec->linux.resources;
  if (res->n_devices == 0)
    return; /* no device rules: nothing is filtered */
  size_t n_defaults = sizeof defaults / sizeof defaults[0];
  res->devices
      = xreallocarray (res->devices, res->n_devices + n_defaults + 1, sizeof *res->devices);
  for (size_t i = 0; i < n_defaults; i++)
    res->devices[res->n_devices++] = (struct oci_device_rule) {
      .allow = true, .type = defaults[i].type, .major = defaults[i].major,
      .minor = defaults[i].minor, .access = xstrdup (defaults[i].access) };
}

static int
make_cgroup (struct creation *c, struct hk_error **err)
{
  /* Rootless (in a user namespace of a normal user's), a config without
   * cgroupsPath runs in no cgroup of its own, as crun's rootless one:
   * the user may have no cgroup to write to. */
  if (c->spec->linux.cgroups_path == NULL && !c->spec->linux.has_resources
      && !userns_is_initial ())
    return 0;
  add_default_device_rules (c->spec);
  struct cgroup_layout *layout = NULL;
  if (cgroup_layout_detect (c->ctx->cgroup_root, &layout, err) < 0)
    return -1;
  int r = cgroup_create (layout, c->spec->linux.cgroups_path, c->opts->id, &c->cgroup, err);
  cgroup_layout_free (layout);
  if (r < 0)
    return -1;
  if (c->spec->linux.has_resources
      && cgroup_apply (c->cgroup, &c->spec->linux.resources, false, err) < 0)
    return hk_error_prefix (err, "config.json");
  return 0;
}

/* CVE-2019-5736: a container process must never see a runtime process
 * whose /proc/PID/exe is writable.  In a new pid namespace it cannot: its
 * first process is ours until it executes the program, and we are not in
 * that namespace.  Otherwise (the host's pid namespace, or one joined)
 * re-execute from the sealed copy first; this costs an exec. */
static int
seal_if_visible (struct creation *c, struct hk_error **err)
{
  const struct oci_namespace *pid = spec_namespace (c->spec, CLONE_NEWPID);
  if (pid != NULL && pid->path == NULL)
    return 0;
  if (c->opts->reexec_argv == NULL)
    return hk_error_set (err, EINVAL, "a container that shares a pid namespace needs the runtime's command line to re-execute it sealed");
  return exe_seal_ensure (c->ctx->state_root, c->opts->reexec_argv, err);
}

static int
prepare (struct creation *c, struct hk_error **err)
{
  if (state_check_id (c->opts->id, err) < 0 || load_bundle (c, err) < 0
      || seal_if_visible (c, err) < 0 || open_namespaces (c, err) < 0)
    return -1;
  if (c->spec->linux.seccomp != NULL)
    {
      _cleanup_free_ char *cache = container_seccomp_cache (c->ctx);
      if (seccomp_prepare (c->spec->linux.seccomp, cache, &c->seccomp, err) < 0)
        return hk_error_prefix (err, "config.json");
    }
  if (bind_trees_prepare (c->spec, &c->rootfs_plan, c->bundle, &c->bind_trees, err) < 0
      || bind_trees_prepare_devices (c->spec, &c->device_trees, err) < 0)
    return hk_error_prefix (err, "config.json");
  c->state_fd = state_dir_create (c->ctx->state_root, c->opts->id, err);
  if (c->state_fd < 0)
    return -1;
  if (make_cgroup (c, err) < 0)
    return -1;
  if (c->wait_start)
    {
      if (mkfifoat (c->state_fd, EXEC_FIFO, 0600) < 0)
        return hk_error_errno (err, errno, "create the exec fifo");
      c->fifo_fd = openat (c->state_fd, EXEC_FIFO, O_RDWR | O_CLOEXEC);
      if (c->fifo_fd < 0)
        return hk_error_errno (err, errno, "open the exec fifo");
    }
  if (c->opts->console_socket != NULL)
    {
      c->console_fd = terminal_connect_socket (c->opts->console_socket, err);
      if (c->console_fd < 0)
        return -1;
    }
  else if (c->opts->console_socket_fd >= 0)
    {
      c->console_fd = fcntl (c->opts->console_socket_fd, F_DUPFD_CLOEXEC, 3);
      if (c->console_fd < 0)
        return hk_error_errno (err, errno, "console socket");
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync) < 0)
    return hk_error_errno (err, errno, "socketpair");
  return 0;
}

static void
fill_init_config (struct creation *c)
{
  struct init_config *i = &c->init;
  const struct oci_spec *spec = c->spec;
  i->spec = spec;
  i->bundle = c->bundle;
  i->rootfs_path = c->rootfs;
  i->cgroup = c->cgroup;
  i->sync_fd = c->sync[1];
  i->fifo_fd = c->fifo_fd;
  i->console_socket_fd = c->console_fd;
  i->preserve_fds = c->opts->preserve_fds;
  i->foreground = c->foreground;
  memcpy (i->stdio, c->opts->stdio, sizeof i->stdio);
  i->new_userns = c->ns.new_user;
  i->joined_userns = c->init.ns_types[0] == CLONE_NEWUSER;
  i->runtime_userns = !userns_is_initial ();
  i->new_cgroupns = c->ns.unshare_cgroup;
  i->new_utsns = c->ns.new_uts;
  i->new_netns = c->ns.new_net;
  i->host_mounts = c->ns.host_mounts;
  i->rootfs_plan = &c->rootfs_plan;
  i->runtime_hooks = spec->hooks[HOOK_CREATE_RUNTIME].n > 0 || spec->hooks[HOOK_PRESTART].n > 0;
  i->seccomp = c->seccomp;
  i->bind_trees = c->bind_trees;
  i->device_trees = c->device_trees;
}

static void __attribute__ ((noreturn))
run_init (void *data)
{
  struct creation *c = data;
  close (c->sync[0]);
  init_main (&c->init);
}

/* linux.timeOffsets as /proc/PID/timens_offsets takes them, or NULL. */
static char *
time_offsets (const struct oci_linux *l)
{
  return xasprintf ("monotonic %lld %u\nboottime %lld %u\n", (long long) l->monotonic_offset.secs,
                    l->monotonic_offset.nanosecs, (long long) l->boottime_offset.secs,
                    l->boottime_offset.nanosecs);
}

static int
spawn (struct creation *c, struct hk_error **err)
{
  fill_init_config (c);
  _cleanup_free_ char *offsets = c->ns.new_time_with_offsets ? time_offsets (&c->spec->linux)
                                                               : NULL;
  struct spawn_request req = {
    .clone_flags = c->ns.clone_flags,
    .pid_ns_fd = c->join_pid_fd,
    .time_ns_fd = c->join_time_fd,
    .time_offsets = offsets,
    .user_ns_fd = c->init.ns_types[0] == CLONE_NEWUSER ? c->init.ns_fds[0] : -1,
    .cgroup = c->cgroup,
    .child = run_init,
    .data = c,
  };
  struct spawn_result child;
  if (spawn_process (&req, &child, err) < 0)
    return -1;
  c->pid = child.pid;
  c->pidfd = child.pidfd;
  c->used_clone_into_cgroup = child.in_cgroup;
  close_fd (&c->sync[1]);
  close_fd (&c->fifo_fd);
  close_fd (&c->console_fd);
  return 0;
}

static int
write_id_maps (struct creation *c, struct hk_error **err)
{
  const struct oci_linux *l = &c->spec->linux;
  if (idmap_write_maps (c->pid, l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
                        l->n_gid_mappings, err)
      < 0)
    return hk_error_prefix (err, "config.json: linux.uidMappings/gidMappings");
  return 0;
}

static char *
state_json_of (struct creation *c, const char *status)
{
  _cleanup_json_ json_t *annotations = json_object ();
  for (size_t i = 0; c->spec->annotation_keys[i] != NULL; i++)
    json_object_set_new (annotations, c->spec->annotation_keys[i],
                         json_string (c->spec->annotation_values[i]));
  _cleanup_json_ json_t *j = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:O}", "ociVersion", OCI_RUNTIME_SPEC_VERSION,
                                        "id", c->opts->id, "status", status, "pid", (int) c->pid,
                                        "bundle", c->bundle, "annotations", annotations);
  return json_dumps (j, JSON_COMPACT);
}

/* Describes how the container process died before it was ready. */
static int
process_died (struct creation *c, struct hk_error **err)
{
  int status = 0;
  if (waitpid (c->pid, &status, 0) == c->pid)
    {
      close_fd (&c->pidfd);
      if (WIFSIGNALED (status))
        return hk_error_set (err, ECHILD, "the container process was killed by signal %d during setup",
                             WTERMSIG (status));
      return hk_error_set (err, ECHILD, "the container process exited with status %d during setup",
                           WEXITSTATUS (status));
    }
  return hk_error_set (err, ECHILD, "the container process died during setup");
}

/* Drives the container process through its setup until READY. */
static int
configure (struct creation *c, struct hk_error **err)
{
  if (c->init.new_userns && write_id_maps (c, err) < 0)
    return -1;
  if (c->spec->process->has_oom_score_adj)
    {
      char path[64], value[16];
      snprintf (path, sizeof path, "/proc/%d/oom_score_adj", (int) c->pid);
      snprintf (value, sizeof value, "%d", c->spec->process->oom_score_adj);
      if (fs_write_kernel_file (AT_FDCWD, path, value, err) < 0)
        return hk_error_prefix (err, "config.json: process.oomScoreAdj (lowering it needs "
                                     "CAP_SYS_RESOURCE)");
    }
  if (c->cgroup != NULL && cgroup_enter (c->cgroup, c->pid, c->used_clone_into_cgroup, err) < 0)
    return -1;
  if (c->spec->linux.net_devices != NULL
      && netdev_move_all (c->spec->linux.net_devices, c->pid, err) < 0)
    return hk_error_prefix (err, "config.json");
  /* The state the hooks get: the container exists now (prestart,
   * createRuntime, createContainer), as crun says. */
  c->state_json = state_json_of (c, "created");
  if (sync_send (c->sync[0], SYNC_GO, 0, c->state_json, -1, err) < 0)
    return -1;
  for (;;)
    {
      struct sync_msg msg;
      if (sync_recv (c->sync[0], &msg, err) < 0)
        return (*err)->errnum == EPIPE ? process_died (c, err) : -1;
      switch (msg.type)
        {
        case SYNC_HOOKS:
          sync_msg_clear (&msg);
          if (hooks_run (&c->spec->hooks[HOOK_PRESTART], HOOK_PRESTART, c->state_json, err) < 0
              || hooks_run (&c->spec->hooks[HOOK_CREATE_RUNTIME], HOOK_CREATE_RUNTIME,
                            c->state_json, err)
                     < 0
              || sync_send (c->sync[0], SYNC_HOOKS_DONE, 0, NULL, -1, err) < 0)
            return -1;
          break;
        case SYNC_PTY:
          close_fd (&c->pty_master);
          c->pty_master = msg.fd;
          msg.fd = -1;
          sync_msg_clear (&msg);
          break;
        case SYNC_SECCOMP:
          {
            _cleanup_free_ char *creating = state_json_of (c, "creating");
            int r = seccomp_send_listener (c->seccomp, msg.fd, c->pid, creating, err);
            sync_msg_clear (&msg);
            if (r < 0)
              return -1;
            break;
          }
        case SYNC_READY:
          sync_msg_clear (&msg);
          return 0;
        case SYNC_EXEC_FAILED:
          c->program_missing = true;
          /* fall through */
        case SYNC_ERROR:
          hk_error_set (err, msg.errnum, "%s", msg.text ? msg.text : "unknown error");
          sync_msg_clear (&msg);
          return -1;
        default:
          sync_msg_clear (&msg);
          return hk_error_set (err, EPROTO, "unexpected message from the container process");
        }
    }
}

/* The name of our user, read from /etc/passwd directly: the runtime is
 * linked statically, without glibc's NSS modules. */
static char *
owner_name (void)
{
  uid_t uid = geteuid ();
  _cleanup_fclose_ FILE *f = fopen ("/etc/passwd", "re");
  if (f != NULL)
    {
      struct passwd *pw;
      while ((pw = fgetpwent (f)) != NULL)
        if (pw->pw_uid == uid)
          return xstrdup (pw->pw_name);
    }
  return xasprintf ("%u", (unsigned) uid);
}

/* Records the container: config copy, state.json, pid file. */
static int
commit (struct creation *c, struct hk_error **err)
{
  if (fs_replace_file (c->state_fd, CONFIG_COPY, c->config_text, c->config_len, 0600, err) < 0)
    return -1;
  struct container_state s = {
    .id = (char *) c->opts->id,
    .bundle = c->bundle,
    .rootfs = c->rootfs,
    .pid = c->pid,
    .pid_start_time = state_process_start_time (c->pid),
    .created = state_now_rfc3339 (),
    .owner = owner_name (),
    .annotations = json_object (),
    .cgroup = c->cgroup,
    .new_pid_namespace = spec_namespace (c->spec, CLONE_NEWPID) != NULL
                         && spec_namespace (c->spec, CLONE_NEWPID)->path == NULL,
    .dir_fd = c->state_fd,
  };
  for (size_t i = 0; c->spec->annotation_keys[i] != NULL; i++)
    json_object_set_new (s.annotations, c->spec->annotation_keys[i],
                         json_string (c->spec->annotation_values[i]));
  int r = state_save (&s, err);
  free (s.created);
  free (s.owner);
  json_decref (s.annotations);
  if (r < 0)
    return -1;
  if (c->opts->pid_file != NULL && state_write_pid_file (c->opts->pid_file, c->pid, err) < 0)
    return -1;
  return 0;
}

int
container_create (const struct runtime_context *ctx, const struct create_options *opts,
                  struct hk_error **err)
{
  struct creation c;
  creation_init (&c, ctx, opts);
  c.wait_start = true;
  int r = prepare (&c, err);
  if (r == 0)
    r = spawn (&c, err);
  if (r == 0)
    r = configure (&c, err);
  if (r == 0)
    r = commit (&c, err);
  creation_release (&c, r < 0);
  return r;
}

/* A failing poststart hook stops the container (runtime-spec 1.3). */
static int
run_poststart (struct creation *c, struct hk_error **err)
{
  _cleanup_free_ char *state = state_json_of (c, "running");
  return hooks_run (&c->spec->hooks[HOOK_POSTSTART], HOOK_POSTSTART, state, err);
}

/* Removes the container made by run (after it exited, or when its start
 * failed): every process killed, cgroup, poststop hooks, state. */
static void
remove_run_container (const struct runtime_context *ctx, const char *id)
{
  struct hk_error *e = NULL;
  if (container_delete (ctx, id, true, &e) < 0)
    {
      hk_warn (ctx->log, "remove container `%s`: %s", id, e->message);
      hk_error_free (e);
    }
}

int
container_run (const struct runtime_context *ctx, const struct create_options *opts, bool detach,
               int *exit_status, struct hk_error **err)
{
  struct creation c;
  creation_init (&c, ctx, opts);
  c.foreground = !detach;
  *exit_status = 1; /* the runtime's own failure, unless said otherwise */
  sigset_t signals, old;
  if (c.foreground)
    foreground_block_signals (&signals, &old);
  hk_debug (ctx->log, "run %s: start", opts->id);
  int r = prepare (&c, err);
  hk_debug (ctx->log, "prepared");
  if (r == 0)
    r = spawn (&c, err);
  hk_debug (ctx->log, "spawned");
  if (r == 0)
    r = configure (&c, err);
  hk_debug (ctx->log, "configured");
  if (r == 0)
    r = commit (&c, err);
  hk_debug (ctx->log, "committed");
  if (r == 0 && sync_await_exec (c.sync[0], err) < 0)
    {
      r = -1;
      c.program_missing = true;
    }
  if (r < 0 && c.program_missing)
    *exit_status = (*err)->errnum == ENOENT ? 127 : 126;
  if (r < 0)
    {
      creation_release (&c, true);
      if (c.foreground)
        sigprocmask (SIG_SETMASK, &old, NULL);
      return -1;
    }
  if (run_poststart (&c, err) < 0)
    {
      creation_release (&c, false);
      remove_run_container (ctx, opts->id);
      if (c.foreground)
        sigprocmask (SIG_SETMASK, &old, NULL);
      return -1;
    }
  if (!c.foreground)
    {
      creation_release (&c, false);
      *exit_status = 0;
      return 0;
    }
  hk_debug (ctx->log, "executed");
  r = foreground_wait (c.pidfd, c.pid, c.pty_master, &signals, exit_status, err);
  c.pidfd = -1; /* closed by foreground_wait */
  hk_debug (ctx->log, "exited");
  sigprocmask (SIG_SETMASK, &old, NULL);
  creation_release (&c, false);
  if (!opts->keep)
    remove_run_container (ctx, opts->id);
  hk_debug (ctx->log, "deleted");
  return r;
}

/* A terminal container gets a new pty from the host's devpts: its master
 * goes to the console socket, its slave takes the place of the dumped one
 * (criu inherits it) and is bound on /dev/console. */
struct restore_console
{
  char *key;  /* the dumped terminal, "tty[RDEV:DEV]" */
  char *path; /* the new slave, /dev/pts/N */
  int slave;
};

static int
restore_console_open (struct creation *c, const struct restore_options *o,
                      struct restore_console *rc, struct hk_error **err)
{
  if (c->console_fd < 0)
    return hk_error_set (err, EINVAL, "process.terminal: a terminal container needs --console-socket to be restored");
  _cleanup_free_ char *key_path = xasprintf ("%s/%s", o->image_path, CRIU_TTY_KEY_FILE);
  if (fs_read_file (AT_FDCWD, key_path, 256, &rc->key, NULL, err) < 0)
    return hk_error_prefix (err, "process.terminal: the checkpoint has no terminal key");
  _cleanup_close_ int host_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_root < 0)
    return hk_error_errno (err, errno, "open /");
  int index;
  _cleanup_close_ int master = terminal_open_pty (host_root, &rc->slave, &index, err);
  if (master < 0)
    return -1;
  rc->path = xasprintf ("/dev/pts/%d", index);
  /* criu needs an inheritable fd */
  fcntl (rc->slave, F_SETFD, 0);
  return sync_send_fd (c->console_fd, master, "/dev/ptmx", err);
}

static void
restore_console_release (struct restore_console *rc)
{
  free (rc->key);
  free (rc->path);
  if (rc->slave >= 0)
    close (rc->slave);
}

/* The dumped stdio that were pipes: *TEXT holds the lines PIPES point
 * into.  A checkpoint without the file (another tool's) has none. */
static void
load_stdio_pipes (const char *images, char **text, const char *pipes[3])
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", images, CRIU_STDIO_FILE);
  *text = NULL;
  if (fs_read_file (AT_FDCWD, path, 4096, text, NULL, NULL) < 0)
    return;
  char *save = NULL, *line = strtok_r (*text, "\n", &save);
  for (int fd = 0; fd < 3 && line != NULL; fd++, line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, "pipe:[", 6) == 0)
      pipes[fd] = line;
}

/* Whether M is a bind mount (its type, or "bind"/"rbind" among its
 * options). */
static bool
mount_is_bind (const struct oci_mount *m)
{
  return (m->type != NULL && strcmp (m->type, "bind") == 0) || strv_contains (m->options, "bind")
         || strv_contains (m->options, "rbind");
}

/* The spec's mount points made in the root where missing (a directory,
 * or a file for a bind mount of a file): criu mounts over them but makes
 * none, as runc knows.  A root brought by an exported checkpoint has them
 * in its upper directory; one that has only the image's files (hako
 * restore --ignore-rootfs) lacks /etc/hostname and the like. */
static int
restore_mountpoints (const struct creation *c, struct hk_error **err)
{
  _cleanup_close_ int root = open (c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return hk_error_errno (err, errno, "open the root `%s`", c->rootfs);
  for (size_t i = 0; i < c->spec->n_mounts; i++)
    {
      const struct oci_mount *m = &c->spec->mounts[i];
      enum in_root_kind kind = IN_ROOT_DIR;
      struct stat st;
      if (mount_is_bind (m) && m->source != NULL)
        {
          _cleanup_free_ char *source = mounts_bind_source (c->bundle, m->source);
          if (stat (source, &st) == 0 && !S_ISDIR (st.st_mode))
            kind = IN_ROOT_FILE;
        }
      int fd = in_root_mkpath (root, m->destination, kind, kind == IN_ROOT_DIR ? 0755 : 0644, err);
      if (fd < 0)
        return hk_error_prefix (err, "the mount point `%s` for criu", m->destination);
      close (fd);
    }
  return 0;
}

static int
restore_processes_with (struct creation *c, const struct restore_options *o,
                        struct restore_console *console, struct hk_error **err)
{
  if ((o->work_path != NULL && fs_mkdir_p (o->work_path, 0700, err) < 0)
      || restore_mountpoints (c, err) < 0)
    return -1;
  if (c->spec->process->terminal && restore_console_open (c, o, console, err) < 0)
    return -1;
  _cleanup_free_ char *pidfile = xasprintf ("%s/%s/criu-restore.pid", c->ctx->state_root, o->create.id);
  struct criu_external_ns ns[2];
  size_t n_ns = 0;
  /* The namespaces it joined are handed over as fds criu inherits. */
  int inherit[2] = { -1, -1 };
  if (c->join_pid_fd >= 0)
    {
      inherit[n_ns] = fcntl (c->join_pid_fd, F_DUPFD, 3);
      ns[n_ns++] = (struct criu_external_ns) { .type = "pid", .fd = inherit[0] };
    }
  for (size_t i = 0; i < NS_PLAN_MAX_JOINED && c->init.ns_fds[i] >= 0 && n_ns < 2; i++)
    if (c->init.ns_types[i] == CLONE_NEWNET)
      {
        inherit[n_ns] = fcntl (c->init.ns_fds[i], F_DUPFD, 3);
        ns[n_ns] = (struct criu_external_ns) { .type = "net", .fd = inherit[n_ns] };
        n_ns++;
      }
  struct criu_request req = {
    .op = CRIU_RESTORE,
    .spec = c->spec,
    .bundle = c->bundle,
    .rootfs = c->rootfs,
    .images_dir = o->image_path,
    .work_dir = o->work_path,
    .pidfile = pidfile,
    .cgroup = c->cgroup,
    .tcp_established = o->tcp_established,
    .file_locks = o->file_locks,
    .ext_unix_sk = o->ext_unix_sk,
    .shell_job = o->shell_job,
    .empty_netns = o->empty_netns,
    .manage_cgroups_mode = o->manage_cgroups_mode,
    .external_ns = ns,
    .n_external_ns = n_ns,
    .console_fd = console->slave,
    .console_key = console->key,
    .console_path = console->path,
  };
  /* The caller's stdio replaces the dumped pipes; criu's own stdio is
   * captured, so criu gets copies. */
  _cleanup_free_ char *stdio_text = NULL;
  load_stdio_pipes (o->image_path, &stdio_text, req.stdio_pipes);
  for (int fd = 0; fd < 3; fd++)
    req.stdio_fds[fd] = req.stdio_pipes[fd] != NULL ? fcntl (fd, F_DUPFD, 3) : -1;
  /* criu wants the root as a mount point; the restored processes become
   * our children when criu exits (we are their subreaper). */
  int rc = mount (c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL);
  if (rc < 0)
    hk_error_errno (err, errno, "bind-mount the root `%s` for criu", c->rootfs);
  else
    {
      prctl (PR_SET_CHILD_SUBREAPER, 1);
      rc = criu_run (criu_program (o->criu), &req, err);
      umount2 (c->rootfs, MNT_DETACH);
    }
  for (size_t i = 0; i < 2; i++)
    if (inherit[i] >= 0)
      close (inherit[i]);
  for (int fd = 0; fd < 3; fd++)
    if (req.stdio_fds[fd] >= 0)
      close (req.stdio_fds[fd]);
  if (rc < 0)
    return -1;
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, pidfile, 64, &text, NULL, err) < 0)
    return hk_error_prefix (err, "criu restore");
  unlink (pidfile);
  c->pid = (pid_t) atoi (text);
  c->pidfd = pidfd_open (c->pid, 0);
  if (c->pid <= 0 || c->pidfd < 0)
    return hk_error_set (err, ESRCH, "criu restore: the restored process %s is gone", text);
  return 0;
}

/* restore: the parts of create that make the container's environment,
 * then criu instead of a clone. */
static int
restore_processes (struct creation *c, const struct restore_options *o, struct hk_error **err)
{
  struct restore_console console = { .slave = -1 };
  int rc = restore_processes_with (c, o, &console, err);
  restore_console_release (&console);
  return rc;
}

int
container_restore (const struct runtime_context *ctx, const struct restore_options *opts,
                   int *exit_status, struct hk_error **err)
{
  *exit_status = 1;
  /* Before anything is made. */
  if (criu_check (criu_program (opts->criu), err) < 0)
    return -1;
  struct creation c;
  creation_init (&c, ctx, &opts->create);
  c.foreground = !opts->detach;
  sigset_t signals, old;
  if (c.foreground)
    foreground_block_signals (&signals, &old);
  int r = prepare (&c, err);
  if (r == 0)
    r = restore_processes (&c, opts, err);
  if (r == 0)
    {
      c.state_json = state_json_of (&c, "running");
      r = commit (&c, err);
    }
  if (r < 0 || !c.foreground)
    {
      creation_release (&c, r < 0);
      if (c.foreground)
        sigprocmask (SIG_SETMASK, &old, NULL);
      if (r == 0)
        *exit_status = 0;
      return r;
    }
  r = foreground_wait (c.pidfd, c.pid, -1, &signals, exit_status, err);
  c.pidfd = -1;
  sigprocmask (SIG_SETMASK, &old, NULL);
  creation_release (&c, false);
  remove_run_container (ctx, opts->create.id);
  return r;
}
