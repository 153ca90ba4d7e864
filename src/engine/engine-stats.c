/* SPDX-License-Identifier: Apache-2.0 */
/* stats and top: a running container's cgroups read, its processes
 * listed by the host's ps. */
#include "ctr-config-userns.h"
#include "ctr-network.h"
#include "ctr-stats.h"
#include "engine.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The most of `ps` output read. */
#define PS_OUTPUT_MAX (64 << 20)

extern char **environ;

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

int
engine_usage (struct engine *e, const struct ctr_record *r, struct ctr_usage *out,
              struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  out->time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
  if (!is_running (r))
    return 0;
  struct runtime_backend b;
  engine_backend (e, r, &b);
  _cleanup_json_ json_t *stats = NULL;
  struct hk_error *gone = NULL;
  /* Stopped since it was last seen: no state, nothing to show. */
  if (backend_stats (&b, r->id, &stats, &gone) < 0)
    {
      hk_error_free (gone);
      return 0;
    }
  if (cgroup_stats_from_json (json_object_get (stats, "data"), &out->cgroup, err) < 0)
    return hk_error_prefix (err, "statistics of container %s", r->name);
  struct sysinfo host;
  uint64_t host_memory = sysinfo (&host) == 0 ? (uint64_t)host.totalram * host.mem_unit : 0;
  out->memory_limit = ctr_stats_memory_limit (&out->cgroup, host_memory);
  struct hk_error *no_net = NULL;
  /* The container may have stopped in between: no traffic to show then. */
  if (ctr_network_io (e, r, &out->net_rx_bytes, &out->net_tx_bytes, &no_net) < 0)
    hk_error_free (no_net);
  out->running = true;
  return 0;
}

/* Runs ps with ARGS; its standard output in *OUT. */
static int
run_ps (char *const *args, char **out, struct hk_error **err)
{
  int pipe_fds[2];
  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  _cleanup_close_ int rd = pipe_fds[0];
  _cleanup_close_ int wr = pipe_fds[1];
  _cleanup_strv_ char **argv = NULL;
  strv_append (&argv, "ps");
  for (size_t i = 0; args && args[i]; i++)
    strv_append (&argv, args[i]);
  if (args == NULL || args[0] == NULL)
    strv_append (&argv, "-ef");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, wr, 1);
  pid_t pid;
  int rc = posix_spawnp (&pid, "ps", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (rc != 0)
    return hk_error_errno (err, rc, "run ps");
  close (take_fd (&wr));
  size_t len;
  int read_rc = fs_read_fd (rd, PS_OUTPUT_MAX, out, &len, err);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (read_rc < 0)
    return hk_error_prefix (err, "read the output of ps");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      free (take_ptr (*out));
      return hk_error_set (err, EINVAL, "ps failed (exit status %d): check its options",
                           WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
    }
  return 0;
}

/* The real uid of process PID (-1 when it is gone). */
static long long
process_uid (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
  _cleanup_free_ char *status = NULL;
  struct hk_error *gone = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &status, NULL, &gone) < 0)
    {
      hk_error_free (gone);
      return -1;
    }
  const char *uid = strstr (status, "\nUid:");
  return uid ? strtoll (uid + 5, NULL, 10) : -1;
}

/* The name of UID in PASSWD (an /etc/passwd), or the number. */
static char *
user_name (const char *passwd, uint32_t uid)
{
  for (const char *line = passwd; line && *line; line = strchr (line, '\n'), line += line != NULL)
    {
      char name[64];
      unsigned long long id;
      if (sscanf (line, "%63[^:\n]:%*[^:\n]:%llu:", name, &id) == 2 && id == uid)
        return xstrdup (name);
    }
  return xasprintf ("%u", uid);
}

/* top of a remapped container: each process's user as the container sees
 * it (its /etc/passwd read in the root of the first process) before the
 * host's. */
static void
add_container_users (const struct id_maps *maps, const pid_t *pids, size_t n, char **table)
{
  char root[64];
  snprintf (root, sizeof root, "/proc/%d/root", (int)pids[0]);
  _cleanup_close_ int root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *passwd = NULL;
  struct hk_error *missing = NULL;
  _cleanup_close_ int fd
      = root_fd < 0 ? -1 : in_root_open (root_fd, "/etc/passwd", O_RDONLY, 0, &missing);
  if (fd < 0 || fs_read_fd (fd, FS_TEXT_FILE_MAX, &passwd, NULL, &missing) < 0)
    hk_error_free (missing);
  char **users = xzalloc ((n + 1) * sizeof *users);
  for (size_t i = 0; i < n; i++)
    {
      long long host = process_uid (pids[i]);
      uint32_t uid = host < 0 ? ID_MAP_OVERFLOW : (uint32_t)host, gid = 0;
      id_maps_to_container (maps, &uid, &gid);
      users[i] = host < 0 ? xstrdup ("?") : user_name (passwd, uid);
    }
  char *with_users = ctr_stats_ps_add_user (*table, pids, users, n);
  strv_free (users);
  free (*table);
  *table = with_users;
}

int
engine_top (struct engine *e, struct ctr_record *r, char *const *ps_args, char **out,
            struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (!is_running (r))
    return hk_error_set (err, EINVAL, "container %s is not running", r->name);
  _cleanup_free_ pid_t *pids = NULL;
  size_t n;
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (backend_pids (&b, r->id, &pids, &n, err) < 0)
    return hk_error_prefix (err, "processes of container %s", r->name);
  _cleanup_free_ char *ps = NULL;
  if (run_ps (ps_args, &ps, err) < 0 || ctr_stats_ps_filter (ps, pids, n, out, err) < 0)
    return -1;
  struct id_maps maps;
  if (ctr_config_id_maps (&r->config, &maps) != NULL && n > 0)
    add_container_users (&maps, pids, n, out);
  return 0;
}
