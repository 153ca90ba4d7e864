/* SPDX-License-Identifier: Apache-2.0 */
/* hako checkpoint / restore, in both programs: hako runs them, and hands
 * those with --export or --import (libarchive's work) to hako-transfer,
 * which runs them with the archive functions (OPS). */
#ifndef HAKO_CLI_HAKO_CHECKPOINT_H
#define HAKO_CLI_HAKO_CHECKPOINT_H

#include "hako-cli.h"
#include "engine/engine-checkpoint.h"
#include "transfer/checkpoint-transfer.h"

struct checkpoint_archive_ops
{
  int (*export_check) (const struct ctr_record *r, struct hk_error **err);
  int (*export_to) (struct engine *e, struct ctr_record *r, const char *file,
                    const struct checkpoint_export_options *x, struct hk_error **err);
  int (*import_from) (struct engine *e, const char *file, const char *name,
                      bool ignore_rootfs, const struct engine_checkpoint_options *o,
                      struct ctr_record **out, struct hk_error **err);
};

#define CHECKPOINT_USAGE                                                                     \
  "[--leave-running] [--keep] [--tcp-established] [--file-locks] [--export FILE|-] "       \
  "[--compress zstd|gzip|none] [--with-volumes] [--pre-checkpoint|--with-previous] "        \
  "CONTAINER..."
#define RESTORE_USAGE                                                                        \
  "[--keep] [--tcp-established] [--file-locks] CONTAINER...\n"                             \
  "       hako restore [--keep] [--tcp-established] [--file-locks] --import FILE|- "          \
  "[--name NAME] [--ignore-rootfs]"

/* The commands; OPS NULL (hako): *DELEGATE tells that the command line
 * needs hako-transfer, and nothing was done. */
int checkpoint_command (struct hako_cli *cli, int argc, char **argv,
                        const struct checkpoint_archive_ops *ops, bool *delegate,
                        struct hk_error **err);
int restore_command (struct hako_cli *cli, int argc, char **argv,
                     const struct checkpoint_archive_ops *ops, bool *delegate,
                     struct hk_error **err);

/* hako-transfer's: the commands with the archive functions. */
int cmd_checkpoint_archive (struct hako_cli *cli, int argc, char **argv, struct hk_error **err);
int cmd_restore_archive (struct hako_cli *cli, int argc, char **argv, struct hk_error **err);

#endif
