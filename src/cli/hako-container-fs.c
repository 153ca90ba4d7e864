/* SPDX-License-Identifier: Apache-2.0 */
/* hako cp / export / diff / commit: a container's file system. */
#include "engine/engine.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char cp_usage[] = "[-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-\n"
                               "       hako cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH";

/* A reader of our tar that goes away (`| head`) must not kill us before
 * we unmount what we mounted: the write fails with EPIPE instead. */
static void
survive_closed_output (void)
{
  signal (SIGPIPE, SIG_IGN);
}

static int
cmd_cp (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "archive", no_argument, NULL, 'a' },
                                           { "follow-link", no_argument, NULL, 'L' },
                                           { "quiet", no_argument, NULL, 'q' },
                                           { NULL, 0, NULL, 0 } };
  struct engine_copy_options o = { 0 };
  int c;
  while ((c = getopt_long (argc, argv, "aLq", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        o.archive = true;
        break;
      case 'L':
        o.follow = true;
        break;
      case 'q':
        break; /* hako shows no progress anyway */
      default:
        return cli_usage (err, "cp", cp_usage, "unknown option");
      }
  if (argc - optind != 2)
    return cli_usage (err, "cp", cp_usage, "expected a source and a destination");
  if (strcmp (argv[optind + 1], "-") == 0 && cli->stdout_is_tty)
    return hk_error_set (err, EINVAL, "not writing a tar archive to a terminal: redirect it");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  survive_closed_output ();
  return engine_copy (e, argv[optind], argv[optind + 1], &o, err);
}

static int
cmd_export (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[-o FILE] CONTAINER";
  static const struct option options[]
      = { { "output", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
  const char *output = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "o:", options, NULL)) != -1)
    {
      if (c != 'o')
        return cli_usage (err, "export", usage, "unknown option");
      output = optarg;
    }
  if (argc - optind != 1)
    return cli_usage (err, "export", usage, "expected one container");
  if (output == NULL && cli->stdout_is_tty)
    return hk_error_set (err, EINVAL,
                         "not writing a tar archive to a terminal: use -o FILE or redirect it");
  struct engine *e;
  _cleanup_record_ struct container_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0)
    return -1;
  survive_closed_output ();
  if (output == NULL)
    return engine_export (e, r, STDOUT_FILENO, err);
  _cleanup_close_ int fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return hk_error_errno (err, errno, "create `%s`", output);
  if (engine_export (e, r, fd, err) < 0)
    {
      unlink (output); /* no half archive */
      return -1;
    }
  if (fsync (fd) < 0)
    return hk_error_errno (err, errno, "write `%s`", output);
  return 0;
}

const struct hako_command hako_container_fs_commands[] = {
  { NULL, "cp", cmd_cp, cp_usage, "copy files between a container and the host" },
  { NULL, "export", cmd_export, "[-o FILE] CONTAINER", "a container's file system as a tar" },
  { "container", "cp", cmd_cp, cp_usage, "copy files", true },
  { "container", "export", cmd_export, "[-o FILE] CONTAINER", "export a container", true },
  { NULL, NULL, NULL, NULL, NULL },
};
