/* SPDX-License-Identifier: Apache-2.0 */
/* hako run / create / start / stop / restart / kill / rm / wait, and the
 * commands a container's monitor runs (container cleanup, healthcheck). */
#include "engine/engine.h"
#include "engine/engine-events.h"
#include "engine/pod.h"
#include "cli-bool.h"
#include "hako-attach-container.h"
#include "hako-cli.h"
#include "hako-run-options.h"
#include "common/cleanup.h"
#include "common/signals.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The status of a `run` whose container could not start: Docker's 127
 * when its program does not exist, 126 when it cannot be executed (the
 * error printed here), else -1: hako's own failure (125). */
static int
run_start_failure_status (struct hk_error *err)
{
  int status = err->errnum == ENOENT ? 127 : err->errnum == EACCES ? 126 : -1;
  if (status > 0)
    fprintf (stderr, "Error: %s\n", err->message);
  return status;
}

/* create, in a pod with --pod; a pod made for it (new:NAME) in *MADE. */
static int
create_container (struct engine *e, struct run_request *req, struct ctr_record **r,
                  struct pod_record **made, struct hk_error **err)
{
  *made = NULL;
  if (req->pod)
    return pod_create_container (e, req->pod, req->image, &req->config, req->name, r, made, err);
  return engine_create (e, req->image, &req->config, req->name, r, err);
}

static int
cmd_run (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct run_request req;
  struct engine *e;
  int rc = -1;
  /* Before the first goto: the cleanup runs on every way out. */
  _cleanup_record_ struct ctr_record *r = NULL;
  _cleanup_pod_record_ struct pod_record *made = NULL;
  if (run_options_parse (argc, argv, "run", true, &req, err) < 0 || cli_engine (cli, &e, err) < 0)
    goto out;
  bool with_stdin = req.config.open_stdin;
  if (create_container (e, &req, &r, &made, err) < 0)
    goto out;
  if (engine_start (e, r, req.detach ? 0 : ENGINE_START_ON_ATTACH, err) < 0)
    {
      /* A run that cannot start leaves nothing behind: nor a pod it made. */
      struct hk_error *ignored = NULL;
      engine_remove (e, r, true, true, &ignored);
      hk_error_freep (&ignored);
      if (made && pod_remove (e, made, true, &ignored) < 0)
        hk_error_free (ignored);
      rc = run_start_failure_status (*err);
      goto out;
    }
  if (req.detach)
    {
      printf ("%s\n", r->id);
      rc = 0;
      goto out;
    }
  struct attach_mode mode = { .with_stdin = with_stdin,
                              .detach_keys = req.detach_keys,
                              .sig_proxy = !req.no_sig_proxy };
  rc = attach_container (e, r, true, &mode, err);
out:
  run_request_clear (&req);
  return rc;
}

static int
cmd_create (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct run_request req;
  struct engine *e;
  int rc = -1;
  _cleanup_record_ struct ctr_record *r = NULL;
  _cleanup_pod_record_ struct pod_record *made = NULL;
  if (run_options_parse (argc, argv, "create", false, &req, err) == 0
      && cli_engine (cli, &e, err) == 0 && create_container (e, &req, &r, &made, err) == 0)
    {
      printf ("%s\n", r->id);
      rc = 0;
    }
  run_request_clear (&req);
  return rc;
}

struct start_flags
{
  bool attach, interactive;
  int code;
};

static int
start_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  struct start_flags *f = data;
  if (engine_start (e, r, f->attach ? ENGINE_START_ON_ATTACH : 0, err) < 0)
    return -1;
  if (f->attach)
    {
      struct attach_mode mode = { .with_stdin = f->interactive, .sig_proxy = true };
      f->code = attach_container (e, r, true, &mode, err);
      return f->code < 0 ? -1 : 0;
    }
  return 0;
}

static int
cmd_start (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "attach", no_argument, NULL, 'a' },
                                           { "interactive", no_argument, NULL, 'i' },
                                           { NULL, 0, NULL, 0 } };
  struct start_flags f = { 0 };
  int c;
  while ((c = getopt_long (argc, argv, "ai", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        f.attach = true;
        break;
      case 'i':
        f.interactive = true;
        break;
      default:
        return cli_bad_option (err, "start", argv);
      }
  if (f.attach && argc - optind > 1)
    return cli_usage (err, "start", "[-a] [-i] CONTAINER...", "-a attaches to one container only");
  int r = cli_each_container (cli, argc, argv, "start", "[-a] [-i] CONTAINER...", start_one, &f,
                          !f.attach, err);
  return r < 0 ? -1 : (f.attach ? f.code : 0);
}

static int
cmd_attach (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--no-stdin] [--detach-keys KEYS] [--sig-proxy=false] CONTAINER";
  enum
  {
    OPT_NO_STDIN = 256,
    OPT_DETACH_KEYS,
    OPT_SIG_PROXY,
  };
  static const struct option options[] = {
    { "no-stdin", no_argument, NULL, OPT_NO_STDIN },
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
    { NULL, 0, NULL, 0 },
  };
  bool with_stdin = true, sig_proxy = true;
  const char *detach_keys = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case OPT_NO_STDIN:
        with_stdin = false;
        break;
      case OPT_DETACH_KEYS:
        detach_keys = optarg;
        break;
      case OPT_SIG_PROXY:
        if (cli_bool (optarg, "--sig-proxy", &sig_proxy, err) < 0)
          return -1;
        break;
      default:
        return cli_bad_option (err, "attach", argv);
      }
  if (argc - optind != 1)
    return cli_usage (err, "attach", usage, "expected one container");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0)
    return -1;
  if (strcmp (r->state, "running") != 0 && strcmp (r->state, "paused") != 0)
    return hk_error_set (err, EINVAL, "you cannot attach to a stopped container, start it first");
  struct attach_mode mode = { .with_stdin = with_stdin && r->config.open_stdin,
                              .detach_keys = detach_keys,
                              .sig_proxy = sig_proxy };
  engine_event (e, r, "attach", NULL, NULL);
  return attach_container (e, r, false, &mode, err);
}

static int
parse_timeout (int argc, char **argv, const char *command, int *timeout, struct hk_error **err)
{
  static const struct option options[] = { { "time", required_argument, NULL, 't' },
                                           { "timeout", required_argument, NULL, 't' },
                                           { NULL, 0, NULL, 0 } };
  *timeout = -1;
  int c;
  while ((c = getopt_long (argc, argv, "t:", options, NULL)) != -1)
    {
      if (c != 't')
        return cli_bad_option (err, command, argv);
      char *end;
      long v = strtol (optarg, &end, 10);
      if (*end || end == optarg || v < 0)
        return hk_error_set (err, EINVAL, "-t: \"%s\" is not a number of seconds", optarg);
      *timeout = (int)v;
    }
  return 0;
}

static int
stop_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  return engine_stop (e, r, *(int *)data, err);
}

static int
cmd_stop (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  int timeout;
  if (parse_timeout (argc, argv, "stop", &timeout, err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "stop", "[-t SECONDS] CONTAINER...", stop_one, &timeout,
                         true, err);
}

static int
restart_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  if (engine_stop (e, r, *(int *)data, err) < 0)
    return -1;
  return engine_start (e, r, 0, err);
}

static int
cmd_restart (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  int timeout;
  if (parse_timeout (argc, argv, "restart", &timeout, err) < 0)
    return -1;
  return cli_each_container (cli, argc, argv, "restart", "[-t SECONDS] CONTAINER...", restart_one,
                         &timeout, true, err);
}

static int
kill_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  return engine_kill (e, r, *(int *)data, err);
}

static int
cmd_kill (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "signal", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
  int signum = SIGKILL, c;
  while ((c = getopt_long (argc, argv, "s:", options, NULL)) != -1)
    {
      if (c != 's')
        return cli_bad_option (err, "kill", argv);
      if ((signum = signal_parse (optarg, err)) < 0)
        return -1;
    }
  return cli_each_container (cli, argc, argv, "kill", "[-s SIGNAL] CONTAINER...", kill_one, &signum,
                         true, err);
}

struct rm_flags
{
  bool force, volumes;
};

static int
rm_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  struct rm_flags *f = data;
  if (r->config.pod_infra)
    return hk_error_set (err, EBUSY,
                         "container %s is the infra container of a pod: remove the pod "
                         "(hako pod rm)",
                         r->name);
  return engine_remove (e, r, f->force, f->volumes, err);
}

static int
cmd_rm (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "force", no_argument, NULL, 'f' },
                                           { "volumes", no_argument, NULL, 'v' },
                                           { NULL, 0, NULL, 0 } };
  struct rm_flags f = { 0 };
  int c;
  while ((c = getopt_long (argc, argv, "fv", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        f.force = true;
        break;
      case 'v':
        f.volumes = true;
        break;
      default:
        return cli_bad_option (err, "rm", argv);
      }
  return cli_each_container (cli, argc, argv, "rm", "[-f] [-v] CONTAINER...", rm_one, &f, true, err);
}

static int
wait_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  int code;
  if (engine_wait (e, r, &code, err) < 0)
    return -1;
  printf ("%d\n", code);
  fflush (stdout);
  return 0;
}

static int
cmd_wait (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (getopt_long (argc, argv, "", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
    return cli_bad_option (err, "wait", argv);
  return cli_each_container (cli, argc, argv, "wait", "CONTAINER...", wait_one, NULL, false, err);
}

/* The monitor's commands take the container ID and nothing else. */
/* container monitor ID [--notify-fd N] [--owner-fd N] [--start-on-attach]: what a
 * monitor re-executes from the sealed copy of hako. */
static int
cmd_monitor (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "notify-fd", required_argument, NULL, 'n' },
          { "owner-fd", required_argument, NULL, 'o' },
          { "start-on-attach", no_argument, NULL, 's' },
          { NULL, 0, NULL, 0 } };
  int notify_fd = -1, owner_fd = -1, c;
  bool start_on_attach = false;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 'n':
        notify_fd = atoi (optarg);
        break;
      case 'o':
        owner_fd = atoi (optarg);
        break;
      case 's':
        start_on_attach = true;
        break;
      default:
        return hk_error_set (err, EINVAL, "container monitor: unknown option");
      }
  if (optind >= argc)
    return hk_error_set (err, EINVAL, "missing container ID");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0
      || engine_monitor (e, argv[optind], start_on_attach, notify_fd, owner_fd, err) < 0)
    {
      if (notify_fd >= 0)
        dprintf (notify_fd, "error: %s\n", *err ? (*err)->message : "unknown error");
      return -1;
    }
  return 0;
}

static int
cmd_cleanup (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct engine *e;
  if (argc < 2)
    return hk_error_set (err, EINVAL, "missing container ID");
  return cli_engine (cli, &e, err) < 0 ? -1 : engine_cleanup (e, argv[1], err);
}

static int
cmd_healthcheck (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct engine *e;
  if (argc < 2)
    return hk_error_set (err, EINVAL, "missing container ID");
  return cli_engine (cli, &e, err) < 0 ? -1 : engine_healthcheck (e, argv[1], cli->argv, err);
}

const struct hako_command hako_container_commands[] = {
  { "container", "run", cmd_run, run_options_usage, "create and start a container",
    .raw_args = true, .top_level = true },
  { "container", "create", cmd_create, run_options_usage, "create a container", .raw_args = true,
    .top_level = true },
  { "container", "start", cmd_start, "[-a] [-i] CONTAINER...", "start containers",
    .top_level = true },
  { "container", "attach", cmd_attach,
    "[--no-stdin] [--detach-keys KEYS] [--sig-proxy=false] CONTAINER",
    "attach to a running container's input and output", .top_level = true },
  { "container", "stop", cmd_stop, "[-t SECONDS] CONTAINER...",
    "stop containers (SIGTERM, then SIGKILL)", .top_level = true },
  { "container", "restart", cmd_restart, "[-t SECONDS] CONTAINER...", "restart containers",
    .top_level = true },
  { "container", "kill", cmd_kill, "[-s SIGNAL] CONTAINER...", "send a signal to containers",
    .top_level = true },
  { "container", "rm", cmd_rm, "[-f] [-v] CONTAINER...", "remove containers", .top_level = true },
  { "container", "wait", cmd_wait, "CONTAINER...",
    "wait for containers to stop; print their exit codes", .top_level = true },
  { "container", "cleanup", cmd_cleanup, "ID", "(run by a container's monitor)", true, true },
  { "container", "monitor", cmd_monitor, "[--notify-fd N] [--owner-fd N] [--start-on-attach] ID",
    "(run by a container's monitor)", true },
  { "container", "healthcheck", cmd_healthcheck, "ID", "(run by a container's monitor)", true,
    true },
  { NULL, NULL, NULL, NULL, NULL },
};
