/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/engine.h"
#include "hako-cli.h"
#include "common/xalloc.h"

#include <stdlib.h>

int
cli_engine (struct hako_cli *cli, struct engine **out, struct hk_error **err)
{
  if (cli->engine == NULL)
    {
      struct store *s;
      if (cli_store (cli, &s, err) < 0)
        return -1;
      struct engine *e = xzalloc (sizeof *e);
      if (engine_open (e, s, cli->root, cli->runroot, &cli->log, err) < 0)
        {
          free (e);
          return -1;
        }
      cli->engine = e;
    }
  *out = cli->engine;
  return 0;
}

void
cli_engine_close (struct hako_cli *cli)
{
  if (cli->engine == NULL)
    return;
  engine_close (cli->engine);
  free (cli->engine);
  cli->engine = NULL;
}
