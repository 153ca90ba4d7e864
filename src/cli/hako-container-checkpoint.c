/* SPDX-License-Identifier: Apache-2.0 */
/* hako checkpoint / restore (engine-checkpoint.h) */
#include "engine/engine-checkpoint.h"
#include "engine/engine.h"
#include "hako-cli.h"

#include <getopt.h>

enum
{
  OPT_LEAVE_RUNNING = 256,
  OPT_KEEP,
  OPT_TCP,
};

/* The options both verbs share; LEAVE_RUNNING only checkpoint's. */
static int
parse (int argc, char **argv, const char *command, const char *usage, bool leave_running,
       struct engine_checkpoint_options *o, struct hk_error **err)
{
  static const struct option options[] = {
    { "leave-running", no_argument, NULL, OPT_LEAVE_RUNNING },
    { "keep", no_argument, NULL, OPT_KEEP },
    { "tcp-established", no_argument, NULL, OPT_TCP },
    { NULL, 0, NULL, 0 },
  };
  *o = (struct engine_checkpoint_options){ 0 };
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case OPT_LEAVE_RUNNING:
        if (!leave_running)
          return cli_usage (err, command, usage, "unknown option --leave-running");
        o->leave_running = true;
        break;
      case OPT_KEEP: o->keep = true; break;
      case OPT_TCP: o->tcp_established = true; break;
      default: return cli_bad_option (err, command, argv);
      }
  if (optind >= argc)
    return cli_usage (err, command, usage, "expected a container");
  return 0;
}

static int
checkpoint_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  return engine_checkpoint (e, r, data, err);
}

static int
restore_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  return engine_restore (e, r, data, err);
}

#define CHECKPOINT_USAGE "[--leave-running] [--keep] [--tcp-established] CONTAINER..."
#define RESTORE_USAGE "[--keep] [--tcp-established] CONTAINER..."

static int
cmd_checkpoint (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct engine_checkpoint_options o;
  if (parse (argc, argv, "checkpoint", CHECKPOINT_USAGE, true, &o, err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "checkpoint", CHECKPOINT_USAGE, checkpoint_one, &o,
                             true, err);
}

static int
cmd_restore (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct engine_checkpoint_options o;
  if (parse (argc, argv, "restore", RESTORE_USAGE, false, &o, err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "restore", RESTORE_USAGE, restore_one, &o, true,
                             err);
}

const struct hako_command hako_container_checkpoint_commands[] = {
  { "container", "checkpoint", cmd_checkpoint, CHECKPOINT_USAGE,
    "save running containers to disk with criu (they stop unless --leave-running)",
    .top_level = true },
  { "container", "restore", cmd_restore, RESTORE_USAGE,
    "run checkpointed containers again from their checkpoint", .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};
