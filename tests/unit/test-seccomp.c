/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp: compilation, errors naming the field, the compiled-filter
 * cache, and a filter installed for real in a child process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp-cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static json_t *
profile (const char *text)
{
  json_error_t jerr;
  json_t *j = json_loads (text, 0, &jerr);
  assert_non_null (j);
  return j;
}

static void
expect_error (const char *text, const char *needle)
{
  _cleanup_json_ json_t *j = profile (text);
  struct seccomp_program *prog = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (seccomp_compile (j, &prog, &err), -1);
  if (strstr (err->message, needle) == NULL)
    fail_msg ("error `%s` does not contain `%s`", err->message, needle);
  hk_error_free (err);
}

static void
a_profile_compiles (void **state)
{
  (void) state;
  _cleanup_json_ json_t *j = profile (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
      "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
      "\"syscalls\":[{\"names\":[\"read\",\"write\",\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},"
      "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
      "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
      "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
  struct seccomp_program *prog = NULL;
  assert_int_equal (seccomp_compile (j, &prog, NULL), 0);
  assert_true (prog->len > 10);
  assert_false (prog->notify);
  seccomp_program_free (prog);
}

static void
bad_profiles_name_the_field (void **state)
{
  (void) state;
  expect_error ("{\"defaultAction\":\"SCMP_ACT_NOPE\"}",
                "linux.seccomp.defaultAction: unknown action `SCMP_ACT_NOPE`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\",\"no_such_call\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                "linux.seccomp.syscalls[0].names[1]: unknown syscall `no_such_call`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                "linux.seccomp.syscalls[0].args[0].index: 9 is not an argument index");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_SIMILAR\"}]}]}",
                "linux.seccomp.syscalls[0].args[0].op: unknown operator `SCMP_CMP_SIMILAR`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
                "linux.seccomp.architectures[0]: unknown architecture `SCMP_ARCH_Z80`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_MAGIC\"]}",
                "linux.seccomp.flags[0]: unknown flag");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
                "listenerPath");
}

/* A syscall that exists on another architecture the profile names (or any
 * architecture) is skipped on this one, not an error: profiles are shared
 * between architectures. */
static void
syscalls_of_other_architectures_are_skipped (void **state)
{
  (void) state;
  _cleanup_json_ json_t *j = profile (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"arm_fadvise64_64\",\"read\"],"
      "\"action\":\"SCMP_ACT_ERRNO\"}]}");
  struct seccomp_program *prog = NULL;
  assert_int_equal (seccomp_compile (j, &prog, NULL), 0);
  seccomp_program_free (prog);
}

static size_t
count_entries (const char *dir)
{
  size_t n = 0;
  DIR *d = opendir (dir);
  if (d == NULL)
    return 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  closedir (d);
  return n;
}

static void
the_cache_is_used_and_keyed_by_profile (void **state)
{
  (void) state;
  char tmpl[] = "/tmp/hako-seccomp-cache-XXXXXX";
  char *dir = mkdtemp (tmpl);
  _cleanup_json_ json_t *a = profile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
  _cleanup_json_ json_t *b = profile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
  struct seccomp_program *p1 = NULL, *p2 = NULL, *p3 = NULL;
  assert_int_equal (seccomp_prepare (a, dir, &p1, NULL), 0);
  assert_int_equal (count_entries (dir), 1);
  assert_int_equal (seccomp_prepare (a, dir, &p2, NULL), 0);
  assert_int_equal (count_entries (dir), 1);
  assert_int_equal (p1->len, p2->len);
  assert_memory_equal (p1->insns, p2->insns, p1->len * sizeof (struct sock_filter));
  assert_int_equal (seccomp_prepare (b, dir, &p3, NULL), 0);
  assert_int_equal (count_entries (dir), 2);
  seccomp_program_free (p1);
  seccomp_program_free (p2);
  seccomp_program_free (p3);
  fs_remove_tree (AT_FDCWD, dir, NULL);
}

/* A one-instruction program whose k tells programs apart. */
static void
store_fake (const char *dir, const char *key, uint32_t k)
{
  struct sock_filter insn = { .code = 6, .k = k };
  struct seccomp_program prog = { .insns = &insn, .len = 1 };
  seccomp_cache_store (dir, key, &prog);
}

static bool
cached (const char *dir, const char *key)
{
  struct seccomp_program prog = { 0 };
  int r = seccomp_cache_lookup (dir, key, &prog);
  free (prog.insns);
  return r == 0;
}

/* Sets the time of KEY's entry (tests cannot rely on the clock telling
 * apart entries written in the same tick). */
static void
age_entry (const char *dir, const char *key, time_t when)
{
  for (DIR *d = opendir (dir); d != NULL; closedir (d), d = NULL)
    for (struct dirent *de; (de = readdir (d)) != NULL;)
      {
        if (de->d_name[0] == '.')
          continue;
        _cleanup_free_ char *path = xasprintf ("%s/%s", dir, de->d_name);
        _cleanup_free_ char *text = NULL;
        size_t len;
        assert_int_equal (fs_read_file (AT_FDCWD, path, 1 << 20, &text, &len, NULL), 0);
        if (len >= strlen (key) && memcmp (text, key, strlen (key)) == 0)
          {
            struct timespec t[2] = { { .tv_sec = when }, { .tv_sec = when } };
            assert_int_equal (utimensat (AT_FDCWD, path, t, 0), 0);
          }
      }
}

static void
the_cache_is_bounded_and_evicts_the_least_recently_used (void **state)
{
  (void) state;
  char tmpl[] = "/tmp/hako-seccomp-cache-XXXXXX";
  char *dir = mkdtemp (tmpl);
  char key[32];
  for (int i = 0; i < SECCOMP_CACHE_MAX_ENTRIES; i++)
    {
      snprintf (key, sizeof key, "key %d\n", i);
      store_fake (dir, key, (uint32_t) i);
      age_entry (dir, key, 1000000 + i);
    }
  assert_int_equal (count_entries (dir), SECCOMP_CACHE_MAX_ENTRIES);
  /* A hit makes entry 0 the most recent: entry 1 is now the oldest. */
  assert_true (cached (dir, "key 0\n"));
  /* A temporary file a crashed writer left behind goes too. */
  _cleanup_free_ char *temp = xasprintf ("%s/.0123456789abcdef.tmp.1", dir);
  close (open (temp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  struct timespec old[2] = { { .tv_sec = 1000000 }, { .tv_sec = 1000000 } };
  assert_int_equal (utimensat (AT_FDCWD, temp, old, 0), 0);
  store_fake (dir, "key new\n", 99);
  assert_int_equal (count_entries (dir), SECCOMP_CACHE_MAX_ENTRIES);
  assert_true (cached (dir, "key 0\n"));
  assert_false (cached (dir, "key 1\n"));
  assert_true (cached (dir, "key 2\n"));
  assert_true (cached (dir, "key new\n"));
  assert_int_equal (access (temp, F_OK), -1);
  fs_remove_tree (AT_FDCWD, dir, NULL);
}

/* An entry planted by another user would become a container's filter: a
 * directory others can write is not used. */
static void
a_cache_others_can_write_is_not_trusted (void **state)
{
  (void) state;
  char tmpl[] = "/tmp/hako-seccomp-cache-XXXXXX";
  char *dir = mkdtemp (tmpl);
  store_fake (dir, "key\n", 1);
  assert_true (cached (dir, "key\n"));
  assert_int_equal (chmod (dir, 0777), 0);
  assert_false (cached (dir, "key\n"));
  store_fake (dir, "other\n", 2);
  assert_int_equal (count_entries (dir), 1);
  fs_remove_tree (AT_FDCWD, dir, NULL);
}

static void
an_installed_filter_takes_effect (void **state)
{
  (void) state;
  _cleanup_json_ json_t *j = profile (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdirat\",\"mkdir\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}");
  struct seccomp_program *prog = NULL;
  assert_int_equal (seccomp_compile (j, &prog, NULL), 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      int listener;
      if (seccomp_install (prog, &listener, NULL) < 0)
        _exit (2);
      int r = mkdir ("/tmp/hako-seccomp-should-not-exist", 0700);
      _exit (r < 0 && errno == 42 ? 0 : 1);
    }
  int status;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
  seccomp_program_free (prog);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (a_profile_compiles),
    cmocka_unit_test (bad_profiles_name_the_field),
    cmocka_unit_test (syscalls_of_other_architectures_are_skipped),
    cmocka_unit_test (the_cache_is_used_and_keyed_by_profile),
    cmocka_unit_test (the_cache_is_bounded_and_evicts_the_least_recently_used),
    cmocka_unit_test (a_cache_others_can_write_is_not_trusted),
    cmocka_unit_test (an_installed_filter_takes_effect),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
