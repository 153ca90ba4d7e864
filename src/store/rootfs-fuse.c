/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs-fuse.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

bool
rootfs_fuse_forced (void)
{
  const char *forced = getenv ("HAKO_TEST_FUSE_OVERLAYFS");
  return forced != NULL && strcmp (forced, "1") == 0;
}

int
rootfs_fuse_mount (int root_fd, const char *options, const char *target, struct hk_error **err)
{
  /* its messages in an unlinked file: its daemon keeps stderr open, a
   * pipe would never end */
  char tmpl[] = "/tmp/hako-fuse-XXXXXX";
  _cleanup_close_ int said = mkostemp (tmpl, O_CLOEXEC);
  if (said < 0)
    return hk_error_errno (err, errno, "a temporary file for fuse-overlayfs's messages");
  unlink (tmpl);
  pid_t pid = fork ();
  if (pid < 0)
    return hk_error_errno (err, errno, "fork for fuse-overlayfs");
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR);
      if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (said, 2) < 0
          || fchdir (root_fd) < 0)
        _exit (127);
      execlp ("fuse-overlayfs", "fuse-overlayfs", "-o", options, target, (char *)NULL);
      dprintf (2, "run fuse-overlayfs: %s (Debian package fuse-overlayfs)", strerror (errno));
      _exit (127);
    }
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for fuse-overlayfs");
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  char text[512] = "";
  ssize_t n = pread (said, text, sizeof text - 1, 0);
  text[n > 0 ? n : 0] = '\0';
  for (size_t len = strlen (text); len > 0 && text[len - 1] == '\n'; len--)
    text[len - 1] = '\0';
  return hk_error_set (err, EIO, "fuse-overlayfs on `%s` failed: %s", target,
                       *text ? text : "no message");
}
