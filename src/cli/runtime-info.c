/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime state / list / features / spec */
#include "runtime-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "runtime/feature-list.h"
#include "runtime/spec-default.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
print_json (const json_t *j, struct hk_error **err)
{
  _cleanup_free_ char *text = json_to_string (j, true);
  return cli_print (text, err);
}

int
verb_state (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { NULL, 0, NULL, 0 } };
  if (getopt_long (argc, argv, "", options, NULL) != -1)
    return cli_bad_runtime_option (err, "state", argv);
  const char *id;
  _cleanup_json_ json_t *state = NULL;
  if (cli_one_id (argc, argv, "state", "ID", &id, err) < 0
      || container_state (&cli->rt, id, &state, err) < 0)
    return -1;
  return print_json (state, err);
}

static int
print_table (json_t *list, bool quiet, struct hk_error **err)
{
  size_t i;
  json_t *item;
  if (!quiet && cli_print ("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n", err) < 0)
    return -1;
  json_array_foreach (list, i, item)
  {
    const char *id = "", *status = "", *bundle = "", *created = "", *owner = "";
    int pid = 0;
    json_unpack (item, "{s:s, s:i, s:s, s:s, s:s, s:s}", "id", &id, "pid", &pid, "status", &status,
                 "bundle", &bundle, "created", &created, "owner", &owner);
    _cleanup_free_ char *line = quiet ? xasprintf ("%s\n", id)
                                      : xasprintf ("%-11s %-11d %-11s %-11s %-11s %s\n", id, pid,
                                                   status, bundle, created, owner);
    if (cli_print (line, err) < 0)
      return -1;
  }
  return 0;
}

int
verb_list (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--format table|json] [--quiet]";
  static const struct option options[] = { { "format", required_argument, NULL, 'f' },
                                           { "quiet", no_argument, NULL, 'q' },
                                           { NULL, 0, NULL, 0 } };
  bool json = false, quiet = false;
  int c;
  while ((c = getopt_long (argc, argv, "f:q", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (strcmp (optarg, "json") == 0)
          json = true;
        else if (strcmp (optarg, "table") != 0)
          return cli_usage_error (err, "list", usage, "--format: not table or json");
        break;
      case 'q':
        quiet = true;
        break;
      default:
        return cli_bad_runtime_option (err, "list", argv);
      }
  if (optind < argc)
    return cli_usage_error (err, "list", usage, "too many arguments");
  _cleanup_json_ json_t *list = NULL;
  if (container_list (&cli->rt, &list, err) < 0)
    return -1;
  return json ? print_json (list, err) : print_table (list, quiet, err);
}

int
verb_features (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  (void) cli;
  if (argc > 1)
    return cli_usage_error (err, "features", "", "too many arguments");
  (void) argv;
  _cleanup_json_ json_t *doc = features_document ();
  return print_json (doc, err);
}

int
verb_spec (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--bundle DIR] [--rootless]";
  static const struct option options[] = { { "bundle", required_argument, NULL, 'b' },
                                           { "rootless", no_argument, NULL, 'r' },
                                           { NULL, 0, NULL, 0 } };
  const char *bundle = ".";
  bool rootless = false;
  int c;
  (void) cli;
  while ((c = getopt_long (argc, argv, "b:", options, NULL)) != -1)
    switch (c)
      {
      case 'b':
        bundle = optarg;
        break;
      case 'r':
        rootless = true;
        break;
      default:
        return cli_bad_runtime_option (err, "spec", argv);
      }
  if (optind < argc)
    return cli_usage_error (err, "spec", usage, "too many arguments");
  _cleanup_close_ int dfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "--bundle `%s`", bundle);
  if (faccessat (dfd, "config.json", F_OK, 0) == 0)
    return hk_error_set (err, EEXIST, "`%s/config.json` exists: remove it first", bundle);
  _cleanup_json_ json_t *spec = spec_default (rootless, getuid (), getgid ());
  _cleanup_free_ char *text = json_to_string (spec, true);
  return fs_write_atomic (dfd, "config.json", text, strlen (text), 0644, err);
}
