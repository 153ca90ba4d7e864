/* SPDX-License-Identifier: Apache-2.0 */
/* The registry options' parsing (cli-registry.h). */
#include "cli-registry.h"

#include <errno.h>
#include <string.h>

int
registry_flag (struct registry_flags *f, int c, const char *arg, struct hk_error **err)
{
  switch (c)
    {
    case 'T':
      if (arg == NULL || strcmp (arg, "true") == 0)
        f->tls_verify = true;
      else if (strcmp (arg, "false") == 0)
        f->tls_verify = false;
      else
        return hk_error_set (err, EINVAL, "--tls-verify=`%s`: expected true or false", arg);
      return 1;
    case 'A':
      f->authfile = arg;
      return 1;
    case 'C':
      f->creds = arg;
      return 1;
    case 'K':
      f->cert_dir = arg;
      return 1;
    default:
      return 0;
    }
}
