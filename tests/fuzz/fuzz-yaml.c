/* SPDX-License-Identifier: Apache-2.0 */
/* YAML streams (kube play's and compose's files): read with the default
 * limits, and what was read written out and read back. */
#include "common/cleanup.h"
#include "yaml/yaml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hk_error *err = NULL;
  struct yaml_stream *s = NULL;
  if (yaml_read ("fuzz", (const char *)data, size, NULL, &s, &err) == 0)
    {
      json_t **docs = calloc (s->n + 1, sizeof *docs);
      for (size_t i = 0; i < s->n; i++)
        docs[i] = s->docs[i].root;
      char *buf = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&buf, &len);
      if (f != NULL)
        {
          if (yaml_write (f, docs, s->n, &err) < 0)
            hk_error_freep (&err);
          fclose (f);
          struct yaml_stream *again = NULL;
          if (yaml_read ("again", buf, len, NULL, &again, &err) == 0)
            yaml_stream_free (again);
          hk_error_freep (&err);
          free (buf);
        }
      free (docs);
      yaml_stream_free (s);
    }
  hk_error_freep (&err);
  return 0;
}
