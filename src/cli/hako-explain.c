/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain CONTAINER [--format json] [--host]: what the kernel says a
 * container is (engine/explain.h), as text for people or as JSON
 * (docs/explain-schema.json). */
#include "engine/engine.h"
#include "engine/explain.h"
#include "cli-help.h"
#include "hako-cli.h"
#include "hako-run-options.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char explain_usage[]
    = "[--format json] [--host] CONTAINER | run [--format json] [RUN FLAGS] IMAGE [COMMAND...]";

/* ---- text ---- */

struct text_out
{
  bool colour;
};

static void
section (const struct text_out *t, const char *title, const char *source)
{
  printf ("\n%s%s%s", t->colour ? "\033[1m" : "", title, t->colour ? "\033[0m" : "");
  if (source)
    printf ("  %s(%s)%s", t->colour ? "\033[2m" : "", source, t->colour ? "\033[0m" : "");
  printf ("\n");
}

static const char *
str (json_t *obj, const char *key)
{
  const char *s = json_string_value (json_object_get (obj, key));
  return s ? s : "";
}

static char *
joined (json_t *array, const char *sep)
{
  _cleanup_strv_ char **v = xzalloc (sizeof (char *));
  size_t i;
  json_t *x;
  json_array_foreach (array, i, x)
  {
    if (json_is_string (x))
      strv_append (&v, json_string_value (x));
    else
      strv_append_take (&v, xasprintf ("%lld", (long long)json_integer_value (x)));
  }
  return strv_join (v, sep);
}

static void
print_table (struct cli_table *t)
{
  cli_table_print (t, stdout);
  cli_table_free (t);
}

static void
text_namespaces (const struct text_out *t, json_t *doc)
{
  section (t, "Namespaces", "readlink /proc/PID/ns/*, against hako's own /proc/self/ns/*");
  static const char *const headers[] = { "  TYPE", "CONTAINER", "HOST", "RELATION", NULL };
  struct cli_table *tab = cli_table_new (headers);
  size_t i;
  json_t *ns;
  json_array_foreach (json_object_get (doc, "namespaces"), i, ns)
  {
    _cleanup_free_ char *type = xasprintf ("  %s", str (ns, "type"));
    _cleanup_free_ char *inode = xasprintf ("%s:[%lld]", str (ns, "type"),
                                            (long long)json_integer_value (json_object_get (ns, "inode")));
    _cleanup_free_ char *host = xasprintf ("%s:[%lld]", str (ns, "type"),
                                           (long long)json_integer_value (json_object_get (ns, "host_inode")));
    const char *rel = str (ns, "relation");
    _cleanup_free_ char *relation
        = strcmp (rel, "host") == 0  ? xstrdup ("shared with the host")
          : strcmp (rel, "new") == 0 ? xstrdup ("new")
                                     : xasprintf ("shared with %s %s", rel, str (ns, "shared_with"));
    const char *cells[] = { type, inode, host, relation, NULL };
    cli_table_add (tab, cells);
  }
  print_table (tab);
}

static void
text_processes (const struct text_out *t, json_t *doc)
{
  json_t *p = json_object_get (doc, "processes");
  section (t, "Processes", str (p, "source"));
  static const char *const headers[] = { "  HOST PID", "CONTAINER PID", "NSPID", "COMMAND", NULL };
  struct cli_table *tab = cli_table_new (headers);
  size_t i;
  json_t *x;
  json_array_foreach (json_object_get (p, "list"), i, x)
  {
    _cleanup_free_ char *host = xasprintf ("  %lld", (long long)json_integer_value (json_object_get (x, "host_pid")));
    _cleanup_free_ char *inside = xasprintf ("%lld", (long long)json_integer_value (json_object_get (x, "container_pid")));
    _cleanup_free_ char *chain = joined (json_object_get (x, "nspid"), " ");
    const char *cells[] = { host, inside, chain, str (x, "command"), NULL };
    cli_table_add (tab, cells);
  }
  print_table (tab);
}

static void
text_map (const char *what, json_t *map)
{
  size_t i;
  json_t *m;
  if (json_array_size (map) == 0)
    printf ("  %-10s (none: the user namespace is not readable)\n", what);
  json_array_foreach (map, i, m)
  {
    printf ("  %-10s %lld-%lld inside -> %lld-%lld on the host\n", i == 0 ? what : "",
            (long long)json_integer_value (json_object_get (m, "inside")),
            (long long)(json_integer_value (json_object_get (m, "inside"))
                        + json_integer_value (json_object_get (m, "count")) - 1),
            (long long)json_integer_value (json_object_get (m, "outside")),
            (long long)(json_integer_value (json_object_get (m, "outside"))
                        + json_integer_value (json_object_get (m, "count")) - 1));
  }
}

static void
text_user (const struct text_out *t, json_t *doc)
{
  json_t *u = json_object_get (doc, "user");
  section (t, "User", str (u, "source"));
  text_map ("uid_map", json_object_get (u, "uid_map"));
  text_map ("gid_map", json_object_get (u, "gid_map"));
  json_int_t root = json_integer_value (json_object_get (u, "root_uid_on_host"));
  if (root < 0)
    printf ("  %-10s uid 0 is not mapped\n", "root");
  else
    printf ("  %-10s uid 0 inside is uid %lld on the host%s\n", "root", (long long)root,
            root == 0 ? " (not remapped)" : "");
  _cleanup_free_ char *uids = xstrdup (str (u, "process_uids"));
  for (char *p = uids; *p; p++)
    if (*p == '\t')
      *p = ' ';
  printf ("  %-10s %s (real, effective, saved, fs; as the host sees them)\n", "uids", uids);
}

static void
text_cgroups (const struct text_out *t, json_t *doc)
{
  json_t *c = json_object_get (doc, "cgroups");
  _cleanup_free_ char *title = xasprintf ("Cgroups (%s)", str (c, "layout"));
  section (t, title, str (c, "source"));
  size_t i;
  json_t *h;
  json_array_foreach (json_object_get (c, "hierarchies"), i, h)
  {
    _cleanup_free_ char *names = joined (json_object_get (h, "controllers"), ",");
    printf ("  v%lld %-22s %s\n", (long long)json_integer_value (json_object_get (h, "version")),
            *names ? names : "(no controllers)",
            json_object_get (h, "dir") ? str (h, "dir") : str (h, "path"));
  }
  static const char *const headers[] = { "  FILE", "VALUE", "USAGE", NULL };
  struct cli_table *tab = cli_table_new (headers);
  json_t *s;
  json_array_foreach (json_object_get (c, "settings"), i, s)
  {
    const char *file = strrchr (str (s, "file"), '/');
    _cleanup_free_ char *name = xasprintf ("  %s", file ? file + 1 : str (s, "file"));
    _cleanup_free_ char *value = xstrdup (str (s, "value"));
    for (char *p = value; *p; p++)
      if (*p == '\n')
        *p = ' ';
    _cleanup_free_ char *usage
        = json_object_get (s, "usage") ? xasprintf ("%s", str (s, "usage")) : xstrdup ("");
    const char *cells[] = { name, *value ? value : "(empty)", usage, NULL };
    cli_table_add (tab, cells);
  }
  print_table (tab);
  if (json_object_get (c, "oom_kills"))
    printf ("  OOM kills: %lld (%s)\n", (long long)json_integer_value (json_object_get (c, "oom_kills")),
            str (c, "oom_kills_source"));
}

static void
text_names (const char *label, json_t *names)
{
  _cleanup_free_ char *text = joined (names, ",");
  printf ("  %-28s %s\n", label, *text ? text : "(none)");
}

static void
text_capabilities (const struct text_out *t, json_t *doc)
{
  json_t *c = json_object_get (doc, "capabilities");
  section (t, "Capabilities", str (c, "source"));
  static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
  for (size_t i = 0; i < 5; i++)
    {
      json_t *s = json_object_get (json_object_get (c, "sets"), sets[i]);
      _cleanup_free_ char *names = joined (json_object_get (s, "names"), ",");
      printf ("  %s  %s  %s\n", sets[i], str (s, "hex"), *names ? names : "(none)");
    }
  text_names ("dropped from a full set:", json_object_get (c, "dropped_from_full"));
  text_names ("added to Docker's default:", json_object_get (c, "added_to_docker_default"));
  text_names ("dropped from Docker's default:", json_object_get (c, "dropped_from_docker_default"));
}

static void
text_security (const struct text_out *t, json_t *doc)
{
  json_t *s = json_object_get (doc, "security");
  section (t, "Security", str (s, "source"));
  json_t *sc = json_object_get (s, "seccomp");
  printf ("  %-14s %s\n", "no_new_privs", json_is_true (json_object_get (s, "no_new_privs")) ? "yes" : "no");
  printf ("  %-14s %s, %lld filter(s); profile %s\n", "seccomp", str (sc, "mode"),
          (long long)json_integer_value (json_object_get (sc, "filters")), str (sc, "profile"));
  json_t *lsm = json_object_get (s, "lsm_label");
  printf ("  %-14s %s\n", "LSM label", lsm ? str (lsm, "label") : "(none)");
}

static void
text_filesystem (const struct text_out *t, json_t *doc)
{
  json_t *f = json_object_get (doc, "filesystem");
  section (t, "Filesystem", str (f, "source"));
  json_t *root = json_object_get (f, "root");
  printf ("  root  %s%s\n", str (root, "fstype"),
          json_is_true (json_object_get (root, "readonly")) ? ", read-only" : ", read-write");
  json_t *overlay = json_object_get (root, "overlay");
  size_t i;
  json_t *x;
  json_array_foreach (json_object_get (overlay, "lower_resolved"), i, x)
    printf ("        %-6s %s\n", i == 0 ? "lower" : "", json_string_value (x));
  if (json_object_get (overlay, "upper"))
    printf ("        %-6s %s\n", "upper", str (overlay, "upper"));
  static const char *const headers[] = { "  TARGET", "TYPE", "OPTIONS", "", NULL };
  struct cli_table *tab = cli_table_new (headers);
  json_array_foreach (json_object_get (f, "mounts"), i, x)
  {
    _cleanup_free_ char *target = xasprintf ("  %s", str (x, "target"));
    _cleanup_free_ char *options = joined (json_object_get (x, "options"), ",");
    const char *mark = json_is_true (json_object_get (x, "masked"))          ? "masked"
                       : json_is_true (json_object_get (x, "readonly_path")) ? "read-only path"
                                                                             : "";
    const char *cells[] = { target, str (x, "fstype"), options, mark, NULL };
    cli_table_add (tab, cells);
  }
  print_table (tab);
  json_array_foreach (json_object_get (f, "volumes"), i, x)
    printf ("  %s %s -> %s (%s)%s\n", str (x, "type"), str (x, "source"), str (x, "destination"),
            json_is_true (json_object_get (x, "rw")) ? "rw" : "ro",
            json_is_true (json_object_get (x, "mounted")) ? "" : " NOT MOUNTED");
}

static void
text_network (const struct text_out *t, json_t *doc)
{
  json_t *n = json_object_get (doc, "network");
  _cleanup_free_ char *title = xasprintf ("Network (%s)", str (n, "mode"));
  section (t, title, str (n, "interfaces_source"));
  size_t i;
  json_t *x;
  json_array_foreach (json_object_get (n, "interfaces"), i, x)
  {
    _cleanup_free_ char *addresses = joined (json_object_get (x, "addresses"), " ");
    printf ("  %-10s %s mtu %lld %s %s\n", str (x, "name"),
            json_is_true (json_object_get (x, "up")) ? "up  " : "down",
            (long long)json_integer_value (json_object_get (x, "mtu")), str (x, "mac"), addresses);
  }
  json_array_foreach (json_object_get (n, "routes"), i, x)
    printf ("  route %s%s%s dev %s\n", str (x, "destination"), *str (x, "gateway") ? " via " : "",
            str (x, "gateway"), str (x, "interface"));
  json_array_foreach (json_object_get (n, "ports"), i, x)
    printf ("  port %s:%lld -> %lld/%s\n", *str (x, "HostIp") ? str (x, "HostIp") : "0.0.0.0",
            (long long)json_integer_value (json_object_get (x, "HostPort")),
            (long long)json_integer_value (json_object_get (x, "ContainerPort")), str (x, "Protocol"));
  json_t *dns = json_object_get (n, "dns");
  _cleanup_free_ char *servers = joined (json_object_get (dns, "nameservers"), " ");
  _cleanup_free_ char *search = joined (json_object_get (dns, "search"), " ");
  printf ("  dns   %s%s%s\n", *servers ? servers : "(no nameserver)", *search ? "; search " : "",
          search);
}

static void
text_host (const struct text_out *t, json_t *doc)
{
  json_t *h = json_object_get (doc, "host");
  if (h == NULL)
    return;
  section (t, "Host", "our network namespace, iptables-save");
  size_t i;
  json_t *x;
  json_array_foreach (json_object_get (h, "veths"), i, x)
    printf ("  %s <-> %s%s%s\n", str (x, "container_interface"), str (x, "host_interface"),
            json_object_get (x, "bridge") ? " on bridge " : "", str (x, "bridge"));
  json_t *fw = json_object_get (h, "firewall");
  if (json_object_get (fw, "error"))
    printf ("  firewall: %s\n", str (fw, "error"));
  json_array_foreach (json_object_get (fw, "rules"), i, x)
    printf ("  [%s] %s\n", str (x, "table"), str (x, "rule"));
}

static void
print_text (json_t *doc, bool colour)
{
  struct text_out t = { colour };
  json_t *c = json_object_get (doc, "container");
  printf ("%s%s%s  %.12s  image %s  pid %lld (%s)\n", colour ? "\033[1m" : "", str (c, "name"),
          colour ? "\033[0m" : "", str (c, "id"), str (c, "image"),
          (long long)json_integer_value (json_object_get (c, "pid")), str (c, "state"));
  text_namespaces (&t, doc);
  text_processes (&t, doc);
  text_user (&t, doc);
  text_cgroups (&t, doc);
  text_capabilities (&t, doc);
  text_security (&t, doc);
  text_filesystem (&t, doc);
  text_network (&t, doc);
  text_host (&t, doc);
}

/* ---- explain run ---- */

static void
text_plan_caps (json_t *c)
{
  static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
  for (size_t i = 0; i < 5; i++)
    {
      json_t *s = json_object_get (json_object_get (c, "sets"), sets[i]);
      _cleanup_free_ char *names = joined (json_object_get (s, "names"), ",");
      printf ("  %-12s %s  %s\n", sets[i], str (s, "hex"), *names ? names : "(none)");
    }
  text_names ("dropped from a full set:", json_object_get (c, "dropped_from_full"));
  text_names ("added to Docker's default:", json_object_get (c, "added_to_docker_default"));
  text_names ("dropped from Docker's default:", json_object_get (c, "dropped_from_docker_default"));
}

static void
print_plan (json_t *doc, bool colour)
{
  struct text_out t = { colour };
  json_t *plan = json_object_get (doc, "plan");
  printf ("hako run %s would set up (nothing was made; %s)\n", str (plan, "image"),
          str (plan, "source"));
  section (&t, "Namespaces", "linux.namespaces");
  size_t i;
  json_t *x;
  json_array_foreach (json_object_get (doc, "namespaces"), i, x)
  {
    const char *rel = str (x, "relation");
    printf ("  %-8s %s%s%s\n", str (x, "type"),
            strcmp (rel, "host") == 0 ? "shared with the host" : rel,
            json_object_get (x, "shared_with") ? " " : "", str (x, "shared_with"));
  }
  json_t *u = json_object_get (doc, "user");
  section (&t, "User", "process.user, linux.uidMappings");
  printf ("  user %s, user namespace mode %s\n", str (u, "user"), str (u, "userns_mode"));
  json_t *c = json_object_get (doc, "cgroups");
  section (&t, "Cgroups", "linux.cgroupsPath, linux.resources");
  printf ("  path %s\n", str (c, "path"));
  _cleanup_free_ char *resources = json_dumps (json_object_get (c, "resources"), JSON_COMPACT);
  printf ("  limits %s\n", resources);
  section (&t, "Capabilities", "process.capabilities");
  text_plan_caps (json_object_get (doc, "capabilities"));
  json_t *s = json_object_get (doc, "security");
  json_t *sc = json_object_get (s, "seccomp");
  section (&t, "Security", "process.noNewPrivileges, linux.seccomp");
  printf ("  %-14s %s\n", "no_new_privs", json_is_true (json_object_get (s, "no_new_privs")) ? "yes" : "no");
  printf ("  %-14s %s; profile %s\n", "seccomp",
          json_is_true (json_object_get (sc, "enabled")) ? "filter" : "none", str (sc, "profile"));
  json_t *f = json_object_get (doc, "filesystem");
  section (&t, "Filesystem", "root, mounts, linux.maskedPaths, linux.readonlyPaths");
  printf ("  root %s\n", json_is_true (json_object_get (f, "root_readonly")) ? "read-only" : "read-write");
  json_array_foreach (json_object_get (f, "mounts"), i, x)
  {
    _cleanup_free_ char *options = joined (json_object_get (x, "options"), ",");
    printf ("  %-24s %-8s %s\n", str (x, "destination"), str (x, "type"), options);
  }
  _cleanup_free_ char *masked = joined (json_object_get (f, "masked_paths"), " ");
  printf ("  masked %s\n", *masked ? masked : "(none)");
  json_t *n = json_object_get (doc, "network");
  section (&t, "Network", "run's flags");
  printf ("  mode %s\n", str (n, "mode"));
  json_array_foreach (json_object_get (n, "ports"), i, x)
    printf ("  port %s:%s -> %s/%s\n", *str (x, "host_ip") ? str (x, "host_ip") : "0.0.0.0",
            str (x, "host_port"), str (x, "container_port"), str (x, "protocol"));
}

/* `explain run [--format json] FLAGS IMAGE [COMMAND]`: --format comes
 * first (after the image, it would be the command's). */
static int
explain_run (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  bool json = false;
  int skip = 0;
  if (argc > 2 && strcmp (argv[1], "--format") == 0)
    skip = 2;
  else if (argc > 1 && strncmp (argv[1], "--format=", 9) == 0)
    skip = 1;
  if (skip > 0)
    {
      const char *format = skip == 2 ? argv[2] : argv[1] + 9;
      if (strcmp (format, "json") != 0)
        return hk_error_set (err, EINVAL,
                             "--format %s: the formats are text (the default) and json", format);
      json = true;
    }
  /* run's parser takes ARGV[0] for the command's name, as getopt does. */
  _cleanup_free_ char **args = xzalloc ((size_t)(argc + 1) * sizeof (char *));
  int n = 0;
  args[n++] = argv[0];
  for (int i = 1 + skip; i < argc; i++)
    args[n++] = argv[i];
  struct run_request req = { 0 };
  struct engine *e;
  _cleanup_json_ json_t *doc = NULL;
  int rc = -1;
  if (run_options_parse (n, args, "explain run", false, &req, err) == 0
      && cli_engine (cli, &e, err) == 0 && explain_plan (e, req.image, &req.config, &doc, err) == 0)
    {
      rc = 0;
      if (json)
        {
          _cleanup_free_ char *text = json_dumps (doc, JSON_INDENT (2));
          printf ("%s\n", text);
        }
      else
        print_plan (doc, cli->stdout_is_tty);
    }
  run_request_clear (&req);
  return rc;
}

/* ---- the command ---- */

static int
cmd_explain (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "format", required_argument, NULL, 'f' },
                                           { "host", no_argument, NULL, 'H' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  if (argc > 1 && strcmp (argv[1], "run") == 0)
    return explain_run (cli, argc - 1, argv + 1, err);
  const char *format = NULL;
  bool host = false;
  int c;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case 'H':
        host = true;
        break;
      case 'h':
        cli_print_help ("explain"); /* docs/man/hako-explain.txt */
        return 0;
      default:
        return cli_bad_option (err, "explain", argv);
      }
  if (format != NULL && strcmp (format, "json") != 0)
    return hk_error_set (err, EINVAL, "--format %s: the formats are text (the default) and json",
                         format);
  if (optind >= argc)
    return cli_usage (err, "explain", explain_usage, "missing container name");
  if (optind + 1 < argc)
    return cli_usage (err, "explain", explain_usage, "one container at a time");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (engine_find (e, argv[optind], &r, err) < 0 || engine_refresh (e, r, err) < 0)
    return -1;
  _cleanup_json_ json_t *doc = NULL;
  if (explain_container (e, r, host, &doc, err) < 0)
    return -1;
  if (format != NULL)
    {
      _cleanup_free_ char *text = json_dumps (doc, JSON_INDENT (2));
      printf ("%s\n", text);
    }
  else
    print_text (doc, cli->stdout_is_tty);
  return 0;
}

const struct hako_command hako_explain_commands[] = {
  { NULL, "explain", cmd_explain, explain_usage,
    "show what a container is to the kernel: namespaces, cgroups, capabilities, mounts, network",
    .raw_args = true },
  { NULL, NULL, NULL, NULL, NULL },
};
