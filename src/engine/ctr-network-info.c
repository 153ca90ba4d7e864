/* SPDX-License-Identifier: Apache-2.0 */
/* What the network of a container looks like from outside: inspect's
 * NetworkSettings, the published ports (ps, port), network I/O (stats). */
#include "ctr-network.h"
#include "netns.h"
#include "network.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "runtime-backend.h"

#include <stdlib.h>
#include <string.h>

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

/* R's endpoints while it runs; none when it does not. */
static void
endpoints_of (struct engine *e, const struct ctr_record *r, struct network_endpoint ***out,
              size_t *n)
{
  *out = NULL;
  *n = 0;
  struct hk_error *ignored = NULL;
  if (is_running (r) && network_endpoint_list (e->db, r->id, NULL, out, n, &ignored) < 0)
    hk_error_free (ignored);
}

static const struct network_endpoint *
endpoint_on (struct network_endpoint **eps, size_t n, const char *network)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (eps[i]->network, network) == 0)
      return eps[i];
  return NULL;
}

/* "10.88.0.5/16" into "10.88.0.5" and 16. */
static char *
split_address (const char *cidr, int *prefix)
{
  const char *slash = strchr (cidr, '/');
  *prefix = slash ? atoi (slash + 1) : 0;
  return slash ? xstrndup (cidr, (size_t)(slash - cidr)) : xstrdup (cidr);
}

static json_t *
network_entry (struct engine *e, const struct config_network *entry,
               const struct network_endpoint *ep)
{
  _cleanup_network_ struct network *n = NULL;
  struct hk_error *ignored = NULL;
  if (network_record_get (e->db, entry->name, &n, &ignored) < 0)
    hk_error_free (ignored);
  int prefix = 0, prefix6 = 0;
  _cleanup_free_ char *ip = ep ? split_address (ep->address, &prefix) : xstrdup ("");
  _cleanup_free_ char *ip6 = ep ? split_address (ep->address6, &prefix6) : xstrdup ("");
  json_t *aliases = entry->aliases ? json_from_strv (entry->aliases) : json_null ();
  json_t *ipam = entry->ip ? json_pack ("{s:s}", "IPv4Address", entry->ip) : json_null ();
  return json_pack ("{s:o, s:o, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:O}", "IPAMConfig",
                    ipam, "Aliases", aliases, "NetworkID", n ? n->id : "", "EndpointID",
                    ep ? ep->container_id : "", "Gateway", ep ? ep->gateway : "", "IPAddress", ip,
                    "IPPrefixLen", prefix, "IPv6Gateway", ep ? ep->gateway6 : "",
                    "GlobalIPv6Address", ip6, "GlobalIPv6PrefixLen", prefix6, "MacAddress",
                    ep ? ep->mac : "", "DNSNames", ep ? ep->names : json_null ());
}

/* Docker's "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}. */
static json_t *
ports_map (const json_t *ports)
{
  json_t *map = json_object ();
  size_t i;
  json_t *p;
  json_array_foreach (ports, i, p)
  {
    const char *proto = json_string_value (json_object_get (p, "Protocol"));
    const char *ip = json_string_value (json_object_get (p, "HostIp"));
    _cleanup_free_ char *key = xasprintf (
        "%lld/%s", (long long)json_integer_value (json_object_get (p, "ContainerPort")), proto);
    _cleanup_free_ char *host_port
        = xasprintf ("%lld", (long long)json_integer_value (json_object_get (p, "HostPort")));
    json_t *list = json_object_get (map, key);
    if (list == NULL)
      json_object_set_new (map, key, list = json_array ());
    json_array_append_new (list, json_pack ("{s:s, s:s}", "HostIp", ip && *ip ? ip : "0.0.0.0",
                                            "HostPort", host_port));
  }
  return map;
}

json_t *
ctr_network_ports (struct engine *e, const struct ctr_record *r)
{
  struct network_endpoint **eps;
  size_t n;
  endpoints_of (e, r, &eps, &n);
  json_t *all = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_extend (all, eps[i]->ports);
  network_endpoint_list_free (eps, n);
  return all;
}

json_t *
ctr_network_settings (struct engine *e, const struct ctr_record *r)
{
  struct network_endpoint **eps;
  size_t n;
  endpoints_of (e, r, &eps, &n);
  json_t *networks = json_object ();
  for (size_t i = 0; i < r->config.n_networks; i++)
    {
      const struct config_network *entry = &r->config.networks[i];
      json_object_set_new (networks, entry->name,
                           network_entry (e, entry, endpoint_on (eps, n, entry->name)));
    }
  const char *mode = r->config.network_mode;
  if (json_object_size (networks) == 0 && mode && strncmp (mode, "container:", 10) != 0)
    json_object_set_new (networks, mode, json_pack ("{s:s, s:s}", "IPAddress", "", "Gateway", ""));
  _cleanup_json_ json_t *ports = ctr_network_ports (e, r);
  const struct network_endpoint *first = n > 0 ? eps[0] : NULL;
  int prefix = 0;
  _cleanup_free_ char *ip = first ? split_address (first->address, &prefix) : xstrdup ("");
  char *sandbox = n > 0 ? xasprintf ("%s/netns/%s", e->runroot, r->id) : xstrdup ("");
  json_t *settings
      = json_pack ("{s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:s, s:o}", "Bridge", "", "SandboxID",
                   n > 0 ? r->id : "", "SandboxKey", sandbox, "Ports", ports_map (ports), "Gateway",
                   first ? first->gateway : "", "IPAddress", ip, "IPPrefixLen", prefix,
                   "MacAddress", first ? first->mac : "", "Networks", networks);
  free (sandbox);
  network_endpoint_list_free (eps, n);
  return settings;
}

int
ctr_network_io (struct engine *e, const struct ctr_record *r, uint64_t *rx,
                      uint64_t *tx, struct hk_error **err)
{
  *rx = *tx = 0;
  const char *mode = r->config.network_mode;
  if (!is_running (r) || (mode && strcmp (mode, "host") == 0))
    return 0; /* the host's traffic is not the container's */
  struct runtime_backend b;
  engine_backend (e, r, &b);
  _cleanup_json_ json_t *state = NULL;
  if (backend_state (&b, r->id, &state, err) < 0)
    return -1;
  json_int_t pid = json_integer_value (json_object_get (state, "pid"));
  if (pid <= 0)
    return 0; /* stopped since it was last seen */
  return netns_io_bytes ((int)pid, rx, tx, err);
}
