/* SPDX-License-Identifier: Apache-2.0 */
/* Health checks: what the monitor runs every interval (`hako container
 * healthcheck ID`), through exec, and the record of the last results
 * (RUNROOT/containers/ID/health, Docker's State.Health). */
#include "engine-events.h"
#include "engine.h"
#include "engine-exec.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Docker's: a check has 30 s, 3 failures in a row make it unhealthy, the
 * last 5 results are kept, each with up to 4 KiB of output. */
#define HEALTH_DEFAULT_TIMEOUT_NS (30 * INT64_C (1000000000))
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_LOG_KEPT 5
#define HEALTH_OUTPUT_MAX 4096

/* The health record in RUN_DIR, or NULL. */
static json_t *
read_health (const char *run_dir)
{
  _cleanup_free_ char *path = xasprintf ("%s/health", run_dir);
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, &len, NULL) < 0)
    return NULL;
  json_t *health = json_loadb (text, len, 0, NULL);
  if (!json_is_object (health))
    {
      json_decref (health);
      return NULL;
    }
  return health;
}

/* The check's argv from its test: CMD-SHELL runs through /bin/sh. */
static char **
check_args (char *const *test)
{
  const char *kind = test ? test[0] : NULL;
  char **args = xzalloc (sizeof (char *));
  if (kind != NULL && strcmp (kind, "CMD-SHELL") == 0)
    {
      strv_append (&args, "/bin/sh");
      strv_append (&args, "-c");
      strv_append (&args, test[1] ? test[1] : "");
      return args;
    }
  for (size_t i = kind != NULL && strcmp (kind, "CMD") == 0 ? 1 : 0; test && test[i]; i++)
    strv_append (&args, test[i]);
  return args;
}

/* Runs R's check once: its exit code, and its output (or why it could
 * not run) in OUTPUT. */
static int
run_check (struct engine *e, struct ctr_record *r, char **reexec_argv, char *output,
           size_t size)
{
  const struct config_health *h = &r->config.health;
  _cleanup_strv_ char **args = check_args (h->test);
  _cleanup_close_ int out = memfd_create ("health", MFD_CLOEXEC);
  struct engine_exec_request q = ENGINE_EXEC_REQUEST_INIT;
  q.args = args;
  q.stdio[1] = q.stdio[2] = out;
  q.reexec_argv = reexec_argv;
  /* A check past its timeout gets SIGALRM (forwarded to it) and fails. */
  int64_t timeout_ns = h->timeout_ns > 0 ? h->timeout_ns : HEALTH_DEFAULT_TIMEOUT_NS;
  alarm ((unsigned)((timeout_ns + 999999999) / 1000000000));
  int code = 1;
  struct hk_error *exec_err = NULL;
  if (engine_exec (e, r, &q, &code, &exec_err) < 0)
    code = code ? code : 1;
  alarm (0);
  ssize_t n = pread (out, output, size - 1, 0);
  output[n > 0 ? n : 0] = '\0';
  if (exec_err != NULL)
    snprintf (output, size, "%s", exec_err->message);
  hk_error_free (exec_err);
  return code;
}

/* The check's result into HEALTH: its log (the last five), the failing
 * streak, the status after RETRIES failures. */
static void
add_result (json_t *health, const char *start, int code, const char *output, int retries)
{
  _cleanup_free_ char *end = state_now_rfc3339 ();
  json_t *log = json_object_get (health, "Log");
  json_array_append_new (log, json_pack ("{s:s, s:s, s:i, s:s}", "Start", start, "End", end,
                                         "ExitCode", code, "Output", output));
  while (json_array_size (log) > HEALTH_LOG_KEPT)
    json_array_remove (log, 0);
  json_int_t streak = code == 0 ? 0 : json_integer_value (json_object_get (health, "FailingStreak")) + 1;
  json_object_set_new (health, "FailingStreak", json_integer (streak));
  if (code == 0)
    json_object_set_new (health, "Status", json_string ("healthy"));
  else if (streak >= retries)
    json_object_set_new (health, "Status", json_string ("unhealthy"));
}

int
engine_healthcheck (struct engine *e, const char *id, char **reexec_argv, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = NULL;
  if (ctr_record_find (e->db, id, &r, err) < 0)
    return -1;
  _cleanup_free_ char *start = state_now_rfc3339 ();
  char output[HEALTH_OUTPUT_MAX + 1];
  int code = run_check (e, r, reexec_argv, output, sizeof output);
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  _cleanup_json_ json_t *health = read_health (run_dir);
  if (health == NULL)
    health = json_pack ("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0, "Log");
  add_result (health, start, code, output,
              r->config.health.retries > 0 ? r->config.health.retries : HEALTH_DEFAULT_RETRIES);
  const char *status = json_string_value (json_object_get (health, "Status"));
  _cleanup_free_ char *action = xasprintf ("health_status: %s", status);
  engine_event (e, r, action, NULL, NULL);
  _cleanup_free_ char *text = json_to_string (health, false);
  _cleanup_close_ int dfd = open (run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", run_dir);
  return fs_replace_file (dfd, "health", text, strlen (text), 0644, err);
}

json_t *
engine_health (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  return read_health (run_dir);
}
