/* SPDX-License-Identifier: Apache-2.0 */
/* hako-test-recvtty SOCKET [INPUT]: the other end of --console-socket, for
 * tests.  Listens on SOCKET, takes the pty master a runtime sends, writes
 * INPUT to it, then copies what the container prints to stdout until the
 * pty closes. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
receive_fd (int conn)
{
  char name[256];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  if (recvmsg (conn, &mh, 0) < 0)
    return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    return -1;
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: hako-test-recvtty SOCKET [INPUT]\n");
      return 2;
    }
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  int sock = socket (AF_UNIX, SOCK_STREAM, 0);
  unlink (argv[1]);
  if (sock < 0 || bind (sock, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (sock, 1) < 0)
    {
      perror ("listen");
      return 1;
    }
  int conn = accept (sock, NULL, NULL);
  int master = conn < 0 ? -1 : receive_fd (conn);
  if (master < 0)
    {
      perror ("receive the pty");
      return 1;
    }
  if (argc > 2 && write (master, argv[2], strlen (argv[2])) < 0)
    perror ("write");
  char buf[4096];
  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n <= 0)
        break; /* EIO once every slave fd is closed */
      if (write (1, buf, (size_t) n) < 0)
        break;
    }
  unlink (argv[1]);
  return 0;
}
