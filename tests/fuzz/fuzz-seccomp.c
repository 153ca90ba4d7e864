/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: linux.seccomp profiles. */
#include "runtime/seccomp.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  json_t *j = json_loadb ((const char *) data, size, 0, NULL);
  if (j == NULL)
    return 0;
  struct seccomp_program *prog = NULL;
  struct hk_error *err = NULL;
  if (json_is_object (j) && seccomp_compile (j, &prog, &err) == 0)
    seccomp_program_free (prog);
  hk_error_free (err);
  json_decref (j);
  return 0;
}
