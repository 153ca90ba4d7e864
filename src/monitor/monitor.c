/* SPDX-License-Identifier: Apache-2.0 */
/* hako-monitor: one small process per container, the parent of its first
 * process.  It owns the container's stdio (pipes or a pty), writes the log,
 * serves `attach` on a unix socket, runs health checks on schedule, reaps
 * the container and records its exit code, then executes the exit command
 * (`hako container cleanup`, which applies the restart policy and --rm).
 * With --started it watches a process that runs already: one the
 * runtime's restore made our child.
 * With --owner-fd (a pidfd), the container is killed when that process
 * ends: a build's step dies with its build.
 * With --relay (one per port published on [::1]), it relays the port to
 * the container (port-relay.h says why here).
 *
 * It is exec'd by the engine after the container was created, so it starts
 * with a small static image: no SQLite, no libcurl, no JSON library.  See
 * docs/architecture.md, "The engine". */
#include "attach-protocol.h"
#include "log-writer.h"
#include "port-relay.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 16
/* TCP connections its port relay carries at once (port-relay.h): a
 * monitor per container keeps its tables small. */
#define MONITOR_RELAY_TCP 64

struct client
{
  int fd;
  uint8_t header[ATTACH_HEADER];
  size_t header_got;
  size_t payload_len, payload_got;
  char *payload;
};

struct monitor
{
  const char *id;
  const char *run_dir;
  const char *exec_fifo; /* hako's runtime: start by writing to it */
  char **start_command;  /* an external runtime: `RUNTIME start ID` */
  pid_t pid;
  int pidfd;
  int out_fd, err_fd, in_fd, pty_fd;
  int notify_fd;
  int owner_fd; /* a pidfd of the process the container dies with, or -1 */
  int listen_fd;
  bool start_on_attach, started;
  struct log_writer log;
  struct client clients[MAX_CLIENTS];
  char **exit_command;
  char **health_command;
  long long health_interval_ms, health_timeout_ms, health_start_ms;
  long long next_health_ms;
  pid_t health_pid;
  long long health_deadline_ms;
  struct port_relay *relay; /* NULL: no port on [::1] */
};

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__ ((noreturn)) die (const char *what)
{
  fprintf (stderr, "hako-monitor: %s: %s\n", what, strerror (errno));
  exit (125);
}

/* Once the container is ready, the stdio we got from the `hako` that
 * started us go: a caller reading `hako run -d`'s output waits for every
 * copy of the pipe to close. */
static void
release_stdio (void)
{
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0)
    die ("open /dev/null");
  for (int fd = 0; fd < 3; fd++)
    dup2 (null_fd, fd);
  close (null_fd);
}

static int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

static void
client_drop (struct client *c)
{
  if (c->fd >= 0)
    close (c->fd);
  free (c->payload);
  memset (c, 0, sizeof *c);
  c->fd = -1;
}

static void
broadcast (struct monitor *m, enum attach_frame type, const char *data, size_t len)
{
  uint8_t header[ATTACH_HEADER];
  attach_header (header, type, len);
  for (int i = 0; i < MAX_CLIENTS; i++)
    {
      struct client *c = &m->clients[i];
      if (c->fd < 0)
        continue;
      /* A client that cannot keep up is dropped, never waited for. */
      if (write_all (c->fd, header, sizeof header) < 0 || write_all (c->fd, data, len) < 0)
        client_drop (c);
    }
}

/* `RUNTIME start ID`; a container that could not be started is killed,
 * so that it does not wait for ever. */
static void
run_start_command (struct monitor *m)
{
  pid_t child = fork ();
  if (child == 0)
    {
      execv (m->start_command[0], m->start_command);
      _exit (127);
    }
  int status = 0;
  if (child < 0 || waitpid (child, &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status))
    kill (m->pid, SIGKILL);
}

/* Children we did not start: an external runtime's intermediate processes
 * are re-parented to us (a child subreaper) and must be reaped.  The
 * container's process and the health check are left to their owners. */
static void
reap_strays (const struct monitor *m)
{
  for (;;)
    {
      siginfo_t si = { 0 };
      if (waitid (P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0
          || si.si_pid == m->pid || si.si_pid == m->health_pid)
        return;
      waitpid (si.si_pid, NULL, 0);
    }
}

static void
start_container (struct monitor *m)
{
  if (m->started)
    return;
  m->started = true;
  if (m->start_command != NULL)
    {
      run_start_command (m);
      return;
    }
  int fd = open (m->exec_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return; /* the process is gone already: it will be reaped */
  unlink (m->exec_fifo);
  if (write (fd, "0", 1) != 1)
    {
      /* reaped below */
    }
  close (fd);
}

static void
handle_frame (struct monitor *m, struct client *c)
{
  enum attach_frame type = (enum attach_frame)c->header[0];
  int target = m->pty_fd >= 0 ? m->pty_fd : m->in_fd;
  switch (type)
    {
    case ATTACH_STDIN:
      if (target >= 0 && write_all (target, c->payload, c->payload_len) < 0 && m->pty_fd < 0)
        {
          close (m->in_fd);
          m->in_fd = -1;
        }
      break;
    case ATTACH_CLOSE_STDIN:
      if (m->in_fd >= 0)
        {
          close (m->in_fd);
          m->in_fd = -1;
        }
      break;
    case ATTACH_RESIZE:
      if (m->pty_fd >= 0 && c->payload_len < 64)
        {
          char text[64];
          memcpy (text, c->payload, c->payload_len);
          text[c->payload_len] = '\0';
          struct winsize ws = { 0 };
          unsigned rows, cols;
          if (sscanf (text, "%u %u", &rows, &cols) == 2)
            {
              ws.ws_row = (unsigned short)rows;
              ws.ws_col = (unsigned short)cols;
              ioctl (m->pty_fd, TIOCSWINSZ, &ws);
            }
        }
      break;
    case ATTACH_START:
      start_container (m);
      break;
    default:
      break;
    }
}

/* Reads what the client sent; frames may arrive in pieces. */
static void
client_read (struct monitor *m, struct client *c)
{
  char buf[8192];
  ssize_t n = read (c->fd, buf, sizeof buf);
  if (n <= 0)
    {
      client_drop (c);
      return;
    }
  for (ssize_t i = 0; i < n;)
    {
      if (c->header_got < ATTACH_HEADER)
        {
          c->header[c->header_got++] = (uint8_t)buf[i++];
          if (c->header_got == ATTACH_HEADER)
            {
              c->payload_len = attach_length (c->header);
              if (c->payload_len > ATTACH_MAX_PAYLOAD)
                {
                  client_drop (c);
                  return;
                }
              c->payload = realloc (c->payload, c->payload_len + 1);
              c->payload_got = 0;
            }
        }
      else
        {
          size_t take = c->payload_len - c->payload_got;
          if (take > (size_t)(n - i))
            take = (size_t)(n - i);
          memcpy (c->payload + c->payload_got, buf + i, take);
          c->payload_got += take;
          i += (ssize_t)take;
        }
      if (c->header_got == ATTACH_HEADER && c->payload_got == c->payload_len)
        {
          handle_frame (m, c);
          if (c->fd < 0)
            return;
          c->header_got = 0;
        }
    }
}

static void
accept_client (struct monitor *m)
{
  int fd = accept4 (m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0)
    return;
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (m->clients[i].fd < 0)
      {
        m->clients[i].fd = fd;
        return;
      }
  close (fd);
}

/* Container output: to the log and to every attached client. */
static bool
pump_output (struct monitor *m, int *fd, int stream)
{
  char buf[16384];
  ssize_t n = read (*fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    {
      close (*fd);
      *fd = -1;
      return false;
    }
  log_writer_write (&m->log, stream, buf, (size_t)n);
  broadcast (m, stream == 2 ? ATTACH_STDERR : ATTACH_STDOUT, buf, (size_t)n);
  return true;
}

static void
run_health_check (struct monitor *m)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      dup2 (null, 0);
      dup2 (null, 1);
      execv (m->health_command[0], m->health_command);
      _exit (127);
    }
  if (pid > 0)
    {
      m->health_pid = pid;
      m->health_deadline_ms = now_ms () + m->health_timeout_ms + 5000;
    }
}

static void
reap_health_check (struct monitor *m)
{
  if (m->health_pid <= 0)
    return;
  if (waitpid (m->health_pid, NULL, WNOHANG) == m->health_pid)
    {
      m->health_pid = 0;
      m->next_health_ms = now_ms () + m->health_interval_ms;
    }
  else if (now_ms () > m->health_deadline_ms)
    kill (m->health_pid, SIGKILL);
}

/* "CODE" in RUN_DIR/exit, written atomically: its presence means the
 * container is gone. */
static void
record_exit (struct monitor *m, int code)
{
  (void)m;
  const char *tmp = ".exit.tmp", *final = "exit";
  char text[64];
  int len = snprintf (text, sizeof text, "%d\n", code);
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  write_all (fd, text, (size_t)len);
  close (fd);
  rename (tmp, final);
}

static int
wait_status_code (int status)
{
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

static void
drain (struct monitor *m)
{
  /* What the container wrote before dying, without waiting on processes
   * it may have left holding the pipes. */
  long long deadline = now_ms () + 200;
  while (now_ms () < deadline && (m->out_fd >= 0 || m->err_fd >= 0 || m->pty_fd >= 0))
    {
      struct pollfd fds[3] = { { .fd = m->out_fd, .events = POLLIN },
                               { .fd = m->err_fd, .events = POLLIN },
                               { .fd = m->pty_fd, .events = POLLIN } };
      if (poll (fds, 3, 50) <= 0)
        break;
      if (fds[0].revents)
        pump_output (m, &m->out_fd, 1);
      if (fds[1].revents)
        pump_output (m, &m->err_fd, 2);
      if (fds[2].revents)
        pump_output (m, &m->pty_fd, 1);
    }
}

/* The owner is gone (a build killed with SIGKILL): its container must
 * not run on alone.  Its init's death takes its pid namespace along. */
static void
owner_gone (struct monitor *m)
{
  close (m->owner_fd);
  m->owner_fd = -1;
  kill (m->pid, SIGKILL);
}

static void
loop (struct monitor *m)
{
  enum
  {
    FIXED_FDS = 6 + MAX_CLIENTS
  };
  size_t max_fds = FIXED_FDS + (m->relay ? port_relay_max_fds (m->relay) : 0);
  struct pollfd *fds = calloc (max_fds, sizeof *fds);
  if (fds == NULL)
    die ("allocate the poll set");
  for (;;)
    {
      int n = 0;
      fds[n++] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
      fds[n++] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
      fds[n++] = (struct pollfd){ .fd = m->out_fd, .events = POLLIN };
      fds[n++] = (struct pollfd){ .fd = m->err_fd, .events = POLLIN };
      fds[n++] = (struct pollfd){ .fd = m->pty_fd, .events = POLLIN };
      fds[n++] = (struct pollfd){ .fd = m->owner_fd, .events = POLLIN };
      for (int i = 0; i < MAX_CLIENTS; i++)
        fds[n++] = (struct pollfd){ .fd = m->clients[i].fd, .events = POLLIN };
      int timeout = -1;
      if (m->health_command != NULL && m->started)
        {
          long long wake = m->health_pid > 0 ? m->health_deadline_ms : m->next_health_ms;
          long long wait = wake - now_ms ();
          timeout = wait < 0 ? 0 : (int)(wait > 60000 ? 60000 : wait);
          if (m->health_pid > 0 && timeout > 1000)
            timeout = 1000; /* reap the check soon after it ends */
        }
      size_t relayed = m->relay ? port_relay_poll_set (m->relay, fds + FIXED_FDS, &timeout) : 0;
      if (poll (fds, (nfds_t)(FIXED_FDS + relayed), timeout) < 0)
        {
          if (errno != EINTR)
            die ("poll");
          continue;
        }
      if (fds[2].revents)
        pump_output (m, &m->out_fd, 1);
      if (fds[3].revents)
        pump_output (m, &m->err_fd, 2);
      if (fds[4].revents && !pump_output (m, &m->pty_fd, 1))
        m->pty_fd = -1;
      if (fds[1].revents)
        accept_client (m);
      if (fds[5].revents)
        owner_gone (m);
      for (int i = 0; i < MAX_CLIENTS; i++)
        if (fds[6 + i].revents && m->clients[i].fd >= 0)
          client_read (m, &m->clients[i]);
      if (m->health_command != NULL && m->started)
        {
          reap_health_check (m);
          if (m->health_pid == 0 && now_ms () >= m->next_health_ms)
            run_health_check (m);
        }
      if (relayed > 0)
        port_relay_dispatch (m->relay, fds + FIXED_FDS, relayed);
      reap_strays (m);
      if (fds[0].revents)
        {
          free (fds);
          return;
        }
    }
}

static char **
collect_until_dashes (int argc, char **argv, int *i)
{
  char **v = calloc ((size_t)argc + 1, sizeof (char *));
  size_t k = 0;
  while (*i < argc && strcmp (argv[*i], "--") != 0)
    v[k++] = argv[(*i)++];
  if (*i < argc)
    (*i)++;
  return v;
}

/* A port on [::1] to relay (port-relay.h), SPEC as the engine wrote it. */
static void
add_relay (struct monitor *m, const char *spec)
{
  if (m->relay == NULL && (m->relay = port_relay_new (MONITOR_RELAY_TCP)) == NULL)
    die ("allocate the port relay");
  if (!port_relay_add (m->relay, spec))
    {
      fprintf (stderr, "hako-monitor: --relay `%s`: not PROTO/FD/ADDRESS/PORT with an open FD\n",
               spec);
      exit (125);
    }
}

static void
parse_args (struct monitor *m, int argc, char **argv)
{
  const char *log_path = NULL;
  unsigned long long max_size = 0;
  unsigned max_files = 1;
  for (int i = 1; i < argc;)
    {
      const char *a = argv[i++];
      const char *v = i < argc ? argv[i] : NULL;
#define TAKE(name) (strcmp (a, name) == 0 && v != NULL && (i++, true))
      if (TAKE ("--id"))
        m->id = v;
      else if (TAKE ("--run-dir"))
        m->run_dir = v;
      else if (TAKE ("--log"))
        log_path = v;
      else if (TAKE ("--log-max-size"))
        max_size = strtoull (v, NULL, 10);
      else if (TAKE ("--log-max-files"))
        max_files = (unsigned)strtoul (v, NULL, 10);
      else if (TAKE ("--pid"))
        m->pid = (pid_t)atoi (v);
      else if (TAKE ("--exec-fifo"))
        m->exec_fifo = v;
      else if (TAKE ("--out-fd"))
        m->out_fd = atoi (v);
      else if (TAKE ("--err-fd"))
        m->err_fd = atoi (v);
      else if (TAKE ("--in-fd"))
        m->in_fd = atoi (v);
      else if (TAKE ("--pty-fd"))
        m->pty_fd = atoi (v);
      else if (TAKE ("--notify-fd"))
        m->notify_fd = atoi (v);
      else if (TAKE ("--owner-fd"))
        m->owner_fd = atoi (v);
      else if (TAKE ("--health-interval"))
        m->health_interval_ms = atoll (v);
      else if (TAKE ("--health-timeout"))
        m->health_timeout_ms = atoll (v);
      else if (TAKE ("--health-start-period"))
        m->health_start_ms = atoll (v);
      else if (TAKE ("--relay"))
        add_relay (m, v);
      else if (strcmp (a, "--start-on-attach") == 0)
        m->start_on_attach = true;
      else if (strcmp (a, "--started") == 0)
        m->started = true; /* a restored process: running already */
      else if (strcmp (a, "--health-command") == 0)
        m->health_command = collect_until_dashes (argc, argv, &i);
      else if (strcmp (a, "--start-command") == 0)
        m->start_command = collect_until_dashes (argc, argv, &i);
      else if (strcmp (a, "--exit-command") == 0)
        m->exit_command = collect_until_dashes (argc, argv, &i);
      else
        {
          fprintf (stderr, "hako-monitor: unknown argument `%s`\n", a);
          exit (125);
        }
#undef TAKE
    }
  int start_methods = (m->exec_fifo != NULL) + (m->start_command != NULL) + m->started;
  if (m->id == NULL || m->run_dir == NULL || log_path == NULL || m->pid <= 0 || start_methods != 1)
    {
      fprintf (stderr, "hako-monitor: --id, --run-dir, --log, --pid and one of --exec-fifo, "
                       "--start-command or --started are required\n");
      exit (125);
    }
  if (log_writer_open (&m->log, log_path, max_size, max_files) < 0)
    die ("open the log");
}

static void
listen_attach (struct monitor *m)
{
  /* Relative to the run directory (our working directory): a socket's
   * path is limited to 107 bytes, a run directory is not. */
  struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "attach" };
  unlink (addr.sun_path);
  m->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m->listen_fd < 0 || bind (m->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0
      || listen (m->listen_fd, MAX_CLIENTS) < 0)
    die ("listen on the attach socket");
  chmod (addr.sun_path, 0600);
}

int
main (int argc, char **argv)
{
  struct monitor m = { .out_fd = -1, .err_fd = -1, .in_fd = -1, .pty_fd = -1, .notify_fd = -1,
                       .owner_fd = -1 };
  for (int i = 0; i < MAX_CLIENTS; i++)
    m.clients[i].fd = -1;
  signal (SIGPIPE, SIG_IGN);
  signal (SIGINT, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  parse_args (&m, argc, argv);
  if (chdir (m.run_dir) < 0)
    die ("enter the run directory");
  m.pidfd = pidfd_open (m.pid, 0);
  if (m.pidfd < 0)
    die ("watch the container process");
  listen_attach (&m);
  if (m.notify_fd >= 0)
    {
      write_all (m.notify_fd, "ok", 3); /* with its NUL: the reply's end */
      close (m.notify_fd);
    }
  release_stdio ();
  if (!m.start_on_attach)
    start_container (&m);
  m.next_health_ms = now_ms () + (m.health_start_ms > 0 ? m.health_start_ms : m.health_interval_ms);
  loop (&m);
  int status = 0;
  waitpid (m.pid, &status, 0);
  int code = wait_status_code (status);
  drain (&m);
  log_writer_close (&m.log);
  record_exit (&m, code);
  char text[16];
  int len = snprintf (text, sizeof text, "%d", code);
  broadcast (&m, ATTACH_EXIT, text, (size_t)len);
  for (int i = 0; i < MAX_CLIENTS; i++)
    client_drop (&m.clients[i]);
  if (m.health_pid > 0)
    {
      kill (m.health_pid, SIGKILL);
      waitpid (m.health_pid, NULL, 0);
    }
  unlink ("attach");
  close (m.listen_fd);
  port_relay_free (m.relay); /* the port goes with the container */
  if (m.owner_fd >= 0)
    close (m.owner_fd);
  if (m.exit_command != NULL && m.exit_command[0] != NULL)
    {
      if (chdir ("/") < 0)
        die ("chdir /");
      execv (m.exit_command[0], m.exit_command);
      die ("execute the exit command");
    }
  return 0;
}
