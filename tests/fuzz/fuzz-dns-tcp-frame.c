/* SPDX-License-Identifier: Apache-2.0 */
/* What a client sends a user network's DNS server over TCP: any bytes,
 * in reads of any size, through the two-byte length framing (RFC 7766),
 * each message it yields answered as the server does.  The first byte
 * picks the read sizes, so splits inside a length or a message are
 * reached too. */
#include "dns/dns-answer.h"
#include "dns/dns-tcp-frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct dns_record records[] = {
  { "web", "10.89.0.2" },
  { "db", "fd00::5" },
};

/* The complete messages of F answered; false once the frame is bad. */
static int
take_messages (struct dns_tcp_frame *f)
{
  static uint8_t message[DNS_MESSAGE_MAX];
  size_t len;
  enum dns_frame_status status;
  while ((status = dns_tcp_frame_next (f, message, &len)) == DNS_FRAME_MESSAGE)
    {
      if (len == 0 || len > DNS_MESSAGE_MAX || f->have > sizeof f->buf)
        abort ();
      uint8_t *reply = NULL;
      size_t reply_len = 0;
      if (dns_answer (message, len, records, 2, &reply, &reply_len) == DNS_FORWARD)
        dns_server_failure (message, len, &reply, &reply_len);
      free (reply);
    }
  return status != DNS_FRAME_BAD;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  static struct dns_tcp_frame f;
  f.have = 0;
  size_t chunk = (size_t)data[0] % 64 + 1;
  data++;
  size--;
  while (size > 0)
    {
      size_t room;
      uint8_t *space = dns_tcp_frame_space (&f, &room);
      if (room == 0)
        abort (); /* a full buffer is a whole frame, taken before */
      size_t n = chunk < size ? chunk : size;
      n = n < room ? n : room;
      memcpy (space, data, n);
      dns_tcp_frame_filled (&f, n);
      data += n;
      size -= n;
      if (!take_messages (&f))
        return 0;
    }
  return 0;
}
