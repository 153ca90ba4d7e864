/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's network logic that needs no root: the conflist of an
 * attachment, a network's host rules, published ports, /etc/hosts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"
#include "engine/ctr-ports.h"
#include "engine/etc-files.h"
#include "engine/network-conflist.h"
#include "engine/network-host.h"
#include "network/cni-config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct network net = {
  .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  .name = "front",
  .driver = "bridge",
  .subnet = "10.89.3.0/24",
  .gateway = "10.89.3.1",
  .bridge = "hk-0123456789ab",
};

static json_t *
plugin (json_t *list, size_t i)
{
  return json_array_get (json_object_get (list, "plugins"), i);
}

static void
test_conflist_plain (void **state)
{
  (void)state;
  struct conflist_needs needs = { 0 };
  _cleanup_json_ json_t *l = network_conflist (&net, "/run/hako/networks/ipam", &needs);
  /* what hako makes is a valid list */
  struct cni_conflist *checked = NULL;
  struct hk_error *err = NULL;
  if (cni_conflist_from_json (l, &checked, &err) < 0)
    fail_msg ("%s", err->message);
  cni_conflist_free (checked);
  assert_int_equal (json_array_size (json_object_get (l, "plugins")), 1);
  json_t *bridge = plugin (l, 0);
  assert_string_equal (json_string_value (json_object_get (bridge, "bridge")), "hk-0123456789ab");
  assert_true (json_is_true (json_object_get (bridge, "isGateway")));
  assert_true (json_is_false (json_object_get (bridge, "ipMasq"))); /* NAT is the network's */
  assert_null (json_object_get (bridge, "capabilities"));
  json_t *ipam = json_object_get (bridge, "ipam");
  assert_string_equal (json_string_value (json_object_get (ipam, "dataDir")),
                       "/run/hako/networks/ipam");
  assert_non_null (json_object_get (ipam, "routes"));
}

static void
test_conflist_needs (void **state)
{
  (void)state;
  struct conflist_needs needs = { .ports = true, .mac = true, .static_ip = true };
  _cleanup_json_ json_t *l = network_conflist (&net, "/ipam", &needs);
  assert_int_equal (json_array_size (json_object_get (l, "plugins")), 3);
  assert_true (
      json_is_true (json_object_get (json_object_get (plugin (l, 0), "capabilities"), "ips")));
  assert_string_equal (json_string_value (json_object_get (plugin (l, 1), "type")), "portmap");
  assert_true (json_is_true (
      json_object_get (json_object_get (plugin (l, 1), "capabilities"), "portMappings")));
  assert_string_equal (json_string_value (json_object_get (plugin (l, 2), "type")), "tuning");
}

/* An internal network: no gateway on the bridge, no route, no ports. */
static void
test_conflist_internal (void **state)
{
  (void)state;
  struct network internal = net;
  internal.internal = true;
  struct conflist_needs needs = { .ports = true };
  _cleanup_json_ json_t *l = network_conflist (&internal, "/ipam", &needs);
  assert_int_equal (json_array_size (json_object_get (l, "plugins")), 1);
  json_t *bridge = plugin (l, 0);
  assert_true (json_is_false (json_object_get (bridge, "isGateway")));
  assert_null (json_object_get (json_object_get (bridge, "ipam"), "routes"));
}

static void
test_host_rules (void **state)
{
  (void)state;
  _cleanup_free_ char *rules = network_host_rules (&net);
  assert_non_null (strstr (rules, "*nat\n-A POSTROUTING -s 10.89.3.0/24 ! -d 10.89.3.0/24 -m "
                                  "comment --comment hako:0123456789ab -j MASQUERADE\n"));
  assert_non_null (strstr (rules, "-I FORWARD -i hk-0123456789ab -m comment --comment "
                                  "hako:0123456789ab -j ACCEPT\n"));
  assert_null (strstr (rules, "DROP"));
  struct network internal = net;
  internal.internal = true;
  _cleanup_free_ char *closed = network_host_rules (&internal);
  assert_null (strstr (closed, "MASQUERADE"));
  assert_non_null (strstr (closed, "-I FORWARD -i hk-0123456789ab ! -o hk-0123456789ab"));
  const char *drop = strstr (closed, "-I INPUT -i hk-0123456789ab -m comment --comment "
                                     "hako:0123456789ab -j DROP\n");
  assert_non_null (drop);
  /* the network's DNS server let in: inserted after the DROP, so before it */
  const char *dns = strstr (closed, "-I INPUT -i hk-0123456789ab -d 10.89.3.1 -p udp --dport 53 "
                                    "-m comment --comment hako:0123456789ab -j ACCEPT\n");
  assert_non_null (dns);
  assert_true (dns > drop);
  assert_non_null (strstr (closed, "-d 10.89.3.1 -p tcp --dport 53"));
}

/* A configuration that publishes TEXT (-p), each entry. */
static void
publish (struct ctr_config *c, char *const *texts)
{
  ctr_config_init (c);
  struct hk_error *err = NULL;
  for (size_t i = 0; texts[i]; i++)
    if (config_parse_publish (c, texts[i], &err) < 0)
      fail_msg ("%s", err->message);
}

static void
test_publish_all (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  char *given[] = { "8080:80", NULL };
  publish (&c, given);
  char *exposed[] = { "80/tcp", "53/udp", "443", NULL };
  ctr_ports_publish_all (&c, exposed);
  assert_int_equal (c.n_ports, 3); /* 80/tcp was published by -p already */
  assert_string_equal (c.ports[0].host_port, "8080");
  assert_string_equal (c.ports[1].protocol, "udp");
  assert_string_equal (c.ports[2].protocol, "tcp");
}

/* A TCP socket listening on 127.0.0.1, its port in *PORT. */
static int
listener (int *port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  assert_int_equal (bind (fd, (struct sockaddr *)&sin, len), 0);
  assert_int_equal (listen (fd, 1), 0);
  assert_int_equal (getsockname (fd, (struct sockaddr *)&sin, &len), 0);
  *port = ntohs (sin.sin_port);
  return fd;
}

static void
test_resolve_ports (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  char *given[] = { "127.0.0.1::80-81", "127.0.0.1::53/udp", NULL };
  publish (&c, given);
  json_t *out = NULL;
  struct hk_error *err = NULL;
  if (ctr_ports_resolve (c.ports, c.n_ports, NULL, 0, &out, &err) < 0)
    fail_msg ("%s", err->message);
  assert_int_equal (json_array_size (out), 3);
  json_int_t p80 = json_integer_value (json_object_get (json_array_get (out, 0), "HostPort"));
  json_int_t p81 = json_integer_value (json_object_get (json_array_get (out, 1), "HostPort"));
  assert_true (p80 > 0 && p81 > 0 && p80 != p81);
  assert_int_equal (json_integer_value (json_object_get (json_array_get (out, 1), "ContainerPort")),
                    81);
  _cleanup_json_ json_t *maps = ctr_ports_portmap (out);
  assert_string_equal (json_string_value (json_object_get (json_array_get (maps, 2), "protocol")),
                       "udp");
  assert_string_equal (json_string_value (json_object_get (json_array_get (maps, 0), "hostIP")),
                       "127.0.0.1");
  json_decref (out);
}

static char *
resolve_error (const char *text, struct network_endpoint *const *taken, size_t n)
{
  _cleanup_ctr_config_ struct ctr_config c;
  char *given[] = { (char *)text, NULL };
  publish (&c, given);
  json_t *out = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (ctr_ports_resolve (c.ports, c.n_ports, taken, n, &out, &err), -1);
  char *msg = xstrdup (err->message);
  hk_error_free (err);
  return msg;
}

static void
test_ports_taken (void **state)
{
  (void)state;
  int port;
  int fd = listener (&port);
  char busy[32];
  snprintf (busy, sizeof busy, "%d:80", port);
  _cleanup_free_ char *m1 = resolve_error (busy, NULL, 0);
  assert_non_null (strstr (m1, "is already in use on the host"));
  close (fd);
  /* published by another container: no socket, but a DNAT rule */
  _cleanup_json_ json_t *ports = json_pack ("[{s:s, s:i, s:i, s:s}]", "HostIp", "", "HostPort",
                                            port, "ContainerPort", 80, "Protocol", "tcp");
  struct network_endpoint other = { .container_id = "fedcba9876543210ffff", .ports = ports };
  struct network_endpoint *taken[] = { &other };
  _cleanup_free_ char *m2 = resolve_error (busy, taken, 1);
  assert_non_null (strstr (m2, "is already published by container fedcba987654"));
  _cleanup_free_ char *m3 = resolve_error ("8000-8002:80-81", NULL, 0);
  assert_non_null (strstr (m3, "the ranges differ in length"));
}

static void
test_hosts_peers (void **state)
{
  (void)state;
  char *web[] = { "web", "www", "0123456789ab", NULL };
  struct etc_host peers[] = { { .ip = "10.89.3.2", .names = web } };
  const char *extra[] = { "db:10.0.0.9", NULL };
  struct etc_files f = {
    .hostname = "box", .ip = "10.89.3.3", .extra_hosts = extra, .peers = peers, .n_peers = 1
  };
  _cleanup_free_ char *hosts = etc_files_hosts (&f);
  assert_non_null (strstr (hosts, "127.0.0.1\tlocalhost\n"));
  assert_non_null (strstr (hosts, "10.89.3.3\tbox\n"));
  assert_non_null (strstr (hosts, "10.0.0.9\tdb\n"));
  assert_non_null (strstr (hosts, "10.89.3.2\tweb\twww\t0123456789ab\n"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_conflist_plain),    cmocka_unit_test (test_conflist_needs),
    cmocka_unit_test (test_conflist_internal), cmocka_unit_test (test_host_rules),
    cmocka_unit_test (test_publish_all),       cmocka_unit_test (test_resolve_ports),
    cmocka_unit_test (test_ports_taken),       cmocka_unit_test (test_hosts_peers),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
