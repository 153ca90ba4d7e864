/* SPDX-License-Identifier: Apache-2.0 */
/* The registry options' parsing (cli-registry.h). */
#include "cli-registry.h"
#include "cli-bool.h"

#include <errno.h>
#include <string.h>

int
registry_flag (struct registry_flags *f, int c, const char *arg, struct hk_error **err)
{
  switch (c)
    {
    case 'T':
      return cli_bool (arg, "--tls-verify", &f->tls_verify, err) < 0 ? -1 : 1;
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
