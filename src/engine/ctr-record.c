/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-record.h"
#include "ctr-config-json.h"
#include "ctr-config-parse.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/store-db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ENGINE_SCHEMA_VERSION 4

static const char schema_v1[]
    = "CREATE TABLE IF NOT EXISTS engine_schema (version INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS containers ("
      " id TEXT PRIMARY KEY,"
      " name TEXT NOT NULL UNIQUE,"
      " image_id TEXT NOT NULL,"
      " image_name TEXT NOT NULL,"
      " created TEXT NOT NULL,"
      " options TEXT NOT NULL,"
      " state TEXT NOT NULL,"
      " exit_code INTEGER NOT NULL DEFAULT 0,"
      " started_at TEXT NOT NULL DEFAULT '',"
      " finished_at TEXT NOT NULL DEFAULT '',"
      " restart_count INTEGER NOT NULL DEFAULT 0,"
      " monitor_pid INTEGER NOT NULL DEFAULT 0,"
      " monitor_start INTEGER NOT NULL DEFAULT 0,"
      " error TEXT NOT NULL DEFAULT '');"
      "CREATE INDEX IF NOT EXISTS containers_image ON containers (image_id);";

/* Version 2: whether the last run ended in an OOM kill. */
static const char schema_v2[]
    = "ALTER TABLE containers ADD COLUMN oom_killed INTEGER NOT NULL DEFAULT 0;"
      "UPDATE engine_schema SET version = 2;";

/* Version 3: the column `options` (the run options, a bag of Docker's
 * keys that every reader interpreted) becomes `config`, the document of
 * the typed model (ctr-config-json.h). */
static const char schema_v3[] = "ALTER TABLE containers RENAME COLUMN options TO config;";

/* Version 4: pods (pod-record.h), each with its settings' document. */
static const char schema_v4[]
    = "CREATE TABLE pods ("
      " id TEXT PRIMARY KEY,"
      " name TEXT NOT NULL UNIQUE,"
      " created TEXT NOT NULL,"
      " infra_id TEXT NOT NULL DEFAULT '',"
      " config TEXT NOT NULL);"
      "UPDATE engine_schema SET version = 4;";

/* A version 2 document as the model: the keys the record's columns or
 * the Networks list hold dropped, --device strings parsed, the security
 * options' meaning drawn from their text. */
static int
config_from_v2 (json_t *doc, struct ctr_config *c, struct hk_error **err)
{
  static const char *const dropped[] = { "Name", "IPAddress", "MacAddress", "Aliases" };
  for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
    json_object_del (doc, dropped[i]);
  _cleanup_json_ json_t *devices = json_incref (json_object_get (doc, "Devices"));
  json_object_del (doc, "Devices");
  if (ctr_config_from_record (doc, c, err) < 0)
    return -1;
  size_t i;
  json_t *d;
  json_array_foreach (devices, i, d)
  {
    if (!json_is_string (d) || config_parse_device (c, json_string_value (d), err) < 0)
      return hk_error_set (err, EINVAL, "Devices[%zu]: not a --device value", i);
  }
  config_apply_security_opts (c);
  return 0;
}

static int
migrate_row (sqlite3 *db, const char *id, const char *text, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = json_loads (text, 0, NULL);
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  if (config_from_v2 (doc, &c, err) < 0)
    return hk_error_prefix (err, "container %s", id);
  _cleanup_json_ json_t *v3 = ctr_config_to_record (&c);
  _cleanup_free_ char *out = json_dumps (v3, JSON_COMPACT);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "UPDATE containers SET config = ? WHERE id = ?", &st, err, out, id,
                        NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

static int
migrate_v3 (sqlite3 *db, struct hk_error **err)
{
  if (store_db_exec (db, schema_v3, err) < 0)
    return -1;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "SELECT id, config FROM containers", &st, err, NULL) < 0)
    return -1;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    if (migrate_row (db, store_db_text (st, 0), store_db_text (st, 1), err) < 0)
      return -1;
  if (r < 0)
    return -1;
  return store_db_exec (db, "UPDATE engine_schema SET version = 3", err);
}

/* Brings the tables from VERSION to ours, in one transaction (a concurrent
 * hako doing the same waits, then finds the work done). */
static int
migrate (sqlite3 *db, struct hk_error **err)
{
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int version = 0;
  if (store_db_prepare (db, "SELECT version FROM engine_schema", &st, err, NULL) < 0)
    goto fail;
  if (store_db_step (db, st, err) == SQLITE_ROW)
    version = sqlite3_column_int (st, 0);
  if (version < 2 && store_db_exec (db, schema_v2, err) < 0)
    goto fail;
  if (version < 3 && migrate_v3 (db, err) < 0)
    goto fail;
  if (version < 4 && store_db_exec (db, schema_v4, err) < 0)
    goto fail;
  return store_db_exec (db, "COMMIT", err);
fail:
  store_db_exec (db, "ROLLBACK", NULL);
  return hk_error_prefix (err, "upgrade the engine's tables");
}

int
ctr_db_init (sqlite3 *db, struct hk_error **err)
{
  /* IF NOT EXISTS: concurrent first runs create the tables once. */
  if (store_db_exec (db, schema_v1, err) < 0)
    return hk_error_prefix (err, "engine database");
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "SELECT version FROM engine_schema", &st, err, NULL) < 0)
    return -1;
  int r = store_db_step (db, st, err);
  if (r < 0)
    return -1;
  if (r == SQLITE_ROW && sqlite3_column_int (st, 0) > ENGINE_SCHEMA_VERSION)
    return hk_error_set (err, ENOTSUP, "the engine's tables are newer than this hako knows");
  if (r == SQLITE_DONE
      && store_db_exec (db,
                        "INSERT INTO engine_schema (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 "
                        "FROM engine_schema)",
                        err)
             < 0)
    return -1;
  if (r == SQLITE_DONE || sqlite3_column_int (st, 0) < ENGINE_SCHEMA_VERSION)
    return migrate (db, err);
  return 0;
}

void
ctr_record_free (struct ctr_record *r)
{
  if (r == NULL)
    return;
  free (r->id);
  free (r->name);
  free (r->image_id);
  free (r->image_name);
  free (r->created);
  ctr_config_clear (&r->config);
  free (r->state);
  free (r->started_at);
  free (r->finished_at);
  free (r->error);
  free (r);
}

static void
set_string (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}

void
ctr_record_set_state (struct ctr_record *r, const char *state)
{
  set_string (&r->state, state);
}

void
ctr_record_set_exited (struct ctr_record *r, int code, const char *finished, const char *why)
{
  set_string (&r->state, "exited");
  r->exit_code = code;
  set_string (&r->finished_at, finished);
  if (why != NULL)
    set_string (&r->error, why);
}

static const char select_columns[]
    = "SELECT id, name, image_id, image_name, created, config, state, exit_code, started_at,"
      " finished_at, restart_count, monitor_pid, monitor_start, error, oom_killed FROM containers";

static int
record_from_row (sqlite3_stmt *st, struct ctr_record **out, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = xzalloc (sizeof *r);
  r->id = xstrdup (store_db_text (st, 0));
  r->name = xstrdup (store_db_text (st, 1));
  r->image_id = xstrdup (store_db_text (st, 2));
  r->image_name = xstrdup (store_db_text (st, 3));
  r->created = xstrdup (store_db_text (st, 4));
  r->state = xstrdup (store_db_text (st, 6));
  r->exit_code = sqlite3_column_int (st, 7);
  r->started_at = xstrdup (store_db_text (st, 8));
  r->finished_at = xstrdup (store_db_text (st, 9));
  r->restart_count = sqlite3_column_int (st, 10);
  r->monitor_pid = (pid_t)sqlite3_column_int (st, 11);
  r->monitor_start_time = (unsigned long long)sqlite3_column_int64 (st, 12);
  r->error = xstrdup (store_db_text (st, 13));
  r->oom_killed = sqlite3_column_int (st, 14) != 0;
  _cleanup_json_ json_t *doc = json_loads (store_db_text (st, 5), 0, NULL);
  if (ctr_config_from_record (doc, &r->config, err) < 0)
    return hk_error_prefix (err, "container %s: its stored settings", r->name);
  *out = take_ptr (r);
  return 0;
}

int
ctr_record_check_name (const char *name, struct hk_error **err)
{
  static const char allowed[]
      = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
  if (*name == '\0' || strspn (name, allowed) != strlen (name) || strchr ("_.-", name[0]) != NULL)
    return hk_error_set (err, EINVAL,
                         "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                         "allowed",
                         name);
  return 0;
}

int
ctr_record_insert (sqlite3 *db, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = ctr_config_to_record (&r->config);
  _cleanup_free_ char *config = json_dumps (doc, JSON_COMPACT);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db,
                        "INSERT INTO containers (id, name, image_id, image_name, created, config,"
                        " state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        &st, err, r->id, r->name, r->image_id, r->image_name, r->created, config,
                        r->state, NULL)
      < 0)
    return -1;
  int rc = sqlite3_step (st);
  if (rc == SQLITE_CONSTRAINT)
    return hk_error_set (err, EEXIST,
                         "the container name \"%s\" is already in use: remove that container or "
                         "choose another name",
                         r->name);
  if (rc != SQLITE_DONE)
    return store_db_error (db, "record the container", err);
  return 0;
}

int
ctr_record_update (sqlite3 *db, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db,
                          "UPDATE containers SET name = ?, state = ?, exit_code = ?,"
                          " started_at = ?, finished_at = ?, restart_count = ?, monitor_pid = ?,"
                          " monitor_start = ?, error = ?, oom_killed = ? WHERE id = ?",
                          -1, &st, NULL)
      != SQLITE_OK)
    return store_db_error (db, "update the container", err);
  sqlite3_bind_text (st, 1, r->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, r->state, -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 3, r->exit_code);
  sqlite3_bind_text (st, 4, r->started_at ? r->started_at : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, r->finished_at ? r->finished_at : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 6, r->restart_count);
  sqlite3_bind_int (st, 7, (int)r->monitor_pid);
  sqlite3_bind_int64 (st, 8, (sqlite3_int64)r->monitor_start_time);
  sqlite3_bind_text (st, 9, r->error ? r->error : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 10, r->oom_killed);
  sqlite3_bind_text (st, 11, r->id, -1, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  if (rc == SQLITE_CONSTRAINT)
    return hk_error_set (err, EEXIST, "the container name \"%s\" is already in use", r->name);
  if (rc != SQLITE_DONE)
    return store_db_error (db, "update the container", err);
  return 0;
}

int
ctr_record_set_config (sqlite3 *db, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = ctr_config_to_record (&r->config);
  _cleanup_free_ char *config = json_dumps (doc, JSON_COMPACT);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "UPDATE containers SET config = ? WHERE id = ?", &st, err, config,
                        r->id, NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

int
ctr_record_delete (sqlite3 *db, const char *id, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "DELETE FROM containers WHERE id = ?", &st, err, id, NULL) < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

int
ctr_record_find (sqlite3 *db, const char *ref, struct ctr_record **out,
                       struct hk_error **err)
{
  if (ref == NULL || *ref == '\0')
    return hk_error_set (err, EINVAL, "a container name or ID is required");
  _cleanup_free_ char *sql = xasprintf ("%s WHERE name = ? OR id = ?", select_columns);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, sql, &st, err, ref, ref, NULL) < 0)
    return -1;
  int r = store_db_step (db, st, err);
  if (r < 0)
    return -1;
  if (r == SQLITE_ROW)
    return record_from_row (st, out, err);
  /* A prefix of an ID: hex only, and it must be unique. */
  if (strspn (ref, "0123456789abcdef") != strlen (ref))
    return hk_error_set (err, ENOENT, "no such container: %s", ref);
  _cleanup_free_ char *pattern = xasprintf ("%s%%", ref);
  _cleanup_free_ char *prefix_sql = xasprintf ("%s WHERE id LIKE ? LIMIT 2", select_columns);
  _cleanup_stmt_ sqlite3_stmt *pst = NULL;
  if (store_db_prepare (db, prefix_sql, &pst, err, pattern, NULL) < 0)
    return -1;
  if ((r = store_db_step (db, pst, err)) < 0)
    return -1;
  if (r == SQLITE_DONE)
    return hk_error_set (err, ENOENT, "no such container: %s", ref);
  _cleanup_record_ struct ctr_record *found = NULL;
  if (record_from_row (pst, &found, err) < 0)
    return -1;
  if ((r = store_db_step (db, pst, err)) == SQLITE_ROW)
    return hk_error_set (err, EINVAL, "container ID prefix %s is ambiguous: give more of it", ref);
  *out = take_ptr (found);
  return 0;
}

int
ctr_record_list (sqlite3 *db, struct ctr_record ***out, size_t *n,
                       struct hk_error **err)
{
  _cleanup_free_ char *sql = xasprintf ("%s ORDER BY created DESC", select_columns);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, sql, &st, err, NULL) < 0)
    return -1;
  *out = NULL;
  *n = 0;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      if ((r = record_from_row (st, &(*out)[*n], err)) < 0)
        break;
      (*n)++;
    }
  if (r < 0)
    {
      /* a failed step or row: the caller gets no partial list */
      ctr_record_list_free (*out, *n);
      *out = NULL;
      *n = 0;
      return -1;
    }
  return 0;
}

int
ctr_record_names (sqlite3 *db, char ***out, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "SELECT name FROM containers ORDER BY created DESC", &st, err, NULL)
      < 0)
    return -1;
  _cleanup_strv_ char **names = xzalloc (sizeof (char *));
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    strv_append (&names, (const char *)sqlite3_column_text (st, 0));
  if (r < 0)
    return -1;
  *out = take_ptr (names);
  return 0;
}

void
ctr_record_list_free (struct ctr_record **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    ctr_record_free (list[i]);
  free (list);
}
