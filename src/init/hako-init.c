/* SPDX-License-Identifier: Apache-2.0 */
/* hako-init: the container's pid 1 with `hako run --init`.  Runs the
 * program as its child, forwards the signals it gets to it, reaps every
 * zombie the container makes (orphans are re-parented to pid 1), and exits
 * with the program's status (128+N when a signal N ended it). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  int first = 1;
  if (first < argc && strcmp (argv[first], "--") == 0)
    first++;
  if (first >= argc)
    {
      fprintf (stderr, "usage: hako-init [--] PROGRAM [ARGS...]\n");
      return 2;
    }
  /* Reap orphans even when not pid 1 (a shared pid namespace). */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  sigset_t all, old;
  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, &old);
  pid_t child = fork ();
  if (child < 0)
    {
      perror ("hako-init: fork");
      return 126;
    }
  if (child == 0)
    {
      sigprocmask (SIG_SETMASK, &old, NULL);
      /* Its own process group, so a signal to the group reaches it alone. */
      setpgid (0, 0);
      if (isatty (0))
        tcsetpgrp (0, getpid ());
      execvp (argv[first], argv + first);
      fprintf (stderr, "hako-init: exec %s: %s\n", argv[first], strerror (errno));
      _exit (errno == ENOENT ? 127 : 126);
    }
  for (;;)
    {
      siginfo_t info;
      int sig = sigwaitinfo (&all, &info);
      if (sig < 0)
        continue;
      if (sig != SIGCHLD)
        {
          kill (child, sig);
          continue;
        }
      for (;;)
        {
          int status;
          pid_t pid = waitpid (-1, &status, WNOHANG);
          if (pid <= 0)
            break;
          if (pid == child)
            return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
        }
    }
}
