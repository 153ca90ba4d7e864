/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime start / kill / delete / pause / resume */
#include "runtime-cli.h"
#include "common/signals.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

static int
parse_no_options (int argc, char **argv, const char *verb, const char *usage, const char **id,
                  struct hk_error **err)
{
  static const struct option options[] = { { NULL, 0, NULL, 0 } };
  if (getopt_long (argc, argv, "", options, NULL) != -1)
    return cli_bad_runtime_option (err, verb, argv);
  return cli_one_id (argc, argv, verb, usage, id, err);
}

int
verb_start (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *id;
  if (parse_no_options (argc, argv, "start", "ID", &id, err) < 0
      || container_start (&cli->rt, id, err) < 0)
    return -1;
  return 0;
}

int
verb_kill (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--all] ID [SIGNAL]";
  static const struct option options[] = { { "all", no_argument, NULL, 'a' },
                                           { NULL, 0, NULL, 0 } };
  bool all = false;
  int c;
  while ((c = getopt_long (argc, argv, "a", options, NULL)) != -1)
    {
      if (c != 'a')
        return cli_bad_runtime_option (err, "kill", argv);
      all = true;
    }
  int left = argc - optind;
  if (left < 1 || left > 2)
    return cli_usage_error (err, "kill", usage, left < 1 ? "missing container id" : "too many arguments");
  int signum = SIGTERM;
  if (left == 2 && (signum = signal_parse (argv[optind + 1], err)) < 0)
    return -1;
  return container_kill (&cli->rt, argv[optind], signum, all, err) < 0 ? -1 : 0;
}

int
verb_delete (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--force] ID";
  static const struct option options[] = { { "force", no_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    {
      if (c != 'f')
        return cli_bad_runtime_option (err, "delete", argv);
      force = true;
    }
  const char *id;
  if (cli_one_id (argc, argv, "delete", usage, &id, err) < 0)
    return -1;
  if (container_delete (&cli->rt, id, force, err) < 0)
    {
      /* runc's --force also succeeds for a container that is gone. */
      if (force && (*err)->errnum == ENOENT)
        return 0;
      return -1;
    }
  return 0;
}

int
verb_pause (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *id;
  if (parse_no_options (argc, argv, "pause", "ID", &id, err) < 0
      || container_pause (&cli->rt, id, true, err) < 0)
    return -1;
  return 0;
}

int
verb_resume (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *id;
  if (parse_no_options (argc, argv, "resume", "ID", &id, err) < 0
      || container_pause (&cli->rt, id, false, err) < 0)
    return -1;
  return 0;
}
