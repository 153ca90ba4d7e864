/* SPDX-License-Identifier: Apache-2.0 */
#include "sync.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_TEXT 8192

struct wire_header
{
  uint32_t type;
  int32_t errnum;
};

static int
send_packet (int sock, const void *buf, size_t len, int fd)
{
  struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (fd >= 0)
    {
      memset (&control, 0, sizeof control);
      mh.msg_control = control.buf;
      mh.msg_controllen = sizeof control.buf;
      struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  ssize_t n;
  do
    n = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

int
sync_send (int sock, enum sync_type type, int errnum, const char *text, int fd,
           struct hk_error **err)
{
  size_t text_len = text ? strnlen (text, MAX_TEXT) : 0;
  char buf[sizeof (struct wire_header) + MAX_TEXT];
  struct wire_header h = { .type = (uint32_t) type, .errnum = errnum };
  memcpy (buf, &h, sizeof h);
  if (text_len)
    memcpy (buf + sizeof h, text, text_len);
  if (send_packet (sock, buf, sizeof h + text_len, fd) < 0)
    return hk_error_errno (err, errno, "send to the container process");
  return 0;
}

void
sync_send_error (int sock, const struct hk_error *e)
{
  sync_send (sock, SYNC_ERROR, e ? e->errnum : 0, e ? e->message : "unknown error", -1, NULL);
}

int
sync_recv (int sock, struct sync_msg *msg, struct hk_error **err)
{
  char buf[sizeof (struct wire_header) + MAX_TEXT + 1];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = { .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  memset (msg, 0, sizeof *msg);
  msg->fd = -1;
  ssize_t n;
  do
    n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return hk_error_errno (err, errno, "receive from the container process");
  if (n == 0)
    return hk_error_set (err, EPIPE, "the container process closed its channel");
  if ((size_t) n < sizeof (struct wire_header))
    return hk_error_set (err, EPROTO, "short message from the container process");
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
    memcpy (&msg->fd, CMSG_DATA (c), sizeof (int));
  struct wire_header h;
  memcpy (&h, buf, sizeof h);
  msg->type = (enum sync_type) h.type;
  msg->errnum = h.errnum;
  if ((size_t) n > sizeof h)
    {
      buf[n] = '\0';
      msg->text = xstrdup (buf + sizeof h);
    }
  return 0;
}

int
sync_expect (int sock, enum sync_type type, struct sync_msg *msg, struct hk_error **err)
{
  if (sync_recv (sock, msg, err) < 0)
    return -1;
  if (msg->type == SYNC_ERROR)
    {
      hk_error_set (err, msg->errnum, "%s", msg->text ? msg->text : "unknown error");
      sync_msg_clear (msg);
      return -1;
    }
  if (msg->type != type)
    {
      int got = msg->type;
      sync_msg_clear (msg);
      return hk_error_set (err, EPROTO, "unexpected message %d from the container process (wanted %d)",
                           got, type);
    }
  return 0;
}

void
sync_msg_clear (struct sync_msg *msg)
{
  free (msg->text);
  msg->text = NULL;
  if (msg->fd >= 0)
    close (msg->fd);
  msg->fd = -1;
}

int
sync_send_fd (int sock, int fd, const char *name, struct hk_error **err)
{
  if (send_packet (sock, name, strlen (name), fd) < 0)
    return hk_error_errno (err, errno, "send the terminal to the console socket");
  return 0;
}

int
sync_await_exec (int sock, struct hk_error **err)
{
  if (sync_send (sock, SYNC_READY_ACK, 0, NULL, -1, err) < 0)
    return -1;
  struct sync_msg msg;
  if (sync_recv (sock, &msg, err) < 0)
    {
      if ((*err)->errnum != EPIPE)
        return -1;
      hk_error_free (*err);
      *err = NULL;
      return 0;
    }
  if (msg.type == SYNC_EXEC_FAILED || msg.type == SYNC_ERROR)
    hk_error_set (err, msg.errnum, "%s", msg.text ? msg.text : "exec failed");
  else
    hk_error_set (err, EPROTO, "unexpected message from the container process");
  sync_msg_clear (&msg);
  return -1;
}
