/* SPDX-License-Identifier: Apache-2.0 */
#include "port-relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOW_BUF     65536 /* per direction of a connection, while it lasts */
#define DATAGRAM_MAX 65536

struct listener
{
  int fd;
  bool udp;
  struct sockaddr_in target;
};

/* One direction of a TCP connection: bytes read from one side, not yet
 * written to the other; EOF once that side ended, SHUT once the other
 * was told (shutdown). */
struct flow
{
  size_t start, end;
  bool eof, shut;
  uint8_t buf[FLOW_BUF];
};

struct tcp_conn
{
  int client, upstream; /* client -1: a free slot */
  bool connecting;
  struct flow *up;   /* client to container */
  struct flow *down; /* container to client */
};

/* A UDP client's address: IPv4 or IPv6 (a sockaddr_storage would be
 * four times the size, in every slot). */
union peer_address
{
  struct sockaddr sa;
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
};

struct udp_client
{
  int fd; /* connected to the container; -1: a free slot */
  size_t listener;
  union peer_address peer;
  socklen_t peer_len;
  long long last_ms;
};

enum origin_kind
{
  ORIGIN_LISTENER,
  ORIGIN_TCP_CLIENT,
  ORIGIN_TCP_UPSTREAM,
  ORIGIN_UDP_CLIENT,
};

/* What the pollfd of the same index is. */
struct origin
{
  enum origin_kind kind;
  size_t index;
};

struct port_relay
{
  struct listener *listeners;
  size_t n_listeners;
  struct origin *origins; /* port_relay_max_fds of them */
  struct udp_client udp[RELAY_MAX_UDP];
  size_t max_tcp;
  struct tcp_conn tcp[]; /* max_tcp of them */
};

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct port_relay *
port_relay_new (size_t max_tcp)
{
  struct port_relay *r = calloc (1, sizeof *r + max_tcp * sizeof r->tcp[0]);
  if (r == NULL)
    return NULL;
  r->max_tcp = max_tcp;
  for (size_t i = 0; i < max_tcp; i++)
    r->tcp[i].client = -1;
  for (size_t i = 0; i < RELAY_MAX_UDP; i++)
    r->udp[i].fd = -1;
  return r;
}

size_t
port_relay_max_fds (const struct port_relay *r)
{
  return r->n_listeners + 2 * r->max_tcp + RELAY_MAX_UDP;
}

/* "tcp/7/10.88.0.5/80" into L; false when it is not one. */
static bool
parse_spec (const char *spec, struct listener *l)
{
  char proto[4], address[INET_ADDRSTRLEN];
  int fd, port, end = 0;
  if (sscanf (spec, "%3[a-z]/%d/%15[0-9.]/%d%n", proto, &fd, address, &port, &end) != 4
      || spec[end] != '\0' || fd < 3 || port < 1 || port > 65535
      || (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0))
    return false;
  *l = (struct listener){ .fd = fd, .udp = strcmp (proto, "udp") == 0 };
  l->target.sin_family = AF_INET;
  l->target.sin_port = htons ((uint16_t)port);
  return inet_pton (AF_INET, address, &l->target.sin_addr) == 1;
}

bool
port_relay_add (struct port_relay *r, const char *spec)
{
  struct listener l;
  return parse_spec (spec, &l) && port_relay_listen (r, l.fd, l.udp, &l.target);
}

bool
port_relay_listen (struct port_relay *r, int fd, bool udp, const struct sockaddr_in *target)
{
  /* Not to be inherited by the exit command; never to block us. */
  if (fcntl (fd, F_SETFD, FD_CLOEXEC) < 0
      || fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK) < 0)
    return false;
  struct listener *more = realloc (r->listeners, (r->n_listeners + 1) * sizeof *more);
  if (more == NULL)
    return false;
  r->listeners = more;
  r->listeners[r->n_listeners++] = (struct listener){ .fd = fd, .udp = udp, .target = *target };
  struct origin *origins = realloc (r->origins, port_relay_max_fds (r) * sizeof *origins);
  if (origins == NULL)
    return false;
  r->origins = origins;
  return true;
}

static void
tcp_close (struct tcp_conn *c)
{
  if (c->client < 0)
    return;
  close (c->client);
  close (c->upstream);
  free (c->up);
  free (c->down);
  *c = (struct tcp_conn){ .client = -1, .upstream = -1 };
}

/* A new connection to L relayed to the container, unless no slot is free
 * (then it waits in the backlog: the listener is not polled). */
static void
tcp_accept (struct port_relay *r, const struct listener *l)
{
  struct tcp_conn *c = NULL;
  for (size_t i = 0; i < r->max_tcp && c == NULL; i++)
    if (r->tcp[i].client < 0)
      c = &r->tcp[i];
  if (c == NULL)
    return;
  int client = accept4 (l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client < 0)
    return;
  int upstream = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct flow *up = calloc (1, sizeof *up), *down = calloc (1, sizeof *down);
  bool connected = false;
  if (upstream >= 0 && up != NULL && down != NULL)
    connected = connect (upstream, (const struct sockaddr *)&l->target, sizeof l->target) == 0;
  if (upstream < 0 || up == NULL || down == NULL || (!connected && errno != EINPROGRESS))
    {
      close (client);
      if (upstream >= 0)
        close (upstream);
      free (up);
      free (down);
      return;
    }
  *c = (struct tcp_conn){
    .client = client, .upstream = upstream, .connecting = !connected, .up = up, .down = down
  };
}

/* FROM's bytes into F; false on an error (the connection goes). */
static bool
flow_read (struct flow *f, int from)
{
  if (f->eof || f->end == sizeof f->buf)
    return true;
  ssize_t n = recv (from, f->buf + f->end, sizeof f->buf - f->end, 0);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR;
  if (n == 0)
    f->eof = true;
  f->end += (size_t)n;
  return true;
}

/* F's bytes out to TO; false on an error. */
static bool
flow_write (struct flow *f, int to)
{
  if (f->start == f->end)
    return true;
  ssize_t n = send (to, f->buf + f->start, f->end - f->start, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR;
  f->start += (size_t)n;
  if (f->start == f->end)
    f->start = f->end = 0;
  return true;
}

/* An ended side passed on once its bytes are out; the connection closed
 * when both are. */
static void
tcp_settle (struct tcp_conn *c)
{
  struct flow *flows[] = { c->up, c->down };
  int to[] = { c->upstream, c->client };
  for (size_t i = 0; i < 2; i++)
    if (flows[i]->eof && flows[i]->start == flows[i]->end && !flows[i]->shut)
      {
        shutdown (to[i], SHUT_WR);
        flows[i]->shut = true;
      }
  if (c->up->shut && c->down->shut)
    tcp_close (c);
}

static short
side_events (const struct flow *in, const struct flow *out)
{
  short events = 0;
  if (!in->eof && in->end < sizeof in->buf)
    events |= POLLIN;
  if (out->start < out->end)
    events |= POLLOUT;
  return events;
}

/* What poll said of C's side FD (the client when CLIENT_SIDE) handled. */
static void
tcp_event (struct tcp_conn *c, bool client_side, short revents)
{
  if (!client_side && c->connecting)
    {
      int error = 0;
      socklen_t len = sizeof error;
      if (getsockopt (c->upstream, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error != 0)
        tcp_close (c); /* the container does not take it: the client sees the close */
      else
        c->connecting = false;
      return;
    }
  int fd = client_side ? c->client : c->upstream;
  struct flow *in = client_side ? c->up : c->down;
  struct flow *out = client_side ? c->down : c->up;
  bool readable = !in->eof && in->end < sizeof in->buf;
  if ((revents & POLLERR) || ((revents & POLLHUP) && !readable))
    {
      tcp_close (c);
      return;
    }
  if (((revents & (POLLIN | POLLHUP)) && !flow_read (in, fd))
      || ((revents & POLLOUT) && !flow_write (out, fd)))
    {
      tcp_close (c);
      return;
    }
  /* what was just read goes out at once when it can */
  if (!flow_write (in, client_side ? c->upstream : c->client))
    {
      tcp_close (c);
      return;
    }
  tcp_settle (c);
}

static void
udp_close (struct udp_client *u)
{
  if (u->fd >= 0)
    close (u->fd);
  u->fd = -1;
}

/* The slot of PEER on listener L: its own, a free one, or the oldest's
 * (closed); NULL when no socket can be made. */
static struct udp_client *
udp_client_for (struct port_relay *r, size_t l, const union peer_address *peer,
                socklen_t peer_len)
{
  struct udp_client *slot = NULL;
  for (size_t i = 0; i < RELAY_MAX_UDP; i++)
    {
      struct udp_client *u = &r->udp[i];
      if (u->fd >= 0 && u->listener == l && u->peer_len == peer_len
          && memcmp (&u->peer, peer, peer_len) == 0)
        return u;
      if (slot == NULL || (slot->fd >= 0 && (u->fd < 0 || u->last_ms < slot->last_ms)))
        slot = u;
    }
  udp_close (slot);
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const struct sockaddr_in *to = &r->listeners[l].target;
  if (fd < 0 || connect (fd, (const struct sockaddr *)to, sizeof *to) < 0)
    {
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  *slot = (struct udp_client){ .fd = fd, .listener = l, .peer = *peer, .peer_len = peer_len };
  return slot;
}

static uint8_t datagram[DATAGRAM_MAX];

/* A datagram to listener L, sent on to the container from its client's
 * own socket. */
static void
udp_from_client (struct port_relay *r, size_t l)
{
  union peer_address peer;
  socklen_t peer_len = sizeof peer;
  ssize_t n = recvfrom (r->listeners[l].fd, datagram, sizeof datagram, 0, &peer.sa, &peer_len);
  if (n < 0 || peer_len > sizeof peer)
    return;
  struct udp_client *u = udp_client_for (r, l, &peer, peer_len);
  if (u == NULL)
    return;
  u->last_ms = now_ms ();
  send (u->fd, datagram, (size_t)n, MSG_DONTWAIT);
}

/* The container's reply to client U, sent back from the listener. */
static void
udp_from_container (struct port_relay *r, struct udp_client *u)
{
  ssize_t n = recv (u->fd, datagram, sizeof datagram, MSG_DONTWAIT);
  if (n < 0)
    return; /* nothing, or the ICMP error of a port closed: no reply */
  u->last_ms = now_ms ();
  sendto (r->listeners[u->listener].fd, datagram, (size_t)n, MSG_DONTWAIT,
          &u->peer.sa, u->peer_len);
}

static bool
tcp_slot_free (const struct port_relay *r)
{
  for (size_t i = 0; i < r->max_tcp; i++)
    if (r->tcp[i].client < 0)
      return true;
  return false;
}

static size_t
add_fd (struct port_relay *r, struct pollfd *fds, size_t n, int fd, short events,
        enum origin_kind kind, size_t index)
{
  fds[n] = (struct pollfd){ .fd = fd, .events = events };
  r->origins[n] = (struct origin){ .kind = kind, .index = index };
  return n + 1;
}

size_t
port_relay_poll_set (struct port_relay *r, struct pollfd *fds, int *timeout)
{
  size_t n = 0;
  bool accepting = tcp_slot_free (r);
  for (size_t i = 0; i < r->n_listeners; i++)
    if (r->listeners[i].udp || accepting)
      n = add_fd (r, fds, n, r->listeners[i].fd, POLLIN, ORIGIN_LISTENER, i);
  for (size_t i = 0; i < r->max_tcp; i++)
    {
      struct tcp_conn *c = &r->tcp[i];
      if (c->client < 0)
        continue;
      if (c->connecting)
        {
          n = add_fd (r, fds, n, c->upstream, POLLOUT, ORIGIN_TCP_UPSTREAM, i);
          continue;
        }
      n = add_fd (r, fds, n, c->client, side_events (c->up, c->down), ORIGIN_TCP_CLIENT, i);
      n = add_fd (r, fds, n, c->upstream, side_events (c->down, c->up), ORIGIN_TCP_UPSTREAM, i);
    }
  long long now = now_ms ();
  for (size_t i = 0; i < RELAY_MAX_UDP; i++)
    {
      struct udp_client *u = &r->udp[i];
      if (u->fd >= 0 && now - u->last_ms >= RELAY_UDP_IDLE_MS)
        udp_close (u);
      if (u->fd < 0)
        continue;
      n = add_fd (r, fds, n, u->fd, POLLIN, ORIGIN_UDP_CLIENT, i);
      long long left = u->last_ms + RELAY_UDP_IDLE_MS - now;
      if (*timeout < 0 || left < *timeout)
        *timeout = (int)left;
    }
  return n;
}

void
port_relay_dispatch (struct port_relay *r, const struct pollfd *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (fds[i].revents == 0)
        continue;
      size_t index = r->origins[i].index;
      struct tcp_conn *c = &r->tcp[index];
      switch (r->origins[i].kind)
        {
        case ORIGIN_LISTENER:
          if (r->listeners[index].udp)
            udp_from_client (r, index);
          else
            tcp_accept (r, &r->listeners[index]);
          break;
        case ORIGIN_TCP_CLIENT:
        case ORIGIN_TCP_UPSTREAM:
          /* the connection may have gone with its other side's event */
          if (c->client == fds[i].fd || c->upstream == fds[i].fd)
            tcp_event (c, r->origins[i].kind == ORIGIN_TCP_CLIENT, fds[i].revents);
          break;
        case ORIGIN_UDP_CLIENT:
          if (r->udp[index].fd == fds[i].fd)
            udp_from_container (r, &r->udp[index]);
          break;
        }
    }
}

void
port_relay_free (struct port_relay *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->max_tcp; i++)
    tcp_close (&r->tcp[i]);
  for (size_t i = 0; i < RELAY_MAX_UDP; i++)
    udp_close (&r->udp[i]);
  for (size_t i = 0; i < r->n_listeners; i++)
    close (r->listeners[i].fd);
  free (r->listeners);
  free (r->origins);
  free (r);
}
