/* SPDX-License-Identifier: Apache-2.0 */
#include "netns.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int
loopback_up (struct hk_error **err)
{
  _cleanup_close_ int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };
  strcpy (ifr.ifr_name, "lo");
  if (s < 0 || ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
    return hk_error_errno (err, errno, "bring lo up");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
    return hk_error_errno (err, errno, "bring lo up");
  return 0;
}

/* In the new namespace: lo up, then the bind mount that keeps it. */
static int
keep_namespace (const char *path, struct hk_error **err)
{
  if (loopback_up (err) < 0)
    return -1;
  if (mount ("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
    return hk_error_errno (err, errno, "bind the network namespace on `%s`", path);
  return 0;
}

/* The namespace made in a child that joins USERNS_FD first, if any (a
 * process enters a user namespace for good; rootless, we could not come
 * back to the host's network namespace, which the machine's first user
 * namespace owns): it says on READY when its namespace
 * is there, and exits when HOLD closes, once we have bound it on PATH. */
static int
create_in_userns (const char *path, int userns_fd, struct hk_error **err)
{
  int ready[2], hold[2];
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  if (pipe2 (hold, O_CLOEXEC) < 0)
    {
      close (ready[0]);
      close (ready[1]);
      return hk_error_errno (err, errno, "pipe");
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (ready[0]);
      close (hold[1]);
      struct hk_error *e = NULL;
      int status = 0;
      if ((userns_fd >= 0 && setns (userns_fd, CLONE_NEWUSER) < 0) || unshare (CLONE_NEWNET) < 0)
        status = errno;
      else if (loopback_up (&e) < 0)
        status = e->errnum;
      (void)!write (ready[1], &status, sizeof status);
      char c;
      (void)!read (hold[0], &c, 1);
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  int status = EIO;
  int rc = -1;
  if (pid < 0)
    hk_error_errno (err, errno, "fork to create a network namespace");
  else if (read (ready[0], &status, sizeof status) != sizeof status || status != 0)
    hk_error_errno (err, status, "create a network namespace in the container's user namespace");
  else
    {
      char source[64];
      snprintf (source, sizeof source, "/proc/%d/ns/net", (int)pid);
      rc = mount (source, path, NULL, MS_BIND, NULL);
      if (rc < 0)
        hk_error_errno (err, errno, "bind the network namespace on `%s`", path);
    }
  close (ready[0]);
  close (hold[1]);
  if (pid > 0)
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
      ;
  return rc;
}

/* The namespace made by this thread, which goes into it and comes back:
 * no process to start, nothing to wait for. */
static int
create_here (const char *path, struct hk_error **err)
{
  _cleanup_close_ int ours = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (ours < 0)
    return hk_error_errno (err, errno, "open our network namespace");
  if (unshare (CLONE_NEWNET) < 0)
    return hk_error_errno (err, errno, "create a network namespace");
  int r = keep_namespace (path, err);
  if (setns (ours, CLONE_NEWNET) < 0)
    {
      /* Staying in the wrong namespace would be worse than dying. */
      perror ("hako: return to our network namespace");
      abort ();
    }
  return r;
}

int
netns_create (const char *path, int userns_fd, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (path);
  if (fs_mkdir_p (dirname (copy), 0700, err) < 0)
    return -1;
  _cleanup_close_ int file = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (file < 0)
    return hk_error_errno (err, errno, "create `%s`", path);
  int r = userns_fd >= 0 || !userns_is_initial () ? create_in_userns (path, userns_fd, err)
                                                   : create_here (path, err);
  if (r < 0)
    unlink (path);
  return r;
}

int
netns_remove (const char *path, struct hk_error **err)
{
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return hk_error_errno (err, errno, "unmount `%s`", path);
  if (unlink (path) < 0 && errno != ENOENT)
    return hk_error_errno (err, errno, "remove `%s`", path);
  return 0;
}

int
netns_io_bytes (int pid, uint64_t *rx, uint64_t *tx, struct hk_error **err)
{
  /* /proc/PID/net is the view of PID's network namespace. */
  _cleanup_free_ char *path = xasprintf ("/proc/%d/net/dev", pid);
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, NULL, err) < 0)
    return -1;
  *rx = *tx = 0;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *colon = strchr (line, ':');
      if (colon == NULL)
        continue; /* the two header lines */
      *colon = '\0';
      const char *name = line + strspn (line, " ");
      uint64_t v[16] = { 0 };
      int n = sscanf (colon + 1,
                      "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                      " %" SCNu64 " %" SCNu64 " %" SCNu64,
                      &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
      if (n < 9 || strcmp (name, "lo") == 0)
        continue;
      *rx += v[0];
      *tx += v[8];
    }
  return 0;
}
