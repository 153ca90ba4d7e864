/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes YAML as kube play reads it: every kind and field checked
 * and read into the engine's models, nothing made. */
#include "kube/kube-plan.h"

#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hk_error *err = NULL;
  struct kube_plan plan = { 0 };
  kube_plan_read ("fuzz", (const char *)data, size, NULL, &plan, &err);
  kube_plan_clear (&plan);
  hk_error_freep (&err);
  return 0;
}
