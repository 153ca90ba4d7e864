/* SPDX-License-Identifier: Apache-2.0 */
/* Containers as the engine records them, in the store's SQLite database
 * (table `containers`, with the engine's own schema version).
 *
 * A record holds what was asked (the container's settings, the model of
 * ctr-config.h, stored as its JSON document) and what was last seen
 * (state, exit code, times).  What is true *now* is derived by
 * engine_refresh() from the monitor process and its exit file, so a
 * container whose monitor was killed shows as exited. */
#ifndef HAKO_ENGINE_CTR_RECORD_H
#define HAKO_ENGINE_CTR_RECORD_H

#include "ctr-config.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/types.h>

struct ctr_record
{
  char *id;         /* 64 hex digits */
  char *name;       /* unique */
  char *image_id;   /* sha256:… */
  char *image_name; /* as the user gave it */
  char *created;    /* RFC 3339 */
  struct ctr_config config; /* every setting (ctr-config.h) */
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

void ctr_record_free (struct ctr_record *r);

static inline void
cleanup_ctr_recordp (struct ctr_record **r)
{
  ctr_record_free (*r);
}
#define _cleanup_record_ __attribute__ ((cleanup (cleanup_ctr_recordp)))

/* Sets R's state ("running", "exited", ...). */
void ctr_record_set_state (struct ctr_record *r, const char *state);

/* R exited with CODE at FINISHED (RFC 3339); WHY, when not NULL, says
 * why it is taken for exited. */
void ctr_record_set_exited (struct ctr_record *r, int code, const char *finished,
                            const char *why);

/* Creates the engine's tables when missing. */
int ctr_db_init (sqlite3 *db, struct hk_error **err);

/* Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int ctr_record_check_name (const char *name, struct hk_error **err);

/* Inserts R; a name in use is an error that names it. */
int ctr_record_insert (sqlite3 *db, const struct ctr_record *r, struct hk_error **err);

/* Writes R's state fields (state, exit code, times, restart count,
 * monitor, error) and name. */
int ctr_record_update (sqlite3 *db, const struct ctr_record *r, struct hk_error **err);

/* Replaces the stored settings of R (volumes resolved, networks
 * connected, an update...). */
int ctr_record_set_config (sqlite3 *db, const struct ctr_record *r,
                                 struct hk_error **err);

int ctr_record_delete (sqlite3 *db, const char *id, struct hk_error **err);

/* By full name, full ID or a unique ID prefix; the error says "no such
 * container" or "ambiguous". */
int ctr_record_find (sqlite3 *db, const char *ref, struct ctr_record **out,
                           struct hk_error **err);

/* All records, newest first. */
int ctr_record_list (sqlite3 *db, struct ctr_record ***out, size_t *n,
                           struct hk_error **err);
void ctr_record_list_free (struct ctr_record **list, size_t n);

/* The containers' names alone, newest first (NULL-terminated), for
 * completion: reading every record's settings would cost ~10 ms on a
 * store of 200. */
int ctr_record_names (sqlite3 *db, char ***out, struct hk_error **err);

#endif
