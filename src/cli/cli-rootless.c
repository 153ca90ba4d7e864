/* SPDX-License-Identifier: Apache-2.0 */
#include "cli-rootless.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "engine/subid.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The user's ranges of one kind as the arguments newuidmap/newgidmap
 * take after the pid: "0 ID 1" then each range from the container's 1. */
struct id_args
{
  char **argv; /* NULL-terminated, PROGRAM PID 0 ID 1 [N START COUNT]... */
  size_t n;
};

static void
id_args_free (struct id_args *a)
{
  for (size_t i = 0; i < a->n; i++)
    free (a->argv[i]);
  free (a->argv);
}

static void
id_args_add (struct id_args *a, char *word)
{
  a->argv = xreallocarray (a->argv, a->n + 2, sizeof *a->argv);
  a->argv[a->n++] = word;
  a->argv[a->n] = NULL;
}

/* PROGRAM in $PATH, or NULL. */
static char *
find_program (const char *program)
{
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = xstrdup (path && *path ? path : "/usr/bin:/bin");
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *candidate = xasprintf ("%s/%s", dir, program);
      if (access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
    }
  return NULL;
}

/* The mapping of KIND for the user: its own id at 0, its ranges above.
 * *SINGLE when it has none: the caller maps its id alone. */
static int
plan_map (enum subid_kind kind, const char *user, uint32_t own, struct id_args *out, bool *single,
          struct hk_error **err)
{
  const char *program = kind == SUBID_UID ? "newuidmap" : "newgidmap";
  _cleanup_free_ struct subid_range *ranges = NULL;
  size_t n = 0;
  struct hk_error *why = NULL;
  *single = false;
  if (subid_ranges (subid_file (kind), user, &ranges, &n, &why) < 0)
    {
      if (why->errnum != ENOENT)
        {
          *err = why;
          return -1;
        }
      hk_error_free (why);
      *single = true;
      return 0;
    }
  char *path = find_program (program);
  if (path == NULL)
    return hk_error_set (err, ENOENT,
                         "%s is not in $PATH: rootless hako needs it to map %s's ranges in %s "
                         "(Debian package uidmap)",
                         program, user, subid_file (kind));
  id_args_add (out, path);
  id_args_add (out, xstrdup ("")); /* the pid, once known */
  id_args_add (out, xstrdup ("0"));
  id_args_add (out, xasprintf ("%" PRIu32, own));
  id_args_add (out, xstrdup ("1"));
  uint64_t next = 1;
  for (size_t i = 0; i < n; i++)
    {
      id_args_add (out, xasprintf ("%" PRIu64, next));
      id_args_add (out, xasprintf ("%" PRIu32, ranges[i].start));
      id_args_add (out, xasprintf ("%" PRIu32, ranges[i].count));
      next += ranges[i].count;
    }
  return 0;
}

/* Runs newuidmap/newgidmap (ARGS) for PID; its complaint is the error. */
static int
run_map_program (struct id_args *args, pid_t pid, struct hk_error **err)
{
  free (args->argv[1]);
  args->argv[1] = xasprintf ("%d", (int)pid);
  int out[2];
  if (pipe2 (out, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t child = fork ();
  if (child < 0)
    {
      close (out[0]);
      close (out[1]);
      return hk_error_errno (err, errno, "fork for %s", args->argv[0]);
    }
  if (child == 0)
    {
      dup2 (out[1], 2);
      dup2 (out[1], 1);
      execv (args->argv[0], args->argv);
      dprintf (2, "exec: %s", strerror (errno));
      _exit (127);
    }
  close (out[1]);
  char said[512];
  size_t len = 0;
  ssize_t n;
  while ((n = read (out[0], said + len, sizeof said - 1 - len)) > 0)
    len += (size_t)n;
  close (out[0]);
  said[len] = '\0';
  while (len > 0 && said[len - 1] == '\n')
    said[--len] = '\0';
  int status;
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for %s", args->argv[0]);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hk_error_set (err, EPERM, "%s failed: %s", args->argv[0],
                         len ? said : "no message");
  return 0;
}

/* The single-uid mapping, written by us as the namespace's creator. */
static int
write_single_maps (pid_t pid, uid_t uid, gid_t gid, bool single_uid, bool single_gid,
                   struct hk_error **err)
{
  char path[64], map[64];
  if (single_gid)
    {
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int)pid);
      if (fs_write_kernel_file (AT_FDCWD, path, "deny", err) < 0)
        return -1;
      snprintf (path, sizeof path, "/proc/%d/gid_map", (int)pid);
      snprintf (map, sizeof map, "0 %u 1", (unsigned)gid);
      if (fs_write_kernel_file (AT_FDCWD, path, map, err) < 0)
        return -1;
    }
  if (single_uid)
    {
      snprintf (path, sizeof path, "/proc/%d/uid_map", (int)pid);
      snprintf (map, sizeof map, "0 %u 1", (unsigned)uid);
      if (fs_write_kernel_file (AT_FDCWD, path, map, err) < 0)
        return -1;
    }
  return 0;
}

/* The holder: in a user namespace of its own, then (mapped) a mount
 * namespace, it waits for ever.  Its steps are reported on REPORT: its
 * pid after the unshare of the user namespace, then a 0 (or an errno)
 * once the mount namespace is made.  GO tells it its maps are written. */
static _Noreturn void
holder_main (int report, int go)
{
  int rc = unshare (CLONE_NEWUSER) < 0 ? -errno : (int)getpid ();
  (void)!write (report, &rc, sizeof rc);
  char c = 0;
  if (rc < 0 || read (go, &c, 1) != 1 || c != 'g')
    _exit (1);
  rc = unshare (CLONE_NEWNS) < 0 ? errno : 0;
  (void)!write (report, &rc, sizeof rc);
  if (rc != 0)
    _exit (1);
  prctl (PR_SET_NAME, "hako-rootless");
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0)
    {
      dup2 (null, 0);
      dup2 (null, 1);
      dup2 (null, 2);
    }
  syscall (SYS_close_range, 3, ~0U, 0);
  (void)!chdir ("/");
  signal (SIGINT, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  for (;;)
    pause ();
}

/* The start time of PID (field 22 of /proc/PID/stat), 0 when it is gone. */
static unsigned long long
start_time (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, path, 4096, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return 0;
    }
  const char *p = strrchr (text, ')');
  unsigned long long t = 0;
  for (int field = 2; p != NULL && field < 22; field++)
    p = strchr (p + 1, ' ');
  if (p != NULL)
    t = strtoull (p + 1, NULL, 10);
  return t;
}

/* Starts the holder (a grandchild, so that no command of ours waits for
 * it or reaps it) and maps its namespace.  Returns its pid. */
static pid_t
start_holder (struct id_args *uids, struct id_args *gids, bool single_uid, bool single_gid,
              struct hk_error **err)
{
  int report[2], go[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  if (pipe2 (go, O_CLOEXEC) < 0)
    {
      close (report[0]);
      close (report[1]);
      return hk_error_errno (err, errno, "pipe");
    }
  pid_t middle = fork ();
  if (middle == 0)
    {
      close (report[0]);
      close (go[1]);
      setsid ();
      pid_t holder = fork ();
      if (holder == 0)
        holder_main (report[1], go[0]);
      _exit (holder < 0 ? 1 : 0);
    }
  close (report[1]);
  close (go[0]);
  _cleanup_close_ int report_fd = report[0], go_fd = go[1];
  if (middle < 0)
    return hk_error_errno (err, errno, "fork the user namespace's holder");
  while (waitpid (middle, NULL, 0) < 0 && errno == EINTR)
    ;
  int pid = 0, rc = 0;
  if (read (report_fd, &pid, sizeof pid) != sizeof pid)
    return hk_error_set (err, EIO, "the user namespace's holder did not start");
  if (pid < 0)
    return hk_error_errno (err, -pid,
                           "create a user namespace (is kernel.unprivileged_userns_clone or "
                           "user.max_user_namespaces 0?)");
  if ((uids->n > 0 && run_map_program (uids, pid, err) < 0)
      || (gids->n > 0 && run_map_program (gids, pid, err) < 0)
      || write_single_maps (pid, getuid (), getgid (), single_uid, single_gid, err) < 0)
    {
      kill (pid, SIGKILL);
      return -1;
    }
  if (write (go_fd, "g", 1) != 1 || read (report_fd, &rc, sizeof rc) != sizeof rc || rc != 0)
    {
      kill (pid, SIGKILL);
      return hk_error_errno (err, rc ? rc : EIO, "create the rootless mount namespace");
    }
  return pid;
}

/* The holder recorded in FILE ("PID STARTTIME"), when it still runs. */
static pid_t
recorded_holder (const char *file)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, file, 128, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return 0;
    }
  int pid = 0;
  unsigned long long when = 0;
  if (sscanf (text, "%d %llu", &pid, &when) != 2 || pid <= 0 || start_time (pid) != when)
    return 0;
  return pid;
}

static int
join (pid_t pid, struct hk_error **err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int)pid);
  _cleanup_close_ int user = open (path, O_RDONLY | O_CLOEXEC);
  snprintf (path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
  _cleanup_close_ int mnt = open (path, O_RDONLY | O_CLOEXEC);
  if (user < 0 || mnt < 0)
    return hk_error_errno (err, errno, "open the namespaces of the holder %d", (int)pid);
  _cleanup_close_ int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (setns (user, CLONE_NEWUSER) < 0)
    return hk_error_errno (err, errno, "join the rootless user namespace of %d", (int)pid);
  if (setns (mnt, CLONE_NEWNS) < 0)
    return hk_error_errno (err, errno, "join the rootless mount namespace of %d", (int)pid);
  if (cwd >= 0 && fchdir (cwd) < 0)
    return hk_error_errno (err, errno, "return to the working directory");
  return 0;
}

int
cli_rootless_enter (const char *runroot, const struct hk_log *log, struct hk_error **err)
{
  if (fs_mkdir_p (runroot, 0700, err) < 0)
    return hk_error_prefix (err, "the run directory");
  _cleanup_free_ char *lock_path = xasprintf ("%s/pause.lock", runroot);
  _cleanup_free_ char *pid_path = xasprintf ("%s/pause.pid", runroot);
  _cleanup_close_ int lock = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0)
    return hk_error_errno (err, errno, "open `%s`", lock_path);
  if (flock (lock, LOCK_EX) < 0)
    return hk_error_errno (err, errno, "lock `%s`", lock_path);
  pid_t pid = recorded_holder (pid_path);
  if (pid == 0)
    {
      uid_t uid = getuid ();
      _cleanup_free_ char *user = subid_user_name (uid);
      if (user == NULL)
        return hk_error_set (err, ENOENT, "uid %u has no name in /etc/passwd", (unsigned)uid);
      struct id_args uids = { 0 }, gids = { 0 };
      bool single_uid, single_gid;
      if (plan_map (SUBID_UID, user, uid, &uids, &single_uid, err) < 0
          || plan_map (SUBID_GID, user, getgid (), &gids, &single_gid, err) < 0)
        {
          id_args_free (&uids);
          id_args_free (&gids);
          return -1;
        }
      if (single_uid || single_gid)
        hk_warn (log,
                 "%s has no range in %s: rootless hako maps uid %u and gid %u alone (images "
                 "whose files belong to other users cannot be unpacked, USER and --user of "
                 "other ids fail)",
                 user, single_uid ? subid_file (SUBID_UID) : subid_file (SUBID_GID),
                 (unsigned)uid, (unsigned)getgid ());
      pid = start_holder (&uids, &gids, single_uid, single_gid, err);
      id_args_free (&uids);
      id_args_free (&gids);
      if (pid < 0)
        return hk_error_prefix (err, "rootless user namespace");
      char text[64];
      snprintf (text, sizeof text, "%d %llu\n", (int)pid, start_time (pid));
      _cleanup_close_ int dir = open (runroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0 || fs_replace_file (dir, "pause.pid", text, strlen (text), 0600, err) < 0)
        {
          if (dir < 0)
            hk_error_errno (err, errno, "open `%s`", runroot);
          kill (pid, SIGKILL);
          return -1;
        }
    }
  return join (pid, err);
}
