/* SPDX-License-Identifier: Apache-2.0 */
#include "pod-record.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/store-db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
pod_config_init (struct pod_config *c)
{
  memset (c, 0, sizeof *c);
}

void
pod_config_clear (struct pod_config *c)
{
  for (size_t i = 0; i < c->labels.n; i++)
    {
      free (c->labels.keys[i]);
      free (c->labels.values[i]);
    }
  free (c->labels.keys);
  free (c->labels.values);
  free (c->hostname);
  free (c->cgroup_parent);
  free (c->limits.cpuset_cpus);
  pod_config_init (c);
}

void
pod_record_free (struct pod_record *p)
{
  if (p == NULL)
    return;
  free (p->id);
  free (p->name);
  free (p->created);
  free (p->infra_id);
  pod_config_clear (&p->config);
  free (p);
}

json_t *
pod_config_to_json (const struct pod_config *c)
{
  json_t *labels = json_object ();
  for (size_t i = 0; i < c->labels.n; i++)
    json_object_set_new (labels, c->labels.keys[i], json_string (c->labels.values[i]));
  _cleanup_strv_ char **share = config_pod_share_names (c->share);
  json_t *doc = json_pack ("{s:o, s:o, s:b}", "Labels", labels, "Share", json_from_strv (share),
                           "Infra", c->infra);
  if (c->hostname)
    json_object_set_new (doc, "Hostname", json_string (c->hostname));
  if (c->cgroup_parent)
    json_object_set_new (doc, "CgroupParent", json_string (c->cgroup_parent));
  if (c->limits.set & CONFIG_LIMIT_MEMORY)
    json_object_set_new (doc, "Memory", json_integer (c->limits.memory));
  if (c->limits.set & CONFIG_LIMIT_NANO_CPUS)
    json_object_set_new (doc, "NanoCpus", json_integer (c->limits.nano_cpus));
  return doc;
}

static int
read_share (json_t *doc, struct pod_config *c, struct hk_error **err)
{
  _cleanup_strv_ char **names = NULL;
  if (json_get_strv (doc, "", "Share", &names, err) < 0)
    return -1;
  for (char **n = names; n && *n; n++)
    {
      unsigned bit;
      if (config_parse_pod_share (*n, &bit, err) < 0)
        return hk_error_prefix (err, "Share");
      c->share |= bit;
    }
  return 0;
}

static int
read_limit (json_t *doc, const char *key, int64_t *field, unsigned bit, struct pod_config *c,
            struct hk_error **err)
{
  int rc = json_get_int64 (doc, "", key, field, err);
  if (rc > 0)
    c->limits.set |= bit;
  return rc < 0 ? -1 : 0;
}

int
pod_config_from_json (json_t *doc, struct pod_config *c, struct hk_error **err)
{
  pod_config_init (c);
  _cleanup_strv_ char **keys = NULL, **values = NULL;
  if (!json_is_object (doc))
    return hk_error_set (err, EINVAL, "the pod's settings are not a JSON object");
  if (json_get_string_map (doc, "", "Labels", &keys, &values, err) < 0
      || read_share (doc, c, err) < 0 || json_get_bool (doc, "", "Infra", &c->infra, err) < 0
      || json_get_string (doc, "", "Hostname", &c->hostname, err) < 0
      || json_get_string (doc, "", "CgroupParent", &c->cgroup_parent, err) < 0
      || read_limit (doc, "Memory", &c->limits.memory, CONFIG_LIMIT_MEMORY, c, err) < 0
      || read_limit (doc, "NanoCpus", &c->limits.nano_cpus, CONFIG_LIMIT_NANO_CPUS, c, err) < 0)
    {
      pod_config_clear (c);
      return -1;
    }
  for (size_t i = 0; keys && keys[i]; i++)
    config_map_set (&c->labels, keys[i], values[i]);
  return 0;
}

char *
pod_cgroup_path (const struct pod_record *p)
{
  const char *parent = p->config.cgroup_parent ? p->config.cgroup_parent : "hako";
  return xasprintf ("%s%s/hako-pod-%s", parent[0] == '/' ? "" : "/", parent, p->id);
}

int
pod_record_insert (sqlite3 *db, const struct pod_record *p, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = pod_config_to_json (&p->config);
  _cleanup_free_ char *config = json_dumps (doc, JSON_COMPACT);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db,
                        "INSERT INTO pods (id, name, created, infra_id, config) VALUES (?, ?, ?, "
                        "?, ?)",
                        &st, err, p->id, p->name, p->created, p->infra_id, config, NULL)
      < 0)
    return -1;
  int rc = sqlite3_step (st);
  if (rc == SQLITE_CONSTRAINT)
    return hk_error_set (err, EEXIST,
                         "the pod name \"%s\" is already in use: remove that pod or choose "
                         "another name",
                         p->name);
  if (rc != SQLITE_DONE)
    return store_db_error (db, "record the pod", err);
  return 0;
}

int
pod_record_set_infra (sqlite3 *db, const struct pod_record *p, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "UPDATE pods SET infra_id = ? WHERE id = ?", &st, err, p->infra_id,
                        p->id, NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

int
pod_record_delete (sqlite3 *db, const char *id, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "DELETE FROM pods WHERE id = ?", &st, err, id, NULL) < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

static const char select_columns[] = "SELECT id, name, created, infra_id, config FROM pods";

static int
record_from_row (sqlite3_stmt *st, struct pod_record **out, struct hk_error **err)
{
  _cleanup_pod_record_ struct pod_record *p = xzalloc (sizeof *p);
  p->id = xstrdup (store_db_text (st, 0));
  p->name = xstrdup (store_db_text (st, 1));
  p->created = xstrdup (store_db_text (st, 2));
  p->infra_id = xstrdup (store_db_text (st, 3));
  _cleanup_json_ json_t *doc = json_loads (store_db_text (st, 4), 0, NULL);
  if (pod_config_from_json (doc, &p->config, err) < 0)
    return hk_error_prefix (err, "pod %s: its stored settings", p->name);
  *out = take_ptr (p);
  return 0;
}

/* The one row of a query with REF bound twice or once, or ENOENT. */
static int
find_one (sqlite3 *db, const char *where, const char *ref, const char *value, bool twice,
          struct pod_record **out, struct hk_error **err)
{
  _cleanup_free_ char *sql = xasprintf ("%s WHERE %s LIMIT 2", select_columns, where);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, sql, &st, err, value, twice ? value : NULL, NULL) < 0)
    return -1;
  int r = store_db_step (db, st, err);
  if (r < 0)
    return -1;
  if (r == SQLITE_DONE)
    return hk_error_set (err, ENOENT, "no such pod: %s", ref);
  _cleanup_pod_record_ struct pod_record *found = NULL;
  if (record_from_row (st, &found, err) < 0)
    return -1;
  if (store_db_step (db, st, err) == SQLITE_ROW)
    return hk_error_set (err, EINVAL, "pod ID prefix %s is ambiguous: give more of it", ref);
  *out = take_ptr (found);
  return 0;
}

int
pod_record_find (sqlite3 *db, const char *ref, struct pod_record **out, struct hk_error **err)
{
  if (ref == NULL || *ref == '\0')
    return hk_error_set (err, EINVAL, "a pod name or ID is required");
  struct hk_error *why = NULL;
  if (find_one (db, "name = ? OR id = ?", ref, ref, true, out, &why) == 0)
    return 0;
  if (why->errnum != ENOENT || strspn (ref, "0123456789abcdef") != strlen (ref))
    {
      *err = why;
      return -1;
    }
  hk_error_free (why);
  _cleanup_free_ char *pattern = xasprintf ("%s%%", ref);
  return find_one (db, "id LIKE ?", ref, pattern, false, out, err);
}

int
pod_record_list (sqlite3 *db, struct pod_record ***out, size_t *n, struct hk_error **err)
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
      if (record_from_row (st, &(*out)[*n], err) < 0)
        {
          pod_record_list_free (*out, *n);
          *out = NULL;
          *n = 0;
          return -1;
        }
      (*n)++;
    }
  return r < 0 ? -1 : 0;
}

void
pod_record_list_free (struct pod_record **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    pod_record_free (list[i]);
  free (list);
}
