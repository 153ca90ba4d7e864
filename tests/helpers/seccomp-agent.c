/* SPDX-License-Identifier: Apache-2.0 */
/* hako-test-seccomp-agent SOCKET STATE-FILE ERRNO: the other end of
 * linux.seccomp.listenerPath, for tests.  Takes the listener fd and the
 * container process state a runtime sends, writes the state to STATE-FILE,
 * then answers every notified syscall with -ERRNO until the container's
 * processes are gone. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  if (argc != 4)
    {
      fprintf (stderr, "usage: hako-test-seccomp-agent SOCKET STATE-FILE ERRNO\n");
      return 2;
    }
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  unlink (argv[1]);
  int sock = socket (AF_UNIX, SOCK_STREAM, 0);
  if (sock < 0 || bind (sock, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (sock, 1) < 0)
    {
      perror ("listen");
      return 1;
    }
  int conn = accept (sock, NULL, NULL);
  char state[65536];
  struct iovec iov = { .iov_base = state, .iov_len = sizeof state - 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  ssize_t n = conn < 0 ? -1 : recvmsg (conn, &mh, 0);
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  if (n <= 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
    {
      fprintf (stderr, "no listener fd received\n");
      return 1;
    }
  int listener;
  memcpy (&listener, CMSG_DATA (c), sizeof listener);
  state[n] = '\0';
  FILE *out = fopen (argv[2], "w");
  if (out != NULL)
    {
      fputs (state, out);
      fclose (out);
    }
  struct seccomp_notif_sizes sizes;
  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return 1;
  struct seccomp_notif *req = calloc (1, sizes.seccomp_notif);
  struct seccomp_notif_resp *resp = calloc (1, sizes.seccomp_notif_resp);
  int answer = atoi (argv[3]);
  for (;;)
    {
      memset (req, 0, sizes.seccomp_notif);
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
        {
          if (errno == EINTR)
            continue;
          break; /* ENOENT: no process is left behind the filter */
        }
      memset (resp, 0, sizes.seccomp_notif_resp);
      resp->id = req->id;
      resp->error = -answer;
      ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    }
  free (req);
  free (resp);
  unlink (argv[1]);
  return 0;
}
