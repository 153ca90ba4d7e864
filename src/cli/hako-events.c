/* SPDX-License-Identifier: Apache-2.0 */
/* hako events: the event log (common/event-log.h) as Docker's `events`:
 * a range with --since/--until, or followed live until interrupted. */
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/event-log.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char events_usage[]
    = "[--since TIME] [--until TIME] [--filter KEY=VALUE]... [--format FORMAT]";

static const char *const filter_keys[]
    = { "type", "event", "container", "image", "volume", "network", "pod", "label", NULL };

/* TEXT as nanoseconds since the epoch: RFC 3339 ("2024-05-01T10:00:00Z",
 * fractions allowed), a Unix time ("1714557600.5"), or a duration before
 * NOW ("10m", "1h30m", "45s"). */
static int
parse_time (const char *text, const char *flag, int64_t now_ns, int64_t *out,
            struct hk_error **err)
{
  if (strchr (text, 'T') != NULL)
    {
      struct tm tm = { 0 };
      const char *rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm);
      if (rest != NULL)
        {
          int64_t ns = (int64_t)timegm (&tm) * 1000000000LL;
          if (*rest == '.')
            for (int64_t scale = 100000000; *++rest >= '0' && *rest <= '9'; scale /= 10)
              ns += (*rest - '0') * scale;
          if (*rest == 'Z' || *rest == '\0')
            {
              *out = ns;
              return 0;
            }
        }
      return hk_error_set (err, EINVAL, "%s %s: not an RFC 3339 time (2024-05-01T10:00:00Z)",
                           flag, text);
    }
  char *end;
  double unix_time = strtod (text, &end);
  if (end != text && *end == '\0')
    {
      *out = (int64_t)(unix_time * 1e9);
      return 0;
    }
  int64_t ago = 0;
  const char *p = text;
  while (*p)
    {
      long long n = strtoll (p, &end, 10);
      int64_t unit = *end == 'h' ? 3600 : *end == 'm' ? 60 : *end == 's' ? 1 : 0;
      if (end == p || n < 0 || unit == 0)
        return hk_error_set (err, EINVAL,
                             "%s %s: not a time (RFC 3339, a Unix time, or a duration: 10m, 1h30m)",
                             flag, text);
      ago += (int64_t)n * unit * 1000000000LL;
      p = end + 1;
    }
  *out = now_ns - ago;
  return 0;
}

struct events_query
{
  int64_t since_ns, until_ns; /* 0: none */
  char **filters;
  const char *format;
  struct hk_error *err; /* a --format that fails */
};

static const char *
attr (json_t *ev, const char *key)
{
  return json_string_value (json_object_get (json_object_get (json_object_get (ev, "Actor"), "Attributes"), key));
}

/* The action's word: "exec_start: sh -c x" is exec_start. */
static bool
action_is (json_t *ev, const char *want)
{
  const char *action = json_string_value (json_object_get (ev, "Action"));
  size_t len = action ? strcspn (action, ":") : 0;
  return action && (strcmp (action, want) == 0 || (strlen (want) == len && strncmp (action, want, len) == 0));
}

/* Whether EV's object (ID or name) is REF. */
static bool
names_object (json_t *ev, const char *type, const char *ref)
{
  if (strcmp (json_string_value (json_object_get (ev, "Type")), type) != 0)
    return false;
  const char *id = json_string_value (json_object_get (ev, "id"));
  const char *name = attr (ev, "name");
  return (name && strcmp (name, ref) == 0) || (id && strcmp (id, ref) == 0)
         || (id && strlen (ref) >= 12 && strncmp (id, ref, strlen (ref)) == 0);
}

static bool
filter_matches (json_t *ev, const char *key, const char *value)
{
  if (strcmp (key, "type") == 0)
    return strcmp (json_string_value (json_object_get (ev, "Type")), value) == 0;
  if (strcmp (key, "event") == 0)
    return action_is (ev, value);
  if (strcmp (key, "image") == 0)
    {
      const char *image = attr (ev, "image");
      return names_object (ev, "image", value) || (image && strcmp (image, value) == 0);
    }
  if (strcmp (key, "label") == 0)
    {
      const char *eq = strchr (value, '=');
      _cleanup_free_ char *k = eq ? xstrndup (value, (size_t)(eq - value)) : xstrdup (value);
      const char *v = attr (ev, k);
      return v && (eq == NULL || strcmp (v, eq + 1) == 0);
    }
  return names_object (ev, key, value); /* container, volume, network, pod */
}

/* Docker's rule: the values of one key are alternatives, the keys must
 * all match. */
static bool
matches (json_t *ev, char **filters)
{
  for (const char *const *k = filter_keys; *k; k++)
    {
      bool given = false, any = false;
      for (size_t i = 0; filters && filters[i]; i++)
        {
          size_t klen = strcspn (filters[i], "=");
          if (strlen (*k) != klen || strncmp (filters[i], *k, klen) != 0)
            continue;
          given = true;
          any = any || filter_matches (ev, *k, filters[i] + klen + 1);
        }
      if (given && !any)
        return false;
    }
  return true;
}

/* Docker's line: TIME TYPE ACTION ID (KEY=VALUE, ...), keys sorted. */
static void
print_line (json_t *ev)
{
  int64_t ns = json_integer_value (json_object_get (ev, "timeNano"));
  time_t secs = (time_t)(ns / 1000000000);
  struct tm tm;
  gmtime_r (&secs, &tm);
  char when[32];
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  json_t *attrs = json_object_get (json_object_get (ev, "Actor"), "Attributes");
  _cleanup_strv_ char **keys = xzalloc (sizeof (char *));
  const char *k;
  json_t *v;
  json_object_foreach (attrs, k, v)
    strv_append (&keys, k);
  strv_sort (keys);
  printf ("%s.%09lldZ %s %s %s", when, (long long)(ns % 1000000000),
          json_string_value (json_object_get (ev, "Type")),
          json_string_value (json_object_get (ev, "Action")),
          json_string_value (json_object_get (ev, "id")));
  for (size_t i = 0; keys[i]; i++)
    printf ("%s%s=%s", i == 0 ? " (" : ", ", keys[i],
            json_string_value (json_object_get (attrs, keys[i])));
  printf ("%s\n", keys[0] ? ")" : "");
}

static bool
on_event (json_t *ev, void *data)
{
  struct events_query *q = data;
  int64_t ns = json_integer_value (json_object_get (ev, "timeNano"));
  if (q->until_ns && ns > q->until_ns)
    return false;
  if ((q->since_ns && ns < q->since_ns) || !matches (ev, q->filters))
    return true;
  if (q->format == NULL)
    print_line (ev);
  else
    {
      _cleanup_free_ char *text = cli_format_template (q->format, ev, &q->err);
      if (text == NULL)
        return false;
      printf ("%s\n", text);
    }
  fflush (stdout);
  return true;
}

static int
check_filter (const char *f, struct hk_error **err)
{
  const char *eq = strchr (f, '=');
  _cleanup_free_ char *key = eq ? xstrndup (f, (size_t)(eq - f)) : NULL;
  if (key == NULL || !strv_contains ((char *const *)filter_keys, key))
    return hk_error_set (err, EINVAL,
                         "--filter %s: the filters are type=, event=, container=, image=, "
                         "volume=, network=, pod=, label=",
                         f);
  if (strcmp (key, "type") == 0)
    {
      static const char *const types[] = { "container", "image", "volume", "network", "pod", NULL };
      if (!strv_contains ((char *const *)types, eq + 1))
        return hk_error_set (err, EINVAL,
                             "--filter %s: the types are container, image, volume, network, pod", f);
    }
  return 0;
}

static int
cmd_events (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "since", required_argument, NULL, 's' },
                                           { "until", required_argument, NULL, 'u' },
                                           { "filter", required_argument, NULL, 'f' },
                                           { "format", required_argument, NULL, 'F' },
                                           { NULL, 0, NULL, 0 } };
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  int64_t now_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
  struct events_query q = { 0 };
  _cleanup_strv_ char **filters = xzalloc (sizeof (char *));
  bool since = false, until = false;
  int c;
  while ((c = getopt_long (argc, argv, "f:", options, NULL)) != -1)
    switch (c)
      {
      case 's':
        if (parse_time (optarg, "--since", now_ns, &q.since_ns, err) < 0)
          return -1;
        since = true;
        break;
      case 'u':
        if (parse_time (optarg, "--until", now_ns, &q.until_ns, err) < 0)
          return -1;
        until = true;
        break;
      case 'f':
        if (check_filter (optarg, err) < 0)
          return -1;
        strv_append (&filters, optarg);
        break;
      case 'F':
        q.format = optarg;
        break;
      default:
        return cli_bad_option (err, "events", argv);
      }
  if (optind < argc)
    return cli_usage (err, "events", events_usage, "no arguments are taken");
  q.filters = filters;
  int rc = until ? event_log_read (cli->root, on_event, &q, err)
                 : event_log_follow (cli->root, since, on_event, &q, err);
  if (rc == 0 && q.err != NULL)
    {
      *err = take_ptr (q.err);
      return -1;
    }
  hk_error_free (q.err);
  return rc;
}

const struct hako_command hako_events_commands[] = {
  { "system", "events", cmd_events, events_usage,
    "show the events of containers, images, volumes, networks and pods (followed live without "
    "--until)",
    .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};
