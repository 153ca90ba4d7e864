/* SPDX-License-Identifier: Apache-2.0 */
/* src/yaml: YAML to JSON as Kubernetes reads it, its limits against
 * hostile input, and a writer whose output reads back the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "yaml/yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct yaml_stream *
read_ok (const char *text)
{
  struct yaml_stream *s = NULL;
  struct hk_error *err = NULL;
  int rc = yaml_read ("t.yaml", text, strlen (text), NULL, &s, &err);
  if (rc < 0)
    fail_msg ("%s", err->message);
  return s;
}

static char *
read_error (const char *text, const struct yaml_limits *limits)
{
  struct yaml_stream *s = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (yaml_read ("t.yaml", text, strlen (text), limits, &s, &err), -1);
  assert_null (s);
  char *msg = strdup (err->message);
  hk_error_free (err);
  return msg;
}

static void
scalars_resolve_as_kubernetes_reads_them (void **state)
{
  (void)state;
  struct yaml_stream *s = read_ok ("a: 80\nb: \"80\"\nc: yes\nd: 'true'\ne: ~\nf: 1.5\n"
                                   "g: 0755\nh: 0x1F\ni: web\nj: -3\nk: 1_000\nl: !!str 12\n");
  json_t *r = s->docs[0].root;
  assert_int_equal (json_integer_value (json_object_get (r, "a")), 80);
  assert_string_equal (json_string_value (json_object_get (r, "b")), "80");
  assert_true (json_is_true (json_object_get (r, "c")));
  assert_string_equal (json_string_value (json_object_get (r, "d")), "true");
  assert_true (json_is_null (json_object_get (r, "e")));
  assert_true (json_is_real (json_object_get (r, "f")));
  assert_int_equal (json_integer_value (json_object_get (r, "g")), 0755);
  assert_int_equal (json_integer_value (json_object_get (r, "h")), 31);
  assert_string_equal (json_string_value (json_object_get (r, "i")), "web");
  assert_int_equal (json_integer_value (json_object_get (r, "j")), -3);
  assert_int_equal (json_integer_value (json_object_get (r, "k")), 1000);
  assert_string_equal (json_string_value (json_object_get (r, "l")), "12");
  yaml_stream_free (s);
}

static void
documents_are_counted_with_their_lines (void **state)
{
  (void)state;
  struct yaml_stream *s = read_ok ("kind: Pod\n---\nkind: ConfigMap\ndata:\n  x: y\n---\n");
  /* the "---" at the end starts an empty document: null, for the
   * reader to skip as Kubernetes does */
  assert_int_equal (s->n, 3);
  assert_string_equal (json_string_value (json_object_get (s->docs[1].root, "kind")),
                       "ConfigMap");
  assert_int_equal (s->docs[1].line, 2);
  assert_true (json_is_null (s->docs[2].root));
  yaml_stream_free (s);
}

static void
aliases_and_merge_keys (void **state)
{
  (void)state;
  struct yaml_stream *s
      = read_ok ("base: &b {image: busybox, cmd: [sleep, 1]}\nx: *b\ny:\n  <<: *b\n  image: alpine\n");
  json_t *r = s->docs[0].root;
  assert_true (json_equal (json_object_get (r, "x"), json_object_get (r, "base")));
  json_t *y = json_object_get (r, "y");
  assert_string_equal (json_string_value (json_object_get (y, "image")), "alpine");
  assert_int_equal (json_array_size (json_object_get (y, "cmd")), 2);
  yaml_stream_free (s);
}

static void
errors_name_the_document_line_and_path (void **state)
{
  (void)state;
  _cleanup_free_ char *syntax = read_error ("a: 1\n---\nb: [1, 2\n", NULL);
  assert_non_null (strstr (syntax, "t.yaml: document 2, line"));
  _cleanup_free_ char *dup
      = read_error ("spec:\n  containers:\n  - name: a\n    name: b\n", NULL);
  assert_non_null (strstr (dup, "spec.containers[0]: key `name` appears twice"));
  assert_non_null (strstr (dup, "line 4"));
  _cleanup_free_ char *key = read_error ("? [a]\n: 1\n", NULL);
  assert_non_null (strstr (key, "a mapping key must be a scalar"));
  _cleanup_free_ char *alias = read_error ("a: *nowhere\n", NULL);
  assert_non_null (strstr (alias, "names no anchor"));
  _cleanup_free_ char *nul = read_error ("a: \"x\\0y\"\n", NULL);
  assert_non_null (strstr (nul, "NUL"));
  _cleanup_free_ char *tag = read_error ("a: !custom x\n", NULL);
  assert_non_null (strstr (tag, "tag `!custom`"));
}

/* The billion laughs: ten aliases of ten aliases of ... of "lol", nine
 * levels deep, would be 10^9 nodes; the count stops it at the limit
 * before anything large is copied. */
static void
billion_laughs_is_refused (void **state)
{
  (void)state;
  char text[4096] = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'i'; c++)
    {
      char line[256];
      char p = (char)(c - 1);
      snprintf (line, sizeof line, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", c, c,
                p, p, p, p, p, p, p, p, p, p);
      strcat (text, line);
    }
  _cleanup_free_ char *msg = read_error (text, NULL);
  assert_non_null (strstr (msg, "more than 100000 nodes (aliases expanded)"));
}

static void
depth_size_and_documents_are_bounded (void **state)
{
  (void)state;
  char deep[512];
  memset (deep, '[', 100);
  deep[100] = '\0';
  _cleanup_free_ char *d = read_error (deep, NULL);
  assert_non_null (strstr (d, "nested deeper than 64 levels"));
  struct yaml_limits small = yaml_default_limits;
  small.max_bytes = 8;
  _cleanup_free_ char *big = read_error ("a: 123456789\n", &small);
  assert_non_null (strstr (big, "larger than 8 bytes"));
  small = yaml_default_limits;
  small.max_documents = 2;
  _cleanup_free_ char *docs = read_error ("a: 1\n---\nb: 2\n---\nc: 3\n", &small);
  assert_non_null (strstr (docs, "more than 2 documents"));
}

static void
written_yaml_reads_back_the_same (void **state)
{
  (void)state;
  json_t *doc = json_pack ("{s:s, s:{s:s, s:s, s:s, s:s}, s:[{s:i, s:b, s:n}], s:s, s:[], s:{}}",
                           "apiVersion", "v1", "metadata", "name", "web", "port", "80",
                           "flag", "yes", "empty", "", "items", "containerPort", 80, "ok", 1,
                           "none", "script", "line one\nline two\n", "list", "map");
  json_t *docs[] = { doc, doc };
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  struct hk_error *err = NULL;
  assert_int_equal (yaml_write (f, docs, 2, &err), 0);
  fclose (f);
  assert_non_null (strstr (buf, "\n---\n"));
  struct yaml_stream *s = read_ok (buf);
  assert_int_equal (s->n, 2);
  assert_true (json_equal (s->docs[0].root, doc));
  assert_true (json_equal (s->docs[1].root, doc));
  yaml_stream_free (s);
  free (buf);
  json_decref (doc);
}

static void
allowed_tags_are_recorded_with_their_paths (void **state)
{
  (void)state;
  struct yaml_limits limits = yaml_default_limits;
  limits.tags = (const char *const[]){ "!reset", NULL };
  struct yaml_stream *s = NULL;
  struct hk_error *err = NULL;
  const char *text = "a:\n  b: !reset [1]\n  c: [x, !reset 80]\nd: !reset\n";
  assert_int_equal (yaml_read ("t.yaml", text, strlen (text), &limits, &s, &err), 0);
  json_t *tags = s->docs[0].tags;
  assert_int_equal (json_array_size (tags), 3);
  char *paths = json_dumps (tags, JSON_COMPACT);
  assert_string_equal (paths, "[{\"path\":[\"a\",\"b\"],\"tag\":\"!reset\"},"
                              "{\"path\":[\"a\",\"c\",1],\"tag\":\"!reset\"},"
                              "{\"path\":[\"d\"],\"tag\":\"!reset\"}]");
  free (paths);
  /* the value is read as if untagged */
  assert_int_equal (json_integer_value (json_array_get (
                        json_object_get (json_object_get (s->docs[0].root, "a"), "c"), 1)),
                    80);
  yaml_stream_free (s);
  /* without the limits' list, the same tag is an error */
  char *msg = read_error ("a: !reset 1\n", NULL);
  assert_non_null (strstr (msg, "the tag `!reset` is not supported"));
  free (msg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (scalars_resolve_as_kubernetes_reads_them),
    cmocka_unit_test (documents_are_counted_with_their_lines),
    cmocka_unit_test (aliases_and_merge_keys),
    cmocka_unit_test (errors_name_the_document_line_and_path),
    cmocka_unit_test (billion_laughs_is_refused),
    cmocka_unit_test (depth_size_and_documents_are_bounded),
    cmocka_unit_test (written_yaml_reads_back_the_same),
    cmocka_unit_test (allowed_tags_are_recorded_with_their_paths),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
