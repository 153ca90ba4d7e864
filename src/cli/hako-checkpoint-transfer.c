/* SPDX-License-Identifier: Apache-2.0 */
/* hako checkpoint / restore in hako-transfer: with --export and --import
 * (checkpoint-transfer.h). */
#include "hako-checkpoint.h"
#include "transfer/checkpoint-transfer.h"

static const struct checkpoint_archive_ops archive_ops = {
  .export_check = transfer_checkpoint_export_check,
  .export_to = transfer_checkpoint_export,
  .import_from = transfer_checkpoint_import,
};

int
cmd_checkpoint_archive (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool unused;
  return checkpoint_command (cli, argc, argv, &archive_ops, &unused, err);
}

int
cmd_restore_archive (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool unused;
  return restore_command (cli, argc, argv, &archive_ops, &unused, err);
}
