/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-attach.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "monitor/attach-protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Connects to the socket at PATH, which may be longer than a socket
 * address can hold: the address names it through an O_PATH descriptor of
 * its directory. */
static int
connect_socket (const char *path, struct hk_error **err)
{
  _cleanup_free_ char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  if (slash == NULL)
    return hk_error_set (err, EINVAL, "attach socket `%s`: not an absolute path", path);
  *slash = '\0';
  _cleanup_close_ int dir_fd = open (*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return hk_error_errno (err, errno, "attach to `%s`: the container's monitor is not there",
                           path);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if ((size_t)snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir_fd,
                        slash + 1)
      >= sizeof addr.sun_path)
    return hk_error_set (err, ENAMETOOLONG, "attach socket `%s`: name too long", path);
  for (int attempt = 0; attempt < 100; attempt++)
    {
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return hk_error_errno (err, errno, "socket");
      if (connect (fd, (struct sockaddr *)&addr, sizeof addr) == 0)
        return fd;
      int saved = errno;
      close (fd);
      if (saved != ENOENT && saved != ECONNREFUSED)
        return hk_error_errno (err, saved, "attach to `%s`", path);
      struct timespec ts = { 0, 20 * 1000000L };
      nanosleep (&ts, NULL);
    }
  return hk_error_set (err, ETIMEDOUT, "attach to `%s`: the container's monitor is not there",
                       path);
}

static int
send_frame (int fd, enum attach_frame type, const void *data, size_t len)
{
  uint8_t header[ATTACH_HEADER];
  attach_header (header, type, len);
  if (fs_write_all (fd, header, sizeof header) < 0)
    return -1;
  return len ? fs_write_all (fd, data, len) : 0;
}

static void
send_size (int sock)
{
  struct winsize ws;
  if (ioctl (0, TIOCGWINSZ, &ws) == 0)
    {
      char text[32];
      int n = snprintf (text, sizeof text, "%u %u", ws.ws_row, ws.ws_col);
      send_frame (sock, ATTACH_RESIZE, text, (size_t)n);
    }
}

/* The detach sequence as bytes: "ctrl-p,ctrl-q" -> {0x10, 0x11}. */
static size_t
parse_detach_keys (const char *spec, char *out, size_t max)
{
  size_t n = 0;
  _cleanup_free_ char *copy = strdup (spec);
  char *save = NULL;
  for (char *k = strtok_r (copy, ",", &save); k && n < max; k = strtok_r (NULL, ",", &save))
    {
      if (strncmp (k, "ctrl-", 5) == 0 && k[5] && !k[6])
        {
          char c = k[5];
          out[n++] = c == '@' ? 0 : (char)((c | 0x20) - 'a' + 1);
        }
      else if (strlen (k) == 1)
        out[n++] = k[0];
    }
  return n;
}

struct frame_reader
{
  uint8_t header[ATTACH_HEADER];
  size_t header_got;
  size_t len, got;
  char payload[ATTACH_MAX_PAYLOAD];
};

/* Consumes BUF; returns 1 when the exit frame arrived. */
static int
read_frames (struct frame_reader *r, const char *buf, size_t n, int *exit_code)
{
  for (size_t i = 0; i < n;)
    {
      if (r->header_got < ATTACH_HEADER)
        {
          r->header[r->header_got++] = (uint8_t)buf[i++];
          if (r->header_got == ATTACH_HEADER)
            {
              r->len = attach_length (r->header);
              r->got = 0;
              if (r->len > ATTACH_MAX_PAYLOAD)
                return -1;
            }
        }
      else
        {
          size_t take = r->len - r->got;
          if (take > n - i)
            take = n - i;
          memcpy (r->payload + r->got, buf + i, take);
          r->got += take;
          i += take;
        }
      if (r->header_got == ATTACH_HEADER && r->got == r->len)
        {
          switch ((enum attach_frame)r->header[0])
            {
            case ATTACH_STDOUT:
              fs_write_all (1, r->payload, r->len);
              break;
            case ATTACH_STDERR:
              fs_write_all (2, r->payload, r->len);
              break;
            case ATTACH_EXIT:
              r->payload[r->len < sizeof r->payload ? r->len : sizeof r->payload - 1] = '\0';
              *exit_code = atoi (r->payload);
              return 1;
            default:
              break;
            }
          r->header_got = 0;
        }
    }
  return 0;
}

/* The signals that end a program which does not catch them. */
static bool
ends_client (int signum)
{
  return signum == SIGINT || signum == SIGTERM || signum == SIGHUP || signum == SIGQUIT;
}

int
attach_session (const struct attach_options *o, int *exit_code, bool *detached,
                struct hk_error **err)
{
  *detached = false;
  *exit_code = -1;
  _cleanup_close_ int sock = connect_socket (o->socket_path, err);
  if (sock < 0)
    return -1;
  struct termios saved;
  bool raw = o->tty && o->with_stdin && isatty (0) && tcgetattr (0, &saved) == 0;
  if (raw)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      tcsetattr (0, TCSANOW, &t);
    }
  if (o->tty && isatty (0))
    send_size (sock);
  if (o->send_start)
    send_frame (sock, ATTACH_START, NULL, 0);
  sigset_t signals, old;
  sigemptyset (&signals);
  sigaddset (&signals, SIGWINCH);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGHUP);
  sigaddset (&signals, SIGQUIT);
  sigaddset (&signals, SIGUSR1);
  sigaddset (&signals, SIGUSR2);
  sigprocmask (SIG_BLOCK, &signals, &old);
  /* Non-blocking: in a process with threads (a build's stages), another
   * thread may take the signal that woke the poll. */
  _cleanup_close_ int sfd = signalfd (-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  char keys[8];
  size_t n_keys
      = parse_detach_keys (o->detach_keys ? o->detach_keys : "ctrl-p,ctrl-q", keys, sizeof keys);
  size_t matched = 0;
  bool stdin_open = o->with_stdin;
  struct frame_reader *reader = calloc (1, sizeof *reader);
  int result = 0;
  int ended_by = 0; /* a signal that ends this client */
  for (;;)
    {
      struct pollfd fds[3] = { { .fd = sock, .events = POLLIN },
                               { .fd = stdin_open ? 0 : -1, .events = POLLIN },
                               { .fd = sfd, .events = POLLIN } };
      if (poll (fds, 3, -1) < 0 && errno != EINTR)
        break;
      if (fds[0].revents)
        {
          char buf[16384];
          ssize_t n = read (sock, buf, sizeof buf);
          if (n <= 0)
            {
              result = hk_error_set (err, EPIPE, "the container's monitor went away");
              break;
            }
          if (read_frames (reader, buf, (size_t)n, exit_code) != 0)
            break;
        }
      if (fds[1].revents)
        {
          char buf[4096];
          ssize_t n = read (0, buf, sizeof buf);
          if (n <= 0)
            {
              send_frame (sock, ATTACH_CLOSE_STDIN, NULL, 0);
              stdin_open = false;
            }
          else
            {
              /* The detach keys, with a terminal only (as Docker does). */
              if (o->tty && n_keys > 0)
                for (ssize_t i = 0; i < n; i++)
                  {
                    matched = buf[i] == keys[matched] ? matched + 1 : (buf[i] == keys[0] ? 1 : 0);
                    if (matched == n_keys)
                      {
                        *detached = true;
                        goto out;
                      }
                  }
              send_frame (sock, ATTACH_STDIN, buf, (size_t)n);
            }
        }
      if (fds[2].revents)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                send_size (sock);
              else if (o->forward_signal != NULL && !o->tty)
                o->forward_signal ((int)si.ssi_signo, o->data);
              else if (o->forward_signal != NULL && si.ssi_signo != SIGINT)
                o->forward_signal ((int)si.ssi_signo, o->data);
              else if (o->forward_signal == NULL && ends_client ((int)si.ssi_signo))
                {
                  ended_by = (int)si.ssi_signo;
                  goto out;
                }
            }
        }
    }
out:
  free (reader);
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  if (ended_by != 0)
    {
      /* Not proxied (--sig-proxy=false): the signal is ours, and ends us
       * as it would any program that does not catch it (Docker's client
       * does not); the container runs on. */
      signal (ended_by, SIG_DFL);
      sigprocmask (SIG_SETMASK, &old, NULL);
      raise (ended_by);
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  return result;
}
