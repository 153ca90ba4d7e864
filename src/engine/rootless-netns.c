/* SPDX-License-Identifier: Apache-2.0 */
#include "rootless-netns.h"
#include "netns.h"
#include "network.h"
#include "rootless-net.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

char *
rootless_netns_path (const struct engine *e)
{
  return xasprintf ("%s/netns/rootless", e->runroot);
}

static char *
pasta_pid_path (const struct engine *e)
{
  return xasprintf ("%s/netns/rootless.pasta.pid", e->runroot);
}

bool
rootless_netns_is_namespace (const char *path)
{
  struct statfs st;
  return statfs (path, &st) == 0 && st.f_type == NSFS_MAGIC;
}

bool
rootless_netns_exists (const struct engine *e)
{
  _cleanup_free_ char *path = rootless_netns_path (e);
  return rootless_netns_is_namespace (path);
}

/* RUNROOT/networks/rootless-netns.lock, held: one command at a time
 * makes or removes the namespace. */
static int
lock_netns (const struct engine *e, struct hk_error **err)
{
  _cleanup_free_ char *dir = network_state_dir (e);
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return -1;
  _cleanup_free_ char *path = xasprintf ("%s/rootless-netns.lock", dir);
  return fs_lock_file (path, err);
}

/* True when the pasta the pid file names still runs. */
static bool
pasta_runs (const struct engine *e)
{
  _cleanup_free_ char *path = pasta_pid_path (e);
  _cleanup_free_ char *text = NULL;
  int pid = 0;
  unsigned long long when = 0;
  return fs_read_file (AT_FDCWD, path, 128, &text, NULL, NULL) == 0
         && sscanf (text, "%d %llu", &pid, &when) == 2 && pid > 0
         && state_process_alive (pid, when);
}

static int
start_pasta (struct engine *e, const char *netns, struct hk_error **err)
{
  _cleanup_free_ char *pid_path = pasta_pid_path (e);
  _cleanup_free_ char *pid_tmp = xasprintf ("%s/netns/rootless.pasta.run", e->runroot);
  _cleanup_json_ json_t *none = json_array ();
  pid_t pid;
  if (rootless_net_pasta_start (netns, pid_tmp, none, &pid, err) < 0)
    return hk_error_prefix (err, "the rootless network namespace's way out");
  return rootless_net_pid_record (pid_path, pid, err);
}

static void
remove_locked (struct engine *e)
{
  _cleanup_free_ char *path = rootless_netns_path (e);
  _cleanup_free_ char *pid_path = pasta_pid_path (e);
  rootless_net_pid_stop (e->log, pid_path, "the rootless network namespace's pasta", true);
  struct hk_error *err = NULL;
  if (netns_remove (path, &err) < 0)
    {
      hk_warn (e->log, "the rootless network namespace: %s", err->message);
      hk_error_free (err);
    }
}

int
rootless_netns_ensure (struct engine *e, struct hk_error **err)
{
  _cleanup_close_ int lock = lock_netns (e, err);
  if (lock < 0)
    return -1;
  _cleanup_free_ char *path = rootless_netns_path (e);
  if (rootless_netns_is_namespace (path))
    {
      if (pasta_runs (e))
        return 0;
      hk_warn (e->log, "the rootless network namespace's pasta is gone: started again");
      return start_pasta (e, path, err);
    }
  /* A file without its mount (the user's namespaces were ended): made
   * again, after the pasta of the old one, if it still runs. */
  _cleanup_free_ char *pid_path = pasta_pid_path (e);
  rootless_net_pid_stop (e->log, pid_path, "the old rootless network namespace's pasta", true);
  if (netns_remove (path, err) < 0 || netns_create (path, -1, err) < 0)
    return hk_error_prefix (err, "the rootless network namespace");
  if (start_pasta (e, path, err) < 0)
    {
      remove_locked (e);
      return -1;
    }
  return 0;
}

void
rootless_netns_remove (struct engine *e)
{
  struct hk_error *err = NULL;
  _cleanup_close_ int lock = lock_netns (e, &err);
  if (lock < 0)
    {
      hk_warn (e->log, "the rootless network namespace: %s", err->message);
      hk_error_free (err);
      return;
    }
  remove_locked (e);
}

int
rootless_netns_enter (const struct engine *e, struct hk_error **err)
{
  _cleanup_free_ char *path = rootless_netns_path (e);
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open the rootless network namespace `%s`", path);
  if (setns (fd, CLONE_NEWNET) < 0)
    return hk_error_errno (err, errno, "enter the rootless network namespace `%s`", path);
  return 0;
}

bool
rootless_netns_has_link (const struct engine *e, const char *name)
{
  pid_t pid = fork ();
  if (pid == 0)
    _exit (rootless_netns_enter (e, NULL) == 0 && if_nametoindex (name) != 0 ? 0 : 1);
  int status;
  if (pid < 0)
    return false;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return false;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}
