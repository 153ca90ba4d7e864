/* SPDX-License-Identifier: Apache-2.0 */
/* hako compose [-f FILE]... [-p NAME] [--profile P]... [--env-file F]
 * [--project-directory D] COMMAND: the global options, then the
 * command's own.  Errors exit 1, as Docker Compose's do. */
#include "cli-help.h"
#include "hako-compose.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "compose/compose.h"
#include "compose/compose-engine.h"
#include "engine/engine-context.h"
#include "yaml/yaml.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int
load (struct compose_cli *c, struct compose_project **out, struct hk_error **err)
{
  return compose_project_load (&c->options, &c->cli->log, out, err);
}

int
compose_cli_load (struct compose_cli *c, struct compose_project **p, struct engine **e,
                  struct hk_error **err)
{
  if (load (c, p, err) < 0 || cli_engine (c->cli, e, err) < 0)
    return -1;
  (*p)->files_dir = xasprintf ("%s/compose/%s", (*e)->root, (*p)->name);
  return 0;
}

int
compose_cli_services (const struct compose_project *p, int argc, char **argv, char ***out,
                      struct hk_error **err)
{
  _cleanup_strv_ char **services = NULL;
  json_t *all = json_object_get (p->model, "services");
  for (int i = optind; i < argc; i++)
    {
      if (json_object_get (all, argv[i]) == NULL)
        return hk_error_set (err, ENOENT, "no such service: %s", argv[i]);
      strv_append (&services, argv[i]);
    }
  *out = take_ptr (services);
  return 0;
}

int
compose_cli_containers (struct compose_cli *c, int argc, char **argv,
                        struct compose_project **p, struct engine **e,
                        struct ctr_record ***list, size_t *n, struct hk_error **err)
{
  _cleanup_strv_ char **services = NULL;
  return compose_cli_load (c, p, e, err) < 0
                 || compose_cli_services (*p, argc, argv, &services, err) < 0
                 || compose_containers (*e, (*p)->name, services, false, list, n, err) < 0
             ? -1
             : 0;
}

/* ---- config ---- */

/* V with every mapping's keys in order, as Docker Compose prints them. */
static json_t *
sorted (json_t *v)
{
  if (json_is_array (v))
    {
      json_t *a = json_array ();
      size_t i;
      json_t *item;
      json_array_foreach (v, i, item)
      {
        json_array_append_new (a, sorted (item));
      }
      return a;
    }
  if (!json_is_object (v))
    return json_incref (v);
  size_t n = json_object_size (v);
  const char **keys = xzalloc ((n + 1) * sizeof *keys);
  size_t k = 0;
  const char *key;
  json_t *item;
  json_object_foreach (v, key, item)
  {
    keys[k++] = key;
  }
  strv_sort ((char **)keys);
  json_t *o = json_object ();
  for (size_t i = 0; i < n; i++)
    json_object_set_new (o, keys[i], sorted (json_object_get (v, keys[i])));
  free (keys);
  return o;
}

static void
print_keys (json_t *obj)
{
  const char *key;
  json_t *v;
  json_object_foreach (obj, key, v)
  {
    printf ("%s\n", key);
  }
}

static const char config_usage[] = "[-q] [--services] [--volumes] [--format yaml|json]";

static int
cmd_config (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "quiet", no_argument, NULL, 'q' },
                                           { "services", no_argument, NULL, 's' },
                                           { "volumes", no_argument, NULL, 'v' },
                                           { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool quiet = false, services = false, volumes = false, json = false;
  int opt;
  while ((opt = getopt_long (argc, argv, "q", options, NULL)) != -1)
    switch (opt)
      {
      case 'q':
        quiet = true;
        break;
      case 's':
        services = true;
        break;
      case 'v':
        volumes = true;
        break;
      case 'f':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "yaml") != 0)
          return hk_error_set (err, EINVAL, "--format: \"%s\" is not yaml or json", optarg);
        json = strcmp (optarg, "json") == 0;
        break;
      default:
        return cli_bad_option (err, "compose config", argv);
      }
  if (optind < argc)
    return cli_usage (err, "compose config", config_usage, "no operands");
  _cleanup_compose_project_ struct compose_project *p = NULL;
  if (load (c, &p, err) < 0)
    return -1;
  _cleanup_json_ json_t *model = sorted (p->model);
  if (quiet)
    return 0;
  if (services || volumes)
    {
      if (services)
        print_keys (json_object_get (model, "services"));
      if (volumes)
        print_keys (json_object_get (model, "volumes"));
      return 0;
    }
  if (json)
    {
      _cleanup_free_ char *text = json_to_string (model, true);
      fputs (text, stdout);
      return 0;
    }
  return yaml_write (stdout, &model, 1, err);
}

static int
cmd_version (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  if (argc > 1)
    return cli_usage (err, "compose version", "", "no operands");
  printf ("hako compose version %s\n", HAKO_VERSION);
  return 0;
}

static const struct compose_command own_commands[] = {
  { "config", cmd_config, config_usage, "print the normalised, interpolated model" },
  { "version", cmd_version, "", "print hako compose's version" },
  { NULL, NULL, NULL, NULL },
};

static const struct compose_command *const command_tables[] = {
  compose_life_commands, compose_exec_commands, compose_logs_commands, compose_info_commands,
  own_commands,          NULL,
};

static const struct compose_command *
find_command (const char *name)
{
  for (const struct compose_command *const *t = command_tables; *t; t++)
    for (const struct compose_command *cmd = *t; cmd->name; cmd++)
      if (strcmp (cmd->name, name) == 0)
        return cmd;
  return NULL;
}

static const char compose_usage[]
    = "[-f FILE]... [-p NAME] [--profile P]... [--env-file F] [--project-directory D] "
      "COMMAND [ARGS...]";

/* What a command line without a command gets on standard error: the
 * commands of the tables (cli-docs.bats checks that hako-compose.txt lists
 * the same). */
static void
print_help (FILE *out)
{
  fprintf (out, "usage: hako compose %s\n\nCommands:\n", compose_usage);
  for (const struct compose_command *const *t = command_tables; *t; t++)
    for (const struct compose_command *cmd = *t; cmd->name; cmd++)
      fprintf (out, "  %-10s %s\n", cmd->name, cmd->summary);
}

static int
compose_main (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "file", required_argument, NULL, 'f' },
                                           { "project-name", required_argument, NULL, 'p' },
                                           { "profile", required_argument, NULL, 'P' },
                                           { "env-file", required_argument, NULL, 'e' },
                                           { "project-directory", required_argument, NULL, 'd' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  _cleanup_strv_ char **files = NULL, **profiles = NULL, **env_files = NULL;
  struct compose_cli c = { .cli = cli, .options = { .environ = environ } };
  int opt;
  while ((opt = getopt_long (argc, argv, "+f:p:h", options, NULL)) != -1)
    switch (opt)
      {
      case 'f':
        strv_append (&files, optarg);
        break;
      case 'p':
        c.options.project_name = optarg;
        break;
      case 'P':
        strv_append (&profiles, optarg);
        break;
      case 'e':
        strv_append (&env_files, optarg);
        break;
      case 'd':
        c.options.project_dir = optarg;
        break;
      case 'h':
        cli_print_help ("compose"); /* docs/man/hako-compose.txt */
        return 0;
      default:
        return cli_bad_option (err, "compose", argv);
      }
  c.options.files = files;
  c.options.profiles = profiles;
  c.options.env_files = env_files;
  if (optind >= argc)
    {
      print_help (stderr);
      return hk_error_set (err, EINVAL, "`hako compose` needs a command");
    }
  const char *name = argv[optind];
  const struct compose_command *cmd = find_command (name);
  if (cmd == NULL)
    return hk_error_set (err, EINVAL, "unknown command `hako compose %s` (see `hako compose "
                         "--help`)", name);
  _cleanup_free_ char *full = xasprintf ("compose %s", name);
  if (cli_wants_help (argc - optind, argv + optind, full, cmd->usage, cmd->summary))
    return 0;
  int sub_argc = argc - optind;
  char **sub_argv = argv + optind;
  optind = 0;
  return cmd->fn (&c, sub_argc, sub_argv, err);
}

static int
cmd_compose (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct hk_error *e = NULL;
  int rc = compose_main (cli, argc, argv, &e);
  if (rc >= 0)
    return rc;
  fprintf (stderr, "Error: %s\n", e ? e->message : "unknown error");
  hk_error_free (e);
  return 1;
}

const struct hako_command hako_compose_commands[] = {
  { NULL, "compose", cmd_compose, compose_usage,
    "run multi-container applications from compose files", .raw_args = true },
  { NULL, NULL, NULL, NULL, NULL },
};
