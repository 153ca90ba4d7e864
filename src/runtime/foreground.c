/* SPDX-License-Identifier: Apache-2.0 */
#include "foreground.h"
#include "terminal.h"
#include "common/cleanup.h"

#include <errno.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

void
foreground_block_signals (sigset_t *set, sigset_t *old)
{
  sigfillset (set);
  static const int keep[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
    sigdelset (set, keep[i]);
  sigprocmask (SIG_BLOCK, set, old);
}

int
foreground_wait (int pidfd, pid_t pid, int pty_master, const sigset_t *signals,
                 int *exit_status, struct hk_error **err)
{
  _cleanup_close_ int sfd = signalfd (-1, signals, SFD_CLOEXEC);
  if (sfd < 0)
    {
      close (pidfd);
      return hk_error_errno (err, errno, "signalfd");
    }
  if (pty_master >= 0)
    terminal_proxy (pty_master, pidfd, sfd, pid, err);
  else
    for (;;)
      {
        struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
        if (poll (fds, 2, -1) < 0 && errno != EINTR)
          {
            close (pidfd);
            return hk_error_errno (err, errno, "poll");
          }
        if (fds[0].revents)
          break;
        struct signalfd_siginfo si;
        if (fds[1].revents && read (sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD
            && si.ssi_signo != SIGWINCH)
          pidfd_send_signal (pidfd, (int) si.ssi_signo, NULL, 0);
      }
  close (pidfd);
  int status;
  if (waitpid (pid, &status, 0) != pid)
    return hk_error_errno (err, errno, "wait for process %d", (int) pid);
  *exit_status = WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
  return 0;
}
