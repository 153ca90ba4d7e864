/* SPDX-License-Identifier: Apache-2.0 */
/* hako system info / version */
#include "engine/engine.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/json-util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int
parse_format (int argc, char **argv, const char *command, const char **format,
              struct hk_error **err)
{
  static const struct option options[]
      = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  int c;
  while ((c = getopt_long (argc, argv, "f:", options, NULL)) != -1)
    {
      if (c != 'f')
        return cli_bad_option (err, command, argv);
      *format = optarg;
    }
  if (optind != argc)
    return cli_usage (err, command, "[--format json|TEMPLATE]", "too many arguments");
  return 0;
}

/* --format json or a template over J. */
static int
print_formatted (const char *format, json_t *j, struct hk_error **err)
{
  _cleanup_free_ char *text
      = cli_format_template (strcmp (format, "json") == 0 ? "{{json .}}" : format, j, err);
  if (text == NULL)
    return -1;
  printf ("%s\n", text);
  return 0;
}

static const char *
str (json_t *j, const char *key)
{
  return json_string_value (json_object_get (j, key)) ?: "";
}

static long long
num (json_t *j, const char *key)
{
  return (long long)json_integer_value (json_object_get (j, key));
}

static void
print_info (json_t *i)
{
  _cleanup_free_ char *memory = cli_size_text ((uint64_t)num (i, "MemTotal"), true, 4);
  printf ("Client:\n Version:    %s\n Context:    default\n\n", str (i, "ServerVersion"));
  printf ("Server:\n Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n",
          num (i, "Containers"), num (i, "ContainersRunning"), num (i, "ContainersPaused"),
          num (i, "ContainersStopped"));
  printf (" Images: %lld\n Server Version: %s\n Storage Driver: %s\n Logging Driver: %s\n",
          num (i, "Images"), str (i, "ServerVersion"), str (i, "Driver"), str (i, "LoggingDriver"));
  printf (" Cgroup Driver: %s\n Cgroup Version: %s (%s)\n", str (i, "CgroupDriver"),
          str (i, "CgroupVersion"), str (i, "CgroupMode"));
  printf (" Runtimes: hako (in-process)\n Default Runtime: %s\n Init Binary: %s\n",
          str (i, "DefaultRuntime"), str (i, "InitBinary"));
  printf (" Security Options:\n  seccomp\n   Profile: builtin\n");
  printf ("  userns\n   Default: %s (%s)\n", str (i, "UsernsMode"), str (i, "UsernsModeFrom"));
  printf (" Kernel Version: %s\n Operating System: %s\n OSType: %s\n Architecture: %s\n",
          str (i, "KernelVersion"), str (i, "OperatingSystem"), str (i, "OSType"),
          str (i, "Architecture"));
  printf (" CPUs: %lld\n Total Memory: %s\n Name: %s\n Root Dir: %s\n Run Root Dir: %s\n",
          num (i, "NCPU"), memory, str (i, "Name"), str (i, "DockerRootDir"), str (i, "RunRoot"));
}

static int
cmd_info (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *format = NULL;
  struct engine *e;
  _cleanup_json_ json_t *info = NULL;
  if (parse_format (argc, argv, "system info", &format, err) < 0 || cli_engine (cli, &e, err) < 0
      || engine_info (e, &info, err) < 0)
    return -1;
  if (format != NULL)
    return print_formatted (format, info, err);
  print_info (info);
  return 0;
}

/* Go's `docker version` layout: values in one column. */
static void
field (int indent, const char *key, const char *value)
{
  printf ("%*s%-*s %s\n", indent, "", 19 - indent, key, value);
}

static void
print_version (json_t *v)
{
  json_t *client = json_object_get (v, "Client");
  json_t *server = json_object_get (v, "Server");
  char os_arch[64];
  snprintf (os_arch, sizeof os_arch, "%s/%s", str (client, "Os"), str (client, "Arch"));
  printf ("Client:\n");
  field (1, "Version:", str (client, "Version"));
  field (1, "OS/Arch:", os_arch);
  field (1, "Compiler:", str (client, "Compiler"));
  field (1, "Context:", str (client, "Context"));
  printf ("\nServer: %s\n", str (json_object_get (server, "Platform"), "Name"));
  size_t i;
  json_t *c;
  json_array_foreach (json_object_get (server, "Components"), i, c)
  {
    printf (" %s:\n", str (c, "Name"));
    field (2, "Version:", str (c, "Version"));
    json_t *details = json_object_get (c, "Details");
    const char *key;
    json_t *value;
    json_object_foreach (details, key, value)
    {
      char label[64];
      snprintf (label, sizeof label, "%s:", key);
      field (2, label, json_string_value (value) ?: "");
    }
  }
}

static int
cmd_version (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *format = NULL;
  if (parse_format (argc, argv, "version", &format, err) < 0)
    return -1;
  _cleanup_json_ json_t *v = engine_version ();
  if (format != NULL)
    return print_formatted (format, v, err);
  print_version (v);
  return 0;
}

const struct hako_command hako_system_info_commands[] = {
  { "system", "info", cmd_info, "[--format json|TEMPLATE]",
    "show the engine's containers, images, storage, cgroups and host", .top_level = true },
  { NULL, "version", cmd_version, "[--format json|TEMPLATE]",
    "show the versions of hako and its libraries" },
  { NULL, NULL, NULL, NULL, NULL },
};
