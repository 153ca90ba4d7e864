/* SPDX-License-Identifier: Apache-2.0 */
#include "subid.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define SUBID_FILE_MAX (4 * 1024 * 1024)

const char *
subid_file (enum subid_kind kind)
{
  const char *file = getenv (kind == SUBID_UID ? "HAKO_SUBUID_FILE" : "HAKO_SUBGID_FILE");
  if (file != NULL && *file == '/')
    return file;
  return kind == SUBID_UID ? "/etc/subuid" : "/etc/subgid";
}

/* FILE's text; a missing file is empty. */
static int
read_text (const char *file, char **out, struct hk_error **err)
{
  struct hk_error *e = NULL;
  if (fs_read_file (AT_FDCWD, file, SUBID_FILE_MAX, out, NULL, &e) == 0)
    return 0;
  if (e->errnum != ENOENT)
    {
      *err = e;
      return hk_error_prefix (err, "read `%s`", file);
    }
  hk_error_free (e);
  *out = xstrdup ("");
  return 0;
}

/* The uid of NAME in /etc/passwd, -1 when none. */
static long long
user_uid (const char *name)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (read_text ("/etc/passwd", &text, &ignored) < 0)
    {
      hk_error_free (ignored);
      return -1;
    }
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *colon = strchr (line, ':');
      if (colon == NULL || (size_t)(colon - line) != strlen (name)
          || strncmp (line, name, strlen (name)) != 0)
        continue;
      char *uid = strchr (colon + 1, ':');
      return uid ? strtoll (uid + 1, NULL, 10) : -1;
    }
  return -1;
}

/* Field I (from 0) of passwd LINE, cut in place; NULL when it has fewer. */
static char *
passwd_field (char *line, int i)
{
  for (; i > 0 && line != NULL; i--)
    {
      line = strchr (line, ':');
      line = line ? line + 1 : NULL;
    }
  if (line != NULL)
    line[strcspn (line, ":")] = '\0';
  return line;
}

/* Field I of UID's /etc/passwd entry (read as a file: a static program
 * cannot use NSS), or NULL when there is none or it is empty. */
static char *
passwd_entry_field (uid_t uid, int i)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (read_text ("/etc/passwd", &text, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long id;
      if (sscanf (line, "%*[^:]:%*[^:]:%llu:", &id) != 1 || id != uid)
        continue;
      const char *field = passwd_field (line, i);
      return field && *field ? xstrdup (field) : NULL;
    }
  return NULL;
}

char *
subid_user_name (uid_t uid)
{
  return passwd_entry_field (uid, 0);
}

char *
subid_user_home (uid_t uid)
{
  return passwd_entry_field (uid, 5);
}

/* One "NAME:START:COUNT" line; false when it is not one. */
static bool
parse_line (char *line, char **name, uint32_t *start, uint32_t *count)
{
  char *c1 = strchr (line, ':');
  char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c2 == NULL)
    return false;
  *c1 = '\0';
  char *end1, *end2;
  errno = 0;
  unsigned long long s = strtoull (c1 + 1, &end1, 10);
  unsigned long long n = strtoull (c2 + 1, &end2, 10);
  if (errno != 0 || end1 != c2 || *end2 != '\0' || n == 0 || s + n > UINT32_MAX)
    return false;
  *name = line;
  *start = (uint32_t)s;
  *count = (uint32_t)n;
  return true;
}

int
subid_ranges (const char *file, const char *user, struct subid_range **out, size_t *n,
              struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (read_text (file, &text, err) < 0)
    return -1;
  long long uid = user_uid (user);
  char uid_text[32];
  snprintf (uid_text, sizeof uid_text, "%lld", uid);
  _cleanup_free_ struct subid_range *ranges = NULL;
  size_t count = 0;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *name;
      uint32_t start, size;
      if (line[0] == '#' || !parse_line (line, &name, &start, &size))
        continue;
      if (strcmp (name, user) != 0 && (uid < 0 || strcmp (name, uid_text) != 0))
        continue;
      ranges = xreallocarray (ranges, count + 1, sizeof *ranges);
      ranges[count++] = (struct subid_range){ start, size };
    }
  if (count == 0)
    return hk_error_set (err, ENOENT, "user `%s` has no subordinate ids in %s", user, file);
  *out = take_ptr (ranges);
  *n = count;
  return 0;
}

/* The first id after every range in TEXT (at least 100000, where
 * useradd's SUB_UID_MIN starts). */
static uint64_t
first_free (char *text)
{
  uint64_t next = 100000;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *name;
      uint32_t start, count;
      if (line[0] != '#' && parse_line (line, &name, &start, &count)
          && (uint64_t)start + count > next)
        next = (uint64_t)start + count;
    }
  return next;
}

int
subid_ensure (const char *file, const char *user, uint32_t count, struct hk_error **err)
{
  /* Two hako adding the range at once: the second finds it.  (shadow's
   * tools lock the file by link(2); this flock of its directory keeps out
   * only another hako, and makes no file.) */
  _cleanup_free_ char *dir_path = xstrdup (file);
  char *slash = strrchr (dir_path, '/');
  if (slash == NULL)
    return hk_error_set (err, EINVAL, "`%s` is not an absolute path", file);
  *slash = '\0';
  _cleanup_close_ int dir = open (*dir_path ? dir_path : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || flock (dir, LOCK_EX) < 0)
    return hk_error_errno (err, errno, "lock `%s` to add a range to %s", dir_path, file);
  struct subid_range *ranges = NULL;
  size_t n = 0;
  struct hk_error *missing = NULL;
  if (subid_ranges (file, user, &ranges, &n, &missing) == 0)
    {
      free (ranges);
      return 0;
    }
  hk_error_free (missing);
  _cleanup_free_ char *text = NULL;
  if (read_text (file, &text, err) < 0)
    return -1;
  _cleanup_free_ char *scratch = xstrdup (text);
  uint64_t start = first_free (scratch);
  if (start + count > UINT32_MAX)
    return hk_error_set (err, ENOSPC, "%s: no room for %u more ids", file, count);
  size_t len = strlen (text);
  _cleanup_free_ char *updated
      = xasprintf ("%s%s%s:%" PRIu64 ":%" PRIu32 "\n", text,
                   len > 0 && text[len - 1] != '\n' ? "\n" : "", user, start, count);
  if (fs_write_atomic (dir, slash + 1, updated, strlen (updated), 0644, err) < 0)
    return hk_error_prefix (err, "add a range for `%s`", user);
  return 0;
}
