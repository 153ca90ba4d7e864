/* SPDX-License-Identifier: Apache-2.0 */
/* explain's readers of a container's resolv.conf and mountinfo, and the
 * event log's reader: what they take from a text, and what they skip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/event-log.h"
#include "common/xalloc.h"
#include "engine/explain.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *
item (json_t *doc, const char *list, size_t i)
{
  return json_string_value (json_array_get (json_object_get (doc, list), i));
}

static void
resolv_conf_keys_with_spaces_or_tabs (void **state)
{
  (void)state;
  char *text = xstrdup ("# comment\nnameserver 10.89.0.1\nnameserver\tfd00::1\n"
                        "nameservers 6.6.6.6\nsearch a.example b.example\noptions ndots:5\n"
                        "nameserver\n");
  json_t *doc = explain_resolv_conf_parse (text);
  assert_int_equal (json_array_size (json_object_get (doc, "nameservers")), 2);
  assert_string_equal (item (doc, "nameservers", 0), "10.89.0.1");
  assert_string_equal (item (doc, "nameservers", 1), "fd00::1");
  assert_int_equal (json_array_size (json_object_get (doc, "search")), 2);
  assert_string_equal (item (doc, "search", 1), "b.example");
  assert_string_equal (item (doc, "options", 0), "ndots:5");
  json_decref (doc);
  free (text);
}

static void
mountinfo_unescaped_marked_and_root (void **state)
{
  (void)state;
  char *const masked[] = { (char *)"/proc/kcore", NULL };
  char *const readonly[] = { (char *)"/proc/sys", NULL };
  char *text = xstrdup (
      "1 0 0:98 / / ro,relatime - overlay overlay rw,lowerdir=/l/A:/l/B,upperdir=/u,workdir=/w\n"
      "2 1 8:1 /v /my\\040data rw,relatime master:1 - ext4 /dev/sda1 rw\n"
      "3 1 0:101 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw\n"
      "4 1 0:100 /sys /proc/sys ro - proc proc rw\n"
      "a line without the separator\n");
  json_t *root = NULL;
  json_t *mounts = explain_mountinfo_parse (text, masked, readonly, &root);
  assert_int_equal (json_array_size (mounts), 4);
  json_t *data = json_array_get (mounts, 1);
  assert_string_equal (json_string_value (json_object_get (data, "target")), "/my data");
  assert_false (json_is_true (json_object_get (data, "readonly")));
  assert_true (json_is_true (json_object_get (json_array_get (mounts, 2), "masked")));
  json_t *sys = json_array_get (mounts, 3);
  assert_true (json_is_true (json_object_get (sys, "readonly_path")));
  assert_true (json_is_true (json_object_get (sys, "readonly")));
  assert_non_null (root);
  assert_string_equal (json_string_value (json_object_get (root, "fstype")), "overlay");
  assert_true (json_is_true (json_object_get (root, "readonly")));
  assert_non_null (json_object_get (root, "overlay"));
  json_decref (root);
  json_decref (mounts);
  free (text);
}

/* The "Action" of each event read, space-separated; stops at "stop". */
static bool
collect (json_t *event, void *data)
{
  char *actions = data;
  const char *a = json_string_value (json_object_get (event, "Action"));
  strcat (actions, a ? a : "?");
  strcat (actions, " ");
  return strcmp (a ? a : "", "stop") != 0;
}

static char *
read_log (const char *text)
{
  int fd = memfd_create ("log", MFD_CLOEXEC);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, text, strlen (text)), (ssize_t)strlen (text));
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  char *actions = xzalloc (256);
  assert_int_equal (event_log_read_fd (fd, collect, actions, NULL), 0);
  close (fd);
  return actions;
}

static void
event_log_whole_json_lines_only (void **state)
{
  (void)state;
  char *got = read_log ("{\"Action\":\"create\"}\nnot json\n{\"Action\":\"start\"}\n"
                        "{\"Action\":\"half\"");
  assert_string_equal (got, "create start ");
  free (got);
  got = read_log ("{\"Action\":\"a\"}\n{\"Action\":\"stop\"}\n{\"Action\":\"after\"}\n");
  assert_string_equal (got, "a stop ");
  free (got);
}

static void
event_log_overlong_line_dropped (void **state)
{
  (void)state;
  size_t n = 3 * EVENT_LINE_MAX;
  char *text = xzalloc (n + 64);
  memset (text, 'x', n);
  strcat (text, "\n{\"Action\":\"next\"}\n");
  char *got = read_log (text);
  assert_string_equal (got, "next ");
  free (got);
  free (text);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (resolv_conf_keys_with_spaces_or_tabs),
    cmocka_unit_test (mountinfo_unescaped_marked_and_root),
    cmocka_unit_test (event_log_whole_json_lines_only),
    cmocka_unit_test (event_log_overlong_line_dropped),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
