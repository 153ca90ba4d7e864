/* SPDX-License-Identifier: Apache-2.0 */
/* hako ps / inspect / logs */
#include "engine/ctr-config-json.h"
#include "engine/ctr-network.h"
#include "engine/engine.h"
#include "engine/engine-checkpoint.h"
#include "engine/pod-record.h"
#include "hako-cli.h"
#include "monitor/log-reader.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "runtime/state.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the views of a container ---- */

char *
cli_container_command (const struct ctr_record *r)
{
  char *text = xstrdup ("");
  char **parts[2] = { r->config.entrypoint, r->config.cmd };
  for (int k = 0; k < 2; k++)
    for (char **a = parts[k]; a && *a; a++)
      {
        char *more = xasprintf ("%s%s%s", text, *text ? " " : "", *a);
        free (text);
        text = more;
      }
  return text;
}

static char *
health_status (struct engine *e, const struct ctr_record *r)
{
  _cleanup_json_ json_t *health = engine_health (e, r);
  if (health == NULL)
    return ctr_config_has_health (&r->config) ? xstrdup ("starting") : NULL;
  const char *status = json_string_value (json_object_get (health, "Status"));
  return status ? xstrdup (status) : NULL;
}

/* "Up 5 seconds (healthy)", "Exited (0) 3 minutes ago", "Created". */
char *
cli_container_status (struct engine *e, const struct ctr_record *r)
{
  int64_t now = (int64_t)time (NULL);
  if (strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0)
    {
      _cleanup_free_ char *up = cli_human_duration (now - cli_parse_time (r->started_at));
      _cleanup_free_ char *health = health_status (e, r);
      return xasprintf ("Up %s%s%s%s%s", up, strcmp (r->state, "paused") == 0 ? " (Paused)" : "",
                        health ? " (" : "", health ? health : "", health ? ")" : "");
    }
  if (strcmp (r->state, "exited") == 0)
    {
      _cleanup_free_ char *ago = cli_human_since (cli_parse_time (r->finished_at));
      return xasprintf ("Exited (%d) %s", r->exit_code, ago);
    }
  return xstrdup (strcmp (r->state, "created") == 0 ? "Created" : r->state);
}

char *
cli_container_ports (struct engine *e, const struct ctr_record *r)
{
  char *text = xstrdup ("");
  _cleanup_json_ json_t *ports = ctr_network_ports (e, r);
  size_t i;
  json_t *p;
  json_array_foreach (ports, i, p)
  {
    const char *ip = json_string_value (json_object_get (p, "HostIp"));
    char *more
        = xasprintf ("%s%s%s:%lld->%lld/%s", text, *text ? ", " : "", ip && *ip ? ip : "0.0.0.0",
                     (long long)json_integer_value (json_object_get (p, "HostPort")),
                     (long long)json_integer_value (json_object_get (p, "ContainerPort")),
                     json_string_value (json_object_get (p, "Protocol")));
    free (text);
    text = more;
  }
  return text;
}

/* The row `ps --format` expands over. */
static json_t *
ps_row (struct engine *e, const struct ctr_record *r, bool no_trunc)
{
  _cleanup_free_ char *command = cli_container_command (r);
  _cleanup_free_ char *status = cli_container_status (e, r);
  _cleanup_free_ char *since = cli_human_since (cli_parse_time (r->created));
  _cleanup_free_ char *ports = cli_container_ports (e, r);
  _cleanup_free_ char *short_id = xstrndup (r->id, 12);
  _cleanup_free_ char *quoted = xasprintf ("\"%.*s%s\"", no_trunc ? INT_MAX : 20, command,
                                           !no_trunc && strlen (command) > 20 ? "…" : "");
  json_t *labels = config_map_to_json (&r->config.labels);
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "ID",
                    no_trunc ? r->id : short_id, "Image", r->image_name, "Command", quoted,
                    "CreatedAt", r->created, "RunningFor", since, "Status", status, "State",
                    r->state, "Names", r->name, "Ports", ports, "Labels",
                    labels);
}

/* The pod of R, if any: Pod (its ID) and PodName, as Podman's ps. */
static void
add_pod (struct engine *e, const struct ctr_record *r, json_t *row, bool no_trunc)
{
  _cleanup_pod_record_ struct pod_record *p = NULL;
  struct hk_error *ignored = NULL;
  if (r->config.pod == NULL || pod_record_find (e->db, r->config.pod, &p, &ignored) < 0)
    {
      hk_error_free (ignored);
      json_object_set_new (row, "Pod", json_string (""));
      json_object_set_new (row, "PodName", json_string (""));
      return;
    }
  json_object_set_new (row, "Pod", json_stringn (p->id, no_trunc ? strlen (p->id) : 12));
  json_object_set_new (row, "PodName", json_string (p->name));
}

/* --filter KEY=VALUE: status, name, id, label, ancestor, exited. */
static bool
matches (const struct ctr_record *r, char **filters)
{
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i], *eq = strchr (f, '=');
      const char *v = eq ? eq + 1 : "";
      size_t klen = eq ? (size_t)(eq - f) : strlen (f);
      bool ok = true;
      if (strncmp (f, "status", klen) == 0 && klen == 6)
        ok = strcmp (r->state, v) == 0;
      else if (strncmp (f, "name", klen) == 0 && klen == 4)
        ok = strstr (r->name, v) != NULL;
      else if (strncmp (f, "id", klen) == 0 && klen == 2)
        ok = strncmp (r->id, v, strlen (v)) == 0;
      else if (strncmp (f, "ancestor", klen) == 0 && klen == 8)
        ok = strcmp (r->image_name, v) == 0 || (strlen (r->image_id) > 7 && strncmp (r->image_id + 7, v, strlen (v)) == 0);
      else if (strncmp (f, "exited", klen) == 0 && klen == 6)
        ok = strcmp (r->state, "exited") == 0 && r->exit_code == atoi (v);
      else if (strncmp (f, "label", klen) == 0 && klen == 5)
        ok = config_map_matches (&r->config.labels, v);
      if (!ok)
        return false;
    }
  return true;
}

static int
check_filters (char **filters, struct hk_error **err)
{
  static const char *const keys[] = { "status", "name", "id", "label", "ancestor", "exited", NULL };
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      _cleanup_free_ char *key = eq ? xstrndup (filters[i], (size_t)(eq - filters[i])) : NULL;
      if (key == NULL || !strv_contains ((char *const *)keys, key))
        return hk_error_set (
            err, EINVAL,
            "--filter: \"%s\" is not one of status=, name=, id=, label=, ancestor=, exited=",
            filters[i]);
    }
  return 0;
}

static int
cmd_ps (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "all", no_argument, NULL, 'a' },          { "quiet", no_argument, NULL, 'q' },
          { "no-trunc", no_argument, NULL, 'T' },     { "filter", required_argument, NULL, 'f' },
          { "format", required_argument, NULL, 'F' }, { "pod", no_argument, NULL, 'P' },
          { NULL, 0, NULL, 0 } };
  static const char usage[]
      = "[-a] [-q] [--no-trunc] [--pod] [--filter KEY=VALUE] [--format FORMAT]";
  bool all = false, quiet = false, no_trunc = false, pods = false;
  _cleanup_strv_ char **filters = NULL;
  const char *format = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "aqf:", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 'T':
        no_trunc = true;
        break;
      case 'f':
        strv_append (&filters, optarg);
        break;
      case 'F':
        format = optarg;
        break;
      case 'P':
        pods = true;
        break;
      default:
        return cli_bad_option (err, "ps", argv);
      }
  if (optind < argc)
    return cli_usage (err, "ps", usage, "too many arguments");
  if (check_filters (filters, err) < 0)
    return -1;
  struct engine *e;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || ctr_record_list (e->db, &list, &n, err) < 0)
    return -1;
  static const char *const headers[]
      = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", NULL };
  static const char *const pod_headers[] = { "CONTAINER ID", "IMAGE",  "COMMAND", "CREATED",
                                             "STATUS",       "PORTS",  "NAMES",   "POD ID",
                                             "PODNAME",      NULL };
  struct cli_table *table
      = (quiet || format) ? NULL : cli_table_new (pods ? pod_headers : headers);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      struct ctr_record *r = list[i];
      if (engine_refresh (e, r, err) < 0)
        {
          rc = -1;
          break;
        }
      bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
      if ((!all && !running && filters == NULL) || !matches (r, filters))
        continue;
      _cleanup_json_ json_t *row = ps_row (e, r, no_trunc);
      add_pod (e, r, row, no_trunc);
      if (quiet)
        printf ("%s\n", json_string_value (json_object_get (row, "ID")));
      else if (format)
        {
          /* Docker's `--format json`: an object per line. */
          _cleanup_free_ char *line = cli_format_template (
              strcmp (format, "json") == 0 ? "{{json .}}" : format, row, err);
          if (line == NULL)
            rc = -1;
          else
            printf ("%s\n", line);
        }
      else
        {
          const char *cells[] = { json_string_value (json_object_get (row, "ID")),
                                  r->image_name,
                                  json_string_value (json_object_get (row, "Command")),
                                  json_string_value (json_object_get (row, "RunningFor")),
                                  json_string_value (json_object_get (row, "Status")),
                                  json_string_value (json_object_get (row, "Ports")),
                                  r->name,
                                  json_string_value (json_object_get (row, "Pod")),
                                  json_string_value (json_object_get (row, "PodName")),
                                  NULL };
          cli_table_add (table, cells);
        }
    }
  if (table)
    {
      if (rc == 0)
        cli_table_print (table, stdout);
      cli_table_free (table);
    }
  ctr_record_list_free (list, n);
  return rc;
}

/* ---- inspect ---- */

static json_t *
inspect_json (struct engine *e, const struct ctr_record *r)
{
  pid_t pid = 0;
  bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
  if (running)
    {
      struct runtime_backend b;
      engine_backend (e, r, &b);
      _cleanup_json_ json_t *s = NULL;
      struct hk_error *ignored = NULL;
      if (backend_state (&b, r->id, &s, &ignored) == 0)
        pid = (pid_t)json_integer_value (json_object_get (s, "pid"));
      hk_error_free (ignored);
    }
  json_t *state
      = json_pack ("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status", r->state,
                   "Running", running, "Paused", strcmp (r->state, "paused") == 0, "Restarting", 0,
                   "OOMKilled", r->oom_killed, "Dead", 0, "Pid", (int)pid, "ExitCode", r->exit_code, "Error",
                   r->error, "StartedAt", r->started_at, "FinishedAt", r->finished_at);
  bool checkpointed;
  char *checkpointed_at, *restored_at;
  engine_checkpoint_status (e, r, &checkpointed, &checkpointed_at, &restored_at);
  json_object_set_new (state, "Checkpointed", json_boolean (checkpointed));
  json_object_set_new (state, "CheckpointedAt", json_string (checkpointed_at));
  json_object_set_new (state, "RestoredAt", json_string (restored_at));
  free (checkpointed_at);
  free (restored_at);
  /* Podman calls its monitor conmon and shows its pid as ConmonPid. */
  json_object_set_new (state, "MonitorPid", json_integer (running ? r->monitor_pid : 0));
  json_t *health = engine_health (e, r);
  if (health != NULL)
    json_object_set_new (state, "Health", health);
  json_t *config = ctr_config_inspect_config (&r->config);
  json_object_set_new (config, "Image", json_string (r->image_name));
  json_t *host = ctr_config_inspect_host (&r->config);
  json_t *binds = json_array ();
  for (size_t i = 0; i < r->config.n_mount_points; i++)
    {
      const struct config_mount_point *m = &r->config.mount_points[i];
      if (m->type != CONFIG_MOUNT_BIND)
        continue;
      _cleanup_free_ char *bind
          = xasprintf ("%s:%s%s", m->source, m->destination, m->rw ? "" : ":ro");
      json_array_append_new (binds, json_string (bind));
    }
  json_object_set_new (host, "Binds", binds);
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *log_path = engine_log_path (e, r->id);
  _cleanup_free_ char *name = xasprintf ("/%s", r->name);
  json_t *mounts = ctr_config_inspect_mounts (&r->config);
  json_t *network = ctr_network_settings (e, r);
  _cleanup_free_ char *upper = xasprintf ("%s/upper", dir);
  _cleanup_free_ char *work = xasprintf ("%s/work", dir);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  return json_pack ("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:{s:s, "
                    "s:{s:s, s:s, s:s}}, s:s}",
                    "Id", r->id, "Created", r->created, "Name", name, "State", state, "Image",
                    r->image_id, "LogPath", log_path, "ResolvConfPath", "", "RestartCount",
                    r->restart_count, "Driver", "overlay", "Config", config, "HostConfig", host,
                    "Mounts", mounts, "NetworkSettings",
                    network, "GraphDriver", "Name", "overlay", "Data", "UpperDir", upper,
                    "WorkDir", work, "MergedDir", merged, "Pod", r->config.pod ? r->config.pod : "");
}

static int
cmd_inspect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "format", required_argument, NULL, 'f' },
                                           { "type", required_argument, NULL, 't' },
                                           { NULL, 0, NULL, 0 } };
  const char *format = NULL, *type = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "f:", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case 't':
        type = optarg;
        break;
      default:
        return cli_bad_option (err, "inspect", argv);
      }
  if (optind >= argc)
    return cli_usage (err, "inspect", "[-f FORMAT] NAME...", "missing container name");
  if (type != NULL && strcmp (type, "container") != 0)
    return hk_error_set (err, EINVAL, "--type %s: use `hako image inspect` for images", type);
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_json_ json_t *all = json_array ();
  for (int i = optind; i < argc; i++)
    {
      _cleanup_record_ struct ctr_record *r = NULL;
      if (engine_find (e, argv[i], &r, err) < 0)
        return -1;
      json_array_append_new (all, inspect_json (e, r));
    }
  return cli_print_inspect (all, format, err);
}

/* ---- logs ---- */

struct log_filter
{
  int64_t since_ns, until_ns; /* 0: none */
  bool timestamps;
};

static int64_t
parse_rfc3339_ns (const char *text)
{
  struct tm tm = { 0 };
  const char *rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL)
    return 0;
  int64_t ns = (int64_t)timegm (&tm) * 1000000000LL;
  if (*rest == '.')
    {
      int64_t frac = 0, scale = 100000000;
      for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
        frac += (*rest - '0') * scale;
      ns += frac;
    }
  return ns;
}

/* --since/--until: RFC 3339, a Unix time, or a duration ago ("10m"). */
static int
parse_log_time (const char *text, const char *flag, int64_t *out, struct hk_error **err)
{
  if (strchr (text, 'T') != NULL)
    {
      *out = parse_rfc3339_ns (text);
      if (*out == 0)
        return hk_error_set (err, EINVAL, "%s: \"%s\" is not a time", flag, text);
      return 0;
    }
  char *end;
  double unix_time = strtod (text, &end);
  if (*end == '\0' && end != text)
    {
      *out = (int64_t)(unix_time * 1e9);
      return 0;
    }
  int64_t ms;
  if (units_parse_duration_ms (text, flag, &ms, err) < 0)
    return -1;
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  *out = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec - ms * 1000000LL;
  return 0;
}

/* Prints one record; 1 (stop) when past --until. */
static int
print_record (const struct log_record *rec, void *data)
{
  const struct log_filter *f = data;
  int64_t t = rec->time ? parse_rfc3339_ns (rec->time) : 0;
  if (f->since_ns && t < f->since_ns)
    return 0;
  if (f->until_ns && t > f->until_ns)
    return 1;
  FILE *out = rec->is_stderr ? stderr : stdout;
  if (f->timestamps)
    fprintf (out, "%s ", rec->time ? rec->time : "");
  /* fwrite: the text may hold NUL bytes, which are the container's
   * output too. */
  fwrite (rec->text, 1, rec->len, out);
  fflush (out);
  return 0;
}

struct running_check
{
  struct engine *e;
  const char *id;
};

static bool
still_running (void *data)
{
  const struct running_check *c = data;
  _cleanup_record_ struct ctr_record *r = NULL;
  struct hk_error *ignored = NULL;
  if (engine_find (c->e, c->id, &r, &ignored) < 0)
    {
      hk_error_free (ignored);
      return false;
    }
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

struct follow_print
{
  struct log_filter *filter;
  struct running_check running;
};

static int
print_followed (const struct log_record *rec, void *data)
{
  struct follow_print *p = data;
  return print_record (rec, p->filter);
}

static bool
follow_keep_going (void *data)
{
  struct follow_print *p = data;
  return still_running (&p->running);
}

static int
cmd_logs (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "follow", no_argument, NULL, 'f' },      { "tail", required_argument, NULL, 'n' },
          { "since", required_argument, NULL, 'S' }, { "until", required_argument, NULL, 'U' },
          { "timestamps", no_argument, NULL, 't' },  { NULL, 0, NULL, 0 } };
  static const char usage[] = "[-f] [--tail N|all] [--since T] [--until T] [-t] CONTAINER";
  struct log_filter f = { 0 };
  bool follow_flag = false;
  long long tail = -1;
  int c;
  while ((c = getopt_long (argc, argv, "fn:t", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        follow_flag = true;
        break;
      case 'n':
        if (strcmp (optarg, "all") != 0)
          {
            char *end;
            tail = strtoll (optarg, &end, 10);
            if (*end || end == optarg || tail < 0)
              return hk_error_set (err, EINVAL, "--tail: \"%s\" is not a number or all", optarg);
          }
        break;
      case 'S':
        if (parse_log_time (optarg, "--since", &f.since_ns, err) < 0)
          return -1;
        break;
      case 'U':
        if (parse_log_time (optarg, "--until", &f.until_ns, err) < 0)
          return -1;
        break;
      case 't':
        f.timestamps = true;
        break;
      default:
        return cli_bad_option (err, "logs", argv);
      }
  if (optind + 1 != argc)
    return cli_usage (err, "logs", usage, "one container name is needed");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0)
    return -1;
  _cleanup_free_ char *path = engine_log_path (e, r->id);
  struct log_position end;
  int rc = log_read (path, tail >= 0 ? (size_t)tail : SIZE_MAX, print_record, &f, &end, err);
  if (rc < 0 || rc == 1 || !follow_flag)
    return rc < 0 ? -1 : 0;
  struct follow_print p = { .filter = &f, .running = { .e = e, .id = r->id } };
  rc = log_follow (path, &end, follow_keep_going, print_followed, &p, err);
  return rc < 0 ? -1 : 0;
}

const struct hako_command hako_container_info_commands[] = {
  { "container", "ps", cmd_ps, "[-a] [-q] [--no-trunc] [--filter KEY=VALUE] [--format FORMAT]",
    "list containers", .top_level = true },
  { "container", "ls", cmd_ps, "[-a] [-q] [--no-trunc] [--filter KEY=VALUE] [--format FORMAT]",
    "list containers", true },
  { "container", "inspect", cmd_inspect, "[-f FORMAT] CONTAINER...", "show containers in detail",
    .top_level = true },
  { "container", "logs", cmd_logs, "[-f] [--tail N|all] [--since T] [--until T] [-t] CONTAINER",
    "show a container's output", .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};
