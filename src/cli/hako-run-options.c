/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-run-options.h"
#include "cli-bool.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/signals.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"
#include "engine/ctr-config-userns.h"
#include "engine/ctr-record.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char run_options_usage[]
    = "[OPTIONS] IMAGE [COMMAND] [ARG...]\n"
      "  -d --detach  -i --interactive  -t --tty  --rm  --name NAME  --init\n"
      "  -e --env K=V  --env-file FILE  -w --workdir DIR  -u --user USER[:GROUP]\n"
      "  --entrypoint CMD  -h --hostname NAME  -l --label K=V\n"
      "  -m --memory N  --memory-swap N  --memory-reservation N  --cpus N  -c --cpu-shares N\n"
      "  --cpuset-cpus LIST  --pids-limit N  --ulimit NAME=SOFT[:HARD]\n"
      "  --cap-add CAP  --cap-drop CAP  --privileged  --read-only  --security-opt OPT\n"
      "  --device HOST[:CONTAINER[:PERMS]]  -v --volume SRC:DST[:ro]  --mount SPEC  --tmpfs "
      "DIR[:OPTS]\n"
      "  --volumes-from CONTAINER[:ro|:rw] (repeatable)  --shm-size N\n"
      "  --pid host|container:NAME  --ipc none|private|shareable|host|container:NAME\n"
      "  --restart no|on-failure[:N]|always|unless-stopped  --stop-signal SIG  --stop-timeout S\n"
      "  --cgroup-parent PATH  --sysctl K=V  --health-cmd CMD  --health-interval D  "
      "--health-retries N\n"
      "  --health-timeout D  --health-start-period D  --no-healthcheck\n"
      "  --log-driver json-file  --log-opt max-size=N|max-file=N\n"
      "  --network NAME|bridge|none|host|container:NAME (repeatable)\n"
      "  -p --publish [IP:][HOST:]PORT[/PROTO]  -P --publish-all  --dns IP  --dns-search D\n"
      "  --add-host NAME:IP  --ip IP  --ip6 IP  --mac-address MAC  --network-alias NAME  --runtime PATH\n"
      "  --userns host|auto[:size=N]|keep-id|nomap|ns:PATH|remap:USER\n"
      "  --uidmap CONTAINER:HOST:COUNT  --gidmap CONTAINER:HOST:COUNT  --subuidname USER\n"
      "  --subgidname USER  --pod NAME|new:NAME";

enum
{
  OPT_RM = 1000,
  OPT_NAME,
  OPT_ENV_FILE,
  OPT_ENTRYPOINT,
  OPT_MEMORY_SWAP,
  OPT_MEMORY_RESERVATION,
  OPT_CPUS,
  OPT_CPUSET,
  OPT_PIDS,
  OPT_ULIMIT,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_PRIVILEGED,
  OPT_READ_ONLY,
  OPT_SECURITY,
  OPT_DEVICE,
  OPT_MOUNT,
  OPT_TMPFS,
  OPT_INIT,
  OPT_RESTART,
  OPT_STOP_SIGNAL,
  OPT_STOP_TIMEOUT,
  OPT_SYSCTL,
  OPT_HEALTH_CMD,
  OPT_HEALTH_INTERVAL,
  OPT_HEALTH_RETRIES,
  OPT_HEALTH_TIMEOUT,
  OPT_HEALTH_START,
  OPT_NO_HEALTH,
  OPT_LOG_DRIVER,
  OPT_LOG_OPT,
  OPT_NETWORK,
  OPT_RUNTIME,
  OPT_DNS,
  OPT_DNS_SEARCH,
  OPT_ADD_HOST,
  OPT_IP,
  OPT_IP6,
  OPT_MAC,
  OPT_ALIAS,
  OPT_DETACH_KEYS,
  OPT_SIG_PROXY,
  OPT_DOMAIN,
  OPT_CGROUP_PARENT,
  OPT_USERNS,
  OPT_UIDMAP,
  OPT_GIDMAP,
  OPT_SUBUIDNAME,
  OPT_SUBGIDNAME,
  OPT_POD,
  OPT_PID,
  OPT_IPC,
  OPT_SHM_SIZE,
  OPT_VOLUMES_FROM,
};

static const struct option run_long_options[] = {
  { "detach", no_argument, NULL, 'd' },
  { "interactive", no_argument, NULL, 'i' },
  { "tty", no_argument, NULL, 't' },
  { "rm", no_argument, NULL, OPT_RM },
  { "name", required_argument, NULL, OPT_NAME },
  { "env", required_argument, NULL, 'e' },
  { "env-file", required_argument, NULL, OPT_ENV_FILE },
  { "workdir", required_argument, NULL, 'w' },
  { "user", required_argument, NULL, 'u' },
  { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
  { "hostname", required_argument, NULL, 'h' },
  { "domainname", required_argument, NULL, OPT_DOMAIN },
  { "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
  { "label", required_argument, NULL, 'l' },
  { "memory", required_argument, NULL, 'm' },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
  { "cpus", required_argument, NULL, OPT_CPUS },
  { "cpu-shares", required_argument, NULL, 'c' },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET },
  { "pids-limit", required_argument, NULL, OPT_PIDS },
  { "ulimit", required_argument, NULL, OPT_ULIMIT },
  { "cap-add", required_argument, NULL, OPT_CAP_ADD },
  { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
  { "privileged", no_argument, NULL, OPT_PRIVILEGED },
  { "read-only", no_argument, NULL, OPT_READ_ONLY },
  { "security-opt", required_argument, NULL, OPT_SECURITY },
  { "device", required_argument, NULL, OPT_DEVICE },
  { "volume", required_argument, NULL, 'v' },
  { "mount", required_argument, NULL, OPT_MOUNT },
  { "tmpfs", required_argument, NULL, OPT_TMPFS },
  { "volumes-from", required_argument, NULL, OPT_VOLUMES_FROM },
  { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
  { "pid", required_argument, NULL, OPT_PID },
  { "ipc", required_argument, NULL, OPT_IPC },
  { "init", no_argument, NULL, OPT_INIT },
  { "restart", required_argument, NULL, OPT_RESTART },
  { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
  { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
  { "sysctl", required_argument, NULL, OPT_SYSCTL },
  { "health-cmd", required_argument, NULL, OPT_HEALTH_CMD },
  { "health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL },
  { "health-retries", required_argument, NULL, OPT_HEALTH_RETRIES },
  { "health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT },
  { "health-start-period", required_argument, NULL, OPT_HEALTH_START },
  { "no-healthcheck", no_argument, NULL, OPT_NO_HEALTH },
  { "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
  { "log-opt", required_argument, NULL, OPT_LOG_OPT },
  { "network", required_argument, NULL, OPT_NETWORK },
  { "pod", required_argument, NULL, OPT_POD },
  { "net", required_argument, NULL, OPT_NETWORK },
  { "runtime", required_argument, NULL, OPT_RUNTIME },
  { "publish", required_argument, NULL, 'p' },
  { "publish-all", no_argument, NULL, 'P' },
  { "dns", required_argument, NULL, OPT_DNS },
  { "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
  { "add-host", required_argument, NULL, OPT_ADD_HOST },
  { "ip", required_argument, NULL, OPT_IP },
  { "ip6", required_argument, NULL, OPT_IP6 },
  { "mac-address", required_argument, NULL, OPT_MAC },
  { "network-alias", required_argument, NULL, OPT_ALIAS },
  { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
  { "sig-proxy", required_argument, NULL, OPT_SIG_PROXY },
  { "userns", required_argument, NULL, OPT_USERNS },
  { "uidmap", required_argument, NULL, OPT_UIDMAP },
  { "gidmap", required_argument, NULL, OPT_GIDMAP },
  { "subuidname", required_argument, NULL, OPT_SUBUIDNAME },
  { "subgidname", required_argument, NULL, OPT_SUBGIDNAME },
  { NULL, 0, NULL, 0 },
};

static int
set_string (char **field, const char *value)
{
  free (*field);
  *field = *value ? xstrdup (value) : NULL;
  return 0;
}

static int
set_limit (struct ctr_config *c, int64_t *field, unsigned bit, int64_t value)
{
  *field = value;
  c->limits.set |= bit;
  return 0;
}

static int
apply_memory (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  int64_t bytes;
  struct config_limits *l = &c->limits;
  switch (option)
    {
    case 'm':
      return config_parse_memory (arg, "--memory", false, &bytes, err) < 0
                 ? -1
                 : set_limit (c, &l->memory, CONFIG_LIMIT_MEMORY, bytes);
    case OPT_MEMORY_SWAP:
      return config_parse_memory (arg, "--memory-swap", true, &bytes, err) < 0
                 ? -1
                 : set_limit (c, &l->memory_swap, CONFIG_LIMIT_MEMORY_SWAP, bytes);
    default:
      return config_parse_memory (arg, "--memory-reservation", false, &bytes, err) < 0
                 ? -1
                 : set_limit (c, &l->memory_reservation, CONFIG_LIMIT_MEMORY_RESERVATION, bytes);
    }
}

/* The resource flags, which update takes too; 1 when OPTION is not one. */
static int
apply_resource (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  long long n;
  switch (option)
    {
    case 'm':
    case OPT_MEMORY_SWAP:
    case OPT_MEMORY_RESERVATION:
      return apply_memory (c, option, arg, err);
    case OPT_CPUS:
      return config_parse_cpus (c, arg, err);
    case 'c':
      return config_parse_int (arg, "--cpu-shares", 2, 262144, &n, err) < 0
                 ? -1
                 : set_limit (c, &c->limits.cpu_shares, CONFIG_LIMIT_CPU_SHARES, n);
    case OPT_CPUSET:
      return config_parse_cpuset (c, arg, err);
    case OPT_PIDS:
      return config_parse_int (arg, "--pids-limit", -1, INT64_MAX, &n, err) < 0
                 ? -1
                 : set_limit (c, &c->limits.pids_limit, CONFIG_LIMIT_PIDS, n);
    case OPT_RESTART:
      return config_parse_restart (c, arg, err);
    }
  return 1;
}

static int
apply_health (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  struct config_health *h = &c->health;
  long long n;
  switch (option)
    {
    case OPT_HEALTH_CMD:
      config_set_health_test (c, arg);
      return 0;
    case OPT_NO_HEALTH:
      config_set_health_test (c, NULL);
      return 0;
    case OPT_HEALTH_INTERVAL:
      return config_parse_duration_ns (arg, "--health-interval", &h->interval_ns, err);
    case OPT_HEALTH_TIMEOUT:
      return config_parse_duration_ns (arg, "--health-timeout", &h->timeout_ns, err);
    case OPT_HEALTH_START:
      return config_parse_duration_ns (arg, "--health-start-period", &h->start_period_ns, err);
    default:
      if (config_parse_int (arg, "--health-retries", 1, INT32_MAX, &n, err) < 0)
        return -1;
      h->retries = (int)n;
      return 0;
    }
}

static int
apply_process (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  switch (option)
    {
    case 'e':
      return config_parse_env (c, arg, err);
    case OPT_ENV_FILE:
      return config_parse_env_file (c, arg, err);
    case 'w':
      if (arg[0] != '/')
        return hk_error_set (err, EINVAL, "--workdir: \"%s\" is not an absolute path", arg);
      return set_string (&c->working_dir, arg);
    case 'u':
      return set_string (&c->user, arg);
    case OPT_ENTRYPOINT:
      strv_free (c->entrypoint);
      c->entrypoint = xzalloc (sizeof (char *));
      if (*arg)
        strv_append (&c->entrypoint, arg);
      return 0;
    case 'h':
      return set_string (&c->hostname, arg);
    case OPT_DOMAIN:
      return set_string (&c->domainname, arg);
    case 'l':
      return config_parse_key_value (&c->labels, arg, "--label", true, err);
    case OPT_STOP_SIGNAL:
      if (signal_parse (arg, err) < 0)
        return hk_error_prefix (err, "--stop-signal");
      return set_string (&c->stop_signal, arg);
    }
  return 1;
}

static int
apply_security (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  switch (option)
    {
    case OPT_CAP_ADD:
      strv_append (&c->cap_add, arg);
      return 0;
    case OPT_CAP_DROP:
      strv_append (&c->cap_drop, arg);
      return 0;
    case OPT_SECURITY:
      return config_parse_security_opt (c, arg, err);
    case OPT_DEVICE:
      return config_parse_device (c, arg, err);
    case OPT_SYSCTL:
      return config_parse_key_value (&c->sysctls, arg, "--sysctl", false, err);
    case OPT_ULIMIT:
      return config_parse_ulimit (c, arg, err);
    case OPT_CGROUP_PARENT:
      if (arg[0] == '\0' || strstr (arg, "..") != NULL)
        return hk_error_set (err, EINVAL, "--cgroup-parent: \"%s\" is not a cgroup path", arg);
      return set_string (&c->cgroup_parent, arg);
    case OPT_USERNS:
      return config_parse_userns (c, arg, err);
    case OPT_PID:
      return config_parse_pid (c, arg, err);
    case OPT_IPC:
      return config_parse_ipc (c, arg, err);
    case OPT_UIDMAP:
    case OPT_GIDMAP:
      return config_parse_id_map (c, arg, option == OPT_GIDMAP, err);
    case OPT_SUBUIDNAME:
    case OPT_SUBGIDNAME:
      return config_parse_subid_name (c, arg, option == OPT_SUBGIDNAME, err);
    }
  return 1;
}

static int
apply_network (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  switch (option)
    {
    case OPT_NETWORK:
      return config_parse_network (c, arg, err);
    case 'p':
      return config_parse_publish (c, arg, err);
    case OPT_DNS:
      strv_append (&c->dns, arg);
      return 0;
    case OPT_DNS_SEARCH:
      strv_append (&c->dns_search, arg);
      return 0;
    case OPT_ADD_HOST:
      if (strchr (arg, ':') == NULL)
        return hk_error_set (err, EINVAL, "--add-host: \"%s\" is not NAME:IP", arg);
      strv_append (&c->extra_hosts, arg);
      return 0;
    case OPT_IP:
      return set_string (&c->ip, arg);
    case OPT_IP6:
      return set_string (&c->ip6, arg);
    case OPT_MAC:
      return set_string (&c->mac, arg);
    case OPT_ALIAS:
      strv_append (&c->aliases, arg);
      return 0;
    }
  return 1;
}

static int
apply_storage (struct ctr_config *c, int option, const char *arg, struct hk_error **err)
{
  switch (option)
    {
    case 'v':
      return config_parse_volume (c, arg, err);
    case OPT_MOUNT:
      return config_parse_mount (c, arg, err);
    case OPT_TMPFS:
      return config_parse_tmpfs (c, arg, err);
    case OPT_VOLUMES_FROM:
      return config_parse_volumes_from (c, arg, err);
    case OPT_SHM_SIZE:
      return config_parse_shm_size (c, arg, err);
    case OPT_LOG_DRIVER:
      if (strcmp (arg, "json-file") != 0)
        return hk_error_set (err, ENOTSUP, "--log-driver: only json-file is supported, not \"%s\"",
                             arg);
      return 0;
    case OPT_LOG_OPT:
      return config_parse_log_opt (c, arg, err);
    case OPT_RUNTIME:
      return config_parse_runtime (c, arg, err);
    }
  return 1;
}

/* The flags that only turn something on. */
static bool *
switch_of (struct ctr_config *c, int option)
{
  switch (option)
    {
    case 'i':
      return &c->open_stdin;
    case 't':
      return &c->tty;
    case OPT_RM:
      return &c->auto_remove;
    case OPT_PRIVILEGED:
      return &c->privileged;
    case OPT_READ_ONLY:
      return &c->readonly_rootfs;
    case OPT_INIT:
      return &c->init;
    case 'P':
      return &c->publish_all;
    }
  return NULL;
}

static int
apply_request (int option, const char *arg, struct run_request *req, struct hk_error **err)
{
  switch (option)
    {
    case 'd':
      req->detach = true;
      return 0;
    case OPT_NAME:
      if (ctr_record_check_name (arg, err) < 0)
        return hk_error_prefix (err, "--name");
      free (req->name);
      req->name = xstrdup (arg);
      return 0;
    case OPT_DETACH_KEYS:
      free (req->detach_keys);
      req->detach_keys = xstrdup (arg);
      return 0;
    case OPT_POD:
      free (req->pod);
      req->pod = xstrdup (arg);
      return 0;
    case OPT_SIG_PROXY:
      {
        bool proxy;
        if (cli_bool (arg, "--sig-proxy", &proxy, err) < 0)
          return -1;
        req->no_sig_proxy = !proxy;
        return 0;
      }
    case OPT_STOP_TIMEOUT:
      {
        long long n;
        if (config_parse_int (arg, "--stop-timeout", -1, 86400, &n, err) < 0)
          return -1;
        req->config.stop_timeout = (int)n;
        return 0;
      }
    }
  return 1;
}

/* One option into REQ. */
static int
apply (int option, const char *arg, struct run_request *req, struct hk_error **err)
{
  struct ctr_config *c = &req->config;
  bool *on = switch_of (c, option);
  if (on != NULL)
    {
      *on = true;
      return 0;
    }
  if (option >= OPT_HEALTH_CMD && option <= OPT_NO_HEALTH)
    return apply_health (c, option, arg, err);
  int (*const groups[]) (struct ctr_config *, int, const char *, struct hk_error **)
      = { apply_resource, apply_process, apply_security, apply_network, apply_storage };
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
    {
      int rc = groups[i](c, option, arg, err);
      if (rc <= 0)
        return rc;
    }
  int rc = apply_request (option, arg, req, err);
  return rc <= 0 ? rc : hk_error_set (err, EINVAL, "unknown option");
}

int
run_options_parse (int argc, char **argv, const char *command, bool with_detach,
                   struct run_request *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  ctr_config_init (&out->config);
  int c;
  /* '+': the first operand is the image; what follows is its command. */
  while ((c = getopt_long (argc, argv, "+dith:e:w:u:l:m:c:v:p:P", run_long_options, NULL)) != -1)
    {
      if (c == '?')
        return cli_bad_option (err, command, argv);
      if (c == 'd' && !with_detach)
        return cli_usage (err, command, run_options_usage, "-d applies to run only");
      if (apply (c, optarg, out, err) < 0)
        return -1;
    }
  if (optind >= argc)
    return cli_usage (err, command, run_options_usage, "missing image name");
  out->image = argv[optind++];
  for (int i = optind; i < argc; i++)
    strv_append (&out->config.cmd, argv[i]);
  if (config_check_userns (&out->config, err) < 0)
    return -1;
  return ctr_config_check (&out->config, err);
}

const char update_options_usage[]
    = "[OPTIONS] CONTAINER...\n"
      "  -m --memory N  --memory-swap N  --memory-reservation N  --cpus N  -c --cpu-shares N\n"
      "  --cpuset-cpus LIST  --pids-limit N  --restart no|on-failure[:N]|always|unless-stopped";

int
run_options_parse_update (int argc, char **argv, struct ctr_config *changes,
                          struct hk_error **err)
{
  static const struct option options[] = {
    { "memory", required_argument, NULL, 'm' },
    { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
    { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
    { "cpus", required_argument, NULL, OPT_CPUS },
    { "cpu-shares", required_argument, NULL, 'c' },
    { "cpuset-cpus", required_argument, NULL, OPT_CPUSET },
    { "pids-limit", required_argument, NULL, OPT_PIDS },
    { "restart", required_argument, NULL, OPT_RESTART },
    { NULL, 0, NULL, 0 },
  };
  struct run_request req = { 0 };
  ctr_config_init (&req.config);
  int c;
  while ((c = getopt_long (argc, argv, "m:c:", options, NULL)) != -1)
    {
      if (c == '?' || apply (c, optarg, &req, err) < 0)
        {
          run_request_clear (&req);
          return c == '?' ? cli_bad_option (err, "update", argv) : -1;
        }
    }
  if (req.config.limits.set == 0)
    {
      run_request_clear (&req);
      return cli_usage (err, "update", update_options_usage, "give at least one flag to change");
    }
  *changes = req.config;
  free (req.name);
  free (req.detach_keys);
  free (req.pod);
  return 0;
}

void
run_request_clear (struct run_request *r)
{
  ctr_config_clear (&r->config);
  free (r->name);
  free (r->detach_keys);
  free (r->pod);
  memset (r, 0, sizeof *r);
}
