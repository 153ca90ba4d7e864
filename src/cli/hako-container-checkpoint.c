/* SPDX-License-Identifier: Apache-2.0 */
/* hako checkpoint / restore in hako: --export and --import go to
 * hako-transfer (hako-checkpoint.h). */
#include "hako-checkpoint.h"
#include "store/store.h"

static int
delegate (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  cli_engine_close (cli);
  store_close (cli->store);
  cli->store = NULL;
  return cli_delegate (cli, argc, argv, err);
}

static int
cmd_checkpoint (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool to_transfer;
  int r = checkpoint_command (cli, argc, argv, NULL, &to_transfer, err);
  return r == 0 && to_transfer ? delegate (cli, argc, argv, err) : r;
}

static int
cmd_restore (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool to_transfer;
  int r = restore_command (cli, argc, argv, NULL, &to_transfer, err);
  return r == 0 && to_transfer ? delegate (cli, argc, argv, err) : r;
}

const struct hako_command hako_container_checkpoint_commands[] = {
  { "container", "checkpoint", cmd_checkpoint, CHECKPOINT_USAGE,
    "save running containers to disk with criu (they stop unless --leave-running)",
    .top_level = true },
  { "container", "restore", cmd_restore, RESTORE_USAGE,
    "run checkpointed containers again from their checkpoint, or from an exported file",
    .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};
