/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-ports.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "network/ip-prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *
str (const json_t *o, const char *key)
{
  const char *v = json_string_value (json_object_get (o, key));
  return v ? v : "";
}

/* "80" or "80-82" into [*LO, *HI]. */
static bool
parse_range (const char *text, long *lo, long *hi)
{
  char *end;
  *lo = strtol (text, &end, 10);
  *hi = *lo;
  if (*end == '-')
    *hi = strtol (end + 1, &end, 10);
  return end != text && *end == '\0' && *lo >= 1 && *hi <= 65535 && *lo <= *hi;
}

void
ctr_ports_publish_all (struct ctr_config *c, char *const *exposed)
{
  for (size_t i = 0; exposed && exposed[i]; i++)
    {
      const char *slash = strchr (exposed[i], '/');
      _cleanup_free_ char *port
          = slash ? xstrndup (exposed[i], (size_t)(slash - exposed[i])) : xstrdup (exposed[i]);
      const char *proto = slash ? slash + 1 : "tcp";
      bool given = false;
      for (size_t j = 0; j < c->n_ports; j++)
        given |= strcmp (c->ports[j].container_port, port) == 0
                 && strcmp (c->ports[j].protocol, proto) == 0;
      if (given)
        continue;
      c->ports = xreallocarray (c->ports, c->n_ports + 1, sizeof *c->ports);
      c->ports[c->n_ports++] = (struct config_port){ .host_ip = xstrdup (""),
                                                     .host_port = xstrdup (""),
                                                     .container_port = take_ptr (port),
                                                     .protocol = xstrdup (proto) };
    }
}

static int
socket_type (const char *proto)
{
  return strcmp (proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
}

/* Binds a socket of PROTO to IP:PORT (PORT 0: the kernel picks); the
 * port bound in *BOUND.  The socket is closed: this only asks whether the
 * port is free. */
static int
try_bind (const char *ip, const char *proto, int port, int *bound, struct hk_error **err)
{
  struct ip_prefix addr;
  if (*ip == '\0')
    ip_address_parse ("0.0.0.0", &addr);
  else if (!ip_address_parse (ip, &addr))
    return hk_error_set (err, EINVAL, "-p: `%s` is not an address", ip);
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  if (addr.family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
      sin->sin_family = AF_INET;
      sin->sin_port = htons ((uint16_t)port);
      memcpy (&sin->sin_addr, addr.addr, 4);
      len = sizeof *sin;
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons ((uint16_t)port);
      memcpy (&sin6->sin6_addr, addr.addr, 16);
      len = sizeof *sin6;
    }
  _cleanup_close_ int fd = socket (addr.family, socket_type (proto) | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
    return hk_error_errno (err, errno, "-p: socket");
  if (bind (fd, (struct sockaddr *)&ss, len) < 0)
    {
      if (errno == EADDRINUSE)
        return hk_error_set (err, EADDRINUSE, "port %d/%s is already in use on the host%s%s", port,
                             proto, *ip ? " at " : "", ip);
      return hk_error_errno (err, errno, "-p %s%s%d/%s", ip, *ip ? ":" : "", port, proto);
    }
  if (getsockname (fd, (struct sockaddr *)&ss, &len) < 0)
    return hk_error_errno (err, errno, "-p: getsockname");
  *bound = ntohs (addr.family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                         : ((struct sockaddr_in6 *)&ss)->sin6_port);
  return 0;
}

static bool
same_host_ip (const char *a, const char *b)
{
  return *a == '\0' || *b == '\0' || strcmp (a, "0.0.0.0") == 0 || strcmp (b, "0.0.0.0") == 0
         || strcmp (a, b) == 0;
}

/* The container that publishes PORT/PROTO on IP already, or NULL. */
static const char *
published_by (struct network_endpoint *const *taken, size_t n_taken, const char *ip,
              const char *proto, long port)
{
  for (size_t i = 0; i < n_taken; i++)
    {
      size_t j;
      json_t *p;
      json_array_foreach (taken[i]->ports, j,
                          p) if (json_integer_value (json_object_get (p, "HostPort")) == port
                                 && strcmp (str (p, "Protocol"), proto) == 0
                                 && same_host_ip (str (p, "HostIp"), ip)) return taken[i]
          ->container_id;
    }
  return NULL;
}

static bool
chosen (const json_t *out, int port, const char *proto)
{
  size_t i;
  json_t *p;
  json_array_foreach (out, i, p) if (json_integer_value (json_object_get (p, "HostPort")) == port
                                     && strcmp (str (p, "Protocol"), proto) == 0) return true;
  return false;
}

static int
resolve_one (const struct config_port *b, struct network_endpoint *const *taken, size_t n_taken,
             json_t *out, struct hk_error **err)
{
  const char *ip = b->host_ip, *proto = b->protocol;
  const char *host = b->host_port, *inside = b->container_port;
  long c_lo, c_hi, h_lo = 0, h_hi = 0;
  if (!*proto)
    proto = "tcp";
  if (!parse_range (inside, &c_lo, &c_hi))
    return hk_error_set (err, EINVAL, "-p: `%s` is not a port or a range", inside);
  if (*host && !parse_range (host, &h_lo, &h_hi))
    return hk_error_set (err, EINVAL, "-p: `%s` is not a port or a range", host);
  if (*host && h_hi - h_lo != c_hi - c_lo)
    return hk_error_set (err, EINVAL, "-p %s:%s: the ranges differ in length", host, inside);
  for (long port = c_lo; port <= c_hi; port++)
    {
      long want = *host ? h_lo + (port - c_lo) : 0;
      const char *holder = want ? published_by (taken, n_taken, ip, proto, want) : NULL;
      if (holder != NULL)
        return hk_error_set (err, EADDRINUSE, "port %ld/%s is already published by container %.12s",
                             want, proto, holder);
      int bound = 0;
      /* A port the kernel picks may be one picked for this container
       * already: the sockets are closed in between. */
      for (int attempt = 0;; attempt++)
        {
          if (try_bind (ip, proto, (int)want, &bound, err) < 0)
            return -1;
          if (want != 0 || !chosen (out, bound, proto) || attempt >= 20)
            break;
        }
      json_array_append_new (out, json_pack ("{s:s, s:i, s:i, s:s}", "HostIp", ip, "HostPort",
                                             bound, "ContainerPort", (int)port, "Protocol", proto));
    }
  return 0;
}

int
ctr_ports_resolve (const struct config_port *ports, size_t n,
                         struct network_endpoint *const *taken, size_t n_taken, json_t **out,
                         struct hk_error **err)
{
  _cleanup_json_ json_t *resolved = json_array ();
  for (size_t i = 0; i < n; i++)
    if (resolve_one (&ports[i], taken, n_taken, resolved, err) < 0)
      return -1;
  *out = take_ptr (resolved);
  return 0;
}

bool
ctr_ports_relayed (const char *host_ip)
{
  struct in6_addr addr;
  return inet_pton (AF_INET6, host_ip, &addr) == 1 && IN6_IS_ADDR_LOOPBACK (&addr);
}

json_t *
ctr_ports_portmap (const json_t *ports)
{
  json_t *maps = json_array ();
  size_t i;
  json_t *p;
  json_array_foreach (ports, i, p)
  {
    if (ctr_ports_relayed (str (p, "HostIp")))
      continue;
    json_t *m = json_pack ("{s:O, s:O, s:O}", "hostPort", json_object_get (p, "HostPort"),
                           "containerPort", json_object_get (p, "ContainerPort"), "protocol",
                           json_object_get (p, "Protocol"));
    if (*str (p, "HostIp"))
      json_object_set (m, "hostIP", json_object_get (p, "HostIp"));
    json_array_append_new (maps, m);
  }
  return maps;
}
