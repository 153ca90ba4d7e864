/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests, indexes and configs as a registry or an archive sends them. */
#include "common/cleanup.h"
#include "store/image-config.h"
#include "store/manifest.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  _cleanup_free_ char *mt = NULL;
  manifest_sniff (text, size, "application/vnd.oci.image.index.v1+json", &mt);
  struct hk_error *err = NULL;
  struct image_index *idx = NULL;
  if (image_index_parse (text, size, &idx, &err) == 0)
    {
      struct platform want = { 0 };
      platform_host (&want);
      const struct descriptor *d;
      image_index_select (idx, &want, &d, &err);
      platform_clear (&want);
      image_index_free (idx);
    }
  hk_error_freep (&err);
  struct image_manifest *m = NULL;
  if (image_manifest_parse (text, size, &m, &err) == 0)
    image_manifest_free (m);
  hk_error_freep (&err);
  struct image_config *c = NULL;
  if (image_config_parse (text, size, &c, &err) == 0)
    image_config_free (c);
  hk_error_freep (&err);
  return 0;
}
