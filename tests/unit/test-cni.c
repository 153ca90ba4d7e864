/* SPDX-License-Identifier: Apache-2.0 */
/* The CNI client's parsers: configuration lists, the execution
 * configuration derived from them, plugin results, errors and version
 * answers, and the result cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "network/cni.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char good_list[]
    = "{\"cniVersion\":\"1.0.0\",\"name\":\"dbnet\",\"plugins\":["
      "{\"type\":\"bridge\",\"bridge\":\"cni0\",\"keyA\":[\"x\"],"
      "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.1.0.0/16\"}},"
      "{\"type\":\"tuning\",\"capabilities\":{\"mac\":true},\"sysctl\":{\"net.core.somaxconn\":"
      "\"500\"}},"
      "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true,\"ips\":false}}]}";

static struct cni_conflist *
parse_list (const char *text)
{
  struct cni_conflist *l = NULL;
  struct hk_error *err = NULL;
  if (cni_conflist_parse (text, strlen (text), &l, &err) < 0)
    fail_msg ("%s", err->message);
  return l;
}

/* The error message of parsing TEXT as a list, which must fail. */
static char *
list_error (const char *text)
{
  struct cni_conflist *l = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (cni_conflist_parse (text, strlen (text), &l, &err), -1);
  assert_null (l);
  char *msg = xstrdup (err->message);
  hk_error_free (err);
  return msg;
}

static void
test_conflist_good (void **state)
{
  (void)state;
  _cleanup_cni_conflist_ struct cni_conflist *l = parse_list (good_list);
  assert_string_equal (l->cni_version, "1.0.0");
  assert_string_equal (l->name, "dbnet");
  assert_false (l->disable_check);
  assert_int_equal (cni_conflist_size (l), 3);
  assert_string_equal (cni_plugin_type (l, 0), "bridge");
  assert_string_equal (cni_plugin_type (l, 2), "portmap");
}

static void
test_conflist_bad (void **state)
{
  (void)state;
  static const struct
  {
    const char *text, *expect;
  } cases[] = {
    { "[]", "expected a JSON object" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}", "single plugin" },
    { "{\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\"}]}", "cniVersion: required" },
    { "{\"cniVersion\":\"1.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\"}]}", "`1.0`" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"-n\",\"plugins\":[{\"type\":\"bridge\"}]}",
      "name: `-n`" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}", "plugins: the list is empty" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[1]}",
      "plugins[0]: expected an object" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{}]}", "plugins[0].type: required" },
    /* a type names a file in the plugin directories, never a path */
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../../bin/sh\"}]}",
      "plugins[0].type: `../../bin/sh` is not a plugin name" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"..\"}]}", "not a plugin" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\",\"capabilities\":{"
      "\"mac\":1}}]}",
      "plugins[0].capabilities.mac: expected a boolean" },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"disableCheck\":3,\"plugins\":[{\"type\":\"x\"}]}",
      "disableCheck" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      _cleanup_free_ char *msg = list_error (cases[i].text);
      if (strstr (msg, cases[i].expect) == NULL)
        fail_msg ("case %zu: \"%s\" does not say \"%s\"", i, msg, cases[i].expect);
    }
}

static void
test_conflist_disable_check_string (void **state)
{
  (void)state;
  _cleanup_cni_conflist_ struct cni_conflist *l
      = parse_list ("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"disableCheck\":\"true\","
                    "\"plugins\":[{\"type\":\"x\"}]}");
  assert_true (l->disable_check);
}

/* Spec section 3: name and cniVersion from the list, runtimeConfig from
 * the declared capabilities only, capabilities removed, the rest as is. */
static void
test_exec_config (void **state)
{
  (void)state;
  _cleanup_cni_conflist_ struct cni_conflist *l = parse_list (good_list);
  _cleanup_json_ json_t *caps
      = json_pack ("{s:s, s:[{s:i, s:i, s:s}], s:[s]}", "mac", "00:11:22:33:44:66", "portMappings",
                   "hostPort", 8080, "containerPort", 80, "protocol", "tcp", "ips", "10.1.0.5");
  _cleanup_json_ json_t *prev = json_pack ("{s:s, s:[]}", "cniVersion", "1.0.0", "ips");
  _cleanup_json_ json_t *bridge = cni_exec_config (l, 0, caps, NULL, NULL);
  assert_string_equal (json_string_value (json_object_get (bridge, "name")), "dbnet");
  assert_string_equal (json_string_value (json_object_get (bridge, "cniVersion")), "1.0.0");
  assert_string_equal (json_string_value (json_object_get (bridge, "bridge")), "cni0");
  assert_non_null (json_object_get (bridge, "keyA"));
  assert_null (json_object_get (bridge, "runtimeConfig")); /* it declares nothing */
  assert_null (json_object_get (bridge, "prevResult"));
  _cleanup_json_ json_t *tuning = cni_exec_config (l, 1, caps, NULL, prev);
  json_t *rc = json_object_get (tuning, "runtimeConfig");
  assert_string_equal (json_string_value (json_object_get (rc, "mac")), "00:11:22:33:44:66");
  assert_int_equal (json_object_size (rc), 1);
  assert_null (json_object_get (tuning, "capabilities"));
  assert_true (json_equal (json_object_get (tuning, "prevResult"), prev));
  _cleanup_json_ json_t *portmap = cni_exec_config (l, 2, caps, NULL, prev);
  rc = json_object_get (portmap, "runtimeConfig");
  assert_non_null (json_object_get (rc, "portMappings"));
  assert_null (json_object_get (rc, "ips")); /* declared false */
}

static const char result_v1[]
    = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":\"00:11:22:33:44:55\"},"
      "{\"name\":\"veth3243\",\"mac\":\"55:44:33:22:11:11\"},{\"name\":\"eth0\","
      "\"mac\":\"99:88:77:66:55:44\",\"sandbox\":\"/run/netns/blue\"}],"
      "\"ips\":[{\"address\":\"fd00::5/64\",\"interface\":2},"
      "{\"address\":\"10.1.0.1/16\",\"interface\":0},"
      "{\"address\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"interface\":2}],"
      "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"10.9.0.0/16\",\"gw\":\"10.1.0.9\"}],"
      "\"dns\":{\"nameservers\":[\"10.1.0.1\"],\"search\":[\"example.com\"],\"domain\":\"x\"}}";

static struct cni_result *
parse_result (const char *text)
{
  struct cni_result *r = NULL;
  struct hk_error *err = NULL;
  if (cni_result_parse (text, strlen (text), &r, &err) < 0)
    fail_msg ("%s", err->message);
  return r;
}

static void
test_result_v1 (void **state)
{
  (void)state;
  _cleanup_cni_result_ struct cni_result *r = parse_result (result_v1);
  assert_int_equal (r->n_interfaces, 3);
  assert_string_equal (r->interfaces[2].sandbox, "/run/netns/blue");
  assert_null (r->interfaces[0].sandbox);
  assert_int_equal (r->n_ips, 3);
  assert_int_equal (r->n_routes, 2);
  assert_null (r->routes[0].gw);
  assert_string_equal (r->routes[1].gw, "10.1.0.9");
  assert_string_equal (r->nameservers[0], "10.1.0.1");
  assert_string_equal (r->search[0], "example.com");
  assert_null (r->options[0]);
  assert_string_equal (r->domain, "x");
  /* the container's address: on the sandbox interface, not the bridge's */
  const struct cni_ip *ip = cni_result_address (r, AF_INET);
  assert_non_null (ip);
  assert_string_equal (ip->address, "10.1.0.5/16");
  assert_string_equal (ip->gateway, "10.1.0.1");
  assert_string_equal (cni_result_ip_interface (r, ip)->mac, "99:88:77:66:55:44");
  assert_string_equal (cni_result_address (r, AF_INET6)->address, "fd00::5/64");
}

/* An IPAM plugin's result (no interfaces) and the 0.4 shape. */
static void
test_result_ipam_and_v04 (void **state)
{
  (void)state;
  _cleanup_cni_result_ struct cni_result *r = parse_result (
      "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.2.0.7/24\","
      "\"gateway\":\"10.2.0.1\"}],\"dns\":{}}");
  assert_int_equal (r->n_interfaces, 0);
  assert_int_equal (r->ips[0].interface, -1);
  assert_string_equal (cni_result_address (r, AF_INET)->address, "10.2.0.7/24");
  assert_null (cni_result_address (r, AF_INET6));
  assert_null (r->nameservers[0]);
}

static void
test_result_bad (void **state)
{
  (void)state;
  static const struct
  {
    const char *text, *expect;
  } cases[] = {
    { "[1]", "expected a JSON object" },
    { "{\"ips\":{}}", "ips: expected an array" },
    { "{\"ips\":[{\"address\":\"10.1.0.5\"}]}",
      "ips[0].address: `10.1.0.5` is not ADDRESS/PREFIX" },
    { "{\"ips\":[{\"address\":\"10.1.0.5/33\"}]}", "ips[0].address" },
    { "{\"ips\":[{\"address\":\"10.1.0.5/24\",\"gateway\":\"fd00::1\"}]}", "ips[0].gateway" },
    { "{\"ips\":[{\"address\":\"10.1.0.5/24\",\"interface\":0}]}", "ips[0].interface: 0" },
    { "{\"interfaces\":[{\"name\":\"e\"}],\"ips\":[{\"address\":\"10.1.0.5/"
      "24\",\"interface\":-2}]}",
      "ips[0].interface: -2" },
    { "{\"ips\":[{\"address\":\"10.1.0.5/24\",\"version\":\"6\"}]}", "ips[0].version" },
    { "{\"interfaces\":[{\"mac\":\"00:11:22:33:44:55\"}]}", "interfaces[0].name: required" },
    { "{\"interfaces\":[{\"name\":\"e\",\"mac\":\"00:11:22:33:44\"}]}", "interfaces[0].mac" },
    { "{\"interfaces\":[{\"name\":\"e\",\"mac\":\"00:11:22:33:44:5g\"}]}", "interfaces[0].mac" },
    { "{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", "routes[0].dst: required" },
    { "{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"x\"}]}", "routes[0].gw" },
    { "{\"dns\":{\"nameservers\":[\"dns.example\"]}}", "dns.nameservers[0]" },
    { "{\"dns\":{\"search\":\"x\"}}", "dns.search" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct cni_result *r = NULL;
      struct hk_error *err = NULL;
      assert_int_equal (cni_result_parse (cases[i].text, strlen (cases[i].text), &r, &err), -1);
      assert_null (r);
      if (strstr (err->message, cases[i].expect) == NULL)
        fail_msg ("case %zu: \"%s\" does not say \"%s\"", i, err->message, cases[i].expect);
      hk_error_free (err);
    }
}

static void
test_error_message (void **state)
{
  (void)state;
  int code = 0;
  const char e1[] = "{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"failed to allocate\","
                    "\"details\":\"no IP addresses available in range set\"}";
  _cleanup_free_ char *m1 = cni_error_message (e1, strlen (e1), &code);
  assert_string_equal (m1, "failed to allocate: no IP addresses available in range set");
  assert_int_equal (code, 7);
  const char e2[] = "{\"code\":100,\"msg\":\"plain\"}";
  _cleanup_free_ char *m2 = cni_error_message (e2, strlen (e2), &code);
  assert_string_equal (m2, "plain");
  assert_null (cni_error_message ("not json", 8, &code));
  assert_null (cni_error_message ("{\"msg\":3}", 9, &code));
}

static void
test_version (void **state)
{
  (void)state;
  const char v[] = "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}";
  char **list = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (cni_version_parse (v, strlen (v), &list, &err), 0);
  assert_string_equal (list[1], "1.0.0");
  assert_null (list[2]);
  for (char **p = list; *p; p++)
    free (*p);
  free (list);
  assert_int_equal (cni_version_parse ("{\"cniVersion\":\"1.0.0\"}", 22, &list, &err), -1);
  assert_non_null (strstr (err->message, "supportedVersions"));
  hk_error_free (err);
}

static void
test_cache_roundtrip (void **state)
{
  (void)state;
  char dir[] = "/tmp/hako-test-cni-cache.XXXXXX";
  assert_non_null (mkdtemp (dir));
  _cleanup_free_ char *sub = xasprintf ("%s/cache", dir);
  _cleanup_json_ json_t *config = json_loads (good_list, 0, NULL);
  _cleanup_json_ json_t *result = json_loads (result_v1, 0, NULL);
  _cleanup_json_ json_t *caps = json_pack ("{s:s}", "mac", "00:11:22:33:44:66");
  struct cni_cache_entry e = { .network = "dbnet",
                               .container_id = "c1",
                               .ifname = "eth0",
                               .netns = "/run/netns/blue",
                               .config = config,
                               .result = result,
                               .capability_args = caps };
  struct hk_error *err = NULL;
  assert_int_equal (cni_cache_write (sub, &e, &err), 0);
  struct cni_cache_entry *back = NULL;
  assert_int_equal (cni_cache_read (sub, "dbnet", "c1", "eth0", &back, &err), 0);
  assert_non_null (back);
  assert_string_equal (back->netns, "/run/netns/blue");
  assert_null (back->args);
  assert_true (json_equal (back->config, config));
  assert_true (json_equal (back->result, result));
  assert_true (json_equal (back->capability_args, caps));
  cni_cache_entry_free (back);
  struct cni_cache_entry **list = NULL;
  size_t n = 0;
  assert_int_equal (cni_cache_list (sub, "c1", &list, &n, &err), 0);
  assert_int_equal (n, 1);
  cni_cache_list_free (list, n);
  assert_int_equal (cni_cache_list (sub, "c2", &list, &n, &err), 0);
  assert_int_equal (n, 0);
  assert_int_equal (cni_cache_remove (sub, "dbnet", "c1", "eth0", &err), 0);
  assert_int_equal (cni_cache_read (sub, "dbnet", "c1", "eth0", &back, &err), 0);
  assert_null (back);
  rmdir (sub);
  rmdir (dir);
}

static void
test_cache_bad (void **state)
{
  (void)state;
  static const char *const cases[] = {
    "{}",
    "{\"kind\":\"other\"}",
    "{\"kind\":\"hako-cni-cache-v1\",\"networkName\":\"n\",\"containerId\":\"c\",\"ifName\":\"e\","
    "\"config\":{}}",
    "{\"kind\":\"hako-cni-cache-v1\",\"networkName\":1,\"containerId\":\"c\",\"ifName\":\"e\","
    "\"config\":{},\"result\":{}}",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct cni_cache_entry *e = NULL;
      struct hk_error *err = NULL;
      assert_int_equal (cni_cache_parse (cases[i], strlen (cases[i]), &e, &err), -1);
      assert_null (e);
      hk_error_free (err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_conflist_good),
    cmocka_unit_test (test_conflist_bad),
    cmocka_unit_test (test_conflist_disable_check_string),
    cmocka_unit_test (test_exec_config),
    cmocka_unit_test (test_result_v1),
    cmocka_unit_test (test_result_ipam_and_v04),
    cmocka_unit_test (test_result_bad),
    cmocka_unit_test (test_error_message),
    cmocka_unit_test (test_version),
    cmocka_unit_test (test_cache_roundtrip),
    cmocka_unit_test (test_cache_bad),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
