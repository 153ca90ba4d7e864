/* SPDX-License-Identifier: Apache-2.0 */
/* Image references and platforms, as people (and archives) write them. */
#include "common/cleanup.h"
#include "store/platform.h"
#include "store/reference.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_free_ char *text = strndup ((const char *)data, size);
  if (text == NULL)
    return 0;
  struct hk_error *err = NULL;
  struct image_ref *ref = NULL;
  if (image_ref_parse (text, &ref, &err) == 0)
    {
      free (image_ref_string (ref));
      free (image_ref_familiar (ref));
      char *repo = image_ref_repository (ref);
      free (image_ref_familiar_repository (repo));
      free (repo);
      image_ref_free (ref);
    }
  hk_error_freep (&err);
  image_ref_names_domain (text);
  struct platform p = { 0 };
  if (platform_parse (text, &p, &err) == 0)
    {
      free (platform_string (&p));
      platform_clear (&p);
    }
  hk_error_freep (&err);
  return 0;
}
