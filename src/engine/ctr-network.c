/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-events.h"
#include "ctr-network.h"
#include "ctr-join.h"
#include "ctr-hosts.h"
#include "ctr-config-userns.h"
#include "ctr-ports.h"
#include "ctr-userns.h"
#include "netns.h"
#include "network.h"
#include "network-conflist.h"
#include "network-host.h"
#include "network-ipam.h"
#include "network-native.h"
#include "rootless-net.h"
#include "rootless-netns.h"
#include "rootless-ports.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "network/ip-prefix.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

/* "none", "host", "container:NAME", or NULL for networks. */
static const char *
special_mode (const struct ctr_config *c)
{
  return config_network_mode_is_special (c->network_mode) ? c->network_mode : NULL;
}

/* ---- create ---- */

static bool
program_in_path (const char *name)
{
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = xstrdup (path && *path ? path : "/usr/bin:/bin");
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *candidate = xasprintf ("%s/%s", dir, name);
      if (access (candidate, X_OK) == 0)
        return true;
    }
  return false;
}

static bool
valid_mac (const char *mac)
{
  if (strlen (mac) != 17)
    return false;
  for (size_t i = 0; i < 17; i++)
    if (i % 3 == 2 ? mac[i] != ':' : !isxdigit ((unsigned char)mac[i]))
      return false;
  /* A multicast address cannot be an interface's. */
  return (strtol (mac, NULL, 16) & 1) == 0;
}

/* IP (--ip, or --ip6 when V6) an address of N's subnet of its family
 * that is not reserved nor the gateway. */
static int
check_address (const struct network *n, const char *ip, bool v6, struct hk_error **err)
{
  const char *option = v6 ? "--ip6" : "--ip";
  const char *subnet_text = v6 ? n->subnet6 : n->subnet;
  const char *gateway = v6 ? n->gateway6 : n->gateway;
  if (subnet_text == NULL || *subnet_text == '\0')
    return hk_error_set (err, EINVAL, "--ip6 %s: network %s has no IPv6 (network create --ipv6)",
                         ip, n->name);
  struct ip_prefix subnet, addr, gw;
  ip_prefix_parse (subnet_text, &subnet);
  if (!ip_address_parse (ip, &addr) || addr.family != subnet.family)
    return hk_error_set (err, EINVAL, "%s: `%s` is not an %s address", option, ip,
                         v6 ? "IPv6" : "IPv4");
  if (!ip_prefix_contains (&subnet, &addr) || ip_prefix_is_reserved (&subnet, &addr)
      || (ip_address_parse (gateway, &gw) && memcmp (gw.addr, addr.addr, 16) == 0))
    return hk_error_set (err, EINVAL, "%s %s is not a free address of network %s (%s)", option, ip,
                         n->name, subnet_text);
  return 0;
}

/* The addresses ENTRY asks for on N. */
static int
check_ip (const struct network *n, const struct config_network *entry, struct hk_error **err)
{
  if (entry->ip && check_address (n, entry->ip, false, err) < 0)
    return -1;
  return entry->ip6 ? check_address (n, entry->ip6, true, err) : 0;
}

/* The plugins beyond bridge and host-local that N needs for an entry. */
static int
check_extra_plugins (const struct network *n, bool ports, bool mac, struct hk_error **err)
{
  if (!network_is_cni (n))
    return 0;
  struct cni_context c = network_cni_context (NULL);
  const char *extra[] = { ports && !n->internal ? "portmap" : NULL, mac ? "tuning" : NULL };
  for (size_t i = 0; i < 2; i++)
    {
      _cleanup_free_ char *path = NULL;
      if (extra[i] && cni_plugin_find (c.path, extra[i], &path, err) < 0)
        return -1;
    }
  return 0;
}

/* Rootless, CNI networks cannot be joined: their plugins would make
 * their bridges in the host's namespace. */
static int
check_rootless_driver (const struct engine *e, const struct network *n, struct hk_error **err)
{
  if (e->rootless && network_is_cni (n))
    return hk_error_set (err, ENOTSUP,
                         "network %s has the cni driver, which rootless hako cannot use (its "
                         "networks have the bridge driver)",
                         n->name);
  return 0;
}

/* Checks one network of C and names it by its network's real name; the
 * first takes --ip, --mac-address, --network-alias. */
static int
prepare_entry (struct engine *e, struct ctr_config *c, size_t index, bool ports,
               struct hk_error **err)
{
  struct config_network *entry = &c->networks[index];
  _cleanup_network_ struct network *n = NULL;
  if (network_get (e, entry->name, &n, err) < 0 || check_rootless_driver (e, n, err) < 0
      || network_check_plugins (n, err) < 0)
    return -1;
  free (entry->name);
  entry->name = xstrdup (n->name);
  if (index == 0)
    {
      entry->ip = take_ptr (c->ip);
      entry->ip6 = take_ptr (c->ip6);
      entry->mac = take_ptr (c->mac);
      entry->aliases = take_ptr (c->aliases);
    }
  if (check_ip (n, entry, err) < 0)
    return -1;
  if (entry->mac && !valid_mac (entry->mac))
    return hk_error_set (err, EINVAL, "--mac-address: `%s` is not a unicast MAC address",
                         entry->mac);
  for (size_t j = 0; j < index; j++)
    if (strcmp (c->networks[j].name, entry->name) == 0)
      return hk_error_set (err, EINVAL, "--network %s is given twice", entry->name);
  return check_extra_plugins (n, ports, entry->mac != NULL, err);
}

static int
prepare_special (struct engine *e, struct ctr_config *c, const char *mode, bool ports,
                 const struct image_config *image, struct hk_error **err)
{
  if (rootless_net_mode (mode))
    {
      /* its helper is a program of the host's, looked for now */
      if (!program_in_path (mode))
        return hk_error_set (err, ENOENT, "--network %s: `%s` is not in $PATH (Debian package %s)",
                             mode, mode, strcmp (mode, "pasta") == 0 ? "passt" : mode);
      if (c->ip || c->ip6 || c->mac || c->aliases)
        return hk_error_set (err, EINVAL,
                             "--ip, --ip6, --mac-address and --network-alias need a network, not "
                             "--network %s",
                             mode);
      if (c->publish_all && image != NULL)
        ctr_ports_publish_all (c, image->exposed_ports);
      return 0;
    }
  if (ports)
    hk_warn (e->log, "published ports are discarded with --network %s", mode);
  for (size_t i = 0; i < c->n_ports; i++)
    {
      free (c->ports[i].host_ip);
      free (c->ports[i].host_port);
      free (c->ports[i].container_port);
      free (c->ports[i].protocol);
    }
  free (take_ptr (c->ports));
  c->n_ports = 0;
  if (c->ip || c->ip6 || c->mac || c->aliases)
    return hk_error_set (err, EINVAL,
                         "--ip, --ip6, --mac-address and --network-alias need a network, not "
                         "--network %s",
                         mode);
  free (c->network_container);
  return ctr_join_resolve (e, "--network", mode, false, &c->network_container, err);
}

/* A port published on an IPv6 host address needs a dual-stack network
 * (the first that is not internal: where ports go), but for ::1: the
 * monitor relays it to the container's IPv4 address (ctr-port-relay.h). */
static int
check_ipv6_ports (struct engine *e, const struct ctr_config *c, struct hk_error **err)
{
  /* rootless, ports are relayed in user space (rootless-ports.h): any
   * host address, ::1 too, reaches the container's IPv4 address */
  if (e->rootless)
    return 0;
  for (size_t i = 0; i < c->n_ports; i++)
    {
      const struct config_port *p = &c->ports[i];
      struct in6_addr addr;
      if (inet_pton (AF_INET6, p->host_ip, &addr) != 1 || IN6_IS_ADDR_UNSPECIFIED (&addr))
        continue;
      if (IN6_IS_ADDR_LOOPBACK (&addr) && strcmp (p->protocol, "sctp") == 0)
        return hk_error_set (err, ENOTSUP,
                             "-p [%s]:%s:%s/sctp: the IPv6 loopback is relayed, for tcp and udp "
                             "only",
                             p->host_ip, p->host_port, p->container_port);
      if (IN6_IS_ADDR_LOOPBACK (&addr))
        continue;
      for (size_t j = 0; j < c->n_networks; j++)
        {
          _cleanup_network_ struct network *n = NULL;
          if (network_get (e, c->networks[j].name, &n, err) < 0)
            return -1;
          if (n->internal)
            continue;
          if (n->gateway6 == NULL || *n->gateway6 == '\0')
            return hk_error_set (err, EINVAL,
                                 "-p [%s]:%s:%s: network %s has no IPv6 (network create --ipv6)",
                                 p->host_ip, p->host_port, p->container_port, n->name);
          break;
        }
    }
  return 0;
}

int
ctr_network_prepare (struct engine *e, struct ctr_config *c,
                           const struct image_config *image, struct hk_error **err)
{
  bool ports = c->n_ports > 0 || c->publish_all;
  /* rootless: pasta is the default, as Podman's; networks are in the
   * rootless network namespace (rootless-netns.h) */
  if (e->rootless && c->network_mode == NULL && c->n_networks == 0)
    c->network_mode = xstrdup ("pasta");
  const char *mode = special_mode (c);
  if (mode != NULL)
    return prepare_special (e, c, mode, ports, image, err);
  if (c->n_networks == 0)
    ctr_config_add_network (c, NETWORK_DEFAULT_NAME);
  for (size_t i = 0; i < c->n_networks; i++)
    if (prepare_entry (e, c, i, ports, err) < 0)
      return -1;
  if (check_ipv6_ports (e, c, err) < 0)
    return -1;
  free (c->network_mode);
  c->network_mode = xstrdup (c->networks[0].name);
  if (c->publish_all && image != NULL)
    ctr_ports_publish_all (c, image->exposed_ports);
  return 0;
}

static char *
netns_path (const struct engine *e, const char *id)
{
  return xasprintf ("%s/netns/%s", e->runroot, id);
}

char *
ctr_network_netns_path (const struct engine *e, const struct ctr_record *r)
{
  return ctr_config_owns_netns (&r->config) ? netns_path (e, r->id) : NULL;
}

char **
ctr_network_dns_servers (struct engine *e, const struct ctr_config *c)
{
  if (special_mode (c) != NULL || c->n_networks == 0)
    return NULL;
  _cleanup_network_ struct network *n = NULL;
  struct hk_error *ignored = NULL;
  if (network_get (e, c->networks[0].name, &n, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  if (!network_native_has_dns (n))
    return NULL;
  char **servers = NULL;
  strv_append (&servers, n->gateway);
  if (n->gateway6 && *n->gateway6)
    strv_append (&servers, n->gateway6);
  return servers;
}

char *
ctr_network_etc_dir (struct engine *e, const struct ctr_config *c)
{
  return c->network_container ? engine_container_dir (e, c->network_container) : NULL;
}

/* ---- start and stop ---- */

static char *
cache_dir (const struct engine *e, const char *id)
{
  return xasprintf ("%s/containers/%s/cni", e->runroot, id);
}

/* The container's own lock: its network is changed by one process at a
 * time (CNI asks it), be it start, cleanup, rm or a refresh. */
static int
lock_container (struct engine *e, const char *id)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  int fd = open (run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (fd >= 0 && flock (fd, LOCK_EX) < 0 && errno == EINTR)
    ;
  return fd;
}

/* --network container:NAME: the namespace of NAME's process, which must
 * be running; asked of NAME's runtime, ours or an external one. */
static int
container_netns (struct engine *e, const char *target_id, char **out, struct hk_error **err)
{
  return ctr_join_ns_path (e, target_id, "net", true, out, err);
}

struct attach_request
{
  const char *netns;
  const char *ifname;
  const struct config_network *entry;
  const json_t *ports; /* resolved, or NULL */
};

static json_t *
capability_args (const struct attach_request *a)
{
  json_t *caps = json_object ();
  if (json_array_size (a->ports) > 0)
    json_object_set_new (caps, "portMappings", ctr_ports_portmap (a->ports));
  if (a->entry->ip)
    json_object_set_new (caps, "ips", json_pack ("[s]", a->entry->ip));
  if (a->entry->mac)
    json_object_set_new (caps, "mac", json_string (a->entry->mac));
  return caps;
}

/* What peers resolve to R: its name, its aliases, its short ID. */
static json_t *
endpoint_names (const struct ctr_record *r, const struct config_network *entry)
{
  _cleanup_free_ char *short_id = xstrndup (r->id, 12);
  json_t *names = json_pack ("[s]", r->name);
  for (char **alias = entry->aliases; alias && *alias; alias++)
    json_array_append_new (names, json_string (*alias));
  json_array_append_new (names, json_string (short_id));
  return names;
}

static int
record_endpoint (struct engine *e, const struct ctr_record *r, const struct attach_request *a,
                 const struct network *n, const struct cni_result *result, struct hk_error **err)
{
  const struct cni_ip *ip = cni_result_address (result, AF_INET);
  if (ip == NULL)
    return hk_error_set (err, EIO, "network %s: the CNI plugins gave container %s no IPv4 address",
                         n->name, r->name);
  const struct cni_interface *iface = cni_result_ip_interface (result, ip);
  _cleanup_json_ json_t *names = endpoint_names (r, a->entry);
  _cleanup_json_ json_t *ports = a->ports ? json_deep_copy (a->ports) : json_array ();
  struct network_endpoint ep = {
    .container_id = r->id,
    .network = n->name,
    .ifname = (char *)a->ifname,
    .address = ip->address,
    .gateway = ip->gateway,
    .mac = iface ? iface->mac : NULL,
    .names = names,
    .ports = ports,
  };
  return network_endpoint_put (e->db, &ep, err);
}

/* The native driver: the lease recorded (with the endpoint), then the
 * interfaces and rules made; on failure nothing of it stays. */
static int
attach_native (struct engine *e, const struct ctr_record *r, const struct attach_request *a,
               const struct network *n, struct hk_error **err)
{
  _cleanup_json_ json_t *names = endpoint_names (r, a->entry);
  _cleanup_free_ char *mac = a->entry->mac ? xstrdup (a->entry->mac) : network_native_random_mac ();
  struct network_endpoint ep = {
    .container_id = r->id,
    .network = n->name,
    .ifname = (char *)a->ifname,
    .mac = mac,
    .names = names,
    .ports = a->ports ? json_deep_copy (a->ports) : json_array (),
  };
  int rc = network_ipam_lease (e->db, n, &ep, a->entry->ip, a->entry->ip6, err);
  if (rc == 0 && (rc = network_native_attach (e, r, n, &ep, a->netns, err)) < 0)
    {
      struct hk_error *ignored = NULL;
      network_endpoint_delete (e->db, r->id, n->name, &ignored);
      hk_error_free (ignored);
    }
  free (ep.address);
  free (ep.gateway);
  free (ep.address6);
  free (ep.gateway6);
  json_decref (ep.ports);
  return rc;
}

/* One network: the native driver's attach, or CNI ADD; on failure
 * nothing of it stays. */
static int
attach (struct engine *e, const struct ctr_record *r, const struct attach_request *a,
        struct hk_error **err)
{
  _cleanup_network_ struct network *n = NULL;
  _cleanup_free_ char *state_dir = network_state_dir (e);
  _cleanup_free_ char *ipam_dir = xasprintf ("%s/ipam", state_dir);
  _cleanup_free_ char *cache = cache_dir (e, r->id);
  if (network_get (e, a->entry->name, &n, err) < 0)
    return -1;
  if (!network_is_cni (n))
    {
      if (attach_native (e, r, a, n, err) < 0)
        return -1;
      network_native_dns_start (e, n);
      return 0;
    }
  if (network_host_prepare (n, state_dir, err) < 0)
    return -1;
  struct conflist_needs needs = {
    .ports = json_array_size (a->ports) > 0,
    .mac = a->entry->mac != NULL,
    .static_ip = a->entry->ip != NULL,
  };
  _cleanup_json_ json_t *doc = network_conflist (n, ipam_dir, &needs);
  _cleanup_json_ json_t *caps = capability_args (a);
  _cleanup_cni_conflist_ struct cni_conflist *l = NULL;
  _cleanup_cni_result_ struct cni_result *result = NULL;
  struct cni_context c = network_cni_context (cache);
  struct cni_attachment att = {
    .container_id = r->id,
    .netns = a->netns,
    .ifname = a->ifname,
    .capability_args = caps,
  };
  if (cni_conflist_from_json (doc, &l, err) < 0 || cni_add (&c, l, &att, &result, err) < 0)
    return -1;
  if (record_endpoint (e, r, a, n, result, err) < 0)
    {
      struct hk_error *ignored = NULL;
      cni_del (&c, n->name, l, &att, &ignored);
      hk_error_free (ignored);
      return -1;
    }
  return 0;
}

/* The ports R publishes, resolved against the other containers'. */
static int
resolve_ports (struct engine *e, const struct ctr_record *r, json_t **out,
               struct hk_error **err)
{
  *out = NULL;
  if (r->config.n_ports == 0)
    return 0;
  struct network_endpoint **all = NULL;
  size_t n = 0;
  if (network_endpoint_list (e->db, NULL, NULL, &all, &n, err) < 0)
    return -1;
  int rc = ctr_ports_resolve (r->config.ports, r->config.n_ports, all, n, out, err);
  network_endpoint_list_free (all, n);
  return rc;
}

/* The index of the first network that is not internal (where ports are
 * published), or -1. */
static int
ports_network (struct engine *e, const struct ctr_config *c)
{
  for (size_t i = 0; i < c->n_networks; i++)
    {
      _cleanup_network_ struct network *n = NULL;
      struct hk_error *ignored = NULL;
      if (network_get (e, c->networks[i].name, &n, &ignored) == 0 && !n->internal)
        return (int)i;
      hk_error_free (ignored);
    }
  return -1;
}

static void down_locked (struct engine *e, const struct ctr_record *r);

/* Rootless: R's PORTS relayed from the host to its address on NETWORK,
 * in the rootless network namespace (rootless-ports.h). */
static int
relay_ports (struct engine *e, const struct ctr_record *r, const char *network, const json_t *ports,
             struct hk_error **err)
{
  struct network_endpoint **eps = NULL;
  size_t n = 0;
  if (network_endpoint_list (e->db, r->id, network, &eps, &n, err) < 0)
    return -1;
  int rc = n == 0
               ? hk_error_set (err, ENOENT, "network %s: no address to publish ports on", network)
               : rootless_ports_start (e, r, ports, eps[0]->address, err);
  network_endpoint_list_free (eps, n);
  return rc;
}

/* Every network of R, in order; the lock of memberships held when ports
 * are published (their check and their use must not interleave with
 * another container's). */
static int
attach_all (struct engine *e, const struct ctr_record *r, const char *netns,
            struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  _cleanup_json_ json_t *ports = NULL;
  _cleanup_close_ int lock = -1;
  bool publishes = c->n_ports > 0;
  if (publishes
      && ((lock = ctr_hosts_lock (e, err)) < 0 || resolve_ports (e, r, &ports, err) < 0))
    return -1;
  int with_ports = publishes ? ports_network (e, c) : -1;
  _cleanup_strv_ char **names = xzalloc (sizeof (char *));
  for (size_t i = 0; i < c->n_networks; i++)
    {
      char ifname[32];
      snprintf (ifname, sizeof ifname, "eth%zu", i);
      struct attach_request a = { .netns = netns,
                                  .ifname = ifname,
                                  .entry = &c->networks[i],
                                  .ports = (int)i == with_ports ? ports : NULL };
      if (attach (e, r, &a, err) < 0)
        return -1;
      strv_append (&names, c->networks[i].name);
    }
  if (e->rootless && with_ports >= 0
      && relay_ports (e, r, c->networks[with_ports].name, ports, err) < 0)
    return -1;
  if (lock < 0 && (lock = ctr_hosts_lock (e, err)) < 0)
    return -1;
  return ctr_hosts_refresh (e, names, r->id, err);
}

/* pasta or slirp4netns, with R's ports resolved (a host port taken is
 * an error that says so). */
static int
rootless_attach (struct engine *e, const struct ctr_record *r, const char *netns,
                 struct hk_error **err)
{
  _cleanup_json_ json_t *ports = NULL;
  if (resolve_ports (e, r, &ports, err) < 0)
    return -1;
  return rootless_net_up (e, r, netns, ports, err);
}

/* The namespace and every network, from nothing: what a crash may have
 * left is undone first, and what fails half-way is undone again. */
static int
up_locked (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_free_ char *netns = netns_path (e, r->id);
  down_locked (e, r);
  /* A container in a user namespace gets a network namespace it owns. */
  _cleanup_close_ int userns = -1;
  if (ctr_config_has_userns (&r->config) && (userns = ctr_userns_open (e, r, err)) < 0)
    return hk_error_prefix (err, "container %s", r->name);
  if (netns_create (netns, userns, err) < 0
      || (r->config.n_networks > 0 && attach_all (e, r, netns, err) < 0)
      || (rootless_net_mode (r->config.network_mode) && rootless_attach (e, r, netns, err) < 0))
    {
      down_locked (e, r);
      return hk_error_prefix (err, "container %s", r->name);
    }
  return 0;
}

int
ctr_network_up (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  if (!ctr_config_owns_netns (&r->config))
    return 0;
  _cleanup_close_ int lock __attribute__ ((unused)) = lock_container (e, r->id);
  return up_locked (e, r, err);
}

int
ctr_network_join_path (struct engine *e, const struct ctr_record *r, char **out,
                             struct hk_error **err)
{
  *out = NULL;
  if (r->config.network_container != NULL)
    return container_netns (e, r->config.network_container, out, err);
  *out = ctr_network_netns_path (e, r);
  return 0;
}

/* False when EP is the native driver's and the host end of its veth is
 * gone (deleted by hand: the container's end went with it). */
static bool
native_veth_there (struct engine *e, const struct network_endpoint *ep)
{
  _cleanup_network_ struct network *n = NULL;
  struct hk_error *ignored = NULL;
  if (network_record_get (e->db, ep->network, &n, &ignored) < 0)
    {
      hk_error_free (ignored);
      return false;
    }
  if (network_is_cni (n))
    return true;
  _cleanup_free_ char *host = network_native_host_ifname (ep->container_id, ep->ifname);
  if (e->rootless)
    return rootless_netns_has_link (e, host);
  return if_nametoindex (host) != 0;
}

/* True when every attachment of R is there: native ones by their
 * endpoints and veths, CNI's by CNI CHECK. */
static bool
attachments_fine (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *cache = cache_dir (e, r->id);
  _cleanup_free_ char *netns = netns_path (e, r->id);
  struct cni_context c = network_cni_context (cache);
  struct cni_cache_entry **entries = NULL;
  size_t n = 0;
  struct hk_error *err = NULL;
  struct network_endpoint **endpoints = NULL;
  size_t n_endpoints = 0;
  /* Native attachments are their endpoints (and the namespace); CNI's
   * are checked by their plugins. */
  bool fine = access (netns, F_OK) == 0
              && network_endpoint_list (e->db, r->id, NULL, &endpoints, &n_endpoints, &err) == 0
              && n_endpoints == r->config.n_networks
              && cni_cache_list (cache, r->id, &entries, &n, &err) == 0;
  for (size_t i = 0; fine && i < n_endpoints; i++)
    fine = native_veth_there (e, endpoints[i]);
  network_endpoint_list_free (endpoints, n_endpoints);
  for (size_t i = 0; fine && i < n; i++)
    {
      struct cni_attachment att
          = { .container_id = r->id, .netns = netns, .ifname = entries[i]->ifname };
      fine = cni_check (&c, entries[i]->network, &att, &err) == 0;
    }
  cni_cache_list_free (entries, n);
  if (!fine)
    hk_warn (e->log, "container %s: its network is made again: %s", r->name,
             err ? err->message : "an attachment is missing");
  hk_error_free (err);
  return fine;
}

int
ctr_network_recheck (struct engine *e, const struct ctr_record *r,
                           struct hk_error **err)
{
  if (r->config.n_networks == 0)
    return 0;
  _cleanup_close_ int lock __attribute__ ((unused)) = lock_container (e, r->id);
  if (attachments_fine (e, r))
    return 0;
  return up_locked (e, r, err);
}

/* eth0 < eth1 < … < eth10: by length, then by name. */
static int
by_ifname_desc (const void *a, const void *b)
{
  const struct cni_cache_entry *x = *(const struct cni_cache_entry *const *)a;
  const struct cni_cache_entry *y = *(const struct cni_cache_entry *const *)b;
  size_t lx = strlen (x->ifname), ly = strlen (y->ifname);
  if (lx != ly)
    return lx < ly ? 1 : -1;
  return -strcmp (x->ifname, y->ifname);
}

/* CNI DEL of one cached attachment; a failure is a warning (the rest is
 * undone all the same). */
static void
detach (struct engine *e, const struct ctr_record *r, const char *network, const char *ifname,
        const char *netns)
{
  _cleanup_free_ char *cache = cache_dir (e, r->id);
  struct cni_context c = network_cni_context (cache);
  struct cni_attachment att = { .container_id = r->id, .netns = netns, .ifname = ifname };
  struct hk_error *err = NULL;
  if (cni_del (&c, network, NULL, &att, &err) < 0)
    {
      hk_warn (e->log, "container %s: %s", r->name, err->message);
      hk_error_free (err);
    }
}

static void
warn (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  if (*err == NULL)
    return;
  hk_warn (e->log, "container %s: %s", r->name, (*err)->message);
  hk_error_freep (err);
}

/* True when EP publishes ports through the native driver's rules. */
static bool
native_ports (struct engine *e, const struct network_endpoint *ep)
{
  if (json_array_size (ep->ports) == 0)
    return false;
  _cleanup_network_ struct network *n = NULL;
  struct hk_error *ignored = NULL;
  bool native = network_record_get (e->db, ep->network, &n, &ignored) == 0 && !network_is_cni (n);
  hk_error_free (ignored);
  return native;
}

/* Forgets R's endpoints (the native driver's leases with them, and its
 * port rules first) and rewrites the hosts files of its peers. */
static void
forget_endpoints (struct engine *e, const struct ctr_record *r)
{
  struct network_endpoint **endpoints = NULL;
  size_t n = 0;
  struct hk_error *err = NULL;
  if (network_endpoint_list (e->db, r->id, NULL, &endpoints, &n, &err) == 0 && n > 0)
    {
      bool unpublish = false;
      for (size_t i = 0; i < n; i++)
        unpublish |= native_ports (e, endpoints[i]);
      if (unpublish)
        {
          /* Rules that stay would send a later holder of the address
           * the ports: said, and the lease goes all the same. */
          struct hk_error *e2 = NULL;
          network_native_detach (e, r->id, NULL, NULL, true, &e2);
          warn (e, r, &e2);
        }
      _cleanup_strv_ char **names = xzalloc (sizeof (char *));
      for (size_t i = 0; i < n; i++)
        strv_append (&names, endpoints[i]->network);
      _cleanup_close_ int lock = -1;
      if (network_endpoint_delete (e->db, r->id, NULL, &err) == 0
          && (lock = ctr_hosts_lock (e, &err)) >= 0)
        ctr_hosts_refresh (e, names, NULL, &err);
    }
  network_endpoint_list_free (endpoints, n);
  warn (e, r, &err);
}

static void
down_locked (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *cache = cache_dir (e, r->id);
  _cleanup_free_ char *netns = netns_path (e, r->id);
  struct cni_cache_entry **entries = NULL;
  size_t n_entries = 0;
  struct hk_error *err = NULL;
  cni_cache_list (cache, r->id, &entries, &n_entries, &err);
  warn (e, r, &err);
  if (n_entries > 1)
    qsort (entries, n_entries, sizeof *entries, by_ifname_desc);
  for (size_t i = 0; i < n_entries; i++)
    detach (e, r, entries[i]->network, entries[i]->ifname, netns);
  cni_cache_list_free (entries, n_entries);
  rootless_ports_stop (e, r);
  forget_endpoints (e, r);
  rootless_net_down (e, r);
  netns_remove (netns, &err);
  warn (e, r, &err);
}

void
ctr_network_down (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *cache = cache_dir (e, r->id);
  _cleanup_free_ char *netns = netns_path (e, r->id);
  /* Nothing to undo for most containers without networks: not even a
   * lock to take. */
  if (!ctr_config_owns_netns (&r->config) && access (cache, F_OK) < 0
      && access (netns, F_OK) < 0)
    return;
  _cleanup_close_ int lock __attribute__ ((unused)) = lock_container (e, r->id);
  down_locked (e, r);
}

/* ---- connect and disconnect ---- */

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

/* The index in R's networks of network NAME, or -1. */
static int
entry_index (const struct ctr_record *r, const char *name)
{
  for (size_t i = 0; i < r->config.n_networks; i++)
    if (strcmp (r->config.networks[i].name, name) == 0)
      return (int)i;
  return -1;
}

/* The first ethN that no attachment of R uses. */
static char *
free_ifname (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *cache = cache_dir (e, r->id);
  struct cni_cache_entry **entries = NULL;
  size_t n = 0;
  struct hk_error *ignored = NULL;
  cni_cache_list (cache, r->id, &entries, &n, &ignored);
  hk_error_freep (&ignored);
  struct network_endpoint **endpoints = NULL;
  size_t n_endpoints = 0;
  network_endpoint_list (e->db, r->id, NULL, &endpoints, &n_endpoints, &ignored);
  hk_error_free (ignored);
  char *name = NULL;
  for (unsigned i = 0; name == NULL; i++)
    {
      char candidate[32];
      snprintf (candidate, sizeof candidate, "eth%u", i);
      bool used = false;
      for (size_t j = 0; j < n; j++)
        used |= strcmp (entries[j]->ifname, candidate) == 0;
      for (size_t j = 0; j < n_endpoints; j++)
        used |= strcmp (endpoints[j]->ifname, candidate) == 0;
      if (!used)
        name = xstrdup (candidate);
    }
  cni_cache_list_free (entries, n);
  network_endpoint_list_free (endpoints, n_endpoints);
  return name;
}

static int
connect_running (struct engine *e, struct ctr_record *r, const struct config_network *entry,
                 struct hk_error **err)
{
  _cleanup_close_ int lock __attribute__ ((unused)) = lock_container (e, r->id);
  _cleanup_free_ char *netns = netns_path (e, r->id);
  _cleanup_free_ char *ifname = free_ifname (e, r);
  struct attach_request a = { .netns = netns, .ifname = ifname, .entry = entry };
  if (attach (e, r, &a, err) < 0)
    return -1;
  _cleanup_close_ int hosts_lock = ctr_hosts_lock (e, err);
  char *names[] = { entry->name, NULL };
  return hosts_lock < 0 ? -1 : ctr_hosts_refresh (e, names, r->id, err);
}

int
ctr_network_connect (struct engine *e, struct ctr_record *r, const char *network,
                           const struct config_network *endpoint, struct hk_error **err)
{
  const char *mode = special_mode (&r->config);
  if (mode != NULL)
    return hk_error_set (err, EINVAL, "container %s uses --network %s: it cannot join networks",
                         r->name, mode);
  _cleanup_network_ struct network *n = NULL;
  if (network_get (e, network, &n, err) < 0)
    return -1;
  if (entry_index (r, n->name) >= 0)
    return hk_error_set (err, EEXIST, "container %s is already connected to network %s", r->name,
                         n->name);
  if (check_rootless_driver (e, n, err) < 0 || check_ip (n, endpoint, err) < 0
      || network_check_plugins (n, err) < 0)
    return -1;
  struct config_network entry = {
    .name = n->name,
    .ip = endpoint->ip,
    .ip6 = endpoint->ip6,
    .aliases = endpoint->aliases && endpoint->aliases[0] ? endpoint->aliases : NULL,
  };
  if (is_running (r) && r->config.n_networks > 0 && connect_running (e, r, &entry, err) < 0)
    return -1;
  ctr_config_add_network (&r->config, n->name);
  struct config_network *added = &r->config.networks[r->config.n_networks - 1];
  added->ip = entry.ip ? xstrdup (entry.ip) : NULL;
  added->ip6 = entry.ip6 ? xstrdup (entry.ip6) : NULL;
  added->aliases = entry.aliases ? strv_copy (entry.aliases) : NULL;
  engine_event_object (e, "network", "connect", n->id, n->name, "container", r->id);
  return ctr_record_set_config (e->db, r, err);
}

/* The native driver's interface of R on N deleted, its port rules
 * removed when it has some. */
static int
detach_native (struct engine *e, const struct ctr_record *r, const struct network *n,
               const char *netns, struct hk_error **err)
{
  struct network_endpoint **eps = NULL;
  size_t count = 0;
  if (network_endpoint_list (e->db, r->id, n->name, &eps, &count, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < count && rc == 0; i++)
    rc = network_native_detach (e, r->id, netns, eps[i]->ifname,
                                json_array_size (eps[i]->ports) > 0, err);
  network_endpoint_list_free (eps, count);
  return rc;
}

int
ctr_network_disconnect (struct engine *e, struct ctr_record *r, const char *network,
                              struct hk_error **err)
{
  _cleanup_network_ struct network *n = NULL;
  if (network_get (e, network, &n, err) < 0)
    return -1;
  int index = entry_index (r, n->name);
  if (index < 0)
    return hk_error_set (err, ENOENT, "container %s is not connected to network %s", r->name,
                         n->name);
  if (is_running (r))
    {
      _cleanup_close_ int lock __attribute__ ((unused)) = lock_container (e, r->id);
      _cleanup_free_ char *cache = cache_dir (e, r->id);
      _cleanup_free_ char *netns = netns_path (e, r->id);
      struct cni_cache_entry **entries = NULL;
      size_t count = 0;
      if ((!network_is_cni (n) && detach_native (e, r, n, netns, err) < 0)
          || cni_cache_list (cache, r->id, &entries, &count, err) < 0)
        return -1;
      for (size_t i = 0; i < count; i++)
        if (strcmp (entries[i]->network, n->name) == 0)
          detach (e, r, n->name, entries[i]->ifname, netns);
      cni_cache_list_free (entries, count);
      _cleanup_close_ int hosts_lock = -1;
      char *names[] = { n->name, NULL };
      if (network_endpoint_delete (e->db, r->id, n->name, err) < 0
          || (hosts_lock = ctr_hosts_lock (e, err)) < 0
          || ctr_hosts_refresh (e, names, r->id, err) < 0)
        return -1;
    }
  ctr_config_remove_network (&r->config, (size_t)index);
  engine_event_object (e, "network", "disconnect", n->id, n->name, "container", r->id);
  return ctr_record_set_config (e->db, r, err);
}
