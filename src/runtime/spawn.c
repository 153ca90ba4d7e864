/* SPDX-License-Identifier: Apache-2.0 */
#include "spawn.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The caller's namespaces for children, restored after the clone. */
struct saved_ns
{
  int pid, time;
};

static void
restore (struct saved_ns *saved)
{
  if (saved->pid >= 0)
    {
      setns (saved->pid, CLONE_NEWPID);
      close (saved->pid);
    }
  if (saved->time >= 0)
    {
      setns (saved->time, CLONE_NEWTIME);
      close (saved->time);
    }
}

/* A process enters a pid or time namespace only for its children: enter
 * them for the clone. */
static int
enter_for_child (const struct spawn_request *req, struct saved_ns *saved, struct hk_error **err)
{
  if (req->pid_ns_fd >= 0)
    {
      saved->pid = open ("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
      if (saved->pid < 0 || setns (req->pid_ns_fd, CLONE_NEWPID) < 0)
        return hk_error_errno (err, errno, "join the pid namespace");
    }
  if (req->time_ns_fd < 0 && req->time_offsets == NULL)
    return 0;
  saved->time = open ("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (saved->time < 0)
    return hk_error_errno (err, errno, "open the time namespace");
  if (req->time_ns_fd >= 0)
    {
      if (setns (req->time_ns_fd, CLONE_NEWTIME) < 0)
        return hk_error_errno (err, errno, "join the time namespace");
      return 0;
    }
  /* Offsets can be written only before a process is in the namespace. */
  if (unshare (CLONE_NEWTIME) < 0)
    return hk_error_errno (err, errno, "linux.timeOffsets: create the time namespace");
  if (fs_write_kernel_file (AT_FDCWD, "/proc/self/timens_offsets", req->time_offsets, err) < 0)
    return hk_error_prefix (err, "linux.timeOffsets");
  return 0;
}

static long
clone3 (struct clone_args *args)
{
  return syscall (SYS_clone3, args, sizeof *args);
}

/* clone3 ARGS, straight into the v2 cgroup when it takes processes; else
 * outside it (*IN_CGROUP false: the caller moves the child in). */
static long
clone_maybe_into_cgroup (struct clone_args *args, bool *in_cgroup)
{
  long pid = clone3 (args);
  *in_cgroup = (args->flags & CLONE_INTO_CGROUP) != 0;
  if (pid < 0 && errno == EBUSY && *in_cgroup)
    {
      /* The v2 cgroup cannot take processes directly: start outside, the
       * caller moves the child in. */
      args->flags &= ~(uint64_t)CLONE_INTO_CGROUP;
      args->cgroup = 0;
      *in_cgroup = false;
      pid = clone3 (args);
    }
  return pid;
}

/* What the helper of clone_in_user_namespace says. */
struct helper_reply
{
  long pid;
  int error; /* errno, 0 when the clone worked */
  bool in_cgroup;
  bool joined; /* the user namespace was joined (else its setns failed) */
};

static void __attribute__ ((noreturn))
helper_main (const struct spawn_request *req, struct clone_args *args, bool join_user,
             bool join_for_child, int reply_fd)
{
  struct helper_reply r = { .pid = -1 };
  struct saved_ns saved = { -1, -1 };
  struct hk_error *e = NULL;
  if (join_for_child && enter_for_child (req, &saved, &e) < 0)
    r.error = e->errnum;
  else if (join_user && setns (req->user_ns_fd, CLONE_NEWUSER) < 0)
    r.error = errno;
  else
    {
      r.joined = true;
      /* The child is our parent's, as if it had cloned it. */
      args->flags = (args->flags & ~(uint64_t)CLONE_PIDFD) | CLONE_PARENT;
      args->pidfd = 0;
      args->exit_signal = 0;
      r.pid = clone_maybe_into_cgroup (args, &r.in_cgroup);
      if (r.pid == 0)
        req->child (req->data);
      if (r.pid < 0)
        r.error = errno;
    }
  (void) !write (reply_fd, &r, sizeof r);
  _exit (0);
}

/* The new namespaces must belong to the user namespace the container
 * joins (its root could not mount or set a hostname in namespaces the
 * host's user namespace owns), but a process enters a user namespace for
 * good: a forked helper joins it and clones the child as our child
 * (CLONE_PARENT), then exits.  Rootless, the pid and time namespaces for
 * children are joined by the helper too: we could not return to ours,
 * which the machine's first user namespace owns, and our later children
 * (LeakSanitizer's tracer among them) would be born in the container's. */
static int
clone_in_helper (const struct spawn_request *req, struct clone_args *args, bool join_user,
                 bool join_for_child, struct spawn_result *out, struct hk_error **err)
{
  int reply[2];
  if (pipe2 (reply, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t helper = fork ();
  if (helper == 0)
    {
      close (reply[0]);
      helper_main (req, args, join_user, join_for_child, reply[1]);
    }
  close (reply[1]);
  struct helper_reply r = { .pid = -1, .error = EIO };
  ssize_t n = helper < 0 ? -1 : read (reply[0], &r, sizeof r);
  int saved_errno = errno;
  close (reply[0]);
  if (helper < 0)
    return hk_error_errno (err, saved_errno, "fork to join the user namespace");
  while (waitpid (helper, NULL, 0) < 0 && errno == EINTR)
    ;
  if (n != (ssize_t) sizeof r)
    return hk_error_set (err, EIO, "the process joining the user namespace died");
  if (!r.joined)
    return hk_error_errno (err, r.error, "join the container's namespaces");
  if (r.pid < 0)
    return hk_error_errno (err, r.error, "clone the container process");
  out->pid = (pid_t) r.pid;
  out->in_cgroup = r.in_cgroup;
  out->pidfd = (int) syscall (SYS_pidfd_open, out->pid, 0);
  if (out->pidfd < 0)
    return hk_error_errno (err, errno, "open a pidfd of the container process");
  return 0;
}

/* Whether the pid or time namespace for children would be one we could
 * not come back from (rootless: see clone_in_helper). */
static bool
joins_for_good (const struct spawn_request *req)
{
  return (req->pid_ns_fd >= 0 || req->time_ns_fd >= 0 || req->time_offsets != NULL)
         && !userns_is_initial ();
}

int
spawn_process (const struct spawn_request *req, struct spawn_result *out, struct hk_error **err)
{
  struct saved_ns saved = { -1, -1 };
  bool in_helper = joins_for_good (req);
  if (!in_helper && enter_for_child (req, &saved, err) < 0)
    {
      restore (&saved);
      return -1;
    }
  _cleanup_close_ int cgroup_fd = req->cgroup != NULL ? cgroup_open_v2 (req->cgroup) : -1;
  out->pidfd = -1;
  struct clone_args args = {
    .flags = req->clone_flags | CLONE_PIDFD,
    .pidfd = (uint64_t)(uintptr_t)&out->pidfd,
    .exit_signal = SIGCHLD,
  };
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t)cgroup_fd;
    }
  bool join_user = req->user_ns_fd >= 0 && req->clone_flags != 0;
  if (join_user || in_helper)
    {
      int r = clone_in_helper (req, &args, join_user, in_helper, out, err);
      restore (&saved);
      return r;
    }
  long pid = clone_maybe_into_cgroup (&args, &out->in_cgroup);
  if (pid == 0)
    req->child (req->data);
  int saved_errno = errno;
  restore (&saved);
  if (pid < 0)
    return hk_error_errno (err, saved_errno, "clone the container process");
  out->pid = (pid_t)pid;
  return 0;
}
