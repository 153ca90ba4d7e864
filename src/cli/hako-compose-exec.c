/* SPDX-License-Identifier: Apache-2.0 */
/* hako compose exec (a command in a service's running container) and run
 * (a one-off container of a service, its dependencies started first). */
#include "hako-attach-container.h"
#include "hako-compose.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "compose/compose-container.h"
#include "compose/compose-engine.h"
#include "compose/compose-files.h"
#include "compose/compose-value.h"
#include "engine/ctr-config-parse.h"
#include "engine/engine-exec.h"
#include "engine/random-id.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

static const char exec_usage[]
    = "[-d] [-T] [-u USER] [-w DIR] [-e NAME=VALUE]... [--index N] [--privileged] SERVICE "
      "COMMAND [ARG...]";

static int
cmd_exec (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "detach", no_argument, NULL, 'd' },
                                           { "no-TTY", no_argument, NULL, 'T' },
                                           { "user", required_argument, NULL, 'u' },
                                           { "workdir", required_argument, NULL, 'w' },
                                           { "env", required_argument, NULL, 'e' },
                                           { "index", required_argument, NULL, 'i' },
                                           { "privileged", no_argument, NULL, 'P' },
                                           { NULL, 0, NULL, 0 } };
  struct engine_exec_request q = ENGINE_EXEC_REQUEST_INIT;
  _cleanup_strv_ char **env = NULL;
  bool no_tty = false;
  long long index = 1;
  int opt;
  while ((opt = getopt_long (argc, argv, "+dTu:w:e:", options, NULL)) != -1)
    switch (opt)
      {
      case 'd':
        q.detach = true;
        break;
      case 'T':
        no_tty = true;
        break;
      case 'u':
        q.user = optarg;
        break;
      case 'w':
        q.workdir = optarg;
        break;
      case 'e':
        strv_append (&env, optarg);
        break;
      case 'i':
        if (config_parse_int (optarg, "--index", 1, COMPOSE_MAX_REPLICAS, &index, err) < 0)
          return -1;
        break;
      case 'P':
        q.privileged = true;
        break;
      default:
        return cli_bad_option (err, "compose exec", argv);
      }
  if (argc - optind < 2)
    return cli_usage (err, "compose exec", exec_usage, "a service and a command");
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
    return hk_error_prefix (err, "service %s", argv[optind]);
  if (strcmp (r->state, "running") != 0)
    return hk_error_set (err, EINVAL, "service %s: container %s is not running", argv[optind],
                         name);
  q.args = argv + optind + 1;
  q.env = env;
  q.tty = !no_tty && !q.detach && isatty (0);
  q.interactive = !q.detach;
  q.reexec_argv = c->cli->argv;
  int status;
  if (engine_exec (e, r, &q, &status, err) < 0)
    {
      if (status != 126 && status != 127)
        return -1;
      fprintf (stderr, "Error: %s\n", (*err)->message);
      hk_error_freep (err);
      return status;
    }
  return status;
}

static const char run_usage[]
    = "[-d] [--rm] [-T] [--no-deps] [--name NAME] [--entrypoint CMD] [-e NAME=VALUE]... "
      "[-u USER] [-w DIR] SERVICE [COMMAND [ARG...]]";

struct run_flags
{
  bool detach, rm, no_tty, no_deps;
  const char *name, *entrypoint, *user, *workdir;
  char **env;
};

static int
parse_run (int argc, char **argv, struct run_flags *f, struct hk_error **err)
{
  static const struct option options[] = { { "detach", no_argument, NULL, 'd' },
                                           { "rm", no_argument, NULL, 'r' },
                                           { "no-TTY", no_argument, NULL, 'T' },
                                           { "no-deps", no_argument, NULL, 'D' },
                                           { "name", required_argument, NULL, 'n' },
                                           { "entrypoint", required_argument, NULL, 'E' },
                                           { "env", required_argument, NULL, 'e' },
                                           { "user", required_argument, NULL, 'u' },
                                           { "workdir", required_argument, NULL, 'w' },
                                           { NULL, 0, NULL, 0 } };
  int opt;
  while ((opt = getopt_long (argc, argv, "+dTe:u:w:", options, NULL)) != -1)
    switch (opt)
      {
      case 'd':
        f->detach = true;
        break;
      case 'r':
        f->rm = true;
        break;
      case 'T':
        f->no_tty = true;
        break;
      case 'D':
        f->no_deps = true;
        break;
      case 'n':
        f->name = optarg;
        break;
      case 'E':
        f->entrypoint = optarg;
        break;
      case 'e':
        strv_append (&f->env, optarg);
        break;
      case 'u':
        f->user = optarg;
        break;
      case 'w':
        f->workdir = optarg;
        break;
      default:
        return cli_bad_option (err, "compose run", argv);
      }
  if (optind >= argc)
    return cli_usage (err, "compose run", run_usage, "a service");
  return 0;
}

/* The one-off container has a terminal: attached, not -T, and ours is one. */
static bool
run_tty (const struct run_flags *f)
{
  return !f->no_tty && !f->detach && isatty (0);
}

/* The one-off container's settings: the service's, without its ports
 * and restart policy, with the flags over them. */
static int
run_config (const struct compose_project *p, const char *service, json_t *svc,
            const struct run_flags *f, char **command, struct ctr_config *c,
            struct hk_error **err)
{
  if (compose_container_config (p, service, svc, 1, true, c, err) < 0)
    return -1;
  for (size_t i = 0; i < c->n_ports; i++)
    {
      free (c->ports[i].host_ip);
      free (c->ports[i].host_port);
      free (c->ports[i].container_port);
      free (c->ports[i].protocol);
    }
  free (c->ports);
  c->ports = NULL;
  c->n_ports = 0;
  c->restart = CONFIG_RESTART_NO;
  c->auto_remove = f->rm;
  c->tty = run_tty (f);
  c->open_stdin = !f->detach;
  if (*command)
    {
      strv_free (c->cmd);
      c->cmd = strv_copy (command);
    }
  if (f->entrypoint)
    {
      _cleanup_json_ json_t *text = json_string (f->entrypoint), *words = NULL;
      if (compose_value_command (text, "--entrypoint", &words, err) < 0)
        return -1;
      strv_free (c->entrypoint);
      c->entrypoint = NULL;
      size_t i;
      json_t *w;
      json_array_foreach (words, i, w)
      {
        strv_append (&c->entrypoint, json_string_value (w));
      }
      if (*command == NULL)
        {
          /* --entrypoint without a command drops the service's command,
           * as Docker Compose does */
          strv_free (c->cmd);
          c->cmd = xzalloc (sizeof (char *));
        }
    }
  if (f->user)
    {
      free (c->user);
      c->user = xstrdup (f->user);
    }
  if (f->workdir)
    {
      free (c->working_dir);
      c->working_dir = xstrdup (f->workdir);
    }
  for (char **e = f->env; e && *e; e++)
    if (config_parse_env (c, *e, err) < 0)
      return -1;
  return 0;
}

/* The dependencies of SERVICE, up (unless NO_DEPS). */
static int
start_dependencies (struct engine *e, const struct compose_project *p, const char *service,
                    json_t *svc, struct hk_error **err)
{
  _cleanup_strv_ char **deps = NULL;
  const char *dep;
  json_t *v;
  json_object_foreach (json_object_get (svc, "depends_on"), dep, v)
  {
    strv_append (&deps, dep);
  }
  struct compose_up_options o = { .services = deps };
  if (deps && compose_up (e, p, &o, stderr, err) < 0)
    return -1;
  if (deps == NULL && (compose_make_networks (e, p, stderr, err) < 0
                       || compose_make_volumes (e, p, stderr, err) < 0))
    return -1;
  json_object_foreach (json_object_get (svc, "depends_on"), dep, v)
  {
    const char *condition = json_string_value (json_object_get (v, "condition"));
    if (compose_wait_condition (e, p, dep, condition, err) < 0)
      return hk_error_prefix (err, "service %s", service);
  }
  return 0;
}

static int
cmd_run (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  struct run_flags f = { 0 };
  _cleanup_strv_ char **env_flags = NULL;
  int rc = parse_run (argc, argv, &f, err);
  env_flags = f.env;
  if (rc < 0)
    return -1;
  /* a signal before the attach (dependencies, pulls, builds take time)
   * is kept for the container rather than ending us and leaving it */
  if (!f.detach)
    attach_hold_signals (run_tty (&f));
  const char *service = argv[optind];
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0)
    return -1;
  json_t *svc = json_object_get (json_object_get (p->model, "services"), service);
  if (svc == NULL)
    return hk_error_set (err, ENOENT, "no such service: %s", service);
  /* the container's settings first: what they refuse makes nothing */
  _cleanup_ctr_config_ struct ctr_config config;
  ctr_config_init (&config);
  if (run_config (p, service, svc, &f, argv + optind + 1, &config, err) < 0)
    return -1;
  if (!f.no_deps && start_dependencies (e, p, service, svc, err) < 0)
    return -1;
  if (f.no_deps && (compose_make_networks (e, p, stderr, err) < 0
                    || compose_make_volumes (e, p, stderr, err) < 0))
    return -1;
  if (compose_write_file_objects (p, err) < 0
      || compose_ensure_image (e, p, service, svc, false, stderr, err) < 0)
    return -1;
  _cleanup_free_ char *id = random_id ();
  _cleanup_free_ char *name
      = f.name ? xstrdup (f.name) : xasprintf ("%s-%s-run-%.12s", p->name, service, id);
  _cleanup_free_ char *image = compose_image_name (p, service, svc);
  bool interactive = config.open_stdin;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (engine_create (e, image, &config, name, &r, err) < 0)
    return -1;
  if (engine_start (e, r, f.detach ? 0 : ENGINE_START_ON_ATTACH, err) < 0)
    {
      struct hk_error *ignored = NULL;
      if (engine_remove (e, r, true, true, &ignored) < 0)
        hk_error_free (ignored);
      return -1;
    }
  if (f.detach)
    {
      printf ("%s\n", name);
      return 0;
    }
  /* the client's signals go to the container, as Docker Compose's run
   * proxies them: its status is then the container's */
  struct attach_mode mode = { .with_stdin = interactive, .sig_proxy = true };
  return attach_container (e, r, true, &mode, err);
}

const struct compose_command compose_exec_commands[] = {
  { "exec", cmd_exec, exec_usage, "run a command in a service's running container" },
  { "run", cmd_run, run_usage, "run a one-off container of a service" },
  { NULL, NULL, NULL, NULL },
};
