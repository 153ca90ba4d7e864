/* SPDX-License-Identifier: Apache-2.0 */
/* What hako explain reads that a container writes or shapes: its
 * /etc/resolv.conf (the container's own file) and the mountinfo of its
 * process (mount points and sources are names the container chooses). */
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/explain.h"

#include <stdint.h>
#include <string.h>

/* DATA as a string the parsers may change. */
static char *
text_of (const uint8_t *data, size_t size)
{
  char *text = xzalloc (size + 1);
  memcpy (text, data, size);
  return text;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *const masked[] = { (char *)"/proc/kcore", NULL };
  char *const readonly[] = { (char *)"/proc/sys", NULL };
  _cleanup_free_ char *resolv = text_of (data, size);
  json_decref (explain_resolv_conf_parse (resolv));
  _cleanup_free_ char *mountinfo = text_of (data, size);
  json_t *root = NULL;
  json_decref (explain_mountinfo_parse (mountinfo, masked, readonly, &root));
  json_decref (root);
  return 0;
}
