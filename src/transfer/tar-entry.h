/* SPDX-License-Identifier: Apache-2.0 */
/* What both extractors of tar entries share: the one that unpacks layers
 * into the store (layer.c) and the one that copies into a container
 * (engine/ctr-archive.c).  Each keeps its own rules for names,
 * owners and what may be replaced; the bytes and times of a regular file
 * are written the same way. */
#ifndef HAKO_TRANSFER_TAR_ENTRY_H
#define HAKO_TRANSFER_TAR_ENTRY_H

#include "common/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <time.h>

/* The entry's access and modification times, for futimens/utimensat (the
 * access time is the modification time when the archive has none). */
void tar_entry_times (struct archive_entry *e, struct timespec times[2]);

/* Writes the data of the current entry of A to FD at the offsets the
 * archive gives (holes of a sparse file stay holes), then extends FD to the
 * entry's size when it ends in a hole.  Adds the bytes written to
 * *WRITTEN when it is not NULL. */
int tar_entry_write_data (struct archive *a, struct archive_entry *e, int fd, uint64_t *written,
                          struct hk_error **err);

#endif
