/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-port-relay.h"
#include "ctr-ports.h"
#include "network-record.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* True when a port published on HOST_IP is reached at [::1] too: all the
 * host's addresses ("" or "::"), as Docker's proxy serves them. */
static bool
wildcard (const char *host_ip)
{
  return *host_ip == '\0' || strcmp (host_ip, "::") == 0;
}

/* The relays of endpoint EP's ports appended to OUT. */
static void
endpoint_relays (const struct network_endpoint *ep, char ***out)
{
  size_t i;
  json_t *p;
  _cleanup_free_ char *address = xstrndup (ep->address, strcspn (ep->address, "/"));
  json_array_foreach (ep->ports, i, p)
  {
    const char *host_ip = json_string_value (json_object_get (p, "HostIp"));
    const char *proto = json_string_value (json_object_get (p, "Protocol"));
    if (host_ip == NULL || proto == NULL || strcmp (proto, "sctp") == 0)
      continue;
    const char *optional = wildcard (host_ip) ? "?" : "";
    if (*optional || ctr_ports_relayed (host_ip))
      strv_append_take (out,
                        xasprintf ("%s%s/%lld/%s/%lld", optional, proto,
                                   json_integer_value (json_object_get (p, "HostPort")), address,
                                   json_integer_value (json_object_get (p, "ContainerPort"))));
  }
}

int
ctr_port_relays (struct engine *e, const struct ctr_record *r, char ***out, struct hk_error **err)
{
  *out = NULL;
  /* Rootless, the container's address is in the rootless namespace, out
   * of the monitor's reach: hako-ports relays every port there, [::1] too
   * (rootless-ports.h). */
  if (r->config.n_ports == 0 || e->rootless)
    return 0;
  struct network_endpoint **all = NULL;
  size_t n = 0;
  if (network_endpoint_list (e->db, r->id, NULL, &all, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (all[i]->ports != NULL && all[i]->address != NULL && *all[i]->address)
      endpoint_relays (all[i], out);
  network_endpoint_list_free (all, n);
  return 0;
}

/* RELAY ("tcp/8080/10.88.0.5/80") bound on [::1]:8080; an optional one
 * ("?tcp/...") that cannot be has *OUT's fd -1 and a warning on LOG. */
static int
bind_one (const struct hk_log *log, const char *relay, struct port_relay_socket *out,
          struct hk_error **err)
{
  bool optional = *relay == '?';
  relay += optional;
  char proto[4], target[32];
  int port, end = 0;
  if (sscanf (relay, "%3[a-z]/%d/%31s%n", proto, &port, target, &end) != 3 || relay[end] != '\0'
      || port < 1 || port > 65535)
    return hk_error_set (err, EINVAL, "bad port relay `%s`", relay);
  bool udp = strcmp (proto, "udp") == 0;
  struct sockaddr_in6 addr = { .sin6_family = AF_INET6,
                               .sin6_port = htons ((uint16_t)port),
                               .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int one = 1;
  _cleanup_close_ int fd = socket (AF_INET6, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0 || setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0
      || (!udp && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
      || bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0 || (!udp && listen (fd, 128) < 0))
    {
      if (optional)
        {
          hk_warn (log, "port %d/%s is published on all addresses but [::1]:%d: %s", port, proto,
                   port, strerror (errno));
          out->fd = -1;
          return 0;
        }
      if (errno == EADDRINUSE)
        return hk_error_set (err, EADDRINUSE, "port %d/%s is already in use on the host at ::1",
                             port, proto);
      return hk_error_errno (err, errno, "-p [::1]:%d/%s", port, proto);
    }
  const char *rest = strchr (relay + strlen (proto) + 1, '/');
  out->arg = xasprintf ("%s/%d%s", proto, fd, rest);
  out->fd = take_fd (&fd);
  return 0;
}

int
ctr_port_relay_bind (const struct hk_log *log, char *const *relays, struct port_relay_socket **out,
                     size_t *n, struct hk_error **err)
{
  *out = NULL;
  *n = 0;
  size_t count = 0;
  while (relays && relays[count])
    count++;
  if (count == 0)
    return 0;
  struct port_relay_socket *sockets = xzalloc (count * sizeof *sockets);
  size_t bound = 0;
  for (size_t i = 0; i < count; i++)
    {
      if (bind_one (log, relays[i], &sockets[bound], err) < 0)
        {
          ctr_port_relay_close (sockets, bound);
          return -1;
        }
      bound += sockets[bound].fd >= 0;
    }
  *out = sockets;
  *n = bound;
  return 0;
}

void
ctr_port_relay_close (struct port_relay_socket *sockets, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      close (sockets[i].fd);
      free (sockets[i].arg);
    }
  free (sockets);
}
