/* SPDX-License-Identifier: Apache-2.0 */
/* hako network create / ls / inspect / rm / prune / connect / disconnect,
 * and hako port. */
#include "engine/ctr-network.h"
#include "engine/engine.h"
#include "engine/network-conflist.h"
#include "engine/network.h"
#include "engine/network-native.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
key_value (const char *arg, const char *flag, json_t *map, struct hk_error **err)
{
  const char *eq = strchr (arg, '=');
  if (eq == arg)
    return hk_error_set (err, EINVAL, "%s: \"%s\" has no key", flag, arg);
  _cleanup_free_ char *key = eq ? xstrndup (arg, (size_t)(eq - arg)) : xstrdup (arg);
  json_object_set_new (map, key, json_string (eq ? eq + 1 : ""));
  return 0;
}

static const char create_usage[]
    = "[--subnet CIDR] [--gateway IP] [--ipv6 [--subnet IPV6-CIDR [--gateway IPV6]]] [--internal] [-l K=V] [-d bridge] [-o K=V] NAME";

static int
cmd_network_create (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "subnet", required_argument, NULL, 's' },
                                           { "gateway", required_argument, NULL, 'g' },
                                           { "internal", no_argument, NULL, 'i' },
                                           { "ipv6", no_argument, NULL, '6' },
                                           { "label", required_argument, NULL, 'l' },
                                           { "driver", required_argument, NULL, 'd' },
                                           { "opt", required_argument, NULL, 'o' },
                                           { NULL, 0, NULL, 0 } };
  _cleanup_json_ json_t *labels = json_object ();
  _cleanup_json_ json_t *opts = json_object ();
  struct network_request req = { .labels = labels, .options = opts };
  int c;
  while ((c = getopt_long (argc, argv, "l:d:o:", options, NULL)) != -1)
    switch (c)
      {
      case 's': /* once per family */
        if (strchr (optarg, ':') ? req.subnet6 != NULL : req.subnet != NULL)
          return hk_error_set (err, EINVAL, "--subnet %s: one subnet per address family", optarg);
        *(strchr (optarg, ':') ? &req.subnet6 : &req.subnet) = optarg;
        break;
      case '6':
        req.ipv6 = true;
        break;
      case 'g': /* once per family, as --subnet */
        if (strchr (optarg, ':') ? req.gateway6 != NULL : req.gateway != NULL)
          return hk_error_set (err, EINVAL, "--gateway %s: one gateway per address family",
                               optarg);
        *(strchr (optarg, ':') ? &req.gateway6 : &req.gateway) = optarg;
        break;
      case 'i':
        req.internal = true;
        break;
      case 'l':
        if (key_value (optarg, "--label", labels, err) < 0)
          return -1;
        break;
      case 'd':
        req.driver = optarg;
        break;
      case 'o':
        if (key_value (optarg, "--opt", opts, err) < 0)
          return -1;
        break;
      default:
        return cli_bad_option (err, "network create", argv);
      }
  if (argc - optind != 1)
    return cli_usage (err, "network create", create_usage, "one network name is needed");
  req.name = argv[optind];
  struct engine *e;
  _cleanup_network_ struct network *n = NULL;
  if (cli_engine (cli, &e, err) < 0 || network_create (e, &req, &n, err) < 0)
    return -1;
  printf ("%s\n", n->id);
  return 0;
}

/* The containers on network N now: {ID: {Name, MacAddress, IPv4Address}}. */
static json_t *
attached (struct engine *e, const struct network *n)
{
  json_t *out = json_object ();
  struct network_endpoint **eps = NULL;
  size_t count = 0;
  struct hk_error *ignored = NULL;
  if (network_endpoint_list (e->db, NULL, n->name, &eps, &count, &ignored) < 0)
    hk_error_free (ignored);
  for (size_t i = 0; i < count; i++)
    {
      _cleanup_record_ struct ctr_record *r = NULL;
      ignored = NULL;
      if (ctr_record_find (e->db, eps[i]->container_id, &r, &ignored) < 0)
        {
          hk_error_free (ignored);
          continue;
        }
      json_object_set_new (out, r->id,
                           json_pack ("{s:s, s:s, s:s, s:s, s:s}", "Name", r->name, "EndpointID",
                                      r->id, "MacAddress", eps[i]->mac, "IPv4Address",
                                      eps[i]->address, "IPv6Address", eps[i]->address6));
    }
  network_endpoint_list_free (eps, count);
  return out;
}

static json_t *
network_json (struct engine *e, const struct network *n)
{
  _cleanup_free_ char *state_dir = network_state_dir (e);
  _cleanup_free_ char *ipam = xasprintf ("%s/ipam", state_dir);
  struct conflist_needs needs = { 0 };
  json_t *options = json_deep_copy (n->options);
  json_object_set_new (options, NETWORK_OPT_BRIDGE_NAME, json_string (n->bridge));
  bool ipv6 = n->subnet6 && *n->subnet6;
  json_t *config = json_pack ("[{s:s, s:s}]", "Subnet", n->subnet, "Gateway", n->gateway);
  if (ipv6)
    json_array_append_new (config,
                           json_pack ("{s:s, s:s}", "Subnet", n->subnet6, "Gateway", n->gateway6));
  json_t *j = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:o}, s:b, s:b,"
                         " s:b, s:o, s:o, s:O}",
                         "Name", n->name, "Id", n->id, "Created", n->created, "Scope", "local",
                         "Driver", n->driver, "EnableIPv6", ipv6, "IPAM", "Driver", "default",
                         "Options", "Config", config, "Internal", n->internal, "Attachable", 0,
                         "Ingress", 0, "Containers", attached (e, n), "Options", options,
                         "Labels", n->labels);
  /* The configuration list a CNI network's containers are attached with. */
  if (network_is_cni (n))
    json_object_set_new (j, "CNI", network_conflist (n, ipam, &needs));
  return j;
}

/* --filter name=X, id=X, label=K[=V], driver=X. */
static bool
network_matches (const struct network *n, char **filters)
{
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i], *eq = strchr (f, '=');
      const char *v = eq ? eq + 1 : "";
      size_t klen = eq ? (size_t)(eq - f) : strlen (f);
      bool ok = true;
      if (klen == 4 && strncmp (f, "name", 4) == 0)
        ok = strstr (n->name, v) != NULL;
      else if (klen == 2 && strncmp (f, "id", 2) == 0)
        ok = strncmp (n->id, v, strlen (v)) == 0;
      else if (klen == 6 && strncmp (f, "driver", 6) == 0)
        ok = strcmp (n->driver, v) == 0;
      else if (klen == 5 && strncmp (f, "label", 5) == 0)
        {
          const char *veq = strchr (v, '=');
          _cleanup_free_ char *key = veq ? xstrndup (v, (size_t)(veq - v)) : xstrdup (v);
          json_t *have = json_object_get (n->labels, key);
          ok = have != NULL && (veq == NULL || strcmp (json_string_value (have), veq + 1) == 0);
        }
      else
        ok = false;
      if (!ok)
        return false;
    }
  return true;
}

static int
print_network (struct engine *e, const struct network *n, bool quiet, const char *format,
               struct cli_table *table, struct hk_error **err)
{
  _cleanup_free_ char *short_id = xstrndup (n->id, 12);
  if (quiet)
    printf ("%s\n", short_id);
  else if (format)
    {
      _cleanup_json_ json_t *row
          = json_pack ("{s:s, s:s, s:s, s:s, s:O, s:b}", "ID", short_id, "Name", n->name, "Driver",
                       n->driver, "Scope", "local", "Labels", n->labels, "Internal", n->internal);
      json_object_set_new (row, "Subnet", json_string (n->subnet));
      _cleanup_free_ char *line
          = cli_format_template (strcmp (format, "json") == 0 ? "{{json .}}" : format, row, err);
      if (line == NULL)
        return -1;
      printf ("%s\n", line);
    }
  else
    {
      const char *cells[] = { short_id, n->name, n->driver, "local", NULL };
      cli_table_add (table, cells);
    }
  (void)e;
  return 0;
}

static int
cmd_network_ls (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "quiet", no_argument, NULL, 'q' },
                                           { "format", required_argument, NULL, 'F' },
                                           { "filter", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool quiet = false;
  const char *format = NULL;
  _cleanup_strv_ char **filters = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qf:", options, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'F':
        format = optarg;
        break;
      case 'f':
        strv_append (&filters, optarg);
        break;
      default:
        return cli_bad_option (err, "network ls", argv);
      }
  struct engine *e;
  struct network **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || network_record_list (e->db, &list, &n, err) < 0)
    return -1;
  static const char *const headers[] = { "NETWORK ID", "NAME", "DRIVER", "SCOPE", NULL };
  struct cli_table *table = quiet || format ? NULL : cli_table_new (headers);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    if (network_matches (list[i], filters))
      rc = print_network (e, list[i], quiet, format, table, err);
  if (table)
    {
      cli_table_print (table, stdout);
      cli_table_free (table);
    }
  network_record_list_free (list, n);
  return rc;
}

static int
cmd_network_inspect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *format;
  if (cli_inspect_options (argc, argv, "network inspect", "[-f FORMAT] NETWORK...",
                           "missing network name", &format, err)
      < 0)
    return -1;
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_json_ json_t *all = json_array ();
  for (int i = optind; i < argc; i++)
    {
      _cleanup_network_ struct network *n = NULL;
      if (network_record_get (e->db, network_is_default (argv[i]) ? NETWORK_DEFAULT_NAME : argv[i],
                              &n, err)
          < 0)
        return -1;
      json_t *j = network_json (e, n);
      if (format)
        {
          _cleanup_free_ char *line = cli_format_template (format, j, err);
          json_decref (j);
          if (line == NULL)
            return -1;
          printf ("%s\n", line);
        }
      else
        json_array_append_new (all, j);
    }
  if (!format)
    {
      _cleanup_free_ char *text = json_to_string (all, true);
      fputs (text, stdout);
    }
  return 0;
}

static int
cmd_network_rm (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    {
      if (c != 'f')
        return cli_bad_option (err, "network rm", argv);
      force = true;
    }
  if (optind >= argc)
    return cli_usage (err, "network rm", "[-f] NETWORK...", "missing network name");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  int result = 0;
  for (int i = optind; i < argc; i++)
    {
      struct hk_error *one = NULL;
      if (network_remove (e, argv[i], &one) == 0)
        printf ("%s\n", argv[i]);
      else if (force && one->errnum == ENOENT)
        hk_error_free (one); /* -f: a missing network is no error */
      else if (result == 0)
        {
          *err = one;
          result = -1;
        }
      else
        {
          fprintf (stderr, "Error: %s\n", one->message);
          hk_error_free (one);
        }
    }
  return result;
}

static int
cmd_network_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    if (c != 'f')
      return cli_bad_option (err, "network prune", argv);
  struct engine *e;
  struct network **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || network_record_list (e->db, &list, &n, err) < 0)
    return -1;
  printf ("Deleted Networks:\n");
  for (size_t i = 0; i < n; i++)
    {
      /* The default network stays, as Docker's predefined ones do. */
      if (network_is_default (list[i]->name))
        continue;
      struct hk_error *ignored = NULL;
      if (network_remove (e, list[i]->name, &ignored) == 0)
        printf ("%s\n", list[i]->name);
      hk_error_free (ignored); /* in use: kept */
    }
  network_record_list_free (list, n);
  return 0;
}

static int
cmd_network_connect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "ip", required_argument, NULL, 'i' },
                                           { "ip6", required_argument, NULL, '6' },
                                           { "alias", required_argument, NULL, 'a' },
                                           { NULL, 0, NULL, 0 } };
  static const char usage[] = "[--ip IP] [--ip6 IP] [--alias NAME] NETWORK CONTAINER";
  struct config_network endpoint = { 0 };
  int c, rc = -1;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 'i':
        free (endpoint.ip);
        endpoint.ip = xstrdup (optarg);
        break;
      case '6':
        free (endpoint.ip6);
        endpoint.ip6 = xstrdup (optarg);
        break;
      case 'a':
        strv_append (&endpoint.aliases, optarg);
        break;
      default:
        config_network_clear (&endpoint);
        return cli_bad_option (err, "network connect", argv);
      }
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (argc - optind != 2)
    cli_usage (err, "network connect", usage, "a network and a container are needed");
  else if (cli_engine (cli, &e, err) == 0 && engine_find (e, argv[optind + 1], &r, err) == 0)
    rc = ctr_network_connect (e, r, argv[optind], &endpoint, err);
  config_network_clear (&endpoint);
  return rc;
}

static int
cmd_network_disconnect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    if (c != 'f')
      return cli_bad_option (err, "network disconnect", argv);
  if (argc - optind != 2)
    return cli_usage (err, "network disconnect", "[-f] NETWORK CONTAINER",
                      "a network and a container are needed");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind + 1], &r, err) < 0)
    return -1;
  return ctr_network_disconnect (e, r, argv[optind], err);
}

/* hako port CONTAINER [PORT[/PROTO]]: "80/tcp -> 0.0.0.0:32768". */
static int
cmd_port (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (getopt_long (argc, argv, "", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
    return cli_bad_option (err, "port", argv);
  if (argc - optind < 1 || argc - optind > 2)
    return cli_usage (err, "port", "CONTAINER [PORT[/PROTO]]", "one container is needed");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0)
    return -1;
  const char *want = optind + 1 < argc ? argv[optind + 1] : NULL;
  _cleanup_json_ json_t *ports = ctr_network_ports (e, r);
  bool found = false;
  size_t i;
  json_t *p;
  json_array_foreach (ports, i, p)
  {
    const char *proto = json_string_value (json_object_get (p, "Protocol"));
    const char *ip = json_string_value (json_object_get (p, "HostIp"));
    _cleanup_free_ char *key = xasprintf (
        "%lld/%s", (long long)json_integer_value (json_object_get (p, "ContainerPort")), proto);
    size_t klen = strcspn (key, "/");
    if (want && strcmp (want, key) != 0
        && !(strlen (want) == klen && strncmp (want, key, klen) == 0))
      continue;
    found = true;
    long long host_port = json_integer_value (json_object_get (p, "HostPort"));
    /* an IPv6 address in brackets, as Docker prints it: [::1]:8080 */
    bool v6 = ip && strchr (ip, ':');
    _cleanup_free_ char *host = xasprintf ("%s%s%s:%lld", v6 ? "[" : "", ip && *ip ? ip : "0.0.0.0",
                                           v6 ? "]" : "", host_port);
    if (want)
      printf ("%s\n", host);
    else
      printf ("%s -> %s\n", key, host);
  }
  if (want && !found)
    return hk_error_set (err, ENOENT, "no public port '%s' published for %s", want, r->name);
  return 0;
}

const struct hako_command hako_network_commands[] = {
  { "network", "create", cmd_network_create, create_usage, "create a network" },
  { "network", "ls", cmd_network_ls, "[-q] [--filter KEY=VALUE] [--format FORMAT]",
    "list networks" },
  { "network", "inspect", cmd_network_inspect, "[-f FORMAT] NETWORK...",
    "show networks in detail" },
  { "network", "rm", cmd_network_rm, "[-f] NETWORK...", "remove networks" },
  { "network", "prune", cmd_network_prune, "[-f]", "remove unused networks" },
  { "network", "connect", cmd_network_connect, "[--ip IP] [--ip6 IP] [--alias NAME] NETWORK CONTAINER",
    "connect a container to a network" },
  { "network", "disconnect", cmd_network_disconnect, "[-f] NETWORK CONTAINER",
    "disconnect a container from a network" },
  { NULL, "port", cmd_port, "CONTAINER [PORT[/PROTO]]", "list a container's published ports" },
  { "container", "port", cmd_port, "CONTAINER [PORT[/PROTO]]", "list published ports", true },
  { NULL, NULL, NULL, NULL, NULL },
};
