/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/error.h"
#include "engine/ctr-stats.h"

#include <stdlib.h>
#include <string.h>

static struct ctr_usage
reading (uint64_t time_ns, uint64_t cpu_ns)
{
  struct ctr_usage u = { .running = true, .time_ns = time_ns };
  u.cgroup.cpu_usage_ns = cpu_ns;
  return u;
}

static void
cpu_percent_is_of_one_cpu (void **state)
{
  (void)state;
  struct ctr_usage a = reading (1000000000, 5000000000);
  struct ctr_usage b = reading (1500000000, 5250000000);
  assert_float_equal (ctr_stats_cpu_percent (&a, &b), 50.0, 1e-9);
  /* two CPUs busy for the whole interval */
  b = reading (1500000000, 6000000000);
  assert_float_equal (ctr_stats_cpu_percent (&a, &b), 200.0, 1e-9);
}

static void
cpu_percent_without_two_readings_is_zero (void **state)
{
  (void)state;
  struct ctr_usage a = reading (1000, 500);
  struct ctr_usage b = reading (1000, 900); /* no time passed */
  assert_float_equal (ctr_stats_cpu_percent (&a, &b), 0.0, 0);
  struct ctr_usage stopped = { .time_ns = 500 };
  b = reading (2000, 900);
  assert_float_equal (ctr_stats_cpu_percent (&stopped, &b), 0.0, 0);
  /* a counter that went back (a restarted container) */
  a = reading (1000, 5000);
  b = reading (2000, 100);
  assert_float_equal (ctr_stats_cpu_percent (&a, &b), 0.0, 0);
}

static void
memory_leaves_out_inactive_cache (void **state)
{
  (void)state;
  struct cgroup_stats s = { .memory_usage = 100 << 20, .memory_inactive_file = 30 << 20 };
  assert_int_equal (ctr_stats_memory_used (&s), 70 << 20);
  s.memory_inactive_file = 200 << 20; /* never below zero */
  assert_int_equal (ctr_stats_memory_used (&s), 100 << 20);
}

static void
memory_limit_falls_back_to_the_host (void **state)
{
  (void)state;
  struct cgroup_stats s = { .memory_limit = CGROUP_STAT_UNLIMITED };
  assert_int_equal (ctr_stats_memory_limit (&s, 8ULL << 30), 8ULL << 30);
  s.memory_limit = 64 << 20;
  assert_int_equal (ctr_stats_memory_limit (&s, 8ULL << 30), 64 << 20);
  s.memory_limit = 16ULL << 30; /* above the host's memory: the host's */
  assert_int_equal (ctr_stats_memory_limit (&s, 8ULL << 30), 8ULL << 30);
  assert_float_equal (ctr_stats_memory_percent (16 << 20, 64 << 20), 25.0, 1e-9);
  assert_float_equal (ctr_stats_memory_percent (16 << 20, 0), 0.0, 0);
}

static const char ps_ef[]
    = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 03:00 ?        00:00:01 /sbin/init\n"
      "root         412       1  0 03:00 ?        00:00:00 sleep 412 1000\n"
      "root        1000     412  0 03:00 ?        00:00:00 sh -c echo 1000\n"
      "root       10000       1  0 03:00 ?        00:00:00 hako-monitor --id x\n";

static void
ps_rows_of_the_container_only (void **state)
{
  (void)state;
  pid_t pids[] = { 1000, 412 };
  char *out = NULL;
  assert_int_equal (ctr_stats_ps_filter (ps_ef, pids, 2, &out, NULL), 0);
  assert_string_equal (out,
                       "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                       "root         412       1  0 03:00 ?        00:00:00 sleep 412 1000\n"
                       "root        1000     412  0 03:00 ?        00:00:00 sh -c echo 1000\n");
  free (out);
}

static void
ps_pid_column_anywhere (void **state)
{
  (void)state;
  pid_t pids[] = { 7 };
  char *out = NULL;
  assert_int_equal (ctr_stats_ps_filter ("COMMAND PID\nsh 7\nsleep 77\n", pids, 1, &out, NULL), 0);
  assert_string_equal (out, "COMMAND PID\nsh 7\n");
  free (out);
  /* no trailing newline, no rows */
  assert_int_equal (ctr_stats_ps_filter ("  PID CMD\n    8 x", pids, 1, &out, NULL), 0);
  assert_string_equal (out, "  PID CMD\n");
  free (out);
}

static void
ps_without_pid_column_is_an_error (void **state)
{
  (void)state;
  pid_t pids[] = { 7 };
  char *out = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (ctr_stats_ps_filter ("COMMAND PPID\nsh 7\n", pids, 1, &out, &err), -1);
  assert_non_null (strstr (err->message, "PID"));
  hk_error_free (err);
}

static void
ps_of_a_remapped_container_names_both_users (void **state)
{
  (void)state;
  pid_t pids[] = { 412, 1000 };
  char *users[] = { "root", "nobody" };
  char *out = ctr_stats_ps_add_user ("UID          PID CMD\n"
                                     "100000       412 sleep 9\n"
                                     "165534      1000 sh\n"
                                     "100000        77 other",
                                     pids, users, 2);
  assert_string_equal (out, "USER   HUSER        PID CMD\n"
                            "root   100000       412 sleep 9\n"
                            "nobody 165534      1000 sh\n"
                            "?      100000        77 other\n");
  free (out);
}

static void
statistics_documents_of_runc_and_ours (void **state)
{
  (void)state;
  /* runc on cgroup v1: limits as the largest number, lower-case ops on
   * v2, the inactive cache named after memory.stat */
  const char *runc = "{\"cpu\": {\"usage\": {\"total\": 5000, \"kernel\": 1000, \"user\": 4000}},"
                     " \"memory\": {\"usage\": {\"usage\": 9000, \"limit\": 9223372036854771712},"
                     " \"raw\": {\"total_inactive_file\": 1000}},"
                     " \"pids\": {\"current\": 3, \"limit\": 0},"
                     " \"blkio\": {\"ioServiceBytesRecursive\": [{\"op\": \"read\", \"value\": 7},"
                     " {\"op\": \"write\", \"value\": 8}, {\"op\": \"Read\", \"value\": 1}]}}";
  json_t *doc = json_loads (runc, 0, NULL);
  struct cgroup_stats s;
  assert_int_equal (cgroup_stats_from_json (doc, &s, NULL), 0);
  assert_int_equal (s.cpu_usage_ns, 5000);
  assert_int_equal (s.memory_usage, 9000);
  assert_true (s.memory_limit == CGROUP_STAT_UNLIMITED);
  assert_true (s.pids_limit == CGROUP_STAT_UNLIMITED);
  assert_int_equal (ctr_stats_memory_used (&s), 8000);
  assert_int_equal (s.pids_current, 3);
  assert_int_equal (s.io_read_bytes, 8);
  assert_int_equal (s.io_write_bytes, 8);
  json_decref (doc);
  /* ours, there and back */
  struct cgroup_stats ours = { .cpu_usage_ns = 42,
                               .memory_usage = 100,
                               .memory_limit = 64 << 20,
                               .memory_inactive_file = 10,
                               .pids_current = 2,
                               .pids_limit = CGROUP_STAT_UNLIMITED,
                               .io_read_bytes = 5,
                               .swap_limit = CGROUP_STAT_UNLIMITED };
  doc = cgroup_stats_to_json (&ours);
  assert_int_equal (cgroup_stats_from_json (doc, &s, NULL), 0);
  assert_int_equal (s.cpu_usage_ns, 42);
  assert_int_equal (s.memory_limit, 64 << 20);
  assert_int_equal (s.memory_inactive_file, 10);
  assert_true (s.pids_limit == CGROUP_STAT_UNLIMITED);
  assert_int_equal (s.io_read_bytes, 5);
  json_decref (doc);
  struct hk_error *err = NULL;
  assert_int_equal (cgroup_stats_from_json (NULL, &s, &err), -1);
  hk_error_free (err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (cpu_percent_is_of_one_cpu),
    cmocka_unit_test (cpu_percent_without_two_readings_is_zero),
    cmocka_unit_test (memory_leaves_out_inactive_cache),
    cmocka_unit_test (memory_limit_falls_back_to_the_host),
    cmocka_unit_test (ps_rows_of_the_container_only),
    cmocka_unit_test (ps_pid_column_anywhere),
    cmocka_unit_test (ps_without_pid_column_is_an_error),
    cmocka_unit_test (ps_of_a_remapped_container_names_both_users),
    cmocka_unit_test (statistics_documents_of_runc_and_ours),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
