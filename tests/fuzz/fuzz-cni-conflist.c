/* SPDX-License-Identifier: Apache-2.0 */
/* CNI network configuration lists (a user's own, or a cached one), and the
 * execution configuration derived from each plugin of one. */
#include "common/cleanup.h"
#include "network/cni-config.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hk_error *err = NULL;
  struct cni_conflist *l = NULL;
  if (cni_conflist_parse ((const char *)data, size, &l, &err) == 0)
    {
      json_t *caps = json_pack ("{s:s, s:[s], s:[{s:i, s:i, s:s}]}", "mac", "02:42:0a:00:00:05",
                                "ips", "10.0.0.5", "portMappings", "hostPort", 8080,
                                "containerPort", 80, "protocol", "tcp");
      json_t *prev = json_pack ("{s:s}", "cniVersion", l->cni_version);
      for (size_t i = 0; i < cni_conflist_size (l); i++)
        {
          json_t *conf = cni_exec_config (l, i, caps, NULL, i ? prev : NULL);
          free (json_dumps (conf, JSON_COMPACT));
          json_decref (conf);
        }
      json_decref (caps);
      json_decref (prev);
      cni_conflist_free (l);
    }
  hk_error_freep (&err);
  return 0;
}
