/* SPDX-License-Identifier: Apache-2.0 */
/* hako-test-flock [-n] FILE PROG [ARG...]: takes an exclusive flock on
 * FILE (made if missing) and execs PROG with the lock's fd open, so PROG
 * holds the lock (busybox has no flock).  With -n it does not wait: a lock
 * held elsewhere exits 1.  Other failures exit 2.  The system tests build
 * it static for the busybox containers (checkpoint-engine-vm.bats). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  int no_wait = argc > 1 && strcmp (argv[1], "-n") == 0;
  if (argc < 3 + no_wait)
    {
      fprintf (stderr, "usage: hako-test-flock [-n] FILE PROG [ARG...]\n");
      return 2;
    }
  const char *file = argv[1 + no_wait];
  int fd = open (file, O_RDWR | O_CREAT, 0644); /* not O_CLOEXEC: PROG keeps it */
  if (fd < 0)
    {
      fprintf (stderr, "hako-test-flock: open %s: %s\n", file, strerror (errno));
      return 2;
    }
  if (flock (fd, LOCK_EX | (no_wait ? LOCK_NB : 0)) < 0)
    {
      fprintf (stderr, "hako-test-flock: flock %s: %s\n", file, strerror (errno));
      return errno == EWOULDBLOCK ? 1 : 2;
    }
  execvp (argv[2 + no_wait], argv + 2 + no_wait);
  fprintf (stderr, "hako-test-flock: exec %s: %s\n", argv[2 + no_wait], strerror (errno));
  return 2;
}
