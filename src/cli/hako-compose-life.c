/* SPDX-License-Identifier: Apache-2.0 */
/* hako compose up, down, create, start, stop, restart, kill, pause,
 * unpause, rm, pull, build, push. */
#include "hako-compose.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/signals.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "compose/compose-container.h"
#include "compose/compose-engine.h"
#include "engine/ctr-config-parse.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* --scale SERVICE=N into SCALE. */
static int
parse_scale (const char *text, json_t *scale, struct hk_error **err)
{
  const char *eq = strchr (text, '=');
  char *end;
  long n = eq ? strtol (eq + 1, &end, 10) : -1;
  if (eq == NULL || eq == text || *end || end == eq + 1 || n < 0 || n > COMPOSE_MAX_REPLICAS)
    return hk_error_set (err, EINVAL, "--scale: \"%s\" is not SERVICE=N with N in 0..%d", text,
                         COMPOSE_MAX_REPLICAS);
  _cleanup_free_ char *name = xstrndup (text, (size_t)(eq - text));
  json_object_set_new (scale, name, json_integer (n));
  return 0;
}

static const char up_usage[]
    = "[-d] [--build] [--no-build] [--force-recreate] [--no-recreate] [--no-deps] "
      "[--remove-orphans] [--wait] [--scale SERVICE=N]... [--abort-on-container-exit] "
      "[--exit-code-from SERVICE] [SERVICE...]";

struct up_flags
{
  bool detach, build, abort_on_exit;
  const char *exit_code_from;
};

static int
parse_up (int argc, char **argv, struct compose_up_options *o, struct up_flags *f,
          struct hk_error **err)
{
  static const struct option options[] = { { "detach", no_argument, NULL, 'd' },
                                           { "build", no_argument, NULL, 'b' },
                                           { "no-build", no_argument, NULL, 'B' },
                                           { "force-recreate", no_argument, NULL, 'F' },
                                           { "no-recreate", no_argument, NULL, 'N' },
                                           { "no-deps", no_argument, NULL, 'D' },
                                           { "remove-orphans", no_argument, NULL, 'o' },
                                           { "wait", no_argument, NULL, 'w' },
                                           { "scale", required_argument, NULL, 's' },
                                           { "abort-on-container-exit", no_argument, NULL, 'a' },
                                           { "exit-code-from", required_argument, NULL, 'x' },
                                           { NULL, 0, NULL, 0 } };
  int opt;
  while ((opt = getopt_long (argc, argv, "d", options, NULL)) != -1)
    switch (opt)
      {
      case 'd':
        f->detach = true;
        break;
      case 'b':
        f->build = true;
        break;
      case 'B':
        o->no_build = true;
        break;
      case 'F':
        o->force_recreate = true;
        break;
      case 'N':
        o->no_recreate = true;
        break;
      case 'D':
        o->no_deps = true;
        break;
      case 'o':
        o->remove_orphans = true;
        break;
      case 'w':
        o->wait = true;
        break;
      case 's':
        if (parse_scale (optarg, o->scale, err) < 0)
          return -1;
        break;
      case 'a':
        f->abort_on_exit = true;
        break;
      case 'x':
        f->exit_code_from = optarg;
        f->abort_on_exit = true;
        break;
      default:
        return cli_bad_option (err, "compose up", argv);
      }
  if (o->force_recreate && o->no_recreate)
    return hk_error_set (err, EINVAL, "--force-recreate and --no-recreate exclude each other");
  if (f->build && o->no_build)
    return hk_error_set (err, EINVAL, "--build and --no-build exclude each other");
  if (f->detach && f->abort_on_exit)
    return hk_error_set (err, EINVAL, "-d and --abort-on-container-exit exclude each other");
  return 0;
}

/* --build: the services with build: built first. */
static int
build_selected (struct engine *e, const struct compose_project *p, char *const *selected,
                struct hk_error **err)
{
  for (char *const *s = selected; s && *s; s++)
    {
      json_t *svc = json_object_get (json_object_get (p->model, "services"), *s);
      if (json_object_get (svc, "build")
          && compose_ensure_image (e, p, *s, svc, true, stderr, err) < 0)
        return -1;
    }
  return 0;
}

static int
cmd_up (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  _cleanup_json_ json_t *scale = json_object ();
  struct compose_up_options o = { .scale = scale };
  struct up_flags f = { 0 };
  if (parse_up (argc, argv, &o, &f, err) < 0)
    return -1;
  _cleanup_compose_project_ struct compose_project *p = NULL;
  _cleanup_strv_ char **services = NULL, **selected = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0
      || compose_cli_services (p, argc, argv, &services, err) < 0
      || compose_selected (p, services, o.no_deps, &selected, err) < 0)
    return -1;
  o.services = services;
  if (f.exit_code_from && !strv_contains (selected, f.exit_code_from))
    return hk_error_set (err, ENOENT, "--exit-code-from: no such service: %s", f.exit_code_from);
  if (f.build && build_selected (e, p, selected, err) < 0)
    return -1;
  if (compose_up (e, p, &o, stderr, err) < 0)
    return -1;
  if (f.detach)
    return 0;
  struct compose_attach_options a = { .abort_on_exit = f.abort_on_exit,
                                      .exit_code_from = f.exit_code_from };
  return compose_cli_attach (c, e, p, selected, &a, err);
}

static const char down_usage[] = "[-v] [--remove-orphans] [-t SECONDS] [--rmi local|all]";

static int
cmd_down (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "volumes", no_argument, NULL, 'v' },
                                           { "remove-orphans", no_argument, NULL, 'o' },
                                           { "timeout", required_argument, NULL, 't' },
                                           { "rmi", required_argument, NULL, 'r' },
                                           { NULL, 0, NULL, 0 } };
  struct compose_down_options o = { .timeout = -1 };
  long long t;
  int opt;
  while ((opt = getopt_long (argc, argv, "vt:", options, NULL)) != -1)
    switch (opt)
      {
      case 'v':
        o.volumes = true;
        break;
      case 'o':
        o.remove_orphans = true;
        break;
      case 't':
        if (config_parse_int (optarg, "-t", 0, 3600, &t, err) < 0)
          return -1;
        o.timeout = (int)t;
        break;
      case 'r':
        if (strcmp (optarg, "local") == 0)
          o.rmi = COMPOSE_RMI_LOCAL;
        else if (strcmp (optarg, "all") == 0)
          o.rmi = COMPOSE_RMI_ALL;
        else
          return hk_error_set (err, EINVAL, "--rmi: \"%s\" is not local or all", optarg);
        break;
      default:
        return cli_bad_option (err, "compose down", argv);
      }
  if (optind < argc)
    return cli_usage (err, "compose down", down_usage, "no operands");
  _cleanup_compose_project_ struct compose_project *p = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0)
    return -1;
  return compose_down (e, p, &o, stderr, err);
}

static int
cmd_create (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  _cleanup_json_ json_t *scale = json_object ();
  struct compose_up_options o = { .scale = scale, .no_start = true };
  struct up_flags f = { 0 };
  if (parse_up (argc, argv, &o, &f, err) < 0)
    return -1;
  _cleanup_compose_project_ struct compose_project *p = NULL;
  _cleanup_strv_ char **services = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0
      || compose_cli_services (p, argc, argv, &services, err) < 0)
    return -1;
  o.services = services;
  return compose_up (e, p, &o, stderr, err);
}

/* ---- the commands that act on each container ---- */

enum action
{
  ACTION_START,
  ACTION_STOP,
  ACTION_RESTART,
  ACTION_KILL,
  ACTION_PAUSE,
  ACTION_UNPAUSE,
  ACTION_RM,
};

struct each
{
  enum action action;
  int timeout;
  int signum;
  bool force, stop_first, volumes;
};

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

static int
act (struct engine *e, struct ctr_record *r, const struct each *x, struct hk_error **err)
{
  const char *done = NULL;
  int rc = 0;
  switch (x->action)
    {
    case ACTION_START:
      if (is_running (r))
        return 0;
      rc = engine_start (e, r, 0, err);
      done = "Started";
      break;
    case ACTION_STOP:
      if (!is_running (r))
        return 0;
      rc = engine_stop (e, r, x->timeout, err);
      done = "Stopped";
      break;
    case ACTION_RESTART:
      if (is_running (r) && engine_stop (e, r, x->timeout, err) < 0)
        return -1;
      rc = engine_start (e, r, 0, err);
      done = "Restarted";
      break;
    case ACTION_KILL:
      if (!is_running (r))
        return 0;
      rc = engine_kill (e, r, x->signum, err);
      done = "Killed";
      break;
    case ACTION_PAUSE:
    case ACTION_UNPAUSE:
      rc = engine_pause (e, r, x->action == ACTION_PAUSE, err);
      done = x->action == ACTION_PAUSE ? "Paused" : "Unpaused";
      break;
    case ACTION_RM:
      if (is_running (r) && x->stop_first && engine_stop (e, r, x->timeout, err) < 0)
        return -1;
      if (is_running (r) && !x->stop_first)
        return 0; /* rm removes stopped containers only, as Docker Compose's */
      rc = engine_remove (e, r, true, x->volumes, err);
      done = "Removed";
      break;
    }
  if (rc < 0)
    return hk_error_prefix (err, "container %s", r->name);
  fprintf (stderr, " Container %s  %s\n", r->name, done);
  return 0;
}

/* The services of ORDER (dependencies first) backwards for stops. */
static bool
stops (enum action a)
{
  return a == ACTION_STOP || a == ACTION_KILL || a == ACTION_RM || a == ACTION_PAUSE;
}

static int
each_container (struct compose_cli *c, int argc, char **argv, const struct each *x,
                struct hk_error **err)
{
  _cleanup_compose_project_ struct compose_project *p = NULL;
  _cleanup_strv_ char **services = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0
      || compose_cli_services (p, argc, argv, &services, err) < 0)
    return -1;
  _cleanup_free_ const char **order = compose_service_order (p->model);
  size_t n_order = 0;
  while (order[n_order])
    n_order++;
  int rc = 0;
  for (size_t k = 0; k < n_order; k++)
    {
      const char *svc = order[stops (x->action) ? n_order - 1 - k : k];
      if (services && !strv_contains (services, svc))
        continue;
      char *one[] = { (char *)svc, NULL };
      struct ctr_record **list = NULL;
      size_t n = 0;
      if (compose_containers (e, p->name, one, x->action == ACTION_RM, &list, &n, err) < 0)
        return -1;
      for (size_t i = 0; i < n; i++)
        {
          struct hk_error *why = NULL;
          if (act (e, list[i], x, &why) == 0)
            continue;
          if (rc == 0)
            *err = why;
          else
            hk_error_free (why);
          rc = -1;
        }
      ctr_record_list_free (list, n);
    }
  return rc;
}

static int
parse_each (int argc, char **argv, const char *command, struct each *x, struct hk_error **err)
{
  static const struct option options[] = { { "timeout", required_argument, NULL, 't' },
                                           { "signal", required_argument, NULL, 's' },
                                           { "force", no_argument, NULL, 'f' },
                                           { "stop", no_argument, NULL, 'S' },
                                           { "volumes", no_argument, NULL, 'v' },
                                           { NULL, 0, NULL, 0 } };
  const char *shorts = x->action == ACTION_KILL ? "s:" : x->action == ACTION_RM ? "fsv" : "t:";
  long long t;
  int opt;
  while ((opt = getopt_long (argc, argv, shorts, options, NULL)) != -1)
    switch (opt)
      {
      case 't':
        if (config_parse_int (optarg, "-t", 0, 3600, &t, err) < 0)
          return -1;
        x->timeout = (int)t;
        break;
      case 's':
        if (x->action == ACTION_RM)
          {
            x->stop_first = true;
            break;
          }
        if ((x->signum = signal_parse (optarg, err)) < 0)
          return -1;
        break;
      case 'S':
        x->stop_first = true;
        break;
      case 'f':
        x->force = true;
        break;
      case 'v':
        x->volumes = true;
        break;
      default:
        return cli_bad_option (err, command, argv);
      }
  return 0;
}

#define EACH_COMMAND(fn, action_value, name)                                                  \
  static int fn (struct compose_cli *c, int argc, char **argv, struct hk_error **err)        \
  {                                                                                           \
    struct each x = { .action = action_value, .timeout = -1, .signum = SIGKILL };             \
    if (parse_each (argc, argv, "compose " name, &x, err) < 0)                                \
      return -1;                                                                              \
    return each_container (c, argc, argv, &x, err);                                           \
  }

EACH_COMMAND (cmd_start, ACTION_START, "start")
EACH_COMMAND (cmd_stop, ACTION_STOP, "stop")
EACH_COMMAND (cmd_restart, ACTION_RESTART, "restart")
EACH_COMMAND (cmd_kill, ACTION_KILL, "kill")
EACH_COMMAND (cmd_pause, ACTION_PAUSE, "pause")
EACH_COMMAND (cmd_unpause, ACTION_UNPAUSE, "unpause")
EACH_COMMAND (cmd_rm, ACTION_RM, "rm")

/* ---- images ---- */

/* compose pull, or with BUILD compose build; -q: no progress lines. */
static int
pull_or_build (struct compose_cli *c, int argc, char **argv, bool build, struct hk_error **err)
{
  static const struct option options[] = { { "quiet", no_argument, NULL, 'q' },
                                           { NULL, 0, NULL, 0 } };
  FILE *out = stderr;
  int opt;
  while ((opt = getopt_long (argc, argv, "q", options, NULL)) != -1)
    if (opt == 'q')
      out = NULL;
    else
      return cli_bad_option (err, build ? "compose build" : "compose pull", argv);
  _cleanup_compose_project_ struct compose_project *p = NULL;
  _cleanup_strv_ char **services = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0
      || compose_cli_services (p, argc, argv, &services, err) < 0)
    return -1;
  const char *name;
  json_t *svc;
  json_object_foreach (json_object_get (p->model, "services"), name, svc)
  {
    if (services && !strv_contains (services, name))
      continue;
    bool has_build = json_object_get (svc, "build") != NULL;
    if (build != has_build)
      continue;
    if (!build)
      {
        /* pull: as pull_policy always */
        _cleanup_json_ json_t *always = json_deep_copy (svc);
        json_object_set_new (always, "pull_policy", json_string ("always"));
        if (compose_ensure_image (e, p, name, always, false, out, err) < 0)
          return -1;
        continue;
      }
    if (compose_ensure_image (e, p, name, svc, true, out, err) < 0)
      return -1;
  }
  return 0;
}

/* As Docker Compose: the services that are built here and name the image
 * to push (build: and image:); with --include-deps the named services'
 * dependencies too, transitively; with --ignore-push-failures a failed
 * push is reported and the others go on. */
static int
cmd_push (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "ignore-push-failures", no_argument, NULL, 'i' },
    { "include-deps", no_argument, NULL, 'D' },
    { NULL, 0, NULL, 0 },
  };
  bool quiet = false, ignore_failures = false, include_deps = false;
  int opt;
  while ((opt = getopt_long (argc, argv, "q", options, NULL)) != -1)
    if (opt == 'q')
      quiet = true;
    else if (opt == 'i')
      ignore_failures = true;
    else if (opt == 'D')
      include_deps = true;
    else
      return cli_bad_option (err, "compose push", argv);
  _cleanup_compose_project_ struct compose_project *p = NULL;
  _cleanup_strv_ char **named = NULL, **services = NULL;
  struct engine *e;
  if (compose_cli_load (c, &p, &e, err) < 0
      || compose_cli_services (p, argc, argv, &named, err) < 0)
    return -1;
  if (named == NULL || !include_deps)
    services = take_ptr (named);
  else if (compose_selected (p, named, false, &services, err) < 0)
    return -1;
  const char *name;
  json_t *svc;
  json_object_foreach (json_object_get (p->model, "services"), name, svc)
  {
    if ((services && !strv_contains (services, name)) || !json_object_get (svc, "build")
        || !json_object_get (svc, "image"))
      continue;
    if (compose_push_image (e, name, svc, quiet, stderr, err) == 0)
      continue;
    if (!ignore_failures)
      return -1;
    fprintf (stderr, "hako compose push: %s (ignored)\n", (*err)->message);
    hk_error_free (*err);
    *err = NULL;
  }
  return 0;
}

static int
cmd_pull (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  return pull_or_build (c, argc, argv, false, err);
}

static int
cmd_build (struct compose_cli *c, int argc, char **argv, struct hk_error **err)
{
  return pull_or_build (c, argc, argv, true, err);
}

const struct compose_command compose_life_commands[] = {
  { "up", cmd_up, up_usage, "create and start the services' containers" },
  { "down", cmd_down, down_usage, "remove the project's containers and networks (-v: volumes)" },
  { "create", cmd_create, "[SERVICE...]", "create the services' containers" },
  { "start", cmd_start, "[SERVICE...]", "start the services' containers" },
  { "stop", cmd_stop, "[-t SECONDS] [SERVICE...]", "stop the services' containers" },
  { "restart", cmd_restart, "[-t SECONDS] [SERVICE...]", "restart the services' containers" },
  { "kill", cmd_kill, "[-s SIGNAL] [SERVICE...]", "kill the services' containers" },
  { "pause", cmd_pause, "[SERVICE...]", "pause the services' containers" },
  { "unpause", cmd_unpause, "[SERVICE...]", "unpause the services' containers" },
  { "rm", cmd_rm, "[-f] [-s] [-v] [SERVICE...]", "remove the services' stopped containers" },
  { "pull", cmd_pull, "[SERVICE...]", "pull the services' images" },
  { "build", cmd_build, "[SERVICE...]", "build the services that have build:" },
  { "push", cmd_push, "[-q] [--ignore-push-failures] [--include-deps] [SERVICE...]",
    "push the images of the services that have build: and image:" },
  { NULL, NULL, NULL, NULL },
};
