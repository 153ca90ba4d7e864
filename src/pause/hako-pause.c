/* SPDX-License-Identifier: Apache-2.0 */
/* hako-pause: the process of a pod's infra container.  It holds the
 * namespaces the pod's containers share; as pid 1 of a shared pid
 * namespace it reaps the orphans they leave; it exits on SIGTERM or
 * SIGINT (which pid 1 would otherwise ignore).  Static, no allocation. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
reap (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

int
main (int argc, char **argv)
{
  if (argc > 1 && (strcmp (argv[1], "-v") == 0 || strcmp (argv[1], "--version") == 0))
    {
      printf ("hako-pause %s\n", HAKO_VERSION);
      return 0;
    }
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    {
      perror ("hako-pause: sigprocmask");
      return 1;
    }
  for (;;)
    {
      int sig = sigwaitinfo (&set, NULL);
      if (sig < 0 && errno != EINTR)
        {
          perror ("hako-pause: sigwaitinfo");
          return 1;
        }
      if (sig == SIGCHLD)
        reap ();
      else if (sig == SIGTERM || sig == SIGINT)
        return 0;
    }
}
