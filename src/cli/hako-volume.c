/* SPDX-License-Identifier: Apache-2.0 */
/* hako volume create / ls / inspect / rm / prune */
#include "engine/engine.h"
#include "engine/volume.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static json_t *
volume_json (const struct volume *v)
{
  return json_pack ("{s:s, s:s, s:s, s:s, s:O, s:s, s:{}}", "Name", v->name, "Driver", "local",
                    "Mountpoint", v->mountpoint, "CreatedAt", v->created, "Labels", v->labels,
                    "Scope", "local", "Options");
}

static int
cmd_volume_create (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "label", required_argument, NULL, 'l' },
                                           { "driver", required_argument, NULL, 'd' },
                                           { NULL, 0, NULL, 0 } };
  _cleanup_json_ json_t *labels = json_object ();
  int c;
  while ((c = getopt_long (argc, argv, "l:d:", options, NULL)) != -1)
    switch (c)
      {
      case 'l':
        {
          const char *eq = strchr (optarg, '=');
          _cleanup_free_ char *k = eq ? xstrndup (optarg, (size_t)(eq - optarg)) : xstrdup (optarg);
          json_object_set_new (labels, k, json_string (eq ? eq + 1 : ""));
          break;
        }
      case 'd':
        if (strcmp (optarg, "local") != 0)
          return hk_error_set (err, ENOTSUP, "--driver: only local volumes are supported");
        break;
      default:
        return cli_bad_option (err, "volume create", argv);
      }
  if (argc - optind > 1)
    return cli_usage (err, "volume create", "[--label K=V] [NAME]", "too many arguments");
  struct engine *e;
  struct volume *v = NULL;
  if (cli_engine (cli, &e, err) < 0
      || volume_create (e->db, e->root, optind < argc ? argv[optind] : NULL, labels, &v, err) < 0)
    return -1;
  printf ("%s\n", v->name);
  volume_free (v);
  return 0;
}

static int
cmd_volume_ls (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "quiet", no_argument, NULL, 'q' },
                                           { "format", required_argument, NULL, 'F' },
                                           { NULL, 0, NULL, 0 } };
  bool quiet = false;
  const char *format = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "q", options, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'F':
        format = optarg;
        break;
      default:
        return cli_bad_option (err, "volume ls", argv);
      }
  struct engine *e;
  struct volume **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || volume_list (e->db, e->root, &list, &n, err) < 0)
    return -1;
  static const char *const headers[] = { "DRIVER", "VOLUME NAME", NULL };
  struct cli_table *table = quiet || format ? NULL : cli_table_new (headers);
  int rc = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (quiet)
        printf ("%s\n", list[i]->name);
      else if (format)
        {
          /* Docker's `--format json`: an object per line. */
          _cleanup_json_ json_t *row = volume_json (list[i]);
          _cleanup_free_ char *line = cli_format_template (
              strcmp (format, "json") == 0 ? "{{json .}}" : format, row, err);
          if (line == NULL)
            {
              rc = -1;
              break;
            }
          printf ("%s\n", line);
        }
      else
        {
          const char *cells[] = { "local", list[i]->name, NULL };
          cli_table_add (table, cells);
        }
    }
  if (table)
    {
      cli_table_print (table, stdout);
      cli_table_free (table);
    }
  volume_list_free (list, n);
  return rc;
}

static int
cmd_volume_inspect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *format;
  if (cli_inspect_options (argc, argv, "volume inspect", "[-f FORMAT] NAME...",
                           "missing volume name", &format, err)
      < 0)
    return -1;
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_json_ json_t *all = json_array ();
  for (int i = optind; i < argc; i++)
    {
      struct volume *v = NULL;
      if (volume_get (e->db, e->root, argv[i], &v, err) < 0)
        return -1;
      json_array_append_new (all, volume_json (v));
      volume_free (v);
    }
  return cli_print_inspect (all, format, err);
}

static int
cmd_volume_rm (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    if (c != 'f')
      return cli_bad_option (err, "volume rm", argv);
  if (optind >= argc)
    return cli_usage (err, "volume rm", "[-f] NAME...", "missing volume name");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  for (int i = optind; i < argc; i++)
    {
      if (volume_remove (e->db, e->root, argv[i], err) < 0)
        return -1;
      printf ("%s\n", argv[i]);
    }
  return 0;
}

static void
print_name (const char *name, void *data)
{
  printf ("%s\n", name);
}

static int
cmd_volume_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "all", no_argument, NULL, 'a' },
                                           { "force", no_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool all = false;
  int c;
  while ((c = getopt_long (argc, argv, "af", options, NULL)) != -1)
    {
      if (c == 'a')
        all = true;
      else if (c != 'f')
        return cli_bad_option (err, "volume prune", argv);
    }
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  uint64_t bytes;
  printf ("Deleted Volumes:\n");
  if (volume_prune (e->db, e->root, all, print_name, NULL, &bytes, err) < 0)
    return -1;
  _cleanup_free_ char *freed = cli_human_size (bytes);
  printf ("\nTotal reclaimed space: %s\n", freed);
  return 0;
}

const struct hako_command hako_volume_commands[] = {
  { "volume", "create", cmd_volume_create, "[--label K=V] [NAME]", "create a volume" },
  { "volume", "ls", cmd_volume_ls, "[-q] [--format FORMAT]", "list volumes" },
  { "volume", "inspect", cmd_volume_inspect, "[-f FORMAT] NAME...", "show volumes in detail" },
  { "volume", "rm", cmd_volume_rm, "[-f] NAME...", "remove volumes" },
  { "volume", "prune", cmd_volume_prune, "[-a] [-f]", "remove unused volumes" },
  { NULL, NULL, NULL, NULL, NULL },
};
