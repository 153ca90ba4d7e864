/* SPDX-License-Identifier: Apache-2.0 */
/* `hako checkpoint --export` and `hako restore --import` over the engine:
 * a checkpointed container written to one file (checkpoint-archive.h),
 * and such a file made a container again, in this store or another. */
#ifndef HAKO_TRANSFER_CHECKPOINT_TRANSFER_H
#define HAKO_TRANSFER_CHECKPOINT_TRANSFER_H

#include "engine/engine-checkpoint.h"
#include "engine/engine.h"
#include "checkpoint-compression.h"

/* What export refuses, said before the checkpoint is made. */
int transfer_checkpoint_export_check (const struct ctr_record *r, struct hk_error **err);

struct checkpoint_export_options
{
  enum checkpoint_compression compress;
  bool with_volumes; /* the content of the named volumes it mounts too */
};

/* Writes R's last checkpoint, its changes to its image's files, its
 * settings and image to FILE ("-": stdout), as X says.  A file is made
 * whole or not at all. */
int transfer_checkpoint_export (struct engine *e, struct ctr_record *r, const char *file,
                                const struct checkpoint_export_options *x, struct hk_error **err);

/* Reads FILE ("-": stdin) into a new container named NAME (NULL: the
 * name in the file) over the same image, which must be in the store, and
 * restores it (O: restore's options); IGNORE_ROOTFS: over the image's
 * files as they are, without the file's changes to them.  The volumes
 * whose content the file holds are made (refused when one exists).
 * Nothing is left when it fails. */
int transfer_checkpoint_import (struct engine *e, const char *file, const char *name,
                                bool ignore_rootfs, const struct engine_checkpoint_options *o,
                                struct ctr_record **out, struct hk_error **err);

#endif
