/* SPDX-License-Identifier: Apache-2.0 */
/* What CNI plugins print — results of ADD, error results, VERSION answers —
 * and the cache entries made of them. */
#include "common/cleanup.h"
#include "network/cni.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  struct hk_error *err = NULL;
  struct cni_result *r = NULL;
  if (cni_result_parse (text, size, &r, &err) == 0)
    {
      const struct cni_ip *ip = cni_result_address (r, AF_INET);
      if (ip != NULL)
        cni_result_ip_interface (r, ip);
      cni_result_address (r, AF_INET6);
      cni_result_free (r);
    }
  hk_error_freep (&err);
  int code;
  free (cni_error_message (text, size, &code));
  char **versions = NULL;
  if (cni_version_parse (text, size, &versions, &err) == 0)
    {
      for (char **v = versions; *v; v++)
        free (*v);
      free (versions);
    }
  hk_error_freep (&err);
  struct cni_cache_entry *e = NULL;
  if (cni_cache_parse (text, size, &e, &err) == 0)
    cni_cache_entry_free (e);
  hk_error_freep (&err);
  return 0;
}
