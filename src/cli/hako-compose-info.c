/* SPDX-License-Identifier: Apache-2.0 */
/* hako compose ps, top, port, images, ls: what the project's containers
 * are, run and publish. */
#include "hako-compose.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "compose/compose-container.h"
#include "compose/compose-engine.h"
#include "engine/ctr-config-parse.h"
#include "engine/ctr-network.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* ---- ps ---- */

static json_t *
ps_row (struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *command = cli_container_command (r);
  _cleanup_free_ char *status = cli_container_status (e, r);
  _cleanup_free_ char *ports = cli_container_ports (e, r);
  _cleanup_json_ json_t *health = engine_health (e, r);
  const char *h = json_string_value (json_object_get (health, "Status"));
  return json_pack ("{ss ss ss ss ss ss ss ss ss ss si}", "ID", r->id, "Name", r->name, "Image",
                    r->image_name, "Command", command, "Project",
                    config_map_get (&r->config.labels, COMPOSE_LABEL_PROJECT), "Service",
                    config_map_get (&r->config.labels, COMPOSE_LABEL_SERVICE), "State", r->state,
                    "Status", status, "Health", h ? h : "", "Publishers", ports, "ExitCode",
                    r->exit_code);
}

static const char ps_usage[] = "[-a] [-q] [--services] [--format table|json] [SERVICE...]";

static int
cmd_ps (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "all", no_argument, NULL, 'a' },
                                           { "quiet", no_argument, NULL, 'q' },
                                           { "services", no_argument, NULL, 's' },
                                           { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool all = false, quiet = false, services_only = false, json = false;
  int opt;
  while ((opt = getopt_long (argc, argv, "aq", options, NULL)) != -1)
    switch (opt)
      {
      case 'a':
        all = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 's':
        services_only = true;
        break;
      case 'f':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "table") != 0)
          return hk_error_set (err, EINVAL, "--format: \"%s\" is not table or json", optarg);
        json = strcmp (optarg, "json") == 0;
        break;
      default:
        return cli_bad_option (err, "compose ps", argv);
      }
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (compose_cli_containers (c, argc, argv, &p, &e, &list, &n, err) < 0)
    return -1;
  _cleanup_json_ json_t *rows = json_array ();
  _cleanup_strv_ char **seen = NULL;
  static const char *const headers[] = { "NAME", "IMAGE", "COMMAND", "SERVICE", "STATUS", "PORTS", NULL };
  struct cli_table *t = cli_table_new (headers);
  for (size_t i = 0; i < n; i++)
    {
      const struct ctr_record *r = list[i];
      if (!all && strcmp (r->state, "running") != 0 && strcmp (r->state, "paused") != 0)
        continue;
      const char *svc = config_map_get (&r->config.labels, COMPOSE_LABEL_SERVICE);
      if (services_only)
        {
          if (!strv_contains (seen, svc))
            printf ("%s\n", svc);
          strv_append (&seen, svc);
          continue;
        }
      if (quiet)
        {
          printf ("%s\n", r->id);
          continue;
        }
      json_t *row = ps_row (e, r);
      json_array_append_new (rows, row);
      _cleanup_free_ char *command = xasprintf ("\"%s\"", json_string_value (json_object_get (row, "Command")));
      const char *cells[] = { r->name, r->image_name, command, svc,
                              json_string_value (json_object_get (row, "Status")),
                              json_string_value (json_object_get (row, "Publishers")), NULL };
      cli_table_add (t, cells);
    }
  if (!quiet && !services_only)
    {
      if (json)
        {
          _cleanup_free_ char *text = json_dumps (rows, JSON_COMPACT);
          printf ("%s\n", text);
        }
      else
        cli_table_print (t, stdout);
    }
  cli_table_free (t);
  ctr_record_list_free (list, n);
  return 0;
}

/* ---- top, port ---- */

static int
cmd_top (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  if (getopt (argc, argv, "") == '?')
    return cli_bad_option (err, "compose top", argv);
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (compose_cli_containers (c, argc, argv, &p, &e, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      if (strcmp (list[i]->state, "running") != 0)
        continue;
      _cleanup_free_ char *text = NULL;
      if ((rc = engine_top (e, list[i], NULL, &text, err)) == 0)
        printf ("%s\n%s\n", list[i]->name, text);
    }
  ctr_record_list_free (list, n);
  return rc;
}

static const char port_usage[] = "[--protocol tcp|udp] [--index N] SERVICE PRIVATE_PORT";

static int
cmd_port (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "protocol", required_argument, NULL, 'p' },
                                           { "index", required_argument, NULL, 'i' },
                                           { NULL, 0, NULL, 0 } };
  const char *protocol = "tcp";
  long long index = 1, port;
  int opt;
  while ((opt = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (opt)
      {
      case 'p':
        protocol = optarg;
        break;
      case 'i':
        if (config_parse_int (optarg, "--index", 1, COMPOSE_MAX_REPLICAS, &index, err) < 0)
          return -1;
        break;
      default:
        return cli_bad_option (err, "compose port", argv);
      }
  if (argc - optind != 2)
    return cli_usage (err, "compose port", port_usage, "a service and a port");
  if (config_parse_int (argv[optind + 1], "PRIVATE_PORT", 1, 65535, &port, err) < 0)
    return -1;
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0)
    return -1;
  json_t *svc = json_object_get (json_object_get (p->model, "services"), argv[optind]);
  if (svc == NULL)
    return hk_error_set (err, ENOENT, "no such service: %s", argv[optind]);
  _cleanup_free_ char *name = compose_container_name (p, argv[optind], svc, (int)index);
  _cleanup_record_ struct ctr_record *r = NULL;
  if (engine_find (e, name, &r, err) < 0)
    return -1;
  _cleanup_json_ json_t *ports = ctr_network_ports (e, r);
  size_t i;
  json_t *entry;
  json_array_foreach (ports, i, entry)
  {
    if (json_integer_value (json_object_get (entry, "ContainerPort")) != port
        || strcmp (json_string_value (json_object_get (entry, "Protocol")), protocol) != 0)
      continue;
    const char *ip = json_string_value (json_object_get (entry, "HostIp"));
    printf ("%s:%lld\n", ip && *ip ? ip : "0.0.0.0",
            (long long)json_integer_value (json_object_get (entry, "HostPort")));
    return 0;
  }
  return hk_error_set (err, ENOENT, "no port %lld/%s published by %s", port, protocol, name);
}

/* ---- images, ls ---- */

static int
cmd_images (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  if (getopt (argc, argv, "") == '?')
    return cli_bad_option (err, "compose images", argv);
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (compose_cli_containers (c, argc, argv, &p, &e, &list, &n, err) < 0)
    return -1;
  static const char *const headers[] = { "CONTAINER", "IMAGE", "IMAGE ID", NULL };
  struct cli_table *t = cli_table_new (headers);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *id = cli_short_id (list[i]->image_id);
      const char *cells[] = { list[i]->name, list[i]->image_name, id, NULL };
      cli_table_add (t, cells);
    }
  cli_table_print (t, stdout);
  cli_table_free (t);
  ctr_record_list_free (list, n);
  return 0;
}

/* ls: the projects that have containers, from their labels. */
static int
cmd_ls (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "all", no_argument, NULL, 'a' },
                                           { "quiet", no_argument, NULL, 'q' },
                                           { NULL, 0, NULL, 0 } };
  bool all = false, quiet = false;
  int opt;
  while ((opt = getopt_long (argc, argv, "aq", options, NULL)) != -1)
    switch (opt)
      {
      case 'a':
        all = true;
        break;
      case 'q':
        quiet = true;
        break;
      default:
        return cli_bad_option (err, "compose ls", argv);
      }
  struct engine *e;
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (cli_engine (c->cli, &e, err) < 0 || ctr_record_list (e->db, &list, &n, err) < 0)
    return -1;
  _cleanup_json_ json_t *projects = json_object (); /* name -> [running, total, files] */
  for (size_t i = 0; i < n; i++)
    {
      const char *name = config_map_get (&list[i]->config.labels, COMPOSE_LABEL_PROJECT);
      if (name == NULL)
        continue;
      struct hk_error *why = NULL;
      if (engine_refresh (e, list[i], &why) < 0)
        hk_error_free (why);
      json_t *row = json_object_get (projects, name);
      if (row == NULL)
        {
          const char *files = config_map_get (&list[i]->config.labels, COMPOSE_LABEL_CONFIG_FILES);
          row = json_pack ("[iis]", 0, 0, files ? files : "");
          json_object_set_new (projects, name, row);
        }
      bool running = strcmp (list[i]->state, "running") == 0;
      json_array_set_new (row, 0, json_integer (json_integer_value (json_array_get (row, 0)) + running));
      json_array_set_new (row, 1, json_integer (json_integer_value (json_array_get (row, 1)) + 1));
    }
  ctr_record_list_free (list, n);
  static const char *const headers[] = { "NAME", "STATUS", "CONFIG FILES", NULL };
  struct cli_table *t = cli_table_new (headers);
  const char *name;
  json_t *row;
  json_object_foreach (projects, name, row)
  {
    json_int_t up = json_integer_value (json_array_get (row, 0));
    json_int_t total = json_integer_value (json_array_get (row, 1));
    if (!all && up == 0)
      continue;
    if (quiet)
      {
        printf ("%s\n", name);
        continue;
      }
    _cleanup_free_ char *status = up == total ? xasprintf ("running(%lld)", (long long)up)
                                              : xasprintf ("running(%lld), exited(%lld)",
                                                           (long long)up, (long long)(total - up));
    const char *cells[] = { name, status, json_string_value (json_array_get (row, 2)), NULL };
    cli_table_add (t, cells);
  }
  if (!quiet)
    cli_table_print (t, stdout);
  cli_table_free (t);
  return 0;
}

const struct compose_command compose_info_commands[] = {
  { "ps", cmd_ps, ps_usage, "list the project's containers" },
  { "top", cmd_top, "[SERVICE...]", "show the processes of the services' containers" },
  { "port", cmd_port, port_usage, "show the host address of a published port" },
  { "images", cmd_images, "[SERVICE...]", "list the images of the project's containers" },
  { "ls", cmd_ls, "[-a] [-q]", "list the compose projects" },
  { NULL, NULL, NULL, NULL },
};
