/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime exec */
#include "runtime-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[]
    = "[--process FILE | [options] ID COMMAND [ARGS...]]\n"
      "  options: --tty/-t --console-socket S --cwd DIR --env/-e K=V --user/-u UID[:GID]\n"
      "           --additional-gids GID --cap CAP --no-new-privs --apparmor PROFILE\n"
      "           --detach/-d --pid-file F --preserve-fds N";

struct exec_flags
{
  const char *process_file;
  const char *cwd;
  const char *user;
  const char *apparmor;
  char **env;
  char **caps;
  char **gids;
  bool tty, no_new_privs, detach;
};

static void
exec_flags_clear (struct exec_flags *f)
{
  strv_free (f->env);
  strv_free (f->caps);
  strv_free (f->gids);
}

static int
parse_uint (const char *text, const char *what, uint32_t *out, struct hk_error **err)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (text, &end, 10);
  if (errno || end == text || *end || v > UINT32_MAX || text[0] == '-')
    return hk_error_set (err, EINVAL, "%s: `%s` is not a number", what, text);
  *out = (uint32_t) v;
  return 0;
}

static int
load_process_file (const char *path, struct oci_process **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_json_ json_t *j = NULL;
  if (fs_read_file (AT_FDCWD, path, 1 << 20, &text, &len, err) < 0
      || json_parse_object (text, len, path, &j, err) < 0)
    return hk_error_prefix (err, "--process");
  if (spec_parse_process (j, "process", out, err) < 0)
    return hk_error_prefix (err, "--process `%s`", path);
  return 0;
}

/* The container's process, changed by the command line. */
static int
process_from_flags (struct cli *cli, const char *id, const struct exec_flags *f, char **args,
                    struct oci_process **out, struct hk_error **err)
{
  _cleanup_process_ struct oci_process *p = NULL;
  if (container_exec_template (&cli->rt, id, &p, err) < 0)
    return -1;
  strv_free (p->args);
  p->args = strv_copy (args);
  p->terminal = f->tty;
  p->has_console_size = false;
  for (size_t i = 0; f->env && f->env[i]; i++)
    {
      char *eq = strchr (f->env[i], '=');
      if (eq == NULL || eq == f->env[i])
        return hk_error_set (err, EINVAL, "--env: `%s` is not NAME=VALUE", f->env[i]);
      _cleanup_free_ char *name = xstrndup (f->env[i], (size_t) (eq - f->env[i]));
      strv_env_set (&p->env, name, eq + 1);
    }
  if (f->cwd != NULL)
    {
      if (f->cwd[0] != '/')
        return hk_error_set (err, EINVAL, "--cwd: `%s` is not an absolute path", f->cwd);
      free (p->cwd);
      p->cwd = xstrdup (f->cwd);
    }
  if (f->user != NULL)
    {
      _cleanup_free_ char *copy = xstrdup (f->user);
      char *colon = strchr (copy, ':');
      if (colon)
        *colon = '\0';
      if (parse_uint (copy, "--user", &p->user.uid, err) < 0
          || (colon && parse_uint (colon + 1, "--user", &p->user.gid, err) < 0))
        return -1;
    }
  size_t n = strv_length (f->gids);
  if (n > 0)
    {
      free (p->user.additional_gids);
      p->user.additional_gids = xzalloc (sizeof (uint32_t) * n);
      p->user.n_additional_gids = n;
      for (size_t i = 0; i < n; i++)
        if (parse_uint (f->gids[i], "--additional-gids", &p->user.additional_gids[i], err) < 0)
          return -1;
    }
  for (size_t i = 0; f->caps && f->caps[i]; i++)
    {
      int cap = spec_capability_number (f->caps[i]);
      if (cap < 0)
        return hk_error_set (err, EINVAL, "--cap: unknown capability `%s`", f->caps[i]);
      uint64_t bit = UINT64_C (1) << cap;
      p->has_capabilities = true;
      p->capabilities.bounding |= bit;
      p->capabilities.effective |= bit;
      p->capabilities.permitted |= bit;
    }
  if (f->no_new_privs)
    p->no_new_privileges = true;
  if (f->apparmor != NULL)
    {
      free (p->apparmor_profile);
      p->apparmor_profile = xstrdup (f->apparmor);
    }
  *out = take_ptr (p);
  return 0;
}

int
verb_exec (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  enum { OPT_PROCESS = 1000, OPT_CONSOLE, OPT_CWD, OPT_GIDS, OPT_CAP, OPT_NNP, OPT_APPARMOR,
         OPT_PID_FILE, OPT_PRESERVE, OPT_IGNORED_ARG, OPT_IGNORED };
  static const struct option options[] = {
    { "process", required_argument, NULL, OPT_PROCESS },
    { "console-socket", required_argument, NULL, OPT_CONSOLE },
    { "cwd", required_argument, NULL, OPT_CWD },
    { "env", required_argument, NULL, 'e' },
    { "tty", no_argument, NULL, 't' },
    { "user", required_argument, NULL, 'u' },
    { "additional-gids", required_argument, NULL, OPT_GIDS },
    { "cap", required_argument, NULL, OPT_CAP },
    { "no-new-privs", no_argument, NULL, OPT_NNP },
    { "apparmor", required_argument, NULL, OPT_APPARMOR },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
    { "process-label", required_argument, NULL, OPT_IGNORED_ARG },
    { "cgroup", required_argument, NULL, OPT_IGNORED_ARG },
    { "ignore-paused", no_argument, NULL, OPT_IGNORED },
    { NULL, 0, NULL, 0 },
  };
  struct exec_flags f = { 0 };
  struct exec_options o = { .stdio = { -1, -1, -1 }, .reexec_argv = cli->argv };
  int c, rc = -1, status = 1;
  _cleanup_process_ struct oci_process *process = NULL;
  while ((c = getopt_long (argc, argv, "+e:tu:d", options, NULL)) != -1)
    switch (c)
      {
      case OPT_PROCESS:
        f.process_file = optarg;
        break;
      case OPT_CONSOLE:
        o.console_socket = optarg;
        break;
      case OPT_CWD:
        f.cwd = optarg;
        break;
      case 'e':
        strv_append (&f.env, optarg);
        break;
      case 't':
        f.tty = true;
        break;
      case 'u':
        f.user = optarg;
        break;
      case OPT_GIDS:
        strv_append (&f.gids, optarg);
        break;
      case OPT_CAP:
        strv_append (&f.caps, optarg);
        break;
      case OPT_NNP:
        f.no_new_privs = true;
        break;
      case OPT_APPARMOR:
        f.apparmor = optarg;
        break;
      case 'd':
        o.detach = true;
        break;
      case OPT_PID_FILE:
        o.pid_file = optarg;
        break;
      case OPT_PRESERVE:
        o.preserve_fds = atoi (optarg);
        if (o.preserve_fds < 0)
          o.preserve_fds = 0;
        break;
      case OPT_IGNORED_ARG:
      case OPT_IGNORED:
        break;
      default:
        rc = cli_bad_runtime_option (err, "exec", argv);
        goto out;
      }
  if (optind >= argc)
    {
      rc = cli_usage_error (err, "exec", usage, "missing container id");
      goto out;
    }
  o.id = argv[optind++];
  if (f.process_file != NULL)
    rc = load_process_file (f.process_file, &process, err);
  else if (optind >= argc)
    rc = cli_usage_error (err, "exec", usage, "missing the command to run");
  else
    rc = process_from_flags (cli, o.id, &f, argv + optind, &process, err);
  if (rc < 0)
    goto out;
  o.process = process;
  rc = container_exec (&cli->rt, &o, &status, err);
  if (rc < 0)
    {
      cli_report_error (cli, *err);
      rc = status;
    }
  else
    rc = status;
out:
  exec_flags_clear (&f);
  return rc;
}
