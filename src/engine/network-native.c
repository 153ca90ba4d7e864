/* SPDX-License-Identifier: Apache-2.0 */
#include "network-native.h"
#include "network.h"
#include "network-host.h"
#include "rootless-netns.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "network/ip-prefix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

extern char **environ;

bool
network_is_cni (const struct network *n)
{
  return strcmp (n->driver, NETWORK_DRIVER_CNI) == 0;
}

bool
network_native_legacy_host (void)
{
  _cleanup_free_ char *names = NULL;
  size_t len = 0;
  return fs_read_file (AT_FDCWD, "/proc/net/ip_tables_names", 4096, &names, &len, NULL) == 0
         && len > 0;
}

/* Runs `hako-net COMMAND` with REQ. */
static int
run (struct engine *e, const char *command, const json_t *req, struct hk_error **err)
{
  _cleanup_free_ char *text = json_dumps (req, JSON_COMPACT);
  char *const argv[] = { e->net_path, (char *)command, NULL };
  if (network_host_run (argv, text, NULL, err) < 0)
    return -1;
  return 0;
}

/* The lock of the rules and, rootless, the namespace of the bridges. */
static json_t *
base_request (struct engine *e)
{
  _cleanup_free_ char *state_dir = network_state_dir (e);
  struct hk_error *ignored = NULL;
  if (fs_mkdir_p (state_dir, 0700, &ignored) < 0)
    hk_error_free (ignored); /* hako-net says what fails with the lock */
  json_t *req = json_pack ("{s:s+}", "lock", state_dir, "/rules.lock");
  if (e->rootless)
    {
      _cleanup_free_ char *netns = rootless_netns_path (e);
      json_object_set_new (req, "bridge_netns", json_string (netns));
    }
  return req;
}

/* iptables-legacy rules are the host's business: a rootless hako's
 * bridges are in a namespace of its own, where nftables alone is. */
static bool
legacy_rules (const struct engine *e)
{
  return !e->rootless && network_native_legacy_host ();
}

/* {address, prefix, gateway} of "10.88.0.5/16" and GATEWAY. */
static json_t *
address_entry (const char *cidr, const char *gateway, struct hk_error **err)
{
  struct ip_prefix p;
  char buf[50];
  if (!ip_prefix_parse (cidr, &p))
    {
      hk_error_set (err, EINVAL, "`%s` is not ADDRESS/PREFIX", cidr);
      return NULL;
    }
  return json_pack ("{s:s, s:i, s:s}", "address", ip_address_format (&p, buf), "prefix", p.len,
                    "gateway", gateway ? gateway : "");
}

/* The bridge's addresses: the gateways, on an internal network too, where
 * they are only the DNS server's (the containers get no route through
 * them, and the rules let nothing else in: nft-rules.h). */
static json_t *
gateways (const struct network *n)
{
  json_t *list = json_array ();
  struct ip_prefix subnet;
  if (ip_prefix_parse (n->subnet, &subnet))
    json_array_append_new (list,
                           json_pack ("{s:s, s:i}", "address", n->gateway, "prefix", subnet.len));
  if (n->subnet6 && ip_prefix_parse (n->subnet6, &subnet))
    json_array_append_new (list,
                           json_pack ("{s:s, s:i}", "address", n->gateway6, "prefix", subnet.len));
  return list;
}

/* The endpoint's addresses for hako-net: the IPv4 one first, then the
 * IPv6 one of a dual-stack network. */
static json_t *
addresses (const struct network_endpoint *ep, struct hk_error **err)
{
  json_t *addr = address_entry (ep->address, ep->gateway, err);
  if (addr == NULL)
    return NULL;
  json_t *list = json_pack ("[o]", addr);
  if (ep->address6 && *ep->address6)
    {
      json_t *addr6 = address_entry (ep->address6, ep->gateway6, err);
      if (addr6 == NULL)
        {
          json_decref (list);
          return NULL;
        }
      json_array_append_new (list, addr6);
    }
  return list;
}

int
network_native_attach (struct engine *e, const struct ctr_record *r, const struct network *n,
                       const struct network_endpoint *ep, const char *netns, struct hk_error **err)
{
  if (e->rootless && rootless_netns_ensure (e, err) < 0)
    return hk_error_prefix (err, "network %s", n->name);
  if (legacy_rules (e))
    {
      _cleanup_free_ char *state_dir = network_state_dir (e);
      if (network_host_prepare (n, state_dir, err) < 0)
        return -1;
    }
  json_t *addrs = addresses (ep, err);
  if (addrs == NULL)
    return -1;
  _cleanup_free_ char *host_ifname = network_native_host_ifname (r->id, ep->ifname);
  _cleanup_json_ json_t *req = base_request (e);
  json_object_update_new (
      req,
      json_pack ("{s:s, s:s, s:s, s:s, s:s%, s:s, s:s, s:b, s:o, s:o, s:s, s:s%, s:O}", "netns",
                 netns, "ifname", ep->ifname, "host_ifname", host_ifname, "bridge", n->bridge,
                 "network_id", n->id, (size_t)12, "subnet", n->subnet, "subnet6",
                 n->subnet6 ? n->subnet6 : "", "internal", n->internal, "gateways", gateways (n),
                 "addresses", addrs, "mac", ep->mac ? ep->mac : "", "container_id", r->id,
                 (size_t)12, "ports", ep->ports));
  if (run (e, "attach", req, err) < 0)
    return hk_error_prefix (err, "network %s", n->name);
  return 0;
}

int
network_native_detach (struct engine *e, const char *container_id, const char *netns,
                       const char *ifname, bool unpublish, struct hk_error **err)
{
  _cleanup_json_ json_t *req = base_request (e);
  json_object_set_new (req, "container_id", json_stringn (container_id, 12));
  json_object_set_new (req, "unpublish", json_boolean (unpublish));
  if (netns && ifname)
    {
      json_object_set_new (req, "netns", json_string (netns));
      json_object_set_new (req, "ifname", json_string (ifname));
    }
  return run (e, "detach", req, err);
}

int
network_native_remove (struct engine *e, const struct network *n, struct hk_error **err)
{
  /* its DNS server's lock: the server has no container left to serve */
  _cleanup_free_ char *state_dir = network_state_dir (e);
  _cleanup_free_ char *dns_lock = xasprintf ("%s/dns-%.12s.lock", state_dir, n->id);
  if (unlink (dns_lock) < 0 && errno != ENOENT)
    hk_warn (e->log, "network %s: remove `%s`: %s", n->name, dns_lock, strerror (errno));
  /* rootless, without the namespace there is nothing of it to remove */
  if (e->rootless && !rootless_netns_exists (e))
    return 0;
  _cleanup_json_ json_t *req = base_request (e);
  json_object_set_new (req, "network_id", json_stringn (n->id, 12));
  json_object_set_new (req, "bridge", json_string (n->bridge));
  if (run (e, "remove", req, err) < 0)
    return hk_error_prefix (err, "remove network %s", n->name);
  return legacy_rules (e) ? network_host_remove (n, state_dir, err) : 0;
}

bool
network_native_has_dns (const struct network *n)
{
  return !network_is_cni (n) && strcmp (n->name, NETWORK_DEFAULT_NAME) != 0;
}

/* True when LOCK is held: N's server runs. */
static bool
dns_running (const char *lock)
{
  _cleanup_close_ int fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  return fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* What the server said on stderr (FD) until it listens or exits: its
 * reason when it could not listen, "" when it does; at most 2 s. */
static char *
dns_start_errors (int fd)
{
  char buf[512];
  size_t have = 0;
  struct pollfd p = { .fd = fd, .events = POLLIN };
  while (have < sizeof buf - 1 && poll (&p, 1, 2000) == 1)
    {
      ssize_t n = read (fd, buf + have, sizeof buf - 1 - have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      have += (size_t)n;
    }
  while (have > 0 && buf[have - 1] == '\n')
    have--;
  buf[have] = '\0';
  return xstrdup (buf);
}

/* Starts N's server unless it runs; a server that cannot listen (port 53
 * of the gateway taken) says why, as a warning of the container's start:
 * the container runs, without names. */
void
network_native_dns_start (struct engine *e, const struct network *n)
{
  _cleanup_free_ char *state_dir = network_state_dir (e);
  _cleanup_free_ char *lock = xasprintf ("%s/dns-%.12s.lock", state_dir, n->id);
  if (!network_native_has_dns (n) || dns_running (lock))
    return;
  _cleanup_free_ char *db = xasprintf ("%s/hako.db", e->root);
  char *gateway6 = n->gateway6 && *n->gateway6 ? n->gateway6 : NULL;
  _cleanup_free_ char *netns = e->rootless ? rootless_netns_path (e) : NULL;
  /* [--netns PATH] (a rootless hako's namespace, where its bridges are)
   * [--internal] (an internal network has no way out: nothing forwarded) */
  char *argv[10];
  size_t argc = 0;
  argv[argc++] = e->dns_path;
  if (netns)
    {
      argv[argc++] = "--netns";
      argv[argc++] = netns;
    }
  if (n->internal)
    argv[argc++] = "--internal";
  argv[argc++] = db;
  argv[argc++] = n->name;
  argv[argc++] = n->gateway;
  argv[argc++] = lock;
  argv[argc++] = gateway6;
  argv[argc] = NULL;
  int errors[2];
  if (pipe2 (errors, O_CLOEXEC) < 0)
    {
      hk_warn (e->log, "network %s: start its DNS server: pipe: %s", n->name, strerror (errno));
      return;
    }
  /* A server of its own session, its output nowhere but its errors until
   * it listens: nothing of the command that started it (a terminal, a
   * pipe someone waits on). */
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2 (&fa, 0, 1);
  posix_spawn_file_actions_adddup2 (&fa, errors[1], 2);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSID);
  pid_t pid;
  int rc = posix_spawn (&pid, e->dns_path, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&attr);
  close (errors[1]);
  _cleanup_close_ int reader = errors[0];
  if (rc != 0)
    {
      hk_warn (e->log, "network %s: start its DNS server %s: %s", n->name, e->dns_path,
               strerror (rc));
      return;
    }
  _cleanup_free_ char *said = dns_start_errors (reader);
  if (*said != '\0')
    hk_warn (e->log, "network %s: its DNS server did not start, containers get no names: %s",
             n->name, said);
}

char *
network_native_host_ifname (const char *id, const char *ifname)
{
  return xasprintf ("vh%.10s%s", id, ifname + strcspn (ifname, "0123456789"));
}

char *
network_native_random_mac (void)
{
  uint8_t b[6];
  if (getrandom (b, sizeof b, 0) != sizeof b)
    abort (); /* never with 6 bytes from a booted kernel */
  b[0] = (uint8_t)((b[0] & 0xfe) | 0x02);
  return xasprintf ("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}
