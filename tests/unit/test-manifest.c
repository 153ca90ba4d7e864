/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests, indexes, configs and platform selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/image-config.h"
#include "store/manifest.h"

#include <string.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define D4 "sha256:4444444444444444444444444444444444444444444444444444444444444444"
#define D5 "sha256:5555555555555555555555555555555555555555555555555555555555555555"

#define ENTRY(d, os, arch, variant)                                                                \
  "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" d "\",\"size\":10,"                    \
  "\"platform\":{\"os\":\"" os "\",\"architecture\":\"" arch "\"" variant "}}"

static const char index_json[]
    = "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_INDEX
      "\",\"manifests\":[" ENTRY (D1, "linux", "amd64", "") "," ENTRY (D2, "linux", "arm64", ",\"variant\":\"v8\"") "," ENTRY (
          D3, "linux", "arm",
          ",\"variant\":\"v6\"") "," ENTRY (D4, "linux", "arm",
                                            ",\"variant\":\"v7\"") "," ENTRY (D5, "unknown",
                                                                              "unknown", "") "]}";

static const char *
select_for (const char *platform_text, struct hk_error **err)
{
  _cleanup_image_index_ struct image_index *idx = NULL;
  if (image_index_parse (index_json, strlen (index_json), &idx, err) < 0)
    fail_msg ("%s", (*err)->message);
  struct platform want = { 0 };
  assert_int_equal (platform_parse (platform_text, &want, err), 0);
  const struct descriptor *d;
  int r = image_index_select (idx, &want, &d, err);
  platform_clear (&want);
  if (r < 0)
    return NULL;
  static char digest[DIGEST_STRING_SIZE];
  strcpy (digest, d->digest);
  return digest;
}

static void
test_platform_selection (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  assert_string_equal (select_for ("linux/amd64", &err), D1);
  assert_string_equal (select_for ("x86_64", &err), D1);
  assert_string_equal (select_for ("linux/arm64", &err), D2);
  assert_string_equal (select_for ("linux/aarch64", &err), D2);
  assert_string_equal (select_for ("linux/arm64/v8", &err), D2);
  assert_string_equal (select_for ("linux/arm/v7", &err), D4);
  assert_string_equal (select_for ("linux/arm/v6", &err), D3);
  assert_null (select_for ("linux/arm/v5", &err));
  assert_null (select_for ("linux/s390x", &err));
  assert_non_null (strstr (err->message, "linux/s390x"));
  assert_non_null (strstr (err->message, "linux/amd64, linux/arm64, linux/arm/v6, linux/arm/v7"));
  assert_null (strstr (err->message, "unknown"));
}

static void
test_platform_parse_errors (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  struct platform p = { 0 };
  assert_int_equal (platform_parse ("linux/amd64/v1/x", &p, &err), -1);
  assert_int_equal (platform_parse ("linux/am d64", &p, &err), -1);
  assert_int_equal (platform_parse ("", &p, &err), -1);
  assert_int_equal (platform_parse ("Linux/ARM64", &p, &err), 0);
  assert_string_equal (p.os, "linux");
  assert_string_equal (p.architecture, "arm64");
  assert_null (p.variant);
  platform_clear (&p);
}

static const char manifest_json[]
    = "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\","
      "\"config\":{\"mediaType\":\"" MEDIA_DOCKER_CONFIG "\",\"digest\":\"" D1 "\",\"size\":100},"
      "\"layers\":[{\"mediaType\":\"" MEDIA_DOCKER_LAYER_GZIP "\",\"digest\":\"" D2
      "\",\"size\":5},"
      "{\"mediaType\":\"" MEDIA_OCI_LAYER_ZSTD "\",\"digest\":\"" D3 "\",\"size\":7}]}";

static void
test_manifest_parse (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_manifest_ struct image_manifest *m = NULL;
  if (image_manifest_parse (manifest_json, strlen (manifest_json), &m, &err) < 0)
    fail_msg ("%s", err->message);
  assert_string_equal (m->config.digest, D1);
  assert_int_equal (m->n_layers, 2);
  assert_string_equal (m->layers[1].digest, D3);
  assert_int_equal (m->layers[1].size, 7);

  _cleanup_free_ char *mt = NULL;
  assert_int_equal (manifest_sniff (manifest_json, strlen (manifest_json), NULL, &mt),
                    MANIFEST_KIND_MANIFEST);
  assert_string_equal (mt, MEDIA_DOCKER_MANIFEST);
  free (mt);
  mt = NULL;
  const char *bare = "{\"schemaVersion\":2,\"manifests\":[]}";
  assert_int_equal (manifest_sniff (bare, strlen (bare), NULL, &mt), MANIFEST_KIND_INDEX);
  free (mt);
  mt = NULL;
  assert_int_equal (manifest_sniff (bare, strlen (bare), MEDIA_DOCKER_LIST "; charset=utf-8", &mt),
                    MANIFEST_KIND_INDEX);
  assert_string_equal (mt, MEDIA_DOCKER_LIST);
  free (mt);
  mt = NULL;
  const char *s1 = "{\"schemaVersion\":1,\"fsLayers\":[]}";
  assert_int_equal (manifest_sniff (s1, strlen (s1), NULL, &mt), MANIFEST_KIND_SCHEMA1);
}

static void
expect_manifest_error (const char *json, const char *part)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_manifest_ struct image_manifest *m = NULL;
  if (image_manifest_parse (json, strlen (json), &m, &err) == 0)
    fail_msg ("accepted: %s", json);
  if (strstr (err->message, part) == NULL)
    fail_msg ("`%s` lacks `%s`", err->message, part);
}

static void
test_manifest_errors (void **state)
{
  expect_manifest_error ("[]", "expected a JSON object");
  expect_manifest_error ("{\"schemaVersion\":1}", "schemaVersion: 1 is not supported");
  expect_manifest_error ("{\"schemaVersion\":2,\"layers\":[]}", "config: required");
  expect_manifest_error ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG
                         "\",\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}",
                         "config.digest");
  expect_manifest_error ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/x-helm\","
                         "\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
                         "unsupported media type");
  expect_manifest_error ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG
                         "\",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[{\"mediaType\":"
                         "\"application/x-weird\",\"digest\":\"" D2 "\",\"size\":1}]}",
                         "layer blob " D2 " has unsupported media type `application/x-weird`");
  expect_manifest_error ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG
                         "\",\"digest\":\"" D1 "\",\"size\":-1},\"layers\":[]}",
                         "config.size: negative");
  expect_manifest_error ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG
                         "\",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[7]}",
                         "layers[0]: expected an object");

  size_t big = MANIFEST_MAX_SIZE + 10;
  char *huge = xmalloc (big + 1);
  memset (huge, ' ', big);
  huge[big] = '\0';
  expect_manifest_error (huge, "larger than");
  free (huge);
}

static void
test_config_parse (void **state)
{
  const char *json
      = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
        "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/w\","
        "\"User\":\"1000\",\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}},"
        "\"StopSignal\":\"SIGQUIT\",\"Labels\":{\"a\":\"b\"},\"Healthcheck\":{\"Test\":"
        "[\"CMD\",\"true\"],\"Interval\":1000000000,\"Retries\":3}},"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]},"
        "\"history\":[{\"created_by\":\"x\"},{\"created_by\":\"y\",\"empty_layer\":true}]}";
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_image_config_ struct image_config *c = NULL;
  if (image_config_parse (json, strlen (json), &c, &err) < 0)
    fail_msg ("%s", err->message);
  assert_string_equal (c->cmd[0], "sh");
  assert_string_equal (c->env[0], "PATH=/bin");
  assert_string_equal (c->working_dir, "/w");
  assert_string_equal (c->exposed_ports[0], "80/tcp");
  assert_string_equal (c->volumes[0], "/data");
  assert_string_equal (c->label_values[0], "b");
  assert_int_equal (c->healthcheck->retries, 3);
  assert_int_equal (c->n_diff_ids, 2);
  assert_int_equal (c->n_history, 2);
  assert_true (c->history[1].empty_layer);
  assert_null (c->entrypoint);

  _cleanup_image_config_ struct image_config *bad = NULL;
  const char *wrong = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:1\"]}}";
  assert_int_equal (image_config_parse (wrong, strlen (wrong), &bad, &err), -1);
  assert_non_null (strstr (err->message, "rootfs.diff_ids[0]"));
  const char *typed = "{\"config\":{\"Cmd\":\"sh\"},\"rootfs\":{\"type\":\"layers\"}}";
  assert_int_equal (image_config_parse (typed, strlen (typed), &bad, &err), -1);
  assert_non_null (strstr (err->message, "config.Cmd: expected an array"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_platform_selection), cmocka_unit_test (test_platform_parse_errors),
    cmocka_unit_test (test_manifest_parse),     cmocka_unit_test (test_manifest_errors),
    cmocka_unit_test (test_config_parse),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
