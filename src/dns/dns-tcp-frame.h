/* SPDX-License-Identifier: Apache-2.0 */
/* DNS over TCP's framing (RFC 7766): each message preceded by its length,
 * two bytes, most significant first, several messages per connection and
 * a message split across reads as the peer likes.  hako-dns reads what a
 * connection sends into a frame and takes the complete messages out of
 * it.  Pure: no I/O, so it is what the fuzz target feeds
 * (fuzz-dns-tcp-frame). */
#ifndef HAKO_DNS_TCP_FRAME_H
#define HAKO_DNS_TCP_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* The largest message taken over TCP (and forwarded); a longer one ends
 * the connection.  Queries are far smaller. */
#define DNS_MESSAGE_MAX 4096

/* The bytes of one connection not yet taken: at most one whole frame. */
struct dns_tcp_frame
{
  size_t have;
  uint8_t buf[2 + DNS_MESSAGE_MAX];
};

enum dns_frame_status
{
  DNS_FRAME_MORE,    /* no complete message yet: read more */
  DNS_FRAME_MESSAGE, /* a message taken */
  DNS_FRAME_BAD,     /* a length of 0 or above DNS_MESSAGE_MAX: close */
};

/* Where the next bytes read go: *ROOM bytes at the returned address (0
 * only when the frame is BAD, which the reader says first). */
uint8_t *dns_tcp_frame_space (struct dns_tcp_frame *f, size_t *room);

/* N bytes were read into the space. */
void dns_tcp_frame_filled (struct dns_tcp_frame *f, size_t n);

/* The next complete message copied to OUT (DNS_MESSAGE_MAX bytes), its
 * length in *LEN, and removed from F. */
enum dns_frame_status dns_tcp_frame_next (struct dns_tcp_frame *f, uint8_t *out, size_t *len);

#endif
