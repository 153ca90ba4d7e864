/* SPDX-License-Identifier: Apache-2.0 */
/* sha256 digests: streaming equals one-shot, validation of digest strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "store/digest.h"

#include <string.h>

static void
test_known_values (void **state)
{
  char d[DIGEST_STRING_SIZE];
  digest_of_buffer ("", 0, d);
  assert_string_equal (d,
                       "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  digest_of_buffer ("abc", 3, d);
  assert_string_equal (d,
                       "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_streaming_equals_one_shot (void **state)
{
  char buf[10000];
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (char)(i * 7);
  char one[DIGEST_STRING_SIZE], streamed[DIGEST_STRING_SIZE];
  digest_of_buffer (buf, sizeof buf, one);
  struct sha256 h;
  sha256_init (&h);
  for (size_t off = 0; off < sizeof buf; off += 333)
    sha256_update (&h, buf + off, off + 333 > sizeof buf ? sizeof buf - off : 333);
  sha256_final (&h, streamed);
  assert_string_equal (one, streamed);
  sha256_release (&h); /* harmless after final */
}

static void
test_validation (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  const char *good = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert_true (digest_is_valid (good));
  assert_int_equal (digest_check (good, &err), 0);
  assert_false (
      digest_is_valid ("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  assert_false (digest_is_valid ("sha256:ba78"));
  assert_false (
      digest_is_valid ("sha256:../../../../etc/passwd0000000000000000000000000000000000000"));
  assert_int_equal (digest_check ("sha512:00", &err), -1);
  assert_non_null (strstr (err->message, "unsupported algorithm"));
  assert_true (digest_is_hex_prefix ("ba78"));
  assert_false (digest_is_hex_prefix (""));
  assert_false (digest_is_hex_prefix ("xyz"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_known_values),
    cmocka_unit_test (test_streaming_equals_one_shot),
    cmocka_unit_test (test_validation),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
