/* SPDX-License-Identifier: Apache-2.0 */
/* The native driver's leases (network-ipam.h) and the network tables'
 * migration: in an in-memory database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "engine/network-ipam.h"
#include "store/store-db.h"

#include <errno.h>
#include <string.h>

static struct network net = {
  .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  .name = "small",
  .driver = "bridge",
  .subnet = "10.89.3.0/29",
  .gateway = "10.89.3.1",
  .bridge = "hk-0123456789ab",
};

static sqlite3 *
open_db (void)
{
  sqlite3 *db = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (sqlite3_open (":memory:", &db), SQLITE_OK);
  if (network_db_init (db, &err) < 0)
    fail_msg ("%s", err->message);
  return db;
}

/* Leases an address for container ID (REQUESTED or any): its address,
 * or NULL with *ERRNUM. */
static char *
lease (sqlite3 *db, const char *id, const char *requested, int *errnum)
{
  _cleanup_json_ json_t *names = json_array ();
  _cleanup_json_ json_t *ports = json_array ();
  struct network_endpoint ep = { .container_id = (char *)id,
                                 .network = net.name,
                                 .ifname = "eth0",
                                 .names = names,
                                 .ports = ports };
  struct hk_error *err = NULL;
  *errnum = 0;
  if (network_ipam_lease (db, &net, &ep, requested, NULL, &err) < 0)
    {
      *errnum = err->errnum;
      hk_error_free (err);
      return NULL;
    }
  assert_string_equal (ep.gateway, "10.89.3.1");
  free (ep.gateway);
  return ep.address;
}

static void
test_leases (void **state)
{
  (void)state;
  sqlite3 *db = open_db ();
  int e;
  /* the first free addresses past the gateway, in order */
  _cleanup_free_ char *a = lease (db, "a", NULL, &e);
  _cleanup_free_ char *b = lease (db, "b", NULL, &e);
  assert_string_equal (a, "10.89.3.2/29");
  assert_string_equal (b, "10.89.3.3/29");
  /* an address in use is refused, a free one given */
  assert_null (lease (db, "c", "10.89.3.3", &e));
  assert_int_equal (e, EADDRINUSE);
  _cleanup_free_ char *c = lease (db, "c", "10.89.3.6", &e);
  assert_string_equal (c, "10.89.3.6/29");
  /* a released address is the next one given */
  struct hk_error *err = NULL;
  assert_int_equal (network_endpoint_delete (db, "a", NULL, &err), 0);
  _cleanup_free_ char *d = lease (db, "d", NULL, &e);
  assert_string_equal (d, "10.89.3.2/29");
  /* .4 and .5 left (.7 is the broadcast address), then none */
  _cleanup_free_ char *f = lease (db, "f", NULL, &e);
  _cleanup_free_ char *g = lease (db, "g", NULL, &e);
  assert_string_equal (f, "10.89.3.4/29");
  assert_string_equal (g, "10.89.3.5/29");
  assert_null (lease (db, "h", NULL, &e));
  assert_int_equal (e, ENOSPC);
  sqlite3_close (db);
}

static struct network net6 = {
  .id = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
  .name = "dual",
  .driver = "bridge",
  .subnet = "10.89.4.0/24",
  .gateway = "10.89.4.1",
  .subnet6 = "fd00:89:4::/120",
  .gateway6 = "fd00:89:4::1",
  .bridge = "hk-fedcba987654",
};

/* Leases both families on net6 for ID, the IPv6 address REQUESTED6 (or
 * any): its IPv6 address, or NULL with *ERRNUM. */
static char *
lease6 (sqlite3 *db, const char *id, const char *requested6, int *errnum)
{
  _cleanup_json_ json_t *names = json_array ();
  _cleanup_json_ json_t *ports = json_array ();
  struct network_endpoint ep = { .container_id = (char *)id,
                                 .network = net6.name,
                                 .ifname = "eth0",
                                 .names = names,
                                 .ports = ports };
  struct hk_error *err = NULL;
  *errnum = 0;
  int rc = network_ipam_lease (db, &net6, &ep, NULL, requested6, &err);
  free (ep.address);
  free (ep.gateway);
  free (ep.gateway6);
  if (rc < 0)
    {
      *errnum = err->errnum;
      hk_error_free (err);
      free (ep.address6);
      return NULL;
    }
  return ep.address6;
}

static void
test_ipv6_leases (void **state)
{
  (void)state;
  sqlite3 *db = open_db ();
  int e;
  _cleanup_free_ char *a = lease6 (db, "a", NULL, &e);
  _cleanup_free_ char *b = lease6 (db, "b", "fd00:89:4::42", &e);
  assert_string_equal (a, "fd00:89:4::2/120");
  assert_string_equal (b, "fd00:89:4::42/120");
  /* taken: refused, and the IPv4 lease of the same transaction with it */
  assert_null (lease6 (db, "c", "fd00:89:4::42", &e));
  assert_int_equal (e, EADDRINUSE);
  sqlite3_stmt *st = NULL;
  assert_int_equal (sqlite3_prepare_v2 (db,
                                        "SELECT COUNT(*) FROM network_endpoints"
                                        " WHERE container_id = 'c'",
                                        -1, &st, NULL),
                    SQLITE_OK);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  assert_int_equal (sqlite3_column_int (st, 0), 0);
  sqlite3_finalize (st);
  _cleanup_free_ char *c = lease6 (db, "c", NULL, &e);
  assert_string_equal (c, "fd00:89:4::3/120");
  sqlite3_close (db);
}

static void
test_old_networks_stay_on_cni (void **state)
{
  (void)state;
  sqlite3 *db = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (sqlite3_open (":memory:", &db), SQLITE_OK);
  /* the tables as an older hako left them: "bridge" meant CNI */
  assert_int_equal (
      store_db_exec (db,
                     "CREATE TABLE networks (id TEXT PRIMARY KEY, name TEXT NOT NULL"
                     " UNIQUE, driver TEXT NOT NULL, subnet TEXT NOT NULL, gateway"
                     " TEXT NOT NULL, bridge TEXT NOT NULL UNIQUE, internal INTEGER"
                     " NOT NULL DEFAULT 0, labels TEXT NOT NULL DEFAULT '{}',"
                     " options TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL);"
                     "INSERT INTO networks (id, name, driver, subnet, gateway, bridge,"
                     " created) VALUES ('x', 'old', 'bridge', '10.88.0.0/16',"
                     " '10.88.0.1', 'hako0', 'now');",
                     &err),
      0);
  if (network_db_init (db, &err) < 0 || network_db_init (db, &err) < 0)
    fail_msg ("%s", err->message);
  _cleanup_network_ struct network *n = NULL;
  assert_int_equal (network_record_get (db, "old", &n, &err), 0);
  assert_string_equal (n->driver, "cni");
  sqlite3_close (db);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_leases),
    cmocka_unit_test (test_ipv6_leases),
    cmocka_unit_test (test_old_networks_stay_on_cni),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
