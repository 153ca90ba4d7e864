/* SPDX-License-Identifier: Apache-2.0 */
/* hako-dns [--netns PATH] [--internal] DB NETWORK ADDRESS LOCK [ADDRESS6]:
 * the DNS server of one user network, as Docker's embedded server and
 * Podman's aardvark-dns.  It listens on port 53 of ADDRESS (the network's gateway, on the host) and
 * of ADDRESS6 (its IPv6 gateway, on a dual-stack network), over UDP and
 * TCP (RFC 7766 framing: a two-byte length before each message, several
 * per connection), answers for the names of the network's containers as
 * the store's database DB has them at the moment of each query (so a
 * container that joins, leaves, connects or disconnects is seen at once),
 * and forwards everything else to the host's resolvers
 * ($HAKO_DNS_RESOLV_CONF, else /etc/resolv.conf; IPv4 and IPv6, with a
 * zone (fe80::1%eth0) where one is given; 127.x and ::1 ones too: it runs
 * in the host's namespace, where they are; with --netns, in a rootless
 * hako's network namespace, the host's resolvers are reached through its
 * pasta, 127.x ones not).  With --internal (an internal network, which
 * has no way out) other names get SERVFAIL, as Docker's server answers a
 * container attached only to internal networks; a query from a container
 * attached to an ordinary network too is forwarded, as Docker's is (that
 * container has a way out).
 *
 * Nothing blocks: forwarded queries wait in a fixed table (each on a
 * socket of its own, the reply matched by its ID, 2 s per upstream; when
 * none is left, the client gets SERVFAIL rather than silence), TCP
 * connections too; when a table is full a new query is dropped (the
 * client asks again), and a new connection takes the slot of the
 * connection idle the longest that waits for no answer (slow clients that
 * hold connections open, slowloris, cannot shut others out), or is closed
 * when every connection waits for one; so a flood costs bounded memory
 * and the others keep their answers.
 *
 * A query that came over TCP is forwarded over TCP (a non-blocking
 * connect, the same 2 s per upstream counting from it), one over UDP over
 * UDP, whose reply is received whole (up to 64 KiB) and goes back as it
 * is when it fits what the client takes (512 bytes, or its EDNS0 payload
 * size), else truncated (TC, header and question: RFC 1035, 6891); on a
 * TC reply, from the upstream or ours, the client asks again over TCP,
 * as the resolver does.  dnsmasq forwards
 * over UDP first and retries over TCP on TC; we do not: a client asks
 * over TCP mostly because a UDP reply was truncated already, so the UDP
 * try would be one more round trip that is truncated again (aardvark-dns
 * too forwards over the transport the query came in on).
 *
 * Until it listens, its errors go to stderr, which hako reads to report
 * them (a port 53 already taken); then stderr is /dev/null.  hako starts it
 * with the first container of the network (a second one finds LOCK held
 * and exits); it exits once the network has no container left (checked
 * twice a second).  Dynamically linked: ldns (messages), sqlite3 and
 * jansson (the names), none of which `hako` needs. */
#include "dns-answer.h"
#include "dns-tcp-frame.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_UPSTREAMS       3
#define MAX_LISTENERS       4    /* UDP and TCP on each of two addresses */
#define MAX_TCP             32
#define MAX_PENDING         128
#define TCP_MESSAGE_MAX     65535 /* a DNS message over TCP: its length is two bytes */
#define UDP_MESSAGE_MAX     65535 /* the largest UDP payload an upstream may send */
#define UPSTREAM_TIMEOUT_MS 2000
#define TCP_IDLE_MS         10000
#define IN_USE_CHECK_MS     500

/* Where a reply goes: a UDP peer through the listener FD, which takes
 * replies up to UDP_LIMIT bytes, or the TCP connection in slot TCP_SLOT
 * while it is still the one of generation TCP_GEN. */
struct client
{
  int udp_fd; /* -1: TCP */
  size_t udp_limit;
  struct sockaddr_storage addr;
  socklen_t addr_len;
  size_t tcp_slot;
  unsigned long tcp_gen;
};

struct tcp_conn
{
  int fd; /* -1: free */
  unsigned long gen;
  long long deadline;
  struct sockaddr_storage peer;
  socklen_t peer_len;
  struct dns_tcp_frame frame;
};

/* A query forwarded, waiting for the reply of upstream UPSTREAM; over
 * TCP when TCP (its client's transport): the query framed is sent once
 * the connect completes (SENT bytes so far), the reply framed read (GOT
 * bytes so far): its length into LENGTH, then the message into REPLY,
 * allocated at that length (up to TCP_MESSAGE_MAX: only a reply being
 * read holds one). */
struct pending
{
  int fd; /* its own socket, connected to the upstream; -1: free */
  size_t upstream;
  long long deadline;
  struct client client;
  bool tcp;
  size_t sent;
  size_t got;
  size_t len;
  uint8_t query[DNS_MESSAGE_MAX];
  uint8_t length[2];
  uint8_t *reply;
  size_t reply_len;
};

/* A resolver of the host, port 53. */
struct upstream
{
  struct sockaddr_storage addr;
  socklen_t len;
};

struct server
{
  sqlite3 *db;
  const char *network;
  bool internal; /* other names forwarded only for containers with a way out */
  int listeners[MAX_LISTENERS];
  bool listener_tcp[MAX_LISTENERS];
  size_t n_listeners;
  struct upstream upstreams[MAX_UPSTREAMS];
  size_t n_upstreams;
  unsigned long tcp_gens;
  struct tcp_conn tcp[MAX_TCP];
  struct pending pending[MAX_PENDING];
};

static long long
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ADDRESS, an IPv4 or IPv6 address with perhaps a zone (fe80::1%eth0,
 * or its index: fe80::1%2), port 53, in U; false when it is none, or its
 * zone names no interface of ours (such a line is skipped). */
static bool
upstream_parse (const char *address, struct upstream *u)
{
  struct addrinfo hints = { .ai_family = AF_UNSPEC,
                            .ai_socktype = SOCK_DGRAM,
                            .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
  struct addrinfo *found = NULL;
  if (getaddrinfo (address, "53", &hints, &found) != 0)
    return false;
  bool fits = found->ai_addrlen <= sizeof u->addr;
  if (fits)
    {
      memcpy (&u->addr, found->ai_addr, found->ai_addrlen);
      u->len = found->ai_addrlen;
    }
  freeaddrinfo (found);
  return fits;
}

/* The nameservers of the host's resolv.conf, both families, the first
 * MAX_UPSTREAMS usable ones (glibc's resolver too takes three). */
static void
read_upstreams (struct server *s)
{
  const char *path = getenv ("HAKO_DNS_RESOLV_CONF");
  FILE *f = fopen (path && *path ? path : "/etc/resolv.conf", "re");
  char line[512], addr[128];
  while (f != NULL && s->n_upstreams < MAX_UPSTREAMS && fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, " nameserver %127s", addr) == 1
        && upstream_parse (addr, &s->upstreams[s->n_upstreams]))
      s->n_upstreams++;
  if (f != NULL)
    fclose (f);
}

struct names
{
  struct dns_record *records;
  size_t n;
  json_t *docs; /* owns the strings */
};

static void
names_clear (struct names *n)
{
  free (n->records);
  json_decref (n->docs);
  memset (n, 0, sizeof *n);
}

static void
add_record (struct names *out, const char *name, const char *address)
{
  out->records = realloc (out->records, (out->n + 1) * sizeof *out->records);
  if (out->records == NULL)
    abort ();
  out->records[out->n++] = (struct dns_record){ .name = name, .address = address };
}

/* "10.0.0.2/24" as "10.0.0.2", owned by DOCS; NULL for "". */
static const char *
address_of (json_t *docs, const char *cidr)
{
  if (cidr == NULL || *cidr == '\0')
    return NULL;
  json_t *addr = json_stringn (cidr, strcspn (cidr, "/"));
  json_array_append_new (docs, addr);
  return json_string_value (addr);
}

/* The names and addresses (both families) of the network's containers
 * now; false when the database cannot be read. */
static bool
load_names (struct server *s, struct names *out)
{
  sqlite3_stmt *st = NULL;
  memset (out, 0, sizeof *out);
  out->docs = json_array ();
  if (sqlite3_prepare_v2 (s->db,
                          "SELECT address, address6, names FROM network_endpoints"
                          " WHERE network = ?",
                          -1, &st, NULL)
          != SQLITE_OK
      || sqlite3_bind_text (st, 1, s->network, -1, SQLITE_STATIC) != SQLITE_OK)
    {
      sqlite3_finalize (st);
      return false;
    }
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      json_t *names = json_loads ((const char *)sqlite3_column_text (st, 2), 0, NULL);
      if (!json_is_array (names))
        {
          json_decref (names);
          continue;
        }
      json_array_append_new (out->docs, names);
      const char *v4 = address_of (out->docs, (const char *)sqlite3_column_text (st, 0));
      const char *v6 = address_of (out->docs, (const char *)sqlite3_column_text (st, 1));
      size_t i;
      json_t *name;
      json_array_foreach (names, i, name)
      {
        if (v4 != NULL)
          add_record (out, json_string_value (name), v4);
        if (v6 != NULL)
          add_record (out, json_string_value (name), v6);
      }
    }
  sqlite3_finalize (st);
  return rc == SQLITE_DONE;
}

static void
tcp_close (struct tcp_conn *c)
{
  close (c->fd);
  c->fd = -1;
  c->frame.have = 0;
}

/* REPLY to a UDP client, truncated (TC set: it asks again over TCP) when
 * longer than what it takes; false when it had to be and is no reply. */
static bool
udp_reply_to (const struct client *client, const uint8_t *reply, size_t len)
{
  uint8_t *cut = NULL;
  if (len > client->udp_limit && !dns_truncate (reply, len, &cut, &len))
    return false;
  sendto (client->udp_fd, cut != NULL ? cut : reply, len, MSG_DONTWAIT,
          (const struct sockaddr *)&client->addr, client->addr_len);
  free (cut);
  return true;
}

/* REPLY to CLIENT; a TCP reply that cannot go at once in full closes the
 * connection (a client that does not read is not waited for).  False
 * when REPLY is too long for a UDP client and cannot be truncated. */
static bool
reply_to (struct server *s, const struct client *client, const uint8_t *reply, size_t len)
{
  if (client->udp_fd >= 0)
    return udp_reply_to (client, reply, len);
  struct tcp_conn *c = &s->tcp[client->tcp_slot];
  if (c->fd < 0 || c->gen != client->tcp_gen || len > TCP_MESSAGE_MAX)
    return true;
  /* The length and the message as they are: an answer with many
   * addresses (replicas) may be longer than what we take in. */
  uint8_t length[2] = { (uint8_t)(len >> 8), (uint8_t)len };
  struct iovec parts[] = { { length, 2 }, { (void *)reply, len } };
  struct msghdr m = { .msg_iov = parts, .msg_iovlen = 2 };
  if (sendmsg (c->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)(len + 2))
    tcp_close (c);
  return true;
}

/* A UDP socket connected to TO with P's query sent, or a TCP one whose
 * connect to TO has started (the query goes when it completes). */
static bool
upstream_start (struct pending *p, int fd, const struct upstream *to)
{
  if (p->tcp)
    return connect (fd, (const struct sockaddr *)&to->addr, to->len) == 0 || errno == EINPROGRESS;
  return connect (fd, (const struct sockaddr *)&to->addr, to->len) == 0
         && send (fd, p->query, p->len, 0) == (ssize_t)p->len;
}

/* Sends P's query to its upstream, or the next one that takes it; false
 * when none is left. */
static bool
pending_send (struct server *s, struct pending *p)
{
  for (; p->upstream < s->n_upstreams; p->upstream++)
    {
      int type = p->tcp ? SOCK_STREAM : SOCK_DGRAM;
      int family = s->upstreams[p->upstream].addr.ss_family;
      int fd = socket (family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0)
        continue; /* (a family this host lacks, or no descriptor left) */
      p->sent = p->got = 0;
      free (p->reply);
      p->reply = NULL;
      if (upstream_start (p, fd, &s->upstreams[p->upstream]))
        {
          p->fd = fd;
          p->deadline = now_ms () + UPSTREAM_TIMEOUT_MS;
          return true;
        }
      close (fd);
    }
  return false;
}

/* True while P's query still has bytes to send to a TCP upstream. */
static bool
pending_sending (const struct pending *p)
{
  return p->tcp && p->sent < 2 + p->len;
}

static void
pending_free (struct pending *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
  free (p->reply);
  p->reply = NULL;
}

/* No upstream answered P's query (none left, or none at all): SERVFAIL
 * to its client, so that it does not wait for nothing, and P freed. */
static void
pending_fail (struct server *s, struct pending *p)
{
  uint8_t *reply = NULL;
  size_t len = 0;
  if (dns_server_failure (p->query, p->len, &reply, &len))
    reply_to (s, &p->client, reply, len);
  free (reply);
  pending_free (p);
}

/* QUERY forwarded for CLIENT; dropped when the table is full (a flood:
 * the client asks again); SERVFAIL when no upstream takes it. */
static void
forward (struct server *s, const struct client *client, const uint8_t *query, size_t len)
{
  for (size_t i = 0; i < MAX_PENDING; i++)
    {
      struct pending *p = &s->pending[i];
      if (p->fd >= 0)
        continue;
      p->client = *client;
      p->tcp = client->udp_fd < 0;
      p->upstream = 0;
      p->len = len;
      memcpy (p->query, query, len);
      if (!pending_send (s, p))
        pending_fail (s, p);
      return;
    }
}

/* The TCP upstream of P takes more of the framed query (the connect
 * completed: a refused one fails the send); on an error, the next
 * upstream, now. */
static void
pending_writable (struct pending *p)
{
  uint8_t length[2] = { (uint8_t)(p->len >> 8), (uint8_t)p->len };
  struct iovec parts[] = { { length, 2 }, { p->query, p->len } };
  size_t skip = p->sent;
  for (size_t i = 0; i < 2; i++)
    {
      size_t cut = skip < parts[i].iov_len ? skip : parts[i].iov_len;
      parts[i].iov_base = (uint8_t *)parts[i].iov_base + cut;
      parts[i].iov_len -= cut;
      skip -= cut;
    }
  struct msghdr m = { .msg_iov = parts, .msg_iovlen = 2 };
  ssize_t n = sendmsg (p->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n > 0)
    p->sent += (size_t)n;
  else if (n < 0 && errno != EAGAIN && errno != EINTR)
    p->deadline = 0;
}

/* More of the framed reply of P's TCP upstream: relayed once complete
 * when it is the reply (its ID); the upstream's close before, a reply
 * shorter than a header or an error, the next upstream, now. */
static void
pending_tcp_readable (struct server *s, struct pending *p)
{
  bool in_length = p->got < 2;
  uint8_t *into = in_length ? p->length + p->got : p->reply + (p->got - 2);
  size_t want = in_length ? 2 - p->got : p->reply_len - (p->got - 2);
  ssize_t n = recv (p->fd, into, want, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      p->deadline = 0;
      return;
    }
  p->got += (size_t)n;
  if (in_length && p->got == 2)
    {
      p->reply_len = (size_t)p->length[0] << 8 | p->length[1];
      if (p->reply_len < 12 || (p->reply = malloc (p->reply_len)) == NULL)
        {
          p->deadline = 0;
          return;
        }
    }
  if (p->got < 2 + p->reply_len)
    return;
  if (memcmp (p->reply, p->query, 2) == 0)
    {
      reply_to (s, &p->client, p->reply, p->reply_len);
      pending_free (p);
    }
  else
    p->deadline = 0;
}

/* The upstream answered P: relayed when it is the reply (its ID), taken
 * whole whatever its size, cut for its client if need be; SERVFAIL when
 * it must be cut and cannot. */
static void
pending_readable (struct server *s, struct pending *p)
{
  if (p->tcp)
    {
      pending_tcp_readable (s, p);
      return;
    }
  static uint8_t reply[UDP_MESSAGE_MAX];
  ssize_t n = recv (p->fd, reply, sizeof reply, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n >= 12 && memcmp (reply, p->query, 2) == 0)
    {
      if (reply_to (s, &p->client, reply, (size_t)n))
        pending_free (p);
      else
        pending_fail (s, p);
    }
  else if (n < 0)
    p->deadline = 0; /* refused: the next upstream, now */
}

static void
pending_expire (struct server *s, struct pending *p, long long now)
{
  if (p->fd < 0 || p->deadline > now)
    return;
  close (p->fd);
  p->fd = -1;
  p->upstream++;
  if (!pending_send (s, p))
    pending_fail (s, p);
}

/* True when the container that asked (CLIENT's address on this network)
 * is attached to a network that is not internal too. */
static bool
has_way_out (struct server *s, const struct client *client)
{
  char text[INET6_ADDRSTRLEN];
  const struct sockaddr_in *sin = (const struct sockaddr_in *)&client->addr;
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&client->addr;
  if (!(client->addr.ss_family == AF_INET && inet_ntop (AF_INET, &sin->sin_addr, text, sizeof text))
      && !(client->addr.ss_family == AF_INET6
           && inet_ntop (AF_INET6, &sin6->sin6_addr, text, sizeof text)))
    return false;
  /* the endpoint's addresses are "ADDRESS/PREFIX" */
  sqlite3_stmt *st = NULL;
  bool out = false;
  if (sqlite3_prepare_v2 (s->db,
                          "SELECT 1 FROM network_endpoints mine"
                          " JOIN network_endpoints other ON other.container_id = mine.container_id"
                          " JOIN networks n ON n.name = other.network"
                          " WHERE mine.network = ?1 AND n.internal = 0"
                          " AND (substr (mine.address, 1, length (?2) + 1) = ?2 || '/'"
                          " OR substr (mine.address6, 1, length (?2) + 1) = ?2 || '/') LIMIT 1",
                          -1, &st, NULL)
          == SQLITE_OK
      && sqlite3_bind_text (st, 1, s->network, -1, SQLITE_STATIC) == SQLITE_OK
      && sqlite3_bind_text (st, 2, text, -1, SQLITE_TRANSIENT) == SQLITE_OK)
    out = sqlite3_step (st) == SQLITE_ROW;
  sqlite3_finalize (st);
  return out;
}

static void
handle_query (struct server *s, const struct client *client, const uint8_t *query, size_t len)
{
  struct names names;
  if (!load_names (s, &names))
    {
      names_clear (&names);
      return;
    }
  uint8_t *reply = NULL;
  size_t reply_len = 0;
  switch (dns_answer (query, len, names.records, names.n, &reply, &reply_len))
    {
    case DNS_ANSWER:
      reply_to (s, client, reply, reply_len);
      break;
    case DNS_FORWARD:
      if (!s->internal || has_way_out (s, client))
        forward (s, client, query, len);
      else if (dns_server_failure (query, len, &reply, &reply_len))
        reply_to (s, client, reply, reply_len);
      break;
    case DNS_DROP:
      break;
    }
  free (reply);
  names_clear (&names);
}

static void
udp_readable (struct server *s, int fd)
{
  uint8_t query[DNS_MESSAGE_MAX];
  struct client client = { .udp_fd = fd, .addr_len = sizeof client.addr };
  ssize_t len = recvfrom (fd, query, sizeof query, MSG_DONTWAIT, (struct sockaddr *)&client.addr,
                          &client.addr_len);
  if (len <= 0)
    return;
  client.udp_limit = dns_udp_limit (query, (size_t)len);
  handle_query (s, &client, query, (size_t)len);
}

/* True while a query of connection SLOT waits for its upstream. */
static bool
tcp_waits_for_upstream (const struct server *s, size_t slot)
{
  for (size_t i = 0; i < MAX_PENDING; i++)
    {
      const struct pending *p = &s->pending[i];
      if (p->fd >= 0 && p->client.udp_fd < 0 && p->client.tcp_slot == slot
          && p->client.tcp_gen == s->tcp[slot].gen)
        return true;
    }
  return false;
}

/* A slot for a new connection: a free one, else the one of the
 * connection idle the longest (its deadline the nearest) that waits for
 * no upstream, closed; MAX_TCP when every connection waits for one. */
static size_t
tcp_slot_for_new (struct server *s)
{
  size_t victim = MAX_TCP;
  for (size_t i = 0; i < MAX_TCP; i++)
    {
      if (s->tcp[i].fd < 0)
        return i;
      if ((victim == MAX_TCP || s->tcp[i].deadline < s->tcp[victim].deadline)
          && !tcp_waits_for_upstream (s, i))
        victim = i;
    }
  if (victim < MAX_TCP)
    tcp_close (&s->tcp[victim]);
  return victim;
}

/* A new connection in a slot of its own; closed at once when none can be
 * had.  Its send buffer holds the longest reply, which goes in one
 * non-blocking send. */
static void
tcp_accept (struct server *s, int listener)
{
  struct sockaddr_storage peer;
  socklen_t peer_len = sizeof peer;
  int fd = accept4 (listener, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0)
    return;
  int sndbuf = 4 * (2 + TCP_MESSAGE_MAX);
  size_t slot = tcp_slot_for_new (s);
  if (slot == MAX_TCP || setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0)
    {
      close (fd);
      return;
    }
  s->tcp[slot] = (struct tcp_conn){ .fd = fd, .gen = ++s->tcp_gens,
                                    .deadline = now_ms () + TCP_IDLE_MS,
                                    .peer = peer, .peer_len = peer_len };
}

/* Bytes of connection SLOT: each complete message handled; a length of 0
 * or above DNS_MESSAGE_MAX, the peer's close or an error end the
 * connection. */
static void
tcp_readable (struct server *s, size_t slot)
{
  struct tcp_conn *c = &s->tcp[slot];
  size_t room;
  uint8_t *space = dns_tcp_frame_space (&c->frame, &room);
  ssize_t n = recv (c->fd, space, room, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      tcp_close (c);
      return;
    }
  dns_tcp_frame_filled (&c->frame, (size_t)n);
  c->deadline = now_ms () + TCP_IDLE_MS;
  uint8_t query[DNS_MESSAGE_MAX];
  size_t len;
  enum dns_frame_status status;
  while (c->fd >= 0 && (status = dns_tcp_frame_next (&c->frame, query, &len)) != DNS_FRAME_MORE)
    {
      if (status == DNS_FRAME_BAD)
        {
          tcp_close (c);
          return;
        }
      struct client client = { .udp_fd = -1, .addr = c->peer, .addr_len = c->peer_len,
                               .tcp_slot = slot, .tcp_gen = c->gen };
      handle_query (s, &client, query, len);
    }
}

/* True while the network has a container. */
static bool
network_in_use (struct server *s)
{
  sqlite3_stmt *st = NULL;
  bool used = true; /* a database that cannot be read is no reason to go */
  if (sqlite3_prepare_v2 (s->db, "SELECT 1 FROM network_endpoints WHERE network = ? LIMIT 1", -1,
                          &st, NULL)
          == SQLITE_OK
      && sqlite3_bind_text (st, 1, s->network, -1, SQLITE_STATIC) == SQLITE_OK)
    {
      int rc = sqlite3_step (st);
      used = rc == SQLITE_ROW || (rc != SQLITE_DONE);
    }
  sqlite3_finalize (st);
  return used;
}

/* A socket of TYPE bound to ADDRESS:53, listening when TCP; -1 with the
 * reason on stderr. */
static int
bind_one (const char *address, int type)
{
  struct sockaddr_storage ss = { 0 };
  struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
  socklen_t len;
  if (inet_pton (AF_INET, address, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons (53);
      len = sizeof *sin;
    }
  else if (inet_pton (AF_INET6, address, &sin6->sin6_addr) == 1)
    {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons (53);
      len = sizeof *sin6;
    }
  else
    {
      fprintf (stderr, "hako-dns: `%s` is not an IP address\n", address);
      return -1;
    }
  const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
  int one = 1;
  int fd = socket (ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || (ss.ss_family == AF_INET6 && setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
                                                         sizeof one) < 0)
      || (type == SOCK_STREAM && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
      || bind (fd, (struct sockaddr *)&ss, len) < 0
      || (type == SOCK_STREAM && listen (fd, 16) < 0))
    {
      fprintf (stderr, "hako-dns: listen on %s%s%s port 53/%s: %s\n",
               ss.ss_family == AF_INET6 ? "[" : "", address, ss.ss_family == AF_INET6 ? "]" : "",
               proto, strerror (errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

static void
unlisten (struct server *s)
{
  for (size_t i = 0; i < s->n_listeners; i++)
    close (s->listeners[i]);
  s->n_listeners = 0;
}

/* UDP and TCP on each of ADDRESSES (NULL-terminated); false, with nothing
 * left open, when one fails. */
static bool
listen_on (struct server *s, char *const *addresses)
{
  for (; *addresses != NULL; addresses++)
    for (int tcp = 0; tcp <= 1; tcp++)
      {
        int fd = bind_one (*addresses, tcp ? SOCK_STREAM : SOCK_DGRAM);
        if (fd < 0)
          {
            unlisten (s);
            return false;
          }
        s->listener_tcp[s->n_listeners] = tcp;
        s->listeners[s->n_listeners++] = fd;
      }
  return true;
}

/* The connections and forwarded queries dropped (the server goes). */
static void
drop_clients (struct server *s)
{
  for (size_t i = 0; i < MAX_TCP; i++)
    if (s->tcp[i].fd >= 0)
      tcp_close (&s->tcp[i]);
  for (size_t i = 0; i < MAX_PENDING; i++)
    pending_free (&s->pending[i]);
}

/* What to wait for: listeners first, then connections, then forwarded
 * queries; ORIGIN[i] says which slot fds[i] is.  The timeout until the
 * next deadline, at most IN_USE_CHECK_MS. */
static nfds_t
wait_set (struct server *s, struct pollfd *fds, size_t *origin, int *timeout)
{
  nfds_t n = 0;
  long long now = now_ms (), next = now + IN_USE_CHECK_MS;
  for (size_t i = 0; i < s->n_listeners; i++)
    {
      origin[n] = i;
      fds[n++] = (struct pollfd){ .fd = s->listeners[i], .events = POLLIN };
    }
  for (size_t i = 0; i < MAX_TCP; i++)
    if (s->tcp[i].fd >= 0)
      {
        origin[n] = MAX_LISTENERS + i;
        fds[n++] = (struct pollfd){ .fd = s->tcp[i].fd, .events = POLLIN };
        next = s->tcp[i].deadline < next ? s->tcp[i].deadline : next;
      }
  for (size_t i = 0; i < MAX_PENDING; i++)
    if (s->pending[i].fd >= 0)
      {
        origin[n] = MAX_LISTENERS + MAX_TCP + i;
        fds[n++] = (struct pollfd){ .fd = s->pending[i].fd,
                                    .events = pending_sending (&s->pending[i]) ? POLLOUT : POLLIN };
        next = s->pending[i].deadline < next ? s->pending[i].deadline : next;
      }
  *timeout = next > now ? (int)(next - now) : 0;
  return n;
}

static void
dispatch (struct server *s, size_t origin, short revents)
{
  if (origin < MAX_LISTENERS)
    {
      if (s->listener_tcp[origin])
        tcp_accept (s, s->listeners[origin]);
      else
        udp_readable (s, s->listeners[origin]);
    }
  else if (origin < MAX_LISTENERS + MAX_TCP)
    tcp_readable (s, origin - MAX_LISTENERS);
  else
    {
      struct pending *p = &s->pending[origin - MAX_LISTENERS - MAX_TCP];
      if (pending_sending (p))
        pending_writable (p);
      else if (revents & (POLLIN | POLLHUP | POLLERR))
        pending_readable (s, p);
    }
}

static void
expire (struct server *s)
{
  long long now = now_ms ();
  for (size_t i = 0; i < MAX_TCP; i++)
    if (s->tcp[i].fd >= 0 && s->tcp[i].deadline <= now)
      tcp_close (&s->tcp[i]);
  for (size_t i = 0; i < MAX_PENDING; i++)
    pending_expire (s, &s->pending[i], now);
}

/* Serves until the network has no container. */
static void
serve (struct server *s)
{
  enum { MAX_FDS = MAX_LISTENERS + MAX_TCP + MAX_PENDING };
  struct pollfd fds[MAX_FDS];
  size_t origin[MAX_FDS];
  long long next_check = now_ms () + IN_USE_CHECK_MS;
  for (;;)
    {
      int timeout;
      nfds_t n = wait_set (s, fds, origin, &timeout);
      if (poll (fds, n, timeout) > 0)
        for (nfds_t i = 0; i < n; i++)
          if (fds[i].revents != 0)
            dispatch (s, origin[i], fds[i].revents);
      expire (s);
      if (now_ms () >= next_check)
        {
          if (!network_in_use (s))
            return;
          next_check = now_ms () + IN_USE_CHECK_MS;
        }
    }
}

/* From now on, errors have nowhere to go: hako stops waiting for them. */
static void
stderr_done (void)
{
  int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0)
    {
      dup2 (null, 2);
      close (null);
    }
}

/* --netns PATH: the server runs in that network namespace (a rootless
 * hako's, where its networks' bridges are). */
static bool
enter_netns (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns (fd, CLONE_NEWNET) < 0)
    {
      fprintf (stderr, "hako-dns: enter the network namespace `%s`: %s\n", path, strerror (errno));
      return false;
    }
  close (fd);
  return true;
}

int
main (int argc, char **argv)
{
  static struct server s; /* its tables are large: not on the stack */
  for (;;)
    {
      if (argc > 2 && strcmp (argv[1], "--netns") == 0)
        {
          if (!enter_netns (argv[2]))
            return 1;
          argv += 2;
          argc -= 2;
        }
      else if (argc > 1 && strcmp (argv[1], "--internal") == 0)
        {
          s.internal = true;
          argv++;
          argc--;
        }
      else
        break;
    }
  if (argc != 5 && argc != 6)
    {
      fprintf (stderr, "usage: hako-dns [--netns PATH] [--internal] DB NETWORK ADDRESS LOCK [ADDRESS6]\n");
      return 2;
    }
  char *addresses[] = { argv[3], argc == 6 ? argv[5] : NULL, NULL };
  int lock = open (argv[4], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock (lock, LOCK_EX | LOCK_NB) < 0)
    return 0; /* the network's server runs already */
  s.network = argv[2];
  for (size_t i = 0; i < MAX_TCP; i++)
    s.tcp[i].fd = -1;
  for (size_t i = 0; i < MAX_PENDING; i++)
    s.pending[i].fd = -1;
  if (sqlite3_open_v2 (argv[1], &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      fprintf (stderr, "hako-dns: open `%s`: %s\n", argv[1], sqlite3_errmsg (s.db));
      return 1;
    }
  sqlite3_busy_timeout (s.db, 1000);
  if (!listen_on (&s, addresses))
    return 1;
  stderr_done ();
  read_upstreams (&s);
  for (;;)
    {
      serve (&s);
      /* Going: the addresses and the lock given up, then a last look, for
       * a container that joined meanwhile and found us still running. */
      drop_clients (&s);
      unlisten (&s);
      flock (lock, LOCK_UN);
      if (!network_in_use (&s) || flock (lock, LOCK_EX | LOCK_NB) < 0 || !listen_on (&s, addresses))
        break;
    }
  sqlite3_close (s.db);
  return 0;
}
