/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's side of a start (engine-start.c), which a restart runs
 * again (engine-cleanup.c). */
#ifndef HAKO_ENGINE_ENGINE_MONITOR_H
#define HAKO_ENGINE_ENGINE_MONITOR_H

#include "engine-context.h"
#include "runtime/checkpoint.h"

/* In the monitor process: creates R's container with its runtime (our
 * child), then becomes hako-monitor, which starts it (at once, or when
 * an attach client says so: START_ON_ATTACH) and says "ok" on NOTIFY_FD
 * (-1: none).  OWNER_FD (-1: none) is a pidfd of the process the
 * container dies with.  Returns only on failure. */
int engine_become_monitor (struct engine *e, const struct ctr_record *r, bool start_on_attach,
                           int notify_fd, int owner_fd, struct hk_error **err);

/* engine_start from a checkpoint: the monitor restores R's container
 * with RESTORE (images, work path, options) instead of creating it, and
 * watches the restored process (engine-checkpoint.c). */
int engine_start_restored (struct engine *e, struct ctr_record *r,
                           const struct restore_options *restore, struct hk_error **err);

#endif
