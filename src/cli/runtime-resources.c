/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime ps / update / events */
#include "runtime-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/units.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
print_json_line (json_t *j, struct hk_error **err)
{
  _cleanup_free_ char *text = json_to_string (j, false);
  return cli_print (text, err);
}

static bool
pid_listed (const pid_t *pids, size_t n, pid_t pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

/* `ps PS-ARGS` on the host, keeping the header and the container's lines. */
static int
print_ps_table (const pid_t *pids, size_t n, char **ps_args, struct hk_error **err)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t child = fork ();
  if (child == 0)
    {
      dup2 (fds[1], 1);
      char *argv[64] = { (char *) "ps" };
      size_t k = 1;
      if (ps_args == NULL || ps_args[0] == NULL)
        argv[k++] = (char *) "-ef";
      for (size_t i = 0; ps_args && ps_args[i] && k < 63; i++)
        argv[k++] = ps_args[i];
      argv[k] = NULL;
      execvp ("ps", argv);
      _exit (127);
    }
  close (fds[1]);
  _cleanup_free_ char *out = NULL;
  int rc = fs_read_fd (fds[0], 16 << 20, &out, NULL, err);
  close (fds[0]);
  int status;
  waitpid (child, &status, 0);
  if (rc < 0)
    return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hk_error_set (err, EIO, "ps failed (is procps installed?)");
  /* Find the PID column in the header, then filter the rows by it. */
  char *save = NULL;
  char *header = strtok_r (out, "\n", &save);
  if (header == NULL)
    return 0;
  int column = -1, i = 0;
  _cleanup_free_ char *hcopy = xstrdup (header);
  char *hsave = NULL;
  for (char *w = strtok_r (hcopy, " \t", &hsave); w; w = strtok_r (NULL, " \t", &hsave), i++)
    if (strcmp (w, "PID") == 0)
      column = i;
  if (column < 0)
    return hk_error_set (err, EINVAL, "ps output has no PID column");
  _cleanup_free_ char *h = xasprintf ("%s\n", header);
  if (cli_print (h, err) < 0)
    return -1;
  for (char *line = strtok_r (NULL, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      _cleanup_free_ char *copy = xstrdup (line);
      char *lsave = NULL, *w = strtok_r (copy, " \t", &lsave);
      for (int c = 0; w && c < column; c++)
        w = strtok_r (NULL, " \t", &lsave);
      if (w == NULL || !pid_listed (pids, n, (pid_t) atoi (w)))
        continue;
      _cleanup_free_ char *l = xasprintf ("%s\n", line);
      if (cli_print (l, err) < 0)
        return -1;
    }
  return 0;
}

int
verb_ps (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--format table|json] ID [-- PS-ARGS...]";
  static const struct option options[] = { { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool json = false;
  int c;
  while ((c = getopt_long (argc, argv, "+f:", options, NULL)) != -1)
    {
      if (c != 'f')
        return cli_bad_runtime_option (err, "ps", argv);
      if (strcmp (optarg, "json") == 0)
        json = true;
      else if (strcmp (optarg, "table") != 0)
        return cli_usage_error (err, "ps", usage, "--format: not table or json");
    }
  if (optind >= argc)
    return cli_usage_error (err, "ps", usage, "missing container id");
  const char *id = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (container_pids (&cli->rt, id, &pids, &n, err) < 0)
    return -1;
  if (json)
    {
      _cleanup_json_ json_t *arr = json_array ();
      for (size_t i = 0; i < n; i++)
        json_array_append_new (arr, json_integer (pids[i]));
      return print_json_line (arr, err);
    }
  if (json && optind < argc)
    return cli_usage_error (err, "ps", usage, "ps arguments need --format table");
  return print_ps_table (pids, n, argv + optind, err);
}

static int
read_resources (const char *path, struct oci_resources *res, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (strcmp (path, "-") == 0)
    {
      if (fs_read_fd (0, 1 << 20, &text, &len, err) < 0)
        return hk_error_prefix (err, "--resources: stdin");
    }
  else if (fs_read_file (AT_FDCWD, path, 1 << 20, &text, &len, err) < 0)
    return hk_error_prefix (err, "--resources");
  _cleanup_json_ json_t *j = NULL;
  if (json_parse_object (text, len, "--resources", &j, err) < 0)
    return -1;
  return spec_parse_resources (j, "resources", res, err);
}

static int
parse_int (const char *flag, const char *text, int64_t *out, struct hk_error **err)
{
  char *end;
  errno = 0;
  long long v = strtoll (text, &end, 10);
  if (errno || end == text || *end)
    return hk_error_set (err, EINVAL, "%s: `%s` is not a number", flag, text);
  *out = v;
  return 0;
}

/* One runc update flag into RES. */
static int
apply_flag (int opt, const char *value, struct oci_resources *res, struct hk_error **err)
{
  int64_t v;
  enum { MEMORY = 1000, SWAP, RESERVATION, KERNEL, KERNEL_TCP, SHARES, QUOTA, PERIOD, RT_PERIOD,
         RT_RUNTIME, CPUS, MEMS, PIDS, BLKIO };
  switch (opt)
    {
    case MEMORY:
    case SWAP:
    case RESERVATION:
    case KERNEL:
    case KERNEL_TCP:
      if (units_parse_bytes (value, "memory flag", &v, err) < 0)
        return -1;
      res->has_memory = true;
      if (opt == MEMORY)
        res->memory.has_limit = true, res->memory.limit = v;
      else if (opt == SWAP)
        res->memory.has_swap = true, res->memory.swap = v;
      else if (opt == RESERVATION)
        res->memory.has_reservation = true, res->memory.reservation = v;
      else if (opt == KERNEL)
        res->memory.has_kernel = true, res->memory.kernel = v;
      else
        res->memory.has_kernel_tcp = true, res->memory.kernel_tcp = v;
      return 0;
    case SHARES:
    case QUOTA:
    case PERIOD:
    case RT_PERIOD:
    case RT_RUNTIME:
      if (parse_int ("cpu flag", value, &v, err) < 0)
        return -1;
      res->has_cpu = true;
      if (opt == SHARES)
        res->cpu.has_shares = true, res->cpu.shares = (uint64_t) v;
      else if (opt == QUOTA)
        res->cpu.has_quota = true, res->cpu.quota = v;
      else if (opt == PERIOD)
        res->cpu.has_period = true, res->cpu.period = (uint64_t) v;
      else if (opt == RT_PERIOD)
        res->cpu.has_realtime_period = true, res->cpu.realtime_period = (uint64_t) v;
      else
        res->cpu.has_realtime_runtime = true, res->cpu.realtime_runtime = v;
      return 0;
    case CPUS:
      res->has_cpu = true;
      free (res->cpu.cpus);
      res->cpu.cpus = xstrdup (value);
      return 0;
    case MEMS:
      res->has_cpu = true;
      free (res->cpu.mems);
      res->cpu.mems = xstrdup (value);
      return 0;
    case PIDS:
      if (parse_int ("--pids-limit", value, &v, err) < 0)
        return -1;
      res->has_pids = true;
      res->pids_limit = v;
      return 0;
    case BLKIO:
      if (parse_int ("--blkio-weight", value, &v, err) < 0)
        return -1;
      if (v != 0 && (v < 10 || v > 1000))
        return hk_error_set (err, EINVAL, "--blkio-weight: %lld is outside 10..1000", (long long) v);
      res->has_block_io = true;
      res->block_io.has_weight = true;
      res->block_io.weight = (uint16_t) v;
      return 0;
    }
  return hk_error_set (err, EINVAL, "unknown update flag");
}

int
verb_update (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[]
      = "[--resources FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N]\n"
        "  [--kernel-memory N] [--kernel-memory-tcp N] [--cpu-shares N] [--cpu-quota N]\n"
        "  [--cpu-period N] [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpuset-cpus LIST]\n"
        "  [--cpuset-mems LIST] [--pids-limit N] [--blkio-weight N] ID";
  enum { RESOURCES = 999, MEMORY, SWAP, RESERVATION, KERNEL, KERNEL_TCP, SHARES, QUOTA, PERIOD,
         RT_PERIOD, RT_RUNTIME, CPUS, MEMS, PIDS, BLKIO, L3 };
  static const struct option options[] = {
    { "resources", required_argument, NULL, RESOURCES },
    { "memory", required_argument, NULL, MEMORY },
    { "memory-swap", required_argument, NULL, SWAP },
    { "memory-reservation", required_argument, NULL, RESERVATION },
    { "kernel-memory", required_argument, NULL, KERNEL },
    { "kernel-memory-tcp", required_argument, NULL, KERNEL_TCP },
    { "cpu-shares", required_argument, NULL, SHARES },
    { "cpu-quota", required_argument, NULL, QUOTA },
    { "cpu-period", required_argument, NULL, PERIOD },
    { "cpu-rt-period", required_argument, NULL, RT_PERIOD },
    { "cpu-rt-runtime", required_argument, NULL, RT_RUNTIME },
    { "cpuset-cpus", required_argument, NULL, CPUS },
    { "cpuset-mems", required_argument, NULL, MEMS },
    { "pids-limit", required_argument, NULL, PIDS },
    { "blkio-weight", required_argument, NULL, BLKIO },
    { "l3-cache-schema", required_argument, NULL, L3 },
    { NULL, 0, NULL, 0 },
  };
  struct oci_resources res = { 0 };
  const char *resources_file = NULL;
  int c, rc = -1;
  while ((c = getopt_long (argc, argv, "r:", options, NULL)) != -1)
    {
      if (c == RESOURCES || c == 'r')
        resources_file = optarg;
      else if (c == L3)
        {
          rc = hk_error_set (err, ENOTSUP, "--l3-cache-schema: Intel RDT is not supported here");
          goto out;
        }
      else if (c >= MEMORY && c <= BLKIO)
        {
          if (apply_flag (c, optarg, &res, err) < 0)
            goto out;
        }
      else
        {
          rc = cli_bad_runtime_option (err, "update", argv);
          goto out;
        }
    }
  const char *id;
  if (cli_one_id (argc, argv, "update", usage, &id, err) < 0)
    goto out;
  if (resources_file != NULL)
    {
      spec_resources_clear (&res);
      if (read_resources (resources_file, &res, err) < 0)
        goto out;
    }
  rc = container_update (&cli->rt, id, &res, err);
out:
  spec_resources_clear (&res);
  return rc;
}

static int
emit_event (json_t *event, void *data)
{
  struct hk_error **err = data;
  int r = print_json_line (event, err);
  json_decref (event);
  return r;
}

int
verb_events (struct cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[--stats] [--interval DURATION] ID";
  static const struct option options[] = { { "stats", no_argument, NULL, 's' },
                                           { "interval", required_argument, NULL, 'i' },
                                           { NULL, 0, NULL, 0 } };
  bool stats = false;
  int64_t interval = 5000;
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 's':
        stats = true;
        break;
      case 'i':
        if (units_parse_duration_ms (optarg, "--interval", &interval, err) < 0)
          return -1;
        if (interval <= 0 || interval > 86400000)
          return hk_error_set (err, EINVAL, "--interval: `%s` must be between 1ms and 24h", optarg);
        break;
      default:
        return cli_bad_runtime_option (err, "events", argv);
      }
  const char *id;
  if (cli_one_id (argc, argv, "events", usage, &id, err) < 0)
    return -1;
  if (stats)
    {
      _cleanup_json_ json_t *doc = NULL;
      if (container_stats (&cli->rt, id, &doc, err) < 0)
        return -1;
      return print_json_line (doc, err);
    }
  return container_events (&cli->rt, id, (int) interval, emit_event, err, err) < 0 ? -1 : 0;
}
