/* SPDX-License-Identifier: Apache-2.0 */
/* hako top / stats */
#include "engine/engine.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
cmd_top (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "CONTAINER [ps OPTIONS]";
  /* Everything after the container is for ps, dashes included. */
  if (cli_wants_help (argc < 2 ? argc : 2, argv, "top", usage, "show the processes of a container"))
    return 0;
  if (cli_no_options (argc, argv, "top", err) < 0)
    return -1;
  if (argc < 2)
    return cli_usage (err, "top", usage, "missing container name");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  _cleanup_free_ char *rows = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[1], &r, err) < 0
      || engine_top (e, r, argv + 2, &rows, err) < 0)
    return -1;
  fputs (rows, stdout);
  return 0;
}

/* ---- stats ---- */

struct stats_options
{
  bool all, no_stream, no_trunc;
  const char *row_format; /* the template of one container's line */
  bool table;             /* a header, and columns aligned */
  char **names;           /* as given; empty: every running (or, with -a, every) container */
};

/* One container of a frame: its record and two readings. */
struct stats_entry
{
  struct ctr_record *r;
  const char *given;
  struct ctr_usage before, now;
};

struct stats_frame
{
  struct stats_entry *entries;
  size_t n;
};

static void
frame_clear (struct stats_frame *f)
{
  for (size_t i = 0; i < f->n; i++)
    ctr_record_free (f->entries[i].r);
  free (f->entries);
  f->entries = NULL;
  f->n = 0;
}

static void
frame_add (struct stats_frame *f, struct ctr_record *r, const char *given)
{
  f->entries = xreallocarray (f->entries, f->n + 1, sizeof *f->entries);
  f->entries[f->n++] = (struct stats_entry){ .r = r, .given = given };
}

/* The containers of this frame: the named ones, or those running now. */
static int
frame_collect (struct engine *e, const struct stats_options *o, struct stats_frame *f,
               struct hk_error **err)
{
  for (size_t i = 0; o->names[i]; i++)
    {
      struct ctr_record *r = NULL;
      if (engine_find (e, o->names[i], &r, err) < 0)
        return -1;
      frame_add (f, r, o->names[i]);
    }
  if (o->names[0] != NULL)
    return 0;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (ctr_record_list (e->db, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct ctr_record *r = take_ptr (list[i]);
      if (rc == 0 && engine_refresh (e, r, err) < 0)
        rc = -1;
      bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
      if (rc == 0 && (running || o->all))
        frame_add (f, r, NULL);
      else
        ctr_record_free (r);
    }
  ctr_record_list_free (list, n);
  return rc;
}

/* The readings taken before, for the containers of the last frame. */
static void
frame_take_before (struct stats_frame *f, const struct stats_frame *last)
{
  for (size_t i = 0; i < f->n; i++)
    for (size_t j = 0; j < last->n; j++)
      if (strcmp (f->entries[i].r->id, last->entries[j].r->id) == 0)
        f->entries[i].before = last->entries[j].now;
}

static int
frame_read (struct engine *e, struct stats_frame *f, bool before, struct hk_error **err)
{
  for (size_t i = 0; i < f->n; i++)
    {
      struct stats_entry *s = &f->entries[i];
      if (engine_usage (e, s->r, before ? &s->before : &s->now, err) < 0)
        return -1;
    }
  return 0;
}

static char *
pair_text (uint64_t a, uint64_t b, bool binary, int digits)
{
  _cleanup_free_ char *x = cli_size_text (a, binary, digits);
  _cleanup_free_ char *y = cli_size_text (b, binary, digits);
  return xasprintf ("%s / %s", x, y);
}

/* The fields `stats --format` expands, named as Docker names them. */
static json_t *
stats_row (const struct stats_entry *s, bool no_trunc)
{
  const struct cgroup_stats *cg = &s->now.cgroup;
  uint64_t used = ctr_stats_memory_used (cg);
  uint64_t limit = s->now.running ? s->now.memory_limit : 0;
  _cleanup_free_ char *cpu
      = xasprintf ("%.2f%%", ctr_stats_cpu_percent (&s->before, &s->now));
  _cleanup_free_ char *mem_percent
      = xasprintf ("%.2f%%", ctr_stats_memory_percent (used, limit));
  _cleanup_free_ char *mem = pair_text (used, limit, true, 4);
  _cleanup_free_ char *block = pair_text (cg->io_read_bytes, cg->io_write_bytes, false, 3);
  _cleanup_free_ char *pids = xasprintf ("%llu", (unsigned long long)cg->pids_current);
  _cleanup_free_ char *id = no_trunc ? xstrdup (s->r->id) : cli_short_id (s->r->id);
  _cleanup_free_ char *net = pair_text (s->now.net_rx_bytes, s->now.net_tx_bytes, false, 3);
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "BlockIO", block, "CPUPerc",
                    cpu, "Container", s->given ? s->given : id, "ID", id, "MemPerc", mem_percent,
                    "MemUsage", mem, "Name", s->r->name, "NetIO", net, "PIDs", pids);
}

static const char default_table[] = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t"
                                    "{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

/* The header of a `table` format: each field replaced by its title. */
static char *
table_header (const char *format, struct hk_error **err)
{
  _cleanup_json_ json_t *titles = json_pack (
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "BlockIO", "BLOCK I/O", "CPUPerc", "CPU %",
      "Container", "CONTAINER", "ID", "CONTAINER ID", "MemPerc", "MEM %", "MemUsage",
      "MEM USAGE / LIMIT", "Name", "NAME", "NetIO", "NET I/O", "PIDs", "PIDS");
  return cli_format_template (format, titles, err);
}

/* Splits LINE at its tabs into a table row. */
static void
table_add_line (struct cli_table **t, char *line)
{
  const char *cells[32] = { 0 };
  size_t n = 0;
  for (char *p = line; p && n < 31; n++)
    {
      cells[n] = p;
      p = strchr (p, '\t');
      if (p)
        *p++ = '\0';
    }
  if (*t == NULL)
    *t = cli_table_new (cells);
  else
    cli_table_add (*t, cells);
}

static int
print_frame (struct hako_cli *cli, const struct stats_options *o, const struct stats_frame *f,
             struct hk_error **err)
{
  struct cli_table *t = NULL;
  if (!o->no_stream && cli->stdout_is_tty)
    fputs ("\033[2J\033[H", stdout); /* redraw in place */
  if (o->table)
    {
      _cleanup_free_ char *header = table_header (o->row_format, err);
      if (header == NULL)
        return -1;
      table_add_line (&t, header);
    }
  int rc = 0;
  for (size_t i = 0; i < f->n && rc == 0; i++)
    {
      _cleanup_json_ json_t *row = stats_row (&f->entries[i], o->no_trunc);
      _cleanup_free_ char *line = cli_format_template (o->row_format, row, err);
      if (line == NULL)
        rc = -1;
      else if (o->table)
        table_add_line (&t, line);
      else
        printf ("%s\n", line);
    }
  if (t != NULL && rc == 0)
    cli_table_print (t, stdout);
  cli_table_free (t);
  fflush (stdout);
  return rc;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int
parse_stats_options (int argc, char **argv, struct stats_options *o, struct hk_error **err)
{
  static const struct option options[] = { { "all", no_argument, NULL, 'a' },
                                           { "no-stream", no_argument, NULL, 'S' },
                                           { "no-trunc", no_argument, NULL, 'T' },
                                           { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  const char *format = default_table;
  int c;
  while ((c = getopt_long (argc, argv, "a", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        o->all = true;
        break;
      case 'S':
        o->no_stream = true;
        break;
      case 'T':
        o->no_trunc = true;
        break;
      case 'f':
        format = optarg;
        break;
      default:
        return cli_bad_option (err, "stats", argv);
      }
  o->names = argv + optind;
  o->table = strncmp (format, "table", 5) == 0;
  if (strcmp (format, "json") == 0)
    o->row_format = "{{json .}}";
  else
    o->row_format = o->table ? format + 5 + (format[5] == ' ') : format;
  /* A bad template fails now, not at the first container. */
  _cleanup_free_ char *check = table_header (o->row_format, err);
  return check ? 0 : -1;
}

static int
cmd_stats (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct stats_options o = { 0 };
  struct engine *e;
  if (parse_stats_options (argc, argv, &o, err) < 0 || cli_engine (cli, &e, err) < 0)
    return -1;
  struct stats_frame last = { 0 };
  int rc = 0;
  for (bool first = true; rc == 0; first = false)
    {
      struct stats_frame f = { 0 };
      /* The first frame compares two readings half a second apart; the
       * next ones compare with the frame before, a second ago. */
      rc = frame_collect (e, &o, &f, err);
      if (rc == 0 && first)
        {
          rc = frame_read (e, &f, true, err);
          sleep_ms (500);
        }
      frame_take_before (&f, &last);
      if (rc == 0)
        rc = frame_read (e, &f, false, err);
      if (rc == 0)
        rc = print_frame (cli, &o, &f, err);
      frame_clear (&last);
      last = f;
      if (o.no_stream)
        break;
      sleep_ms (1000);
    }
  frame_clear (&last);
  return rc;
}

const struct hako_command hako_container_stats_commands[] = {
  { "container", "top", cmd_top, "CONTAINER [ps OPTIONS]", "show the processes of a container",
    .raw_args = true, .top_level = true },
  { "container", "stats", cmd_stats,
    "[-a] [--no-stream] [--no-trunc] [--format json|TEMPLATE] [CONTAINER...]",
    "show the resource usage of containers, live", .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};
