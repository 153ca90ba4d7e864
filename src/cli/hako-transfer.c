/* SPDX-License-Identifier: Apache-2.0 */
/* hako-transfer: the commands of transfer-commands.h (registries,
 * archives, tar streams), which `hako` hands over with its whole command
 * line.  Run by hand it takes the same global options and commands. */
#include "hako-build.h"
#include "hako-checkpoint.h"
#include "hako-cli.h"
#include "transfer-commands.h"

#define TRANSFER_ENTRY(group, name, fn, usage, summary, top)                                 \
  { group, name, fn, usage, summary, .top_level = top },
static const struct hako_command transfer_commands[] = {
  TRANSFER_COMMANDS (TRANSFER_ENTRY)
  { "image", "build", cmd_build, BUILD_USAGE, BUILD_SUMMARY, .top_level = true },
  /* hako hands over those with --export or --import */
  { "container", "checkpoint", cmd_checkpoint_archive, CHECKPOINT_USAGE,
    "save running containers with criu, to a file with --export", .top_level = true },
  { "container", "restore", cmd_restore_archive, RESTORE_USAGE,
    "run checkpointed containers again, from a file with --import", .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};

static const struct hako_command *const command_tables[] = { transfer_commands, NULL };

int
main (int argc, char **argv)
{
  return cli_main (argc, argv, command_tables);
}
