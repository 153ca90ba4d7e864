/* SPDX-License-Identifier: Apache-2.0 */
/* Cgroup layout detection, creation, membership and removal.  The
 * version-specific resource writers are cgroup-v1.c and cgroup-v2.c. */
#include "cgroup.h"
#include "cgroup-internal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

/* A cgroup file read whole (cgroup.procs of a busy cgroup is the largest). */
#define CGROUP_FILE_MAX_SIZE (1024 * 1024)

const char *
cgroup_mode_name (enum cgroup_mode mode)
{
  switch (mode)
    {
    case CGROUP_MODE_V1:
      return "v1";
    case CGROUP_MODE_V2:
      return "v2";
    case CGROUP_MODE_HYBRID:
      return "hybrid";
    }
  return "unknown";
}

int
cgroup_write (const char *dir, const char *file, const char *value, struct hk_error **err)
{
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open cgroup `%s`", dir);
  /* O_TRUNC means nothing to cgroupfs, but keeps a test's fake tree honest. */
  _cleanup_close_ int fd = openat (dfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s/%s`", dir, file);
  size_t len = strlen (value);
  ssize_t n;
  do
    n = write (fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return hk_error_errno (err, errno, "write `%s` to `%s/%s`", value, dir, file);
  return 0;
}

int
cgroup_read (const char *dir, const char *file, char **out, struct hk_error **err)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  size_t len;
  if (fs_read_file (AT_FDCWD, path, CGROUP_FILE_MAX_SIZE, out, &len, err) < 0)
    return -1;
  while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
    (*out)[--len] = '\0';
  return 0;
}

/* ---- layout detection ---- */

static bool
known_v1_controller (const char *word)
{
  static const char *const names[] = { "cpuset",  "cpu",     "cpuacct",   "blkio",
                                       "memory",  "devices", "freezer",   "net_cls",
                                       "net_prio", "perf_event", "hugetlb", "pids",
                                       "rdma",    "misc",    "debug" };
  if (strncmp (word, "name=", 5) == 0)
    return true;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (word, names[i]) == 0)
      return true;
  return false;
}

/* The controllers of a v1 mount from its super options, "cpu,cpuacct". */
static char *
v1_controllers_from_options (char *options)
{
  char *out = NULL, *save = NULL;
  for (char *w = strtok_r (options, ",", &save); w != NULL; w = strtok_r (NULL, ",", &save))
    {
      if (!known_v1_controller (w))
        continue;
      char *joined = out ? xasprintf ("%s,%s", out, w) : xstrdup (w);
      free (out);
      out = joined;
    }
  return out;
}

static void
layout_add (struct cgroup_layout *l, bool v2, const char *mount_point, const char *controllers)
{
  l->hierarchies = xreallocarray (l->hierarchies, l->n + 1, sizeof *l->hierarchies);
  struct cgroup_hierarchy *h = &l->hierarchies[l->n++];
  h->v2 = v2;
  h->mount_point = xstrdup (mount_point);
  h->controllers = xstrdup (controllers);
  h->own_path = xstrdup ("/");
}

/* Unescapes the octal escapes (\040) of a mountinfo field in place. */
static void
unescape_mountinfo (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0'
          && r[3] <= '7')
        {
          *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
          r += 3;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* Keeps the hierarchies KEEP says yes to, in order. */
static void
layout_filter (struct cgroup_layout *l, bool (*keep) (const struct cgroup_layout *l, size_t i,
                                                      const void *data),
               const void *data)
{
  size_t kept = 0;
  for (size_t i = 0; i < l->n; i++)
    {
      struct cgroup_hierarchy *h = &l->hierarchies[i];
      if (keep (l, i, data))
        {
          l->hierarchies[kept++] = *h;
          continue;
        }
      free (h->mount_point);
      free (h->controllers);
      free (h->own_path);
    }
  l->n = kept;
}

static bool
not_at (const struct cgroup_layout *l, size_t i, const void *mount_point)
{
  return strcmp (l->hierarchies[i].mount_point, mount_point) != 0;
}

/* The first mount of each hierarchy (a hierarchy mounted twice is one). */
static bool
first_of_its_hierarchy (const struct cgroup_layout *l, size_t i, const void *data)
{
  (void) data;
  const struct cgroup_hierarchy *h = &l->hierarchies[i];
  for (size_t j = 0; j < i; j++)
    if (l->hierarchies[j].v2 == h->v2 && strcmp (l->hierarchies[j].controllers, h->controllers) == 0)
      return false;
  return true;
}

/* A mount over a parent directory (a tmpfs over /sys/fs/cgroup) hides a
 * hierarchy without sharing its mount point: its mount point must really
 * be that cgroup file system. */
static bool
reachable (const struct cgroup_layout *l, size_t i, const void *data)
{
  (void) data;
  const struct cgroup_hierarchy *h = &l->hierarchies[i];
  struct statfs sfs;
  return statfs (h->mount_point, &sfs) == 0
         && sfs.f_type == (h->v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC);
}

int
cgroup_read_mountinfo (FILE *f, struct cgroup_layout *l)
{
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      /* id parent maj:min root mount-point options [optional...] - type source super */
      char *fields[6] = { 0 }, *save = NULL, *tok;
      int i = 0;
      for (tok = strtok_r (line, " \n", &save); tok && i < 5; tok = strtok_r (NULL, " \n", &save))
        fields[i++] = tok;
      if (i < 5)
        continue;
      unescape_mountinfo (fields[4]);
      /* Only the last mount at a mount point is seen there (a tmpfs over
       * /sys/fs/cgroup/unified hides the cgroup2 tree below it). */
      layout_filter (l, not_at, fields[4]);
      if (strcmp (fields[3], "/") != 0)
        continue;
      while (tok != NULL && strcmp (tok, "-") != 0)
        tok = strtok_r (NULL, " \n", &save);
      char *type = strtok_r (NULL, " \n", &save);
      char *source = strtok_r (NULL, " \n", &save);
      char *super = strtok_r (NULL, " \n", &save);
      if (type == NULL || source == NULL || super == NULL)
        continue;
      if (strcmp (type, "cgroup2") == 0)
        layout_add (l, true, fields[4], "");
      else if (strcmp (type, "cgroup") == 0)
        {
          _cleanup_free_ char *controllers = v1_controllers_from_options (super);
          if (controllers != NULL)
            layout_add (l, false, fields[4], controllers);
        }
    }
  return 0;
}

/* Fills own_path from /proc/self/cgroup ("ID:controllers:path"). */
static void
read_own_cgroups (struct cgroup_layout *l)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  if (f == NULL)
    return;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline (&line, &cap, f)) > 0)
    {
      if (line[n - 1] == '\n')
        line[n - 1] = '\0';
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      const char *controllers = c1 + 1, *path = c2 + 1;
      bool v2 = strcmp (line, "0") == 0 && *controllers == '\0';
      for (size_t i = 0; i < l->n; i++)
        if (l->hierarchies[i].v2 == v2 && (v2 || strcmp (l->hierarchies[i].controllers, controllers) == 0))
          {
            free (l->hierarchies[i].own_path);
            l->hierarchies[i].own_path = xstrdup (path);
          }
    }
}

int
cgroup_layout_detect (const char *root, struct cgroup_layout **out, struct hk_error **err)
{
  struct statfs sfs;
  if (statfs (root, &sfs) < 0)
    return hk_error_errno (err, errno, "statfs `%s`", root);
  struct cgroup_layout *l = xzalloc (sizeof *l);
  if (sfs.f_type == CGROUP2_SUPER_MAGIC || strcmp (root, "/sys/fs/cgroup") != 0)
    {
      /* Pure v2 (or a test's fake tree, which always models v2). */
      layout_add (l, true, root, "");
      if (sfs.f_type == CGROUP2_SUPER_MAGIC)
        read_own_cgroups (l);
      l->mode = CGROUP_MODE_V2;
      *out = l;
      return 0;
    }
  _cleanup_fclose_ FILE *mountinfo = fopen ("/proc/self/mountinfo", "re");
  if (mountinfo == NULL)
    {
      cgroup_layout_free (l);
      return hk_error_errno (err, errno, "open /proc/self/mountinfo");
    }
  cgroup_read_mountinfo (mountinfo, l);
  layout_filter (l, reachable, NULL);
  layout_filter (l, first_of_its_hierarchy, NULL);
  bool has_v1 = false, has_v2 = false;
  for (size_t i = 0; i < l->n; i++)
    {
      has_v1 |= !l->hierarchies[i].v2;
      has_v2 |= l->hierarchies[i].v2;
    }
  if (!has_v1 && !has_v2)
    {
      cgroup_layout_free (l);
      return hk_error_set (err, ENOENT, "no cgroup hierarchy is mounted under `%s`", root);
    }
  l->mode = has_v1 ? (has_v2 ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1) : CGROUP_MODE_V2;
  read_own_cgroups (l);
  *out = l;
  return 0;
}

void
cgroup_layout_free (struct cgroup_layout *layout)
{
  if (layout == NULL)
    return;
  for (size_t i = 0; i < layout->n; i++)
    {
      free (layout->hierarchies[i].mount_point);
      free (layout->hierarchies[i].controllers);
      free (layout->hierarchies[i].own_path);
    }
  free (layout->hierarchies);
  free (layout);
}

/* ---- creation ---- */

static char *
container_path (const struct cgroup_hierarchy *h, const char *cgroups_path, const char *id)
{
  if (cgroups_path == NULL || *cgroups_path == '\0')
    return xasprintf ("/hako/%s", id);
  if (cgroups_path[0] == '/')
    return xstrdup (cgroups_path);
  const char *own = h->own_path;
  return xasprintf ("%s/%s", strcmp (own, "/") == 0 ? "" : own, cgroups_path);
}

/* mkdir -p of DIR below MOUNT_POINT, calling PREPARE on each directory it
 * makes (cpuset needs its parent's CPUs copied in, v2 the controllers
 * enabled in each parent).  Sets *CREATED when the leaf is new. */
static int
make_cgroup_dirs (struct cgroup_dir *d, struct hk_error **err)
{
  size_t base = strlen (d->mount_point);
  _cleanup_free_ char *dir = xstrdup (d->dir);
  for (char *p = dir + base + 1; ; p++)
    {
      bool end = *p == '\0';
      if (*p != '/' && !end)
        continue;
      *p = '\0';
      if (d->v2)
        {
          /* Enable the parent's controllers for the level we create. */
          char *slash = strrchr (dir, '/');
          *slash = '\0';
          int r = cgroup_v2_enable_controllers (dir, err);
          *slash = '/';
          if (r < 0)
            return -1;
        }
      if (mkdir (dir, 0755) == 0)
        {
          if (end)
            d->created = true;
          if (!d->v2 && strstr (d->controllers, "cpuset") != NULL
              && cgroup_v1_cpuset_init (dir, err) < 0)
            return -1;
        }
      else if (errno != EEXIST)
        return hk_error_errno (err, errno, "create cgroup `%s`", dir);
      if (end)
        return 0;
      *p = '/';
    }
}

int
cgroup_create (const struct cgroup_layout *layout, const char *cgroups_path, const char *id,
               struct cgroup **out, struct hk_error **err)
{
  _cleanup_cgroup_ struct cgroup *cg = xzalloc (sizeof *cg);
  cg->dirs = xzalloc (sizeof (struct cgroup_dir) * (layout->n + 1));
  for (size_t i = 0; i < layout->n; i++)
    {
      const struct cgroup_hierarchy *h = &layout->hierarchies[i];
      struct cgroup_dir *d = &cg->dirs[cg->n++];
      d->v2 = h->v2;
      d->controllers = xstrdup (h->controllers);
      d->mount_point = xstrdup (h->mount_point);
      d->path = container_path (h, cgroups_path, id);
      d->dir = xasprintf ("%s%s", h->mount_point, d->path);
      if (make_cgroup_dirs (d, err) < 0)
        {
          struct hk_error *ignored = NULL;
          cgroup_destroy (cg, &ignored);
          hk_error_free (ignored);
          return -1;
        }
    }
  *out = take_ptr (cg);
  return 0;
}

int
cgroup_enter (const struct cgroup *cg, pid_t pid, bool skip_v2, struct hk_error **err)
{
  char value[32];
  snprintf (value, sizeof value, "%d", (int) pid);
  for (size_t i = 0; i < cg->n; i++)
    {
      if (cg->dirs[i].v2 && skip_v2)
        continue;
      if (cgroup_write (cg->dirs[i].dir, "cgroup.procs", value, err) < 0)
        return -1;
    }
  return 0;
}

int
cgroup_open_v2 (const struct cgroup *cg)
{
  const struct cgroup_dir *d = cgroup_v2_dir (cg);
  if (d == NULL)
    return -1;
  return open (d->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

const struct cgroup_dir *
cgroup_v2_dir (const struct cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    if (cg->dirs[i].v2)
      return &cg->dirs[i];
  return NULL;
}

static bool
word_in_list (const char *list, const char *word, const char *separators)
{
  size_t len = strlen (word);
  for (const char *p = list; (p = strstr (p, word)) != NULL; p += len)
    {
      bool starts = p == list || strchr (separators, p[-1]) != NULL;
      bool ends = p[len] == '\0' || strchr (separators, p[len]) != NULL;
      if (starts && ends)
        return true;
    }
  return false;
}

const struct cgroup_dir *
cgroup_find (const struct cgroup *cg, const char *controller, bool *v2)
{
  /* A controller is bound to one hierarchy only: v1 first, since on a
   * hybrid host the v2 tree has the controllers no v1 tree took. */
  for (size_t i = 0; i < cg->n; i++)
    if (!cg->dirs[i].v2 && word_in_list (cg->dirs[i].controllers, controller, ","))
      {
        *v2 = false;
        return &cg->dirs[i];
      }
  const struct cgroup_dir *d = cgroup_v2_dir (cg);
  if (d == NULL)
    return NULL;
  _cleanup_free_ char *available = NULL;
  struct hk_error *ignored = NULL;
  if (cgroup_read (d->dir, "cgroup.controllers", &available, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  if (!word_in_list (available, controller, " "))
    return NULL;
  *v2 = true;
  return d;
}

int
cgroup_apply (const struct cgroup *cg, const struct oci_resources *res, bool updating,
              struct hk_error **err)
{
  return cgroup_apply_resources (cg, res, updating, err);
}

/* ---- membership and removal ---- */

static int
read_pids (const char *dir, pid_t **out, size_t *n, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (cgroup_read (dir, "cgroup.procs", &text, err) < 0)
    return -1;
  *n = 0;
  *out = NULL;
  char *save = NULL;
  for (char *tok = strtok_r (text, "\n", &save); tok; tok = strtok_r (NULL, "\n", &save))
    {
      *out = xreallocarray (*out, *n + 1, sizeof (pid_t));
      (*out)[(*n)++] = (pid_t) atoi (tok);
    }
  return 0;
}

int
cgroup_pids (const struct cgroup *cg, pid_t **out, size_t *n, struct hk_error **err)
{
  /* Prefer the hierarchy that tracks every process: v2, else pids or
   * memory, else any. */
  const struct cgroup_dir *d = cgroup_v2_dir (cg);
  bool v2;
  if (d == NULL || access (d->dir, F_OK) < 0)
    d = cgroup_find (cg, "pids", &v2);
  if (d == NULL)
    d = cg->n > 0 ? &cg->dirs[0] : NULL;
  if (d == NULL)
    {
      *out = NULL;
      *n = 0;
      return 0;
    }
  return read_pids (d->dir, out, n, err);
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* Removes DIR and the cgroups below it, deepest first. */
static int
remove_cgroup_tree (const char *dir, struct hk_error **err)
{
  _cleanup_closedir_ DIR *d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "open cgroup `%s`", dir);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *child = xasprintf ("%s/%s", dir, de->d_name);
      if (remove_cgroup_tree (child, err) < 0)
        return -1;
    }
  /* EBUSY while the last processes are still exiting: retry, bounded. */
  for (int attempt = 0; attempt < 100; attempt++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        break;
      sleep_ms (attempt < 10 ? 1 : 10);
    }
  return hk_error_errno (err, errno, "remove cgroup `%s`", dir);
}

/* Kills every process in DIR (and below) until none is left, bounded. */
static int
kill_all (const struct cgroup_dir *d, struct hk_error **err)
{
  if (d->v2 && cgroup_write (d->dir, "cgroup.kill", "1", NULL) == 0)
    return 0;
  for (int attempt = 0; attempt < 200; attempt++)
    {
      _cleanup_free_ pid_t *pids = NULL;
      size_t n = 0;
      struct hk_error *e = NULL;
      if (read_pids (d->dir, &pids, &n, &e) < 0)
        {
          bool gone = e->errnum == ENOENT;
          hk_error_free (e);
          return gone ? 0 : hk_error_set (err, EIO, "list the processes of `%s`", d->dir);
        }
      if (n == 0)
        return 0;
      for (size_t i = 0; i < n; i++)
        kill (pids[i], SIGKILL);
      sleep_ms (attempt < 10 ? 1 : 10);
    }
  return hk_error_set (err, EBUSY, "processes in `%s` do not die", d->dir);
}

int
cgroup_destroy (struct cgroup *cg, struct hk_error **err)
{
  /* The common case first: an empty cgroup is just removed. */
  bool all_gone = true;
  for (size_t i = 0; i < cg->n; i++)
    all_gone &= rmdir (cg->dirs[i].dir) == 0 || errno == ENOENT;
  if (all_gone)
    return 0;
  int result = 0;
  /* A frozen process would keep SIGKILL pending forever: thaw first. */
  if (cgroup_is_frozen (cg))
    cgroup_freeze (cg, false, NULL);
  for (size_t i = 0; i < cg->n; i++)
    if (kill_all (&cg->dirs[i], err) < 0)
      result = -1;
  for (size_t i = 0; i < cg->n; i++)
    if (remove_cgroup_tree (cg->dirs[i].dir, err) < 0)
      result = -1;
  return result;
}

/* ---- state.json ---- */

json_t *
cgroup_to_json (const struct cgroup *cg)
{
  json_t *arr = json_array ();
  for (size_t i = 0; i < cg->n; i++)
    {
      const struct cgroup_dir *d = &cg->dirs[i];
      json_array_append_new (arr, json_pack ("{s:b, s:s, s:s, s:s}", "v2", d->v2, "controllers",
                                             d->controllers, "mountPoint", d->mount_point, "path",
                                             d->path));
    }
  return arr;
}

int
cgroup_from_json (json_t *j, struct cgroup **out, struct hk_error **err)
{
  if (!json_is_array (j))
    return hk_error_set (err, EINVAL, "state: cgroups: expected an array");
  _cleanup_cgroup_ struct cgroup *cg = xzalloc (sizeof *cg);
  cg->dirs = xzalloc (sizeof (struct cgroup_dir) * (json_array_size (j) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (j, i, item)
  {
    int v2;
    const char *controllers, *mount_point, *path;
    if (json_unpack (item, "{s:b, s:s, s:s, s:s}", "v2", &v2, "controllers", &controllers,
                     "mountPoint", &mount_point, "path", &path)
        < 0)
      return hk_error_set (err, EINVAL, "state: cgroups[%zu]: malformed", i);
    struct cgroup_dir *d = &cg->dirs[cg->n++];
    d->v2 = v2;
    d->controllers = xstrdup (controllers);
    d->mount_point = xstrdup (mount_point);
    d->path = xstrdup (path);
    d->dir = xasprintf ("%s%s", mount_point, path);
  }
  *out = take_ptr (cg);
  return 0;
}

void
cgroup_free (struct cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    {
      free (cg->dirs[i].controllers);
      free (cg->dirs[i].mount_point);
      free (cg->dirs[i].path);
      free (cg->dirs[i].dir);
    }
  free (cg->dirs);
  free (cg);
}

/* ---- freezer ---- */

static int
cgroup_freeze_dir (const struct cgroup_dir *d, bool freeze, struct hk_error **err)
{
  if (d->v2)
    return cgroup_write (d->dir, "cgroup.freeze", freeze ? "1" : "0", err);
  if (cgroup_write (d->dir, "freezer.state", freeze ? "FROZEN" : "THAWED", err) < 0)
    return -1;
  /* v1 freezing is asynchronous: wait until the state settles. */
  for (int attempt = 0; attempt < 1000; attempt++)
    {
      _cleanup_free_ char *state = NULL;
      if (cgroup_read (d->dir, "freezer.state", &state, err) < 0)
        return -1;
      if (strcmp (state, freeze ? "FROZEN" : "THAWED") == 0)
        return 0;
      if (freeze && attempt % 50 == 49)
        cgroup_write (d->dir, "freezer.state", "FROZEN", NULL);
      sleep_ms (1);
    }
  return hk_error_set (err, EBUSY, "cgroup `%s` did not reach %s", d->dir,
                       freeze ? "FROZEN" : "THAWED");
}

int
cgroup_freeze (const struct cgroup *cg, bool freeze, struct hk_error **err)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "freezer", &v2);
  if (d == NULL)
    d = cgroup_v2_dir (cg);
  if (d == NULL)
    return hk_error_set (err, ENOTSUP, "no freezer: the host has neither a v1 freezer "
                                       "hierarchy nor cgroup v2");
  return cgroup_freeze_dir (d, freeze, err);
}

bool
cgroup_is_frozen (const struct cgroup *cg)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "freezer", &v2);
  if (d == NULL)
    d = cgroup_v2_dir (cg);
  if (d == NULL)
    return false;
  _cleanup_free_ char *state = NULL;
  struct hk_error *e = NULL;
  if (d->v2)
    {
      /* cgroup.events says "frozen 1" once the freeze completed. */
      if (cgroup_read (d->dir, "cgroup.freeze", &state, &e) < 0)
        {
          hk_error_free (e);
          return false;
        }
      return strcmp (state, "1") == 0;
    }
  if (cgroup_read (d->dir, "freezer.state", &state, &e) < 0)
    {
      hk_error_free (e);
      return false;
    }
  return strcmp (state, "THAWED") != 0;
}
