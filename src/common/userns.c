/* SPDX-License-Identifier: Apache-2.0 */
#include "userns.h"
#include "cleanup.h"
#include "fs-util.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that waits until HOLD's write end closes; in a new user
 * namespace (NEW_USERNS) or, having joined JOIN_FD's, says so on READY. */
static pid_t
start_holder (bool new_userns, int join_fd, int hold[2], int ready[2])
{
  pid_t pid = (pid_t)syscall (SYS_clone, (new_userns ? CLONE_NEWUSER : 0) | SIGCHLD, NULL, NULL,
                              NULL, NULL);
  if (pid != 0)
    return pid;
  char c = 0;
  close (hold[1]);
  if (join_fd >= 0)
    {
      close (ready[0]);
      c = setns (join_fd, CLONE_NEWUSER) < 0 ? (char)errno : 0;
      (void)!write (ready[1], &c, 1);
    }
  (void)!read (hold[0], &c, 1); /* until the parent is done with us */
  _exit (0);
}

static void
stop_holder (pid_t pid, int hold_fd)
{
  close (hold_fd);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

static int
write_maps (pid_t pid, const char *uid_map, const char *gid_map, struct hk_error **err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int)pid);
  if (fs_write_kernel_file (AT_FDCWD, path, uid_map, err) < 0)
    return hk_error_prefix (err, "uid mappings");
  snprintf (path, sizeof path, "/proc/%d/gid_map", (int)pid);
  if (fs_write_kernel_file (AT_FDCWD, path, gid_map, err) < 0)
    return hk_error_prefix (err, "gid mappings");
  return 0;
}

int
userns_open_with_maps (const char *uid_map, const char *gid_map, struct hk_error **err)
{
  int hold[2];
  if (pipe2 (hold, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t pid = start_holder (true, -1, hold, NULL);
  close (hold[0]);
  if (pid < 0)
    {
      close (hold[1]);
      return hk_error_errno (err, errno, "create a user namespace");
    }
  int fd = -1;
  if (write_maps (pid, uid_map, gid_map, err) == 0)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int)pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        hk_error_errno (err, errno, "open `%s`", path);
    }
  stop_holder (pid, hold[1]);
  return fd;
}

int
userns_read_maps (int fd, char **uid_map, char **gid_map, struct hk_error **err)
{
  int hold[2], ready[2];
  if (pipe2 (hold, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  if (pipe2 (ready, O_CLOEXEC) < 0)
    {
      close (hold[0]);
      close (hold[1]);
      return hk_error_errno (err, errno, "pipe");
    }
  pid_t pid = start_holder (false, fd, hold, ready);
  close (hold[0]);
  close (ready[1]);
  char status = EIO;
  int rc = -1;
  if (pid < 0)
    hk_error_errno (err, errno, "fork to read a user namespace's maps");
  else if (read (ready[0], &status, 1) != 1 || status != 0)
    hk_error_errno (err, status, "join the user namespace to read its maps");
  else
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/uid_map", (int)pid);
      if (fs_read_file (AT_FDCWD, path, 64 * 1024, uid_map, NULL, err) == 0)
        {
          snprintf (path, sizeof path, "/proc/%d/gid_map", (int)pid);
          rc = fs_read_file (AT_FDCWD, path, 64 * 1024, gid_map, NULL, err);
          if (rc < 0)
            free (take_ptr (*uid_map));
        }
    }
  close (ready[0]);
  if (pid < 0)
    close (hold[1]);
  else
    stop_holder (pid, hold[1]);
  return rc;
}

bool
userns_is_initial (void)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, "/proc/self/uid_map", 4096, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return true; /* no /proc: nothing tells otherwise */
    }
  unsigned long inside, outside, count;
  return sscanf (text, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0
         && outside == 0 && count == 4294967295UL && strchr (text, '\n') == text + strlen (text) - 1;
}

static struct
{
  int fd;
  char *uid_map, *gid_map;
} offered = { -1, NULL, NULL };

static void
offered_clear (void)
{
  if (offered.fd >= 0)
    close (offered.fd);
  free (offered.uid_map);
  free (offered.gid_map);
  offered.fd = -1;
  offered.uid_map = offered.gid_map = NULL;
}

void
userns_offer (int fd, const char *uid_map, const char *gid_map)
{
  offered_clear ();
  offered.fd = fd;
  offered.uid_map = xstrdup (uid_map);
  offered.gid_map = xstrdup (gid_map);
}

int
userns_take_offered (const char *uid_map, const char *gid_map)
{
  if (offered.fd < 0 || strcmp (offered.uid_map, uid_map) != 0
      || strcmp (offered.gid_map, gid_map) != 0)
    return -1;
  int fd = offered.fd;
  offered.fd = -1;
  offered_clear ();
  return fd;
}
