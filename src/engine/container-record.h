/* SPDX-License-Identifier: Apache-2.0 */
/* Containers as the engine records them, in the store's SQLite database
 * (table `containers`, with the engine's own schema version).
 *
 * A record holds what was asked (the container's settings, the model of
 * container-config.h, stored as its JSON document) and what was last seen
 * (state, exit code, times).  What is true *now* is derived by
 * container_refresh() from the monitor process and its exit file, so a
 * container whose monitor was killed shows as exited. */
#ifndef HAKO_ENGINE_CONTAINER_RECORD_H
#define HAKO_ENGINE_CONTAINER_RECORD_H

#include "container-config.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/types.h>

struct container_record
{
  char *id;         /* 64 hex digits */
  char *name;       /* unique */
  char *image_id;   /* sha256:… */
  char *image_name; /* as the user gave it */
  char *created;    /* RFC 3339 */
  struct container_config config; /* every setting (container-config.h) */
  char *state;      /* "created", "running", "paused", "exited", "removing" */
  int exit_code;
  char *started_at;  /* "" when never */
  char *finished_at; /* "" when never */
  int restart_count;
  pid_t monitor_pid;
  unsigned long long monitor_start_time;
  char *error; /* why the last start failed, "" if none */
  bool oom_killed; /* the last run ended with an OOM kill in its cgroup */
};

void container_record_free (struct container_record *r);

static inline void
cleanup_container_recordp (struct container_record **r)
{
  container_record_free (*r);
}
#define _cleanup_record_ __attribute__ ((cleanup (cleanup_container_recordp)))

/* Creates the engine's tables when missing. */
int container_db_init (sqlite3 *db, struct hk_error **err);

/* Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int container_record_check_name (const char *name, struct hk_error **err);

/* Inserts R; a name in use is an error that names it. */
int container_record_insert (sqlite3 *db, const struct container_record *r, struct hk_error **err);

/* Writes R's state fields (state, exit code, times, restart count,
 * monitor, error) and name. */
int container_record_update (sqlite3 *db, const struct container_record *r, struct hk_error **err);

/* Replaces the stored settings of R (volumes resolved, networks
 * connected, an update...). */
int container_record_set_config (sqlite3 *db, const struct container_record *r,
                                 struct hk_error **err);

int container_record_delete (sqlite3 *db, const char *id, struct hk_error **err);

/* By full name, full ID or a unique ID prefix; the error says "no such
 * container" or "ambiguous". */
int container_record_find (sqlite3 *db, const char *ref, struct container_record **out,
                           struct hk_error **err);

/* All records, newest first. */
int container_record_list (sqlite3 *db, struct container_record ***out, size_t *n,
                           struct hk_error **err);
void container_record_list_free (struct container_record **list, size_t n);

#endif
