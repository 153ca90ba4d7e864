/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: config.json, the runtime's main untrusted input, and
 * the setup planned from it (setup-plan.h). */
#include "runtime/setup-plan.h"
#include "runtime/spec.h"

#include <stddef.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct oci_spec *spec = NULL;
  struct hk_error *err = NULL;
  if (spec_parse ((const char *) data, size, &spec, &err) == 0)
    {
      struct ns_plan ns;
      ns_plan_build (spec, &ns);
      struct rootfs_plan plan;
      if (rootfs_plan_build (spec, false, &plan, &err) == 0)
        rootfs_plan_clear (&plan);
      spec_free (spec);
    }
  hk_error_free (err);
  return 0;
}
