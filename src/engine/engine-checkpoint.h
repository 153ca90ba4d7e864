/* SPDX-License-Identifier: Apache-2.0 */
/* `hako container checkpoint` and `restore`: a running container frozen
 * to disk with criu (through the runtime's checkpoint) and started again
 * from there under a new monitor.
 *
 * On disk, in ROOT/containers/ID/:
 *   checkpoint/       criu's images of the last checkpoint (gone after a
 *                     restore, unless --keep)
 *   checkpoint-logs/  criu's dump.log and restore.log (kept when a step
 *                     fails, or with --keep)
 *   checkpointed-at, restored-at   when that last happened (RFC 3339) */
#ifndef HAKO_ENGINE_ENGINE_CHECKPOINT_H
#define HAKO_ENGINE_ENGINE_CHECKPOINT_H

#include "engine-context.h"
#include "ctr-record.h"
#include "common/error.h"

#include <stdbool.h>

struct engine_checkpoint_options
{
  bool leave_running;   /* the container keeps running after the dump */
  bool keep;            /* keep criu's logs (and, on restore, the images) */
  bool tcp_established; /* established TCP connections are saved / restored */
  bool file_locks;      /* file locks (flock, fcntl) are saved / restored */
  bool pre_checkpoint;  /* only the memory, into checkpoint.pre/; R runs on */
  bool with_previous;   /* the dump's memory pages are those changed since the
                           pre-checkpoint, whose images it names as its parent */
};

/* checkpoint: R (running) is dumped into its directory and, unless
 * leave_running, ends: exited and checkpointed.  criu missing or failing
 * leaves R as it was; the error quotes criu and names its log.  With
 * pre_checkpoint only its memory is saved (criu's pre-dump), R runs on
 * and is not checkpointed; a later with_previous checkpoint saves only
 * the pages changed since, which is the downtime that counts. */
int engine_checkpoint (struct engine *e, struct ctr_record *r,
                       const struct engine_checkpoint_options *o, struct hk_error **err);

/* restore: R (exited, checkpointed) runs again from its checkpoint under
 * a new monitor (its log, attach, restart policy). */
int engine_restore (struct engine *e, struct ctr_record *r,
                    const struct engine_checkpoint_options *o, struct hk_error **err);

/* An import's images: the directory IMAGES (on the same file system)
 * becomes R's checkpoint, made at CHECKPOINTED_AT (RFC 3339). */
int engine_checkpoint_adopt (struct engine *e, struct ctr_record *r, const char *images,
                             const char *checkpointed_at, struct hk_error **err);

/* The directory of R's checkpoint images (malloc'd). */
char *engine_checkpoint_images (struct engine *e, const struct ctr_record *r);

/* The directory of criu's logs for R (malloc'd): restore.log, dump.log. */
char *engine_checkpoint_logs (struct engine *e, const struct ctr_record *r);

/* For inspect: whether R's last run ended in a checkpoint it can be
 * restored from, and the times (malloc'd, "" when never). */
void engine_checkpoint_status (struct engine *e, const struct ctr_record *r, bool *checkpointed,
                               char **checkpointed_at, char **restored_at);

/* The file in the run directory that tells the cleanup the container's
 * end is a checkpoint's (no restart). */
#define CHECKPOINT_MARKER "checkpointing"

#endif
