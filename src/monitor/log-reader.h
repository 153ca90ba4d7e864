/* SPDX-License-Identifier: Apache-2.0 */
/* The reader of the json-file log that log-writer.c writes: every
 * rotation the writer made (FILE.N ... FILE.1, then FILE), one record at a
 * time (never a whole file in memory), and `logs -f`'s follow, which goes
 * on across rotations.  A record's text may hold any byte, NUL included:
 * a container must not be able to hide a line from whoever reads its log. */
#ifndef HAKO_MONITOR_LOG_READER_H
#define HAKO_MONITOR_LOG_READER_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct log_record
{
  const char *text; /* LEN bytes, not NUL-terminated */
  size_t len;
  bool is_stderr;
  const char *time; /* RFC 3339, as written */
};

/* Called for each record; a value other than 0 stops the reading (and is
 * returned by it). */
typedef int (*log_record_fn) (const struct log_record *record, void *data);

/* Where log_read stopped in the current file, for log_follow. */
struct log_position
{
  dev_t dev;
  ino_t ino;
  off_t offset;
};

/* Every record of the log at PATH, oldest first, the last TAIL only
 * (SIZE_MAX: all).  A missing log has no records.  *END (may be NULL) is
 * where the current file ended. */
int log_read (const char *path, size_t tail, log_record_fn fn, void *data, struct log_position *end,
              struct hk_error **err);

/* After log_read: the records written from FROM on, across rotations,
 * until KEEP_GOING (called about every 250 ms when nothing comes) says
 * false; what was written before that is read too. */
int log_follow (const char *path, const struct log_position *from, bool (*keep_going) (void *data),
                log_record_fn fn, void *data, struct hk_error **err);

#endif
