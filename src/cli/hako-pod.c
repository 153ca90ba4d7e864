/* SPDX-License-Identifier: Apache-2.0 */
/* hako pod create / ls / inspect / start / stop / restart / kill / pause /
 * unpause / rm / prune / top / stats / logs / exists. */
#include "engine/ctr-config-json.h"
#include "engine/ctr-config-parse.h"
#include "engine/ctr-network.h"
#include "engine/engine.h"
#include "engine/pod.h"
#include "cli-bool.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/signals.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
cleanup_ctr_listp (struct ctr_record ***list)
{
  if (*list == NULL)
    return;
  for (struct ctr_record **r = *list; *r; r++)
    ctr_record_free (*r);
  free (*list);
}
#define _cleanup_ctr_list_ __attribute__ ((cleanup (cleanup_ctr_listp)))

/* ---- create ---- */

static const char create_usage[]
    = "[--name NAME] [-p [IP:][HOST:]PORT[/PROTO]] [--network NAME] [--share net,ipc,uts[,pid]]\n"
      "  [--hostname NAME] [-l K=V] [--infra=true|false] [--cgroup-parent PATH] [--add-host "
      "NAME:IP]\n"
      "  [--dns IP] [-m BYTES] [--cpus N]";

enum
{
  OPT_NAME = 1000,
  OPT_NETWORK,
  OPT_SHARE,
  OPT_HOSTNAME,
  OPT_INFRA,
  OPT_CGROUP_PARENT,
  OPT_ADD_HOST,
  OPT_DNS,
  OPT_CPUS,
};

static int
create_option (int c, const char *arg, struct pod_create_request *req, struct hk_error **err)
{
  struct pod_config *p = &req->config;
  struct ctr_config *infra = &req->infra;
  int64_t bytes;
  switch (c)
    {
    case OPT_NAME:
      req->name = arg;
      return ctr_record_check_name (arg, err) < 0 ? hk_error_prefix (err, "--name") : 0;
    case 'p':
      return config_parse_publish (infra, arg, err);
    case OPT_NETWORK:
      return config_parse_network (infra, arg, err);
    case OPT_SHARE:
      return config_parse_pod_share (arg, &p->share, err);
    case OPT_HOSTNAME:
      free (p->hostname);
      p->hostname = xstrdup (arg);
      return 0;
    case 'l':
      return config_parse_key_value (&p->labels, arg, "--label", true, err);
    case OPT_INFRA:
      return cli_bool (arg, "--infra", &p->infra, err);
    case OPT_CGROUP_PARENT:
      if (arg[0] == '\0' || strstr (arg, "..") != NULL)
        return hk_error_set (err, EINVAL, "--cgroup-parent: \"%s\" is not a cgroup path", arg);
      free (p->cgroup_parent);
      p->cgroup_parent = xstrdup (arg);
      return 0;
    case OPT_ADD_HOST:
      if (strchr (arg, ':') == NULL)
        return hk_error_set (err, EINVAL, "--add-host: \"%s\" is not NAME:IP", arg);
      strv_append (&infra->extra_hosts, arg);
      return 0;
    case OPT_DNS:
      strv_append (&infra->dns, arg);
      return 0;
    case 'm':
      if (config_parse_memory (arg, "--memory", false, &bytes, err) < 0)
        return -1;
      p->limits.memory = bytes;
      p->limits.set |= CONFIG_LIMIT_MEMORY;
      return 0;
    case OPT_CPUS:
      {
        _cleanup_ctr_config_ struct ctr_config cpus;
        ctr_config_init (&cpus);
        if (config_parse_cpus (&cpus, arg, err) < 0)
          return -1;
        p->limits.nano_cpus = cpus.limits.nano_cpus;
        p->limits.set |= CONFIG_LIMIT_NANO_CPUS;
        return 0;
      }
    }
  return hk_error_set (err, EINVAL, "unknown option");
}

int
pod_options_parse (int argc, char **argv, struct pod_create_request *req, struct hk_error **err)
{
  static const struct option options[] = {
    { "name", required_argument, NULL, OPT_NAME },
    { "publish", required_argument, NULL, 'p' },
    { "network", required_argument, NULL, OPT_NETWORK },
    { "share", required_argument, NULL, OPT_SHARE },
    { "hostname", required_argument, NULL, OPT_HOSTNAME },
    { "label", required_argument, NULL, 'l' },
    { "infra", optional_argument, NULL, OPT_INFRA },
    { "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
    { "add-host", required_argument, NULL, OPT_ADD_HOST },
    { "dns", required_argument, NULL, OPT_DNS },
    { "memory", required_argument, NULL, 'm' },
    { "cpus", required_argument, NULL, OPT_CPUS },
    { NULL, 0, NULL, 0 },
  };
  int c;
  bool share_given = false;
  while ((c = getopt_long (argc, argv, "p:l:m:", options, NULL)) != -1)
    {
      if (c == '?')
        return cli_bad_option (err, "pod create", argv);
      if (create_option (c, optarg, req, err) < 0)
        return -1;
      share_given |= c == OPT_SHARE;
    }
  if (optind < argc)
    return cli_usage (err, "pod create", create_usage, "pod create takes no operand");
  /* As Podman: the default namespaces go with the infra container; only
   * a --share given with --infra=false is refused (pod.c). */
  if (!req->config.infra && !share_given)
    req->config.share = 0;
  return 0;
}

void
pod_request_init (struct pod_create_request *req)
{
  memset (req, 0, sizeof *req);
  pod_config_init (&req->config);
  ctr_config_init (&req->infra);
  req->config.infra = true;
  req->config.share = CONFIG_SHARE_NET | CONFIG_SHARE_IPC | CONFIG_SHARE_UTS;
}

void
pod_request_clear (struct pod_create_request *req)
{
  pod_config_clear (&req->config);
  ctr_config_clear (&req->infra);
}

static int
cmd_pod_create (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct pod_create_request req;
  pod_request_init (&req);
  struct engine *e;
  _cleanup_pod_record_ struct pod_record *p = NULL;
  int rc = pod_options_parse (argc, argv, &req, err);
  if (rc == 0)
    rc = cli_engine (cli, &e, err);
  if (rc == 0)
    rc = pod_create (e, &req, &p, err);
  pod_request_clear (&req);
  if (rc == 0)
    printf ("%s\n", p->id);
  return rc;
}

/* ---- ls and inspect ---- */

static json_t *
pod_row (struct engine *e, const struct pod_record *p, bool no_trunc, char **status_out)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n = 0;
  struct hk_error *ignored = NULL;
  if (pod_containers (e, p, &list, &n, &ignored) < 0)
    hk_error_free (ignored);
  const char *status = pod_status (list, n);
  *status_out = xstrdup (status);
  _cleanup_free_ char *since = cli_human_since (cli_parse_time (p->created));
  _cleanup_free_ char *short_id = xstrndup (p->id, 12);
  _cleanup_free_ char *short_infra = xstrndup (p->infra_id, 12);
  json_t *names = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (names, json_string (list[i]->name));
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o}", "ID",
                    no_trunc ? p->id : short_id, "Name", p->name, "Status", status, "Created",
                    since, "CreatedAt", p->created, "InfraID", no_trunc ? p->infra_id : short_infra,
                    "NumberOfContainers", (int)n, "Labels", config_map_to_json (&p->config.labels),
                    "ContainerNames", names);
}

static bool
pod_matches (const struct pod_record *p, const char *status, char **filters)
{
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i], *eq = strchr (f, '=');
      const char *v = eq + 1;
      size_t klen = (size_t)(eq - f);
      bool ok;
      if (klen == 4 && strncmp (f, "name", 4) == 0)
        ok = strstr (p->name, v) != NULL;
      else if (klen == 2 && strncmp (f, "id", 2) == 0)
        ok = strncmp (p->id, v, strlen (v)) == 0;
      else if (klen == 6 && strncmp (f, "status", 6) == 0)
        ok = strcasecmp (status, v) == 0;
      else
        ok = config_map_matches (&p->config.labels, v);
      if (!ok)
        return false;
    }
  return true;
}

static int
check_filters (char **filters, struct hk_error **err)
{
  static const char *const keys[] = { "name", "id", "status", "label", NULL };
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      _cleanup_free_ char *key = eq ? xstrndup (filters[i], (size_t)(eq - filters[i])) : NULL;
      if (key == NULL || !strv_contains ((char *const *)keys, key))
        return hk_error_set (err, EINVAL,
                             "--filter: \"%s\" is not one of name=, id=, status=, label=",
                             filters[i]);
    }
  return 0;
}

struct ls_options
{
  bool quiet, no_trunc;
  const char *format;
  char **filters;
};

static int
print_pod_row (struct engine *e, const struct pod_record *p, const struct ls_options *o,
               struct cli_table *table, struct hk_error **err)
{
  _cleanup_free_ char *status = NULL;
  _cleanup_json_ json_t *row = pod_row (e, p, o->no_trunc, &status);
  if (!pod_matches (p, status, o->filters))
    return 0;
  const char *id = json_string_value (json_object_get (row, "ID"));
  if (o->quiet)
    printf ("%s\n", id);
  else if (o->format)
    {
      _cleanup_free_ char *line = cli_format_template (
          strcmp (o->format, "json") == 0 ? "{{json .}}" : o->format, row, err);
      if (line == NULL)
        return -1;
      printf ("%s\n", line);
    }
  else
    {
      _cleanup_free_ char *count = xasprintf (
          "%d", (int)json_integer_value (json_object_get (row, "NumberOfContainers")));
      const char *cells[] = { id,
                              p->name,
                              status,
                              json_string_value (json_object_get (row, "Created")),
                              json_string_value (json_object_get (row, "InfraID")),
                              count,
                              NULL };
      cli_table_add (table, cells);
    }
  return 0;
}

static int
cmd_pod_ls (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "quiet", no_argument, NULL, 'q' },    { "no-trunc", no_argument, NULL, 'T' },
          { "filter", required_argument, NULL, 'f' }, { "format", required_argument, NULL, 'F' },
          { NULL, 0, NULL, 0 } };
  static const char usage[] = "[-q] [--no-trunc] [--filter KEY=VALUE] [--format FORMAT]";
  struct ls_options o = { 0 };
  _cleanup_strv_ char **filters = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qf:", options, NULL)) != -1)
    switch (c)
      {
      case 'q':
        o.quiet = true;
        break;
      case 'T':
        o.no_trunc = true;
        break;
      case 'f':
        strv_append (&filters, optarg);
        break;
      case 'F':
        o.format = optarg;
        break;
      default:
        return cli_bad_option (err, "pod ls", argv);
      }
  o.filters = filters;
  if (optind < argc)
    return cli_usage (err, "pod ls", usage, "too many arguments");
  struct engine *e;
  struct pod_record **list = NULL;
  size_t n = 0;
  if (check_filters (filters, err) < 0 || cli_engine (cli, &e, err) < 0
      || pod_record_list (e->db, &list, &n, err) < 0)
    return -1;
  static const char *const headers[]
      = { "POD ID", "NAME", "STATUS", "CREATED", "INFRA ID", "# OF CONTAINERS", NULL };
  struct cli_table *table = (o.quiet || o.format) ? NULL : cli_table_new (headers);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = print_pod_row (e, list[i], &o, table, err);
  if (table)
    {
      if (rc == 0)
        cli_table_print (table, stdout);
      cli_table_free (table);
    }
  pod_record_list_free (list, n);
  return rc;
}

static json_t *
infra_json (struct engine *e, const struct pod_record *p, struct ctr_record *const *list,
            size_t n)
{
  if (n == 0 || !list[0]->config.pod_infra)
    return json_null ();
  const struct ctr_config *c = &list[0]->config;
  json_t *networks = json_array ();
  for (size_t i = 0; i < c->n_networks; i++)
    json_array_append_new (networks, json_string (c->networks[i].name));
  return json_pack ("{s:o, s:o, s:o, s:o, s:s}", "PortBindings", ctr_network_ports (e, list[0]),
                    "Networks", networks, "DNSServer", json_from_strv (c->dns), "HostAdd",
                    json_from_strv (c->extra_hosts), "HostName", c->hostname ? c->hostname : p->name);
}

static json_t *
pod_inspect_json (struct engine *e, const struct pod_record *p)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n = 0;
  struct hk_error *ignored = NULL;
  if (pod_containers (e, p, &list, &n, &ignored) < 0)
    hk_error_free (ignored);
  json_t *containers = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (containers, json_pack ("{s:s, s:s, s:s}", "Id", list[i]->id, "Name",
                                                  list[i]->name, "State", list[i]->state));
  _cleanup_strv_ char **share = config_pod_share_names (p->config.infra ? p->config.share : 0);
  _cleanup_free_ char *cgroup = pod_cgroup_path (p);
  json_t *doc = json_pack (
      "{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:s, s:i, s:o, s:o}", "Id", p->id, "Name",
      p->name, "Created", p->created, "State", pod_status (list, n), "Hostname",
      p->config.hostname ? p->config.hostname : p->name, "Labels",
      config_map_to_json (&p->config.labels), "CgroupPath", cgroup, "SharedNamespaces",
      json_from_strv (share), "InfraContainer", p->config.infra, "InfraContainerID", p->infra_id,
      "NumContainers", (int)n, "Containers", containers, "InfraConfig",
      infra_json (e, p, list, n));
  if (p->config.limits.set & CONFIG_LIMIT_MEMORY)
    json_object_set_new (doc, "MemoryLimit", json_integer (p->config.limits.memory));
  if (p->config.limits.set & CONFIG_LIMIT_NANO_CPUS)
    json_object_set_new (doc, "NanoCpus", json_integer (p->config.limits.nano_cpus));
  return doc;
}

static int
cmd_pod_inspect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[-f FORMAT] POD...";
  const char *format = NULL;
  struct engine *e;
  if (cli_inspect_options (argc, argv, "pod inspect", usage, "missing pod name", &format, err) < 0
      || cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_json_ json_t *docs = json_array ();
  for (int i = optind; i < argc; i++)
    {
      _cleanup_pod_record_ struct pod_record *p = NULL;
      if (pod_record_find (e->db, argv[i], &p, err) < 0)
        return -1;
      json_array_append_new (docs, pod_inspect_json (e, p));
    }
  return cli_print_inspect (docs, format, err);
}

/* ---- the lifecycle ---- */

typedef int (*pod_fn) (struct engine *e, const struct pod_record *p, void *data,
                       struct hk_error **err);

/* FN on every pod of ARGV[OPTIND..], its ID printed when it worked; the
 * first error returned once every pod was tried. */
static int
each_pod (struct hako_cli *cli, int argc, char **argv, const char *command, const char *usage,
          pod_fn fn, void *data, struct hk_error **err)
{
  if (optind >= argc)
    return cli_usage (err, command, usage, "missing pod name");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  int result = 0;
  for (int i = optind; i < argc; i++)
    {
      _cleanup_pod_record_ struct pod_record *p = NULL;
      struct hk_error *one = NULL;
      if (pod_record_find (e->db, argv[i], &p, &one) < 0 || fn (e, p, data, &one) < 0)
        {
          if (result == 0)
            *err = one;
          else
            {
              fprintf (stderr, "Error: %s\n", one->message);
              hk_error_free (one);
            }
          result = -1;
          continue;
        }
      printf ("%s\n", p->id);
    }
  return result;
}

static int
do_start (struct engine *e, const struct pod_record *p, void *data, struct hk_error **err)
{
  (void)data;
  return pod_start (e, p, err);
}

static int
do_stop (struct engine *e, const struct pod_record *p, void *data, struct hk_error **err)
{
  return pod_stop (e, p, *(int *)data, err);
}

static int
do_restart (struct engine *e, const struct pod_record *p, void *data, struct hk_error **err)
{
  if (pod_stop (e, p, *(int *)data, err) < 0)
    return -1;
  return pod_start (e, p, err);
}

static int
do_kill (struct engine *e, const struct pod_record *p, void *data, struct hk_error **err)
{
  return pod_kill (e, p, *(int *)data, err);
}

static int
do_pause (struct engine *e, const struct pod_record *p, void *data, struct hk_error **err)
{
  return pod_pause (e, p, *(bool *)data, err);
}

static int
do_remove (struct engine *e, const struct pod_record *p, void *data, struct hk_error **err)
{
  return pod_remove (e, p, *(bool *)data, err);
}

static int
cmd_pod_start (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (getopt_long (argc, argv, "", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
    return cli_bad_option (err, "pod start", argv);
  return each_pod (cli, argc, argv, "pod start", "POD...", do_start, NULL, err);
}

/* stop and restart: [-t SECONDS] POD... */
static int
stop_like (struct hako_cli *cli, int argc, char **argv, const char *command, pod_fn fn,
           struct hk_error **err)
{
  static const struct option options[]
      = { { "time", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 } };
  static const char usage[] = "[-t SECONDS] POD...";
  int timeout = -1, c;
  long long n;
  while ((c = getopt_long (argc, argv, "t:", options, NULL)) != -1)
    {
      if (c != 't')
        return cli_bad_option (err, command, argv);
      if (config_parse_int (optarg, "--time", 0, 86400, &n, err) < 0)
        return -1;
      timeout = (int)n;
    }
  return each_pod (cli, argc, argv, command, usage, fn, &timeout, err);
}

static int
cmd_pod_stop (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  return stop_like (cli, argc, argv, "pod stop", do_stop, err);
}

static int
cmd_pod_restart (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  return stop_like (cli, argc, argv, "pod restart", do_restart, err);
}

static int
cmd_pod_kill (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "signal", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
  static const char usage[] = "[-s SIGNAL] POD...";
  int signum = SIGKILL, c;
  while ((c = getopt_long (argc, argv, "s:", options, NULL)) != -1)
    {
      if (c != 's')
        return cli_bad_option (err, "pod kill", argv);
      if ((signum = signal_parse (optarg, err)) < 0)
        return hk_error_prefix (err, "--signal");
    }
  return each_pod (cli, argc, argv, "pod kill", usage, do_kill, &signum, err);
}

static int
pause_like (struct hako_cli *cli, int argc, char **argv, bool pause, struct hk_error **err)
{
  const char *command = pause ? "pod pause" : "pod unpause";
  if (getopt_long (argc, argv, "", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
    return cli_bad_option (err, command, argv);
  return each_pod (cli, argc, argv, command, "POD...", do_pause, &pause, err);
}

static int
cmd_pod_pause (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  return pause_like (cli, argc, argv, true, err);
}

static int
cmd_pod_unpause (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  return pause_like (cli, argc, argv, false, err);
}

static int
cmd_pod_rm (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    {
      if (c != 'f')
        return cli_bad_option (err, "pod rm", argv);
      force = true;
    }
  return each_pod (cli, argc, argv, "pod rm", "[-f] POD...", do_remove, &force, err);
}

/* Removes every pod none of whose containers runs. */
static int
cmd_pod_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    if (c != 'f')
      return cli_bad_option (err, "pod prune", argv);
  struct engine *e;
  struct pod_record **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || pod_record_list (e->db, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      _cleanup_ctr_list_ struct ctr_record **ctrs = NULL;
      size_t k;
      if ((rc = pod_containers (e, list[i], &ctrs, &k, err)) < 0)
        break;
      const char *status = pod_status (ctrs, k);
      if (strcmp (status, "Exited") != 0 && strcmp (status, "Created") != 0)
        continue;
      if ((rc = pod_remove (e, list[i], false, err)) == 0)
        printf ("%s\n", list[i]->id);
    }
  pod_record_list_free (list, n);
  return rc;
}

static int
cmd_pod_exists (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (cli_no_options (argc, argv, "pod exists", err) < 0)
    return -1;
  if (argc != 2)
    return cli_usage (err, "pod exists", "POD", "one pod name is needed");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_pod_record_ struct pod_record *p = NULL;
  struct hk_error *why = NULL;
  if (pod_record_find (e->db, argv[1], &p, &why) == 0)
    return 0;
  if (why->errnum == ENOENT)
    {
      hk_error_free (why);
      return 1;
    }
  *err = why;
  return -1;
}

/* ---- top, stats, logs: the containers' commands over the pod's ---- */

/* The names of P's containers (the infra too when WITH_INFRA). */
static int
member_names (struct hako_cli *cli, const char *ref, bool with_infra, char ***out,
              struct hk_error **err)
{
  struct engine *e;
  _cleanup_pod_record_ struct pod_record *p = NULL;
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n;
  if (cli_engine (cli, &e, err) < 0 || pod_record_find (e->db, ref, &p, err) < 0
      || pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  *out = xzalloc (sizeof (char *));
  for (size_t i = 0; i < n; i++)
    if (with_infra || !list[i]->config.pod_infra)
      strv_append (out, list[i]->id);
  return 0;
}

static int
run_container_command (struct hako_cli *cli, const char *name, char **argv,
                       struct hk_error **err)
{
  const struct hako_command *cmd = cli_find_command ("container", name);
  optind = 0;
  return cmd->fn (cli, (int)strv_length (argv), argv, err);
}

static int
cmd_pod_top (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (cli_no_options (argc, argv, "pod top", err) < 0)
    return -1;
  if (argc < 2)
    return cli_usage (err, "pod top", "POD [ps OPTIONS]", "missing pod name");
  _cleanup_strv_ char **ids = NULL;
  if (member_names (cli, argv[1], true, &ids, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; ids[i] && rc == 0; i++)
    {
      _cleanup_strv_ char **args = NULL;
      strv_append (&args, "top");
      strv_append (&args, ids[i]);
      for (int k = 2; k < argc; k++)
        strv_append (&args, argv[k]);
      printf ("%s\n", ids[i]);
      rc = run_container_command (cli, "top", args, err);
    }
  return rc;
}

static int
cmd_pod_stats (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--no-stream] [--format FORMAT] POD...";
  static const struct option options[] = { { "no-stream", no_argument, NULL, 'S' },
                                           { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  _cleanup_strv_ char **args = NULL;
  strv_append (&args, "stats");
  int c;
  while ((c = getopt_long (argc, argv, "+", options, NULL)) != -1)
    {
      if (c == '?')
        return cli_bad_option (err, "pod stats", argv);
      strv_append (&args, c == 'S' ? "--no-stream" : "--format");
      if (c == 'f')
        strv_append (&args, optarg);
    }
  int i = optind;
  if (i >= argc)
    return cli_usage (err, "pod stats", usage, "missing pod name");
  for (; i < argc; i++)
    {
      _cleanup_strv_ char **ids = NULL;
      if (member_names (cli, argv[i], false, &ids, err) < 0)
        return -1;
      for (size_t k = 0; ids[k]; k++)
        strv_append (&args, ids[k]);
    }
  return run_container_command (cli, "stats", args, err);
}

static int
cmd_pod_logs (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[-c CONTAINER] [-f] [--tail N] [-t] POD";
  static const struct option options[] = { { "container", required_argument, NULL, 'c' },
                                           { "follow", no_argument, NULL, 'f' },
                                           { "tail", required_argument, NULL, 'n' },
                                           { "timestamps", no_argument, NULL, 't' },
                                           { NULL, 0, NULL, 0 } };
  _cleanup_strv_ char **opts = NULL;
  const char *only = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "+c:fn:t", options, NULL)) != -1)
    switch (c)
      {
      case 'c':
        only = optarg;
        break;
      case 'f':
      case 't':
        strv_append (&opts, c == 'f' ? "--follow" : "--timestamps");
        break;
      case 'n':
        strv_append (&opts, "--tail");
        strv_append (&opts, optarg);
        break;
      default:
        return cli_bad_option (err, "pod logs", argv);
      }
  int i = optind;
  if (i + 1 != argc)
    return cli_usage (err, "pod logs", usage, "one pod name is needed");
  _cleanup_strv_ char **ids = NULL;
  if (member_names (cli, argv[i], false, &ids, err) < 0)
    return -1;
  bool follow = strv_contains (opts, "--follow");
  if (follow && only == NULL && strv_length (ids) > 1)
    return hk_error_set (err, EINVAL, "pod logs -f follows one container: name it with -c");
  int rc = 0;
  for (size_t k = 0; ids[k] && rc == 0; k++)
    {
      struct engine *e;
      _cleanup_record_ struct ctr_record *r = NULL;
      if (cli_engine (cli, &e, err) < 0 || ctr_record_find (e->db, ids[k], &r, err) < 0)
        return -1;
      if (only && strcmp (only, r->name) != 0 && strncmp (r->id, only, strlen (only)) != 0)
        continue;
      _cleanup_strv_ char **args = NULL;
      strv_append (&args, "logs");
      for (char **o = opts; o && *o; o++)
        strv_append (&args, *o);
      strv_append (&args, r->id);
      rc = run_container_command (cli, "logs", args, err);
    }
  return rc;
}

const struct hako_command hako_pod_commands[] = {
  { "pod", "create", cmd_pod_create, create_usage, "create a pod" },
  { "pod", "ls", cmd_pod_ls, "[-q] [--no-trunc] [--filter KEY=VALUE] [--format FORMAT]",
    "list pods" },
  { "pod", "ps", cmd_pod_ls, "[-q] [--no-trunc] [--filter KEY=VALUE] [--format FORMAT]",
    "list pods", .hidden = true },
  { "pod", "list", cmd_pod_ls, "[-q]", "list pods", .hidden = true },
  { "pod", "inspect", cmd_pod_inspect, "[-f FORMAT] POD...", "show pods in detail" },
  { "pod", "start", cmd_pod_start, "POD...", "start pods (the infra container first)" },
  { "pod", "stop", cmd_pod_stop, "[-t SECONDS] POD...", "stop pods" },
  { "pod", "restart", cmd_pod_restart, "[-t SECONDS] POD...", "restart pods" },
  { "pod", "kill", cmd_pod_kill, "[-s SIGNAL] POD...", "signal every container of pods" },
  { "pod", "pause", cmd_pod_pause, "POD...", "pause pods" },
  { "pod", "unpause", cmd_pod_unpause, "POD...", "unpause pods" },
  { "pod", "rm", cmd_pod_rm, "[-f] POD...", "remove pods and their containers" },
  { "pod", "prune", cmd_pod_prune, "[-f]", "remove pods none of whose containers runs" },
  { "pod", "top", cmd_pod_top, "POD [ps OPTIONS]", "show the processes of a pod",
    .raw_args = true },
  { "pod", "stats", cmd_pod_stats, "[--no-stream] [--format FORMAT] POD...",
    "show the resource usage of pods' containers", .raw_args = true },
  { "pod", "logs", cmd_pod_logs, "[-c CONTAINER] [-f] [--tail N] [-t] POD",
    "show the logs of a pod's containers", .raw_args = true },
  { "pod", "exists", cmd_pod_exists, "POD", "exit 0 when the pod exists, 1 when not" },
  { NULL, NULL, NULL, NULL, NULL },
};
