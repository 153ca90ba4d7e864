/* SPDX-License-Identifier: Apache-2.0 */
/* Image reference parsing with Docker's defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "store/reference.h"

#include <string.h>

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
expect_ref (const char *text, const char *domain, const char *path, const char *tag,
            const char *digest)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  if (image_ref_parse (text, &ref, &err) < 0)
    fail_msg ("%s: %s", text, err->message);
  assert_string_equal (ref->domain, domain);
  assert_string_equal (ref->path, path);
  if (tag == NULL)
    assert_null (ref->tag);
  else
    assert_string_equal (ref->tag, tag);
  if (digest == NULL)
    assert_null (ref->digest);
  else
    assert_string_equal (ref->digest, digest);
}

static void
expect_bad (const char *text, const char *message_part)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  if (image_ref_parse (text, &ref, &err) == 0)
    fail_msg ("`%s` parsed but should not", text);
  if (strstr (err->message, message_part) == NULL)
    fail_msg ("`%s`: message `%s` lacks `%s`", text, err->message, message_part);
}

static void
test_docker_defaults (void **state)
{
  expect_ref ("busybox", "docker.io", "library/busybox", "latest", NULL);
  expect_ref ("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL);
  expect_ref ("user/app", "docker.io", "user/app", "latest", NULL);
  expect_ref ("docker.io/busybox", "docker.io", "library/busybox", "latest", NULL);
  expect_ref ("index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", NULL);
  expect_ref ("busybox@sha256:" HEX, "docker.io", "library/busybox", NULL, "sha256:" HEX);
  expect_ref ("busybox:1@sha256:" HEX, "docker.io", "library/busybox", "1", "sha256:" HEX);
}

static void
test_registries_and_ports (void **state)
{
  expect_ref ("localhost/app", "localhost", "app", "latest", NULL);
  expect_ref ("localhost:5000/app:v1", "localhost:5000", "app", "v1", NULL);
  expect_ref ("127.0.0.1:5000/a/b/c", "127.0.0.1:5000", "a/b/c", "latest", NULL);
  expect_ref ("quay.io/org/app:1.0-rc_2", "quay.io", "org/app", "1.0-rc_2", NULL);
  expect_ref ("[::1]:5000/app", "[::1]:5000", "app", "latest", NULL);
  /* uppercase first component: a registry, as in Docker */
  expect_ref ("Registry/app", "Registry", "app", "latest", NULL);
  expect_ref ("a__b/c-d--e/f.g", "docker.io", "a__b/c-d--e/f.g", "latest", NULL);
}

static void
test_rejects_bad_names (void **state)
{
  expect_bad ("", "empty");
  expect_bad ("Busybox", "lowercase");
  expect_bad ("docker.io/Busybox", "lowercase");
  expect_bad ("busybox:", "bad tag");
  expect_bad ("busybox:.x", "bad tag");
  expect_bad ("busybox:-x", "bad tag");
  expect_bad ("a/-b", "bad path component");
  expect_bad ("a/b_", "bad path component");
  expect_bad ("a//b", "bad path component");
  expect_bad ("a/b___c", "bad path component");
  expect_bad ("busybox@sha256:abc", "64 lowercase hex");
  expect_bad ("busybox@sha512:" HEX, "unsupported algorithm");
  expect_bad ("busybox@md5", "ALGORITHM:HEX");
  expect_bad ("local host:5000/x", "bad registry");
  expect_bad ("localhost:50a0/x", "bad registry");
  expect_bad ("-bad.io/x", "bad registry");
  expect_bad ("localhost/", "missing repository");
  expect_bad (HEX, "64 hexadecimal");
  char tag[200];
  memset (tag, 'a', sizeof tag - 1);
  tag[sizeof tag - 1] = '\0';
  char long_tag[300];
  snprintf (long_tag, sizeof long_tag, "x:%s", tag);
  expect_bad (long_tag, "bad tag");
  char long_name[300];
  memset (long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  expect_bad (long_name, "longer than 255");
}

static void
test_formatting (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  assert_int_equal (image_ref_parse ("busybox", &ref, &err), 0);
  _cleanup_free_ char *full = image_ref_string (ref);
  _cleanup_free_ char *familiar = image_ref_familiar (ref);
  _cleanup_free_ char *repo = image_ref_repository (ref);
  assert_string_equal (full, "docker.io/library/busybox:latest");
  assert_string_equal (familiar, "busybox:latest");
  assert_string_equal (repo, "docker.io/library/busybox");

  _cleanup_free_ char *f1 = image_ref_familiar_repository ("docker.io/user/app");
  _cleanup_free_ char *f2 = image_ref_familiar_repository ("localhost:5000/library/x");
  _cleanup_free_ char *f3 = image_ref_familiar_repository ("docker.io/library/a/b");
  assert_string_equal (f1, "user/app");
  assert_string_equal (f2, "localhost:5000/library/x");
  assert_string_equal (f3, "library/a/b");
}

static void
test_default_domain_and_detection (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  assert_int_equal (image_ref_parse_in ("app", "localhost:5000", &ref, &err), 0);
  assert_string_equal (ref->domain, "localhost:5000");
  assert_string_equal (ref->path, "app"); /* library/ only on docker.io */
  assert_true (image_ref_names_domain ("quay.io/x"));
  assert_true (image_ref_names_domain ("localhost/x"));
  assert_false (image_ref_names_domain ("user/x"));
  assert_false (image_ref_names_domain ("busybox"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_defaults),
    cmocka_unit_test (test_registries_and_ports),
    cmocka_unit_test (test_rejects_bad_names),
    cmocka_unit_test (test_formatting),
    cmocka_unit_test (test_default_domain_and_detection),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
