/* SPDX-License-Identifier: Apache-2.0 */
#include "cni-exec.h"
#include "cni-result.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_STDOUT (1 << 20)
#define MAX_STDERR (64 << 10)

int
cni_plugin_find (const char *path, const char *type, char **out, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (path && *path ? path : CNI_DEFAULT_PATH);
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *candidate = xasprintf ("%s/%s", dir, type);
      struct stat st;
      if (stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && access (candidate, X_OK) == 0)
        {
          *out = take_ptr (candidate);
          return 0;
        }
    }
  return hk_error_set (err, ENOENT,
                       "CNI plugin `%s` not found in %s (install the containernetworking-plugins "
                       "package, or set HAKO_CNI_PATH)",
                       type, path && *path ? path : CNI_DEFAULT_PATH);
}

/* Our environment without CNI_* variables, then the invocation's. */
static char **
plugin_env (const struct cni_invocation *inv)
{
  char **env = xzalloc (sizeof (char *));
  for (char **e = environ; e && *e; e++)
    if (strncmp (*e, "CNI_", 4) != 0)
      strv_append (&env, *e);
  if (strv_env_get (env, "PATH") == NULL)
    strv_env_set (&env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  strv_env_set (&env, "CNI_COMMAND", inv->command);
  strv_env_set (&env, "CNI_PATH", inv->path && *inv->path ? inv->path : CNI_DEFAULT_PATH);
  const char *names[] = { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS" };
  const char *values[] = { inv->container_id, inv->netns, inv->ifname, inv->args };
  for (size_t i = 0; i < 4; i++)
    if (values[i] != NULL)
      strv_env_set (&env, names[i], values[i]);
  return env;
}

static void
close_now (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

struct sink
{
  int fd;
  char *buf;
  size_t len, max;
};

/* Reads what is there; closes FD at end of file.  Output past MAX is
 * dropped (the plugin is not blocked by a full pipe). */
static void
drain (struct sink *s)
{
  char chunk[16384];
  ssize_t n = read (s->fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      close_now (&s->fd);
      return;
    }
  size_t keep = s->len + (size_t)n > s->max ? s->max - s->len : (size_t)n;
  s->buf = xrealloc (s->buf, s->len + keep + 1);
  memcpy (s->buf + s->len, chunk, keep);
  s->len += keep;
  s->buf[s->len] = '\0';
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds INPUT to IN (a socket: a plugin that exits early cannot raise
 * SIGPIPE in us) and collects OUT and ERR until both close or the
 * deadline passes.  Returns false on timeout. */
static bool
exchange (int in, const char *input, struct sink *out, struct sink *err_sink)
{
  size_t sent = 0, len = input ? strlen (input) : 0;
  long long deadline = now_ms () + CNI_PLUGIN_TIMEOUT_MS;
  if (len == 0)
    close_now (&in);
  while (out->fd >= 0 || err_sink->fd >= 0)
    {
      struct pollfd p[3] = { { .fd = out->fd, .events = POLLIN },
                             { .fd = err_sink->fd, .events = POLLIN },
                             { .fd = in, .events = POLLOUT } };
      long long left = deadline - now_ms ();
      if (left <= 0)
        {
          close_now (&in);
          return false;
        }
      if (poll (p, 3, (int)left) < 0 && errno != EINTR)
        break;
      if (p[0].revents)
        drain (out);
      if (p[1].revents)
        drain (err_sink);
      if (in >= 0 && p[2].revents)
        {
          ssize_t n = send (in, input + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (n > 0)
            sent += (size_t)n;
          if ((n < 0 && errno != EAGAIN && errno != EINTR) || sent == len)
            close_now (&in);
        }
    }
  close_now (&in);
  return true;
}

/* The plugin's own words for a failure: its error result, else the last
 * line it wrote to stderr. */
static char *
failure_text (const struct sink *out, const struct sink *err_sink, int status)
{
  int code = 0;
  char *msg = out->buf ? cni_error_message (out->buf, out->len, &code) : NULL;
  if (msg != NULL)
    return msg;
  if (err_sink->len > 0)
    {
      char *text = xstrdup (err_sink->buf);
      size_t n = strlen (text);
      while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
      char *last = strrchr (text, '\n');
      char *line = xstrdup (last ? last + 1 : text);
      free (text);
      return line;
    }
  if (WIFSIGNALED (status))
    return xasprintf ("killed by signal %d", WTERMSIG (status));
  return xasprintf ("exited with status %d", WEXITSTATUS (status));
}

static int
spawn (const char *plugin, char **env, int in, int out, int errfd, pid_t *pid,
       struct hk_error **err)
{
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in, 0);
  posix_spawn_file_actions_adddup2 (&fa, out, 1);
  posix_spawn_file_actions_adddup2 (&fa, errfd, 2);
  /* A plugin is started afresh: default signal dispositions, none
   * blocked (the CLI may block some for its own use). */
  posix_spawnattr_t attr;
  posix_spawnattr_init (&attr);
  sigset_t none, all;
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &all);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char *argv[] = { (char *)plugin, NULL };
  int r = posix_spawn (pid, plugin, &fa, &attr, argv, env);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    return hk_error_errno (err, r, "run CNI plugin `%s`", plugin);
  return 0;
}

int
cni_plugin_exec (const char *plugin, const struct cni_invocation *inv, const char *input,
                 char **out, size_t *out_len, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (plugin);
  const char *name = basename (copy);
  int in[2], o[2], e[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
    return hk_error_errno (err, errno, "run CNI plugin `%s`", name);
  if (pipe2 (o, O_CLOEXEC) < 0 || pipe2 (e, O_CLOEXEC) < 0)
    {
      int saved = errno;
      close (in[0]);
      close (in[1]);
      return hk_error_errno (err, saved, "run CNI plugin `%s`", name);
    }
  _cleanup_strv_ char **env = plugin_env (inv);
  pid_t pid;
  int r = spawn (plugin, env, in[1], o[1], e[1], &pid, err);
  close (in[1]);
  close (o[1]);
  close (e[1]);
  struct sink so = { .fd = o[0], .max = MAX_STDOUT }, se = { .fd = e[0], .max = MAX_STDERR };
  if (r < 0)
    {
      close (in[0]);
      close (o[0]);
      close (e[0]);
      return -1;
    }
  bool finished = exchange (in[0], input, &so, &se);
  if (!finished)
    kill (pid, SIGKILL);
  close_now (&so.fd);
  close_now (&se.fd);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  int rc = 0;
  if (!finished)
    rc = hk_error_set (err, ETIMEDOUT, "CNI plugin `%s` (%s) did not finish in %d s", name,
                       inv->command, CNI_PLUGIN_TIMEOUT_MS / 1000);
  else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      _cleanup_free_ char *why = failure_text (&so, &se, status);
      rc = hk_error_set (err, EIO, "CNI plugin `%s` (%s): %s", name, inv->command, why);
    }
  free (se.buf);
  if (rc < 0)
    {
      free (so.buf);
      return -1;
    }
  *out_len = so.len;
  *out = so.buf ? so.buf : xstrdup ("");
  return 0;
}
