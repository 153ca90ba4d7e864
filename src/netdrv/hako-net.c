/* SPDX-License-Identifier: Apache-2.0 */
/* hako-net: the native bridge driver's host side, run by hako with a
 * request (a JSON object) on stdin; exits 0, or 1 with the reason on
 * stderr.  Addresses are not its business: hako leases them in its
 * database first (network-ipam.h) and names them here.
 *
 *   attach   the network's bridge and rules when missing, a veth pair
 *            whose peer is made in the container's namespace as IFNAME
 *            with its address, MAC and default route; the container's
 *            published ports.  What it made is undone when it fails.
 *   detach   IFNAME deleted in the container's namespace (NETNS, when
 *            given) and the container's port rules removed
 *   remove   a network's rules and bridge
 *
 * With "bridge_netns" (a path) in the request, all of it is done in that
 * network namespace instead of ours: a rootless hako's. *
 * A program of its own, dynamically linked, because Debian ships libmnl
 * and libnftables as shared libraries only and `hako` is a static
 * program; Podman's netavark is also a program of its own.  The
 * teardown of a container without published ports does not need it: the
 * kernel deletes the veth with the namespace. */
#include "nft-rules.h"
#include "rtnl.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQUEST_MAX (1 << 20)

static const char *
field (const json_t *req, const char *key)
{
  const char *v = json_string_value (json_object_get (req, key));
  return v && *v ? v : NULL;
}

static void
nft_ctx_freep (struct nft_ctx **ctx)
{
  if (*ctx)
    nft_ctx_free (*ctx);
}
#define _cleanup_nft_ __attribute__ ((cleanup (nft_ctx_freep)))

/* The lock of the rules of every network (REQ's "lock"), held. */
static int
lock_rules (const json_t *req, struct hk_error **err)
{
  const char *path = field (req, "lock");
  if (path == NULL)
    return hk_error_set (err, EINVAL, "the request names no lock");
  return fs_lock_file (path, err);
}

/* Sysctl PATH set to VALUE (one digit) unless it is already. */
static int
write_sysctl_value (const char *path, char value, struct hk_error **err)
{
  _cleanup_close_ int fd = open (path, O_RDWR | O_CLOEXEC);
  char now = 0;
  if (fd < 0 || pread (fd, &now, 1, 0) < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  if (now != value && pwrite (fd, &value, 1, 0) < 0)
    return hk_error_errno (err, errno, "write `%s`", path);
  return 0;
}

static int
write_sysctl (const char *path, struct hk_error **err)
{
  return write_sysctl_value (path, '1', err);
}

/* No duplicate address detection on interface IFNAME of the current
 * namespace: its IPv6 addresses are usable at once, not "tentative" for
 * a second or two.  The addresses come from hako's leases, unique by
 * the store's index. */
static int
no_dad (const char *ifname, struct hk_error **err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/sys/net/ipv6/conf/%s/accept_dad", ifname);
  return write_sysctl_value (path, '0', err);
}

/* True when REQ's list KEY has an IPv6 address. */
static bool
has_ipv6 (const json_t *req, const char *key)
{
  size_t i;
  json_t *a;
  json_array_foreach (json_object_get (req, key), i, a)
  {
    const char *text = json_string_value (json_object_get (a, "address"));
    if (text && strchr (text, ':'))
      return true;
  }
  return false;
}

static int
parse_address (const char *text, int *family, unsigned char addr[16])
{
  *family = strchr (text, ':') ? AF_INET6 : AF_INET;
  return inet_pton (*family, text, addr) == 1 ? 0 : -1;
}

/* The bridge up with the gateway's addresses (on an internal network
 * only its DNS server's), forwarding on (not for an internal network),
 * 127.0.0.1 routable to it; the rules. */
static int
network_ensure (struct rtnl *r, const json_t *req, struct hk_error **err)
{
  const char *bridge = field (req, "bridge");
  unsigned mtu = (unsigned)json_integer_value (json_object_get (req, "mtu"));
  bool internal = json_is_true (json_object_get (req, "internal"));
  if (bridge == NULL || rtnl_bridge_ensure (r, bridge, mtu, err) < 0)
    return bridge ? -1 : hk_error_set (err, EINVAL, "the request names no bridge");
  unsigned index = rtnl_link_index (bridge);
  if (has_ipv6 (req, "gateways") && no_dad (bridge, err) < 0)
    return -1;
  json_t *gateways = json_object_get (req, "gateways");
  size_t i;
  json_t *gw;
  json_array_foreach (gateways, i, gw)
  {
    unsigned char addr[16];
    int family;
    const char *text = json_string_value (json_object_get (gw, "address"));
    if (text == NULL || parse_address (text, &family, addr) < 0)
      return hk_error_set (err, EINVAL, "bad gateway address in the request");
    unsigned prefix = (unsigned)json_integer_value (json_object_get (gw, "prefix"));
    if (rtnl_addr_add (r, index, family, addr, prefix, err) < 0)
      return hk_error_prefix (err, "bridge %s", bridge);
  }
  _cleanup_free_ char *localnet = xasprintf ("/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
  if (write_sysctl (localnet, err) < 0
      || (!internal && write_sysctl ("/proc/sys/net/ipv4/ip_forward", err) < 0))
    return -1;
  /* IPv6 forwarding is per interface and "all" sets every one (as
   * Docker and netavark do); like ip_forward it stays on. */
  if (!internal && field (req, "subnet6")
      && write_sysctl ("/proc/sys/net/ipv6/conf/all/forwarding", err) < 0)
    return -1;
  _cleanup_nft_ struct nft_ctx *ctx = NULL;
  struct nft_network n = {
    .id12 = field (req, "network_id"),
    .bridge = bridge,
    .subnet = field (req, "subnet"),
    .subnet6 = field (req, "subnet6"),
    .internal = internal,
  };
  json_array_foreach (gateways, i, gw)
  {
    const char *text = json_string_value (json_object_get (gw, "address"));
    *(strchr (text, ':') ? &n.gateway6 : &n.gateway) = text;
  }
  if (n.id12 == NULL || n.subnet == NULL)
    return hk_error_set (err, EINVAL, "the request names no network or subnet");
  _cleanup_close_ int lock = -1;
  if (nft_rules_open (&ctx, err) < 0 || (lock = lock_rules (req, err)) < 0)
    return -1;
  return nft_rules_network_ensure (ctx, &n, err);
}

static int
enter_netns (const char *path, struct hk_error **err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  if (setns (fd, CLONE_NEWNET) < 0)
    return hk_error_errno (err, errno, "enter the network namespace `%s`", path);
  return 0;
}

/* Inside the container's namespace: IFNAME's addresses and routes. */
static int
configure_peer (const json_t *req, const char *ifname, struct hk_error **err)
{
  _cleanup_rtnl_ struct rtnl *r = NULL;
  if (enter_netns (field (req, "netns"), err) < 0 || rtnl_open (&r, err) < 0)
    return -1;
  unsigned index = rtnl_link_index (ifname);
  if (index == 0)
    return hk_error_set (err, ENODEV, "interface %s is not in the container", ifname);
  if ((has_ipv6 (req, "addresses") && no_dad (ifname, err) < 0) || rtnl_link_up (r, index, err) < 0)
    return -1;
  json_t *addresses = json_object_get (req, "addresses");
  size_t i;
  json_t *a;
  json_array_foreach (addresses, i, a)
  {
    unsigned char addr[16], gw[16];
    int family, gw_family;
    const char *text = json_string_value (json_object_get (a, "address"));
    const char *gateway = json_string_value (json_object_get (a, "gateway"));
    unsigned prefix = (unsigned)json_integer_value (json_object_get (a, "prefix"));
    if (text == NULL || parse_address (text, &family, addr) < 0)
      return hk_error_set (err, EINVAL, "bad address in the request");
    if (rtnl_addr_add (r, index, family, addr, prefix, err) < 0)
      return -1;
    if (gateway && *gateway
        && (parse_address (gateway, &gw_family, gw) < 0
            || rtnl_route_default (r, index, gw_family, gw, err) < 0))
      return err && *err ? -1 : hk_error_set (err, EINVAL, "bad gateway in the request");
  }
  return 0;
}

static int
parse_mac (const char *text, uint8_t mac[6])
{
  unsigned v[6];
  if (sscanf (text, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
    return -1;
  for (int i = 0; i < 6; i++)
    mac[i] = (uint8_t)v[i];
  return 0;
}

static int
make_veth (struct rtnl *r, const json_t *req, struct hk_error **err)
{
  const char *netns = field (req, "netns"), *mac_text = field (req, "mac");
  uint8_t mac[6];
  if (netns == NULL || field (req, "host_ifname") == NULL || field (req, "ifname") == NULL)
    return hk_error_set (err, EINVAL, "the request needs netns, ifname and host_ifname");
  if (mac_text && parse_mac (mac_text, mac) < 0)
    return hk_error_set (err, EINVAL, "bad MAC address `%s`", mac_text);
  _cleanup_close_ int ns = open (netns, O_RDONLY | O_CLOEXEC);
  if (ns < 0)
    return hk_error_errno (err, errno, "open `%s`", netns);
  struct veth_request v = {
    .host_name = field (req, "host_ifname"),
    .master = rtnl_link_index (field (req, "bridge")),
    .peer_name = field (req, "ifname"),
    .peer_netns_fd = ns,
    .peer_mac = mac_text ? mac : NULL,
    .mtu = (unsigned)json_integer_value (json_object_get (req, "mtu")),
  };
  struct hk_error *first = NULL;
  if (rtnl_veth_create (r, &v, &first) == 0)
    return 0;
  /* The veth of an earlier attempt whose namespace the kernel is still
   * dismantling: it goes, and we try once more. */
  if (first->errnum != EEXIST || rtnl_link_delete (r, v.host_name, err) < 0)
    {
      if (err && *err == NULL)
        *err = first;
      else
        hk_error_free (first);
      return -1;
    }
  hk_error_free (first);
  return rtnl_veth_create (r, &v, err);
}

/* The host end in hairpin mode, as the CNI bridge plugin's hairpinMode. */
static int
hairpin (struct rtnl *r, const json_t *req, struct hk_error **err)
{
  unsigned index = rtnl_link_index (field (req, "host_ifname"));
  if (index == 0)
    return hk_error_set (err, ENODEV, "veth %s vanished", field (req, "host_ifname"));
  return rtnl_bridge_port_hairpin (r, index, err);
}

static int
publish (const json_t *req, struct hk_error **err)
{
  json_t *ports = json_object_get (req, "ports");
  if (json_array_size (ports) == 0)
    return 0;
  _cleanup_nft_ struct nft_ctx *ctx = NULL;
  const char *id = field (req, "container_id");
  json_t *first = json_array_get (json_object_get (req, "addresses"), 0);
  const char *addr = json_string_value (json_object_get (first, "address"));
  json_t *second = json_array_get (json_object_get (req, "addresses"), 1);
  const char *addr6 = json_string_value (json_object_get (second, "address"));
  if (id == NULL || addr == NULL)
    return hk_error_set (err, EINVAL, "the request has ports but no container or address");
  if (nft_rules_open (&ctx, err) < 0)
    return -1;
  return nft_rules_ports_add (ctx, id, ports, addr, addr6, err);
}

static int
unpublish (const json_t *req, struct hk_error **err)
{
  const char *id = field (req, "container_id");
  _cleanup_nft_ struct nft_ctx *ctx = NULL;
  if (id == NULL || nft_rules_open (&ctx, err) < 0)
    return id ? -1 : hk_error_set (err, EINVAL, "the request names no container");
  return nft_rules_ports_remove (ctx, id, err);
}

static int
attach (const json_t *req, struct hk_error **err)
{
  _cleanup_rtnl_ struct rtnl *r = NULL;
  if (rtnl_open (&r, err) < 0 || network_ensure (r, req, err) < 0 || make_veth (r, req, err) < 0)
    return -1;
  if (hairpin (r, req, err) == 0 && publish (req, err) == 0
      && configure_peer (req, field (req, "ifname"), err) == 0)
    return 0;
  /* Undone: the veth (from our namespace, through the socket opened
   * there) and the port rules. */
  struct hk_error *ignored = NULL;
  rtnl_link_delete (r, field (req, "host_ifname"), &ignored);
  hk_error_freep (&ignored);
  if (json_array_size (json_object_get (req, "ports")) > 0)
    unpublish (req, &ignored);
  hk_error_free (ignored);
  return -1;
}

static int
detach (const json_t *req, struct hk_error **err)
{
  if (json_is_true (json_object_get (req, "unpublish")) && unpublish (req, err) < 0)
    return -1;
  const char *netns = field (req, "netns"), *ifname = field (req, "ifname");
  if (netns == NULL || ifname == NULL)
    return 0;
  _cleanup_rtnl_ struct rtnl *r = NULL;
  if (enter_netns (netns, err) < 0 || rtnl_open (&r, err) < 0)
    return -1;
  return rtnl_link_delete (r, ifname, err);
}

static int
remove_network (const json_t *req, struct hk_error **err)
{
  const char *id = field (req, "network_id"), *bridge = field (req, "bridge");
  if (id == NULL || bridge == NULL)
    return hk_error_set (err, EINVAL, "the request names no network or bridge");
  _cleanup_nft_ struct nft_ctx *ctx = NULL;
  _cleanup_rtnl_ struct rtnl *r = NULL;
  _cleanup_close_ int lock = lock_rules (req, err);
  if (lock < 0 || nft_rules_open (&ctx, err) < 0 || nft_rules_network_remove (ctx, id, err) < 0
      || rtnl_open (&r, err) < 0)
    return -1;
  return rtnl_link_delete (r, bridge, err);
}

int
main (int argc, char **argv)
{
  struct hk_error *err = NULL;
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (argc != 2)
    {
      fprintf (stderr, "usage: hako-net attach|detach|remove < REQUEST\n");
      return 2;
    }
  if (fs_read_fd (0, REQUEST_MAX, &text, &len, &err) < 0)
    {
      fprintf (stderr, "hako-net: read the request: %s\n", err->message);
      return 1;
    }
  json_error_t jerr;
  _cleanup_json_ json_t *req = json_loads (text, 0, &jerr);
  if (!json_is_object (req))
    {
      fprintf (stderr, "hako-net: the request is not a JSON object: %s\n", jerr.text);
      return 1;
    }
  /* A rootless hako's bridges live in its rootless network namespace
   * (src/engine/rootless-netns.h): everything is done from there. */
  const char *bridge_netns = field (req, "bridge_netns");
  if (bridge_netns && enter_netns (bridge_netns, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->message);
      hk_error_free (err);
      return 1;
    }
  int rc;
  if (strcmp (argv[1], "attach") == 0)
    rc = attach (req, &err);
  else if (strcmp (argv[1], "detach") == 0)
    rc = detach (req, &err);
  else if (strcmp (argv[1], "remove") == 0)
    rc = remove_network (req, &err);
  else
    {
      fprintf (stderr, "hako-net: unknown command `%s`\n", argv[1]);
      return 2;
    }
  if (rc < 0)
    {
      fprintf (stderr, "%s\n", err ? err->message : "failed");
      hk_error_free (err);
      return 1;
    }
  return 0;
}
