/* SPDX-License-Identifier: Apache-2.0 */
/* hako exec: a command in a running container. */
#include "engine/engine-exec.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "[-d] [-i] [-t] [-e NAME=VALUE] [--env-file FILE] [-u USER] [-w DIR] "
                            "[--privileged] CONTAINER COMMAND [ARG...]";

enum
{
  OPT_ENV_FILE = 256,
  OPT_PRIVILEGED,
  OPT_DETACH_KEYS,
};

/* --env-file: NAME=VALUE lines; blank lines and # comments skipped. */
static int
read_env_file (const char *path, char ***env, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, NULL, err) < 0)
    return hk_error_prefix (err, "--env-file");
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      line += strspn (line, " \t");
      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '=')
        return hk_error_set (err, EINVAL, "--env-file %s: \"%s\" has no variable name", path, line);
      strv_append (env, line);
    }
  return 0;
}

static int
parse (int argc, char **argv, struct engine_exec_request *q, struct hk_error **err)
{
  static const struct option options[] = {
    { "detach", no_argument, NULL, 'd' },
    { "interactive", no_argument, NULL, 'i' },
    { "tty", no_argument, NULL, 't' },
    { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, OPT_ENV_FILE },
    { "user", required_argument, NULL, 'u' },
    { "workdir", required_argument, NULL, 'w' },
    { "privileged", no_argument, NULL, OPT_PRIVILEGED },
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { NULL, 0, NULL, 0 },
  };
  int c;
  /* "+": the options end at the container's name; the rest is the command's. */
  while ((c = getopt_long (argc, argv, "+dite:u:w:", options, NULL)) != -1)
    switch (c)
      {
      case 'd':
        q->detach = true;
        break;
      case 'i':
        q->interactive = true;
        break;
      case 't':
        q->tty = true;
        break;
      case 'e':
        if (*optarg == '=' || *optarg == '\0')
          return hk_error_set (err, EINVAL, "--env: \"%s\" has no variable name", optarg);
        strv_append (&q->env, optarg);
        break;
      case OPT_ENV_FILE:
        if (read_env_file (optarg, &q->env, err) < 0)
          return -1;
        break;
      case 'u':
        q->user = optarg;
        break;
      case 'w':
        if (optarg[0] != '/')
          return hk_error_set (err, EINVAL, "--workdir: \"%s\" is not an absolute path", optarg);
        q->workdir = optarg;
        break;
      case OPT_PRIVILEGED:
        q->privileged = true;
        break;
      case OPT_DETACH_KEYS:
        break; /* accepted; the foreground relay has no detach */
      default:
        return cli_bad_option (err, "exec", argv);
      }
  if (argc - optind < 2)
    return cli_usage (err, "exec", usage,
                      optind < argc ? "missing the command" : "missing the container");
  q->args = strv_copy (argv + optind + 1);
  return 0;
}

static int
cmd_exec (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  struct engine_exec_request q = ENGINE_EXEC_REQUEST_INIT;
  q.reexec_argv = cli->argv;
  int rc = -1;
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (parse (argc, argv, &q, err) < 0 || cli_engine (cli, &e, err) < 0
      || engine_find (e, argv[optind], &r, err) < 0)
    goto out;
  if (q.tty && !q.interactive && !q.detach)
    {
      /* A terminal without -i: the process gets no input from ours. */
      _cleanup_close_ int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      dup2 (null_fd, 0);
    }
  int status;
  if (engine_exec (e, r, &q, &status, err) < 0)
    {
      /* The program could not run (126/127): Docker says why and returns
       * that status, not its own 125. */
      if (status == 126 || status == 127)
        {
          fprintf (stderr, "Error: %s\n", (*err)->message);
          rc = status;
        }
      goto out;
    }
  rc = status;
out:
  strv_free (q.args);
  strv_free (q.env);
  return rc;
}

const struct hako_command hako_exec_commands[] = {
  { "container", "exec", cmd_exec, usage, "run a command in a running container", .raw_args = true,
    .top_level = true },
  { NULL },
};
