/* SPDX-License-Identifier: Apache-2.0 */
/* auth.json / ~/.docker/config.json and registries.json documents. */
#include "transfer/auth-file.h"
#include "store/registries-conf.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hk_error *err = NULL;
  char *u = NULL, *p = NULL, *helper = NULL;
  int r = auth_file_lookup_text ((const char *)data, size, "fuzz", "docker.io", "library/busybox",
                                 &u, &p, &helper, &err);
  if (r == 1)
    {
      free (u);
      free (p);
    }
  free (helper); /* found, never run */
  hk_error_freep (&err);
  struct registries_conf *c = NULL;
  if (registries_conf_parse ((const char *)data, size, "fuzz", &c, &err) == 0)
    {
      registries_conf_find (c, "localhost:5000");
      registries_conf_free (c);
    }
  hk_error_freep (&err);
  return 0;
}
