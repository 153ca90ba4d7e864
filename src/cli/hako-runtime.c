/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime: an OCI runtime with runc's command line. */
#include "runtime-cli.h"
#include "cli-option-error.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct
{
  const char *name;
  verb_fn fn;
} verbs[] = { /* their summaries: docs/man/hako-runtime.txt */
  { "create", verb_create },
  { "start", verb_start },
  { "run", verb_run },
  { "exec", verb_exec },
  { "state", verb_state },
  { "kill", verb_kill },
  { "delete", verb_delete },
  { "list", verb_list },
  { "pause", verb_pause },
  { "resume", verb_resume },
  { "ps", verb_ps },
  { "update", verb_update },
  { "events", verb_events },
  { "checkpoint", verb_checkpoint },
  { "restore", verb_restore },
  { "features", verb_features },
  { "spec", verb_spec },
};

static void
usage (FILE *out)
{
  fputs (runtime_help, out);
}

int
cli_usage_error (struct hk_error **err, const char *verb, const char *usage_text, const char *why)
{
  return hk_error_set (err, EINVAL, "%s\nusage: hako-runtime %s %s", why, verb, usage_text);
}

int
cli_bad_runtime_option (struct hk_error **err, const char *verb, char **argv)
{
  _cleanup_free_ char *command = xasprintf ("hako-runtime %s", verb);
  return cli_option_error (err, command, "hako-runtime", NULL, argv);
}

int
cli_one_id (int argc, char **argv, const char *verb, const char *usage_text, const char **id,
            struct hk_error **err)
{
  if (optind >= argc)
    return cli_usage_error (err, verb, usage_text, "missing container id");
  if (optind + 1 < argc)
    return cli_usage_error (err, verb, usage_text, "too many arguments");
  *id = argv[optind];
  return 0;
}

int
cli_print (const char *text, struct hk_error **err)
{
  if (fs_write_all (1, text, strlen (text)) < 0)
    return hk_error_errno (err, errno, "write to stdout");
  return 0;
}

static int
open_log (struct cli *cli, const char *path, struct hk_error **err)
{
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return hk_error_errno (err, errno, "--log `%s`", path);
  cli->log.fd = fd;
  cli->log.also_stderr = true;
  return 0;
}

static int
systemd_cgroup_error (struct hk_error **err)
{
  if (access ("/run/systemd/system", F_OK) < 0)
    return hk_error_set (err, ENOTSUP,
                         "--systemd-cgroup: systemd is not running on this host (PID 1 is not "
                         "systemd); use the default cgroupfs driver");
  return hk_error_set (err, ENOTSUP,
                       "--systemd-cgroup: the systemd cgroup driver is not supported; use the "
                       "default cgroupfs driver");
}

static int
parse_globals (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  enum
  {
    OPT_ROOT = 1000,
    OPT_LOG,
    OPT_LOG_FORMAT,
    OPT_DEBUG,
    OPT_SYSTEMD,
    OPT_ROOTLESS,
    OPT_CRIU
  };
  static const struct option options[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "log", required_argument, NULL, OPT_LOG },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
    { "rootless", required_argument, NULL, OPT_ROOTLESS },
    { "criu", required_argument, NULL, OPT_CRIU },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *log_path = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "+vh", options, NULL)) != -1)
    switch (c)
      {
      case OPT_ROOT:
        cli->rt.state_root = optarg;
        break;
      case OPT_LOG:
        log_path = optarg;
        break;
      case OPT_LOG_FORMAT:
        if (strcmp (optarg, "json") == 0)
          cli->log.format = HK_LOG_JSON;
        else if (strcmp (optarg, "text") == 0)
          cli->log.format = HK_LOG_TEXT;
        else
          return hk_error_set (err, EINVAL, "--log-format: `%s` is not text or json", optarg);
        break;
      case OPT_DEBUG:
        cli->log.level = HK_LOG_DEBUG;
        break;
      case OPT_SYSTEMD:
        return systemd_cgroup_error (err);
      case OPT_CRIU:
        cli->criu = optarg;
        break;
      case OPT_ROOTLESS:
        break; /* accepted for compatibility; decided at run time */
      case 'v':
        printf ("hako-runtime version %s\nspec: %s\n", HAKO_VERSION, OCI_RUNTIME_SPEC_VERSION);
        exit (0);
      case 'h':
        usage (stdout);
        exit (0);
      default:
        return cli_option_error (err, "hako-runtime", "hako-runtime", NULL, argv);
      }
  if (log_path != NULL && open_log (cli, log_path, err) < 0)
    return -1;
  return 0;
}

void
cli_report_error (const struct cli *cli, const struct hk_error *e)
{
  fprintf (stderr, "hako-runtime: %s\n", e->message);
  if (cli->log.fd != 2)
    hk_log (&cli->log, HK_LOG_ERROR, "%s", e->message);
}

int
main (int argc, char **argv)
{
  struct cli cli = {
    .rt = { .state_root = "/run/hako/runtime", .cgroup_root = "/sys/fs/cgroup" },
    .log = HK_LOG_INIT,
    .argv0 = argv[0],
    .argv = argv,
  };
  cli.rt.log = &cli.log;
  /* A caller that ignores SIGCHLD would make our children unwaitable. */
  signal (SIGCHLD, SIG_DFL);
  opterr = 0; /* cli_option_error says what getopt refused, in one line */
  const char *cgroup_root = getenv ("HAKO_CGROUP_ROOT");
  if (cgroup_root != NULL && *cgroup_root != '\0')
    cli.rt.cgroup_root = cgroup_root;

  _cleanup_error_ struct hk_error *err = NULL;
  if (parse_globals (&cli, argc, argv, &err) < 0)
    {
      cli_report_error (&cli, err);
      return 1;
    }
  if (optind >= argc)
    {
      usage (stderr);
      return 1;
    }
  const char *name = argv[optind];
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    {
      if (strcmp (name, verbs[i].name) != 0)
        continue;
      int verb_argc = argc - optind;
      char **verb_argv = argv + optind;
      optind = 1;
      int status = verbs[i].fn (&cli, verb_argc, verb_argv, &err);
      if (status < 0)
        {
          cli_report_error (&cli, err);
          return 1;
        }
      return status;
    }
  fprintf (stderr, "hako-runtime: unknown command `%s`\n", name);
  usage (stderr);
  return 1;
}
