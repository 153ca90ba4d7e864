/* SPDX-License-Identifier: Apache-2.0 */
#include "rootless-ports.h"
#include "rootless-net.h"
#include "rootless-netns.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

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

#define MAX_PORTS   64           /* listening sockets of one container */
#define MAX_PAIRS   256          /* TCP connections relayed at once */
#define MAX_FLOWS   128          /* UDP clients at once (the oldest goes) */
#define BUF_SIZE    (128 * 1024) /* per direction of a connection */
#define MOVES       16           /* reads and writes per direction per wakeup, at most */
#define FLOW_IDLE_S 60           /* a UDP client forgotten after this */

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

struct half /* one direction of a connection */
{
  char *buf;
  size_t len, off; /* bytes in BUF, the first not written yet */
  bool eof;        /* the source's stream ended */
  bool shut;       /* and that was passed on */
};

struct pair
{
  int client, server;
  bool connecting;
  struct half up, down; /* client to server, server to client */
};

struct flow
{
  size_t listener;
  int fd;
  struct sockaddr_storage client;
  socklen_t client_len;
  time_t last;
};

struct relay
{
  const struct port_spec *specs;
  int listeners[MAX_PORTS];
  size_t n;
  struct pair pairs[MAX_PAIRS];
  size_t n_pairs;
  struct flow flows[MAX_FLOWS];
  size_t n_flows;
  char datagram[65536];
};

static time_t
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

/* Every port bound (in the host's namespace); WHY says what failed. */
static int
listen_all (struct relay *r, char *why, size_t why_len)
{
  for (size_t i = 0; i < r->n; i++)
    {
      const struct port_spec *s = &r->specs[i];
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
      r->listeners[i] = fd;
    }
  return 0;
}

static void
pair_close (struct relay *r, size_t j)
{
  struct pair *p = &r->pairs[j];
  close (p->client);
  close (p->server);
  free (p->up.buf);
  free (p->down.buf);
  *p = r->pairs[--r->n_pairs];
}

static void
tcp_accept (struct relay *r, size_t i)
{
  int c = accept4 (r->listeners[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (c < 0)
    return;
  /* made now, so in the rootless namespace */
  int s = r->n_pairs < MAX_PAIRS ? socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)
                                 : -1;
  int rc = s < 0 ? -1
                 : connect (s, (const struct sockaddr *)&r->specs[i].target,
                            sizeof r->specs[i].target);
  if (s < 0 || (rc < 0 && errno != EINPROGRESS))
    {
      if (s >= 0)
        close (s);
      close (c);
      return;
    }
  struct pair *p = &r->pairs[r->n_pairs++];
  *p = (struct pair){ .client = c, .server = s, .connecting = rc < 0 };
  p->up.buf = xmalloc (BUF_SIZE);
  p->down.buf = xmalloc (BUF_SIZE);
}

/* One direction: FROM read into H when it is empty, H written to TO,
 * until neither moves (a bounded number of times, so that one busy
 * connection does not starve the others); the end of FROM's stream
 * passed on once H is written.  False on an error of either socket. */
static bool
move (int from, int to, struct half *h, short from_events)
{
  bool readable = from_events & (POLLIN | POLLHUP | POLLERR);
  for (int i = 0; i < MOVES; i++)
    {
      bool moved = false;
      if (readable && !h->eof && h->len == 0)
        {
          ssize_t n = read (from, h->buf, BUF_SIZE);
          if (n > 0)
            {
              h->len = (size_t)n;
              h->off = 0;
              moved = true;
            }
          else if (n == 0)
            h->eof = true;
          else if (errno == EAGAIN)
            readable = false;
          else if (errno != EINTR)
            return false;
        }
      if (h->len > 0)
        {
          ssize_t n = send (to, h->buf + h->off, h->len - h->off, MSG_NOSIGNAL);
          if (n > 0)
            {
              moved = true;
              if ((h->off += (size_t)n) == h->len)
                h->len = h->off = 0;
            }
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        }
      if (h->eof && h->len == 0)
        {
          if (!h->shut)
            shutdown (to, SHUT_WR);
          h->shut = true;
          return true;
        }
      if (!moved)
        return true;
    }
  return true;
}

/* False when the connection is over (or failed). */
static bool
pair_step (struct pair *p, short rc, short rs)
{
  if (p->connecting)
    {
      if (!(rs & (POLLOUT | POLLERR | POLLHUP)))
        return !(rc & POLLERR);
      int e = 0;
      socklen_t l = sizeof e;
      if (getsockopt (p->server, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e != 0)
        return false;
      p->connecting = false;
      rs = 0;
    }
  if (((rc | rs) & POLLERR) || !move (p->client, p->server, &p->up, rc)
      || !move (p->server, p->client, &p->down, rs))
    return false;
  /* a side gone for good with nothing left for it */
  if (((rc & POLLHUP) && p->up.eof && p->down.len == 0)
      || ((rs & POLLHUP) && p->down.eof && p->up.len == 0))
    return false;
  return !(p->up.eof && p->down.eof && p->up.len == 0 && p->down.len == 0);
}

static short
client_events (const struct pair *p)
{
  if (p->connecting)
    return 0;
  return (short)((p->up.len == 0 && !p->up.eof ? POLLIN : 0) | (p->down.len > 0 ? POLLOUT : 0));
}

static short
server_events (const struct pair *p)
{
  if (p->connecting)
    return POLLOUT;
  return (short)((p->down.len == 0 && !p->down.eof ? POLLIN : 0) | (p->up.len > 0 ? POLLOUT : 0));
}

static void
flow_close (struct relay *r, size_t j)
{
  close (r->flows[j].fd);
  r->flows[j] = r->flows[--r->n_flows];
}

/* The flow of CLIENT on listener I, made (the oldest one forgotten when
 * the table is full); NULL when no socket can be made. */
static struct flow *
flow_of (struct relay *r, size_t i, const struct sockaddr_storage *client, socklen_t len)
{
  for (size_t j = 0; j < r->n_flows; j++)
    if (r->flows[j].listener == i && r->flows[j].client_len == len
        && memcmp (&r->flows[j].client, client, len) == 0)
      return &r->flows[j];
  if (r->n_flows == MAX_FLOWS)
    {
      size_t oldest = 0;
      for (size_t j = 1; j < r->n_flows; j++)
        if (r->flows[j].last < r->flows[oldest].last)
          oldest = j;
      flow_close (r, oldest);
    }
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return NULL;
  if (connect (fd, (const struct sockaddr *)&r->specs[i].target, sizeof r->specs[i].target) < 0)
    {
      close (fd);
      return NULL;
    }
  struct flow *f = &r->flows[r->n_flows++];
  *f = (struct flow){ .listener = i, .fd = fd, .client = *client, .client_len = len };
  return f;
}

static void
udp_in (struct relay *r, size_t i)
{
  struct sockaddr_storage from;
  socklen_t len = sizeof from;
  ssize_t n = recvfrom (r->listeners[i], r->datagram, sizeof r->datagram, 0,
                        (struct sockaddr *)&from, &len);
  struct flow *f = n >= 0 ? flow_of (r, i, &from, len) : NULL;
  if (f == NULL)
    return;
  f->last = now ();
  send (f->fd, r->datagram, (size_t)n, MSG_NOSIGNAL);
}

static void
udp_back (struct relay *r, struct flow *f)
{
  ssize_t n = recv (f->fd, r->datagram, sizeof r->datagram, 0);
  if (n < 0)
    return;
  f->last = now ();
  sendto (r->listeners[f->listener], r->datagram, (size_t)n, MSG_NOSIGNAL,
          (const struct sockaddr *)&f->client, f->client_len);
}

static void __attribute__ ((noreturn)) relay_loop (struct relay *r)
{
  static struct pollfd fds[MAX_PORTS + 2 * MAX_PAIRS + MAX_FLOWS];
  for (;;)
    {
      size_t k = 0;
      for (size_t i = 0; i < r->n; i++)
        fds[k++] = (struct pollfd){ .fd = r->listeners[i], .events = POLLIN };
      size_t pair_base = k;
      for (size_t j = 0; j < r->n_pairs; j++)
        {
          fds[k++]
              = (struct pollfd){ .fd = r->pairs[j].client, .events = client_events (&r->pairs[j]) };
          fds[k++]
              = (struct pollfd){ .fd = r->pairs[j].server, .events = server_events (&r->pairs[j]) };
        }
      size_t flow_base = k;
      for (size_t j = 0; j < r->n_flows; j++)
        fds[k++] = (struct pollfd){ .fd = r->flows[j].fd, .events = POLLIN };
      if (poll (fds, k, r->n_flows > 0 ? 1000 : -1) < 0 && errno != EINTR)
        _exit (1);
      /* downwards: a closed entry takes the last one's place, done already */
      for (size_t j = r->n_pairs; j-- > 0;)
        if (!pair_step (&r->pairs[j], fds[pair_base + 2 * j].revents,
                        fds[pair_base + 2 * j + 1].revents))
          pair_close (r, j);
      time_t t = now ();
      for (size_t j = r->n_flows; j-- > 0;)
        {
          if (fds[flow_base + j].revents & POLLIN)
            udp_back (r, &r->flows[j]);
          if (t - r->flows[j].last > FLOW_IDLE_S)
            flow_close (r, j);
        }
      for (size_t i = 0; i < r->n; i++)
        if (fds[i].revents & POLLIN)
          {
            if (r->specs[i].udp)
              udp_in (r, i);
            else
              tcp_accept (r, i);
          }
    }
}

/* The relay process: binds every port, says "ready PID" (or why not) on
 * REPORT, enters the rootless namespace and relays until SIGTERM. */
static void __attribute__ ((noreturn))
relay_main (const struct port_spec *specs, size_t n, const char *netns, int report)
{
  static struct relay r;
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
  r.specs = specs;
  r.n = n;
  if (listen_all (&r, why, sizeof why) < 0)
    {
      (void)!write (report, why, strlen (why));
      _exit (1);
    }
  int ns = open (netns, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns (ns, CLONE_NEWNET) < 0)
    {
      dprintf (report, "enter the rootless network namespace `%s`: %s", netns, strerror (errno));
      _exit (1);
    }
  close (ns);
  dprintf (report, "ready %d", (int)getpid ());
  close (report);
  relay_loop (&r);
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
