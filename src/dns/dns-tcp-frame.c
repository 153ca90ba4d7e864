/* SPDX-License-Identifier: Apache-2.0 */
#include "dns-tcp-frame.h"

#include <string.h>

uint8_t *
dns_tcp_frame_space (struct dns_tcp_frame *f, size_t *room)
{
  *room = sizeof f->buf - f->have;
  return f->buf + f->have;
}

void
dns_tcp_frame_filled (struct dns_tcp_frame *f, size_t n)
{
  size_t room = sizeof f->buf - f->have;
  f->have += n < room ? n : room;
}

enum dns_frame_status
dns_tcp_frame_next (struct dns_tcp_frame *f, uint8_t *out, size_t *len)
{
  if (f->have < 2)
    return DNS_FRAME_MORE;
  size_t n = (size_t)f->buf[0] << 8 | f->buf[1];
  if (n == 0 || n > DNS_MESSAGE_MAX)
    return DNS_FRAME_BAD;
  if (f->have < 2 + n)
    return DNS_FRAME_MORE;
  memcpy (out, f->buf + 2, n);
  *len = n;
  f->have -= 2 + n;
  memmove (f->buf, f->buf + 2 + n, f->have);
  return DNS_FRAME_MESSAGE;
}
