/* SPDX-License-Identifier: Apache-2.0 */
/* The rootless network namespace's checks and the port relay of rootless
 * containers on user networks (rootless-ports.h): listening addresses,
 * and a relay run for real on 127.0.0.1 whose "rootless namespace" is the
 * test's own (RUNROOT/netns/rootless a symlink to /proc/self/ns/net), TCP
 * both ways with the end of a stream passed on, UDP both ways, a port it
 * cannot bind, its stop, 8 MiB in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "engine/rootless-netns.h"
#include "engine/rootless-ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_address (void **state)
{
  (void)state;
  struct sockaddr_storage ss;
  socklen_t len = 0;
  assert_true (rootless_ports_address ("", 8080, &ss, &len));
  const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;
  assert_int_equal (ss.ss_family, AF_INET);
  assert_int_equal (len, sizeof (struct sockaddr_in));
  assert_int_equal (ntohs (v4->sin_port), 8080);
  assert_int_equal (v4->sin_addr.s_addr, htonl (INADDR_ANY));
  assert_true (rootless_ports_address ("127.0.0.1", 80, &ss, &len));
  assert_int_equal (v4->sin_addr.s_addr, htonl (INADDR_LOOPBACK));
  assert_true (rootless_ports_address ("::1", 80, &ss, &len));
  assert_int_equal (ss.ss_family, AF_INET6);
  assert_int_equal (len, sizeof (struct sockaddr_in6));
  assert_false (rootless_ports_address ("localhost", 80, &ss, &len));
  assert_false (rootless_ports_address ("127.0.0.1", 0, &ss, &len));
  assert_false (rootless_ports_address ("127.0.0.1", 65536, &ss, &len));
}

/* A file that is not a mounted namespace (left by a crash, or by a
 * mount namespace that ended) is told from one. */
static void
test_is_namespace (void **state)
{
  (void)state;
  assert_true (rootless_netns_is_namespace ("/proc/self/ns/net"));
  char file[] = "/tmp/hako-test-netns-XXXXXX";
  int fd = mkstemp (file);
  assert_true (fd >= 0);
  close (fd);
  assert_false (rootless_netns_is_namespace (file));
  unlink (file);
  assert_false (rootless_netns_is_namespace (file));
}

/* A socket of TYPE on 127.0.0.1 and a port the kernel chose. */
static int
bound (int type, int *port)
{
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  assert_true (fd >= 0);
  assert_int_equal (bind (fd, (struct sockaddr *)&a, sizeof a), 0);
  if (type == SOCK_STREAM)
    assert_int_equal (listen (fd, 8), 0);
  assert_int_equal (getsockname (fd, (struct sockaddr *)&a, &len), 0);
  *port = ntohs (a.sin_port);
  return fd;
}

/* A port nobody holds now. */
static int
free_port (int type)
{
  int port;
  close (bound (type, &port));
  return port;
}

static int
connect_to (int type, int port)
{
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET,
                           .sin_port = htons ((uint16_t)port),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  assert_true (fd >= 0);
  assert_int_equal (connect (fd, (struct sockaddr *)&a, sizeof a), 0);
  return fd;
}

/* LEN bytes read from FD within 5 s. */
static void
read_exactly (int fd, char *buf, size_t len)
{
  size_t have = 0;
  while (have < len)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      assert_int_equal (poll (&p, 1, 5000), 1);
      ssize_t n = read (fd, buf + have, len - have);
      assert_true (n > 0);
      have += (size_t)n;
    }
}

struct fixture
{
  char runroot[64];
  struct engine e;
  struct ctr_record r;
};

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  strcpy (f->runroot, "/tmp/hako-test-relay-XXXXXX");
  assert_non_null (mkdtemp (f->runroot));
  _cleanup_free_ char *dir = xasprintf ("%s/netns", f->runroot);
  _cleanup_free_ char *link = xasprintf ("%s/netns/rootless", f->runroot);
  assert_int_equal (mkdir (dir, 0700), 0);
  /* the relay enters "the rootless namespace": its own */
  assert_int_equal (symlink ("/proc/self/ns/net", link), 0);
  f->e.runroot = f->runroot;
  f->r.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  f->r.name = "web";
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  _cleanup_close_ int dfd = open ("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct hk_error *err = NULL;
  assert_int_equal (fs_remove_tree (dfd, f->runroot + strlen ("/tmp/"), &err), 0);
  free (f);
  return 0;
}

static char *
relay_pid_path (const struct fixture *f)
{
  return xasprintf ("%s/netns/%s.ports.pid", f->runroot, f->r.id);
}

/* True once process PID has ended (or is a zombie its init keeps). */
static bool
ended (int pid)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/stat", pid);
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, 4096, &text, NULL, NULL) < 0)
    return true;
  const char *end = strrchr (text, ')');
  return end != NULL && end[2] == 'Z';
}

static void
test_relay (void **state)
{
  struct fixture *f = *state;
  if (geteuid () != 0)
    skip (); /* entering a network namespace, even one's own, needs CAP_SYS_ADMIN */
  int tcp_port, udp_port;
  int tcp_server = bound (SOCK_STREAM, &tcp_port);
  int udp_server = bound (SOCK_DGRAM, &udp_port);
  int tcp_published = free_port (SOCK_STREAM), udp_published = free_port (SOCK_DGRAM);
  _cleanup_json_ json_t *ports = json_pack (
      "[{s:s, s:i, s:i, s:s}, {s:s, s:i, s:i, s:s}]", "HostIp", "127.0.0.1", "HostPort",
      tcp_published, "ContainerPort", tcp_port, "Protocol", "tcp", "HostIp", "127.0.0.1",
      "HostPort", udp_published, "ContainerPort", udp_port, "Protocol", "udp");
  struct hk_error *err = NULL;
  if (rootless_ports_start (&f->e, &f->r, ports, "127.0.0.1/8", &err) < 0)
    fail_msg ("%s", err->message);
  _cleanup_free_ char *pid_file = relay_pid_path (f);
  _cleanup_free_ char *pid_text = NULL;
  assert_int_equal (fs_read_file (AT_FDCWD, pid_file, 128, &pid_text, NULL, NULL), 0);
  int pid = atoi (pid_text);
  assert_true (pid > 0);

  /* TCP: both ways, and the client's end of stream reaches the server */
  int client = connect_to (SOCK_STREAM, tcp_published);
  int conn = accept4 (tcp_server, NULL, NULL, SOCK_CLOEXEC);
  assert_true (conn >= 0);
  char buf[16] = "";
  assert_int_equal (write (client, "hello", 5), 5);
  read_exactly (conn, buf, 5);
  assert_memory_equal (buf, "hello", 5);
  assert_int_equal (write (conn, "world!", 6), 6);
  read_exactly (client, buf, 6);
  assert_memory_equal (buf, "world!", 6);
  assert_int_equal (shutdown (client, SHUT_WR), 0);
  struct pollfd p = { .fd = conn, .events = POLLIN };
  assert_int_equal (poll (&p, 1, 5000), 1);
  assert_int_equal (read (conn, buf, sizeof buf), 0);
  close (conn);
  close (client);

  /* UDP: a datagram there and the answer back to the client */
  int uclient = connect_to (SOCK_DGRAM, udp_published);
  assert_int_equal (send (uclient, "ping", 4, 0), 4);
  struct sockaddr_storage from;
  socklen_t from_len = sizeof from;
  p = (struct pollfd){ .fd = udp_server, .events = POLLIN };
  assert_int_equal (poll (&p, 1, 5000), 1);
  assert_int_equal (recvfrom (udp_server, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len),
                    4);
  assert_memory_equal (buf, "ping", 4);
  assert_int_equal (sendto (udp_server, "pong", 4, 0, (struct sockaddr *)&from, from_len), 4);
  p = (struct pollfd){ .fd = uclient, .events = POLLIN };
  assert_int_equal (poll (&p, 1, 5000), 1);
  assert_int_equal (recv (uclient, buf, sizeof buf, 0), 4);
  assert_memory_equal (buf, "pong", 4);
  close (uclient);

  /* stopped: the process and its pid file gone, the port free again */
  rootless_ports_stop (&f->e, &f->r);
  assert_true (ended (pid));
  assert_int_equal (access (pid_file, F_OK), -1);
  int again = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt (again, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET,
                           .sin_port = htons ((uint16_t)tcp_published),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  assert_int_equal (bind (again, (struct sockaddr *)&a, sizeof a), 0);
  close (again);
  close (tcp_server);
  close (udp_server);
}

/* 8 MiB from the "container" to the client through the relay, whose
 * pipes fill and drain many times: every byte in order, then the end of
 * the stream. */
static void
test_relay_bulk (void **state)
{
  struct fixture *f = *state;
  if (geteuid () != 0)
    skip (); /* entering a network namespace, even one's own, needs CAP_SYS_ADMIN */
  int tcp_port;
  int tcp_server = bound (SOCK_STREAM, &tcp_port);
  int published = free_port (SOCK_STREAM);
  _cleanup_json_ json_t *ports
      = json_pack ("[{s:s, s:i, s:i, s:s}]", "HostIp", "127.0.0.1", "HostPort", published,
                   "ContainerPort", tcp_port, "Protocol", "tcp");
  struct hk_error *err = NULL;
  if (rootless_ports_start (&f->e, &f->r, ports, "127.0.0.1", &err) < 0)
    fail_msg ("%s", err->message);
  int client = connect_to (SOCK_STREAM, published);
  int conn = accept4 (tcp_server, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  assert_true (conn >= 0);
  const size_t total = 8u << 20;
  size_t sent = 0, got = 0;
  bool eof = false;
  static unsigned char buf[100000];
  while (!eof)
    {
      struct pollfd p[2] = { { .fd = client, .events = POLLIN },
                             { .fd = conn, .events = sent < total ? POLLOUT : 0 } };
      assert_true (poll (p, 2, 5000) > 0);
      if (p[1].revents & POLLOUT)
        {
          size_t chunk = total - sent < sizeof buf ? total - sent : sizeof buf;
          for (size_t i = 0; i < chunk; i++)
            buf[i] = (unsigned char)((sent + i) * 7);
          ssize_t n = write (conn, buf, chunk);
          assert_true (n > 0 || errno == EAGAIN);
          if (n > 0 && (sent += (size_t)n) == total)
            assert_int_equal (shutdown (conn, SHUT_WR), 0);
        }
      if (p[0].revents & POLLIN)
        {
          unsigned char in[65536];
          ssize_t n = read (client, in, sizeof in);
          assert_true (n >= 0);
          for (ssize_t i = 0; i < n; i++)
            if (in[i] != (unsigned char)((got + (size_t)i) * 7))
              fail_msg ("byte %zu differs", got + (size_t)i);
          got += (size_t)n;
          eof = n == 0;
        }
    }
  assert_int_equal (got, total);
  close (client);
  close (conn);
  close (tcp_server);
  rootless_ports_stop (&f->e, &f->r);
}

/* A port the relay cannot bind is the error, naming it; nothing runs. */
static void
test_relay_port_taken (void **state)
{
  struct fixture *f = *state;
  int taken;
  int holder = bound (SOCK_STREAM, &taken);
  _cleanup_json_ json_t *ports
      = json_pack ("[{s:s, s:i, s:i, s:s}]", "HostIp", "127.0.0.1", "HostPort", taken,
                   "ContainerPort", 80, "Protocol", "tcp");
  struct hk_error *err = NULL;
  assert_int_equal (rootless_ports_start (&f->e, &f->r, ports, "10.89.0.2/24", &err), -1);
  _cleanup_free_ char *want = xasprintf ("-p 127.0.0.1:%d/tcp: Address already in use", taken);
  assert_non_null (strstr (err->message, want));
  hk_error_free (err);
  _cleanup_free_ char *pid_file = relay_pid_path (f);
  assert_int_equal (access (pid_file, F_OK), -1);
  close (holder);
}

static void
test_relay_bad_input (void **state)
{
  struct fixture *f = *state;
  struct hk_error *err = NULL;
  _cleanup_json_ json_t *sctp = json_pack ("[{s:s, s:i, s:i, s:s}]", "HostIp", "", "HostPort", 8080,
                                           "ContainerPort", 80, "Protocol", "sctp");
  assert_int_equal (rootless_ports_start (&f->e, &f->r, sctp, "10.89.0.2/24", &err), -1);
  assert_non_null (strstr (err->message, "-p 8080/sctp: only tcp and udp"));
  hk_error_freep (&err);
  _cleanup_json_ json_t *ok = json_pack ("[{s:s, s:i, s:i, s:s}]", "HostIp", "", "HostPort", 8080,
                                         "ContainerPort", 80, "Protocol", "tcp");
  assert_int_equal (rootless_ports_start (&f->e, &f->r, ok, "fd00::2/64", &err), -1);
  assert_non_null (strstr (err->message, "not the container's IPv4 address"));
  hk_error_free (err);
  /* no ports: nothing to run, no error */
  _cleanup_json_ json_t *none = json_array ();
  assert_int_equal (rootless_ports_start (&f->e, &f->r, none, "10.89.0.2/24", NULL), 0);
  _cleanup_free_ char *pid_file = relay_pid_path (f);
  assert_int_equal (access (pid_file, F_OK), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_address),
    cmocka_unit_test (test_is_namespace),
    cmocka_unit_test_setup_teardown (test_relay, setup, teardown),
    cmocka_unit_test_setup_teardown (test_relay_bulk, setup, teardown),
    cmocka_unit_test_setup_teardown (test_relay_port_taken, setup, teardown),
    cmocka_unit_test_setup_teardown (test_relay_bad_input, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
