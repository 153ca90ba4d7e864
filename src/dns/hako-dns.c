/* SPDX-License-Identifier: Apache-2.0 */
/* hako-dns DB NETWORK ADDRESS LOCK: the DNS server of one user network,
 * as Docker's embedded server and Podman's aardvark-dns.  It listens on
 * ADDRESS:53/udp (the network's gateway, on the host), answers for the
 * names of the network's containers as the store's database DB has them
 * at the moment of each query (so a container that joins, leaves,
 * connects or disconnects is seen at once), and forwards everything else
 * to the host's resolvers ($HAKO_DNS_RESOLV_CONF, else /etc/resolv.conf;
 * 127.x ones too: it runs in the host's namespace, where they are).
 *
 * hako starts it with the first container of the network (a second one
 * finds LOCK held and exits); it exits once the network has no container
 * left (checked twice a second).  Dynamically linked: ldns (messages),
 * sqlite3 and jansson (the names), none of which `hako` needs. */
#include "dns-answer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_UPSTREAMS 3
#define MESSAGE_MAX   4096

struct server
{
  sqlite3 *db;
  const char *network;
  int fd;
  struct sockaddr_in upstreams[MAX_UPSTREAMS];
  size_t n_upstreams;
};

/* The IPv4 nameservers of the host's resolv.conf. */
static void
read_upstreams (struct server *s)
{
  const char *path = getenv ("HAKO_DNS_RESOLV_CONF");
  FILE *f = fopen (path && *path ? path : "/etc/resolv.conf", "re");
  char line[512], addr[64];
  while (f != NULL && s->n_upstreams < MAX_UPSTREAMS && fgets (line, sizeof line, f) != NULL)
    {
      struct sockaddr_in *sin = &s->upstreams[s->n_upstreams];
      if (sscanf (line, " nameserver %63s", addr) != 1
          || inet_pton (AF_INET, addr, &sin->sin_addr) != 1)
        continue;
      sin->sin_family = AF_INET;
      sin->sin_port = htons (53);
      s->n_upstreams++;
    }
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

/* The names and addresses of the network's containers now; false when
 * the database cannot be read. */
static bool
load_names (struct server *s, struct names *out)
{
  sqlite3_stmt *st = NULL;
  memset (out, 0, sizeof *out);
  out->docs = json_array ();
  if (sqlite3_prepare_v2 (s->db, "SELECT address, names FROM network_endpoints WHERE network = ?",
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
      const char *cidr = (const char *)sqlite3_column_text (st, 0);
      json_t *names = json_loads ((const char *)sqlite3_column_text (st, 1), 0, NULL);
      if (cidr == NULL || !json_is_array (names))
        {
          json_decref (names);
          continue;
        }
      json_t *addr = json_stringn (cidr, strcspn (cidr, "/"));
      json_array_append_new (out->docs, names);
      json_array_append_new (out->docs, addr);
      size_t i;
      json_t *name;
      json_array_foreach (names, i, name)
      {
        out->records = realloc (out->records, (out->n + 1) * sizeof *out->records);
        if (out->records == NULL)
          abort ();
        out->records[out->n++] = (struct dns_record){ .name = json_string_value (name),
                                                      .address = json_string_value (addr) };
      }
    }
  sqlite3_finalize (st);
  return rc == SQLITE_DONE;
}

/* The reply of the first upstream that gives one within 2 s, or 0. */
static size_t
forward (struct server *s, const uint8_t *query, size_t len, uint8_t *reply)
{
  for (size_t i = 0; i < s->n_upstreams; i++)
    {
      int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return 0;
      ssize_t n = -1;
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (connect (fd, (struct sockaddr *)&s->upstreams[i], sizeof s->upstreams[i]) == 0
          && send (fd, query, len, 0) == (ssize_t)len && poll (&p, 1, 2000) == 1)
        n = recv (fd, reply, MESSAGE_MAX, 0);
      close (fd);
      /* the same ID, or it is not the answer to this query */
      if (n >= 12 && memcmp (reply, query, 2) == 0)
        return (size_t)n;
    }
  return 0;
}

static void
serve_one (struct server *s)
{
  uint8_t query[MESSAGE_MAX], relayed[MESSAGE_MAX];
  struct sockaddr_storage from;
  socklen_t from_len = sizeof from;
  ssize_t len = recvfrom (s->fd, query, sizeof query, 0, (struct sockaddr *)&from, &from_len);
  if (len <= 0)
    return;
  struct names names;
  if (!load_names (s, &names))
    {
      names_clear (&names);
      return;
    }
  uint8_t *reply = NULL;
  size_t reply_len = 0;
  switch (dns_answer (query, (size_t)len, names.records, names.n, &reply, &reply_len))
    {
    case DNS_ANSWER:
      sendto (s->fd, reply, reply_len, 0, (struct sockaddr *)&from, from_len);
      break;
    case DNS_FORWARD:
      reply_len = forward (s, query, (size_t)len, relayed);
      if (reply_len > 0)
        sendto (s->fd, relayed, reply_len, 0, (struct sockaddr *)&from, from_len);
      break;
    case DNS_DROP:
      break;
    }
  free (reply);
  names_clear (&names);
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

static int
listen_on (const char *address)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (53) };
  if (inet_pton (AF_INET, address, &sin.sin_addr) != 1)
    {
      fprintf (stderr, "hako-dns: `%s` is not an IPv4 address\n", address);
      return -1;
    }
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *)&sin, sizeof sin) < 0)
    {
      fprintf (stderr, "hako-dns: listen on %s:53: %s\n", address, strerror (errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

int
main (int argc, char **argv)
{
  if (argc != 5)
    {
      fprintf (stderr, "usage: hako-dns DB NETWORK ADDRESS LOCK\n");
      return 2;
    }
  int lock = open (argv[4], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock (lock, LOCK_EX | LOCK_NB) < 0)
    return 0; /* the network's server runs already */
  struct server s = { .network = argv[2] };
  if (sqlite3_open_v2 (argv[1], &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      fprintf (stderr, "hako-dns: open `%s`: %s\n", argv[1], sqlite3_errmsg (s.db));
      return 1;
    }
  sqlite3_busy_timeout (s.db, 1000);
  if ((s.fd = listen_on (argv[3])) < 0)
    return 1;
  read_upstreams (&s);
  for (;;)
    {
      while (network_in_use (&s))
        {
          struct pollfd p = { .fd = s.fd, .events = POLLIN };
          if (poll (&p, 1, 500) == 1)
            serve_one (&s);
        }
      /* Going: the address and the lock given up, then a last look, for
       * a container that joined meanwhile and found us still running. */
      close (s.fd);
      flock (lock, LOCK_UN);
      if (!network_in_use (&s) || flock (lock, LOCK_EX | LOCK_NB) < 0
          || (s.fd = listen_on (argv[3])) < 0)
        break;
    }
  sqlite3_close (s.db);
  return 0;
}
