/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain: the cgroups of a process.  /proc/PID/cgroup names its
 * cgroup in each hierarchy; our /proc/self/mountinfo says where each
 * hierarchy is mounted and which controllers it has (v1 hierarchies,
 * the v2 one, or both on a hybrid host); the limits and the usage are
 * the controllers' own files there. */
#include "explain.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A limit file and, when there is one, the usage it bounds. */
struct cg_file
{
  const char *controller;
  const char *file;
  const char *usage; /* NULL: none */
  const char *unlimited; /* the value that means no limit, NULL: any value is one */
};

static const struct cg_file v1_files[] = {
  { "memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "9223372036854771712" },
  { "memory", "memory.memsw.limit_in_bytes", "memory.memsw.usage_in_bytes", "9223372036854771712" },
  { "memory", "memory.soft_limit_in_bytes", NULL, "9223372036854771712" },
  { "cpu", "cpu.cfs_quota_us", NULL, "-1" },
  { "cpu", "cpu.cfs_period_us", NULL, NULL },
  { "cpu", "cpu.shares", NULL, "1024" },
  { "cpuacct", "cpuacct.usage", NULL, NULL },
  { "cpuset", "cpuset.cpus", NULL, NULL },
  { "cpuset", "cpuset.mems", NULL, NULL },
  { "pids", "pids.max", "pids.current", "max" },
  { "blkio", "blkio.weight", NULL, NULL },
  { "blkio", "blkio.throttle.read_bps_device", NULL, "" },
  { "blkio", "blkio.throttle.write_bps_device", NULL, "" },
  { "blkio", "blkio.throttle.read_iops_device", NULL, "" },
  { "blkio", "blkio.throttle.write_iops_device", NULL, "" },
};

static const struct cg_file v2_files[] = {
  { "memory", "memory.max", "memory.current", "max" },
  { "memory", "memory.swap.max", "memory.swap.current", "max" },
  { "memory", "memory.low", NULL, "0" },
  { "memory", "memory.high", NULL, "max" },
  { "cpu", "cpu.max", NULL, "max 100000" },
  { "cpu", "cpu.weight", NULL, "100" },
  { "cpu", "cpu.stat", NULL, NULL },
  { "cpuset", "cpuset.cpus", NULL, "" },
  { "cpuset", "cpuset.mems", NULL, "" },
  { "pids", "pids.max", "pids.current", "max" },
  { "io", "io.max", NULL, "" },
  { "io", "io.weight", NULL, "default 100" },
};

/* DIR/NAME without its final newline, or NULL when unreadable. */
static char *
read_value (const char *dir, const char *name)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  size_t len = strlen (text);
  while (len > 0 && text[len - 1] == '\n')
    text[--len] = '\0';
  return text;
}

/* The number after "KEY " in DIR/FILE (memory.events, memory.oom_control,
 * cpu.stat), -1 when absent. */
static long long
keyed_value (const char *dir, const char *file, const char *key)
{
  _cleanup_free_ char *text = read_value (dir, file);
  size_t klen = strlen (key);
  for (char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
      return strtoll (line + klen + 1, NULL, 10);
  return -1;
}

/* TEXT's words between SEPS, never NULL. */
static char **
split_words (const char *text, const char *seps)
{
  char **v = xzalloc (sizeof (char *));
  while (*text)
    {
      size_t len = strcspn (text, seps);
      if (len > 0)
        strv_append_take (&v, xstrndup (text, len));
      text += len;
      text += strspn (text, seps);
    }
  return v;
}

/* A cgroup or cgroup2 mount of our mount namespace. */
struct cg_mount
{
  char *root, *target, *options; /* options: the super options ("rw,memory") */
  bool v2;
};

static void
cg_mounts_free (struct cg_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (m[i].root);
      free (m[i].target);
      free (m[i].options);
    }
  free (m);
}

static struct cg_mount *
cg_mounts (size_t *n)
{
  *n = 0;
  struct cg_mount *list = NULL;
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char root[4096], target[4096], fstype[64], source[256], options[1024];
      const char *dash = strstr (line, " - ");
      if (dash == NULL || sscanf (line, "%*s %*s %*s %4095s %4095s", root, target) != 2
          || sscanf (dash + 3, "%63s %255s %1023s", fstype, source, options) != 3)
        continue;
      bool v2 = strcmp (fstype, "cgroup2") == 0;
      if (!v2 && strcmp (fstype, "cgroup") != 0)
        continue;
      list = xrealloc (list, (*n + 1) * sizeof *list);
      list[(*n)++] = (struct cg_mount){ xstrdup (root), xstrdup (target), xstrdup (options), v2 };
    }
  return list;
}

/* Whether the v1 mount's options name every controller of CONTROLLERS. */
static bool
has_controllers (const struct cg_mount *m, const char *controllers)
{
  _cleanup_strv_ char **opts = split_words (m->options, ",");
  _cleanup_strv_ char **want = split_words (controllers, ",");
  for (size_t i = 0; want[i]; i++)
    if (!strv_contains (opts, want[i]))
      return false;
  return true;
}

/* Where the cgroup PATH of a hierarchy is on disk, NULL: not mounted. */
static char *
cg_dir (const struct cg_mount *mounts, size_t n, bool v2, const char *controllers,
        const char *path)
{
  for (size_t i = 0; i < n; i++)
    {
      if (mounts[i].v2 != v2 || (!v2 && !has_controllers (&mounts[i], controllers)))
        continue;
      size_t rlen = strcmp (mounts[i].root, "/") == 0 ? 0 : strlen (mounts[i].root);
      if (strncmp (path, mounts[i].root, rlen) != 0)
        continue;
      return xasprintf ("%s%s", mounts[i].target, path + rlen);
    }
  return NULL;
}

static void
add_settings (json_t *settings, const char *dir, const struct cg_file *files, size_t n,
              char *const *controllers)
{
  for (size_t i = 0; i < n; i++)
    {
      if (!strv_contains (controllers, files[i].controller))
        continue;
      _cleanup_free_ char *value = read_value (dir, files[i].file);
      if (value == NULL)
        continue;
      _cleanup_free_ char *file = xasprintf ("%s/%s", dir, files[i].file);
      bool limited = files[i].unlimited != NULL && strcmp (value, files[i].unlimited) != 0;
      json_t *s = json_pack ("{s:s, s:s, s:s, s:b}", "controller", files[i].controller, "file",
                             file, "value", value, "limited", limited);
      if (files[i].usage != NULL)
        {
          _cleanup_free_ char *usage = read_value (dir, files[i].usage);
          _cleanup_free_ char *ufile = xasprintf ("%s/%s", dir, files[i].usage);
          if (usage != NULL)
            {
              json_object_set_new (s, "usage", json_string (usage));
              json_object_set_new (s, "usage_file", json_string (ufile));
            }
        }
      json_array_append_new (settings, s);
    }
}

/* The OOM kills of the memory controller in DIR (v1: memory.oom_control,
 * v2: memory.events), with the file it came from. */
static void
add_oom_kills (json_t *doc, const char *dir, bool v2)
{
  const char *file = v2 ? "memory.events" : "memory.oom_control";
  long long kills = keyed_value (dir, file, "oom_kill");
  if (kills < 0)
    return;
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  json_object_set_new (doc, "oom_kills", json_integer (kills));
  json_object_set_new (doc, "oom_kills_source", json_string (path));
}

/* One line of /proc/PID/cgroup ("4:memory:/hako/ID") into HIERARCHIES
 * and SETTINGS. */
static void
add_hierarchy (json_t *doc, const struct cg_mount *mounts, size_t n, const char *line,
               bool *v1, bool *v2)
{
  const char *c1 = strchr (line, ':');
  const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c2 == NULL)
    return;
  _cleanup_free_ char *controllers = xstrndup (c1 + 1, (size_t)(c2 - c1 - 1));
  const char *path = c2 + 1;
  bool unified = *controllers == '\0';
  _cleanup_free_ char *dir = cg_dir (mounts, n, unified, controllers, path);
  _cleanup_strv_ char **names = NULL;
  if (unified)
    {
      _cleanup_free_ char *enabled = dir ? read_value (dir, "cgroup.controllers") : NULL;
      names = split_words (enabled ? enabled : "", " ");
      *v2 = true;
    }
  else
    {
      names = split_words (controllers, ",");
      *v1 = true;
    }
  json_t *h = json_pack ("{s:i, s:o, s:s}", "version", unified ? 2 : 1, "controllers",
                         json_from_strv (names), "path", path);
  if (dir != NULL)
    {
      json_object_set_new (h, "dir", json_string (dir));
      add_settings (json_object_get (doc, "settings"), dir, unified ? v2_files : v1_files,
                    unified ? sizeof v2_files / sizeof v2_files[0]
                            : sizeof v1_files / sizeof v1_files[0],
                    names);
      if (strv_contains (names, "memory"))
        add_oom_kills (doc, dir, unified);
    }
  json_array_append_new (json_object_get (doc, "hierarchies"), h);
}

json_t *
explain_cgroups (pid_t pid)
{
  _cleanup_free_ char *source = xasprintf ("/proc/%d/cgroup", (int)pid);
  json_t *doc = json_pack ("{s:s, s:[], s:[]}", "source", source, "hierarchies", "settings");
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, source, FS_TEXT_FILE_MAX, &text, NULL, &ignored) < 0)
    {
      json_object_set_new (doc, "error", json_string (ignored->message));
      hk_error_free (ignored);
      return doc;
    }
  size_t n = 0;
  struct cg_mount *mounts = cg_mounts (&n);
  bool v1 = false, v2 = false;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    add_hierarchy (doc, mounts, n, line, &v1, &v2);
  cg_mounts_free (mounts, n);
  json_object_set_new (doc, "layout", json_string (v1 && v2 ? "hybrid" : v1 ? "v1" : "v2"));
  return doc;
}
