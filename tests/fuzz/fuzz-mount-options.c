/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: mount option lists and signal names (values that come
 * from configs and command lines). */
#include "common/signals.h"
#include "common/xalloc.h"
#include "runtime/mount-options.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* NUL-separated words. */
  char *text = xmalloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';
  char *words[64];
  size_t n = 0;
  for (size_t i = 0; i < size && n < 63; i += strlen (text + i) + 1)
    words[n++] = text + i;
  words[n] = NULL;
  struct mount_options o;
  if (mount_options_parse (words, &o, NULL) == 0)
    mount_options_clear (&o);
  struct hk_error *err = NULL;
  signal_parse (text, &err);
  hk_error_free (err);
  free (text);
  return 0;
}
