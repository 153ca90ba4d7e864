/* SPDX-License-Identifier: Apache-2.0 */
/* The port relay (port-relay.h) as the monitor runs it for ports on
 * [::1], in this process between loopback sockets: a client on ::1, the
 * relay, and a "container" listening on 127.0.0.1.  (hako-ports, the
 * rootless relay over the same library, is run by test-rootless-ports.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "monitor/port-relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket of TYPE bound to FAMILY's loopback, port chosen by the kernel
 * (in *PORT), listening when TCP; -1 when this host has no such loopback. */
static int
loopback_socket (int family, int type, int *port)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  if (family == AF_INET6)
    {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    }
  else
    {
      struct sockaddr_in *a = (struct sockaddr_in *)&ss;
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      len = sizeof *a;
    }
  int fd = socket (family, type, 0);
  assert_true (fd >= 0);
  if (bind (fd, (struct sockaddr *)&ss, len) < 0 || (type == SOCK_STREAM && listen (fd, 8) < 0))
    {
      close (fd);
      return -1;
    }
  assert_int_equal (getsockname (fd, (struct sockaddr *)&ss, &len), 0);
  *port = ntohs (family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                    : ((struct sockaddr_in *)&ss)->sin_port);
  return fd;
}

/* The relay's loop for MS milliseconds, as the monitor runs it. */
static void
pump (struct port_relay *r, int ms)
{
  struct pollfd *fds = calloc (port_relay_max_fds (r), sizeof *fds);
  assert_non_null (fds);
  for (int spent = 0; spent < ms; spent += 10)
    {
      int timeout = 10;
      size_t n = port_relay_poll_set (r, fds, &timeout);
      int ready = poll (fds, n, timeout);
      assert_true (ready >= 0);
      port_relay_dispatch (r, fds, n);
    }
  free (fds);
}

/* A relay of PROTO from [::1] to a "container" on 127.0.0.1: *CTR the
 * container's socket, *RELAY_PORT the port on ::1; NULL (the test
 * skipped) without IPv6 loopback. */
static struct port_relay *
relay_setup (const char *proto, int *ctr, int *relay_port)
{
  int type = strcmp (proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
  int ctr_port;
  *ctr = loopback_socket (AF_INET, type, &ctr_port);
  assert_true (*ctr >= 0);
  int listener = loopback_socket (AF_INET6, type, relay_port);
  if (listener < 0)
    return NULL;
  struct port_relay *r = port_relay_new (8);
  char spec[64];
  snprintf (spec, sizeof spec, "%s/%d/127.0.0.1/%d", proto, listener, ctr_port);
  assert_true (port_relay_add (r, spec));
  return r;
}

static int
connect_relay (int type, int port)
{
  struct sockaddr_in6 a = { .sin6_family = AF_INET6,
                            .sin6_port = htons ((uint16_t)port),
                            .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int fd = socket (AF_INET6, type | SOCK_NONBLOCK, 0);
  assert_true (fd >= 0);
  int rc = connect (fd, (struct sockaddr *)&a, sizeof a);
  assert_true (rc == 0 || errno == EINPROGRESS);
  return fd;
}

/* What FD has to read after the relay ran a while ("" at its end). */
static ssize_t
read_after (struct port_relay *r, int fd, char *buf, size_t size)
{
  ssize_t n = -1;
  for (int i = 0; i < 100 && n < 0; i++)
    {
      pump (r, 10);
      n = recv (fd, buf, size, MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN)
        return -1;
    }
  return n;
}

static void
test_tcp_both_ways_with_half_close (void **state)
{
  (void)state;
  int ctr, port;
  struct port_relay *r = relay_setup ("tcp", &ctr, &port);
  if (r == NULL)
    skip (); /* no ::1 on this host */
  int client = connect_relay (SOCK_STREAM, port);
  pump (r, 50);
  assert_int_equal (send (client, "hello", 5, MSG_NOSIGNAL), 5);
  assert_int_equal (shutdown (client, SHUT_WR), 0);
  int inside = -1;
  for (int i = 0; i < 100 && inside < 0; i++)
    {
      pump (r, 10);
      inside = accept4 (ctr, NULL, NULL, SOCK_NONBLOCK);
    }
  assert_true (inside >= 0);
  char buf[16];
  assert_int_equal (read_after (r, inside, buf, sizeof buf), 5);
  assert_memory_equal (buf, "hello", 5);
  /* the client's end of writing reaches the container */
  assert_int_equal (read_after (r, inside, buf, sizeof buf), 0);
  /* and the container can still answer */
  assert_int_equal (send (inside, "world", 5, MSG_NOSIGNAL), 5);
  close (inside);
  assert_int_equal (read_after (r, client, buf, sizeof buf), 5);
  assert_memory_equal (buf, "world", 5);
  assert_int_equal (read_after (r, client, buf, sizeof buf), 0);
  close (client);
  close (ctr);
  port_relay_free (r);
}

static void
test_tcp_container_refuses (void **state)
{
  (void)state;
  int ctr, port;
  struct port_relay *r = relay_setup ("tcp", &ctr, &port);
  if (r == NULL)
    skip ();
  close (ctr); /* nothing listens in the container */
  int client = connect_relay (SOCK_STREAM, port);
  char buf[4];
  ssize_t n = read_after (r, client, buf, sizeof buf);
  assert_true (n <= 0); /* closed, not left hanging */
  close (client);
  port_relay_free (r);
}

static void
test_udp_round_trip (void **state)
{
  (void)state;
  int ctr, port;
  struct port_relay *r = relay_setup ("udp", &ctr, &port);
  if (r == NULL)
    skip ();
  int client = connect_relay (SOCK_DGRAM, port);
  assert_int_equal (send (client, "ping", 4, 0), 4);
  char buf[16];
  struct sockaddr_in from;
  socklen_t from_len = sizeof from;
  ssize_t n = -1;
  for (int i = 0; i < 100 && n < 0; i++)
    {
      pump (r, 10);
      n = recvfrom (ctr, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
    }
  assert_int_equal (n, 4);
  assert_memory_equal (buf, "ping", 4);
  assert_int_equal (sendto (ctr, "pong", 4, 0, (struct sockaddr *)&from, from_len), 4);
  assert_int_equal (read_after (r, client, buf, sizeof buf), 4);
  assert_memory_equal (buf, "pong", 4);
  close (client);
  close (ctr);
  port_relay_free (r);
}

static void
test_bad_specs (void **state)
{
  (void)state;
  struct port_relay *r = port_relay_new (8);
  const char *bad[] = { "",
                        "tcp",
                        "sctp/3/10.0.0.1/80",
                        "tcp/3/10.0.0.1/0",
                        "tcp/3/10.0.0.1/70000",
                        "tcp/1/10.0.0.1/80",
                        "tcp/3/fd00::1/80",
                        "tcp/3/10.0.0.1/80x",
                        "tcp/999/10.0.0.1/80" /* not open */ };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_false (port_relay_add (r, bad[i]));
  port_relay_free (r);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_tcp_both_ways_with_half_close),
    cmocka_unit_test (test_tcp_container_refuses),
    cmocka_unit_test (test_udp_round_trip),
    cmocka_unit_test (test_bad_specs),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
