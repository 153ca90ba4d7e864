/* SPDX-License-Identifier: Apache-2.0 */
#include "network-ipam.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "network/ip-prefix.h"
#include "store/store-db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
ipv4_of (const struct ip_prefix *p)
{
  uint32_t v;
  memcpy (&v, p->addr, 4);
  return ntohl (v);
}

static int
by_value (const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* The IPv4 addresses leased on network NAME, sorted. */
static int
leased (sqlite3 *db, const char *name, uint32_t **out, size_t *n, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  *out = NULL;
  *n = 0;
  if (store_db_prepare (db, "SELECT address FROM network_endpoints WHERE network = ?", &st, err,
                        name, NULL)
      < 0)
    return -1;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      struct ip_prefix p;
      if (!ip_prefix_parse (store_db_text (st, 0), &p) || p.family != AF_INET)
        continue;
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = ipv4_of (&p);
    }
  if (*n > 1)
    qsort (*out, *n, sizeof **out, by_value);
  return r < 0 ? -1 : 0;
}

static bool
taken (const uint32_t *used, size_t n, uint32_t v)
{
  /* bsearch of no array at all is undefined, even with n = 0 */
  return n > 0 && bsearch (&v, used, n, sizeof v, by_value) != NULL;
}

/* The address for EP in *OUT: REQUESTED if free, else the first free
 * one after the gateway's. */
static int
choose (const struct network *n, const uint32_t *used, size_t n_used, const char *requested,
        struct ip_prefix *out, struct hk_error **err)
{
  struct ip_prefix subnet, gw;
  if (!ip_prefix_parse (n->subnet, &subnet) || subnet.family != AF_INET)
    return hk_error_set (err, EINVAL, "network %s: subnet %s is not IPv4", n->name, n->subnet);
  bool has_gw = ip_address_parse (n->gateway, &gw);
  if (requested != NULL)
    {
      if (!ip_address_parse (requested, out) || taken (used, n_used, ipv4_of (out)))
        return hk_error_set (err, EADDRINUSE, "address %s is already in use on network %s",
                             requested, n->name);
      return 0;
    }
  uint32_t hosts = subnet.len >= 31 ? 0 : (1u << (32 - subnet.len)) - 2;
  for (uint32_t i = 1; i <= hosts; i++)
    {
      *out = ip_prefix_nth (&subnet, i);
      if ((has_gw && ipv4_of (out) == ipv4_of (&gw)) || taken (used, n_used, ipv4_of (out)))
        continue;
      return 0;
    }
  return hk_error_set (err, ENOSPC, "network %s has no free address left (%s)", n->name, n->subnet);
}

static int
lease_locked (sqlite3 *db, const struct network *n, struct network_endpoint *ep,
              const char *requested, struct hk_error **err)
{
  _cleanup_free_ uint32_t *used = NULL;
  size_t n_used = 0;
  struct ip_prefix addr, subnet;
  if (leased (db, n->name, &used, &n_used, err) < 0
      || choose (n, used, n_used, requested, &addr, err) < 0)
    return -1;
  ip_prefix_parse (n->subnet, &subnet);
  char buf[50];
  free (ep->address);
  ep->address = xasprintf ("%s/%d", ip_address_format (&addr, buf), subnet.len);
  free (ep->gateway);
  ep->gateway = xstrdup (n->internal ? "" : n->gateway);
  return network_endpoint_put (db, ep, err);
}

int
network_ipam_lease (sqlite3 *db, const struct network *n, struct network_endpoint *ep,
                    const char *requested, struct hk_error **err)
{
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  if (lease_locked (db, n, ep, requested, err) < 0)
    {
      store_db_exec (db, "ROLLBACK", NULL);
      return -1;
    }
  return store_db_exec (db, "COMMIT", err);
}
