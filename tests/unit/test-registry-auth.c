/* SPDX-License-Identifier: Apache-2.0 */
/* WWW-Authenticate challenges, token responses, Basic credentials,
 * auth.json lookups and the registries configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "transfer/auth-file.h"
#include "store/registries-conf.h"
#include "transfer/registry-auth.h"

#include <string.h>

static void
test_bearer_challenge (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  struct auth_challenge c;
  assert_int_equal (auth_challenge_parse ("Bearer realm=\"https://auth.docker.io/token\","
                                          "service=\"registry.docker.io\","
                                          "scope=\"repository:library/busybox:pull\"",
                                          &c, &err),
                    0);
  assert_int_equal (c.scheme, AUTH_BEARER);
  assert_string_equal (c.realm, "https://auth.docker.io/token");
  assert_string_equal (c.service, "registry.docker.io");
  assert_string_equal (c.scope, "repository:library/busybox:pull");
  auth_challenge_clear (&c);

  /* spaces, case, escapes, an error parameter, unknown parameters */
  assert_int_equal (auth_challenge_parse ("bearer  realm = \"https://r/t\" , error=\"insufficient_"
                                          "scope\", x=y, scope=\"a \\\"b\\\"\"",
                                          &c, &err),
                    0);
  assert_int_equal (c.scheme, AUTH_BEARER);
  assert_string_equal (c.realm, "https://r/t");
  assert_string_equal (c.error, "insufficient_scope");
  assert_string_equal (c.scope, "a \"b\"");
  auth_challenge_clear (&c);
}

static void
test_several_challenges (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  struct auth_challenge c;
  assert_int_equal (auth_challenge_parse ("Basic realm=\"x\", Bearer realm=\"https://t\","
                                          "service=\"s\"",
                                          &c, &err),
                    0);
  assert_int_equal (c.scheme, AUTH_BEARER);
  assert_string_equal (c.service, "s");
  auth_challenge_clear (&c);
  assert_int_equal (
      auth_challenge_parse ("Negotiate abc==, Basic realm=\"Registry Realm\"", &c, &err), 0);
  assert_int_equal (c.scheme, AUTH_BASIC);
  assert_string_equal (c.realm, "Registry Realm");
  auth_challenge_clear (&c);
  assert_int_equal (auth_challenge_parse ("Digest realm=\"x\"", &c, &err), 0);
  assert_int_equal (c.scheme, AUTH_NONE);
}

static void
test_bad_challenges (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  struct auth_challenge c;
  assert_int_equal (auth_challenge_parse ("Bearer realm=\"unterminated", &c, &err), -1);
  assert_non_null (strstr (err->message, "unterminated"));
  assert_int_equal (auth_challenge_parse ("Bearer service=\"s\"", &c, &err), -1);
  assert_non_null (strstr (err->message, "without a realm"));
  assert_int_equal (auth_challenge_parse ("=\"x\"", &c, &err), -1);
}

static void
test_tokens (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_free_ char *t = NULL;
  int64_t exp = 0;
  const char *a = "{\"token\":\"abc.def\",\"expires_in\":300}";
  assert_int_equal (auth_token_parse (a, strlen (a), &t, &exp, &err), 0);
  assert_string_equal (t, "abc.def");
  assert_int_equal (exp, 300);
  free (t);
  t = NULL;
  const char *b = "{\"access_token\":\"xyz\"}";
  assert_int_equal (auth_token_parse (b, strlen (b), &t, &exp, &err), 0);
  assert_string_equal (t, "xyz");
  assert_int_equal (exp, 60);
  const char *c = "{\"token\":\"a\\r\\nX-Injected: 1\"}";
  assert_int_equal (auth_token_parse (c, strlen (c), &t, &exp, &err), -1);
  assert_non_null (strstr (err->message, "cannot go in a header"));
  const char *d = "{\"token\":\"\"}";
  assert_int_equal (auth_token_parse (d, strlen (d), &t, &exp, &err), -1);
}

static void
test_basic_roundtrip (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_free_ char *b64 = auth_basic_encode ("user", "p:ss");
  assert_string_equal (b64, "dXNlcjpwOnNz");
  _cleanup_free_ char *u = NULL, *p = NULL;
  assert_int_equal (auth_basic_decode (b64, &u, &p, &err), 0);
  assert_string_equal (u, "user");
  assert_string_equal (p, "p:ss");
  assert_int_equal (auth_basic_decode ("!!!!", &u, &p, &err), -1);
  assert_int_equal (auth_basic_decode ("dXNlcg==", &u, &p, &err), -1); /* "user": no colon */
}

static void
test_auth_file_lookup (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  const char *doc = "{\"auths\":{"
                    "\"https://index.docker.io/v1/\":{\"auth\":\"ZDpodWI=\"},"
                    "\"quay.io\":{\"auth\":\"cTpyb290\"},"
                    "\"quay.io/org\":{\"auth\":\"cTpvcmc=\"},"
                    "\"localhost:5000\":{\"username\":\"u\",\"password\":\"p\"}}}";
  char *u = NULL, *p = NULL;
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "docker.io", "library/x", &u, &p, NULL, &err),
      1);
  assert_string_equal (u, "d");
  assert_string_equal (p, "hub");
  free (u);
  free (p);
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "quay.io", "org/app", &u, &p, NULL, &err), 1);
  assert_string_equal (p, "org"); /* the longest match wins */
  free (u);
  free (p);
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "quay.io", "other/app", &u, &p, NULL, &err),
      1);
  assert_string_equal (p, "root");
  free (u);
  free (p);
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "localhost:5000", "x", &u, &p, NULL, &err), 1);
  assert_string_equal (u, "u");
  free (u);
  free (p);
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "quay.io.evil", "x", &u, &p, NULL, &err), 0);
  const char *bad = "{\"auths\":{\"x\":{\"auth\":\"%%%%\"}}}";
  assert_int_equal (auth_file_lookup_text (bad, strlen (bad), "t", "x", "y", &u, &p, NULL, &err),
                    -1);
}

static void
test_credential_helpers (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  char *u = NULL, *p = NULL, *helper = NULL;
  const char *doc = "{\"credsStore\":\"desktop\",\"credHelpers\":{\"gcr.io\":\"gcloud\"},"
                    "\"auths\":{\"quay.io\":{}}}";
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "gcr.io", "x", &u, &p, &helper, &err), 2);
  assert_string_equal (helper, "gcloud");
  free (helper);
  helper = NULL;
  assert_int_equal (
      auth_file_lookup_text (doc, strlen (doc), "t", "quay.io", "x", &u, &p, &helper, &err), 2);
  assert_string_equal (helper, "desktop");
  free (helper);
  helper = NULL;
  const char *evil = "{\"credsStore\":\"../../bin/sh\"}";
  assert_int_equal (
      auth_file_lookup_text (evil, strlen (evil), "t", "x", "y", &u, &p, &helper, &err), -1);
  assert_non_null (strstr (err->message, "not a plain name"));
  assert_int_equal (auth_helper_get ("hako-no-such-helper", "x", &u, &p, &err), -1);
  assert_non_null (strstr (err->message, "could not run"));
}

static void
test_registries_conf (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  struct registries_conf *c = NULL;
  const char *doc = "{\"unqualified-search-registries\":[\"quay.io\",\"docker.io\"],"
                    "\"registries\":{\"localhost:5000\":{\"insecure\":true},"
                    "\"evil.io\":{\"blocked\":true}}}";
  assert_int_equal (registries_conf_parse (doc, strlen (doc), "t", &c, &err), 0);
  assert_string_equal (c->search[0], "quay.io");
  assert_true (registries_conf_find (c, "localhost:5000")->insecure);
  assert_true (registries_conf_find (c, "evil.io")->blocked);
  assert_null (registries_conf_find (c, "docker.io"));
  registries_conf_free (c);
  const char *bad = "{\"registries\":{\"x\":{\"insecure\":\"yes\"}}}";
  assert_int_equal (registries_conf_parse (bad, strlen (bad), "t", &c, &err), -1);
  assert_non_null (strstr (err->message, "registries.x.insecure: expected a boolean"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bearer_challenge),   cmocka_unit_test (test_several_challenges),
    cmocka_unit_test (test_bad_challenges),     cmocka_unit_test (test_tokens),
    cmocka_unit_test (test_basic_roundtrip),    cmocka_unit_test (test_auth_file_lookup),
    cmocka_unit_test (test_credential_helpers), cmocka_unit_test (test_registries_conf),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
