/* SPDX-License-Identifier: Apache-2.0 */
/* A container's runtime state: the directory ROOT/ID holding state.json,
 * the exec fifo while the container is "created", and a copy of its
 * config.json.  The status is not stored but derived each time from the
 * process (alive? the same process, by its start time?), the fifo and the
 * freezer, so it cannot go stale. */
#ifndef HAKO_RUNTIME_STATE_H
#define HAKO_RUNTIME_STATE_H

#include "cgroup.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#define STATE_FILE "state.json"
#define EXEC_FIFO "exec.fifo"
#define CONFIG_COPY "config.json"

/* A container id is at most this long (as runc allows). */
#define STATE_MAX_ID_LENGTH 1024

enum container_status
{
  STATUS_CREATING,
  STATUS_CREATED,
  STATUS_RUNNING,
  STATUS_PAUSED,
  STATUS_STOPPED,
};

struct container_state
{
  char *id;
  char *bundle;
  char *rootfs;
  pid_t pid;
  unsigned long long pid_start_time; /* /proc/PID/stat field 22 */
  char *created;                     /* RFC 3339 */
  char *owner;
  json_t *annotations;
  struct cgroup *cgroup;
  bool new_pid_namespace; /* killing pid 1 then ends every process */
  int dir_fd;             /* ROOT/ID, O_DIRECTORY */
};

/* Checks that ID is a valid container id (what runc accepts). */
int state_check_id (const char *id, struct hk_error **err);

/* Makes ROOT/ID (and ROOT); fails with a clear error when ID exists.
 * Returns the directory fd. */
int state_dir_create (const char *root, const char *id, struct hk_error **err);


/* Writes state.json atomically. */
int state_save (const struct container_state *s, struct hk_error **err);

int state_load (const char *root, const char *id, struct container_state **out,
                struct hk_error **err);
void state_free (struct container_state *s);

static inline void
cleanup_statep (struct container_state **s)
{
  state_free (*s);
}
#define _cleanup_state_ __attribute__ ((cleanup (cleanup_statep)))

enum container_status state_status (const struct container_state *s);
const char *state_status_name (enum container_status status);

/* The runtime-spec state document (plus runc's rootfs, created, owner). */
json_t *state_to_oci_json (const struct container_state *s, enum container_status status);

/* Removes ROOT/ID entirely. */
int state_remove (const char *root, const char *id, struct hk_error **err);

/* Locks the container's directory against concurrent lifecycle
 * operations (flock, released when the fd closes). */
int state_lock (const struct container_state *s, struct hk_error **err);

/* The start time of PID (from /proc), 0 when it is gone or a zombie. */
unsigned long long state_process_start_time (pid_t pid);

/* True when PID is alive and started at START_TIME. */
bool state_process_alive (pid_t pid, unsigned long long start_time);

/* Writes PID to PATH (--pid-file) atomically, in the directory PATH names
 * (resolved first, so the rename stays in it). */
int state_write_pid_file (const char *path, pid_t pid, struct hk_error **err);

/* "2026-11-29T01:46:04.123456789Z" for now. */
char *state_now_rfc3339 (void);

#endif
