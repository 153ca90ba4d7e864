/* SPDX-License-Identifier: Apache-2.0 */
/* hako pause / unpause / rename / update */
#include "engine/engine.h"
#include "hako-cli.h"
#include "hako-run-options.h"
#include "common/cleanup.h"
#include "common/json-util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

static int
no_options (int argc, char **argv, const char *command, const char *usage, struct hk_error **err)
{
  static const struct option none[] = { { NULL, 0, NULL, 0 } };
  if (getopt_long (argc, argv, "", none, NULL) != -1)
    return cli_bad_option (err, command, argv);
  return 0;
}

static int
pause_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  return engine_pause (e, r, *(bool *)data, err);
}

static int
cmd_pause (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool pause = true;
  if (no_options (argc, argv, "pause", "CONTAINER...", err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "pause", "CONTAINER...", pause_one, &pause, true,
                             err);
}

static int
cmd_unpause (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool pause = false;
  if (no_options (argc, argv, "unpause", "CONTAINER...", err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "unpause", "CONTAINER...", pause_one, &pause, true,
                             err);
}

static int
cmd_rename (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "CONTAINER NEW_NAME";
  if (no_options (argc, argv, "rename", usage, err) < 0)
    return -1;
  if (argc - optind != 2)
    return cli_usage (err, "rename", usage, "expected a container and its new name");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0)
    return -1;
  return engine_rename (e, r, argv[optind + 1], err);
}

static int
update_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  return engine_update (e, r, data, err);
}

static int
cmd_update (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  _cleanup_ctr_config_ struct ctr_config changes;
  ctr_config_init (&changes);
  if (run_options_parse_update (argc, argv, &changes, err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "update", update_options_usage, update_one, &changes,
                             true, err);
}

const struct hako_command hako_container_control_commands[] = {
  { "container", "pause", cmd_pause, "CONTAINER...", "pause every process of containers",
    .top_level = true },
  { "container", "unpause", cmd_unpause, "CONTAINER...", "resume paused containers",
    .top_level = true },
  { "container", "rename", cmd_rename, "CONTAINER NEW_NAME", "rename a container",
    .top_level = true },
  { "container", "update", cmd_update, update_options_usage,
    "change the resource limits or restart policy of containers", .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};
