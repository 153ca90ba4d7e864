/* SPDX-License-Identifier: Apache-2.0 */
/* `hako system df`: what the store holds and what could be reclaimed. */
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "hako-cli.h"
#include "store/store.h"

#include <getopt.h>
#include <string.h>

static int
cmd_df (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "format", required_argument, NULL, 'f' },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "v", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case 'v':
        break;
      default:
        return cli_bad_option (err, "system df", argv);
      }
  struct store *s;
  struct store_usage u;
  if (cli_store (cli, &s, err) < 0 || store_usage (s, &u, err) < 0)
    return -1;
  struct store_image **list = NULL;
  size_t n = 0;
  if (store_image_list (s, &list, &n, err) < 0)
    return -1;
  /* Active: images some container rootfs uses; their layers cannot go. */
  uint64_t active = 0, active_bytes = 0;
  for (size_t i = 0; i < n; i++)
    {
      char **users = NULL;
      if (store_image_users (s, list[i]->id, &users, err) < 0)
        {
          store_image_list_free (list, n);
          return -1;
        }
      if (users[0] != NULL)
        {
          active++;
          active_bytes += list[i]->size;
        }
      for (char **p = users; *p; p++)
        free (*p);
      free (users);
    }
  store_image_list_free (list, n);
  uint64_t total = u.layer_bytes + u.blob_bytes;
  uint64_t reclaimable = total > active_bytes ? total - active_bytes : 0;
  _cleanup_json_ json_t *rows = json_pack (
      "[{s:s, s:I, s:I, s:I, s:I, s:I, s:I}, {s:s, s:I, s:I, s:I, s:I}]", "Type", "Images",
      "TotalCount", (json_int_t)u.images, "Active", (json_int_t)active, "Size", (json_int_t)total,
      "Reclaimable", (json_int_t)reclaimable, "LayersSize", (json_int_t)u.layer_bytes, "BlobsSize",
      (json_int_t)u.blob_bytes, "Type", "Containers", "TotalCount", (json_int_t)u.rootfs, "Active",
      (json_int_t)u.rootfs, "Size", (json_int_t)0, "Reclaimable", (json_int_t)0);
  if (format != NULL)
    {
      size_t i;
      json_t *row;
      json_array_foreach (rows, i, row)
      {
        _cleanup_free_ char *line
            = cli_format_template (strcmp (format, "json") == 0 ? "{{json .}}" : format, row, err);
        if (line == NULL)
          return -1;
        printf ("%s\n", line);
      }
      return 0;
    }
  static const char *const headers[] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE", NULL };
  struct cli_table *t = cli_table_new (headers);
  size_t i;
  json_t *row;
  json_array_foreach (rows, i, row)
  {
    char count[32], act[32];
    snprintf (count, sizeof count, "%lld",
              (long long)json_integer_value (json_object_get (row, "TotalCount")));
    snprintf (act, sizeof act, "%lld",
              (long long)json_integer_value (json_object_get (row, "Active")));
    uint64_t size = (uint64_t)json_integer_value (json_object_get (row, "Size"));
    uint64_t recl = (uint64_t)json_integer_value (json_object_get (row, "Reclaimable"));
    _cleanup_free_ char *size_text = cli_human_size (size);
    _cleanup_free_ char *recl_text = cli_human_size (recl);
    _cleanup_free_ char *recl_cell
        = size ? xasprintf ("%s (%d%%)", recl_text, (int)(100.0 * (double)recl / (double)size))
               : xstrdup (recl_text);
    const char *cells[] = {
      json_string_value (json_object_get (row, "Type")), count, act, size_text, recl_cell, NULL
    };
    cli_table_add (t, cells);
  }
  cli_table_print (t, stdout);
  cli_table_free (t);
  return 0;
}

const struct hako_command hako_system_commands[] = {
  { "system", "df", cmd_df, "[--format FORMAT]", "show the disk space images use", false },
  { NULL, NULL, NULL, NULL, NULL, false },
};
