/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime checkpoint / restore */
#include "runtime-cli.h"
#include "runtime/checkpoint.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

enum
{
  OPT_IMAGE = 1000,
  OPT_WORK,
  OPT_LEAVE,
  OPT_TCP,
  OPT_LOCKS,
  OPT_UNIX,
  OPT_SHELL,
  OPT_CGROUPS,
  OPT_BUNDLE,
  OPT_PID_FILE,
  OPT_CONSOLE,
  OPT_NO_PIVOT,
  OPT_PRE_DUMP,
  OPT_EMPTY_NS,
  OPT_PARENT,
  OPT_IGNORED,
  OPT_IGNORED_ARG,
};

static int
manage_cgroups_mode (const char *mode, struct hk_error **err)
{
  static const char *const modes[] = { "soft", "full", "strict", "ignore" };
  for (size_t i = 0; i < 4; i++)
    if (strcmp (mode, modes[i]) == 0)
      return 0;
  return hk_error_set (err, EINVAL, "--manage-cgroups-mode: `%s` is not soft, full, strict or ignore", mode);
}

/* runc's --empty-ns: only "network" has a meaning to criu here. */
static int
empty_ns (const char *type, struct hk_error **err)
{
  if (strcmp (type, "network") != 0)
    return hk_error_set (err, EINVAL, "--empty-ns: `%s` is not supported (only network)", type);
  return 0;
}

int
verb_checkpoint (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[]
      = "--image-path DIR [--work-path DIR] [--pre-dump] [--parent-path DIR] [--leave-running] "
        "[--tcp-established] "
        "[--file-locks] [--ext-unix-sk] [--shell-job] [--empty-ns network] [--manage-cgroups-mode MODE] ID";
  static const struct option options[] = {
    { "image-path", required_argument, NULL, OPT_IMAGE },
    { "work-path", required_argument, NULL, OPT_WORK },
    { "leave-running", no_argument, NULL, OPT_LEAVE },
    { "pre-dump", no_argument, NULL, OPT_PRE_DUMP },
    { "parent-path", required_argument, NULL, OPT_PARENT },
    { "tcp-established", no_argument, NULL, OPT_TCP },
    { "file-locks", no_argument, NULL, OPT_LOCKS },
    { "ext-unix-sk", no_argument, NULL, OPT_UNIX },
    { "shell-job", no_argument, NULL, OPT_SHELL },
    { "empty-ns", required_argument, NULL, OPT_EMPTY_NS },
    { "manage-cgroups-mode", required_argument, NULL, OPT_CGROUPS },
    { "page-server", required_argument, NULL, OPT_IGNORED_ARG },
    { "auto-dedup", no_argument, NULL, OPT_IGNORED },
    { NULL, 0, NULL, 0 },
  };
  struct checkpoint_options o = { .criu = cli->criu };
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case OPT_IMAGE: o.image_path = optarg; break;
      case OPT_WORK: o.work_path = optarg; break;
      case OPT_LEAVE: o.leave_running = true; break;
      case OPT_PRE_DUMP: o.pre_dump = true; break;
      case OPT_PARENT: o.parent_path = optarg; break;
      case OPT_TCP: o.tcp_established = true; break;
      case OPT_LOCKS: o.file_locks = true; break;
      case OPT_UNIX: o.ext_unix_sk = true; break;
      case OPT_SHELL: o.shell_job = true; break;
      case OPT_EMPTY_NS:
        if (empty_ns (optarg, err) < 0)
          return -1;
        o.empty_netns = true;
        break;
      case OPT_CGROUPS:
        if (manage_cgroups_mode (optarg, err) < 0)
          return -1;
        o.manage_cgroups_mode = optarg;
        break;
      case OPT_IGNORED:
      case OPT_IGNORED_ARG:
        break;
      default:
        return cli_bad_runtime_option (err, "checkpoint", argv);
      }
  if (cli_one_id (argc, argv, "checkpoint", usage, &o.id, err) < 0)
    return -1;
  if (o.image_path == NULL)
    return cli_usage_error (err, "checkpoint", usage, "--image-path is required");
  return container_checkpoint (&cli->rt, &o, err) < 0 ? -1 : 0;
}

int
verb_restore (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[]
      = "--image-path DIR --bundle DIR [--work-path DIR] [--detach] [--pid-file F] "
        "[--tcp-established] [--file-locks] [--ext-unix-sk] [--shell-job] [--empty-ns network] "
        "[--manage-cgroups-mode MODE] [--console-socket PATH] ID";
  static const struct option options[] = {
    { "image-path", required_argument, NULL, OPT_IMAGE },
    { "work-path", required_argument, NULL, OPT_WORK },
    { "bundle", required_argument, NULL, 'b' },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "console-socket", required_argument, NULL, OPT_CONSOLE },
    { "tcp-established", no_argument, NULL, OPT_TCP },
    { "file-locks", no_argument, NULL, OPT_LOCKS },
    { "ext-unix-sk", no_argument, NULL, OPT_UNIX },
    { "shell-job", no_argument, NULL, OPT_SHELL },
    { "empty-ns", required_argument, NULL, OPT_EMPTY_NS },
    { "manage-cgroups-mode", required_argument, NULL, OPT_CGROUPS },
    { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
    { "no-subreaper", no_argument, NULL, OPT_IGNORED },
    { NULL, 0, NULL, 0 },
  };
  struct restore_options o = { .create = CREATE_OPTIONS_INIT, .criu = cli->criu };
  o.create.bundle = ".";
  o.create.reexec_argv = cli->argv;
  int c;
  /* Go's flag syntax too, as runc: the runc shim passes -no-subreaper. */
  while ((c = getopt_long_only (argc, argv, "b:d", options, NULL)) != -1)
    switch (c)
      {
      case OPT_IMAGE: o.image_path = optarg; break;
      case OPT_WORK: o.work_path = optarg; break;
      case 'b': o.create.bundle = optarg; break;
      case 'd': o.detach = true; break;
      case OPT_PID_FILE: o.create.pid_file = optarg; break;
      case OPT_CONSOLE: o.create.console_socket = optarg; break;
      case OPT_TCP: o.tcp_established = true; break;
      case OPT_LOCKS: o.file_locks = true; break;
      case OPT_UNIX: o.ext_unix_sk = true; break;
      case OPT_SHELL: o.shell_job = true; break;
      case OPT_EMPTY_NS:
        if (empty_ns (optarg, err) < 0)
          return -1;
        o.empty_netns = true;
        break;
      case OPT_NO_PIVOT: o.create.no_pivot = true; break;
      case OPT_CGROUPS:
        if (manage_cgroups_mode (optarg, err) < 0)
          return -1;
        o.manage_cgroups_mode = optarg;
        break;
      case OPT_IGNORED:
        break;
      default:
        return cli_bad_runtime_option (err, "restore", argv);
      }
  if (cli_one_id (argc, argv, "restore", usage, &o.create.id, err) < 0)
    return -1;
  if (o.image_path == NULL)
    return cli_usage_error (err, "restore", usage, "--image-path is required");
  int status = 1;
  if (container_restore (&cli->rt, &o, &status, err) < 0)
    {
      cli_report_error (cli, *err);
      return status;
    }
  return status;
}
