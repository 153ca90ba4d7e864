/* SPDX-License-Identifier: Apache-2.0 */
#include "process.h"
#include "caps.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* process.rlimits, a raised hard limit named when the host forbids it. */
static int
process_set_rlimits (const struct oci_process *p, struct hk_error **err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
      if (setrlimit (p->rlimits[i].resource, &rl) < 0)
        {
          struct rlimit now = { 0 };
          getrlimit (p->rlimits[i].resource, &now);
          if (errno == EPERM && rl.rlim_max > now.rlim_max)
            return hk_error_errno (err, errno,
                                   "process.rlimits[%zu]: raise the hard limit to %llu (the "
                                   "host allows %llu without CAP_SYS_RESOURCE)",
                                   i, (unsigned long long) rl.rlim_max,
                                   (unsigned long long) now.rlim_max);
          return hk_error_errno (err, errno, "process.rlimits[%zu]: setrlimit", i);
        }
    }
  return 0;
}

struct sched_attr_v1
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

/* Scheduler policy and I/O priority of the calling process. */
static int
process_set_scheduling (const struct oci_process *p, struct hk_error **err)
{
  if (p->has_scheduler)
    {
      const struct oci_scheduler *s = &p->scheduler;
      struct sched_attr_v1 attr = {
        .size = sizeof attr,
        .sched_policy = (uint32_t) s->policy,
        .sched_flags = s->flags,
        .sched_nice = s->nice,
        .sched_priority = (uint32_t) s->priority,
        .sched_runtime = s->runtime,
        .sched_deadline = s->deadline,
        .sched_period = s->period,
      };
      if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
        {
          bool realtime = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
          if (errno == EPERM && realtime)
            return hk_error_errno (err, errno,
                                   "process.scheduler: sched_setattr (a real-time policy needs "
                                   "CAP_SYS_NICE and, with cgroup v1 real-time group "
                                   "scheduling, a budget: linux.resources.cpu.realtimeRuntime)");
          return hk_error_errno (err, errno, "process.scheduler: sched_setattr");
        }
    }
  if (p->has_io_priority)
    {
      int prio = IOPRIO_PRIO_VALUE (p->io_priority.class, p->io_priority.priority);
      if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
        return hk_error_errno (err, errno, "process.ioPriority: ioprio_set");
    }
  return 0;
}

/* True in a user namespace whose setgroups file says "deny". */
static bool
setgroups_denied (void)
{
  _cleanup_free_ char *policy = NULL;
  return fs_read_file (AT_FDCWD, "/proc/self/setgroups", 64, &policy, NULL, NULL) == 0
         && strncmp (policy, "deny", 4) == 0;
}

/* Supplementary groups, gid, uid. */
static int
process_set_user (const struct oci_process *p, struct hk_error **err)
{
  gid_t *groups = (gid_t *) p->user.additional_gids;
  if (setgroups (p->user.n_additional_gids, groups) < 0)
    {
      /* Where setgroups is denied, no groups is the only possible state. */
      if (!(errno == EPERM && p->user.n_additional_gids == 0 && setgroups_denied ()))
        return hk_error_errno (err, errno, "process.user.additionalGids: setgroups");
    }
  if (setresgid (p->user.gid, p->user.gid, p->user.gid) < 0)
    return hk_error_errno (err, errno, "process.user.gid: setresgid(%u)", p->user.gid);
  if (setresuid (p->user.uid, p->user.uid, p->user.uid) < 0)
    return hk_error_errno (err, errno, "process.user.uid: setresuid(%u)", p->user.uid);
  return 0;
}

/* Asks AppArmor to confine the next execve with PROFILE. */
static int
process_set_apparmor (const char *profile, struct hk_error **err)
{
  _cleanup_free_ char *cmd = xasprintf ("exec %s", profile);
  /* Newer kernels have a per-LSM directory; older only the shared file. */
  int r = fs_write_kernel_file (AT_FDCWD, "/proc/self/attr/apparmor/exec", cmd, NULL);
  if (r < 0 && fs_write_kernel_file (AT_FDCWD, "/proc/self/attr/exec", cmd, err) < 0)
    return hk_error_prefix (err, "process.apparmorProfile `%s`", profile);
  return 0;
}

/* CVE-2024-21626: the cwd must be inside the container's root, not a
 * directory reached through an fd leaked from the runtime. */
static int
enter_cwd (const char *cwd, struct hk_error **err)
{
  if (chdir (cwd) < 0)
    return hk_error_errno (err, errno, "process.cwd: chdir to `%s`", cwd);
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL)
    return hk_error_errno (err, errno, "process.cwd: `%s` is outside the container's root", cwd);
  if (buf[0] != '/')
    return hk_error_set (err, EPERM, "process.cwd: `%s` is outside the container's root", cwd);
  return 0;
}

/* An /etc/passwd line longer than this is skipped. */
#define PASSWD_LINE_MAX 1024

/* When LINE ("name:pw:uid:gid:gecos:home:shell") is UID's, copies its home
 * into HOME. */
static bool
passwd_home (char *line, uid_t uid, char home[static PATH_MAX])
{
  char *field[7] = { 0 };
  size_t n = 0;
  for (char *p = line; n < 7; p++)
    {
      field[n++] = p;
      p = strchr (p, ':');
      if (p == NULL)
        break;
      *p = '\0';
    }
  char *end;
  if (n < 6 || field[2][0] == '\0' || strtoul (field[2], &end, 10) != uid || *end != '\0'
      || field[5][0] == '\0' || strlen (field[5]) >= PATH_MAX)
    return false;
  strcpy (home, field[5]);
  return true;
}

/* The home directory of UID in the container's /etc/passwd (we are in its
 * root already), "/" when it has none, as runc and crun do.  Read through a
 * small buffer, not stdio: the process may run in a few hundred KiB of
 * memory (the tests run it in 512 KiB, under ASan too). */
static void
home_of (uid_t uid, char home[static PATH_MAX])
{
  strcpy (home, "/");
  _cleanup_close_ int fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  char buf[4096], line[PASSWD_LINE_MAX];
  size_t len = 0;
  bool too_long = false;
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++)
      {
        if (buf[i] != '\n')
          {
            if (len < sizeof line - 1)
              line[len++] = buf[i];
            else
              too_long = true;
            continue;
          }
        line[len] = '\0';
        if (!too_long && passwd_home (line, uid, home))
          return;
        len = 0;
        too_long = false;
      }
  line[len] = '\0';
  if (len > 0 && !too_long)
    passwd_home (line, uid, home);
}

static void
set_home (struct process_setup *s)
{
  s->env = strv_copy (s->process->env);
  if (strv_env_get (s->env, "HOME") != NULL)
    return;
  char home[PATH_MAX];
  home_of (s->process->user.uid, home);
  strv_env_set (&s->env, "HOME", home);
}

/* CVE-2024-21626 too: no fd of the runtime survives execve but stdio and
 * the ones the caller asked to preserve. */
static int
close_fds_on_exec (int preserve_fds, struct hk_error **err)
{
  unsigned first = 3 + (unsigned) preserve_fds;
  for (unsigned fd = 3; fd < first; fd++)
    {
      int flags = fcntl ((int) fd, F_GETFD);
      if (flags >= 0)
        fcntl ((int) fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  if (close_range (first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "mark the runtime's fds close-on-exec");
  return 0;
}

static bool
is_executable_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

/* p->args[0] searched in the $PATH of ENV when it has no slash, checked
 * to be an executable file when it has one (as the user, whose real ids
 * we have now).  The messages are runc's: Docker and Podman turn "not
 * found" / "no such file or directory" into exit 127 and "permission
 * denied" into 126, matching them case-sensitively. */
static int
find_program (const struct oci_process *p, char *const *env, char **out, struct hk_error **err)
{
  const char *name = p->args[0];
  if (strchr (name, '/') != NULL)
    {
      if (is_executable_file (name))
        {
          *out = xstrdup (name);
          return 0;
        }
      if (access (name, F_OK) == 0)
        return hk_error_set (err, EACCES, "exec `%s`: permission denied", name);
      return hk_error_set (err, ENOENT, "exec `%s`: no such file or directory", name);
    }
  const char *path = strv_env_get (env, "PATH");
  if (path == NULL)
    path = DEFAULT_PATH;
  _cleanup_free_ char *dirs = xstrdup (path);
  bool found_unexecutable = false;
  char *save = NULL;
  for (char *dir = strtok_r (dirs, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *candidate = xasprintf ("%s/%s", *dir ? dir : ".", name);
      if (is_executable_file (candidate))
        {
          *out = take_ptr (candidate);
          return 0;
        }
      found_unexecutable |= access (candidate, F_OK) == 0;
    }
  if (found_unexecutable)
    return hk_error_set (err, EACCES, "exec `%s`: permission denied", name);
  return hk_error_set (err, ENOENT, "exec `%s`: executable file not found in $PATH", name);
}

int
process_prepare (struct process_setup *s, struct hk_error **err)
{
  /* An ignored signal stays ignored across execve: a runtime started from
   * a shell that ignores SIGINT would pass that on, and ctrl-c would not
   * reach the container's program.  Every process starts with defaults. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  /* A session (and process group) of its own, led by the process inside
   * the container's pid namespace, as runc and crun make it: an exec'd
   * process's group was the runtime's, outside, and showed as 0.  A
   * terminal made the process a session leader already. */
  if (getsid (0) != getpid () && setsid () < 0)
    return hk_error_errno (err, errno, "setsid");
  const struct oci_process *p = s->process;
  if (s->has_personality && personality (s->personality) < 0)
    return hk_error_errno (err, errno, "linux.personality");
  const struct oci_memory_policy *mp = s->memory_policy;
  if (mp != NULL
      && syscall (SYS_set_mempolicy, mp->mode | (int) mp->flags, mp->max_node ? mp->nodes : NULL,
                  mp->max_node ? mp->max_node + 1 : 0)
             < 0)
    return hk_error_errno (err, errno, "linux.memoryPolicy: set_mempolicy");
  if (process_set_scheduling (p, err) < 0 || process_set_rlimits (p, err) < 0)
    return -1;
  if (p->apparmor_profile != NULL && process_set_apparmor (p->apparmor_profile, err) < 0)
    return -1;
  set_home (s);
  struct oci_capabilities none = { 0 };
  const struct oci_capabilities *caps = p->has_capabilities ? &p->capabilities : &none;
  /* Loading a filter without no_new_privs needs CAP_SYS_ADMIN. */
  bool keep_sys_admin = s->seccomp != NULL && !p->no_new_privileges;
  if (caps_prepare (caps, err) < 0 || process_set_user (p, err) < 0
      || caps_apply (caps, keep_sys_admin, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return hk_error_errno (err, errno, "process.noNewPrivileges");
  umask (p->user.has_umask ? (mode_t) p->user.umask : 022);
  if (enter_cwd (p->cwd, err) < 0)
    return -1;
  if (find_program (p, s->env, &s->program, &s->missing) < 0)
    s->program = NULL; /* reported at exec time, as a failed execve would be */
  if (close_fds_on_exec (s->preserve_fds, err) < 0)
    return -1;
  if (s->seccomp != NULL && s->seccomp->notify)
    {
      if (seccomp_install (s->seccomp, &s->seccomp_listener, err) < 0)
        return -1;
      s->seccomp_loaded = true;
    }
  return 0;
}

int
process_exec (struct process_setup *s, struct hk_error **err)
{
  if (s->program == NULL)
    {
      *err = take_ptr (s->missing);
      return -1;
    }
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  int listener;
  if (s->seccomp != NULL && !s->seccomp_loaded && seccomp_install (s->seccomp, &listener, err) < 0)
    return -1;
  execve (s->program, s->process->args, s->env);
  return hk_error_errno (err, errno, "exec `%s`", s->program);
}
