/* SPDX-License-Identifier: Apache-2.0 */
/* What a user network's DNS server is sent: any datagram from any
 * container, through ldns and the answer built from a few names. */
#include "dns/dns-answer.h"

#include <stdint.h>
#include <stdlib.h>

static const struct dns_record records[] = {
  { "web", "10.89.0.2" }, { "www", "10.89.0.2" }, { "api", "10.89.0.3" },
  { "api", "10.89.0.4" }, { "db", "fd00::5" },
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t *reply = NULL;
  size_t len = 0;
  dns_answer (data, size, records, sizeof records / sizeof *records, &reply, &len);
  free (reply);
  return 0;
}
