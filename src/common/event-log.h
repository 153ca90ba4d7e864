/* SPDX-License-Identifier: Apache-2.0 */
/* The event log of `hako events`: without a daemon, each command or
 * monitor that causes an event appends it to ROOT/events/events.log as
 * one JSON line in Docker's form:
 *
 *   {"status":"start","id":"ID","from":"busybox","Type":"container",
 *    "Action":"start","Actor":{"ID":"ID","Attributes":{"name":"web",...}},
 *    "scope":"local","time":1700000000,"timeNano":1700000000123456789}
 *
 * Writers take an flock on ROOT/events/lock and append with one write(2)
 * of at most EVENT_LINE_MAX bytes through O_APPEND, so lines of
 * concurrent writers never interleave.  Past its size limit (1 MiB,
 * $HAKO_EVENT_LOG_MAX for tests) the log is renamed to events.log.1
 * under the same lock: the log and its one rotation bound it to twice
 * the limit.  Readers take no lock: they see whole lines only. */
#ifndef HAKO_COMMON_EVENT_LOG_H
#define HAKO_COMMON_EVENT_LOG_H

#include "error.h"
#include "log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define EVENT_LINE_MAX 4096
#define EVENT_LOG_MAX_DEFAULT (1 << 20)

/* Appends the event TYPE ("container", "image", ...) ACTION ("start",
 * "die", ...) of the object ID, with ATTRS: key, value, ..., NULL (may be
 * NULL).  A failure is logged to LOG (a warning): the event log never
 * fails the command that caused the event. */
void event_log_emit (const char *root, const struct hk_log *log, const char *type,
                     const char *action, const char *id, const char *const *attrs);

/* Like event_log_emit with ATTRS an object of string values (owned by the
 * caller). */
void event_log_emit_json (const char *root, const struct hk_log *log, const char *type,
                          const char *action, const char *id, json_t *attrs);

/* Called with each event (a parsed line) in the order written; returns
 * false to stop. */
typedef bool (*event_log_fn) (json_t *event, void *data);

/* Every event in the log and its rotation, oldest first. */
int event_log_read (const char *root, event_log_fn fn, void *data, struct hk_error **err);

/* Every event of the log file FD from where it is to its end, as
 * event_log_read reads each file: whole lines only, a line that is not
 * JSON skipped, one longer than twice EVENT_LINE_MAX dropped.  The log
 * is written by every command and monitor (tests/fuzz/fuzz-event-log.c
 * feeds it anything). */
int event_log_read_fd (int fd, event_log_fn fn, void *data, struct hk_error **err);

/* Every event, then each new one as it is written (inotify), until FN
 * returns false or an error.  Events are read from the end of the log as
 * it is when called: REPLAY first gives the ones already there. */
int event_log_follow (const char *root, bool replay, event_log_fn fn, void *data,
                      struct hk_error **err);

#endif
