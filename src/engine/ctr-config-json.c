/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-config-json.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/units.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fields with a special shape ---- */

typedef json_t *(*field_writer) (const struct ctr_config *c);
typedef int (*field_reader) (json_t *v, const char *key, struct ctr_config *c,
                             struct hk_error **err);

static json_t *
write_restart (const struct ctr_config *c)
{
  if (!(c->limits.set & CONFIG_LIMIT_RESTART))
    return NULL;
  return json_pack ("{s:s, s:i}", "Name", config_restart_name (c->restart), "MaximumRetryCount",
                    c->restart_max_retries);
}

static int
read_restart (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  _cleanup_free_ char *name = NULL;
  int32_t max = 0;
  if (json_get_string (v, key, "Name", &name, err) < 0
      || json_get_int32 (v, key, "MaximumRetryCount", &max, err) < 0)
    return -1;
  for (enum config_restart r = CONFIG_RESTART_NO; r <= CONFIG_RESTART_UNLESS_STOPPED; r++)
    if (name != NULL && strcmp (name, config_restart_name (r)) == 0)
      {
        c->restart = r;
        c->restart_max_retries = max;
        c->limits.set |= CONFIG_LIMIT_RESTART;
        return 0;
      }
  return hk_error_set (err, EINVAL, "%s.Name: unknown policy `%s`", key, name ? name : "");
}

static json_t *
write_health (const struct ctr_config *c)
{
  const struct config_health *h = &c->health;
  if (h->test == NULL && h->interval_ns == 0 && h->timeout_ns == 0 && h->start_period_ns == 0
      && h->retries == 0)
    return NULL;
  json_t *o = json_object ();
  if (h->test != NULL)
    json_object_set_new (o, "Test", json_from_strv (h->test));
  const struct
  {
    const char *key;
    int64_t value;
  } d[] = { { "Interval", h->interval_ns },
            { "Timeout", h->timeout_ns },
            { "StartPeriod", h->start_period_ns },
            { "Retries", h->retries } };
  for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
    if (d[i].value != 0)
      json_object_set_new (o, d[i].key, json_integer (d[i].value));
  return o;
}

static int
read_health (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  struct config_health *h = &c->health;
  if (json_get_strv (v, key, "Test", &h->test, err) < 0
      || json_get_int64 (v, key, "Interval", &h->interval_ns, err) < 0
      || json_get_int64 (v, key, "Timeout", &h->timeout_ns, err) < 0
      || json_get_int64 (v, key, "StartPeriod", &h->start_period_ns, err) < 0
      || json_get_int32 (v, key, "Retries", &h->retries, err) < 0)
    return -1;
  return 0;
}

static json_t *
write_log (const struct ctr_config *c)
{
  if (c->log_max_size_text == NULL && c->log_max_files_text == NULL)
    return NULL;
  json_t *config = json_object ();
  if (c->log_max_size_text)
    json_object_set_new (config, "max-size", json_string (c->log_max_size_text));
  if (c->log_max_files_text)
    json_object_set_new (config, "max-file", json_string (c->log_max_files_text));
  return json_pack ("{s:s, s:o}", "Type", "json-file", "Config", config);
}

static int
read_log (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  _cleanup_free_ char *path = json_path_key (key, "Config");
  json_t *config = NULL;
  if (json_get_object (v, key, "Config", &config, err) < 0
      || json_get_string (config, path, "max-size", &c->log_max_size_text, err) < 0
      || json_get_string (config, path, "max-file", &c->log_max_files_text, err) < 0)
    return -1;
  if (c->log_max_size_text
      && units_parse_bytes (c->log_max_size_text, "LogConfig.Config.max-size", &c->log_max_size,
                            err)
             < 0)
    return -1;
  if (c->log_max_files_text)
    {
      char *end;
      long files = strtol (c->log_max_files_text, &end, 10);
      if (*end || files < 1 || files > 1000)
        return hk_error_set (err, EINVAL, "%s.max-file: `%s` is not in 1..1000", path,
                             c->log_max_files_text);
      c->log_max_files = (int)files;
    }
  return 0;
}

static json_t *
write_ulimits (const struct ctr_config *c)
{
  if (c->n_ulimits == 0)
    return NULL;
  json_t *a = json_array ();
  for (size_t i = 0; i < c->n_ulimits; i++)
    json_array_append_new (a, json_pack ("{s:s, s:I, s:I}", "Name", c->ulimits[i].name, "Soft",
                                         (json_int_t)c->ulimits[i].soft, "Hard",
                                         (json_int_t)c->ulimits[i].hard));
  return a;
}

static int
read_ulimits (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *u;
  c->ulimits = xzalloc (json_array_size (v) * sizeof *c->ulimits + 1);
  json_array_foreach (v, i, u)
  {
    _cleanup_free_ char *path = json_path_index (key, i);
    struct config_ulimit *l = &c->ulimits[c->n_ulimits++];
    if (json_get_string (u, path, "Name", &l->name, err) < 0
        || json_get_int64 (u, path, "Soft", &l->soft, err) < 0
        || json_get_int64 (u, path, "Hard", &l->hard, err) < 0)
      return -1;
    if (l->name == NULL)
      return hk_error_set (err, EINVAL, "%s.Name: required", path);
  }
  return 0;
}

static json_t *
write_devices (const struct ctr_config *c)
{
  if (c->n_devices == 0)
    return NULL;
  json_t *a = json_array ();
  for (size_t i = 0; i < c->n_devices; i++)
    json_array_append_new (a, json_pack ("{s:s, s:s, s:s}", "PathOnHost", c->devices[i].host_path,
                                         "PathInContainer", c->devices[i].container_path,
                                         "CgroupPermissions", c->devices[i].permissions));
  return a;
}

static int
read_devices (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *d;
  c->devices = xzalloc (json_array_size (v) * sizeof *c->devices + 1);
  json_array_foreach (v, i, d)
  {
    _cleanup_free_ char *path = json_path_index (key, i);
    struct config_device *x = &c->devices[c->n_devices++];
    if (json_get_string (d, path, "PathOnHost", &x->host_path, err) < 0
        || json_get_string (d, path, "PathInContainer", &x->container_path, err) < 0
        || json_get_string (d, path, "CgroupPermissions", &x->permissions, err) < 0)
      return -1;
    if (x->host_path == NULL || x->container_path == NULL || x->permissions == NULL)
      return hk_error_set (err, EINVAL, "%s: PathOnHost, PathInContainer and CgroupPermissions "
                                        "are required", path);
  }
  return 0;
}

static bool
mount_type (const char *name, enum config_mount_type *out)
{
  for (enum config_mount_type t = CONFIG_MOUNT_BIND; t <= CONFIG_MOUNT_TMPFS; t++)
    if (name != NULL && strcmp (name, config_mount_type_name (t)) == 0)
      {
        *out = t;
        return true;
      }
  return false;
}

static json_t *
write_mounts (const struct ctr_config *c)
{
  if (c->n_mounts == 0)
    return NULL;
  json_t *a = json_array ();
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct config_mount *m = &c->mounts[i];
      json_t *o = json_pack ("{s:s, s:s?, s:s, s:b, s:b, s:b}", "Type",
                             config_mount_type_name (m->type), "Source", m->source, "Target",
                             m->target, "ReadOnly", m->readonly, "NoCopy", m->nocopy,
                             "CreateHostPath", m->create_host_path);
      if (m->tmpfs_options)
        json_object_set_new (o, "TmpfsOptions", json_string (m->tmpfs_options));
      if (m->chown)
        json_object_set_new (o, "Chown", json_true ());
      if (m->idmap)
        json_object_set_new (o, "IdMap", json_true ());
      json_array_append_new (a, o);
    }
  return a;
}

static int
read_mounts (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *j;
  c->mounts = xzalloc (json_array_size (v) * sizeof *c->mounts + 1);
  json_array_foreach (v, i, j)
  {
    _cleanup_free_ char *path = json_path_index (key, i);
    _cleanup_free_ char *type = NULL;
    struct config_mount *m = &c->mounts[c->n_mounts++];
    json_t *source = json_object_get (j, "Source");
    if (json_get_string (j, path, "Type", &type, err) < 0
        || (!json_is_null (source) && json_get_string (j, path, "Source", &m->source, err) < 0)
        || json_get_string (j, path, "Target", &m->target, err) < 0
        || json_get_bool (j, path, "ReadOnly", &m->readonly, err) < 0
        || json_get_bool (j, path, "NoCopy", &m->nocopy, err) < 0
        || json_get_bool (j, path, "CreateHostPath", &m->create_host_path, err) < 0
        || json_get_string (j, path, "TmpfsOptions", &m->tmpfs_options, err) < 0
        || json_get_bool (j, path, "Chown", &m->chown, err) < 0
        || json_get_bool (j, path, "IdMap", &m->idmap, err) < 0)
      return -1;
    if (!mount_type (type, &m->type) || m->target == NULL)
      return hk_error_set (err, EINVAL, "%s: a Type (bind, volume, tmpfs) and a Target are "
                                        "required", path);
  }
  return 0;
}

static json_t *
write_mount_points (const struct ctr_config *c)
{
  if (c->n_mount_points == 0)
    return NULL;
  json_t *a = json_array ();
  for (size_t i = 0; i < c->n_mount_points; i++)
    {
      const struct config_mount_point *p = &c->mount_points[i];
      json_t *o;
      if (p->type == CONFIG_MOUNT_VOLUME)
        o = json_pack ("{s:s, s:s, s:s, s:s, s:b, s:b}", "Type", "volume", "Name", p->name,
                       "Source", p->source, "Destination", p->destination, "RW", p->rw, "NoCopy",
                       p->nocopy);
      else
        o = json_pack ("{s:s, s:s, s:s, s:b}", "Type", "bind", "Source", p->source, "Destination",
                       p->destination, "RW", p->rw);
      if (p->chown)
        json_object_set_new (o, "Chown", json_true ());
      if (p->idmap)
        json_object_set_new (o, "IdMap", json_true ());
      json_array_append_new (a, o);
    }
  return a;
}

static int
read_mount_points (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *j;
  c->mount_points = xzalloc (json_array_size (v) * sizeof *c->mount_points + 1);
  json_array_foreach (v, i, j)
  {
    _cleanup_free_ char *path = json_path_index (key, i);
    _cleanup_free_ char *type = NULL;
    struct config_mount_point *p = &c->mount_points[c->n_mount_points++];
    if (json_get_string (j, path, "Type", &type, err) < 0
        || json_get_string (j, path, "Name", &p->name, err) < 0
        || json_get_string (j, path, "Source", &p->source, err) < 0
        || json_get_string (j, path, "Destination", &p->destination, err) < 0
        || json_get_bool (j, path, "RW", &p->rw, err) < 0
        || json_get_bool (j, path, "NoCopy", &p->nocopy, err) < 0
        || json_get_bool (j, path, "Chown", &p->chown, err) < 0
        || json_get_bool (j, path, "IdMap", &p->idmap, err) < 0)
      return -1;
    if (!mount_type (type, &p->type) || p->type == CONFIG_MOUNT_TMPFS || p->source == NULL
        || p->destination == NULL || (p->type == CONFIG_MOUNT_VOLUME && p->name == NULL))
      return hk_error_set (err, EINVAL, "%s: not a bind or volume mount point", path);
  }
  return 0;
}

static json_t *
write_networks (const struct ctr_config *c)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < c->n_networks; i++)
    {
      const struct config_network *n = &c->networks[i];
      json_t *o = json_pack ("{s:s}", "Name", n->name);
      if (n->aliases)
        json_object_set_new (o, "Aliases", json_from_strv (n->aliases));
      if (n->ip)
        json_object_set_new (o, "IPAddress", json_string (n->ip));
      if (n->ip6)
        json_object_set_new (o, "GlobalIPv6Address", json_string (n->ip6));
      if (n->mac)
        json_object_set_new (o, "MacAddress", json_string (n->mac));
      json_array_append_new (a, o);
    }
  return a;
}

static int
read_networks (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *j;
  c->networks = xzalloc (json_array_size (v) * sizeof *c->networks + 1);
  json_array_foreach (v, i, j)
  {
    _cleanup_free_ char *path = json_path_index (key, i);
    struct config_network *n = &c->networks[c->n_networks++];
    if (json_get_string (j, path, "Name", &n->name, err) < 0
        || json_get_strv (j, path, "Aliases", &n->aliases, err) < 0
        || json_get_string (j, path, "IPAddress", &n->ip, err) < 0
        || json_get_string (j, path, "GlobalIPv6Address", &n->ip6, err) < 0
        || json_get_string (j, path, "MacAddress", &n->mac, err) < 0)
      return -1;
    if (n->name == NULL)
      return hk_error_set (err, EINVAL, "%s.Name: required", path);
  }
  return 0;
}

static json_t *
write_ports (const struct ctr_config *c)
{
  if (c->n_ports == 0)
    return NULL;
  json_t *a = json_array ();
  for (size_t i = 0; i < c->n_ports; i++)
    json_array_append_new (a, json_pack ("{s:s, s:s, s:s, s:s}", "HostIp", c->ports[i].host_ip,
                                         "HostPort", c->ports[i].host_port, "ContainerPort",
                                         c->ports[i].container_port, "Protocol",
                                         c->ports[i].protocol));
  return a;
}

static int
read_ports (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *j;
  c->ports = xzalloc (json_array_size (v) * sizeof *c->ports + 1);
  json_array_foreach (v, i, j)
  {
    _cleanup_free_ char *path = json_path_index (key, i);
    struct config_port *p = &c->ports[c->n_ports++];
    if (json_get_string (j, path, "HostIp", &p->host_ip, err) < 0
        || json_get_string (j, path, "HostPort", &p->host_port, err) < 0
        || json_get_string (j, path, "ContainerPort", &p->container_port, err) < 0
        || json_get_string (j, path, "Protocol", &p->protocol, err) < 0)
      return -1;
    if (p->host_ip == NULL || p->host_port == NULL || p->container_port == NULL
        || p->protocol == NULL)
      return hk_error_set (err, EINVAL, "%s: HostIp, HostPort, ContainerPort and Protocol are "
                                        "required", path);
  }
  return 0;
}

static json_t *
write_stop_timeout (const struct ctr_config *c)
{
  return c->stop_timeout == CONFIG_STOP_TIMEOUT_UNSET ? NULL : json_integer (c->stop_timeout);
}

static int
read_stop_timeout (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  if (!json_is_integer (v) || json_integer_value (v) < -1 || json_integer_value (v) > 86400)
    return hk_error_set (err, EINVAL, "%s: not a number of seconds in -1..86400", key);
  c->stop_timeout = (int)json_integer_value (v);
  return 0;
}

/* Podman's IDMappings: {"UidMap": ["0:100000:65536"], "GidMap": [...]}. */
static json_t *
id_maps_json (const struct id_map *m, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (a, json_sprintf ("%u:%u:%u", m[i].container_id, m[i].host_id,
                                             m[i].size));
  return a;
}

static json_t *
write_id_mappings (const struct ctr_config *c)
{
  if (c->n_uid_map == 0 && c->n_gid_map == 0)
    return NULL;
  return json_pack ("{s:o, s:o}", "UidMap", id_maps_json (c->uid_map, c->n_uid_map), "GidMap",
                    id_maps_json (c->gid_map, c->n_gid_map));
}

static int
read_id_map_list (json_t *v, const char *path, const char *key, struct id_map **out, size_t *n,
                  struct hk_error **err)
{
  _cleanup_strv_ char **items = NULL;
  if (json_get_strv (v, path, key, &items, err) < 0)
    return -1;
  for (size_t i = 0; items && items[i]; i++)
    {
      unsigned c, h, s;
      char end;
      if (sscanf (items[i], "%u:%u:%u%c", &c, &h, &s, &end) != 3)
        return hk_error_set (err, EINVAL, "%s.%s[%zu]: `%s` is not CONTAINER:HOST:COUNT", path,
                             key, i, items[i]);
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = (struct id_map){ c, h, s };
    }
  return 0;
}

static int
read_id_mappings (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  if (read_id_map_list (v, key, "UidMap", &c->uid_map, &c->n_uid_map, err) < 0
      || read_id_map_list (v, key, "GidMap", &c->gid_map, &c->n_gid_map, err) < 0)
    return -1;
  return 0;
}

static json_t *
write_pod_share (const struct ctr_config *c)
{
  _cleanup_strv_ char **names = config_pod_share_names (c->pod_share);
  return c->pod_share ? json_from_strv (names) : NULL;
}

static int
read_pod_share (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  size_t i;
  json_t *name;
  if (!json_is_array (v))
    return hk_error_set (err, EINVAL, "%s: expected an array, got %s", key, json_type_name (v));
  json_array_foreach (v, i, name)
  {
    unsigned bit;
    if (!json_is_string (name) || config_parse_pod_share (json_string_value (name), &bit, err) < 0)
      return hk_error_set (err, EINVAL, "%s[%zu]: not a namespace a pod shares", key, i);
    c->pod_share |= bit;
  }
  return 0;
}

static json_t *
write_shm_size (const struct ctr_config *c)
{
  return c->shm_size > 0 ? json_integer (c->shm_size) : NULL;
}

static int
read_shm_size (json_t *v, const char *key, struct ctr_config *c, struct hk_error **err)
{
  if (!json_is_integer (v) || json_integer_value (v) < 0)
    return hk_error_set (err, EINVAL, "%s: not a number of bytes", key);
  c->shm_size = json_integer_value (v);
  return 0;
}

/* ---- the table ---- */

enum field_kind
{
  FIELD_STRING,
  FIELD_BOOL,
  FIELD_STRV,
  FIELD_MAP,
  FIELD_LIMIT, /* an int64 of struct config_limits, with its bit */
  FIELD_SPECIAL,
};

struct field
{
  const char *key;
  enum field_kind kind;
  size_t offset;
  unsigned bit;
  field_writer write;
  field_reader read;
};

#define F(key, kind, member) { key, kind, offsetof (struct ctr_config, member), 0, NULL, NULL }
#define LIMIT(key, member, bit)                                                                    \
  { key, FIELD_LIMIT, offsetof (struct ctr_config, limits.member), bit, NULL, NULL }
#define SPECIAL(key, w, r) { key, FIELD_SPECIAL, 0, 0, w, r }

static const struct field fields[] = {
  F ("Hostname", FIELD_STRING, hostname),
  F ("Domainname", FIELD_STRING, domainname),
  F ("User", FIELD_STRING, user),
  F ("Tty", FIELD_BOOL, tty),
  F ("OpenStdin", FIELD_BOOL, open_stdin),
  F ("Env", FIELD_STRV, env),
  F ("Cmd", FIELD_STRV, cmd),
  F ("WorkingDir", FIELD_STRING, working_dir),
  F ("Entrypoint", FIELD_STRV, entrypoint),
  F ("Labels", FIELD_MAP, labels),
  F ("StopSignal", FIELD_STRING, stop_signal),
  SPECIAL ("StopTimeout", write_stop_timeout, read_stop_timeout),
  SPECIAL ("Healthcheck", write_health, read_health),
  /* HostConfig from here */
  F ("NetworkMode", FIELD_STRING, network_mode),
  F ("PidMode", FIELD_STRING, pid_mode),
  F ("IpcMode", FIELD_STRING, ipc_mode),
  SPECIAL ("ShmSize", write_shm_size, read_shm_size),
  F ("VolumesFrom", FIELD_STRV, volumes_from),
  SPECIAL ("RestartPolicy", write_restart, read_restart),
  F ("AutoRemove", FIELD_BOOL, auto_remove),
  F ("CapAdd", FIELD_STRV, cap_add),
  F ("CapDrop", FIELD_STRV, cap_drop),
  F ("Privileged", FIELD_BOOL, privileged),
  F ("ReadonlyRootfs", FIELD_BOOL, readonly_rootfs),
  F ("SecurityOpt", FIELD_STRV, security_opt),
  LIMIT ("Memory", memory, CONFIG_LIMIT_MEMORY),
  LIMIT ("MemorySwap", memory_swap, CONFIG_LIMIT_MEMORY_SWAP),
  LIMIT ("MemoryReservation", memory_reservation, CONFIG_LIMIT_MEMORY_RESERVATION),
  LIMIT ("NanoCpus", nano_cpus, CONFIG_LIMIT_NANO_CPUS),
  LIMIT ("CpuShares", cpu_shares, CONFIG_LIMIT_CPU_SHARES),
  F ("CpusetCpus", FIELD_STRING, limits.cpuset_cpus),
  LIMIT ("PidsLimit", pids_limit, CONFIG_LIMIT_PIDS),
  SPECIAL ("Ulimits", write_ulimits, read_ulimits),
  SPECIAL ("Devices", write_devices, read_devices),
  F ("Tmpfs", FIELD_MAP, tmpfs),
  F ("Sysctls", FIELD_MAP, sysctls),
  SPECIAL ("LogConfig", write_log, read_log),
  F ("Init", FIELD_BOOL, init),
  F ("Runtime", FIELD_STRING, runtime),
  SPECIAL ("PortBindings", write_ports, read_ports),
  F ("PublishAllPorts", FIELD_BOOL, publish_all),
  F ("Dns", FIELD_STRV, dns),
  F ("DnsSearch", FIELD_STRV, dns_search),
  F ("ExtraHosts", FIELD_STRV, extra_hosts),
  F ("CgroupParent", FIELD_STRING, cgroup_parent),
  F ("UsernsMode", FIELD_STRING, userns_mode),
  SPECIAL ("IDMappings", write_id_mappings, read_id_mappings),
  /* only in the store from here */
  F ("NoNewPrivileges", FIELD_BOOL, no_new_privileges),
  F ("SeccompProfile", FIELD_STRING, seccomp_profile),
  SPECIAL ("Mounts", write_mounts, read_mounts),
  SPECIAL ("MountPoints", write_mount_points, read_mount_points),
  F ("NetworkContainer", FIELD_STRING, network_container),
  F ("PidContainer", FIELD_STRING, pid_container),
  F ("IpcContainer", FIELD_STRING, ipc_container),
  F ("SubUidName", FIELD_STRING, subuid_name),
  F ("SubGidName", FIELD_STRING, subgid_name),
  SPECIAL ("Networks", write_networks, read_networks),
  F ("Pod", FIELD_STRING, pod),
  F ("PodInfra", FIELD_BOOL, pod_infra),
  SPECIAL ("PodShare", write_pod_share, read_pod_share),
};

#define FIELD_FIRST_HOST "NetworkMode"
#define FIELD_FIRST_STORE_ONLY "NoNewPrivileges"

json_t *
config_map_to_json (const struct config_map *m)
{
  json_t *o = json_object ();
  for (size_t i = 0; i < m->n; i++)
    json_object_set_new (o, m->keys[i], json_string (m->values[i]));
  return o;
}

/* The value of F in C, or NULL when it is not set. */
static json_t *
field_json (const struct field *f, const struct ctr_config *c)
{
  const char *base = (const char *)c + f->offset;
  switch (f->kind)
    {
    case FIELD_STRING:
      return *(char *const *)base ? json_string (*(char *const *)base) : NULL;
    case FIELD_BOOL:
      return *(const bool *)base ? json_true () : NULL;
    case FIELD_STRV:
      return *(char **const *)base ? json_from_strv (*(char **const *)base) : NULL;
    case FIELD_MAP:
      return ((const struct config_map *)base)->n ? config_map_to_json ((const struct config_map *)base)
                                                   : NULL;
    case FIELD_LIMIT:
      return c->limits.set & f->bit ? json_integer (*(const int64_t *)base) : NULL;
    case FIELD_SPECIAL:
      return f->write (c);
    }
  return NULL;
}

static int
read_map (json_t *doc, const char *key, struct config_map *m, struct hk_error **err)
{
  _cleanup_strv_ char **keys = NULL, **values = NULL;
  if (json_get_string_map (doc, "", key, &keys, &values, err) < 0)
    return -1;
  for (size_t i = 0; keys && keys[i]; i++)
    config_map_set (m, keys[i], values[i]);
  return 0;
}

static int
field_read (const struct field *f, json_t *doc, struct ctr_config *c, struct hk_error **err)
{
  char *base = (char *)c + f->offset;
  json_t *v = json_object_get (doc, f->key);
  if (v == NULL || (json_is_null (v) && f->kind != FIELD_SPECIAL))
    return 0;
  switch (f->kind)
    {
    case FIELD_STRING:
      return json_get_string (doc, "", f->key, (char **)base, err) < 0 ? -1 : 0;
    case FIELD_BOOL:
      return json_get_bool (doc, "", f->key, (bool *)base, err) < 0 ? -1 : 0;
    case FIELD_STRV:
      return json_get_strv (doc, "", f->key, (char ***)base, err) < 0 ? -1 : 0;
    case FIELD_MAP:
      return read_map (doc, f->key, (struct config_map *)base, err);
    case FIELD_LIMIT:
      if (json_get_int64 (doc, "", f->key, (int64_t *)base, err) < 0)
        return -1;
      c->limits.set |= f->bit;
      return 0;
    case FIELD_SPECIAL:
      return f->read (v, f->key, c, err);
    }
  return 0;
}

/* The fields from FIRST up to (not with) END; NULL: to the end. */
static json_t *
fields_json (const struct ctr_config *c, const char *first, const char *end)
{
  json_t *o = json_object ();
  bool in = first == NULL;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    {
      if (first && strcmp (fields[i].key, first) == 0)
        in = true;
      if (end && strcmp (fields[i].key, end) == 0)
        break;
      json_t *v = in ? field_json (&fields[i], c) : NULL;
      if (v != NULL)
        json_object_set_new (o, fields[i].key, v);
    }
  return o;
}

json_t *
ctr_config_to_record (const struct ctr_config *c)
{
  return fields_json (c, NULL, NULL);
}

/* "" is no value for these: the image's or the default applies. */
static void
empty_is_unset (char **s)
{
  if (*s != NULL && **s == '\0')
    {
      free (*s);
      *s = NULL;
    }
}

int
ctr_config_from_record (json_t *doc, struct ctr_config *c, struct hk_error **err)
{
  ctr_config_init (c);
  if (!json_is_object (doc))
    return hk_error_set (err, EINVAL, "the container's settings are not a JSON object");
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (field_read (&fields[i], doc, c, err) < 0)
      {
        ctr_config_clear (c);
        return -1;
      }
  char **optional[] = { &c->hostname, &c->domainname, &c->user, &c->working_dir, &c->network_mode,
                        &c->stop_signal, &c->cgroup_parent, &c->network_container, &c->pod,
                        &c->pid_mode, &c->pid_container, &c->ipc_mode, &c->ipc_container };
  for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
    empty_is_unset (optional[i]);
  return 0;
}

json_t *
ctr_config_inspect_config (const struct ctr_config *c)
{
  return fields_json (c, NULL, FIELD_FIRST_HOST);
}

/* Docker's size of /dev/shm. */
#define SHM_SIZE_DEFAULT (64 * 1024 * 1024)

json_t *
ctr_config_inspect_host (const struct ctr_config *c)
{
  json_t *host = fields_json (c, FIELD_FIRST_HOST, FIELD_FIRST_STORE_ONLY);
  /* what Docker always shows, unset or not */
  if (json_object_get (host, "PidMode") == NULL)
    json_object_set_new (host, "PidMode", json_string (""));
  if (json_object_get (host, "IpcMode") == NULL && !(c->pod_share & CONFIG_SHARE_IPC))
    json_object_set_new (host, "IpcMode", json_string (config_ipc_mode (c)));
  if (json_object_get (host, "ShmSize") == NULL)
    json_object_set_new (host, "ShmSize", json_integer (SHM_SIZE_DEFAULT));
  if (json_object_get (host, "VolumesFrom") == NULL)
    json_object_set_new (host, "VolumesFrom", json_null ());
  return host;
}

json_t *
ctr_config_commit_config (const struct ctr_config *c)
{
  static const char *const keys[]
      = { "Cmd", "Entrypoint", "WorkingDir", "User", "StopSignal", "Healthcheck" };
  json_t *o = json_object ();
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
      if (strcmp (fields[i].key, keys[k]) == 0)
        {
          json_t *v = field_json (&fields[i], c);
          if (v != NULL)
            json_object_set_new (o, keys[k], v);
        }
  return o;
}

json_t *
ctr_config_inspect_mounts (const struct ctr_config *c)
{
  json_t *points = write_mount_points (c);
  return points ? points : json_array ();
}
