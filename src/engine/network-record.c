/* SPDX-License-Identifier: Apache-2.0 */
#include "network-record.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "store/store-db.h"
#include "network/ip-prefix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char schema[]
    = "CREATE TABLE IF NOT EXISTS networks ("
      " id TEXT PRIMARY KEY,"
      " name TEXT NOT NULL UNIQUE,"
      " driver TEXT NOT NULL,"
      " subnet TEXT NOT NULL,"
      " gateway TEXT NOT NULL,"
      " bridge TEXT NOT NULL UNIQUE,"
      " internal INTEGER NOT NULL DEFAULT 0,"
      " labels TEXT NOT NULL DEFAULT '{}',"
      " options TEXT NOT NULL DEFAULT '{}',"
      " created TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS network_endpoints ("
      " container_id TEXT NOT NULL,"
      " network TEXT NOT NULL,"
      " ifname TEXT NOT NULL,"
      " address TEXT NOT NULL,"
      " gateway TEXT NOT NULL DEFAULT '',"
      " mac TEXT NOT NULL DEFAULT '',"
      " names TEXT NOT NULL DEFAULT '[]',"
      " ports TEXT NOT NULL DEFAULT '[]',"
      " PRIMARY KEY (container_id, network));"
      "CREATE INDEX IF NOT EXISTS network_endpoints_network ON network_endpoints (network);";

/* Version 1 of the network tables: the native driver.  Networks made
 * before it were CNI's (their driver read "bridge"): they stay on the CNI
 * driver, bridges, rules and leases as they were; new ones are native.
 * Native leases are endpoint rows, one address per network at most. */
static const char schema_v1[]
    = "CREATE TABLE network_schema (version INTEGER NOT NULL);"
      "INSERT INTO network_schema (version) VALUES (1);"
      "UPDATE networks SET driver = 'cni' WHERE driver = 'bridge';"
      "CREATE UNIQUE INDEX network_endpoints_address ON network_endpoints (network, address);";

/* Version 2: dual stack.  An IPv6 subnet and gateway per network, an
 * IPv6 address per endpoint ('' when none), leased uniquely as the IPv4
 * ones are. */
static const char schema_v2[]
    = "ALTER TABLE networks ADD COLUMN subnet6 TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE networks ADD COLUMN gateway6 TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE network_endpoints ADD COLUMN address6 TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE network_endpoints ADD COLUMN gateway6 TEXT NOT NULL DEFAULT '';"
      "CREATE UNIQUE INDEX network_endpoints_address6 ON network_endpoints (network, address6)"
      " WHERE address6 != '';"
      "UPDATE network_schema SET version = 2;";

#define SCHEMA_VERSION 2

static bool
has_version_table (sqlite3 *db)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  return store_db_prepare (db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                           "'network_schema'",
                           &st, NULL, NULL)
             == 0
         && store_db_step (db, st, NULL) == SQLITE_ROW;
}

/* The version of the network tables: 0 before the native driver. */
static int
schema_version (sqlite3 *db)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (!has_version_table (db)
      || store_db_prepare (db, "SELECT version FROM network_schema", &st, NULL, NULL) < 0
      || store_db_step (db, st, NULL) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int (st, 0);
}

static int
upgrade (sqlite3 *db, struct hk_error **err)
{
  int version = schema_version (db);
  if (version < 1 && store_db_exec (db, schema_v1, err) < 0)
    return -1;
  if (version < 2 && store_db_exec (db, schema_v2, err) < 0)
    return -1;
  return 0;
}

/* Once per database, in one transaction (a concurrent hako waits, then
 * finds it done). */
static int
migrate (sqlite3 *db, struct hk_error **err)
{
  if (schema_version (db) >= SCHEMA_VERSION)
    return 0;
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  if (upgrade (db, err) < 0)
    {
      store_db_exec (db, "ROLLBACK", NULL);
      return -1;
    }
  return store_db_exec (db, "COMMIT", err);
}

int
network_db_init (sqlite3 *db, struct hk_error **err)
{
  if (store_db_exec (db, schema, err) < 0 || migrate (db, err) < 0)
    return hk_error_prefix (err, "network database");
  return 0;
}

void
network_free (struct network *n)
{
  if (n == NULL)
    return;
  free (n->id);
  free (n->name);
  free (n->driver);
  free (n->subnet);
  free (n->gateway);
  free (n->subnet6);
  free (n->gateway6);
  free (n->bridge);
  json_decref (n->labels);
  json_decref (n->options);
  free (n->created);
  free (n);
}

static void
network_endpoint_free (struct network_endpoint *ep)
{
  if (ep == NULL)
    return;
  free (ep->container_id);
  free (ep->network);
  free (ep->ifname);
  free (ep->address);
  free (ep->gateway);
  free (ep->address6);
  free (ep->gateway6);
  free (ep->mac);
  json_decref (ep->names);
  json_decref (ep->ports);
  free (ep);
}

void
network_endpoint_list_free (struct network_endpoint **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    network_endpoint_free (list[i]);
  free (list);
}

static json_t *
json_column (sqlite3_stmt *st, int col, json_t *fallback)
{
  json_t *j = json_loads (store_db_text (st, col), 0, NULL);
  if (j == NULL)
    return fallback;
  json_decref (fallback);
  return j;
}

static const char network_columns[]
    = "SELECT id, name, driver, subnet, gateway, bridge, internal, labels, options, created,"
      " subnet6, gateway6"
      " FROM networks";

static struct network *
network_from_row (sqlite3_stmt *st)
{
  struct network *n = xzalloc (sizeof *n);
  n->id = xstrdup (store_db_text (st, 0));
  n->name = xstrdup (store_db_text (st, 1));
  n->driver = xstrdup (store_db_text (st, 2));
  n->subnet = xstrdup (store_db_text (st, 3));
  n->gateway = xstrdup (store_db_text (st, 4));
  n->bridge = xstrdup (store_db_text (st, 5));
  n->internal = sqlite3_column_int (st, 6) != 0;
  n->labels = json_column (st, 7, json_object ());
  n->options = json_column (st, 8, json_object ());
  n->created = xstrdup (store_db_text (st, 9));
  n->subnet6 = xstrdup (store_db_text (st, 10));
  n->gateway6 = xstrdup (store_db_text (st, 11));
  return n;
}

/* True when subnet MINE overlaps OTHER (either may be '': none). */
static bool
subnets_overlap (const char *mine, const char *other)
{
  struct ip_prefix a, b;
  return *mine && *other && ip_prefix_parse (mine, &a) && ip_prefix_parse (other, &b)
         && ip_prefix_overlaps (&a, &b);
}

/* The network in the way of N, if any: same name or bridge, or an
 * overlapping subnet (of either family).  Runs inside the insert's
 * transaction. */
static int
check_conflicts (sqlite3 *db, const struct network *n, struct hk_error **err)
{
  struct ip_prefix mine;
  if (!ip_prefix_parse (n->subnet, &mine))
    return hk_error_set (err, EINVAL, "subnet `%s` is not ADDRESS/PREFIX", n->subnet);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "SELECT name, subnet, bridge, subnet6 FROM networks", &st, err, NULL)
      < 0)
    return -1;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      const char *name = store_db_text (st, 0), *subnet = store_db_text (st, 1),
                 *bridge = store_db_text (st, 2), *subnet6 = store_db_text (st, 3);
      if (strcmp (name, n->name) == 0)
        return hk_error_set (err, EEXIST, "network with name %s already exists", n->name);
      if (strcmp (bridge, n->bridge) == 0)
        return hk_error_set (err, EEXIST, "bridge %s is already used by network %s", n->bridge,
                             name);
      if (subnets_overlap (n->subnet, subnet))
        return hk_error_set (err, EEXIST, "subnet %s overlaps with network %s (%s)", n->subnet,
                             name, subnet);
      if (subnets_overlap (n->subnet6 ? n->subnet6 : "", subnet6))
        return hk_error_set (err, EEXIST, "subnet %s overlaps with network %s (%s)", n->subnet6,
                             name, subnet6);
    }
  return r < 0 ? -1 : 0;
}

static int
insert_row (sqlite3 *db, const struct network *n, struct hk_error **err)
{
  _cleanup_free_ char *labels = json_dumps (n->labels, JSON_COMPACT);
  _cleanup_free_ char *options = json_dumps (n->options, JSON_COMPACT);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db,
                        "INSERT INTO networks (id, name, driver, subnet, gateway, bridge, internal,"
                        " labels, options, created, subnet6, gateway6)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, err, n->id, n->name, n->driver, n->subnet, n->gateway, n->bridge,
                        n->internal ? "1" : "0", labels, options, n->created,
                        n->subnet6 ? n->subnet6 : "", n->gateway6 ? n->gateway6 : "", NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

int
network_record_insert (sqlite3 *db, const struct network *n, struct hk_error **err)
{
  /* IMMEDIATE: the check and the insert see the same networks. */
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  if (check_conflicts (db, n, err) < 0 || insert_row (db, n, err) < 0)
    {
      store_db_exec (db, "ROLLBACK", NULL);
      return -1;
    }
  return store_db_exec (db, "COMMIT", err);
}

int
network_record_get (sqlite3 *db, const char *ref, struct network **out, struct hk_error **err)
{
  _cleanup_free_ char *sql = xasprintf ("%s WHERE name = ?1 OR id = ?1 OR id LIKE ?2 || '%%'"
                                        " ORDER BY name = ?1 DESC, id = ?1 DESC LIMIT 2",
                                        network_columns);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  /* A prefix is only tried when it is hex, as with containers. */
  bool hex = *ref && strspn (ref, "0123456789abcdef") == strlen (ref);
  if (store_db_prepare (db, sql, &st, err, ref, hex ? ref : "-", NULL) < 0)
    return -1;
  int r = store_db_step (db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "network %s not found", ref);
  struct network *n = network_from_row (st);
  bool exact = strcmp (n->name, ref) == 0 || strcmp (n->id, ref) == 0;
  if (!exact && (r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      network_free (n);
      return hk_error_set (err, EINVAL, "network ID prefix %s is ambiguous: give more of it", ref);
    }
  *out = n;
  return 0;
}

int
network_record_list (sqlite3 *db, struct network ***out, size_t *n, struct hk_error **err)
{
  _cleanup_free_ char *sql = xasprintf ("%s ORDER BY name", network_columns);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  *out = NULL;
  *n = 0;
  if (store_db_prepare (db, sql, &st, err, NULL) < 0)
    return -1;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = network_from_row (st);
    }
  if (r < 0)
    {
      /* a failed step: the caller gets no partial list */
      network_record_list_free (*out, *n);
      *out = NULL;
      *n = 0;
      return -1;
    }
  return 0;
}

void
network_record_list_free (struct network **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    network_free (list[i]);
  free (list);
}

int
network_record_delete (sqlite3 *db, const char *id, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "DELETE FROM networks WHERE id = ?", &st, err, id, NULL) < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

int
network_endpoint_put (sqlite3 *db, const struct network_endpoint *ep, struct hk_error **err)
{
  _cleanup_free_ char *names = json_dumps (ep->names, JSON_COMPACT);
  _cleanup_free_ char *ports = json_dumps (ep->ports, JSON_COMPACT);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db,
                        "INSERT OR REPLACE INTO network_endpoints (container_id, network, ifname,"
                        " address, gateway, mac, names, ports, address6, gateway6)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, err, ep->container_id, ep->network, ep->ifname, ep->address,
                        ep->gateway ? ep->gateway : "", ep->mac ? ep->mac : "", names, ports,
                        ep->address6 ? ep->address6 : "", ep->gateway6 ? ep->gateway6 : "", NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return hk_error_prefix (err, "record the endpoint of %s on network %s", ep->container_id,
                            ep->network);
  return 0;
}

int
network_endpoint_delete (sqlite3 *db, const char *container_id, const char *network,
                         struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db,
                        network ? "DELETE FROM network_endpoints WHERE container_id = ? AND "
                                  "network = ?"
                                : "DELETE FROM network_endpoints WHERE container_id = ?",
                        &st, err, container_id, network, NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}

static struct network_endpoint *
endpoint_from_row (sqlite3_stmt *st)
{
  struct network_endpoint *ep = xzalloc (sizeof *ep);
  ep->container_id = xstrdup (store_db_text (st, 0));
  ep->network = xstrdup (store_db_text (st, 1));
  ep->ifname = xstrdup (store_db_text (st, 2));
  ep->address = xstrdup (store_db_text (st, 3));
  ep->gateway = xstrdup (store_db_text (st, 4));
  ep->mac = xstrdup (store_db_text (st, 5));
  ep->names = json_column (st, 6, json_array ());
  ep->ports = json_column (st, 7, json_array ());
  ep->address6 = xstrdup (store_db_text (st, 8));
  ep->gateway6 = xstrdup (store_db_text (st, 9));
  return ep;
}

int
network_endpoint_list (sqlite3 *db, const char *container_id, const char *network,
                       struct network_endpoint ***out, size_t *n, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  *out = NULL;
  *n = 0;
  /* '' matches nothing real: the filter is off when its value is NULL. */
  if (store_db_prepare (db,
                        "SELECT container_id, network, ifname, address, gateway, mac, names, ports,"
                        " address6, gateway6 FROM network_endpoints WHERE (?1 = '' OR container_id = ?1)"
                        " AND (?2 = '' OR network = ?2) ORDER BY length(ifname), ifname",
                        &st, err, container_id ? container_id : "", network ? network : "", NULL)
      < 0)
    return -1;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = endpoint_from_row (st);
    }
  return r < 0 ? -1 : 0;
}
