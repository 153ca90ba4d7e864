/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-run-options.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/signals.h"
#include "common/strv.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "engine/container-mounts.h"
#include "engine/container-record.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
      "  --restart no|on-failure[:N]|always|unless-stopped  --stop-signal SIG  --stop-timeout S\n"
      "  --cgroup-parent PATH  --sysctl K=V  --health-cmd CMD  --health-interval D  "
      "--health-retries N\n"
      "  --health-timeout D  --health-start-period D  --no-healthcheck\n"
      "  --log-driver json-file  --log-opt max-size=N|max-file=N\n"
      "  --network NAME|bridge|none|host|container:NAME (repeatable)\n"
      "  -p --publish [IP:][HOST:]PORT[/PROTO]  -P --publish-all  --dns IP  --dns-search D\n"
      "  --add-host NAME:IP  --ip IP  --mac-address MAC  --network-alias NAME  --runtime PATH";

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
  OPT_MAC,
  OPT_ALIAS,
  OPT_DETACH_KEYS,
  OPT_SIG_PROXY,
  OPT_DOMAIN,
  OPT_CGROUP_PARENT,
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
  { "net", required_argument, NULL, OPT_NETWORK },
  { "runtime", required_argument, NULL, OPT_RUNTIME },
  { "publish", required_argument, NULL, 'p' },
  { "publish-all", no_argument, NULL, 'P' },
  { "dns", required_argument, NULL, OPT_DNS },
  { "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
  { "add-host", required_argument, NULL, OPT_ADD_HOST },
  { "ip", required_argument, NULL, OPT_IP },
  { "mac-address", required_argument, NULL, OPT_MAC },
  { "network-alias", required_argument, NULL, OPT_ALIAS },
  { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
  { "sig-proxy", required_argument, NULL, OPT_SIG_PROXY },
  { NULL, 0, NULL, 0 },
};

static json_t *
list (json_t *o, const char *key)
{
  json_t *a = json_object_get (o, key);
  if (!json_is_array (a))
    {
      a = json_array ();
      json_object_set_new (o, key, a);
    }
  return a;
}

static json_t *
object (json_t *o, const char *key)
{
  json_t *m = json_object_get (o, key);
  if (!json_is_object (m))
    {
      m = json_object ();
      json_object_set_new (o, key, m);
    }
  return m;
}

static int
key_value (const char *text, const char *flag, json_t *map, struct hk_error **err)
{
  const char *eq = strchr (text, '=');
  if (eq == NULL || eq == text)
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not KEY=VALUE", flag, text);
  _cleanup_free_ char *key = xstrndup (text, (size_t)(eq - text));
  json_object_set_new (map, key, json_string (eq + 1));
  return 0;
}

static int
parse_int (const char *text, const char *flag, long long min, long long max, long long *out,
           struct hk_error **err)
{
  char *end;
  errno = 0;
  long long v = strtoll (text, &end, 10);
  if (errno || end == text || *end)
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not a number", flag, text);
  if (v < min || v > max)
    return hk_error_set (err, ERANGE, "%s: %lld is outside %lld..%lld", flag, v, min, max);
  *out = v;
  return 0;
}

static int
parse_memory (const char *text, const char *flag, bool allow_unlimited, int64_t *out,
              struct hk_error **err)
{
  if (units_parse_bytes (text, flag, out, err) < 0)
    return -1;
  if (*out == -1 && allow_unlimited)
    return 0;
  if (*out < 6 * 1024 * 1024)
    return hk_error_set (err, EINVAL, "%s: %s is below the minimum of 6MB", flag, text);
  return 0;
}

static int
parse_duration_ns (const char *text, const char *flag, json_t *hc, const char *key,
                   struct hk_error **err)
{
  int64_t ms;
  if (units_parse_duration_ms (text, flag, &ms, err) < 0)
    return -1;
  if (ms <= 0)
    return hk_error_set (err, EINVAL, "%s: must be positive", flag);
  json_object_set_new (hc, key, json_integer ((json_int_t)ms * 1000000));
  return 0;
}

static int
parse_ulimit (const char *text, json_t *o, struct hk_error **err)
{
  static const char *const names[]
      = { "core",  "cpu", "data",   "fsize",  "locks",      "memlock", "msgqueue", "nice", "nofile",
          "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",   "as",       NULL };
  const char *eq = strchr (text, '=');
  _cleanup_free_ char *name = eq ? xstrndup (text, (size_t)(eq - text)) : NULL;
  if (name == NULL || !strv_contains ((char *const *)names, name))
    return hk_error_set (err, EINVAL,
                         "--ulimit: \"%s\" is not NAME=SOFT[:HARD] with a known limit name", text);
  _cleanup_free_ char *values = xstrdup (eq + 1);
  char *colon = strchr (values, ':');
  if (colon)
    *colon = '\0';
  long long soft, hard;
  if (parse_int (values, "--ulimit", -1, INT64_MAX, &soft, err) < 0
      || parse_int (colon ? colon + 1 : values, "--ulimit", -1, INT64_MAX, &hard, err) < 0)
    return hk_error_prefix (err, "--ulimit %s", text);
  if (soft > hard && hard != -1)
    return hk_error_set (err, EINVAL, "--ulimit %s: the soft limit is above the hard one", text);
  json_array_append_new (list (o, "Ulimits"),
                         json_pack ("{s:s, s:I, s:I}", "Name", name, "Soft", (json_int_t)soft,
                                    "Hard", (json_int_t)hard));
  return 0;
}

static int
parse_restart (const char *text, json_t *o, struct hk_error **err)
{
  long long max = 0;
  char name[32];
  const char *colon = strchr (text, ':');
  size_t len = colon ? (size_t)(colon - text) : strlen (text);
  if (len >= sizeof name)
    return hk_error_set (err, EINVAL, "--restart: unknown policy \"%s\"", text);
  memcpy (name, text, len);
  name[len] = '\0';
  if (strcmp (name, "no") != 0 && strcmp (name, "always") != 0 && strcmp (name, "on-failure") != 0
      && strcmp (name, "unless-stopped") != 0)
    return hk_error_set (err, EINVAL,
                         "--restart: unknown policy \"%s\" (no, on-failure[:N], always, "
                         "unless-stopped)",
                         text);
  if (colon && strcmp (name, "on-failure") != 0)
    return hk_error_set (err, EINVAL, "--restart %s: only on-failure takes a count", text);
  if (colon && parse_int (colon + 1, "--restart on-failure", 0, INT32_MAX, &max, err) < 0)
    return -1;
  json_object_set_new (
      o, "RestartPolicy",
      json_pack ("{s:s, s:I}", "Name", name, "MaximumRetryCount", (json_int_t)max));
  return 0;
}

/* [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], ports or ranges. */
static int
parse_publish (const char *text, json_t *o, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *proto = strchr (copy, '/');
  if (proto)
    {
      *proto++ = '\0';
      if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0 && strcmp (proto, "sctp") != 0)
        return hk_error_set (err, EINVAL, "-p %s: unknown protocol \"%s\"", text, proto);
    }
  char *parts[3] = { 0 };
  size_t n = 0;
  /* An IPv6 address is in brackets: [::1]:8080:80 */
  char *rest = copy;
  if (rest[0] == '[')
    {
      char *close = strchr (rest, ']');
      if (close == NULL || close[1] != ':')
        return hk_error_set (err, EINVAL, "-p %s: bad address", text);
      *close = '\0';
      parts[n++] = rest + 1;
      rest = close + 2;
    }
  for (char *p = rest; p && n < 3;)
    {
      char *colon = strchr (p, ':');
      if (colon)
        *colon = '\0';
      parts[n++] = p;
      p = colon ? colon + 1 : NULL;
    }
  const char *ip = n == 3 ? parts[0] : "";
  const char *host = n >= 2 ? parts[n - 2] : "";
  const char *container = parts[n - 1];
  long long a, b;
  char *dash;
  _cleanup_free_ char *c = xstrdup (container ? container : "");
  if ((dash = strchr (c, '-')) != NULL)
    *dash = '\0';
  if (parse_int (c, "-p", 1, 65535, &a, err) < 0
      || (dash && parse_int (dash + 1, "-p", 1, 65535, &b, err) < 0))
    return hk_error_prefix (err, "-p %s: bad container port", text);
  if (*host)
    {
      _cleanup_free_ char *h = xstrdup (host);
      if ((dash = strchr (h, '-')) != NULL)
        *dash = '\0';
      if (parse_int (h, "-p", 1, 65535, &a, err) < 0
          || (dash && parse_int (dash + 1, "-p", 1, 65535, &b, err) < 0))
        return hk_error_prefix (err, "-p %s: bad host port", text);
    }
  json_array_append_new (list (o, "PortBindings"),
                         json_pack ("{s:s, s:s, s:s, s:s}", "HostIp", ip, "HostPort", host,
                                    "ContainerPort", container, "Protocol", proto ? proto : "tcp"));
  return 0;
}

static bool
is_network_mode (const char *name)
{
  return strcmp (name, "none") == 0 || strcmp (name, "host") == 0
         || strncmp (name, "container:", 10) == 0;
}

/* --network, repeatable: the first is the NetworkMode; none, host and
 * container:NAME stand alone. */
static int
add_network (const char *arg, json_t *o, struct hk_error **err)
{
  const char *mode = json_string_value (json_object_get (o, "NetworkMode"));
  if (*arg == '\0' || strcmp (arg, "container:") == 0)
    return hk_error_set (err, EINVAL, "--network: \"%s\" names no network", arg);
  if (mode != NULL && (is_network_mode (mode) || is_network_mode (arg)))
    return hk_error_set (err, EINVAL,
                         "--network %s: none, host and container:NAME cannot be combined with "
                         "other networks",
                         is_network_mode (arg) ? arg : mode);
  if (mode == NULL)
    json_object_set_new (o, "NetworkMode", json_string (arg));
  if (!is_network_mode (arg))
    json_array_append_new (list (o, "Networks"), json_pack ("{s:s}", "Name", arg));
  return 0;
}

static int
read_env_file (const char *path, json_t *env, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, 1 << 20, &text, NULL, err) < 0)
    return hk_error_prefix (err, "--env-file");
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      line += strspn (line, " \t");
      size_t len = strlen (line);
      while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
        line[--len] = '\0';
      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '=')
        return hk_error_set (err, EINVAL, "--env-file %s: \"%s\" has no variable name", path, line);
      json_array_append_new (env, json_string (line));
    }
  return 0;
}

/* --runtime NAME|PATH: the program's absolute path (a name is looked up
 * in $PATH, as Podman does), so that the monitor finds it whatever its
 * environment. */
static char *
find_runtime (const char *name, struct hk_error **err)
{
  if (strchr (name, '/') != NULL)
    {
      char *real = realpath (name, NULL);
      if (real == NULL || access (real, X_OK) < 0)
        {
          free (real);
          return hk_error_errno (err, errno, "--runtime %s", name), NULL;
        }
      return real;
    }
  const char *path = getenv ("PATH");
  _cleanup_free_ char *dirs
      = xstrdup (path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
  char *save = NULL;
  for (char *dir = strtok_r (dirs, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *candidate = xasprintf ("%s/%s", dir, name);
      if (access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
    }
  hk_error_set (err, ENOENT, "--runtime %s: no such program in $PATH", name);
  return NULL;
}

/* One option into O. */
static int
apply (int c, const char *arg, json_t *o, struct run_request *req, struct hk_error **err)
{
  int64_t bytes;
  long long n;
  json_t *mount = NULL;
  switch (c)
    {
    case 'd':
      req->detach = true;
      return 0;
    case 'i':
      json_object_set_new (o, "OpenStdin", json_true ());
      return 0;
    case 't':
      json_object_set_new (o, "Tty", json_true ());
      return 0;
    case OPT_RM:
      json_object_set_new (o, "AutoRemove", json_true ());
      return 0;
    case OPT_NAME:
      if (container_record_check_name (arg, err) < 0)
        return hk_error_prefix (err, "--name");
      json_object_set_new (o, "Name", json_string (arg));
      return 0;
    case 'e':
      if (*arg == '=' || *arg == '\0')
        return hk_error_set (err, EINVAL, "--env: \"%s\" has no variable name", arg);
      json_array_append_new (list (o, "Env"), json_string (arg));
      return 0;
    case OPT_ENV_FILE:
      return read_env_file (arg, list (o, "Env"), err);
    case 'w':
      if (arg[0] != '/')
        return hk_error_set (err, EINVAL, "--workdir: \"%s\" is not an absolute path", arg);
      json_object_set_new (o, "WorkingDir", json_string (arg));
      return 0;
    case 'u':
      json_object_set_new (o, "User", json_string (arg));
      return 0;
    case OPT_ENTRYPOINT:
      json_object_set_new (o, "Entrypoint", *arg ? json_pack ("[s]", arg) : json_array ());
      return 0;
    case 'h':
      json_object_set_new (o, "Hostname", json_string (arg));
      return 0;
    case OPT_CGROUP_PARENT:
      if (arg[0] == '\0' || strstr (arg, "..") != NULL)
        return hk_error_set (err, EINVAL, "--cgroup-parent: \"%s\" is not a cgroup path", arg);
      json_object_set_new (o, "CgroupParent", json_string (arg));
      return 0;
    case OPT_DOMAIN:
      json_object_set_new (o, "Domainname", json_string (arg));
      return 0;
    case 'l':
      if (strchr (arg, '=') == NULL)
        {
          json_object_set_new (object (o, "Labels"), arg, json_string (""));
          return 0;
        }
      return key_value (arg, "--label", object (o, "Labels"), err);
    case 'm':
      if (parse_memory (arg, "--memory", false, &bytes, err) < 0)
        return -1;
      json_object_set_new (o, "Memory", json_integer (bytes));
      return 0;
    case OPT_MEMORY_SWAP:
      if (parse_memory (arg, "--memory-swap", true, &bytes, err) < 0)
        return -1;
      json_object_set_new (o, "MemorySwap", json_integer (bytes));
      return 0;
    case OPT_MEMORY_RESERVATION:
      if (parse_memory (arg, "--memory-reservation", false, &bytes, err) < 0)
        return -1;
      json_object_set_new (o, "MemoryReservation", json_integer (bytes));
      return 0;
    case OPT_CPUS:
      {
        char *end;
        errno = 0;
        double cpus = strtod (arg, &end);
        long online = sysconf (_SC_NPROCESSORS_ONLN);
        if (errno || end == arg || *end || !isfinite (cpus))
          return hk_error_set (err, EINVAL, "--cpus: \"%s\" is not a number", arg);
        if (cpus < 0.01 || cpus > (double)online)
          return hk_error_set (err, ERANGE, "--cpus: %s is outside 0.01..%ld (the host's CPUs)",
                               arg, online);
        json_object_set_new (o, "NanoCpus", json_integer ((json_int_t)llround (cpus * 1e9)));
        return 0;
      }
    case 'c':
      if (parse_int (arg, "--cpu-shares", 2, 262144, &n, err) < 0)
        return -1;
      json_object_set_new (o, "CpuShares", json_integer (n));
      return 0;
    case OPT_CPUSET:
      if (strspn (arg, "0123456789,-") != strlen (arg) || *arg == '\0')
        return hk_error_set (err, EINVAL, "--cpuset-cpus: \"%s\" is not a list like 0-2,4", arg);
      json_object_set_new (o, "CpusetCpus", json_string (arg));
      return 0;
    case OPT_PIDS:
      if (parse_int (arg, "--pids-limit", -1, INT64_MAX, &n, err) < 0)
        return -1;
      json_object_set_new (o, "PidsLimit", json_integer (n));
      return 0;
    case OPT_ULIMIT:
      return parse_ulimit (arg, o, err);
    case OPT_CAP_ADD:
      json_array_append_new (list (o, "CapAdd"), json_string (arg));
      return 0;
    case OPT_CAP_DROP:
      json_array_append_new (list (o, "CapDrop"), json_string (arg));
      return 0;
    case OPT_PRIVILEGED:
      json_object_set_new (o, "Privileged", json_true ());
      return 0;
    case OPT_READ_ONLY:
      json_object_set_new (o, "ReadonlyRootfs", json_true ());
      return 0;
    case OPT_SECURITY:
      if (strncmp (arg, "seccomp=", 8) != 0 && strncmp (arg, "seccomp:", 8) != 0
          && strcmp (arg, "no-new-privileges") != 0 && strcmp (arg, "no-new-privileges:true") != 0
          && strcmp (arg, "no-new-privileges=true") != 0 && strncmp (arg, "label", 5) != 0
          && strncmp (arg, "apparmor", 8) != 0)
        return hk_error_set (err, EINVAL, "--security-opt: unknown option \"%s\"", arg);
      if ((strncmp (arg, "seccomp", 7) == 0) && strcmp (arg + 8, "unconfined") != 0
          && access (arg + 8, R_OK) < 0)
        return hk_error_errno (err, errno, "--security-opt %s", arg);
      json_array_append_new (list (o, "SecurityOpt"), json_string (arg));
      return 0;
    case OPT_DEVICE:
      json_array_append_new (list (o, "Devices"), json_string (arg));
      return 0;
    case 'v':
      if (container_mounts_parse_volume (arg, &mount, err) < 0)
        return -1;
      json_array_append_new (list (o, "Mounts"), mount);
      return 0;
    case OPT_MOUNT:
      if (container_mounts_parse_mount (arg, &mount, err) < 0)
        return -1;
      json_array_append_new (list (o, "Mounts"), mount);
      return 0;
    case OPT_TMPFS:
      {
        const char *colon = strchr (arg, ':');
        _cleanup_free_ char *dir = colon ? xstrndup (arg, (size_t)(colon - arg)) : xstrdup (arg);
        if (dir[0] != '/')
          return hk_error_set (err, EINVAL, "--tmpfs: \"%s\" is not an absolute path", dir);
        json_object_set_new (object (o, "Tmpfs"), dir, json_string (colon ? colon + 1 : ""));
        return 0;
      }
    case OPT_INIT:
      json_object_set_new (o, "Init", json_true ());
      return 0;
    case OPT_RESTART:
      return parse_restart (arg, o, err);
    case OPT_STOP_SIGNAL:
      if (signal_parse (arg, err) < 0)
        return hk_error_prefix (err, "--stop-signal");
      json_object_set_new (o, "StopSignal", json_string (arg));
      return 0;
    case OPT_STOP_TIMEOUT:
      if (parse_int (arg, "--stop-timeout", -1, 86400, &n, err) < 0)
        return -1;
      json_object_set_new (o, "StopTimeout", json_integer (n));
      return 0;
    case OPT_SYSCTL:
      return key_value (arg, "--sysctl", object (o, "Sysctls"), err);
    case OPT_HEALTH_CMD:
      json_object_set_new (object (o, "Healthcheck"), "Test",
                           json_pack ("[s, s]", "CMD-SHELL", arg));
      return 0;
    case OPT_HEALTH_INTERVAL:
      return parse_duration_ns (arg, "--health-interval", object (o, "Healthcheck"), "Interval",
                                err);
    case OPT_HEALTH_TIMEOUT:
      return parse_duration_ns (arg, "--health-timeout", object (o, "Healthcheck"), "Timeout", err);
    case OPT_HEALTH_START:
      return parse_duration_ns (arg, "--health-start-period", object (o, "Healthcheck"),
                                "StartPeriod", err);
    case OPT_HEALTH_RETRIES:
      if (parse_int (arg, "--health-retries", 1, INT32_MAX, &n, err) < 0)
        return -1;
      json_object_set_new (object (o, "Healthcheck"), "Retries", json_integer (n));
      return 0;
    case OPT_NO_HEALTH:
      json_object_set_new (object (o, "Healthcheck"), "Test", json_pack ("[s]", "NONE"));
      return 0;
    case OPT_LOG_DRIVER:
      if (strcmp (arg, "json-file") != 0)
        return hk_error_set (err, ENOTSUP, "--log-driver: only json-file is supported, not \"%s\"",
                             arg);
      return 0;
    case OPT_LOG_OPT:
      {
        json_t *config = object (object (o, "LogConfig"), "Config");
        if (key_value (arg, "--log-opt", config, err) < 0)
          return -1;
        const char *eq = strchr (arg, '=');
        if (strncmp (arg, "max-size=", 9) == 0)
          return units_parse_bytes (eq + 1, "--log-opt max-size", &bytes, err) < 0 ? -1 : 0;
        if (strncmp (arg, "max-file=", 9) == 0)
          return parse_int (eq + 1, "--log-opt max-file", 1, 1000, &n, err);
        return hk_error_set (err, EINVAL, "--log-opt: unknown option \"%s\" (max-size, max-file)",
                             arg);
      }
    case OPT_NETWORK:
      return add_network (arg, o, err);
    case OPT_RUNTIME:
      {
        _cleanup_free_ char *program = find_runtime (arg, err);
        if (program == NULL)
          return -1;
        json_object_set_new (o, "Runtime", json_string (program));
        return 0;
      }
    case 'p':
      return parse_publish (arg, o, err);
    case 'P':
      json_object_set_new (o, "PublishAllPorts", json_true ());
      return 0;
    case OPT_DNS:
      json_array_append_new (list (o, "Dns"), json_string (arg));
      return 0;
    case OPT_DNS_SEARCH:
      json_array_append_new (list (o, "DnsSearch"), json_string (arg));
      return 0;
    case OPT_ADD_HOST:
      if (strchr (arg, ':') == NULL)
        return hk_error_set (err, EINVAL, "--add-host: \"%s\" is not NAME:IP", arg);
      json_array_append_new (list (o, "ExtraHosts"), json_string (arg));
      return 0;
    case OPT_IP:
      json_object_set_new (o, "IPAddress", json_string (arg));
      return 0;
    case OPT_MAC:
      json_object_set_new (o, "MacAddress", json_string (arg));
      return 0;
    case OPT_ALIAS:
      json_array_append_new (list (o, "Aliases"), json_string (arg));
      return 0;
    case OPT_DETACH_KEYS:
      free (req->detach_keys);
      req->detach_keys = xstrdup (arg);
      return 0;
    case OPT_SIG_PROXY:
      return 0;
    }
  return hk_error_set (err, EINVAL, "unknown option");
}

int
run_options_parse (int argc, char **argv, const char *command, bool with_detach,
                   struct run_request *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  json_t *o = json_object ();
  out->options = o;
  int c;
  /* '+': the first operand is the image; what follows is its command. */
  while ((c = getopt_long (argc, argv, "+dith:e:w:u:l:m:c:v:p:P", run_long_options, NULL)) != -1)
    {
      if (c == '?')
        return cli_usage (err, command, run_options_usage, "unknown option");
      if (c == 'd' && !with_detach)
        return cli_usage (err, command, run_options_usage, "-d applies to run only");
      if (apply (c, optarg, o, out, err) < 0)
        return -1;
    }
  if (optind >= argc)
    return cli_usage (err, command, run_options_usage, "missing image name");
  out->image = argv[optind++];
  if (optind < argc)
    {
      json_t *cmd = json_array ();
      for (int i = optind; i < argc; i++)
        json_array_append_new (cmd, json_string (argv[i]));
      json_object_set_new (o, "Cmd", cmd);
    }
  if (json_is_true (json_object_get (o, "AutoRemove"))
      && json_object_get (o, "RestartPolicy") != NULL
      && strcmp (json_string_value (json_object_get (json_object_get (o, "RestartPolicy"), "Name")),
                 "no")
             != 0)
    return hk_error_set (err, EINVAL, "--restart and --rm cannot be used together");
  return 0;
}

const char update_options_usage[]
    = "[OPTIONS] CONTAINER...\n"
      "  -m --memory N  --memory-swap N  --memory-reservation N  --cpus N  -c --cpu-shares N\n"
      "  --cpuset-cpus LIST  --pids-limit N  --restart no|on-failure[:N]|always|unless-stopped";

int
run_options_parse_update (int argc, char **argv, json_t **changes, struct hk_error **err)
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
  _cleanup_json_ json_t *o = json_object ();
  struct run_request unused = { 0 };
  int c;
  while ((c = getopt_long (argc, argv, "m:c:", options, NULL)) != -1)
    {
      if (c == '?')
        return cli_usage (err, "update", update_options_usage, "unknown option");
      if (apply (c, optarg, o, &unused, err) < 0)
        return -1;
    }
  if (json_object_size (o) == 0)
    return cli_usage (err, "update", update_options_usage, "give at least one flag to change");
  *changes = take_ptr (o);
  return 0;
}

void
run_request_clear (struct run_request *r)
{
  json_decref (r->options);
  free (r->detach_keys);
  memset (r, 0, sizeof *r);
}
