/* SPDX-License-Identifier: Apache-2.0 */
/* Pods in the model and the store: --share, a member's settings both
 * ways, the namespaces its config.json joins, the pods table (schema 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-json.h"
#include "engine/ctr-record.h"
#include "engine/ctr-spec.h"
#include "engine/pod-record.h"

#include <errno.h>
#include <string.h>

static void
ok (int rc, struct hk_error *err)
{
  if (rc < 0)
    fail_msg ("%s", err ? err->message : "failed");
}

static void
share_parses_and_names (void **state)
{
  (void)state;
  unsigned share;
  struct hk_error *err = NULL;
  ok (config_parse_pod_share ("net,uts,pid", &share, &err), err);
  assert_int_equal (share, CONFIG_SHARE_NET | CONFIG_SHARE_UTS | CONFIG_SHARE_PID);
  _cleanup_strv_ char **names = config_pod_share_names (share);
  assert_string_equal (names[0], "net");
  assert_string_equal (names[2], "pid");
  ok (config_parse_pod_share ("", &share, &err), err);
  assert_int_equal (share, 0);
  assert_int_equal (config_parse_pod_share ("net,cgroupz", &share, &err), -1);
  assert_non_null (strstr (err->message, "\"cgroupz\" is not a namespace a pod shares"));
  hk_error_free (err);
}

static void
a_member_reads_back_the_same (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c, back;
  ctr_config_init (&c);
  c.pod = xstrdup ("abc");
  c.pod_infra = true;
  c.pod_share = CONFIG_SHARE_IPC | CONFIG_SHARE_UTS;
  _cleanup_json_ json_t *doc = ctr_config_to_record (&c);
  struct hk_error *err = NULL;
  ok (ctr_config_from_record (doc, &back, &err), err);
  assert_string_equal (back.pod, "abc");
  assert_true (back.pod_infra);
  assert_int_equal (back.pod_share, CONFIG_SHARE_IPC | CONFIG_SHARE_UTS);
  json_object_set_new (doc, "PodShare", json_pack ("[s]", "mnt"));
  _cleanup_ctr_config_ struct ctr_config bad;
  assert_int_equal (ctr_config_from_record (doc, &bad, &err), -1);
  assert_non_null (strstr (err->message, "PodShare[0]"));
  hk_error_free (err);
}

static json_t *
render_member (unsigned share, int infra_pid)
{
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  strv_append (&c.cmd, "sh");
  c.pod = xstrdup ("abc");
  c.pod_share = share;
  c.hostname = xstrdup ("mypod");
  struct user_ids user = { 0 };
  struct spec_host host = { .permitted_caps = ~UINT64_C (0), .last_cap = 40 };
  struct spec_inputs in = {
    .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    .config = &c,
    .rootfs = "/r",
    .container_dir = "/c",
    .user = &user,
    .host = &host,
    .pod_infra_pid = infra_pid,
  };
  json_t *spec = NULL;
  struct hk_error *err = NULL;
  ok (ctr_spec_build (&in, &spec, &err), err);
  return spec;
}

static const char *
ns_path (json_t *spec, const char *type)
{
  size_t i;
  json_t *ns;
  json_array_foreach (json_object_get (json_object_get (spec, "linux"), "namespaces"), i, ns)
  {
    if (strcmp (json_string_value (json_object_get (ns, "type")), type) == 0)
      return json_string_value (json_object_get (ns, "path")) ?: "";
  }
  return NULL;
}

static void
a_member_joins_what_the_pod_shares (void **state)
{
  (void)state;
  _cleanup_json_ json_t *spec = render_member (CONFIG_SHARE_IPC | CONFIG_SHARE_UTS, 4242);
  assert_string_equal (ns_path (spec, "ipc"), "/proc/4242/ns/ipc");
  assert_string_equal (ns_path (spec, "uts"), "/proc/4242/ns/uts");
  assert_string_equal (ns_path (spec, "pid"), ""); /* not shared: its own */
  assert_string_equal (ns_path (spec, "mount"), "");
  /* the hostname is the infra's: a joined UTS namespace cannot be given one */
  assert_null (json_object_get (spec, "hostname"));
  _cleanup_json_ json_t *pid = render_member (CONFIG_SHARE_PID, 7);
  assert_string_equal (ns_path (pid, "pid"), "/proc/7/ns/pid");
  assert_string_equal (json_string_value (json_object_get (pid, "hostname")), "mypod");
  /* at create, before the infra runs, nothing is joined yet */
  _cleanup_json_ json_t *early = render_member (CONFIG_SHARE_IPC, 0);
  assert_string_equal (ns_path (early, "ipc"), "");
}

static void
the_pods_table_keeps_pods (void **state)
{
  (void)state;
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (":memory:", &db), SQLITE_OK);
  struct hk_error *err = NULL;
  ok (ctr_db_init (db, &err), err);
  struct pod_record p = {
    .id = "feed0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab",
    .name = "web",
    .created = "2026-01-01T00:00:00Z",
    .infra_id = "",
  };
  pod_config_init (&p.config);
  p.config.infra = true;
  p.config.share = CONFIG_SHARE_NET | CONFIG_SHARE_IPC;
  p.config.limits.memory = 64 << 20;
  p.config.limits.set = CONFIG_LIMIT_MEMORY;
  config_map_set (&p.config.labels, "app", "web");
  ok (pod_record_insert (db, &p, &err), err);
  assert_int_equal (pod_record_insert (db, &p, &err), -1);
  assert_int_equal (err->errnum, EEXIST);
  assert_non_null (strstr (err->message, "the pod name \"web\" is already in use"));
  hk_error_freep (&err);
  _cleanup_pod_record_ struct pod_record *found = NULL;
  ok (pod_record_find (db, "feed01", &found, &err), err);
  assert_string_equal (found->name, "web");
  assert_int_equal (found->config.share, CONFIG_SHARE_NET | CONFIG_SHARE_IPC);
  assert_int_equal (found->config.limits.memory, 64 << 20);
  assert_string_equal (config_map_get (&found->config.labels, "app"), "web");
  _cleanup_free_ char *cgroup = pod_cgroup_path (found);
  assert_string_equal (cgroup, "/hako/hako-pod-feed0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab");
  assert_int_equal (pod_record_find (db, "nope", &found, &err), -1);
  assert_int_equal (err->errnum, ENOENT);
  assert_string_equal (err->message, "no such pod: nope");
  hk_error_freep (&err);
  ok (pod_record_delete (db, p.id, &err), err);
  pod_config_clear (&p.config);
  sqlite3_close (db);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (share_parses_and_names),
    cmocka_unit_test (a_member_reads_back_the_same),
    cmocka_unit_test (a_member_joins_what_the_pod_shares),
    cmocka_unit_test (the_pods_table_keeps_pods),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
