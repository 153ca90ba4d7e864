/* SPDX-License-Identifier: Apache-2.0 */
#include "hooks.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_OUTPUT 4096

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__ ((noreturn))
exec_hook (const struct oci_hook *hook, int stdin_fd, int out_fd)
{
  sigset_t all;
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  if (dup2 (stdin_fd, 0) < 0 || dup2 (out_fd, 1) < 0 || dup2 (out_fd, 2) < 0)
    _exit (127);
  close_range (3, ~0U, 0);
  execve (hook->path, hook->args, hook->env != NULL ? hook->env : environ);
  _exit (127);
}

/* Reads the hook's output and waits for its exit, within the timeout. */
static int
wait_hook (pid_t pid, int pidfd, int out_fd, int timeout_s, char *output, size_t *out_len,
           int *status)
{
  long long deadline = timeout_s > 0 ? now_ms () + timeout_s * 1000LL : -1;
  bool out_open = true;
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN },
                               { .fd = out_open ? out_fd : -1, .events = POLLIN } };
      int wait_ms = -1;
      if (deadline >= 0)
        {
          wait_ms = (int) (deadline - now_ms ());
          if (wait_ms <= 0)
            {
              kill (pid, SIGKILL);
              waitpid (pid, status, 0);
              return -1;
            }
        }
      if (poll (fds, 2, wait_ms) < 0 && errno != EINTR)
        return -1;
      if (fds[1].revents)
        {
          char buf[512];
          ssize_t n = read (out_fd, buf, sizeof buf);
          if (n <= 0)
            out_open = false;
          else
            {
              size_t take = (size_t) n;
              if (*out_len + take > MAX_OUTPUT)
                take = MAX_OUTPUT - *out_len;
              memcpy (output + *out_len, buf, take);
              *out_len += take;
            }
        }
      if (fds[0].revents && !out_open)
        break;
      if (fds[0].revents && waitpid (pid, status, WNOHANG) == pid)
        return 0;
    }
  return waitpid (pid, status, 0) == pid ? 0 : -1;
}

static int
run_one (const struct oci_hook *hook, const char *state_json, char *output, size_t *out_len,
         int *status, struct hk_error **err)
{
  int in[2], out[2];
  if (pipe2 (in, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return hk_error_errno (err, errno, "pipe");
    }
  _cleanup_close_ int in_r = in[0], in_w = in[1], out_r = out[0], out_w = out[1];
  pid_t pid = fork ();
  if (pid < 0)
    return hk_error_errno (err, errno, "fork");
  if (pid == 0)
    exec_hook (hook, in_r, out_w);
  close (take_fd (&in_r));
  close (take_fd (&out_w));
  _cleanup_close_ int pidfd = pidfd_open (pid, 0);
  /* A hook that does not read its stdin must not block us: ignore EPIPE. */
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;
  sigaction (SIGPIPE, &ign, &old);
  fs_write_all (in_w, state_json, strlen (state_json));
  sigaction (SIGPIPE, &old, NULL);
  close (take_fd (&in_w));
  if (pidfd < 0)
    {
      waitpid (pid, status, 0);
      return 0;
    }
  if (wait_hook (pid, pidfd, out_r, hook->timeout, output, out_len, status) < 0)
    return hk_error_set (err, ETIMEDOUT, "timed out after %d seconds", hook->timeout);
  return 0;
}

/* Runs HOOK; fails when it cannot run, times out or does not exit 0. */
static int
run_hook (const struct oci_hook *hook, size_t index, enum oci_hook_kind kind,
          const char *state_json, struct hk_error **err)
{
  char output[MAX_OUTPUT + 1];
  size_t out_len = 0;
  int status = 0;
  int r = run_one (hook, state_json, output, &out_len, &status, err);
  output[out_len] = '\0';
  while (out_len > 0 && output[out_len - 1] == '\n')
    output[--out_len] = '\0';
  if (r < 0)
    return hk_error_prefix (err, "%s hook %zu (%s)", spec_hook_kind_name (kind), index,
                            hook->path);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  char how[64];
  if (WIFSIGNALED (status))
    snprintf (how, sizeof how, "was killed by signal %d", WTERMSIG (status));
  else
    snprintf (how, sizeof how, "exited with status %d", WEXITSTATUS (status));
  return hk_error_set (err, ECANCELED, "%s hook %zu (%s) %s%s%s", spec_hook_kind_name (kind),
                       index, hook->path, how, out_len ? ": " : "", output);
}

int
hooks_run (const struct oci_hook_list *list, enum oci_hook_kind kind, const char *state_json,
           struct hk_error **err)
{
  for (size_t i = 0; i < list->n; i++)
    if (run_hook (&list->items[i], i, kind, state_json, err) < 0)
      return -1;
  return 0;
}

void
hooks_run_warn (const struct oci_hook_list *list, enum oci_hook_kind kind,
                const char *state_json, const struct hk_log *log)
{
  for (size_t i = 0; i < list->n; i++)
    {
      struct hk_error *e = NULL;
      if (run_hook (&list->items[i], i, kind, state_json, &e) < 0)
        {
          hk_warn (log, "%s", e->message);
          hk_error_free (e);
        }
    }
}
