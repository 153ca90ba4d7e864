/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/engine.h"
#include "hako-cli.h"
#include "common/event-log.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <getopt.h>
#include <stdio.h>
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
cli_event (struct hako_cli *cli, const char *type, const char *action, const char *id,
           const char *name)
{
  const char *attrs[] = { "name", name ? name : "", NULL };
  event_log_emit (cli->root, &cli->log, type, action, id, attrs);
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

int
cli_each_container (struct hako_cli *cli, int argc, char **argv, const char *command,
                    const char *usage, cli_container_fn fn, void *data, bool print_name,
                    struct hk_error **err)
{
  if (optind >= argc)
    return cli_usage (err, command, usage, "missing container name");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  int result = 0;
  for (int i = optind; i < argc; i++)
    {
      _cleanup_record_ struct ctr_record *r = NULL;
      struct hk_error *one = NULL;
      if (engine_find (e, argv[i], &r, &one) < 0 || fn (e, r, data, &one) < 0)
        {
          if (result == 0)
            *err = one;
          else
            {
              fprintf (stderr, "Error: %s\n", one->message);
              hk_error_free (one);
            }
          result = -1;
          continue;
        }
      if (print_name)
        printf ("%s\n", argv[i]);
    }
  return result;
}
