/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-container.h"
#include "compose-dotenv.h"
#include "compose-files.h"
#include "compose-refs.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"
#include "store/digest.h"
#include "store/platform.h"

#include <errno.h>
#include <string.h>

/* Keys below a service key that the engine cannot carry out either. */
static const char *const unsupported_subkeys[][2] = {
  { "deploy", "labels" },     { "build", "cache_from" }, { "build", "pull" },
  { "build", "network" },
};

static int
check_supported (const char *name, json_t *svc, struct hk_error **err)
{
  for (size_t i = 0; i < sizeof unsupported_subkeys / sizeof *unsupported_subkeys; i++)
    if (json_object_get (json_object_get (svc, unsupported_subkeys[i][0]), unsupported_subkeys[i][1]))
      return hk_error_set (err, ENOTSUP, "services.%s.%s.%s: not supported by hako compose",
                           name, unsupported_subkeys[i][0], unsupported_subkeys[i][1]);
  json_t *deploy = json_object_get (svc, "deploy");
  const char *mode = json_string_value (json_object_get (deploy, "mode"));
  if (mode && strcmp (mode, "replicated") != 0)
    return hk_error_set (err, ENOTSUP, "services.%s.deploy.mode: %s is not supported (replicated "
                         "only)", name, mode);
  json_t *policy = json_object_get (deploy, "restart_policy");
  if (json_object_get (policy, "delay") || json_object_get (policy, "window"))
    return hk_error_set (err, ENOTSUP, "services.%s.deploy.restart_policy: delay and window are "
                         "not supported by hako compose", name);
  size_t i;
  json_t *v;
  json_array_foreach (json_object_get (svc, "volumes"), i, v)
  {
    if (json_object_get (json_object_get (v, "volume"), "subpath")
        || json_object_get (json_object_get (v, "bind"), "selinux")
        || json_object_get (json_object_get (v, "tmpfs"), "mode"))
      return hk_error_set (err, ENOTSUP, "services.%s.volumes[%zu]: volume.subpath, bind.selinux "
                           "and tmpfs.mode are not supported by hako compose", name, i);
  }
  return 0;
}

char *
compose_config_hash (json_t *services, json_t *service)
{
  _cleanup_free_ char *text = json_dumps (service, JSON_SORT_KEYS | JSON_COMPACT);
  struct sha256 h;
  char digest[DIGEST_STRING_SIZE];
  sha256_init (&h);
  sha256_update (&h, text, strlen (text));
  /* joined to another service's container (its ID is resolved at
   * create): made again when that one is (the loader refused cycles) */
  _cleanup_strv_ char **refs = compose_service_refs (service);
  for (char **ref = refs; *ref; ref++)
    {
      json_t *other = json_object_get (services, *ref);
      _cleanup_free_ char *theirs = other ? compose_config_hash (services, other) : NULL;
      if (theirs)
        sha256_update (&h, theirs, strlen (theirs));
    }
  sha256_final (&h, digest);
  return xstrdup (digest + strlen ("sha256:"));
}

char *
compose_container_name (const struct compose_project *p, const char *name, json_t *service,
                        int number)
{
  const char *fixed = json_string_value (json_object_get (service, "container_name"));
  if (fixed)
    return xstrdup (fixed);
  return xasprintf ("%s-%s-%d", p->name, name, number);
}

static char **
strings (json_t *array)
{
  char **v = NULL;
  size_t i;
  json_t *s;
  json_array_foreach (array, i, s)
  {
    strv_append (&v, json_string_value (s));
  }
  return v;
}

/* env_file's files, then environment over them. */
static int
set_environment (const struct compose_project *p, const char *name, json_t *svc,
                 struct ctr_config *c, struct hk_error **err)
{
  _cleanup_strv_ char **env = NULL;
  size_t i;
  json_t *file;
  json_array_foreach (json_object_get (svc, "env_file"), i, file)
  {
    if (compose_dotenv_read (json_string_value (file), p->env, &env, err) < 0)
      return hk_error_prefix (err, "services.%s.env_file[%zu]", name, i);
  }
  const char *key;
  json_t *v;
  json_object_foreach (json_object_get (svc, "environment"), key, v)
  {
    if (json_is_string (v))
      strv_env_set (&env, key, json_string_value (v));
  }
  c->env = take_ptr (env);
  return 0;
}

/* network_mode, pid, ipc: service:NAME is the service's first
 * container, as Docker Compose has it. */
static char *
container_mode (const struct compose_project *p, const char *mode)
{
  if (strncmp (mode, "service:", 8) != 0)
    return xstrdup (mode);
  json_t *other = json_object_get (json_object_get (p->model, "services"), mode + 8);
  _cleanup_free_ char *ctr = compose_container_name (p, mode + 8, other, 1);
  return xasprintf ("container:%s", ctr);
}

/* volumes_from: NAME and service:NAME are the service's first container,
 * container:NAME that container; :ro and :rw kept. */
static int
set_volumes_from (const struct compose_project *p, const char *name, json_t *svc,
                  struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *entry;
  json_array_foreach (json_object_get (svc, "volumes_from"), i, entry)
  {
    bool container;
    _cleanup_free_ char *from = NULL;
    const char *mode;
    compose_volumes_from_split (json_string_value (entry), &container, &from, &mode);
    json_t *other = json_object_get (json_object_get (p->model, "services"), from);
    _cleanup_free_ char *ctr = container ? xstrdup (from) : compose_container_name (p, from, other, 1);
    _cleanup_free_ char *text = mode ? xasprintf ("%s:%s", ctr, mode) : xstrdup (ctr);
    if (config_parse_volumes_from (c, text, err) < 0)
      return hk_error_prefix (err, "services.%s.volumes_from[%zu]", name, i);
  }
  return 0;
}

/* pid, ipc and shm_size: the engine's --pid, --ipc and --shm-size. */
static int
set_namespaces (const struct compose_project *p, const char *name, json_t *svc,
                struct ctr_config *c, struct hk_error **err)
{
  const char *pid = json_string_value (json_object_get (svc, "pid"));
  const char *ipc = json_string_value (json_object_get (svc, "ipc"));
  _cleanup_free_ char *pid_mode = pid ? container_mode (p, pid) : NULL;
  _cleanup_free_ char *ipc_mode = ipc ? container_mode (p, ipc) : NULL;
  if (pid_mode && config_parse_pid (c, pid_mode, err) < 0)
    return hk_error_prefix (err, "services.%s.pid", name);
  if (ipc_mode && config_parse_ipc (c, ipc_mode, err) < 0)
    return hk_error_prefix (err, "services.%s.ipc", name);
  json_t *size = json_object_get (svc, "shm_size");
  if (size)
    c->shm_size = json_integer_value (size);
  return 0;
}

/* A service for another platform cannot run here: no emulation. */
static int
check_platform (const char *name, json_t *svc, struct hk_error **err)
{
  const char *text = json_string_value (json_object_get (svc, "platform"));
  if (text == NULL)
    return 0;
  struct platform want = { 0 }, host = { 0 };
  if (platform_parse (text, &want, err) < 0)
    return hk_error_prefix (err, "services.%s.platform", name);
  platform_host (&host);
  _cleanup_free_ char *host_text = platform_string (&host);
  int score = platform_match_score (&want, &host);
  platform_clear (&want);
  platform_clear (&host);
  if (score == 0)
    return hk_error_set (err, ENOTSUP, "services.%s.platform: %s is not this machine's "
                         "platform (%s) and hako runs no emulator", name, text, host_text);
  return 0;
}

static int
set_ports (const char *name, json_t *svc, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *port;
  json_array_foreach (json_object_get (svc, "ports"), i, port)
  {
    const char *mode = json_string_value (json_object_get (port, "mode"));
    if (mode && strcmp (mode, "ingress") != 0 && strcmp (mode, "host") != 0)
      return hk_error_set (err, EINVAL, "services.%s.ports[%zu].mode: \"%s\" is not ingress or "
                           "host", name, i, mode);
    const char *ip = json_string_value (json_object_get (port, "host_ip"));
    const char *published = json_string_value (json_object_get (port, "published"));
    c->ports = xreallocarray (c->ports, c->n_ports + 1, sizeof *c->ports);
    c->ports[c->n_ports++] = (struct config_port){
      .host_ip = xstrdup (ip ? ip : ""),
      .host_port = xstrdup (published ? published : ""),
      .container_port = xasprintf ("%lld", (long long)json_integer_value (json_object_get (port, "target"))),
      .protocol = xstrdup (json_string_value (json_object_get (port, "protocol"))),
    };
  }
  return 0;
}

static void
add_mount (struct ctr_config *c, struct config_mount m)
{
  c->mounts = xreallocarray (c->mounts, c->n_mounts + 1, sizeof *c->mounts);
  c->mounts[c->n_mounts++] = m;
}

static int
set_volumes (const struct compose_project *p, const char *name, json_t *svc,
             struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *v;
  json_array_foreach (json_object_get (svc, "volumes"), i, v)
  {
    const char *type = json_string_value (json_object_get (v, "type"));
    const char *source = json_string_value (json_object_get (v, "source"));
    const char *target = json_string_value (json_object_get (v, "target"));
    bool ro = json_is_true (json_object_get (v, "read_only"));
    if (strcmp (type, "tmpfs") == 0)
      {
        const char *size = json_string_value (json_object_get (json_object_get (v, "tmpfs"), "size"));
        _cleanup_free_ char *opts = size ? xasprintf ("size=%s", size) : xstrdup ("");
        config_map_set (&c->tmpfs, target, opts);
        continue;
      }
    bool bind = strcmp (type, "bind") == 0;
    const char *volume_name = NULL;
    if (!bind && source)
      volume_name = json_string_value (
          json_object_get (json_object_get (json_object_get (p->model, "volumes"), source), "name"));
    add_mount (c, (struct config_mount){
                      .type = bind ? CONFIG_MOUNT_BIND : CONFIG_MOUNT_VOLUME,
                      .source = bind ? xstrdup (source) : volume_name ? xstrdup (volume_name) : NULL,
                      .target = xstrdup (target),
                      .readonly = ro,
                      .nocopy = json_is_true (json_object_get (json_object_get (v, "volume"), "nocopy")),
                      .create_host_path = json_is_true (
                          json_object_get (json_object_get (v, "bind"), "create_host_path")),
                  });
    if (bind && json_object_get (json_object_get (v, "bind"), "propagation"))
      return hk_error_set (err, ENOTSUP, "services.%s.volumes[%zu].bind.propagation: not "
                           "supported by hako compose", name, i);
  }
  json_t *t;
  json_array_foreach (json_object_get (svc, "tmpfs"), i, t)
  {
    if (config_parse_tmpfs (c, json_string_value (t), err) < 0)
      return hk_error_prefix (err, "services.%s.tmpfs[%zu]", name, i);
  }
  return 0;
}

/* The service's secrets or configs (KIND), each bound read-only from its
 * file (the loader kept relative ones inside the project directory) or
 * from the one `up` writes for environment: and content:; an external
 * one, which only a Swarm holds, is refused naming it. */
static int
set_files (const struct compose_project *p, const char *name, json_t *svc, const char *kind,
           struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *ref;
  json_array_foreach (json_object_get (svc, kind), i, ref)
  {
    const char *source = json_string_value (json_object_get (ref, "source"));
    json_t *def = json_object_get (json_object_get (p->model, kind), source);
    _cleanup_free_ char *file = NULL;
    if (json_object_get (def, "file"))
      file = xstrdup (json_string_value (json_object_get (def, "file")));
    else if (json_is_true (json_object_get (def, "external")))
      return hk_error_set (err, ENOTSUP, "services.%s.%s[%zu]: %s %s is external: only a Swarm "
                           "keeps external %s, and Docker Compose without one refuses them "
                           "too; give it file:, environment: or content:",
                           name, kind, i, strcmp (kind, "secrets") == 0 ? "secret" : "config",
                           source, kind);
    else if (compose_file_object_path (p, kind, source, &file, err) < 0)
      return hk_error_prefix (err, "services.%s.%s[%zu]", name, kind, i);
    const char *target = json_string_value (json_object_get (ref, "target"));
    if (json_object_get (ref, "uid") || json_object_get (ref, "gid") || json_object_get (ref, "mode"))
      return hk_error_set (err, ENOTSUP, "services.%s.%s[%zu]: uid, gid and mode are not "
                           "supported by hako compose", name, kind, i);
    char *dest;
    if (strcmp (kind, "secrets") == 0)
      dest = target && target[0] == '/' ? xstrdup (target)
                                        : xasprintf ("/run/secrets/%s", target ? target : source);
    else
      dest = target ? xstrdup (target) : xasprintf ("/%s", source);
    add_mount (c, (struct config_mount){ .type = CONFIG_MOUNT_BIND, .source = take_ptr (file),
                                         .target = dest, .readonly = true });
  }
  return 0;
}

static int
set_health (const char *name, json_t *svc, struct ctr_config *c, struct hk_error **err)
{
  json_t *h = json_object_get (svc, "healthcheck");
  if (h == NULL)
    return 0;
  if (json_is_true (json_object_get (h, "disable")))
    {
      strv_free (c->health.test);
      c->health.test = NULL;
      strv_append (&c->health.test, "NONE");
      return 0;
    }
  if (json_object_get (h, "test"))
    c->health.test = strings (json_object_get (h, "test"));
  static const struct
  {
    const char *key;
    size_t offset;
  } durations[] = {
    { "interval", offsetof (struct config_health, interval_ns) },
    { "timeout", offsetof (struct config_health, timeout_ns) },
    { "start_period", offsetof (struct config_health, start_period_ns) },
  };
  for (size_t i = 0; i < sizeof durations / sizeof *durations; i++)
    {
      const char *text = json_string_value (json_object_get (h, durations[i].key));
      _cleanup_free_ char *path = xasprintf ("services.%s.healthcheck.%s", name, durations[i].key);
      if (text && config_parse_duration_ns (text, path, (int64_t *)((char *)&c->health + durations[i].offset), err) < 0)
        return -1;
    }
  if (json_object_get (h, "start_interval"))
    return hk_error_set (err, ENOTSUP, "services.%s.healthcheck.start_interval: not supported "
                         "by hako compose", name);
  json_t *retries = json_object_get (h, "retries");
  if (retries)
    c->health.retries = (int)json_integer_value (retries);
  return 0;
}

static int
set_deploy (const char *name, json_t *svc, struct ctr_config *c, struct hk_error **err)
{
  json_t *resources = json_object_get (json_object_get (svc, "deploy"), "resources");
  json_t *limits = json_object_get (resources, "limits");
  json_t *reservations = json_object_get (resources, "reservations");
  const char *cpus = json_string_value (json_object_get (limits, "cpus"));
  if (cpus && config_parse_cpus (c, cpus, err) < 0)
    return hk_error_prefix (err, "services.%s.deploy.resources.limits.cpus", name);
  json_t *memory = json_object_get (limits, "memory");
  if (memory)
    {
      c->limits.memory = json_integer_value (memory);
      c->limits.set |= CONFIG_LIMIT_MEMORY;
    }
  json_t *pids = json_object_get (limits, "pids");
  if (pids)
    {
      c->limits.pids_limit = json_integer_value (pids);
      c->limits.set |= CONFIG_LIMIT_PIDS;
    }
  json_t *reserved = json_object_get (reservations, "memory");
  if (reserved)
    {
      c->limits.memory_reservation = json_integer_value (reserved);
      c->limits.set |= CONFIG_LIMIT_MEMORY_RESERVATION;
    }
  if (json_object_get (reservations, "cpus") || json_object_get (reservations, "pids"))
    return hk_error_set (err, ENOTSUP, "services.%s.deploy.resources.reservations: only memory "
                         "is supported by hako compose", name);
  json_t *policy = json_object_get (json_object_get (svc, "deploy"), "restart_policy");
  const char *condition = json_string_value (json_object_get (policy, "condition"));
  if (condition && json_object_get (svc, "restart") == NULL)
    {
      json_t *max = json_object_get (policy, "max_attempts");
      _cleanup_free_ char *text
          = strcmp (condition, "none") == 0 ? xstrdup ("no")
            : strcmp (condition, "any") == 0 ? xstrdup ("always")
            : max ? xasprintf ("on-failure:%lld", (long long)json_integer_value (max))
                  : xstrdup ("on-failure");
      if (config_parse_restart (c, text, err) < 0)
        return hk_error_prefix (err, "services.%s.deploy.restart_policy", name);
    }
  return 0;
}

static int
set_security (const char *name, json_t *svc, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *v;
  c->cap_add = strings (json_object_get (svc, "cap_add"));
  c->cap_drop = strings (json_object_get (svc, "cap_drop"));
  c->privileged = json_is_true (json_object_get (svc, "privileged"));
  c->readonly_rootfs = json_is_true (json_object_get (svc, "read_only"));
  json_array_foreach (json_object_get (svc, "security_opt"), i, v)
  {
    if (config_parse_security_opt (c, json_string_value (v), err) < 0)
      return hk_error_prefix (err, "services.%s.security_opt[%zu]", name, i);
  }
  config_apply_security_opts (c);
  json_array_foreach (json_object_get (svc, "devices"), i, v)
  {
    if (config_parse_device (c, json_string_value (v), err) < 0)
      return hk_error_prefix (err, "services.%s.devices[%zu]", name, i);
  }
  const char *key;
  json_object_foreach (json_object_get (svc, "sysctls"), key, v)
  {
    config_map_set (&c->sysctls, key, json_is_string (v) ? json_string_value (v) : "");
  }
  json_object_foreach (json_object_get (svc, "ulimits"), key, v)
  {
    _cleanup_free_ char *text
        = xasprintf ("%s=%lld:%lld", key, (long long)json_integer_value (json_object_get (v, "soft")),
                     (long long)json_integer_value (json_object_get (v, "hard")));
    if (config_parse_ulimit (c, text, err) < 0)
      return hk_error_prefix (err, "services.%s.ulimits.%s", name, key);
  }
  return 0;
}

static int
set_network (const struct compose_project *p, const char *name, json_t *svc,
             struct ctr_config *c, struct hk_error **err)
{
  const char *mode = json_string_value (json_object_get (svc, "network_mode"));
  if (mode && strncmp (mode, "service:", 8) == 0)
    {
      c->network_mode = container_mode (p, mode);
      return 0;
    }
  if (mode)
    {
      if (strcmp (mode, "bridge") == 0)
        return hk_error_set (err, ENOTSUP, "services.%s.network_mode: bridge: use networks", name);
      return config_parse_network (c, mode, err) < 0
                 ? hk_error_prefix (err, "services.%s.network_mode", name)
                 : 0;
    }
  const char *key;
  json_t *v;
  json_object_foreach (json_object_get (svc, "networks"), key, v)
  {
    json_t *def = json_object_get (json_object_get (p->model, "networks"), key);
    const char *net = json_string_value (json_object_get (def, "name"));
    if (config_parse_network (c, net, err) < 0)
      return hk_error_prefix (err, "services.%s.networks.%s", name, key);
    /* the engine takes the first network's from the container's own
     * (--network-alias, --ip) */
    struct config_network *n = &c->networks[c->n_networks - 1];
    char ***aliases = c->n_networks == 1 ? &c->aliases : &n->aliases;
    char **ip_of = c->n_networks == 1 ? &c->ip : &n->ip;
    strv_append (aliases, name);
    size_t i;
    json_t *alias;
    json_array_foreach (json_object_get (v, "aliases"), i, alias)
    {
      strv_append (aliases, json_string_value (alias));
    }
    const char *ip = json_string_value (json_object_get (v, "ipv4_address"));
    if (ip)
      *ip_of = xstrdup (ip);
    if (json_object_get (v, "ipv6_address") || json_object_get (v, "mac_address"))
      return hk_error_set (err, ENOTSUP, "services.%s.networks.%s: ipv6_address and mac_address "
                           "are not supported by hako compose", name, key);
  }
  c->dns = strings (json_object_get (svc, "dns"));
  c->dns_search = strings (json_object_get (svc, "dns_search"));
  c->extra_hosts = strings (json_object_get (svc, "extra_hosts"));
  return 0;
}

static int
set_life (const char *name, json_t *svc, struct ctr_config *c, struct hk_error **err)
{
  const char *restart = json_string_value (json_object_get (svc, "restart"));
  if (restart && config_parse_restart (c, restart, err) < 0)
    return hk_error_prefix (err, "services.%s.restart", name);
  const char *signal = json_string_value (json_object_get (svc, "stop_signal"));
  if (signal)
    c->stop_signal = xstrdup (signal);
  const char *grace = json_string_value (json_object_get (svc, "stop_grace_period"));
  int64_t ns;
  if (grace)
    {
      if (config_parse_duration_ns (grace, "stop_grace_period", &ns, err) < 0)
        return hk_error_prefix (err, "services.%s", name);
      c->stop_timeout = (int)((ns + 999999999) / 1000000000);
    }
  json_t *logging = json_object_get (svc, "logging");
  const char *driver = json_string_value (json_object_get (logging, "driver"));
  if (driver && strcmp (driver, "json-file") != 0 && strcmp (driver, "local") != 0)
    return hk_error_set (err, ENOTSUP, "services.%s.logging.driver: %s is not supported by hako "
                         "compose (json-file only)", name, driver);
  const char *key;
  json_t *v;
  json_object_foreach (json_object_get (logging, "options"), key, v)
  {
    _cleanup_free_ char *text = xasprintf ("%s=%s", key, json_string_value (v));
    if (config_parse_log_opt (c, text, err) < 0)
      return hk_error_prefix (err, "services.%s.logging.options", name);
  }
  return 0;
}

static void
set_labels (const struct compose_project *p, const char *name, json_t *svc, int number,
            bool oneoff, struct ctr_config *c)
{
  const char *key;
  json_t *v;
  json_object_foreach (json_object_get (svc, "labels"), key, v)
  {
    config_map_set (&c->labels, key, json_is_string (v) ? json_string_value (v) : "");
  }
  _cleanup_free_ char *hash
      = compose_config_hash (json_object_get (p->model, "services"), svc);
  _cleanup_free_ char *n = xasprintf ("%d", number);
  _cleanup_free_ char *files = strv_join (p->files, ",");
  config_map_set (&c->labels, COMPOSE_LABEL_PROJECT, p->name);
  config_map_set (&c->labels, COMPOSE_LABEL_SERVICE, name);
  config_map_set (&c->labels, COMPOSE_LABEL_NUMBER, n);
  config_map_set (&c->labels, COMPOSE_LABEL_ONEOFF, oneoff ? "True" : "False");
  config_map_set (&c->labels, COMPOSE_LABEL_HASH, hash);
  config_map_set (&c->labels, COMPOSE_LABEL_WORKING_DIR, p->dir);
  config_map_set (&c->labels, COMPOSE_LABEL_CONFIG_FILES, files);
}

static char *
optional_string (json_t *svc, const char *key)
{
  const char *s = json_string_value (json_object_get (svc, key));
  return s ? xstrdup (s) : NULL;
}

int
compose_container_config (const struct compose_project *p, const char *name, json_t *svc,
                          int number, bool oneoff, struct ctr_config *c, struct hk_error **err)
{
  if (check_supported (name, svc, err) < 0 || check_platform (name, svc, err) < 0)
    return -1;
  if (json_object_get (svc, "command"))
    c->cmd = strings (json_object_get (svc, "command"));
  if (json_object_get (svc, "entrypoint"))
    c->entrypoint = strings (json_object_get (svc, "entrypoint"));
  c->working_dir = optional_string (svc, "working_dir");
  c->user = optional_string (svc, "user");
  c->hostname = optional_string (svc, "hostname");
  c->domainname = optional_string (svc, "domainname");
  c->cgroup_parent = optional_string (svc, "cgroup_parent");
  c->tty = json_is_true (json_object_get (svc, "tty"));
  c->open_stdin = json_is_true (json_object_get (svc, "stdin_open"));
  c->init = json_is_true (json_object_get (svc, "init"));
  set_labels (p, name, svc, number, oneoff, c);
  if (set_environment (p, name, svc, c, err) < 0 || set_ports (name, svc, c, err) < 0
      || set_volumes (p, name, svc, c, err) < 0
      || set_files (p, name, svc, "secrets", c, err) < 0
      || set_files (p, name, svc, "configs", c, err) < 0 || set_health (name, svc, c, err) < 0
      || set_deploy (name, svc, c, err) < 0 || set_security (name, svc, c, err) < 0
      || set_network (p, name, svc, c, err) < 0 || set_life (name, svc, c, err) < 0
      || set_namespaces (p, name, svc, c, err) < 0 || set_volumes_from (p, name, svc, c, err) < 0)
    return -1;
  if (ctr_config_check (c, err) < 0)
    return hk_error_prefix (err, "services.%s", name);
  return 0;
}
