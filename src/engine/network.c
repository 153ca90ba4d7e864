/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-events.h"
#include "network.h"
#include "engine-context.h"
#include "random-id.h"
#include "network-host.h"
#include "network-native.h"
#include "rootless-netns.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "network/ip-prefix.h"
#include "runtime/netdev.h"
#include "runtime/state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

char *
network_state_dir (const struct engine *e)
{
  return xasprintf ("%s/networks", e->runroot);
}

struct cni_context
network_cni_context (const char *cache_dir)
{
  const char *path = getenv ("HAKO_CNI_PATH");
  return (struct cni_context){ .path = path && *path ? path : CNI_DEFAULT_PATH,
                               .cache_dir = cache_dir };
}

int
network_check_plugins (const struct network *n, struct hk_error **err)
{
  if (!network_is_cni (n))
    return 0;
  struct cni_context c = network_cni_context (NULL);
  static const char *const needed[] = { "bridge", "host-local" };
  for (size_t i = 0; i < 2; i++)
    {
      _cleanup_free_ char *path = NULL;
      if (cni_plugin_find (c.path, needed[i], &path, err) < 0)
        return hk_error_prefix (err,
                                "network %s needs CNI plugins (or use --network none or "
                                "host)",
                                n->name);
    }
  return 0;
}

bool
network_is_default (const char *ref)
{
  return strcmp (ref, NETWORK_DEFAULT_NAME) == 0 || strcmp (ref, "bridge") == 0
         || strcmp (ref, "default") == 0;
}

/* The IPv4 destinations of the host's routes (but the default route):
 * subnets a new network must not take. */
static void
host_routes (struct ip_prefix **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  _cleanup_fclose_ FILE *f = fopen ("/proc/net/route", "re");
  char line[512];
  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    {
      char iface[64];
      unsigned dest, gw, flags, refcnt, use, metric, mask;
      if (sscanf (line, "%63s %x %x %x %u %u %u %x", iface, &dest, &gw, &flags, &refcnt, &use,
                  &metric, &mask)
              != 8
          || mask == 0)
        continue;
      struct ip_prefix p = { .family = AF_INET, .len = __builtin_popcount (mask) };
      memcpy (p.addr, &dest, 4); /* both in network byte order */
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = p;
    }
}

/* The IPv6 destinations of the host's routes (but the default route and
 * the link-local, multicast and loopback ones every host has). */
static void
host_routes6 (struct ip_prefix **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  _cleanup_fclose_ FILE *f = fopen ("/proc/net/ipv6_route", "re");
  char line[512];
  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    {
      char dest[33];
      unsigned len;
      struct ip_prefix p = { .family = AF_INET6 };
      if (sscanf (line, "%32s %x", dest, &len) != 2 || strlen (dest) != 32 || len == 0
          || len > 128)
        continue;
      for (int i = 0; i < 16; i++)
        {
          unsigned byte;
          sscanf (dest + 2 * i, "%2x", &byte);
          p.addr[i] = (uint8_t)byte;
        }
      if (p.addr[0] == 0xff || (p.addr[0] == 0xfe && (p.addr[1] & 0xc0) == 0x80) || len == 128)
        continue;
      p.len = (int)len;
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = p;
    }
}

static bool
overlaps_any (const struct ip_prefix *p, struct network **nets, size_t n_nets,
              const struct ip_prefix *routes, size_t n_routes)
{
  for (size_t i = 0; i < n_nets; i++)
    {
      struct ip_prefix other;
      const char *theirs = p->family == AF_INET6 ? nets[i]->subnet6 : nets[i]->subnet;
      if (ip_prefix_parse (theirs, &other) && ip_prefix_overlaps (p, &other))
        return true;
    }
  for (size_t i = 0; i < n_routes; i++)
    if (ip_prefix_overlaps (p, &routes[i]))
      return true;
  return false;
}

/* The first /24 of 10.89.0.0/16 that no network and no host route uses. */
static int
pick_subnet (struct engine *e, char **out, struct hk_error **err)
{
  struct network **nets = NULL;
  size_t n_nets = 0, n_routes = 0;
  _cleanup_free_ struct ip_prefix *routes = NULL;
  if (network_record_list (e->db, &nets, &n_nets, err) < 0)
    return -1;
  host_routes (&routes, &n_routes);
  *out = NULL;
  for (unsigned third = 0; third < 256 && *out == NULL; third++)
    {
      char text[32];
      struct ip_prefix p;
      snprintf (text, sizeof text, "10.89.%u.0/24", third);
      if (ip_prefix_parse (text, &p) && !overlaps_any (&p, nets, n_nets, routes, n_routes))
        *out = xstrdup (text);
    }
  network_record_list_free (nets, n_nets);
  if (*out == NULL)
    return hk_error_set (err, ENOSPC,
                         "no free subnet left in 10.89.0.0/16: give one with --subnet");
  return 0;
}

/* The first /64 of fd89:6861:6b6f::/48 (a ULA prefix: "hako" in its
 * global ID) that no network and no host route uses. */
static int
pick_subnet6 (struct engine *e, char **out, struct hk_error **err)
{
  struct network **nets = NULL;
  size_t n_nets = 0, n_routes = 0;
  _cleanup_free_ struct ip_prefix *routes = NULL;
  if (network_record_list (e->db, &nets, &n_nets, err) < 0)
    return -1;
  host_routes6 (&routes, &n_routes);
  *out = NULL;
  for (unsigned subnet_id = 0; subnet_id < 65536 && *out == NULL; subnet_id++)
    {
      char text[48], canonical[50];
      struct ip_prefix p;
      snprintf (text, sizeof text, "fd89:6861:6b6f:%x::/64", subnet_id);
      if (ip_prefix_parse (text, &p) && !overlaps_any (&p, nets, n_nets, routes, n_routes))
        *out = xstrdup (ip_prefix_format (&p, canonical));
    }
  network_record_list_free (nets, n_nets);
  if (*out == NULL)
    return hk_error_set (err, ENOSPC,
                         "no free subnet left in fd89:6861:6b6f::/48: give one with --subnet");
  return 0;
}

static int
check_subnet6 (const char *text, struct ip_prefix *p, struct hk_error **err)
{
  if (!ip_prefix_parse (text, p) || p->family != AF_INET6)
    return hk_error_set (err, EINVAL, "--subnet: `%s` is not an IPv6 ADDRESS/PREFIX", text);
  if (p->len > 120 || p->len < 32)
    return hk_error_set (err, EINVAL, "--subnet %s: an IPv6 prefix must be /32 to /120", text);
  struct ip_prefix net = ip_prefix_network (p);
  if (memcmp (net.addr, p->addr, 16) != 0)
    {
      char buf[50];
      return hk_error_set (err, EINVAL, "--subnet %s: the address has host bits set (%s?)", text,
                           ip_prefix_format (&net, buf));
    }
  return 0;
}

static int
check_subnet (const char *text, struct ip_prefix *p, struct hk_error **err)
{
  if (!ip_prefix_parse (text, p))
    return hk_error_set (err, EINVAL, "--subnet: `%s` is not ADDRESS/PREFIX", text);
  if (p->family != AF_INET)
    return hk_error_set (err, ENOTSUP, "--subnet %s: only IPv4 subnets are supported", text);
  if (p->len > 30 || p->len < 8)
    return hk_error_set (err, EINVAL, "--subnet %s: the prefix must be /8 to /30", text);
  struct ip_prefix net = ip_prefix_network (p);
  if (memcmp (net.addr, p->addr, 4) != 0)
    {
      char buf[50];
      return hk_error_set (err, EINVAL, "--subnet %s: the address has host bits set (%s?)", text,
                           ip_prefix_format (&net, buf));
    }
  return 0;
}

static int
check_gateway (const char *text, const struct ip_prefix *subnet, struct hk_error **err)
{
  struct ip_prefix gw;
  if (!ip_address_parse (text, &gw))
    return hk_error_set (err, EINVAL, "--gateway: `%s` is not an address", text);
  if (!ip_prefix_contains (subnet, &gw) || ip_prefix_is_reserved (subnet, &gw))
    return hk_error_set (err, EINVAL, "--gateway %s is not a usable address of the subnet", text);
  return 0;
}

/* The bridge of a new network: -o com.docker.network.bridge.name, else
 * "hk-" and the ID's first digits (15 characters, the kernel's limit);
 * checked against the host's interfaces unless ROOTLESS (its bridges are
 * in the rootless network namespace). */
static int
bridge_name (const struct network_request *req, const char *id, bool rootless, char **out,
             struct hk_error **err)
{
  const char *key;
  json_t *v;
  json_object_foreach (req->options, key,
                       v) if (strcmp (key, NETWORK_OPT_BRIDGE_NAME)
                              != 0) return hk_error_set (err, EINVAL,
                                                         "-o %s: unknown option (known: %s)", key,
                                                         NETWORK_OPT_BRIDGE_NAME);
  const char *given = json_string_value (json_object_get (req->options, NETWORK_OPT_BRIDGE_NAME));
  _cleanup_free_ char *name = given ? xstrdup (given) : xasprintf ("hk-%.12s", id);
  if (!netdev_valid_name (name))
    return hk_error_set (err, EINVAL, "-o %s=%s: not an interface name (1 to 15 characters)",
                         NETWORK_OPT_BRIDGE_NAME, name);
  if (!rootless && network_host_check_bridge (name, err) < 0)
    return -1;
  *out = take_ptr (name);
  return 0;
}

static int
check_request (const struct network_request *req, struct hk_error **err)
{
  if (!cni_valid_name (req->name))
    return hk_error_set (err, EINVAL,
                         "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                         req->name);
  if (strcmp (req->name, "none") == 0 || strcmp (req->name, "host") == 0
      || strcmp (req->name, "bridge") == 0 || strcmp (req->name, "default") == 0)
    return hk_error_set (err, EINVAL, "network name \"%s\" is reserved", req->name);
  if (req->driver != NULL && strcmp (req->driver, NETWORK_DRIVER_NATIVE) != 0
      && strcmp (req->driver, NETWORK_DRIVER_CNI) != 0)
    return hk_error_set (err, ENOTSUP, "--driver %s: the drivers are bridge (native) and cni",
                         req->driver);
  if (req->gateway != NULL && req->subnet == NULL)
    return hk_error_set (err, EINVAL, "--gateway needs --subnet");
  if (req->gateway6 != NULL && req->subnet6 == NULL)
    return hk_error_set (err, EINVAL,
                         "--gateway %s: an IPv6 gateway needs --ipv6 and an IPv6 --subnet",
                         req->gateway6);
  if (req->subnet6 != NULL && !req->ipv6)
    return hk_error_set (err, EINVAL, "--subnet %s: an IPv6 subnet needs --ipv6", req->subnet6);
  if (req->ipv6 && req->driver != NULL && strcmp (req->driver, NETWORK_DRIVER_CNI) == 0)
    return hk_error_set (err, ENOTSUP, "--ipv6: only the bridge (native) driver has IPv6");
  return 0;
}

/* N's IPv6 subnet (given or picked) and gateway, its first address. */
static int
build_ipv6 (struct engine *e, const struct network_request *req, struct network *n,
            struct hk_error **err)
{
  struct ip_prefix subnet6;
  if (req->subnet6 != NULL)
    n->subnet6 = xstrdup (req->subnet6);
  else if (pick_subnet6 (e, &n->subnet6, err) < 0)
    return -1;
  if (check_subnet6 (n->subnet6, &subnet6, err) < 0
      || (req->gateway6 && check_gateway (req->gateway6, &subnet6, err) < 0))
    return -1;
  char buf[50];
  struct ip_prefix first = ip_prefix_nth (&subnet6, 1);
  n->gateway6 = xstrdup (req->gateway6 ? req->gateway6 : ip_address_format (&first, buf));
  return 0;
}

/* The record of a new network; its subnet given or picked. */
static int
build (struct engine *e, const struct network_request *req, struct network **out,
       struct hk_error **err)
{
  _cleanup_network_ struct network *n = xzalloc (sizeof *n);
  n->id = random_id ();
  n->name = xstrdup (req->name);
  n->driver = xstrdup (req->driver ? req->driver : NETWORK_DRIVER_NATIVE);
  n->internal = req->internal;
  n->labels = req->labels ? json_deep_copy (req->labels) : json_object ();
  n->options = req->options ? json_deep_copy (req->options) : json_object ();
  n->created = state_now_rfc3339 ();
  if (bridge_name (req, n->id, e->rootless, &n->bridge, err) < 0)
    return -1;
  struct ip_prefix subnet;
  if (req->subnet != NULL)
    n->subnet = xstrdup (req->subnet);
  else if (pick_subnet (e, &n->subnet, err) < 0)
    return -1;
  if (check_subnet (n->subnet, &subnet, err) < 0
      || (req->gateway && check_gateway (req->gateway, &subnet, err) < 0))
    return -1;
  char buf[50];
  struct ip_prefix first = ip_prefix_nth (&subnet, 1);
  n->gateway = xstrdup (req->gateway ? req->gateway : ip_address_format (&first, buf));
  if (req->ipv6 && build_ipv6 (e, req, n, err) < 0)
    return -1;
  *out = take_ptr (n);
  return 0;
}

int
network_create (struct engine *e, const struct network_request *req, struct network **out,
                struct hk_error **err)
{
  /* rootless, bridges are made in the user's rootless network namespace
   * (rootless-netns.h) by the native driver; CNI plugins know nothing of
   * that namespace */
  if (e->rootless && req->driver != NULL && strcmp (req->driver, NETWORK_DRIVER_CNI) == 0)
    return hk_error_set (err, ENOTSUP,
                         "--driver cni: rootless hako's networks have the bridge (native) driver "
                         "only");
  if (check_request (req, err) < 0)
    return -1;
  /* A picked subnet may be taken by a create at the same time: the
   * insert says so, and the next free one is tried. */
  for (int attempt = 0;; attempt++)
    {
      _cleanup_network_ struct network *n = NULL;
      if (build (e, req, &n, err) < 0)
        return -1;
      struct hk_error *e2 = NULL;
      if (network_record_insert (e->db, n, &e2) == 0)
        {
          engine_event_object (e, "network", "create", n->id, n->name, "type", "bridge");
          *out = take_ptr (n);
          return 0;
        }
      if ((req->subnet != NULL && (!req->ipv6 || req->subnet6 != NULL)) || e2->errnum != EEXIST || attempt >= 10
          || strstr (e2->message, "overlaps") == NULL)
        {
          *err = e2;
          return -1;
        }
      hk_error_free (e2);
    }
}

static int
create_default (struct engine *e, struct network **out, struct hk_error **err)
{
  const char *bridge = getenv ("HAKO_DEFAULT_NETWORK_BRIDGE");
  const char *subnet = getenv ("HAKO_DEFAULT_NETWORK_SUBNET");
  _cleanup_json_ json_t *options = json_pack ("{s:s}", NETWORK_OPT_BRIDGE_NAME,
                                              bridge && *bridge ? bridge : NETWORK_DEFAULT_BRIDGE);
  struct network_request req = {
    .name = NETWORK_DEFAULT_NAME,
    .subnet = subnet && *subnet ? subnet : NETWORK_DEFAULT_SUBNET,
    .options = options,
  };
  struct hk_error *e2 = NULL;
  if (network_create (e, &req, out, &e2) == 0)
    return 0;
  /* Made by another hako meanwhile. */
  if (e2->errnum == EEXIST && network_record_get (e->db, NETWORK_DEFAULT_NAME, out, NULL) == 0)
    {
      hk_error_free (e2);
      return 0;
    }
  *err = e2;
  return hk_error_prefix (err, "make the default network %s", NETWORK_DEFAULT_NAME);
}

int
network_get (struct engine *e, const char *ref, struct network **out, struct hk_error **err)
{
  if (!network_is_default (ref))
    return network_record_get (e->db, ref, out, err);
  struct hk_error *e2 = NULL;
  if (network_record_get (e->db, NETWORK_DEFAULT_NAME, out, &e2) == 0)
    return 0;
  if (e2->errnum != ENOENT)
    {
      *err = e2;
      return -1;
    }
  hk_error_free (e2);
  return create_default (e, out, err);
}

/* The names of the containers whose options list network NAME. */
static int
network_users (struct engine *e, const char *name, char ***out, struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (ctr_record_list (e->db, &list, &n, err) < 0)
    return -1;
  char **users = xzalloc (sizeof (char *));
  for (size_t i = 0; i < n; i++)
    if (ctr_config_network (&list[i]->config, name) != NULL)
      strv_append (&users, list[i]->name);
  ctr_record_list_free (list, n);
  *out = users;
  return 0;
}

/* A CNI network's host side (bridge, rules) and its host-local leases. */
static int
remove_cni (struct engine *e, const struct network *n, struct hk_error **err)
{
  _cleanup_free_ char *state_dir = network_state_dir (e);
  if (network_host_remove (n, state_dir, err) < 0)
    return -1;
  _cleanup_free_ char *ipam = xasprintf ("%s/ipam", state_dir);
  _cleanup_close_ int dfd = open (ipam, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return dfd >= 0 ? fs_remove_tree (dfd, n->name, err) : 0;
}

/* Rootless: the rootless network namespace and its pasta go with the
 * last network (as Podman's go with their last user); while networks
 * exist it keeps their bridges and rules. */
static void
forget_rootless_netns (struct engine *e)
{
  struct network **list = NULL;
  size_t n = 0;
  struct hk_error *err = NULL;
  if (network_record_list (e->db, &list, &n, &err) < 0)
    {
      hk_warn (e->log, "the rootless network namespace is kept: %s", err->message);
      hk_error_free (err);
      return;
    }
  network_record_list_free (list, n);
  if (n == 0)
    rootless_netns_remove (e);
}

int
network_remove (struct engine *e, const char *ref, struct hk_error **err)
{
  _cleanup_network_ struct network *n = NULL;
  _cleanup_strv_ char **users = NULL;
  if (network_record_get (e->db, network_is_default (ref) ? NETWORK_DEFAULT_NAME : ref, &n, err) < 0
      || network_users (e, n->name, &users, err) < 0)
    return -1;
  if (users[0] != NULL)
    return hk_error_set (err, EBUSY, "network %s is used by container %s%s", n->name, users[0],
                         users[1] ? " and others" : "");
  if ((network_is_cni (n) ? remove_cni (e, n, err) : network_native_remove (e, n, err)) < 0
      || network_record_delete (e->db, n->id, err) < 0)
    return -1;
  engine_event_object (e, "network", "destroy", n->id, n->name, "type", "bridge");
  if (e->rootless)
    forget_rootless_netns (e);
  return 0;
}
