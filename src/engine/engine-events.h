/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's events (common/event-log.h), one call where each happens:
 * the container's name, image and labels as its attributes, as Docker's. */
#ifndef HAKO_ENGINE_ENGINE_EVENTS_H
#define HAKO_ENGINE_ENGINE_EVENTS_H

#include "engine-context.h"
#include "ctr-record.h"

/* ACTION of container R, with one more attribute KEY=VALUE (KEY NULL:
 * none): exitCode of die, signal of kill, oldName of rename... */
void engine_event (const struct engine *e, const struct ctr_record *r, const char *action,
                   const char *key, const char *value);

/* engine_event with an integer VALUE (exitCode, signal). */
void engine_event_int (const struct engine *e, const struct ctr_record *r, const char *action,
                       const char *key, int value);

/* exec_create and exec_start of ARGS in R; returns the exec's ID (for
 * exec_die), malloc'd. */
char *engine_event_exec (const struct engine *e, const struct ctr_record *r, char *const *args);

/* exec_die of the exec EXEC_ID with its exit code. */
void engine_event_exec_die (const struct engine *e, const struct ctr_record *r,
                            const char *exec_id, int code);

/* "mount" of each named or anonymous volume of R (at its start). */
void engine_event_volume_mounts (const struct engine *e, const struct ctr_record *r);

/* ACTION of an image, volume, network or pod (TYPE): its ID and NAME,
 * and one more attribute KEY=VALUE (KEY NULL: none). */
void engine_event_object (const struct engine *e, const char *type, const char *action,
                          const char *id, const char *name, const char *key, const char *value);

#endif
