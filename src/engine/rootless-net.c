/* SPDX-License-Identifier: Apache-2.0 */
#include "rootless-net.h"
#include "ctr-ports.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long slirp4netns may take to say it is ready. */
#define READY_TIMEOUT_MS 10000

bool
rootless_net_mode (const char *mode)
{
  return mode != NULL && (strcmp (mode, "pasta") == 0 || strcmp (mode, "slirp4netns") == 0);
}

/* RUNROOT/netns/ID.MODE.pid: "PID STARTTIME" of the helper. */
static char *
pid_file (const struct engine *e, const struct ctr_record *r)
{
  return xasprintf ("%s/netns/%s.%s.pid", e->runroot, r->id, r->config.network_mode);
}

int
rootless_net_pid_record (const char *path, pid_t pid, struct hk_error **err)
{
  _cleanup_free_ char *text = xasprintf ("%d %llu\n", (int)pid, state_process_start_time (pid));
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || fs_write_all (fd, text, strlen (text)) < 0)
    return hk_error_errno (err, errno, "record a pid in `%s`", path);
  return 0;
}

static int
record_pid (const struct engine *e, const struct ctr_record *r, pid_t pid, struct hk_error **err)
{
  _cleanup_free_ char *path = pid_file (e, r);
  if (rootless_net_pid_record (path, pid, err) < 0)
    return hk_error_prefix (err, "%s", r->config.network_mode);
  return 0;
}

/* /dev/null on stdin and stdout, ERR_FD (or /dev/null) on stderr. */
static void
child_stdio (int err_fd)
{
  int null = open ("/dev/null", O_RDWR);
  if (null >= 0)
    {
      dup2 (null, 0);
      dup2 (null, 1);
      dup2 (err_fd >= 0 ? err_fd : null, 2);
    }
}

/* ---- pasta ---- */

/* pasta's -t or -u list for the resolved PORTS of PROTO: "none" when none. */
static char *
pasta_ports (const json_t *ports, const char *proto)
{
  char *list = NULL;
  size_t i;
  const json_t *p;
  json_array_foreach (ports, i, p)
  {
    if (strcmp (json_string_value (json_object_get (p, "Protocol")) ?: "tcp", proto) != 0)
      continue;
    const char *ip = json_string_value (json_object_get (p, "HostIp")) ?: "";
    _cleanup_free_ char *one
        = xasprintf ("%s%s%lld:%lld", ip, *ip ? "/" : "",
                     (long long)json_integer_value (json_object_get (p, "HostPort")),
                     (long long)json_integer_value (json_object_get (p, "ContainerPort")));
    char *longer = xasprintf ("%s%s%s", list ? list : "", list ? "," : "", one);
    free (list);
    list = longer;
  }
  return list ? list : xstrdup ("none");
}

/* An unlinked file for a helper's stderr, or -1. */
static int
message_file (const char *program, struct hk_error **err)
{
  char tmpl[] = "/tmp/hako-net-XXXXXX";
  int fd = mkostemp (tmpl, O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "a temporary file for %s's messages", program);
  unlink (tmpl);
  return fd;
}

/* PROGRAM failed: what it said in SAID is the error. */
static int
helper_failed (const char *program, int said, struct hk_error **err)
{
  char text[512] = "";
  ssize_t n = pread (said, text, sizeof text - 1, 0);
  text[n > 0 ? n : 0] = '\0';
  for (size_t len = strlen (text); len > 0 && text[len - 1] == '\n'; len--)
    text[len - 1] = '\0';
  return hk_error_set (err, EIO, "%s failed%s%s", program, *text ? ": " : "", text);
}

/* Runs ARGV (a program that goes to the background once ready, as pasta
 * does) and waits for it; what it said on stderr is the error. */
static int
run_until_ready (char **argv, struct hk_error **err)
{
  _cleanup_close_ int said = message_file (argv[0], err);
  if (said < 0)
    return -1;
  pid_t pid = fork ();
  if (pid < 0)
    return hk_error_errno (err, errno, "fork for %s", argv[0]);
  if (pid == 0)
    {
      child_stdio (said);
      execvp (argv[0], argv);
      dprintf (2, "run %s: %s", argv[0], strerror (errno));
      _exit (127);
    }
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for %s", argv[0]);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return helper_failed (argv[0], said, err);
}

int
rootless_net_pasta_start (const char *netns, const char *pid_tmp, const json_t *ports, pid_t *pid,
                          struct hk_error **err)
{
  _cleanup_free_ char *tcp = pasta_ports (ports, "tcp");
  _cleanup_free_ char *udp = pasta_ports (ports, "udp");
  /* Podman's choices: no port of the host's reached through the
   * namespace's gateway (-T/-U none, --no-map-gw). */
  char *argv[]
      = { "pasta",   "--config-net", "--quiet", "--no-map-gw", "-t",   tcp,     "-u",
          udp,       "-T",           "none",    "-U",          "none", "--pid", (char *)pid_tmp,
          "--netns", (char *)netns,  NULL };
  if (run_until_ready (argv, err) < 0)
    {
      unlink (pid_tmp);
      return -1;
    }
  _cleanup_free_ char *text = NULL;
  int rc = fs_read_file (AT_FDCWD, pid_tmp, 64, &text, NULL, err);
  unlink (pid_tmp);
  if (rc < 0)
    return hk_error_prefix (err, "pasta's pid");
  *pid = (pid_t)atoi (text);
  return 0;
}

static int
pasta_up (struct engine *e, const struct ctr_record *r, const char *netns, const json_t *ports,
          struct hk_error **err)
{
  _cleanup_free_ char *pids = xasprintf ("%s/netns/%s.pasta.run", e->runroot, r->id);
  pid_t pid;
  if (rootless_net_pasta_start (netns, pids, ports, &pid, err) < 0)
    return -1;
  return record_pid (e, r, pid, err);
}

/* ---- slirp4netns ---- */

/* One command on slirp4netns's API socket NAME in DIR (reached through
 * an fd of DIR: a socket's path may not be longer than 107 bytes); an
 * answer with "error" fails. */
static int
slirp_command (const char *dir, const char *name, const char *command, struct hk_error **err)
{
  _cleanup_close_ int dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  _cleanup_close_ int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir_fd, name)
      >= (int)sizeof addr.sun_path)
    return hk_error_set (err, ENAMETOOLONG, "slirp4netns's socket name `%s` is too long", name);
  if (s < 0 || connect (s, (struct sockaddr *)&addr, sizeof addr) < 0)
    return hk_error_errno (err, errno, "connect to slirp4netns's socket `%s/%s`", dir, name);
  if (fs_write_all (s, command, strlen (command)) < 0 || shutdown (s, SHUT_WR) < 0)
    return hk_error_errno (err, errno, "talk to slirp4netns");
  char answer[1024];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof answer - 1 && (n = read (s, answer + len, sizeof answer - 1 - len)) > 0)
    len += (size_t)n;
  answer[len] = '\0';
  if (len == 0 || strstr (answer, "\"error\"") != NULL)
    return hk_error_set (err, EIO, "slirp4netns refused `%s`: %s", command,
                         len ? answer : "no answer");
  return 0;
}

static int
slirp_forward (const char *dir, const char *name, const json_t *ports, struct hk_error **err)
{
  size_t i;
  const json_t *p;
  json_array_foreach (ports, i, p)
  {
    const char *ip = json_string_value (json_object_get (p, "HostIp")) ?: "";
    _cleanup_free_ char *command = xasprintf (
        "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", \"host_addr\": "
        "\"%s\", \"host_port\": %lld, \"guest_port\": %lld}}",
        json_string_value (json_object_get (p, "Protocol")) ?: "tcp", *ip ? ip : "0.0.0.0",
        (long long)json_integer_value (json_object_get (p, "HostPort")),
        (long long)json_integer_value (json_object_get (p, "ContainerPort")));
    if (slirp_command (dir, name, command, err) < 0)
      return -1;
  }
  return 0;
}

/* Starts slirp4netns (a child that stays, its API socket NAME in DIR,
 * where it runs) and waits until it is ready. */
static pid_t
slirp_start (const char *netns, const char *dir, const char *name, struct hk_error **err)
{
  _cleanup_close_ int said = message_file ("slirp4netns", err);
  if (said < 0)
    return -1;
  int ready[2];
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid == 0)
    {
      setsid ();
      child_stdio (said);
      if (chdir (dir) < 0)
        _exit (127);
      dup2 (ready[1], 3);
      char *argv[] = { "slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
                       "--ready-fd=3", "--netns-type=path", "--api-socket", (char *)name,
                       (char *)netns, "tap0", NULL };
      execvp (argv[0], argv);
      dprintf (2, "run slirp4netns: %s", strerror (errno));
      _exit (127);
    }
  close (ready[1]);
  _cleanup_close_ int ready_fd = ready[0];
  if (pid < 0)
    return hk_error_errno (err, errno, "fork for slirp4netns");
  struct pollfd p = { .fd = ready_fd, .events = POLLIN };
  char c;
  if (poll (&p, 1, READY_TIMEOUT_MS) <= 0 || read (ready_fd, &c, 1) != 1)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return helper_failed ("slirp4netns", said, err);
    }
  return pid;
}

static int
slirp_up (struct engine *e, const struct ctr_record *r, const char *netns, const json_t *ports,
          struct hk_error **err)
{
  _cleanup_free_ char *dir = xasprintf ("%s/netns", e->runroot);
  _cleanup_free_ char *name = xasprintf ("%s.slirp", r->id);
  _cleanup_free_ char *socket_path = xasprintf ("%s/%s", dir, name);
  unlink (socket_path);
  pid_t pid = slirp_start (netns, dir, name, err);
  if (pid < 0)
    return -1;
  if (record_pid (e, r, pid, err) < 0 || slirp_forward (dir, name, ports, err) < 0)
    return -1; /* the caller's down stops it */
  return 0;
}

/* ---- both ---- */

int
rootless_net_up (struct engine *e, const struct ctr_record *r, const char *netns,
                 const json_t *ports, struct hk_error **err)
{
  _cleanup_json_ json_t *none = json_array ();
  if (ports == NULL)
    ports = none;
  if (strcmp (r->config.network_mode, "pasta") == 0)
    return pasta_up (e, r, netns, ports, err);
  return slirp_up (e, r, netns, ports, err);
}

/* True when PID is a zombie (it has ended; its parent, an init, has not
 * reaped it yet). */
static bool
is_zombie (pid_t pid)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/stat", (int)pid);
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, 4096, &text, NULL, NULL) < 0)
    return false;
  const char *end = strrchr (text, ')');
  return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

/* True once PID (not our child) has ended, waiting up to 2 s. */
static bool
wait_ended (pid_t pid, unsigned long long when)
{
  for (int i = 0; i < 200; i++)
    {
      /* our child (slirp4netns started by this command): reaped */
      waitpid (pid, NULL, WNOHANG);
      if (!state_process_alive (pid, when) || is_zombie (pid))
        return true;
      usleep (10000);
    }
  return false;
}

void
rootless_net_pid_stop (const struct hk_log *log, const char *path, const char *what, bool wait)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *err = NULL;
  if (fs_read_file (AT_FDCWD, path, 128, &text, NULL, &err) == 0)
    {
      int pid = 0;
      unsigned long long when = 0;
      if (sscanf (text, "%d %llu", &pid, &when) == 2 && pid > 0 && state_process_alive (pid, when))
        {
          if (kill (pid, SIGTERM) < 0 && errno != ESRCH)
            hk_warn (log, "%s: stop %d: %s", what, pid, strerror (errno));
          else if (wait && !wait_ended (pid, when))
            hk_warn (log, "%s: %d is still there 2 s after SIGTERM", what, pid);
        }
      if (pid > 0)
        waitpid (pid, NULL, WNOHANG);
    }
  else if (err->errnum != ENOENT)
    hk_warn (log, "%s: %s", what, err->message);
  hk_error_free (err);
  unlink (path);
}

void
rootless_net_down (struct engine *e, const struct ctr_record *r)
{
  if (!rootless_net_mode (r->config.network_mode))
    return;
  _cleanup_free_ char *path = pid_file (e, r);
  _cleanup_free_ char *what = xasprintf ("container %s: %s", r->name, r->config.network_mode);
  rootless_net_pid_stop (e->log, path, what, false);
  _cleanup_free_ char *socket_path = xasprintf ("%s/netns/%s.slirp", e->runroot, r->id);
  unlink (socket_path);
}
