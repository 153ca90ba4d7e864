/* SPDX-License-Identifier: Apache-2.0 */
/* --change instructions (a flag value: less hostile, still parsed). */
#include "common/cleanup.h"
#include "transfer/config-change.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_free_ char *text = strndup ((const char *)data, size);
  if (text == NULL)
    return 0;
  json_t *cfg = json_object ();
  struct hk_error *err = NULL;
  config_change_apply (cfg, text, &err);
  hk_error_freep (&err);
  json_decref (cfg);
  return 0;
}
