/* SPDX-License-Identifier: Apache-2.0 */
#include "cli-bool.h"

#include <errno.h>
#include <string.h>

int
cli_bool (const char *text, const char *flag, bool *out, struct hk_error **err)
{
  if (text == NULL || strcmp (text, "true") == 0)
    *out = true;
  else if (strcmp (text, "false") == 0)
    *out = false;
  else
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not true or false", flag, text);
  return 0;
}
