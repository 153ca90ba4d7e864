/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime create / run */
#include "runtime-cli.h"
#include "common/cleanup.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char create_usage[]
    = "[--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--preserve-fds N] "
      "[--no-pivot] [--no-new-keyring] ID";
static const char run_usage[]
    = "[--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--preserve-fds N] "
      "[--no-pivot] [--no-new-keyring] [--detach | --keep] ID";

/* Options shared by create and run; *DETACH only for run. */
static int
parse_create_options (int argc, char **argv, const char *verb, const char *usage,
                      struct create_options *o, bool *detach, struct hk_error **err)
{
  enum { OPT_PID_FILE = 1000, OPT_CONSOLE, OPT_PRESERVE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_NO_SUBREAPER, OPT_KEEP };
  static const struct option options[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "console-socket", required_argument, NULL, OPT_CONSOLE },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
    { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
    { "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
    { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
    { "detach", no_argument, NULL, 'd' },
    { "keep", no_argument, NULL, OPT_KEEP },
    { NULL, 0, NULL, 0 },
  };
  o->bundle = ".";
  int c;
  while ((c = getopt_long (argc, argv, "b:d", options, NULL)) != -1)
    switch (c)
      {
      case 'b':
        o->bundle = optarg;
        break;
      case OPT_PID_FILE:
        o->pid_file = optarg;
        break;
      case OPT_CONSOLE:
        o->console_socket = optarg;
        break;
      case OPT_PRESERVE:
        {
          char *end;
          errno = 0;
          long n = strtol (optarg, &end, 10);
          if (errno || *end || n < 0 || n > 1024)
            return cli_usage_error (err, verb, usage, "--preserve-fds: not a number of fds");
          o->preserve_fds = (int) n;
          break;
        }
      case OPT_NO_PIVOT:
        o->no_pivot = true;
        break;
      case OPT_NO_KEYRING:
      case OPT_NO_SUBREAPER:
        break; /* no session keyring is made; nothing to do */
      case 'd':
      case OPT_KEEP:
        if (detach == NULL)
          return cli_usage_error (err, verb, usage, c == 'd' ? "unknown option --detach"
                                                             : "unknown option --keep");
        if (c == 'd')
          *detach = true;
        else
          o->keep = true;
        break;
      default:
        return cli_bad_runtime_option (err, verb, argv);
      }
  if (o->keep && detach != NULL && *detach)
    return cli_usage_error (err, verb, usage,
                            "--keep applies to a container run in the foreground, not --detach");
  return cli_one_id (argc, argv, verb, usage, &o->id, err);
}

int
verb_create (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct create_options o = CREATE_OPTIONS_INIT;
  o.reexec_argv = cli->argv;
  if (parse_create_options (argc, argv, "create", create_usage, &o, NULL, err) < 0
      || container_create (&cli->rt, &o, err) < 0)
    return -1;
  return 0;
}

int
verb_run (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct create_options o = CREATE_OPTIONS_INIT;
  o.reexec_argv = cli->argv;
  bool detach = false;
  if (parse_create_options (argc, argv, "run", run_usage, &o, &detach, err) < 0)
    return -1;
  int status = 1;
  if (container_run (&cli->rt, &o, detach, &status, err) < 0)
    {
      /* 126/127 when the program could not be executed, as shells do. */
      cli_report_error (cli, *err);
      return status;
    }
  return status;
}
