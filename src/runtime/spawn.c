/* SPDX-License-Identifier: Apache-2.0 */
#include "spawn.h"
#include "common/cleanup.h"
#include "common/fs-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
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

int
spawn_process (const struct spawn_request *req, struct spawn_result *out, struct hk_error **err)
{
  struct saved_ns saved = { -1, -1 };
  if (enter_for_child (req, &saved, err) < 0)
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
  long pid = clone3 (&args);
  out->in_cgroup = cgroup_fd >= 0;
  if (pid < 0 && errno == EBUSY && out->in_cgroup)
    {
      /* The v2 cgroup cannot take processes directly: start outside, the
       * caller moves the child in. */
      args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
      args.cgroup = 0;
      out->in_cgroup = false;
      pid = clone3 (&args);
    }
  if (pid == 0)
    req->child (req->data);
  int saved_errno = errno;
  restore (&saved);
  if (pid < 0)
    return hk_error_errno (err, saved_errno, "clone the container process");
  out->pid = (pid_t)pid;
  return 0;
}
