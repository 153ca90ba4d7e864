/* SPDX-License-Identifier: Apache-2.0 */
/* hako compose logs, and the attached `up`, which is logs -f of every
 * container until they exit: each line prefixed by its container's name
 * (coloured on a terminal), without -f every container's records merged
 * by time. */
#include "hako-compose.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "compose/compose-container.h"
#include "compose/compose-engine.h"
#include "engine/ctr-config-parse.h"
#include "monitor/log-reader.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct log_view
{
  char *prefix; /* "name  | ", coloured */
  bool timestamps;
  pid_t monitor; /* following while it lives */
};

/* One record, prefixed, in one write so that lines of different
 * containers do not mix. */
static int
print_record (const struct log_record *rec, void *data)
{
  const struct log_view *v = data;
  size_t plen = strlen (v->prefix);
  size_t tlen = v->timestamps && rec->time ? strlen (rec->time) + 1 : 0;
  _cleanup_free_ char *line = xmalloc (plen + tlen + rec->len + 2);
  memcpy (line, v->prefix, plen);
  if (tlen)
    {
      memcpy (line + plen, rec->time, tlen - 1);
      line[plen + tlen - 1] = ' ';
    }
  memcpy (line + plen + tlen, rec->text, rec->len);
  size_t len = plen + tlen + rec->len;
  if (rec->len == 0 || rec->text[rec->len - 1] != '\n')
    line[len++] = '\n';
  size_t off = 0;
  while (off < len)
    {
      ssize_t w = write (rec->is_stderr ? 2 : 1, line + off, len - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      off += (size_t)w;
    }
  return 0;
}

static bool
monitor_alive (void *data)
{
  const struct log_view *v = data;
  return v->monitor > 0 && kill (v->monitor, 0) == 0;
}

static char *
prefix_of (const struct ctr_record *r, size_t width, bool color, size_t index)
{
  static const int colors[] = { 36, 33, 32, 35, 34, 96, 93, 92, 95, 94 };
  if (!color)
    return xasprintf ("%-*s | ", (int)width, r->name);
  return xasprintf ("\033[%dm%-*s |\033[0m ", colors[index % 10], (int)width, r->name);
}

struct logs_options
{
  bool follow, timestamps, color;
  size_t tail; /* SIZE_MAX: all */
};

/* One container's log; following it while its monitor lives. */
static int
show_log (struct engine *e, const struct ctr_record *r, struct log_view *v,
          const struct logs_options *o, struct hk_error **err)
{
  _cleanup_free_ char *path = engine_log_path (e, r->id);
  struct log_position end;
  int rc = log_read (path, o->tail, print_record, v, &end, err);
  if (rc != 0 || !o->follow)
    return rc < 0 ? -1 : 0;
  return log_follow (path, &end, monitor_alive, print_record, v, err) < 0 ? -1 : 0;
}

/* A record kept to be printed in time order among other containers'. */
struct timed_record
{
  int64_t ns;  /* since the epoch, from the record's RFC 3339 time */
  size_t seq;  /* reading order: equal times keep it */
  size_t view; /* whose prefix */
  char *text, *time;
  size_t len;
  bool is_stderr;
};

struct timed_records
{
  struct timed_record *v;
  size_t n;
  size_t view; /* of the container being read */
};

/* "2026-12-06T05:01:16.123456789Z" in nanoseconds (0: unparsable). */
static int64_t
time_ns (const char *text)
{
  int64_t ns = cli_parse_time (text) * 1000000000;
  const char *dot = text ? strchr (text, '.') : NULL;
  int64_t scale = 100000000;
  for (const char *d = dot ? dot + 1 : ""; *d >= '0' && *d <= '9' && scale > 0; d++, scale /= 10)
    ns += (*d - '0') * scale;
  return ns;
}

static int
keep_record (const struct log_record *rec, void *data)
{
  struct timed_records *t = data;
  t->v = xreallocarray (t->v, t->n + 1, sizeof *t->v);
  t->v[t->n] = (struct timed_record){
    .ns = time_ns (rec->time), .seq = t->n, .view = t->view,
    .text = xstrndup (rec->text, rec->len), .time = rec->time ? xstrdup (rec->time) : NULL,
    .len = rec->len, .is_stderr = rec->is_stderr,
  };
  t->n++;
  return 0;
}

static int
by_time (const void *a, const void *b)
{
  const struct timed_record *x = a, *y = b;
  if (x->ns != y->ns)
    return x->ns < y->ns ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Without -f: every container's records (the last TAIL of each) merged
 * by time, as Docker Compose prints them. */
static int
show_logs_merged (struct engine *e, struct ctr_record **list, size_t n,
                  struct log_view *views, const struct logs_options *o, struct hk_error **err)
{
  struct timed_records t = { 0 };
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      _cleanup_free_ char *path = engine_log_path (e, list[i]->id);
      struct log_position end;
      t.view = i;
      rc = log_read (path, o->tail, keep_record, &t, &end, err) < 0 ? -1 : 0;
    }
  if (rc == 0)
    qsort (t.v, t.n, sizeof *t.v, by_time);
  for (size_t i = 0; i < t.n; i++)
    {
      struct log_record rec = { .text = t.v[i].text, .len = t.v[i].len,
                                .is_stderr = t.v[i].is_stderr, .time = t.v[i].time };
      if (rc == 0 && print_record (&rec, &views[t.v[i].view]) < 0)
        rc = hk_error_errno (err, errno, "write the logs");
      free (t.v[i].text);
      free (t.v[i].time);
    }
  free (t.v);
  return rc;
}

/* Every container's log; with FOLLOW one process per container, so that
 * all are followed at once.  The PIDs of those in *PIDS (N). */
static int
show_logs (struct engine *e, struct ctr_record **list, size_t n, const struct logs_options *o,
           pid_t **pids, struct hk_error **err)
{
  size_t width = 0;
  for (size_t i = 0; i < n; i++)
    width = strlen (list[i]->name) > width ? strlen (list[i]->name) : width;
  *pids = xzalloc ((n + 1) * sizeof **pids);
  fflush (stdout);
  if (!o->follow)
    {
      struct log_view *views = xzalloc ((n + 1) * sizeof *views);
      for (size_t i = 0; i < n; i++)
        views[i] = (struct log_view){ .prefix = prefix_of (list[i], width, o->color, i),
                                      .timestamps = o->timestamps };
      int rc = show_logs_merged (e, list, n, views, o, err);
      for (size_t i = 0; i < n; i++)
        free (views[i].prefix);
      free (views);
      return rc;
    }
  for (size_t i = 0; i < n; i++)
    {
      struct log_view v = { .prefix = prefix_of (list[i], width, o->color, i),
                            .timestamps = o->timestamps,
                            .monitor = list[i]->monitor_pid };
      pid_t pid = fork ();
      if (pid < 0)
        {
          free (v.prefix);
          return hk_error_errno (err, errno, "fork a log follower");
        }
      if (pid == 0)
        {
          /* not the attached up's handlers: its SIGTERM must end us */
          signal (SIGTERM, SIG_DFL);
          signal (SIGINT, SIG_DFL);
          struct hk_error *why = NULL;
          int rc = show_log (e, list[i], &v, o, &why);
          if (rc < 0)
            fprintf (stderr, "Error: %s: %s\n", list[i]->name, why->message);
          _exit (rc < 0 ? 1 : 0);
        }
      free (v.prefix);
      (*pids)[i] = pid;
    }
  return 0;
}

static const char logs_usage[] = "[-f] [--tail N|all] [-t] [--no-color] [SERVICE...]";

static int
cmd_logs (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "follow", no_argument, NULL, 'f' },
                                           { "tail", required_argument, NULL, 'n' },
                                           { "timestamps", no_argument, NULL, 't' },
                                           { "no-color", no_argument, NULL, 'C' },
                                           { NULL, 0, NULL, 0 } };
  struct logs_options o = { .tail = SIZE_MAX, .color = c->cli->stdout_is_tty };
  long long tail;
  int opt;
  while ((opt = getopt_long (argc, argv, "ft", options, NULL)) != -1)
    switch (opt)
      {
      case 'f':
        o.follow = true;
        break;
      case 'n':
        if (strcmp (optarg, "all") == 0)
          break;
        if (config_parse_int (optarg, "--tail", 0, INT32_MAX, &tail, err) < 0)
          return -1;
        o.tail = (size_t)tail;
        break;
      case 't':
        o.timestamps = true;
        break;
      case 'C':
        o.color = false;
        break;
      default:
        return cli_bad_option (err, "compose logs", argv);
      }
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (compose_cli_containers (c, argc, argv, &p, &e, &list, &n, err) < 0)
    return -1;
  _cleanup_free_ pid_t *pids = NULL;
  int rc = show_logs (e, list, n, &o, &pids, err);
  for (size_t i = 0; i < n; i++)
    while (pids && pids[i] > 0 && waitpid (pids[i], NULL, 0) < 0 && errno == EINTR)
      ;
  ctr_record_list_free (list, n);
  return rc;
}

/* ---- up, attached ---- */

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal (int signum)
{
  (void)signum;
  stop_requested = 1;
}

/* Stops every container of LIST (refreshed first). */
static void
stop_all (struct engine *e, struct ctr_record **list, size_t n)
{
  for (size_t i = n; i-- > 0;)
    {
      struct hk_error *why = NULL;
      if (engine_refresh (e, list[i], &why) == 0 && strcmp (list[i]->state, "running") == 0
          && engine_stop (e, list[i], -1, &why) == 0)
        fprintf (stderr, " Container %s  Stopped\n", list[i]->name);
      if (why)
        {
          fprintf (stderr, "Error: %s: %s\n", list[i]->name, why->message);
          hk_error_free (why);
        }
    }
}

int
compose_cli_attach (struct compose_cli *c, struct engine *e, const struct compose_project *p,
                    char *const *services, const struct compose_attach_options *a,
                    struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (compose_containers (e, p->name, services, false, &list, &n, err) < 0)
    return -1;
  struct logs_options o = { .follow = true, .tail = SIZE_MAX, .color = c->cli->stdout_is_tty };
  struct sigaction sa = { .sa_handler = on_stop_signal }, old_int, old_term;
  sigaction (SIGINT, &sa, &old_int);
  sigaction (SIGTERM, &sa, &old_term);
  _cleanup_free_ pid_t *pids = NULL;
  int rc = show_logs (e, list, n, &o, &pids, err);
  size_t running = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    running += pids[i] > 0;
  while (rc == 0 && running > 0 && !stop_requested)
    {
      pid_t done = waitpid (-1, NULL, 0);
      if (done < 0 && errno == EINTR)
        continue;
      if (done < 0)
        break;
      for (size_t i = 0; i < n; i++)
        if (pids[i] == done)
          {
            pids[i] = 0;
            running--;
          }
      if (a->abort_on_exit)
        break;
    }
  if (stop_requested || a->abort_on_exit)
    {
      fprintf (stderr, "Gracefully stopping...\n");
      stop_all (e, list, n);
    }
  for (size_t i = 0; pids && i < n; i++)
    if (pids[i] > 0)
      {
        kill (pids[i], SIGTERM);
        while (waitpid (pids[i], NULL, 0) < 0 && errno == EINTR)
          ;
      }
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);
  int status = rc < 0 ? -1 : stop_requested ? 130 : 0;
  for (size_t i = 0; i < n && a->exit_code_from && status == 0; i++)
    {
      const char *svc = config_map_get (&list[i]->config.labels, COMPOSE_LABEL_SERVICE);
      struct hk_error *why = NULL;
      if (strcmp (svc, a->exit_code_from) == 0 && engine_refresh (e, list[i], &why) == 0)
        status = list[i]->exit_code;
      hk_error_free (why);
    }
  ctr_record_list_free (list, n);
  return status;
}

const struct compose_command compose_logs_commands[] = {
  { "logs", cmd_logs, logs_usage, "show the services' output, prefixed by container" },
  { NULL, NULL, NULL, NULL },
};
