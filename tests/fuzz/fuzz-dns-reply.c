/* SPDX-License-Identifier: Apache-2.0 */
/* What a user network's DNS server takes from others than its clients:
 * any reply an upstream resolver sends, cut (TC) through ldns for a UDP
 * client that takes less, and any query's EDNS0 payload size, which says
 * how much that client takes. */
#include "dns/dns-answer.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  size_t limit = dns_udp_limit (data, size);
  if (limit < DNS_UDP_MIN || limit > 65535)
    abort ();
  uint8_t *cut = NULL;
  size_t len = 0;
  /* what is cut is a header and a question (at most 255 bytes) and an
   * OPT record without options: it fits any client */
  if (dns_truncate (data, size, &cut, &len) && len > DNS_UDP_MIN)
    abort ();
  free (cut);
  return 0;
}
