/* SPDX-License-Identifier: Apache-2.0 */
/* The container model: Docker's flag syntaxes into it, its stored
 * document both ways, a store of the previous schema migrated, and
 * config.json rendered from it for every option, without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-json.h"
#include "engine/ctr-config-parse.h"
#include "engine/ctr-record.h"
#include "engine/ctr-spec.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

static void
ok (int rc, struct hk_error *err)
{
  if (rc < 0)
    fail_msg ("%s", err ? err->message : "failed");
}

/* A configuration from run's flag syntaxes, as `hako run` fills it. */
static void
full_config (struct ctr_config *c)
{
  struct hk_error *err = NULL;
  ctr_config_init (c);
  setenv ("HAKO_TEST_PASSED", "from-us", 1);
  ok (config_parse_env (c, "A=1", &err), err);
  ok (config_parse_env (c, "HAKO_TEST_PASSED", &err), err);
  ok (config_parse_env (c, "HAKO_TEST_UNSET_VARIABLE", &err), err);
  ok (config_parse_key_value (&c->labels, "team=blue", "--label", true, &err), err);
  ok (config_parse_key_value (&c->sysctls, "net.ipv4.ip_forward=1", "--sysctl", false, &err), err);
  ok (config_parse_memory ("64m", "--memory", false, &c->limits.memory, &err), err);
  c->limits.set |= CONFIG_LIMIT_MEMORY;
  ok (config_parse_cpus (c, "0.5", &err), err);
  ok (config_parse_cpuset (c, "0", &err), err);
  ok (config_parse_ulimit (c, "nofile=1024:2048", &err), err);
  ok (config_parse_restart (c, "on-failure:3", &err), err);
  ok (config_parse_security_opt (c, "no-new-privileges", &err), err);
  ok (config_parse_device (c, "/dev/null:/dev/mynull:rw", &err), err);
  ok (config_parse_volume (c, "/srv/data:/data:ro", &err), err);
  ok (config_parse_mount (c, "type=tmpfs,target=/t,tmpfs-size=1m", &err), err);
  ok (config_parse_tmpfs (c, "/run:size=1m", &err), err);
  ok (config_parse_publish (c, "127.0.0.1:8080:80/udp", &err), err);
  ok (config_parse_network (c, "none", &err), err);
  ok (config_parse_log_opt (c, "max-size=1m", &err), err);
  ok (config_parse_log_opt (c, "max-file=3", &err), err);
  config_set_health_test (c, "true");
  ok (config_parse_duration_ns ("5s", "--health-interval", &c->health.interval_ns, &err), err);
  strv_append (&c->cap_add, "NET_ADMIN");
  strv_append (&c->cap_drop, "MKNOD");
  strv_append (&c->cmd, "-c");
  strv_append (&c->cmd, "echo hi");
  c->entrypoint = xzalloc (sizeof (char *));
  strv_append (&c->entrypoint, "/bin/sh");
  c->hostname = xstrdup ("box");
  c->domainname = xstrdup ("example.org");
  c->working_dir = xstrdup ("/tmp");
  c->tty = c->init = c->readonly_rootfs = true;
  c->stop_timeout = 5;
}

static void
flags_parse_into_the_model (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  full_config (&c);
  assert_int_equal (strv_length (c.env), 2); /* the unset variable is dropped */
  assert_string_equal (c.env[1], "HAKO_TEST_PASSED=from-us");
  assert_int_equal (c.limits.nano_cpus, 500000000);
  assert_true (c.limits.set & CONFIG_LIMIT_NANO_CPUS);
  assert_int_equal (c.restart, CONFIG_RESTART_ON_FAILURE);
  assert_int_equal (c.restart_max_retries, 3);
  assert_true (c.no_new_privileges);
  assert_string_equal (c.devices[0].container_path, "/dev/mynull");
  assert_string_equal (c.devices[0].permissions, "rw");
  assert_int_equal (c.n_mounts, 2);
  assert_true (c.mounts[0].readonly && c.mounts[0].create_host_path);
  assert_int_equal (c.mounts[1].type, CONFIG_MOUNT_TMPFS);
  assert_string_equal (c.mounts[1].tmpfs_options, "size=1m");
  assert_int_equal (c.log_max_size, 1 << 20);
  assert_int_equal (c.log_max_files, 3);
  assert_string_equal (c.ports[0].protocol, "udp");
  assert_string_equal (c.network_mode, "none");
  assert_int_equal (c.health.interval_ns, 5000000000LL);
}

static void
bad_flags_name_what_is_wrong (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  struct hk_error *err = NULL;
  assert_int_equal (config_parse_publish (&c, "80/icmp", &err), -1);
  assert_non_null (strstr (err->message, "unknown protocol"));
  hk_error_freep (&err);
  assert_int_equal (config_parse_restart (&c, "always:3", &err), -1);
  assert_non_null (strstr (err->message, "only on-failure takes a count"));
  hk_error_freep (&err);
  assert_int_equal (config_parse_network (&c, "host", &err), 0);
  assert_int_equal (config_parse_network (&c, "mynet", &err), -1);
  assert_non_null (strstr (err->message, "cannot be combined"));
  hk_error_freep (&err);
  assert_int_equal (config_parse_volume (&c, "rel/path:/x", &err), -1);
  hk_error_freep (&err);
  assert_int_equal (config_parse_memory ("1k", "--memory", false, &c.limits.memory, &err), -1);
  assert_non_null (strstr (err->message, "below the minimum"));
  hk_error_freep (&err);
  c.auto_remove = true;
  assert_int_equal (config_parse_restart (&c, "always", &err), 0);
  assert_int_equal (ctr_config_check (&c, &err), -1);
  hk_error_freep (&err);
}

static void
the_stored_document_reads_back_the_same (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c, back;
  full_config (&c);
  _cleanup_json_ json_t *doc = ctr_config_to_record (&c);
  struct hk_error *err = NULL;
  ok (ctr_config_from_record (doc, &back, &err), err);
  _cleanup_json_ json_t *again = ctr_config_to_record (&back);
  assert_true (json_equal (doc, again));
  assert_int_equal (back.stop_timeout, 5);
  assert_int_equal (back.log_max_size, 1 << 20);
  assert_true (back.limits.set & CONFIG_LIMIT_RESTART);
  /* A wrong type is refused, naming the field. */
  json_object_set_new (doc, "Memory", json_string ("lots"));
  _cleanup_ctr_config_ struct ctr_config bad;
  assert_int_equal (ctr_config_from_record (doc, &bad, &err), -1);
  assert_non_null (strstr (err->message, "Memory"));
  hk_error_free (err);
}

static void
update_checks_the_memory_rules (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c, changes;
  full_config (&c);
  ctr_config_init (&changes);
  struct hk_error *err = NULL;
  ok (config_parse_memory ("128m", "--memory-swap", true, &changes.limits.memory_swap, &err), err);
  changes.limits.set = CONFIG_LIMIT_MEMORY_SWAP;
  ok (ctr_config_update (&c, &changes, &err), err);
  assert_int_equal (c.limits.memory_swap, 128 << 20);
  assert_int_equal (c.limits.memory, 64 << 20);
  changes.limits.memory_swap = 32 << 20;
  assert_int_equal (ctr_config_update (&c, &changes, &err), -1);
  assert_non_null (strstr (err->message, "below --memory"));
  hk_error_free (err);
}

static void
the_image_health_check_is_merged_as_docker_does (void **state)
{
  (void)state;
  char *test[] = { "CMD-SHELL", "curl -f localhost", NULL };
  struct image_healthcheck h = { .test = test, .interval = 7000000000LL, .retries = 4 };
  struct image_config image = { .healthcheck = &h };
  _cleanup_ctr_config_ struct ctr_config none, faster, own;
  ctr_config_init (&none);
  config_set_health_test (&none, NULL); /* --no-healthcheck */
  ctr_config_merge_image (&none, &image);
  assert_false (ctr_config_has_health (&none));
  ctr_config_init (&faster);
  faster.health.interval_ns = 1000000000; /* --health-interval 1s alone */
  ctr_config_merge_image (&faster, &image);
  assert_string_equal (faster.health.test[1], "curl -f localhost");
  assert_int_equal (faster.health.interval_ns, 1000000000);
  assert_int_equal (faster.health.retries, 4);
  ctr_config_init (&own);
  config_set_health_test (&own, "true"); /* --health-cmd */
  ctr_config_merge_image (&own, &image);
  assert_string_equal (own.health.test[1], "true");
  assert_int_equal (own.health.interval_ns, 7000000000LL);
}

/* ---- config.json ---- */

/* What the engine finds for --pid/--ipc container:NAME and /dev/shm. */
struct joined
{
  const char *pidns, *ipcns, *shm_source;
};

static json_t *
render_joined (const struct ctr_config *c, const char *netns, json_t *profile,
               const struct joined *j)
{
  uint32_t groups[] = { 10 };
  struct user_ids user = { .uid = 1000, .gid = 1000, .groups = groups, .n_groups = 1,
                           .home = "/home/u" };
  char *image_env[] = { "PATH=/image/bin", "HOME=/image", NULL };
  struct image_config image = { .env = image_env, .working_dir = "/image" };
  struct spec_host host = {
    .permitted_caps = ~UINT64_C (0),
    .last_cap = 40,
    .seccomp_profile = profile,
    .devices = json_pack ("[{s:s, s:s, s:i, s:i}]", "path", "/dev/mynull", "type", "c", "major",
                          1, "minor", 3),
    .device_rules = json_pack ("[{s:b, s:s, s:i, s:i, s:s}]", "allow", 1, "type", "c", "major",
                               1, "minor", 3, "access", "rw"),
  };
  struct spec_inputs in = {
    .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    .config = c,
    .image = &image,
    .rootfs = "/var/lib/hako/containers/x/merged",
    .container_dir = "/var/lib/hako/containers/x",
    .user = &user,
    .init_path = "/usr/libexec/hako-init",
    .netns_path = netns,
    .pidns_path = j ? j->pidns : NULL,
    .ipcns_path = j ? j->ipcns : NULL,
    .shm_source = j ? j->shm_source : NULL,
    .host = &host,
  };
  json_t *spec = NULL;
  struct hk_error *err = NULL;
  ok (ctr_spec_build (&in, &spec, &err), err);
  json_decref (host.devices);
  json_decref (host.device_rules);
  return spec;
}

static json_t *
render (const struct ctr_config *c, const char *netns, json_t *profile)
{
  return render_joined (c, netns, profile, NULL);
}

static json_t *
at (json_t *j, const char *path)
{
  _cleanup_free_ char *copy = xstrdup (path);
  char *save = NULL;
  for (char *k = strtok_r (copy, ".", &save); k && j; k = strtok_r (NULL, ".", &save))
    j = json_is_array (j) ? json_array_get (j, (size_t)atoi (k)) : json_object_get (j, k);
  return j;
}

static const char *
str_at (json_t *j, const char *path)
{
  return json_string_value (at (j, path));
}

static json_t *
mount_at (json_t *spec, const char *destination)
{
  size_t i;
  json_t *m;
  json_array_foreach (json_object_get (spec, "mounts"), i, m)
  {
    if (strcmp (str_at (m, "destination"), destination) == 0)
      return m;
  }
  return NULL;
}

static bool
has_string (json_t *array, const char *s)
{
  size_t i;
  json_t *v;
  json_array_foreach (array, i, v) if (strcmp (json_string_value (v), s) == 0) return true;
  return false;
}

static void
every_option_renders (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  full_config (&c);
  /* What create resolves from -v and --mount. */
  c.mount_points = xzalloc (sizeof *c.mount_points);
  c.mount_points[0] = (struct config_mount_point){ .type = CONFIG_MOUNT_BIND,
                                                   .source = xstrdup ("/srv/data"),
                                                   .destination = xstrdup ("/data") };
  c.n_mount_points = 1;
  config_map_set (&c.tmpfs, "/t", "size=1m");
  _cleanup_json_ json_t *spec = render (&c, "/run/hako/netns/x", NULL);
  json_t *p = json_object_get (spec, "process");
  assert_true (json_is_true (json_object_get (p, "terminal")));
  assert_string_equal (str_at (p, "args.0"), "/dev/init");
  assert_string_equal (str_at (p, "args.2"), "/bin/sh");
  assert_string_equal (str_at (p, "args.4"), "echo hi");
  assert_true (has_string (at (p, "env"), "A=1"));
  assert_true (has_string (at (p, "env"), "HAKO_TEST_PASSED=from-us"));
  assert_true (has_string (at (p, "env"), "PATH=/image/bin"));
  assert_true (has_string (at (p, "env"), "HOME=/image"));
  assert_true (has_string (at (p, "env"), "TERM=xterm"));
  assert_true (has_string (at (p, "env"), "HOSTNAME=box"));
  assert_string_equal (str_at (p, "cwd"), "/tmp");
  assert_int_equal (json_integer_value (at (p, "user.uid")), 1000);
  assert_int_equal (json_integer_value (at (p, "user.additionalGids.0")), 10);
  assert_true (has_string (at (p, "capabilities.bounding"), "CAP_NET_ADMIN"));
  assert_false (has_string (at (p, "capabilities.bounding"), "CAP_MKNOD"));
  assert_true (has_string (at (p, "capabilities.bounding"), "CAP_CHOWN"));
  assert_string_equal (str_at (p, "rlimits.0.type"), "RLIMIT_NOFILE");
  assert_int_equal (json_integer_value (at (p, "rlimits.0.hard")), 2048);
  assert_true (json_is_true (at (p, "noNewPrivileges")));
  assert_string_equal (str_at (spec, "hostname"), "box");
  assert_string_equal (str_at (spec, "domainname"), "example.org");
  assert_true (json_is_true (at (spec, "root.readonly")));
  assert_string_equal (str_at (spec, "annotations.team"), "blue");
  json_t *linux = json_object_get (spec, "linux");
  assert_string_equal (str_at (linux, "cgroupsPath"), "/hako/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  assert_int_equal (json_integer_value (at (linux, "resources.memory.limit")), 64 << 20);
  assert_int_equal (json_integer_value (at (linux, "resources.cpu.quota")), 50000);
  assert_string_equal (str_at (linux, "resources.cpu.cpus"), "0");
  assert_string_equal (str_at (linux, "resources.devices.1.access"), "rw");
  assert_string_equal (str_at (linux, "devices.0.path"), "/dev/mynull");
  assert_non_null (json_object_get (json_object_get (linux, "sysctl"), "net.ipv4.ip_forward"));
  assert_non_null (json_object_get (linux, "maskedPaths"));
  assert_non_null (json_object_get (linux, "seccomp")); /* Docker's default */
  assert_string_equal (str_at (linux, "namespaces.5.path"), "/run/hako/netns/x");
  assert_true (has_string (at (mount_at (spec, "/data"), "options"), "ro"));
  assert_string_equal (str_at (mount_at (spec, "/t"), "type"), "tmpfs");
  assert_true (has_string (at (mount_at (spec, "/t"), "options"), "size=1m"));
  assert_string_equal (str_at (mount_at (spec, "/dev/init"), "source"), "/usr/libexec/hako-init");
  assert_string_equal (str_at (mount_at (spec, "/etc/hosts"), "source"),
                       "/var/lib/hako/containers/x/hosts");
}

static void
privileged_host_network_and_profiles_render (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  struct hk_error *err = NULL;
  ok (config_parse_network (&c, "host", &err), err);
  c.privileged = true;
  c.cgroup_parent = xstrdup ("/custom");
  strv_append (&c.cmd, "true");
  _cleanup_json_ json_t *spec = render (&c, NULL, NULL);
  json_t *linux = json_object_get (spec, "linux");
  assert_null (json_object_get (linux, "seccomp"));
  assert_null (json_object_get (linux, "maskedPaths"));
  assert_int_equal (json_array_size (json_object_get (linux, "namespaces")), 5); /* no network */
  assert_string_equal (str_at (linux, "resources.devices.1.type"), "a");
  assert_true (json_is_true (at (linux, "resources.devices.1.allow")));
  assert_true (has_string (at (spec, "process.capabilities.bounding"), "CAP_SYS_ADMIN"));
  assert_string_equal (str_at (spec, "process.cwd"), "/image");
  assert_string_equal (str_at (linux, "cgroupsPath"),
                       "/custom/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  /* A profile file given, or unconfined. */
  _cleanup_ctr_config_ struct ctr_config u;
  ctr_config_init (&u);
  strv_append (&u.cmd, "true");
  ok (config_parse_security_opt (&u, "seccomp=unconfined", &err), err);
  _cleanup_json_ json_t *unconfined = render (&u, NULL, NULL);
  assert_null (at (unconfined, "linux.seccomp"));
  free (u.seccomp_profile);
  u.seccomp_profile = xstrdup ("/some/profile.json");
  _cleanup_json_ json_t *profile = json_pack ("{s:s}", "defaultAction", "SCMP_ACT_LOG");
  _cleanup_json_ json_t *given = render (&u, NULL, profile);
  assert_string_equal (str_at (given, "linux.seccomp.defaultAction"), "SCMP_ACT_LOG");
}

static void
no_command_is_an_error (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  _cleanup_strv_ char **args = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (ctr_spec_args (&c, NULL, &args, &err), -1);
  assert_non_null (strstr (err->message, "no command specified"));
  hk_error_free (err);
  /* --entrypoint drops the image's Cmd. */
  char *cmd[] = { "sh", NULL }, *entry[] = { "/entry", NULL };
  struct image_config image = { .cmd = cmd, .entrypoint = entry };
  c.entrypoint = xzalloc (sizeof (char *));
  strv_append (&c.entrypoint, "/mine");
  ok (ctr_spec_args (&c, &image, &args, &err), err);
  assert_int_equal (strv_length (args), 1);
  assert_string_equal (args[0], "/mine");
}

/* ---- the store ---- */

static sqlite3 *
open_v2_store (void)
{
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (":memory:", &db), SQLITE_OK);
  _cleanup_free_ char *sql = NULL;
  struct hk_error *err = NULL;
  ok (fs_read_file (AT_FDCWD, TEST_DATA_DIR "/engine-v2.sql", 1 << 20, &sql, NULL, &err), err);
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg ("load the fixture: %s", msg);
  return db;
}

static void
a_store_of_schema_2_migrates (void **state)
{
  (void)state;
  sqlite3 *db = open_v2_store ();
  struct hk_error *err = NULL;
  ok (ctr_db_init (db, &err), err);
  _cleanup_record_ struct ctr_record *full = NULL, *nets = NULL, *joined = NULL,
                                           *rmme = NULL;
  ok (ctr_record_find (db, "full", &full, &err), err);
  ok (ctr_record_find (db, "nets", &nets, &err), err);
  ok (ctr_record_find (db, "joined", &joined, &err), err);
  ok (ctr_record_find (db, "rmme", &rmme, &err), err);
  const struct ctr_config *c = &full->config;
  assert_string_equal (c->devices[0].host_path, "/dev/null");
  assert_string_equal (c->devices[0].container_path, "/dev/mynull");
  assert_true (c->no_new_privileges);
  assert_int_equal (c->log_max_size, 1 << 20);
  assert_int_equal (c->log_max_files, 3);
  assert_int_equal (c->health.interval_ns, 5000000000LL);
  assert_int_equal (c->restart, CONFIG_RESTART_ON_FAILURE);
  assert_int_equal (c->limits.memory, 64 << 20);
  assert_int_equal (c->n_mount_points, 2);
  assert_string_equal (config_map_get (&c->tmpfs, "/run"), "size=1m");
  assert_string_equal (nets->config.networks[0].ip, "10.99.77.9");
  assert_string_equal (nets->config.networks[0].aliases[0], "al");
  assert_int_equal (nets->config.n_ports, 2);
  assert_string_equal (joined->config.network_container, full->id);
  assert_true (rmme->config.auto_remove && rmme->config.tty && rmme->config.open_stdin);
  assert_non_null (rmme->config.runtime);
  /* The document now kept: the record's columns hold the name, the
   * networks the addresses. */
  sqlite3_stmt *st = NULL;
  assert_int_equal (sqlite3_prepare_v2 (db, "SELECT config FROM containers WHERE name = 'nets'",
                                        -1, &st, NULL),
                    SQLITE_OK);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  _cleanup_json_ json_t *doc = json_loads ((const char *)sqlite3_column_text (st, 0), 0, NULL);
  sqlite3_finalize (st);
  assert_null (json_object_get (doc, "Name"));
  assert_null (json_object_get (doc, "IPAddress"));
  assert_non_null (json_object_get (doc, "Networks"));
  assert_int_equal (sqlite3_prepare_v2 (db, "SELECT version FROM engine_schema", -1, &st, NULL),
                    SQLITE_OK);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  assert_int_equal (sqlite3_column_int (st, 0), 4); /* and on to pods' (4) */
  sqlite3_finalize (st);
  /* A second open finds the work done. */
  ok (ctr_db_init (db, &err), err);
  sqlite3_close (db);
}

static void
a_record_that_cannot_migrate_leaves_the_store_as_it_was (void **state)
{
  (void)state;
  sqlite3 *db = open_v2_store ();
  assert_int_equal (sqlite3_exec (db,
                                  "UPDATE containers SET options = '{\"Memory\": \"lots\"}' "
                                  "WHERE name = 'hostnet'",
                                  NULL, NULL, NULL),
                    SQLITE_OK);
  struct hk_error *err = NULL;
  assert_int_equal (ctr_db_init (db, &err), -1);
  assert_non_null (strstr (err->message, "Memory"));
  hk_error_free (err);
  sqlite3_stmt *st = NULL;
  assert_int_equal (sqlite3_prepare_v2 (db, "SELECT options FROM containers", -1, &st, NULL),
                    SQLITE_OK); /* the column was not renamed */
  sqlite3_finalize (st);
  sqlite3_close (db);
}

/* Docker's label filter over a label map: KEY, KEY=VALUE, an empty
 * value, and a key that is a prefix of another. */
static void
label_filters_match_as_docker_does (void **state)
{
  (void)state;
  struct config_map m = { 0 };
  config_map_set (&m, "tier", "web");
  config_map_set (&m, "empty", "");
  assert_true (config_map_matches (&m, "tier"));
  assert_true (config_map_matches (&m, "tier=web"));
  assert_false (config_map_matches (&m, "tier=db"));
  assert_false (config_map_matches (&m, "tier=we"));
  assert_false (config_map_matches (&m, "ti"));
  assert_true (config_map_matches (&m, "empty="));
  assert_false (config_map_matches (&m, "missing"));
  config_map_clear (&m);
}


/* ---- --pid, --ipc, --shm-size, --volumes-from ---- */

static void
expect_refused (int rc, struct hk_error **err, const char *words)
{
  assert_int_equal (rc, -1);
  if (strstr ((*err)->message, words) == NULL)
    fail_msg ("`%s` does not say `%s`", (*err)->message, words);
  hk_error_freep (err);
}

static void
namespace_and_volumes_from_flags_parse (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  struct hk_error *err = NULL;
  assert_string_equal (config_ipc_mode (&c), "private"); /* unset: Docker's default */
  ok (config_parse_pid (&c, "host", &err), err);
  ok (config_parse_pid (&c, "container:web", &err), err);
  assert_string_equal (c.pid_mode, "container:web");
  assert_string_equal (config_mode_container (c.pid_mode), "web");
  assert_null (config_mode_container ("host"));
  const char *ipc_modes[] = { "none", "private", "shareable", "host", "container:db" };
  for (size_t i = 0; i < sizeof ipc_modes / sizeof *ipc_modes; i++)
    {
      ok (config_parse_ipc (&c, ipc_modes[i], &err), err);
      assert_string_equal (config_ipc_mode (&c), ipc_modes[i]);
    }
  ok (config_parse_shm_size (&c, "128m", &err), err);
  assert_int_equal (c.shm_size, 128 << 20);
  ok (config_parse_volumes_from (&c, "data", &err), err);
  ok (config_parse_volumes_from (&c, "data2:ro", &err), err);
  ok (config_parse_volumes_from (&c, "data3:rw", &err), err);
  assert_int_equal (strv_length (c.volumes_from), 3);
  _cleanup_free_ char *name = NULL;
  const char *mode;
  config_volumes_from_split ("data2:ro", &name, &mode);
  assert_string_equal (name, "data2");
  assert_string_equal (mode, "ro");
  free (name);
  config_volumes_from_split ("data", &name, &mode);
  assert_string_equal (name, "data");
  assert_null (mode);
}

static void
bad_namespace_and_volumes_from_flags_are_refused (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  struct hk_error *err = NULL;
  expect_refused (config_parse_pid (&c, "private", &err), &err, "not a pid namespace mode");
  expect_refused (config_parse_pid (&c, "container:", &err), &err, "host or container:NAME");
  expect_refused (config_parse_pid (&c, "", &err), &err, "not a pid namespace mode");
  expect_refused (config_parse_ipc (&c, "bogus", &err), &err, "not an IPC mode");
  expect_refused (config_parse_ipc (&c, "container:", &err), &err, "not an IPC mode");
  assert_null (c.pid_mode);
  assert_null (c.ipc_mode);
  expect_refused (config_parse_shm_size (&c, "0", &err), &err, "above 0");
  expect_refused (config_parse_shm_size (&c, "lots", &err), &err, "--shm-size");
  expect_refused (config_parse_volumes_from (&c, ":ro", &err), &err, "names no container");
  expect_refused (config_parse_volumes_from (&c, "", &err), &err, "names no container");
  expect_refused (config_parse_volumes_from (&c, "data:z", &err), &err, "unknown mode");
  assert_null (c.volumes_from);
  /* --shm-size sizes a /dev/shm of the container's own only. */
  ok (config_parse_shm_size (&c, "1m", &err), err);
  ok (ctr_config_check (&c, &err), err);
  ok (config_parse_ipc (&c, "shareable", &err), err);
  ok (ctr_config_check (&c, &err), err);
  ok (config_parse_ipc (&c, "host", &err), err);
  expect_refused (ctr_config_check (&c, &err), &err, "--shm-size");
  ok (config_parse_ipc (&c, "container:x", &err), err);
  expect_refused (ctr_config_check (&c, &err), &err, "not --ipc container:x");
}

static void
namespace_settings_are_stored_and_inspected (void **state)
{
  (void)state;
  _cleanup_ctr_config_ struct ctr_config c, back, old;
  ctr_config_init (&c);
  struct hk_error *err = NULL;
  ok (config_parse_pid (&c, "container:web", &err), err);
  ok (config_parse_ipc (&c, "shareable", &err), err);
  ok (config_parse_shm_size (&c, "8m", &err), err);
  ok (config_parse_volumes_from (&c, "data:ro", &err), err);
  c.pid_container = xstrdup ("0123abcd");
  _cleanup_json_ json_t *doc = ctr_config_to_record (&c);
  ok (ctr_config_from_record (doc, &back, &err), err);
  assert_string_equal (back.pid_mode, "container:web");
  assert_string_equal (back.pid_container, "0123abcd");
  assert_string_equal (back.ipc_mode, "shareable");
  assert_null (back.ipc_container);
  assert_int_equal (back.shm_size, 8 << 20);
  assert_string_equal (back.volumes_from[0], "data:ro");
  /* inspect's HostConfig, as Docker names them; the resolved ID is the
   * store's only */
  _cleanup_json_ json_t *host = ctr_config_inspect_host (&back);
  assert_string_equal (json_string_value (json_object_get (host, "PidMode")), "container:web");
  assert_string_equal (json_string_value (json_object_get (host, "IpcMode")), "shareable");
  assert_int_equal (json_integer_value (json_object_get (host, "ShmSize")), 8 << 20);
  assert_string_equal (json_string_value (json_array_get (json_object_get (host, "VolumesFrom"), 0)),
                       "data:ro");
  assert_null (json_object_get (host, "PidContainer"));
  /* unset, inspect shows Docker's defaults */
  _cleanup_ctr_config_ struct ctr_config unset;
  ctr_config_init (&unset);
  _cleanup_json_ json_t *defaults = ctr_config_inspect_host (&unset);
  assert_string_equal (json_string_value (json_object_get (defaults, "PidMode")), "");
  assert_string_equal (json_string_value (json_object_get (defaults, "IpcMode")), "private");
  assert_int_equal (json_integer_value (json_object_get (defaults, "ShmSize")), 64 << 20);
  assert_true (json_is_null (json_object_get (defaults, "VolumesFrom")));
  /* a record made before these options reads as the container it was */
  json_object_del (doc, "PidMode");
  json_object_del (doc, "PidContainer");
  json_object_del (doc, "IpcMode");
  json_object_del (doc, "ShmSize");
  json_object_del (doc, "VolumesFrom");
  ok (ctr_config_from_record (doc, &old, &err), err);
  assert_null (old.pid_mode);
  assert_null (old.volumes_from);
  assert_int_equal (old.shm_size, 0);
  assert_string_equal (config_ipc_mode (&old), "private");
  json_object_set_new (doc, "ShmSize", json_string ("big"));
  _cleanup_ctr_config_ struct ctr_config bad;
  expect_refused (ctr_config_from_record (doc, &bad, &err), &err, "ShmSize");
}

static json_t *
namespace_of (json_t *spec, const char *type)
{
  size_t i;
  json_t *ns;
  json_array_foreach (at (spec, "linux.namespaces"), i, ns)
  {
    if (strcmp (str_at (ns, "type"), type) == 0)
      return ns;
  }
  return NULL;
}

static void
namespace_modes_render (void **state)
{
  (void)state;
  struct hk_error *err = NULL;
  _cleanup_ctr_config_ struct ctr_config host, joined, none, own;
  /* host: neither namespace made; the host's /dev/shm bound */
  ctr_config_init (&host);
  strv_append (&host.cmd, "true");
  ok (config_parse_pid (&host, "host", &err), err);
  ok (config_parse_ipc (&host, "host", &err), err);
  struct joined host_shm = { .shm_source = "/dev/shm" };
  _cleanup_json_ json_t *h = render_joined (&host, NULL, NULL, &host_shm);
  assert_null (namespace_of (h, "pid"));
  assert_null (namespace_of (h, "ipc"));
  assert_non_null (namespace_of (h, "mount"));
  assert_string_equal (str_at (mount_at (h, "/dev/shm"), "type"), "bind");
  assert_string_equal (str_at (mount_at (h, "/dev/shm"), "source"), "/dev/shm");
  /* container:NAME: the target's namespaces and shm directory */
  ctr_config_init (&joined);
  strv_append (&joined.cmd, "true");
  ok (config_parse_pid (&joined, "container:web", &err), err);
  ok (config_parse_ipc (&joined, "container:web", &err), err);
  struct joined web = { "/proc/42/ns/pid", "/proc/42/ns/ipc", "/run/hako/containers/w/shm" };
  _cleanup_json_ json_t *j = render_joined (&joined, NULL, NULL, &web);
  assert_string_equal (str_at (namespace_of (j, "pid"), "path"), "/proc/42/ns/pid");
  assert_string_equal (str_at (namespace_of (j, "ipc"), "path"), "/proc/42/ns/ipc");
  assert_null (json_object_get (namespace_of (j, "uts"), "path"));
  assert_string_equal (str_at (mount_at (j, "/dev/shm"), "source"), "/run/hako/containers/w/shm");
  /* none: a namespace of its own, no /dev/shm */
  ctr_config_init (&none);
  strv_append (&none.cmd, "true");
  ok (config_parse_ipc (&none, "none", &err), err);
  _cleanup_json_ json_t *n = render (&none, NULL, NULL);
  assert_non_null (namespace_of (n, "ipc"));
  assert_null (mount_at (n, "/dev/shm"));
  /* private with --shm-size: its own tmpfs of that size */
  ctr_config_init (&own);
  strv_append (&own.cmd, "true");
  ok (config_parse_shm_size (&own, "8m", &err), err);
  _cleanup_json_ json_t *o = render (&own, NULL, NULL);
  assert_string_equal (str_at (mount_at (o, "/dev/shm"), "type"), "tmpfs");
  assert_true (has_string (at (mount_at (o, "/dev/shm"), "options"), "size=8388608"));
  assert_null (json_object_get (namespace_of (o, "pid"), "path"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (flags_parse_into_the_model),
    cmocka_unit_test (label_filters_match_as_docker_does),
    cmocka_unit_test (namespace_and_volumes_from_flags_parse),
    cmocka_unit_test (bad_namespace_and_volumes_from_flags_are_refused),
    cmocka_unit_test (namespace_settings_are_stored_and_inspected),
    cmocka_unit_test (namespace_modes_render),
    cmocka_unit_test (bad_flags_name_what_is_wrong),
    cmocka_unit_test (the_stored_document_reads_back_the_same),
    cmocka_unit_test (update_checks_the_memory_rules),
    cmocka_unit_test (the_image_health_check_is_merged_as_docker_does),
    cmocka_unit_test (every_option_renders),
    cmocka_unit_test (privileged_host_network_and_profiles_render),
    cmocka_unit_test (no_command_is_an_error),
    cmocka_unit_test (a_store_of_schema_2_migrates),
    cmocka_unit_test (a_record_that_cannot_migrate_leaves_the_store_as_it_was),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
