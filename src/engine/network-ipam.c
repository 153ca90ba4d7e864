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

/* Addresses compare as their 16 bytes (an IPv4 one's first 4, the rest
 * zero): byte order is network order, so memcmp orders them. */
typedef uint8_t address_key[16];

static int
by_value (const void *a, const void *b)
{
  return memcmp (a, b, sizeof (address_key));
}

/* The addresses of FAMILY leased on network NAME, sorted. */
static int
leased (sqlite3 *db, const char *name, int family, address_key **out, size_t *n,
        struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  *out = NULL;
  *n = 0;
  if (store_db_prepare (db,
                        family == AF_INET6
                            ? "SELECT address6 FROM network_endpoints WHERE network = ?"
                            : "SELECT address FROM network_endpoints WHERE network = ?",
                        &st, err, name, NULL)
      < 0)
    return -1;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      struct ip_prefix p;
      if (!ip_prefix_parse (store_db_text (st, 0), &p) || p.family != family)
        continue;
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      memcpy ((*out)[(*n)++], p.addr, sizeof (address_key));
    }
  if (*n > 1)
    qsort (*out, *n, sizeof **out, by_value);
  return r < 0 ? -1 : 0;
}

static bool
taken (const address_key *used, size_t n, const struct ip_prefix *p)
{
  /* bsearch of no array at all is undefined, even with n = 0 */
  return n > 0 && bsearch (p->addr, used, n, sizeof *used, by_value) != NULL;
}

/* How many host addresses past the network address SUBNET offers to
 * containers (at most 2^32 - 2: the scan stops long before). */
static uint32_t
host_count (const struct ip_prefix *subnet)
{
  int bits = (subnet->family == AF_INET ? 32 : 128) - subnet->len;
  if (bits >= 32)
    return UINT32_MAX - 1;
  /* IPv4 keeps its broadcast address back; IPv6 has none */
  return subnet->family == AF_INET ? (bits < 2 ? 0 : (1u << bits) - 2) : (1u << bits) - 1;
}

/* The address on SUBNET_TEXT for an endpoint in *OUT: REQUESTED if free,
 * else the first free one that is not GATEWAY. */
static int
choose (const struct network *n, const char *subnet_text, const char *gateway,
        const address_key *used, size_t n_used, const char *requested, struct ip_prefix *out,
        struct hk_error **err)
{
  struct ip_prefix subnet, gw;
  if (!ip_prefix_parse (subnet_text, &subnet))
    return hk_error_set (err, EINVAL, "network %s: subnet `%s` is not ADDRESS/PREFIX", n->name,
                         subnet_text);
  bool has_gw = ip_address_parse (gateway, &gw);
  if (requested != NULL)
    {
      if (!ip_address_parse (requested, out) || taken (used, n_used, out))
        return hk_error_set (err, EADDRINUSE, "address %s is already in use on network %s",
                             requested, n->name);
      return 0;
    }
  uint32_t hosts = host_count (&subnet);
  for (uint32_t i = 1; i <= hosts; i++)
    {
      *out = ip_prefix_nth (&subnet, i);
      if ((has_gw && memcmp (out->addr, gw.addr, 16) == 0) || taken (used, n_used, out))
        continue;
      return 0;
    }
  return hk_error_set (err, ENOSPC, "network %s has no free address left (%s)", n->name,
                       subnet_text);
}

/* "ADDRESS/LEN" of FAMILY for EP on N, in *OUT. */
static int
lease_family (sqlite3 *db, const struct network *n, int family, const char *requested, char **out,
              struct hk_error **err)
{
  const char *subnet_text = family == AF_INET6 ? n->subnet6 : n->subnet;
  const char *gateway = family == AF_INET6 ? n->gateway6 : n->gateway;
  _cleanup_free_ address_key *used = NULL;
  size_t n_used = 0;
  struct ip_prefix addr, subnet;
  if (leased (db, n->name, family, &used, &n_used, err) < 0
      || choose (n, subnet_text, gateway, used, n_used, requested, &addr, err) < 0)
    return -1;
  ip_prefix_parse (subnet_text, &subnet);
  char buf[50];
  free (*out);
  *out = xasprintf ("%s/%d", ip_address_format (&addr, buf), subnet.len);
  return 0;
}

static int
lease_locked (sqlite3 *db, const struct network *n, struct network_endpoint *ep,
              const char *requested, const char *requested6, struct hk_error **err)
{
  struct ip_prefix subnet;
  if (!ip_prefix_parse (n->subnet, &subnet) || subnet.family != AF_INET)
    return hk_error_set (err, EINVAL, "network %s: subnet %s is not IPv4", n->name, n->subnet);
  if (lease_family (db, n, AF_INET, requested, &ep->address, err) < 0)
    return -1;
  free (ep->gateway);
  ep->gateway = xstrdup (n->internal ? "" : n->gateway);
  if (n->subnet6 && *n->subnet6)
    {
      if (lease_family (db, n, AF_INET6, requested6, &ep->address6, err) < 0)
        return -1;
      free (ep->gateway6);
      ep->gateway6 = xstrdup (n->internal ? "" : n->gateway6);
    }
  return network_endpoint_put (db, ep, err);
}

int
network_ipam_lease (sqlite3 *db, const struct network *n, struct network_endpoint *ep,
                    const char *requested, const char *requested6, struct hk_error **err)
{
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  if (lease_locked (db, n, ep, requested, requested6, err) < 0)
    {
      store_db_exec (db, "ROLLBACK", NULL);
      return -1;
    }
  return store_db_exec (db, "COMMIT", err);
}
