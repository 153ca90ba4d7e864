/* SPDX-License-Identifier: Apache-2.0 */
/* IP prefixes: what subnets, overlap checks and --ip rest on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "network/ip-prefix.h"

#include <string.h>
#include <sys/socket.h>

static struct ip_prefix
p (const char *text)
{
  struct ip_prefix out;
  if (!ip_prefix_parse (text, &out))
    fail_msg ("`%s` does not parse", text);
  return out;
}

static struct ip_prefix
a (const char *text)
{
  struct ip_prefix out;
  if (!ip_address_parse (text, &out))
    fail_msg ("`%s` does not parse", text);
  return out;
}

static void
test_parse (void **state)
{
  (void)state;
  struct ip_prefix x = p ("10.88.0.0/16");
  assert_int_equal (x.family, AF_INET);
  assert_int_equal (x.len, 16);
  assert_int_equal (p ("fd00::/8").family, AF_INET6);
  assert_int_equal (p ("0.0.0.0/0").len, 0);
  static const char *const bad[]
      = { "10.88.0.0",    "10.88.0.0/", "10.88.0.0/33", "10.88.0/16",   "10.88.0.0/016",
          "10.88.0.0/1a", "/16",        "fd00::/129",   "10.88.0.0/-1", "" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct ip_prefix out;
      if (ip_prefix_parse (bad[i], &out))
        fail_msg ("`%s` parses", bad[i]);
    }
  struct ip_prefix out;
  assert_false (ip_address_parse ("10.1.2", &out));
  assert_true (ip_address_parse ("::1", &out));
}

static void
test_format_and_network (void **state)
{
  (void)state;
  char buf[50];
  struct ip_prefix x = p ("10.88.7.9/16");
  assert_string_equal (ip_prefix_format (&x, buf), "10.88.7.9/16");
  struct ip_prefix n = ip_prefix_network (&x);
  assert_string_equal (ip_prefix_format (&n, buf), "10.88.0.0/16");
  struct ip_prefix y = p ("fd00:1:2:3::9/48");
  n = ip_prefix_network (&y);
  assert_string_equal (ip_prefix_format (&n, buf), "fd00:1:2::/48");
  struct ip_prefix odd = p ("10.1.2.255/21");
  n = ip_prefix_network (&odd);
  assert_string_equal (ip_address_format (&n, buf), "10.1.0.0");
}

static void
test_overlap_contains (void **state)
{
  (void)state;
  struct ip_prefix a16 = p ("10.88.0.0/16"), b24 = p ("10.88.5.0/24"), c24 = p ("10.89.0.0/24");
  struct ip_prefix v6 = p ("::/0");
  assert_true (ip_prefix_overlaps (&a16, &b24));
  assert_true (ip_prefix_overlaps (&b24, &a16));
  assert_false (ip_prefix_overlaps (&a16, &c24));
  assert_false (ip_prefix_overlaps (&a16, &v6)); /* families never overlap */
  struct ip_prefix all = p ("0.0.0.0/0");
  assert_true (ip_prefix_overlaps (&all, &c24));
  struct ip_prefix in = a ("10.88.200.1"), out = a ("10.87.255.255");
  assert_true (ip_prefix_contains (&a16, &in));
  assert_false (ip_prefix_contains (&a16, &out));
  assert_false (ip_prefix_contains (&b24, &a16)); /* a wider prefix is not inside */
}

static void
test_nth_reserved (void **state)
{
  (void)state;
  char buf[50];
  struct ip_prefix s = p ("10.88.0.0/16");
  struct ip_prefix g = ip_prefix_nth (&s, 1);
  assert_string_equal (ip_address_format (&g, buf), "10.88.0.1");
  struct ip_prefix far = ip_prefix_nth (&s, 256 + 7);
  assert_string_equal (ip_address_format (&far, buf), "10.88.1.7");
  struct ip_prefix net = a ("10.88.0.0"), bc = a ("10.88.255.255"), host = a ("10.88.1.1");
  assert_true (ip_prefix_is_reserved (&s, &net));
  assert_true (ip_prefix_is_reserved (&s, &bc));
  assert_false (ip_prefix_is_reserved (&s, &host));
  struct ip_prefix s6 = p ("fd00::/64");
  struct ip_prefix g6 = ip_prefix_nth (&s6, 1);
  assert_string_equal (ip_address_format (&g6, buf), "fd00::1");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_parse),
    cmocka_unit_test (test_format_and_network),
    cmocka_unit_test (test_overlap_contains),
    cmocka_unit_test (test_nth_reserved),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
