/* SPDX-License-Identifier: Apache-2.0 */
#include "rootless-ports.h"
#include "rootless-net.h"
#include "rootless-netns.h"
#include "common/cleanup.h"
#include "common/netns-enter.h"
#include "common/xalloc.h"
#include "monitor/port-relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS       64  /* listening sockets of one container */
#define MAX_CONNECTIONS 256 /* TCP connections relayed at once */

struct port_spec
{
  bool udp;
  struct sockaddr_storage listen;
  socklen_t listen_len;
  struct sockaddr_in target;
  char text[96]; /* "127.0.0.1:8080/tcp", for errors */
};

bool
rootless_ports_address (const char *host_ip, unsigned port, struct sockaddr_storage *out,
                        socklen_t *len)
{
  memset (out, 0, sizeof *out);
  if (port == 0 || port > 65535)
    return false;
  if (host_ip == NULL || *host_ip == '\0')
    host_ip = "0.0.0.0";
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton (AF_INET, host_ip, &a4) == 1)
    {
      struct sockaddr_in *v4 = (struct sockaddr_in *)out;
      v4->sin_family = AF_INET;
      v4->sin_port = htons ((uint16_t)port);
      v4->sin_addr = a4;
      *len = sizeof *v4;
      return true;
    }
  if (inet_pton (AF_INET6, host_ip, &a6) == 1)
    {
      struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons ((uint16_t)port);
      v6->sin6_addr = a6;
      *len = sizeof *v6;
      return true;
    }
  return false;
}

/* The relay's work, from the resolved PORTS and the container's
 * ADDRESS. */
static int
port_specs (const json_t *ports, const char *address, struct port_spec **out, size_t *n,
            struct hk_error **err)
{
  _cleanup_free_ char *ip = xstrndup (address, strcspn (address, "/"));
  struct in_addr target;
  if (inet_pton (AF_INET, ip, &target) != 1)
    return hk_error_set (err, EINVAL, "-p: `%s` is not the container's IPv4 address", address);
  size_t count = json_array_size (ports);
  if (count > MAX_PORTS)
    return hk_error_set (err, E2BIG,
                         "-p: %zu ports; a rootless container on a network may "
                         "publish %d",
                         count, MAX_PORTS);
  _cleanup_free_ struct port_spec *specs = xzalloc (sizeof *specs * (count ? count : 1));
  size_t i;
  const json_t *p;
  json_array_foreach (ports, i, p)
  {
    const char *host_ip = json_string_value (json_object_get (p, "HostIp")) ?: "";
    const char *proto = json_string_value (json_object_get (p, "Protocol")) ?: "tcp";
    json_int_t host_port = json_integer_value (json_object_get (p, "HostPort"));
    json_int_t ctr_port = json_integer_value (json_object_get (p, "ContainerPort"));
    struct port_spec *s = &specs[i];
    snprintf (s->text, sizeof s->text, "%s%s%lld/%s", host_ip, *host_ip ? ":" : "",
              (long long)host_port, proto);
    if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
      return hk_error_set (err, EINVAL, "-p %s: only tcp and udp are relayed rootless", s->text);
    if (host_port <= 0 || host_port > 65535 || ctr_port <= 0 || ctr_port > 65535
        || !rootless_ports_address (host_ip, (unsigned)host_port, &s->listen, &s->listen_len))
      return hk_error_set (err, EINVAL, "-p %s: not a host address and port", s->text);
    s->udp = strcmp (proto, "udp") == 0;
    s->target.sin_family = AF_INET;
    s->target.sin_port = htons ((uint16_t)ctr_port);
    s->target.sin_addr = target;
  }
  *out = take_ptr (specs);
  *n = count;
  return 0;
}

/* ---- the relay process ---- */

/* Every port of SPECS bound (in the host's namespace) into FDS; WHY
 * says what failed. */
static int
listen_all (const struct port_spec *specs, size_t n, int *fds, char *why, size_t why_len)
{
  for (size_t i = 0; i < n; i++)
    {
      const struct port_spec *s = &specs[i];
      int one = 1;
      int fd = socket (s->listen.ss_family,
                       (s->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0
          || (s->listen.ss_family == AF_INET6
              && setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
          || (!s->udp && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
          || bind (fd, (const struct sockaddr *)&s->listen, s->listen_len) < 0
          || (!s->udp && listen (fd, 128) < 0))
        {
          snprintf (why, why_len, "-p %s: %s", s->text, strerror (errno));
          return -1;
        }
      fds[i] = fd;
    }
  return 0;
}

/* The relay's loop (port-relay.h), until SIGTERM. */
static void __attribute__ ((noreturn)) relay_loop (struct port_relay *r)
{
  size_t max = port_relay_max_fds (r);
  struct pollfd *fds = xmalloc (max * sizeof *fds);
  for (;;)
    {
      int timeout = -1;
      size_t n = port_relay_poll_set (r, fds, &timeout);
      if (poll (fds, n, timeout) < 0)
        {
          if (errno != EINTR)
            _exit (1);
          continue;
        }
      port_relay_dispatch (r, fds, n);
    }
}

/* The relay process: binds every port, says "ready PID" (or why not) on
 * REPORT, enters the rootless namespace and relays until SIGTERM. */
static void __attribute__ ((noreturn))
relay_main (const struct port_spec *specs, size_t n, const char *netns, int report)
{
  char why[256];
  /* nothing of the command that started it but REPORT */
  if (dup2 (report, 3) < 0)
    _exit (1);
  report = 3;
  close_range (4, ~0U, 0);
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0)
    {
      dup2 (null, 0);
      dup2 (null, 1);
      dup2 (null, 2);
    }
  signal (SIGPIPE, SIG_IGN);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  signal (SIGHUP, SIG_IGN);
  prctl (PR_SET_NAME, "hako-ports");
  int fds[MAX_PORTS];
  if (listen_all (specs, n, fds, why, sizeof why) < 0)
    {
      (void)!write (report, why, strlen (why));
      _exit (1);
    }
  struct port_relay *r = port_relay_new (MAX_CONNECTIONS);
  for (size_t i = 0; i < n; i++)
    if (r == NULL || !port_relay_listen (r, fds[i], specs[i].udp, &specs[i].target))
      {
        dprintf (report, "-p %s: out of memory", specs[i].text);
        _exit (1);
      }
  /* from here on the container's sockets are made in its namespace */
  struct hk_error *err = NULL;
  if (netns_enter_path (netns, &err) < 0)
    {
      dprintf (report, "%s", err->message);
      _exit (1);
    }
  dprintf (report, "ready %d", (int)getpid ());
  close (report);
  relay_loop (r);
}

/* ---- hako's side ---- */

static char *
pid_path (const struct engine *e, const struct ctr_record *r)
{
  return xasprintf ("%s/netns/%s.ports.pid", e->runroot, r->id);
}

/* What the relay said on FD until it closed it. */
static void
read_report (int fd, char *buf, size_t size)
{
  size_t have = 0;
  ssize_t n;
  while (have < size - 1
         && ((n = read (fd, buf + have, size - 1 - have)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      have += (size_t)n;
  buf[have] = '\0';
}

int
rootless_ports_start (struct engine *e, const struct ctr_record *r, const json_t *ports,
                      const char *address, struct hk_error **err)
{
  if (json_array_size (ports) == 0)
    return 0;
  _cleanup_free_ struct port_spec *specs = NULL;
  size_t n = 0;
  if (port_specs (ports, address, &specs, &n, err) < 0)
    return -1;
  _cleanup_free_ char *netns = rootless_netns_path (e);
  int report[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe for the port relay");
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (report[0]);
      /* a session of its own, not our child: it outlives the command */
      setsid ();
      pid_t relay = fork ();
      if (relay != 0)
        _exit (relay < 0);
      relay_main (specs, n, netns, report[1]);
    }
  close (report[1]);
  _cleanup_close_ int reader = report[0];
  if (pid < 0)
    return hk_error_errno (err, errno, "fork for the port relay");
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  char said[512];
  read_report (reader, said, sizeof said);
  int relay_pid = 0;
  if (sscanf (said, "ready %d", &relay_pid) != 1 || relay_pid <= 0)
    return hk_error_set (err, EIO, "the port relay: %s",
                         *said ? said : "it ended before it was ready");
  _cleanup_free_ char *path = pid_path (e, r);
  if (rootless_net_pid_record (path, relay_pid, err) < 0)
    {
      kill (relay_pid, SIGTERM);
      return -1;
    }
  return 0;
}

void
rootless_ports_stop (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *path = pid_path (e, r);
  if (access (path, F_OK) < 0)
    return;
  _cleanup_free_ char *what = xasprintf ("container %s: its port relay", r->name);
  rootless_net_pid_stop (e->log, path, what, true);
}
