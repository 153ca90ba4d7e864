/* SPDX-License-Identifier: Apache-2.0 */
/* src/compose: interpolation as the Compose Specification says, .env
 * files, the merge of files, and the loader's errors on hostile or wrong
 * files (each naming the key path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "compose/compose-container.h"
#include "compose/compose-dotenv.h"
#include "compose/compose-interpolate.h"
#include "compose/compose-merge.h"
#include "compose/compose-refs.h"
#include "compose/compose.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *const test_env[] = { "SET=value", "EMPTY=", "NESTED=in", NULL };

static void
expand_is (const char *text, const char *expected)
{
  char *out = NULL;
  struct hk_error *err = NULL;
  if (compose_interpolate (text, test_env, NULL, &out, &err) < 0)
    fail_msg ("%s: %s", text, err->message);
  assert_string_equal (out, expected);
  free (out);
}

static char *
expand_error (const char *text)
{
  char *out = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (compose_interpolate (text, test_env, NULL, &out, &err), -1);
  assert_null (out);
  char *msg = strdup (err->message);
  hk_error_free (err);
  return msg;
}

static void
interpolation_forms_follow_the_spec (void **state)
{
  (void)state;
  expand_is ("plain", "plain");
  expand_is ("$SET", "value");
  expand_is ("${SET}", "value");
  expand_is ("a${SET}b$SET.c", "avalueb" "value.c");
  expand_is ("$UNSET", "");
  expand_is ("${UNSET:-def}", "def");
  expand_is ("${EMPTY:-def}", "def");
  expand_is ("${EMPTY-def}", "");
  expand_is ("${UNSET-def}", "def");
  expand_is ("${SET:-def}", "value");
  expand_is ("${SET:+rep}", "rep");
  expand_is ("${EMPTY:+rep}", "");
  expand_is ("${EMPTY+rep}", "rep");
  expand_is ("${UNSET+rep}", "");
  expand_is ("${SET:?must}", "value");
  expand_is ("${EMPTY?must}", "");
  expand_is ("$$", "$");
  expand_is ("$$SET", "$SET");
  expand_is ("$${SET}", "${SET}");
  expand_is ("a-$$-b", "a-$-b");
  /* nested defaults, expanded only when used */
  expand_is ("${UNSET:-${NESTED}}", "in");
  expand_is ("${UNSET:-${ALSO_UNSET:-deep}}", "deep");
  expand_is ("${SET:-${UNSET:?not evaluated}}", "value");
  expand_is ("${UNSET:-a}b}", "ab}");
  expand_is ("${UNSET:-x:y/z}", "x:y/z");
}

static void
interpolation_errors_say_what (void **state)
{
  (void)state;
  _cleanup_free_ char *required = expand_error ("${UNSET:?is needed}");
  assert_non_null (strstr (required, "UNSET"));
  assert_non_null (strstr (required, "is needed"));
  _cleanup_free_ char *empty = expand_error ("${EMPTY:?}");
  assert_non_null (strstr (empty, "EMPTY"));
  _cleanup_free_ char *lone = expand_error ("cost $5");
  assert_non_null (strstr (lone, "invalid interpolation format"));
  _cleanup_free_ char *open = expand_error ("${SET");
  assert_non_null (strstr (open, "not closed"));
  _cleanup_free_ char *open_default = expand_error ("${UNSET:-abc");
  assert_non_null (strstr (open_default, "not closed"));
  _cleanup_free_ char *bad_name = expand_error ("${1X}");
  assert_non_null (strstr (bad_name, "variable name"));
  _cleanup_free_ char *bad_op = expand_error ("${SET:x}");
  assert_non_null (strstr (bad_op, "expected"));
  _cleanup_free_ char *trailing = expand_error ("end$");
  assert_non_null (strstr (trailing, "invalid interpolation format"));
}

static void
unset_variables_are_reported_once (void **state)
{
  (void)state;
  _cleanup_strv_ char **unset = NULL;
  char *out = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (compose_interpolate ("$A ${A} ${B:-x} $C", test_env, &unset, &out, &err), 0);
  free (out);
  assert_int_equal (strv_length (unset), 2);
  assert_string_equal (unset[0], "A");
  assert_string_equal (unset[1], "C");
}

static void
tree_interpolation_names_the_path (void **state)
{
  (void)state;
  _cleanup_json_ json_t *doc = json_pack ("{s{s{s[ss]}}}", "services", "web", "ports", "80",
                                          "${PORT:?set PORT}");
  struct hk_error *err = NULL;
  assert_int_equal (compose_interpolate_tree (doc, "", test_env, NULL, &err), -1);
  assert_non_null (strstr (err->message, "services.web.ports[1]"));
  hk_error_free (err);
  /* keys are not interpolated */
  _cleanup_json_ json_t *keys = json_pack ("{ss}", "$SET", "$SET");
  assert_int_equal (compose_interpolate_tree (keys, "", test_env, NULL, &err), 0);
  assert_string_equal (json_string_value (json_object_get (keys, "$SET")), "value");
}

static char **
dotenv (const char *text, char *const *lookup)
{
  char **env = NULL;
  struct hk_error *err = NULL;
  if (compose_dotenv_parse (".env", text, strlen (text), lookup, &env, &err) < 0)
    fail_msg ("%s", err->message);
  return env;
}

static void
dotenv_lines_read_as_docker_compose_reads_them (void **state)
{
  (void)state;
  char *const lookup[] = { "FROM_SHELL=shell", NULL };
  _cleanup_strv_ char **env = dotenv ("# a comment\n"
                                      "\n"
                                      "A=1\n"
                                      "export B = two words  # comment\n"
                                      "C='lit $A \\n'\n"
                                      "D=\"esc\\n$A \\$A\"\n"
                                      "E=${A}-${FROM_SHELL}\n"
                                      "FROM_SHELL\n"
                                      "NOT_SET\n"
                                      "F=\"multi\nline\"\n"
                                      "G=a#b\n"
                                      "A=again\n",
                                      lookup);
  assert_string_equal (strv_env_get (env, "A"), "again");
  assert_string_equal (strv_env_get (env, "B"), "two words");
  assert_string_equal (strv_env_get (env, "C"), "lit $A \\n");
  assert_string_equal (strv_env_get (env, "D"), "esc\n1 $A");
  assert_string_equal (strv_env_get (env, "E"), "1-shell");
  assert_string_equal (strv_env_get (env, "FROM_SHELL"), "shell");
  assert_null (strv_env_get (env, "NOT_SET"));
  assert_string_equal (strv_env_get (env, "F"), "multi\nline");
  assert_string_equal (strv_env_get (env, "G"), "a#b");
}

static void
dotenv_errors_name_the_line (void **state)
{
  (void)state;
  char **env = NULL;
  struct hk_error *err = NULL;
  const char *text = "A=1\nB='open\n";
  assert_int_equal (compose_dotenv_parse ("x.env", text, strlen (text), NULL, &env, &err), -1);
  assert_non_null (strstr (err->message, "x.env line 2"));
  hk_error_free (err);
  err = NULL;
  const char *bad = "A=1\n=2\n";
  assert_int_equal (compose_dotenv_parse ("x.env", bad, strlen (bad), NULL, &env, &err), -1);
  assert_non_null (strstr (err->message, "x.env line 2"));
  hk_error_free (err);
  strv_free (env);
}

static void
merge_follows_the_spec_rules (void **state)
{
  (void)state;
  _cleanup_json_ json_t *base = json_pack (
      "{s[ss] s{ss ss} s[{sissssss}] s[{ssss} {ssss}] s[s] s{s[ss]}}", "command", "a", "b",
      "environment", "A", "1", "B", "1", "ports", "target", 80, "published", "8080", "protocol",
      "tcp", "mode", "ingress", "volumes", "target", "/data", "source", "one", "target", "/keep",
      "source", "k", "dns", "1.1.1.1", "healthcheck", "test", "CMD", "x");
  _cleanup_json_ json_t *over = json_pack (
      "{s[s] s{ss} s[{sissssss} {sissssss}] s[{ssss}] s[ss] s{s[s]}}", "command", "c",
      "environment", "B", "2", "ports", "target", 80, "published", "8080", "protocol", "tcp",
      "mode", "ingress", "target", 81, "published", "8081", "protocol", "tcp", "mode", "ingress",
      "volumes", "target", "/data", "source", "two", "dns", "1.1.1.1", "8.8.8.8", "healthcheck",
      "test", "NONE");
  compose_merge_service (base, over);
  _cleanup_json_ json_t *expected = json_pack (
      "{s[s] s{ss ss} s[{sissssss} {sissssss}] s[{ssss} {ssss}] s[ss] s{s[s]}}", "command",
      "c", "environment", "A", "1", "B", "2", "ports", "target", 80, "published", "8080",
      "protocol", "tcp", "mode", "ingress", "target", 81, "published", "8081", "protocol", "tcp",
      "mode", "ingress", "volumes", "target", "/data", "source", "two", "target", "/keep",
      "source", "k", "dns", "1.1.1.1", "8.8.8.8", "healthcheck", "test", "NONE");
  if (!json_equal (base, expected))
    {
      _cleanup_free_ char *got = json_to_string (base, false);
      fail_msg ("merged: %s", got);
    }
}

/* The loader on texts, as the fuzz target runs it. */
static int
load (const char *const *texts, size_t n, json_t **model, struct hk_error **err)
{
  char *names[] = { "a.yaml", "b.yaml", NULL };
  size_t lens[2];
  for (size_t i = 0; i < n; i++)
    lens[i] = strlen (texts[i]);
  return compose_model_load (names, (char *const *)texts, lens, n, "/project", test_env, NULL,
                             NULL, model, err);
}

static char *
load_error (const char *text)
{
  json_t *model = NULL;
  struct hk_error *err = NULL;
  const char *texts[] = { text };
  assert_int_equal (load (texts, 1, &model, &err), -1);
  assert_null (model);
  char *msg = strdup (err->message);
  hk_error_free (err);
  return msg;
}

static void
two_files_merge_and_anchors_expand (void **state)
{
  (void)state;
  const char *texts[] = { "x-base: &base\n  image: busybox\n  labels: [a=1]\n"
                          "services:\n  web:\n    <<: *base\n    environment: [A=$SET]\n"
                          "  other: *base\n",
                          "services:\n  web:\n    labels: {b: \"2\"}\n    image: nginx\n" };
  _cleanup_json_ json_t *model = NULL;
  struct hk_error *err = NULL;
  if (load (texts, 2, &model, &err) < 0)
    fail_msg ("%s", err->message);
  json_t *web = json_object_get (json_object_get (model, "services"), "web");
  assert_string_equal (json_string_value (json_object_get (web, "image")), "nginx");
  json_t *labels = json_object_get (web, "labels");
  assert_string_equal (json_string_value (json_object_get (labels, "a")), "1");
  assert_string_equal (json_string_value (json_object_get (labels, "b")), "2");
  assert_string_equal (
      json_string_value (json_object_get (json_object_get (web, "environment"), "A")), "value");
  json_t *other = json_object_get (json_object_get (model, "services"), "other");
  assert_string_equal (json_string_value (json_object_get (other, "image")), "busybox");
}

/* The aliases of SERVICE on NETWORK in MODEL, joined by spaces; "-" for a
 * network named without settings. */
static char *
aliases_of (json_t *model, const char *service, const char *network)
{
  json_t *svc = json_object_get (json_object_get (model, "services"), service);
  json_t *n = json_object_get (json_object_get (svc, "networks"), network);
  assert_non_null (n);
  if (json_is_null (n))
    return strdup ("-");
  char *joined = strdup ("");
  size_t i;
  json_t *a;
  json_array_foreach (json_object_get (n, "aliases"), i, a)
  {
    char *next;
    assert_true (asprintf (&next, "%s%s%s", joined, i ? " " : "", json_string_value (a)) > 0);
    free (joined);
    joined = next;
  }
  return joined;
}

static void
service_networks_merge_by_name (void **state)
{
  (void)state;
  static const struct
  {
    const char *over;
    const char *front, *back;
  } cases[] = {
    /* the list form names the networks: the base's aliases stay */
    { "services:\n  web:\n    networks: [front, back]\n", "one", "-" },
    /* aliases are appended, without duplicates, network by network */
    { "services:\n  web:\n    networks:\n      front: {aliases: [two, one]}\n"
      "      back: {aliases: [three]}\n",
      "one two", "three" },
    /* a network the override does not name is not added */
    { "services:\n  web:\n    networks:\n      front:\n", "one", NULL },
  };
  const char *base = "services:\n  web:\n    image: b\n    networks:\n"
                     "      front: {aliases: [one], ipv4_address: 10.5.0.9}\n"
                     "networks: {front: {}, back: {}}\n";
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const char *texts[] = { base, cases[i].over };
      _cleanup_json_ json_t *model = NULL;
      struct hk_error *err = NULL;
      if (load (texts, 2, &model, &err) < 0)
        fail_msg ("case %zu: %s", i, err->message);
      _cleanup_free_ char *front = aliases_of (model, "web", "front");
      assert_string_equal (front, cases[i].front);
      json_t *web = json_object_get (json_object_get (model, "services"), "web");
      json_t *ip = json_object_get (json_object_get (json_object_get (web, "networks"), "front"),
                                    "ipv4_address");
      assert_string_equal (json_string_value (ip), "10.5.0.9");
      if (cases[i].back == NULL)
        {
          assert_null (json_object_get (json_object_get (web, "networks"), "back"));
          continue;
        }
      _cleanup_free_ char *back = aliases_of (model, "web", "back");
      assert_string_equal (back, cases[i].back);
    }
}

/* A directory of compose files for include: under /tmp, removed after. */
struct include_tree
{
  char dir[64];
};

static void
write_text (const char *dir, const char *name, const char *text)
{
  _cleanup_free_ char *path = NULL;
  assert_true (asprintf (&path, "%s/%s", dir, name) > 0);
  FILE *f = fopen (path, "w");
  assert_non_null (f);
  assert_true (fputs (text, f) >= 0);
  assert_int_equal (fclose (f), 0);
}

static int
include_tree_setup (void **state)
{
  struct include_tree *t = calloc (1, sizeof *t);
  strcpy (t->dir, "/tmp/test-compose-include-XXXXXX");
  assert_non_null (mkdtemp (t->dir));
  _cleanup_free_ char *app = NULL, *common = NULL, *outside = NULL;
  assert_true (asprintf (&app, "%s/app", t->dir) > 0);
  assert_true (asprintf (&common, "%s/common", t->dir) > 0);
  assert_true (asprintf (&outside, "%s/outside", t->dir) > 0);
  assert_int_equal (mkdir (app, 0755), 0);
  assert_int_equal (mkdir (common, 0755), 0);
  assert_int_equal (mkdir (outside, 0755), 0);
  /* the included file's relative paths are its own directory's */
  write_text (common, "compose.yaml", "services:\n  db: {image: busybox, env_file: db.env}\n");
  write_text (common, "db.env", "X=1\n");
  write_text (outside, "creds.env", "STOLEN=1\n");
  write_text (outside, "compose.yaml",
              "services:\n  thief: {image: busybox, env_file: creds.env}\n");
  _cleanup_free_ char *link = NULL;
  assert_true (asprintf (&link, "%s/linked", app) > 0);
  assert_int_equal (symlink (outside, link), 0);
  *state = t;
  return 0;
}

static int
include_tree_teardown (void **state)
{
  struct include_tree *t = *state;
  int root = open ("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (root >= 0);
  struct hk_error *err = NULL;
  if (fs_remove_tree (root, t->dir + 5, &err) < 0)
    fail_msg ("removing %s: %s", t->dir, err->message);
  close (root);
  free (t);
  return 0;
}

/* TEXT loaded as APP/compose.yaml of the tree: the message of its error,
 * or NULL (the model in *MODEL). */
static char *
load_in_app (const struct include_tree *t, const char *text, json_t **model)
{
  _cleanup_free_ char *app = NULL;
  assert_true (asprintf (&app, "%s/app", t->dir) > 0);
  char *names[] = { "compose.yaml", NULL };
  char *texts[] = { (char *)text, NULL };
  size_t lens[] = { strlen (text) };
  struct hk_error *err = NULL;
  *model = NULL;
  if (compose_model_load (names, texts, lens, 1, app, test_env, NULL, NULL, model, &err) == 0)
    return NULL;
  char *msg = strdup (err->message);
  hk_error_free (err);
  return msg;
}

static void
include_may_climb_by_dotdot_but_not_through_a_link (void **state)
{
  struct include_tree *t = *state;
  json_t *model;
  /* ../common/compose.yaml, as Docker Compose allows: its env_file is
   * read from its own directory */
  char *msg = load_in_app (t, "include: [../common/compose.yaml]\nservices: {}\n", &model);
  if (msg)
    fail_msg ("%s", msg);
  json_t *db = json_object_get (json_object_get (model, "services"), "db");
  _cleanup_free_ char *env_file = NULL;
  assert_true (asprintf (&env_file, "%s/common/db.env", t->dir) > 0);
  assert_string_equal (json_string_value (json_array_get (json_object_get (db, "env_file"), 0)),
                       env_file);
  json_decref (model);
  static const struct
  {
    const char *text, *needle;
  } refused[] = {
    /* a link inside the project that leads out hides where it reads */
    { "include: [linked/compose.yaml]\nservices: {}\n",
      "include[0].path[0]: \"linked/compose.yaml\" is a symbolic link" },
    /* a project_directory above the project would let the included file
     * read any file there by a relative path */
    { "include: [{path: ../outside/compose.yaml, project_directory: ..}]\nservices: {}\n",
      "include[0].project_directory: the project directory \"..\" of the include "
      "../outside/compose.yaml leads out of the including project" },
    { "include: [{path: ../outside/compose.yaml, env_file: ../outside/creds.env}]\n",
      "include[0].env_file[0]: \"../outside/creds.env\" climbs out" },
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    {
      _cleanup_free_ char *why = load_in_app (t, refused[i].text, &model);
      if (why == NULL)
        fail_msg ("case %zu was accepted", i);
      if (strstr (why, refused[i].needle) == NULL)
        fail_msg ("case %zu: %s", i, why);
    }
}

/* "include: [{path: ../outside/compose.yaml, project_directory: DIR}]"
 * with DIR, after T's directory when it starts with "/" and is not "/". */
static char *
include_with_directory (const struct include_tree *t, const char *dir, char **full)
{
  bool in_tree = dir[0] == '/' && dir[1] != '\0';
  assert_true (asprintf (full, "%s%s", in_tree ? t->dir : "", dir) > 0);
  char *text;
  assert_true (asprintf (&text,
                         "include: [{path: ../outside/compose.yaml, project_directory: "
                         "\"%s\"}]\nservices: {}\n",
                         *full)
               > 0);
  return text;
}

/* The attack: an included file's innocent relative path ("creds.env")
 * reads any file of the host when its include sets project_directory
 * to "/" or another directory outside the project.  Refused however
 * the directory is written; one inside the project is the included
 * file's base, as in Docker Compose. */
static void
include_project_directory_escape_reads_files_outside_the_project (void **state)
{
  struct include_tree *t = *state;
  _cleanup_free_ char *sub = NULL;
  assert_true (asprintf (&sub, "%s/app/sub", t->dir) > 0);
  assert_int_equal (mkdir (sub, 0755), 0);
  write_text (sub, "creds.env", "MINE=1\n");
  const char *escapes[] = { "/",      "/outside",          "/app/../outside", "/app/sub/../..",
                            "linked", "sub/../../outside", "sub/../linked" };
  for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
    {
      _cleanup_free_ char *dir = NULL, *needle = NULL;
      _cleanup_free_ char *text = include_with_directory (t, escapes[i], &dir);
      json_t *model;
      _cleanup_free_ char *why = load_in_app (t, text, &model);
      if (why == NULL)
        fail_msg ("project_directory %s was accepted", dir);
      assert_true (asprintf (&needle,
                             "include[0].project_directory: the project directory \"%s\" of "
                             "the include ../outside/compose.yaml leads out of the including "
                             "project %s/app",
                             dir, t->dir)
                   > 0);
      if (strstr (why, needle) == NULL)
        fail_msg ("project_directory %s: %s", dir, why);
    }
  /* inside the project, absolute or relative: the included file's
   * creds.env is the one there */
  const char *inside[] = { "/app/sub", "sub", "./sub/", "sub/../sub", "/app/./sub/" };
  _cleanup_free_ char *want = NULL;
  assert_true (asprintf (&want, "%s/creds.env", sub) > 0);
  for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
    {
      _cleanup_free_ char *dir = NULL;
      _cleanup_free_ char *text = include_with_directory (t, inside[i], &dir);
      json_t *model;
      _cleanup_free_ char *why = load_in_app (t, text, &model);
      if (why)
        fail_msg ("project_directory %s: %s", dir, why);
      json_t *thief = json_object_get (json_object_get (model, "services"), "thief");
      assert_string_equal (
          json_string_value (json_array_get (json_object_get (thief, "env_file"), 0)), want);
      json_decref (model);
    }
}

static void
external_secrets_are_refused_naming_the_secret (void **state)
{
  (void)state;
  const char *texts[] = { "services:\n"
                          "  web: {image: b, secrets: [db_pw], configs: [conf]}\n"
                          "  other: {image: b}\n"
                          "secrets:\n  db_pw: {external: true}\n  unused: {external: true}\n"
                          "configs:\n  conf: {external: {name: cluster_conf}}\n" };
  _cleanup_json_ json_t *model = NULL;
  struct hk_error *err = NULL;
  /* Docker Compose's config accepts them: only a container refuses */
  if (load (texts, 1, &model, &err) < 0)
    fail_msg ("%s", err->message);
  char dir[] = "/project", name[] = "p";
  struct compose_project p = { .name = name, .dir = dir, .model = model };
  json_t *services = json_object_get (model, "services");
  _cleanup_ctr_config_ struct ctr_config web;
  ctr_config_init (&web);
  assert_int_equal (
      compose_container_config (&p, "web", json_object_get (services, "web"), 1, false, &web, &err),
      -1);
  assert_non_null (strstr (err->message, "services.web.secrets[0]: secret db_pw is external"));
  hk_error_freep (&err);
  /* a service that uses none of them is fine, as in Docker Compose */
  _cleanup_ctr_config_ struct ctr_config other;
  ctr_config_init (&other);
  if (compose_container_config (&p, "other", json_object_get (services, "other"), 1, false, &other,
                                &err)
      < 0)
    fail_msg ("%s", err->message);
  json_object_del (json_object_get (services, "web"), "secrets");
  _cleanup_ctr_config_ struct ctr_config again;
  ctr_config_init (&again);
  assert_int_equal (compose_container_config (&p, "web", json_object_get (services, "web"), 1,
                                              false, &again, &err),
                    -1);
  assert_non_null (strstr (err->message, "services.web.configs[0]: config conf is external"));
  hk_error_free (err);
}

static void
bad_files_give_an_error_naming_the_key_path (void **state)
{
  (void)state;
  static const struct
  {
    const char *text;
    const char *needle;
  } cases[] = {
    { "services:\n  web:\n    image: b\n    ports: [\"80\", 99999]\n", "services.web.ports[1]" },
    { "services:\n  web:\n    image: b\n    deploy: {replicas: many}\n",
      "services.web.deploy.replicas" },
    { "services:\n  web:\n    image: b\n    deploy: {replicas: 99999999999999999999999}\n",
      "out of range" },
    { "services:\n  web:\n    image: b\n    privileged: [1]\n",
      "services.web.privileged: expected a boolean, got sequence" },
    { "services:\n  web:\n    image: b\n    unknown_key: 1\n", "services.web.unknown_key: unknown key" },
    { "servics: {}\n", "servics: unknown top-level key" },
    { "services:\n  web:\n    build: .\n    depends_on: [db]\n", "services.web.depends_on.db" },
    { "services:\n  a: {image: b, depends_on: [b]}\n  b: {image: b, depends_on: [a]}\n",
      "dependency cycle" },
    { "services:\n  a: {image: b, networks: [front]}\n", "services.a.networks.front" },
    { "services:\n  a: {image: b, volumes: [\"data:/d\"]}\n", "the volume data is not defined" },
    { "services:\n  a: {image: b, secrets: [pw]}\n", "services.a.secrets[0]" },
    { "services:\n  a: {command: x}\n", "services.a: neither image nor build" },
    { "services:\n  a: {image: \"${NOPE:?set NOPE}\"}\n", "services.a.image" },
    { "services:\n  a: {image: b, environment: 5}\n", "services.a.environment" },
    { "services:\n  a: {image: b, healthcheck: {test: [BAD]}}\n", "services.a.healthcheck.test" },
    { "services:\n  a: {image: b, ulimits: {nofile: {soft: x, hard: 1}}}\n",
      "services.a.ulimits.nofile.soft" },
    { "services:\n  a: {image: b, extends: {service: a}}\n", "cycle" },
    { "- just a list\n", "a mapping at the top" },
    { "", "empty compose file" },
    { "services:\n  a: {image: b}\n---\nservices: {}\n", "more than 1 documents" },
    { "services:\n  \"bad name\": {image: b}\n", "not a valid service name" },
    { "services:\n  a: {image: b, pid: \"service:nope\"}\n", "services.a.pid: no service nope" },
    { "services:\n  a: {image: b, ipc: \"service:nope\"}\n", "services.a.ipc: no service nope" },
    { "services:\n  a: {image: b, volumes_from: [b, \"nope:ro\"]}\n  b: {image: b}\n",
      "services.a.volumes_from[1]: no service nope" },
    { "services:\n  a: {image: b, pid: \"service:b\"}\n  b: {image: b, volumes_from: [a]}\n",
      "dependency cycle" },
    { "services:\n  a: {image: b, ipc: \"service:b\"}\n  b: {image: b}\n",
      "services.a.ipc: service b's IPC namespace is not shareable" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      _cleanup_free_ char *msg = load_error (cases[i].text);
      if (strstr (msg, cases[i].needle) == NULL)
        fail_msg ("case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].needle);
    }
}

static void
alias_bomb_stops_at_the_node_limit (void **state)
{
  (void)state;
  const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                     "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                     "services: {}\n";
  _cleanup_free_ char *msg = load_error (bomb);
  assert_non_null (strstr (msg, "nodes"));
  _cleanup_free_ char *deep = NULL;
  char text[400];
  memset (text, '[', 200);
  text[200] = '\0';
  deep = load_error (text);
  assert_non_null (strstr (deep, "nested deeper"));
}

static void
service_order_puts_dependencies_first (void **state)
{
  (void)state;
  const char *texts[] = { "services:\n  web: {image: b, depends_on: [api]}\n"
                          "  api: {image: b, depends_on: {db: {condition: service_healthy}}}\n"
                          "  db: {image: b}\n" };
  _cleanup_json_ json_t *model = NULL;
  struct hk_error *err = NULL;
  if (load (texts, 1, &model, &err) < 0)
    fail_msg ("%s", err->message);
  _cleanup_free_ const char **order = compose_service_order (model);
  assert_string_equal (order[0], "db");
  assert_string_equal (order[1], "api");
  assert_string_equal (order[2], "web");
  assert_null (order[3]);
}

/* pid, ipc (service:NAME) and volumes_from (NAME, service:NAME) name
 * services that are made first; container:NAME names none. */
static void
namespace_and_volume_references_order_services (void **state)
{
  (void)state;
  const char *texts[] = { "services:\n"
                          "  web: {image: b, ipc: \"service:shm\", pid: host,\n"
                          "        volumes_from: [\"service:data:ro\", \"container:other:rw\"]}\n"
                          "  shm: {image: b, ipc: shareable, volumes_from: [files]}\n"
                          "  data: {image: b}\n"
                          "  files: {image: b}\n" };
  _cleanup_json_ json_t *model = NULL;
  struct hk_error *err = NULL;
  if (load (texts, 1, &model, &err) < 0)
    fail_msg ("%s", err->message);
  _cleanup_free_ const char **order = compose_service_order (model);
  assert_string_equal (order[0], "files");
  assert_string_equal (order[1], "shm");
  assert_string_equal (order[2], "data");
  assert_string_equal (order[3], "web");
  assert_null (order[4]);
  json_t *web = json_object_get (json_object_get (model, "services"), "web");
  _cleanup_strv_ char **refs = compose_service_refs (web);
  assert_int_equal (strv_length (refs), 2);
  assert_string_equal (refs[0], "shm");
  assert_string_equal (refs[1], "data");
  bool container;
  _cleanup_free_ char *name = NULL;
  const char *mode;
  compose_volumes_from_split ("container:other:rw", &container, &name, &mode);
  assert_true (container);
  assert_string_equal (name, "other");
  assert_string_equal (mode, "rw");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (interpolation_forms_follow_the_spec),
    cmocka_unit_test (interpolation_errors_say_what),
    cmocka_unit_test (unset_variables_are_reported_once),
    cmocka_unit_test (tree_interpolation_names_the_path),
    cmocka_unit_test (dotenv_lines_read_as_docker_compose_reads_them),
    cmocka_unit_test (dotenv_errors_name_the_line),
    cmocka_unit_test (merge_follows_the_spec_rules),
    cmocka_unit_test (two_files_merge_and_anchors_expand),
    cmocka_unit_test (service_networks_merge_by_name),
    cmocka_unit_test_setup_teardown (include_may_climb_by_dotdot_but_not_through_a_link,
                                     include_tree_setup, include_tree_teardown),
    cmocka_unit_test_setup_teardown (
        include_project_directory_escape_reads_files_outside_the_project, include_tree_setup,
        include_tree_teardown),
    cmocka_unit_test (external_secrets_are_refused_naming_the_secret),
    cmocka_unit_test (bad_files_give_an_error_naming_the_key_path),
    cmocka_unit_test (alias_bomb_stops_at_the_node_limit),
    cmocka_unit_test (service_order_puts_dependencies_first),
    cmocka_unit_test (namespace_and_volume_references_order_services),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
