/* SPDX-License-Identifier: Apache-2.0 */
#include "state.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* state.json, and /proc/PID/stat, read whole. */
#define STATE_FILE_MAX_SIZE (1024 * 1024)
#define PROC_STAT_MAX_SIZE 4096

int
state_check_id (const char *id, struct hk_error **err)
{
  size_t len = strlen (id);
  if (len == 0 || len > STATE_MAX_ID_LENGTH)
    return hk_error_set (err, EINVAL, "invalid container id `%s`: must be 1 to %d characters", id,
                         STATE_MAX_ID_LENGTH);
  for (const char *p = id; *p; p++)
    {
      bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
                || *p == '_' || *p == '-' || *p == '.' || *p == '+';
      if (!ok)
        return hk_error_set (err, EINVAL,
                             "invalid container id `%s`: only letters, digits, `_`, `-`, `.` and "
                             "`+` are allowed",
                             id);
    }
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return hk_error_set (err, EINVAL, "invalid container id `%s`", id);
  return 0;
}

int
state_dir_create (const char *root, const char *id, struct hk_error **err)
{
  if (state_check_id (id, err) < 0)
    return -1;
  if (fs_mkdir_p (root, 0700, err) < 0)
    return hk_error_prefix (err, "state root");
  _cleanup_close_ int root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open state root `%s`", root);
  if (mkdirat (root_fd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return hk_error_set (err, EEXIST, "container `%s` already exists", id);
      return hk_error_errno (err, errno, "create state directory `%s/%s`", root, id);
    }
  int fd = openat (root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return hk_error_errno (err, errno, "open state directory `%s/%s`", root, id);
  return fd;
}

/* Opens ROOT/ID; "container `ID` does not exist" when missing. */
static int
state_dir_open (const char *root, const char *id, struct hk_error **err)
{
  if (state_check_id (id, err) < 0)
    return -1;
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, id);
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT)
    return hk_error_set (err, ENOENT, "container `%s` does not exist", id);
  if (fd < 0)
    return hk_error_errno (err, errno, "open state directory `%s`", path);
  return fd;
}

int
state_save (const struct container_state *s, struct hk_error **err)
{
  _cleanup_json_ json_t *j = json_pack (
      "{s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:O, s:b}", "id", s->id, "bundle", s->bundle, "rootfs",
      s->rootfs, "pid", (int) s->pid, "pidStartTime", (json_int_t) s->pid_start_time, "created",
      s->created, "owner", s->owner ? s->owner : "", "annotations",
      s->annotations ? s->annotations : json_object (), "newPidNamespace", s->new_pid_namespace);
  if (s->cgroup != NULL)
    json_object_set_new (j, "cgroups", cgroup_to_json (s->cgroup));
  _cleanup_free_ char *text = json_to_string (j, false);
  return fs_replace_file (s->dir_fd, STATE_FILE, text, strlen (text), 0600, err);
}

int
state_load (const char *root, const char *id, struct container_state **out,
            struct hk_error **err)
{
  _cleanup_close_ int dfd = state_dir_open (root, id, err);
  if (dfd < 0)
    return -1;
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (dfd, STATE_FILE, STATE_FILE_MAX_SIZE, &text, &len, err) < 0)
    {
      if ((*err)->errnum == ENOENT)
        return hk_error_set (err, ENOENT, "container `%s` is still being created", id);
      return -1;
    }
  _cleanup_json_ json_t *j = NULL;
  if (json_parse_object (text, len, "state.json", &j, err) < 0)
    return -1;
  const char *sid, *bundle, *rootfs, *created, *owner = "";
  int pid, new_pidns = 0;
  json_int_t start;
  json_t *annotations = NULL;
  if (json_unpack (j, "{s:s, s:s, s:s, s:i, s:I, s:s, s?:s, s?:o, s?:b}", "id", &sid, "bundle",
                   &bundle, "rootfs", &rootfs, "pid", &pid, "pidStartTime", &start, "created",
                   &created, "owner", &owner, "annotations", &annotations, "newPidNamespace",
                   &new_pidns)
      < 0)
    return hk_error_set (err, EINVAL, "state of container `%s` is malformed", id);
  struct container_state *s = xzalloc (sizeof *s);
  s->id = xstrdup (sid);
  s->bundle = xstrdup (bundle);
  s->rootfs = xstrdup (rootfs);
  s->pid = pid;
  s->pid_start_time = (unsigned long long) start;
  s->created = xstrdup (created);
  s->owner = xstrdup (owner);
  s->annotations = annotations ? json_incref (annotations) : json_object ();
  s->new_pid_namespace = new_pidns;
  s->dir_fd = take_fd (&dfd);
  json_t *cgroups = json_object_get (j, "cgroups");
  if (cgroups != NULL && cgroup_from_json (cgroups, &s->cgroup, err) < 0)
    {
      state_free (s);
      return -1;
    }
  *out = s;
  return 0;
}

void
state_free (struct container_state *s)
{
  if (s == NULL)
    return;
  free (s->id);
  free (s->bundle);
  free (s->rootfs);
  free (s->created);
  free (s->owner);
  json_decref (s->annotations);
  cgroup_free (s->cgroup);
  if (s->dir_fd >= 0)
    close (s->dir_fd);
  free (s);
}

unsigned long long
state_process_start_time (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  _cleanup_free_ char *text = NULL;
  struct hk_error *e = NULL;
  if (fs_read_file (AT_FDCWD, path, PROC_STAT_MAX_SIZE, &text, NULL, &e) < 0)
    {
      hk_error_free (e);
      return 0;
    }
  /* The command name may hold spaces and parentheses: fields start after
   * the last ')'.  Field 3 is the state, field 22 the start time. */
  char *p = strrchr (text, ')');
  if (p == NULL)
    return 0;
  char state = 0;
  unsigned long long start = 0;
  if (sscanf (p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
                     "%*d %llu",
              &state, &start)
      != 2)
    return 0;
  if (state == 'Z' || state == 'X')
    return 0;
  return start;
}

bool
state_process_alive (pid_t pid, unsigned long long start_time)
{
  if (pid <= 0)
    return false;
  unsigned long long now = state_process_start_time (pid);
  return now != 0 && now == start_time;
}

enum container_status
state_status (const struct container_state *s)
{
  if (s->pid <= 0)
    return STATUS_CREATING;
  if (!state_process_alive (s->pid, s->pid_start_time))
    return STATUS_STOPPED;
  /* A created container can be paused too; resume brings it back. */
  if (s->cgroup != NULL && cgroup_is_frozen (s->cgroup))
    return STATUS_PAUSED;
  if (faccessat (s->dir_fd, EXEC_FIFO, F_OK, 0) == 0)
    return STATUS_CREATED;
  return STATUS_RUNNING;
}

const char *
state_status_name (enum container_status status)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  return names[status];
}

json_t *
state_to_oci_json (const struct container_state *s, enum container_status status)
{
  int pid = status == STATUS_STOPPED ? 0 : (int) s->pid;
  return json_pack ("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:O}", "ociVersion", OCI_RUNTIME_SPEC_VERSION, "id",
                    s->id, "status", state_status_name (status), "pid", pid, "bundle", s->bundle,
                    "rootfs", s->rootfs, "created", s->created, "owner", s->owner,
                    "annotations", s->annotations);
}

int
state_remove (const char *root, const char *id, struct hk_error **err)
{
  _cleanup_close_ int root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open state root `%s`", root);
  return fs_remove_tree (root_fd, id, err);
}

int
state_lock (const struct container_state *s, struct hk_error **err)
{
  if (flock (s->dir_fd, LOCK_EX) < 0)
    return hk_error_errno (err, errno, "lock container `%s`", s->id);
  return 0;
}

char *
state_now_rfc3339 (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return xstrdup (buf);
}

int
state_write_pid_file (const char *path, pid_t pid, struct hk_error **err)
{
  char abs[PATH_MAX];
  _cleanup_free_ char *copy = xstrdup (path);
  char *slash = strrchr (copy, '/');
  const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
  const char *name = slash ? slash + 1 : copy;
  if (slash)
    *slash = '\0';
  if (realpath (dir, abs) == NULL)
    return hk_error_errno (err, errno, "--pid-file `%s`", path);
  _cleanup_close_ int dfd = open (abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "--pid-file `%s`", path);
  char text[16];
  int len = snprintf (text, sizeof text, "%d", (int) pid);
  return fs_replace_file (dfd, name, text, (size_t) len, 0644, err);
}
