/* SPDX-License-Identifier: Apache-2.0 */
/* hako kube play / down / generate (and Podman's older spellings, play
 * kube and generate kube). */
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "kube/kube.h"
#include "yaml/yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* FILE's text, or standard input's for "-"; a little more than the YAML
 * reader takes, so that it can say the file is too large. */
static int
read_input (const char *file, char **text, size_t *len, struct hk_error **err)
{
  size_t max = yaml_default_limits.max_bytes + 1;
  if (strcmp (file, "-") != 0)
    return fs_read_file (AT_FDCWD, file, max, text, len, err);
  _cleanup_free_ char *buf = xzalloc (max + 1);
  size_t n = 0;
  while (n < max)
    {
      ssize_t r = read (0, buf + n, max - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return hk_error_errno (err, errno, "read the standard input");
      if (r == 0)
        break;
      n += (size_t)r;
    }
  *len = n;
  *text = take_ptr (buf);
  return 0;
}

static const char play_usage[]
    = "[--down] [--replace] [--start=true|false] [--cgroup-parent PATH] FILE|-";

static int
play (struct hako_cli *cli, int argc, char **argv, bool down, const char *command,
      struct hk_error **err)
{
  static const struct option options[]
      = { { "down", no_argument, NULL, 'd' },
          { "replace", no_argument, NULL, 'r' },
          { "start", optional_argument, NULL, 's' },
          { "cgroup-parent", required_argument, NULL, 'c' },
          { NULL, 0, NULL, 0 } };
  struct kube_play_options o = { .down = down, .start = true };
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 'd':
        o.down = true;
        break;
      case 'r':
        o.replace = true;
        break;
      case 'c':
        if (optarg[0] == '\0' || strstr (optarg, "..") != NULL)
          return hk_error_set (err, EINVAL, "--cgroup-parent: \"%s\" is not a cgroup path",
                               optarg);
        o.cgroup_parent = optarg;
        break;
      case 's':
        if (optarg && strcmp (optarg, "true") != 0 && strcmp (optarg, "false") != 0)
          return hk_error_set (err, EINVAL, "--start: \"%s\" is not true or false", optarg);
        o.start = optarg == NULL || strcmp (optarg, "true") == 0;
        break;
      default:
        return cli_bad_option (err, command, argv);
      }
  if (argc - optind != 1)
    return cli_usage (err, command, play_usage, "one file (or - for the standard input)");
  const char *file = argv[optind];
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  struct engine *e;
  if (read_input (file, &text, &len, err) < 0 || cli_engine (cli, &e, err) < 0)
    return -1;
  return kube_play (e, file, text, len, &o, stdout, err);
}

static int
cmd_kube_play (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  return play (cli, argc, argv, false, "kube play", err);
}

static int
cmd_kube_down (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  return play (cli, argc, argv, true, "kube down", err);
}

static const char generate_usage[]
    = "[-s] [--type pod|deployment] [-f FILE] POD|CONTAINER...";

static int
cmd_kube_generate (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "service", no_argument, NULL, 's' },
          { "type", required_argument, NULL, 't' },
          { "filename", required_argument, NULL, 'f' },
          { NULL, 0, NULL, 0 } };
  struct kube_generate_options o = { .type = KUBE_GENERATE_POD };
  const char *file = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "sf:t:", options, NULL)) != -1)
    switch (c)
      {
      case 's':
        o.service = true;
        break;
      case 't':
        if (strcmp (optarg, "pod") == 0)
          o.type = KUBE_GENERATE_POD;
        else if (strcmp (optarg, "deployment") == 0)
          o.type = KUBE_GENERATE_DEPLOYMENT;
        else
          return hk_error_set (err, EINVAL, "--type: \"%s\" is not pod or deployment", optarg);
        break;
      case 'f':
        file = optarg;
        break;
      default:
        return cli_bad_option (err, "kube generate", argv);
      }
  if (optind >= argc)
    return cli_usage (err, "kube generate", generate_usage, "name a pod or containers");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  _cleanup_fclose_ FILE *f = NULL;
  if (file && (f = fopen (file, "we")) == NULL)
    return hk_error_errno (err, errno, "open `%s`", file);
  int rc = kube_generate (e, argv + optind, (size_t)(argc - optind), &o, f ? f : stdout, err);
  if (f && fflush (f) != 0 && rc == 0)
    rc = hk_error_errno (err, errno, "write `%s`", file);
  if (rc < 0 && file)
    unlink (file); /* nothing half-written */
  return rc;
}

const struct hako_command hako_kube_commands[] = {
  { "kube", "play", cmd_kube_play, play_usage,
    "make pods from Kubernetes YAML (Pod, Deployment, ConfigMap, Secret, PVC)" },
  { "kube", "down", cmd_kube_down, "FILE|-", "remove the pods a Kubernetes YAML file made" },
  { "kube", "generate", cmd_kube_generate, generate_usage,
    "write Kubernetes YAML of pods or containers" },
  { "play", "kube", cmd_kube_play, play_usage, "(kube play)", .hidden = true },
  { "generate", "kube", cmd_kube_generate, generate_usage, "(kube generate)", .hidden = true },
  { NULL, NULL, NULL, NULL, NULL },
};
