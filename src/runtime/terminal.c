/* SPDX-License-Identifier: Apache-2.0 */
#include "terminal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int
terminal_open_pty (int root_fd, int *slave, int *index, struct hk_error **err)
{
  _cleanup_close_ int master = in_root_open (root_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
  if (master < 0)
    return hk_error_prefix (err, "process.terminal");
  /* The node must be the pty multiplexer, not something an image planted. */
  struct stat st;
  if (fstat (master, &st) < 0 || !S_ISCHR (st.st_mode) || major (st.st_rdev) != 5
      || minor (st.st_rdev) != 2)
    return hk_error_set (err, EPERM, "process.terminal: /dev/pts/ptmx is not the pty multiplexer");
  int unlock = 0;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return hk_error_errno (err, errno, "process.terminal: unlock the pty");
  if (ioctl (master, TIOCGPTN, index) < 0)
    return hk_error_errno (err, errno, "process.terminal: read the pty number");
  *slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0)
    return hk_error_errno (err, errno, "process.terminal: open the pty slave");
  return take_fd (&master);
}

int
terminal_attach_stdio (int slave, uid_t uid, unsigned rows, unsigned cols, struct hk_error **err)
{
  if (fchown (slave, uid, (gid_t) -1) < 0 && errno != EINVAL)
    return hk_error_errno (err, errno, "process.terminal: chown the pty");
  if (rows && cols)
    {
      struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return hk_error_errno (err, errno, "process.consoleSize: set the window size");
    }
  if (setsid () < 0)
    return hk_error_errno (err, errno, "process.terminal: setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return hk_error_errno (err, errno, "process.terminal: make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return hk_error_errno (err, errno, "process.terminal: dup2 the pty to fd %d", fd);
  return 0;
}

int
terminal_connect_socket (const char *path, struct hk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return hk_error_set (err, ENAMETOOLONG, "console socket `%s`: path too long", path);
  strcpy (addr.sun_path, path);
  _cleanup_close_ int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return hk_error_errno (err, errno, "console socket: socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return hk_error_errno (err, errno, "connect to console socket `%s`", path);
  return take_fd (&fd);
}

static void
copy_winsize (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    ioctl (to, TIOCSWINSZ, &ws);
}

/* Copies what is readable on FROM to TO; false at EOF or error. */
static bool
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    return n < 0 && (errno == EINTR || errno == EAGAIN);
  return fs_write_all (to, buf, (size_t) n) == 0 || errno == EPIPE;
}

int
terminal_proxy (int master, int pidfd, int signal_fd, pid_t pid, struct hk_error **err)
{
  struct termios saved;
  bool raw = isatty (0) && tcgetattr (0, &saved) == 0;
  if (raw)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      t.c_oflag = saved.c_oflag; /* keep output processing for our own messages */
      tcsetattr (0, TCSANOW, &t);
      copy_winsize (0, master);
    }
  bool stdin_open = true, exited = false;
  for (;;)
    {
      struct pollfd fds[4] = {
        { .fd = master, .events = POLLIN },
        { .fd = stdin_open ? 0 : -1, .events = POLLIN },
        { .fd = signal_fd, .events = POLLIN },
        { .fd = exited ? -1 : pidfd, .events = POLLIN },
      };
      /* Once the process is gone, drain what the pty still holds. */
      if (poll (fds, 4, exited ? 100 : -1) < 0 && errno != EINTR)
        break;
      if (fds[0].revents & POLLIN)
        {
          if (!pump (master, 1))
            break;
        }
      else if (fds[0].revents & (POLLHUP | POLLERR))
        break;
      else if (exited)
        break;
      if (fds[1].revents && !pump (0, master))
        stdin_open = false; /* EOF on stdin: the process keeps its pty */
      if (fds[2].revents)
        {
          struct signalfd_siginfo si;
          if (read (signal_fd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                copy_winsize (0, master);
              else if (si.ssi_signo != SIGCHLD)
                kill (pid, (int) si.ssi_signo);
            }
        }
      if (fds[3].revents)
        exited = true;
    }
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  (void) err;
  return 0;
}
