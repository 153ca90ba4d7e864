/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: mount option lists (Podman's idmap=VALUE mappings
 * too) and signal names (values that come from configs and command
 * lines). */
#include "common/signals.h"
#include "common/xalloc.h"
#include "runtime/idmap.h"
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
  struct hk_error *err = NULL;
  if (mount_options_parse (words, &o, NULL) == 0)
    {
      struct oci_id_mapping map = { .container_id = 0, .host_id = 100000, .size = 65536 };
      struct oci_linux linux = { .uid_mappings = &map, .n_uid_mappings = 1,
                                 .gid_mappings = &map, .n_gid_mappings = 1 };
      struct idmap_mappings m;
      if (o.idmap_mappings != NULL && idmap_parse_mappings (o.idmap_mappings, &linux, &m, &err) == 0)
        idmap_mappings_clear (&m);
      hk_error_free (err);
      err = NULL;
      mount_options_clear (&o);
    }
  signal_parse (text, &err);
  hk_error_free (err);
  free (text);
  return 0;
}
