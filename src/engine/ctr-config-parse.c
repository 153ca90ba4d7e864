/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-config-parse.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/units.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest --env-file read. */
#define ENV_FILE_MAX (1 << 20)
/* Docker's smallest memory limit. */
#define MEMORY_MIN (6 * 1024 * 1024)

int
config_parse_int (const char *text, const char *flag, long long min, long long max, long long *out,
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

int
config_parse_memory (const char *text, const char *flag, bool allow_unlimited, int64_t *out,
                     struct hk_error **err)
{
  if (units_parse_bytes (text, flag, out, err) < 0)
    return -1;
  if (*out == -1 && allow_unlimited)
    return 0;
  if (*out < MEMORY_MIN)
    return hk_error_set (err, EINVAL, "%s: %s is below the minimum of 6MB", flag, text);
  return 0;
}

int
config_parse_duration_ns (const char *text, const char *flag, int64_t *out, struct hk_error **err)
{
  int64_t ms;
  if (units_parse_duration_ms (text, flag, &ms, err) < 0)
    return -1;
  if (ms <= 0)
    return hk_error_set (err, EINVAL, "%s: must be positive", flag);
  *out = ms * 1000000;
  return 0;
}

int
config_parse_env (struct ctr_config *c, const char *text, struct hk_error **err)
{
  if (*text == '=' || *text == '\0')
    return hk_error_set (err, EINVAL, "--env: \"%s\" has no variable name", text);
  if (strchr (text, '=') != NULL)
    {
      strv_append (&c->env, text);
      return 0;
    }
  const char *value = getenv (text);
  if (value != NULL)
    strv_append_take (&c->env, xasprintf ("%s=%s", text, value));
  return 0;
}

int
config_parse_env_file (struct ctr_config *c, const char *path, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, ENV_FILE_MAX, &text, NULL, err) < 0)
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
      if (config_parse_env (c, line, err) < 0)
        return -1;
    }
  return 0;
}

int
config_parse_key_value (struct config_map *m, const char *text, const char *flag,
                        bool without_value_ok, struct hk_error **err)
{
  const char *eq = strchr (text, '=');
  if (eq == NULL && without_value_ok)
    {
      config_map_set (m, text, "");
      return 0;
    }
  if (eq == NULL || eq == text)
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not KEY=VALUE", flag, text);
  _cleanup_free_ char *key = xstrndup (text, (size_t)(eq - text));
  config_map_set (m, key, eq + 1);
  return 0;
}

int
config_parse_cpus (struct ctr_config *c, const char *text, struct hk_error **err)
{
  char *end;
  errno = 0;
  double cpus = strtod (text, &end);
  long online = sysconf (_SC_NPROCESSORS_ONLN);
  if (errno || end == text || *end || !isfinite (cpus))
    return hk_error_set (err, EINVAL, "--cpus: \"%s\" is not a number", text);
  if (cpus < 0.01 || cpus > (double)online)
    return hk_error_set (err, ERANGE, "--cpus: %s is outside 0.01..%ld (the host's CPUs)", text,
                         online);
  c->limits.nano_cpus = (int64_t)llround (cpus * 1e9);
  c->limits.set |= CONFIG_LIMIT_NANO_CPUS;
  return 0;
}

int
config_parse_cpuset (struct ctr_config *c, const char *text, struct hk_error **err)
{
  if (strspn (text, "0123456789,-") != strlen (text) || *text == '\0')
    return hk_error_set (err, EINVAL, "--cpuset-cpus: \"%s\" is not a list like 0-2,4", text);
  free (c->limits.cpuset_cpus);
  c->limits.cpuset_cpus = xstrdup (text);
  c->limits.set |= CONFIG_LIMIT_CPUSET_CPUS;
  return 0;
}

int
config_parse_ulimit (struct ctr_config *c, const char *text, struct hk_error **err)
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
  if (config_parse_int (values, "--ulimit", -1, INT64_MAX, &soft, err) < 0
      || config_parse_int (colon ? colon + 1 : values, "--ulimit", -1, INT64_MAX, &hard, err) < 0)
    return hk_error_prefix (err, "--ulimit %s", text);
  if (soft > hard && hard != -1)
    return hk_error_set (err, EINVAL, "--ulimit %s: the soft limit is above the hard one", text);
  c->ulimits = xreallocarray (c->ulimits, c->n_ulimits + 1, sizeof *c->ulimits);
  c->ulimits[c->n_ulimits++]
      = (struct config_ulimit){ .name = take_ptr (name), .soft = soft, .hard = hard };
  return 0;
}

static bool
restart_from_name (const char *name, enum config_restart *out)
{
  for (enum config_restart r = CONFIG_RESTART_NO; r <= CONFIG_RESTART_UNLESS_STOPPED; r++)
    if (strcmp (name, config_restart_name (r)) == 0)
      {
        *out = r;
        return true;
      }
  return false;
}

int
config_parse_restart (struct ctr_config *c, const char *text, struct hk_error **err)
{
  long long max = 0;
  char name[32];
  const char *colon = strchr (text, ':');
  size_t len = colon ? (size_t)(colon - text) : strlen (text);
  if (len >= sizeof name)
    return hk_error_set (err, EINVAL, "--restart: unknown policy \"%s\"", text);
  memcpy (name, text, len);
  name[len] = '\0';
  enum config_restart policy;
  if (!restart_from_name (name, &policy))
    return hk_error_set (err, EINVAL,
                         "--restart: unknown policy \"%s\" (no, on-failure[:N], always, "
                         "unless-stopped)",
                         text);
  if (colon && policy != CONFIG_RESTART_ON_FAILURE)
    return hk_error_set (err, EINVAL, "--restart %s: only on-failure takes a count", text);
  if (colon && config_parse_int (colon + 1, "--restart on-failure", 0, INT32_MAX, &max, err) < 0)
    return -1;
  c->restart = policy;
  c->restart_max_retries = (int)max;
  c->limits.set |= CONFIG_LIMIT_RESTART;
  return 0;
}

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

static bool
is_seccomp_opt (const char *text)
{
  return has_prefix (text, "seccomp=") || has_prefix (text, "seccomp:");
}

static bool
is_no_new_privileges_opt (const char *text)
{
  return strcmp (text, "no-new-privileges") == 0 || strcmp (text, "no-new-privileges:true") == 0
         || strcmp (text, "no-new-privileges=true") == 0;
}

void
config_apply_security_opts (struct ctr_config *c)
{
  free (c->seccomp_profile);
  c->seccomp_profile = NULL;
  c->no_new_privileges = false;
  for (char **o = c->security_opt; o && *o; o++)
    {
      if (is_seccomp_opt (*o) && c->seccomp_profile == NULL)
        c->seccomp_profile = xstrdup (*o + 8); /* the first one counts */
      c->no_new_privileges |= is_no_new_privileges_opt (*o);
    }
}

int
config_parse_security_opt (struct ctr_config *c, const char *text, struct hk_error **err)
{
  bool seccomp = is_seccomp_opt (text);
  if (!seccomp && !is_no_new_privileges_opt (text) && !has_prefix (text, "label")
      && !has_prefix (text, "apparmor"))
    return hk_error_set (err, EINVAL, "--security-opt: unknown option \"%s\"", text);
  if (seccomp && strcmp (text + 8, "unconfined") != 0 && access (text + 8, R_OK) < 0)
    return hk_error_errno (err, errno, "--security-opt %s", text);
  strv_append (&c->security_opt, text);
  config_apply_security_opts (c);
  return 0;
}

int
config_parse_device (struct ctr_config *c, const char *text, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *host = copy, *inside = NULL, *perms = NULL;
  char *colon = strchr (copy, ':');
  if (colon)
    {
      *colon = '\0';
      inside = colon + 1;
      if ((colon = strchr (inside, ':')) != NULL)
        {
          *colon = '\0';
          perms = colon + 1;
        }
      else if (strspn (inside, "rwm") == strlen (inside) && *inside)
        {
          perms = inside;
          inside = NULL;
        }
    }
  if (inside == NULL || *inside == '\0')
    inside = host;
  if (perms == NULL || *perms == '\0')
    perms = (char *)"rwm";
  if (strspn (perms, "rwm") != strlen (perms))
    return hk_error_set (err, EINVAL, "--device %s: permissions `%s` are not made of r, w, m", text,
                         perms);
  if (inside[0] != '/')
    return hk_error_set (err, EINVAL, "--device %s: `%s` is not an absolute path", text, inside);
  c->devices = xreallocarray (c->devices, c->n_devices + 1, sizeof *c->devices);
  c->devices[c->n_devices++] = (struct config_device){ .host_path = xstrdup (host),
                                                       .container_path = xstrdup (inside),
                                                       .permissions = xstrdup (perms) };
  return 0;
}

int
config_check_volume_name (const char *name, struct hk_error **err)
{
  size_t len = strlen (name);
  bool ok = len >= 2 && len <= 255
            && strchr ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", name[0]);
  for (size_t i = 1; ok && i < len; i++)
    ok = strchr ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-", name[i])
         != NULL;
  if (!ok)
    return hk_error_set (err, EINVAL,
                         "invalid volume name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                         "allowed",
                         name);
  return 0;
}

static int
check_target (const char *target, const char *spec, struct hk_error **err)
{
  if (target == NULL || target[0] != '/')
    return hk_error_set (err, EINVAL,
                         "invalid volume specification \"%s\": the destination \"%s\" is not an "
                         "absolute path",
                         spec, target ? target : "");
  if (strcmp (target, "/") == 0)
    return hk_error_set (err, EINVAL, "invalid volume specification \"%s\": cannot mount over /",
                         spec);
  return 0;
}

static void
add_mount (struct ctr_config *c, const struct config_mount *m)
{
  c->mounts = xreallocarray (c->mounts, c->n_mounts + 1, sizeof *c->mounts);
  c->mounts[c->n_mounts++] = (struct config_mount){
    .type = m->type,
    .source = m->source ? xstrdup (m->source) : NULL,
    .target = xstrdup (m->target),
    .readonly = m->readonly,
    .nocopy = m->nocopy,
    .create_host_path = m->create_host_path,
    .tmpfs_options = m->tmpfs_options ? xstrdup (m->tmpfs_options) : NULL,
    .chown = m->chown,
    .idmap = m->idmap,
  };
}

/* -v's third part: ro, rw, nocopy, z, Z, and Podman's U and idmap. */
static int
volume_modes (const char *spec, const char *modes, struct config_mount *m, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (modes);
  char *save = NULL;
  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    {
      if (strcmp (w, "ro") == 0)
        m->readonly = true;
      else if (strcmp (w, "nocopy") == 0)
        m->nocopy = true;
      else if (strcmp (w, "U") == 0)
        m->chown = true;
      else if (strcmp (w, "idmap") == 0)
        m->idmap = true;
      else if (strcmp (w, "rw") != 0 && strcmp (w, "z") != 0 && strcmp (w, "Z") != 0)
        return hk_error_set (err, EINVAL,
                             "invalid volume specification \"%s\": unknown mode \"%s\"", spec, w);
    }
  return 0;
}

int
config_parse_volume (struct ctr_config *c, const char *text, struct hk_error **err)
{
  _cleanup_strv_ char **parts = xzalloc (sizeof (char *));
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *p = strtok_r (copy, ":", &save); p; p = strtok_r (NULL, ":", &save))
    strv_append (&parts, p);
  size_t n = strv_length (parts);
  if (n == 0 || n > 3)
    return hk_error_set (err, EINVAL, "invalid volume specification \"%s\"", text);
  struct config_mount m = { .source = n >= 2 ? parts[0] : NULL, .target = parts[n >= 2 ? 1 : 0] };
  if (check_target (m.target, text, err) < 0
      || volume_modes (text, n == 3 ? parts[2] : "", &m, err) < 0)
    return -1;
  bool bind = m.source != NULL && (m.source[0] == '/' || m.source[0] == '.');
  if (bind && m.source[0] != '/')
    return hk_error_set (err, EINVAL,
                         "invalid volume specification \"%s\": a host path must be absolute", text);
  if (m.source != NULL && !bind && config_check_volume_name (m.source, err) < 0)
    return hk_error_prefix (err, "-v %s", text);
  m.type = bind ? CONFIG_MOUNT_BIND : CONFIG_MOUNT_VOLUME;
  m.create_host_path = bind;
  add_mount (c, &m);
  return 0;
}

static bool
is_true (const char *value)
{
  return strcmp (value, "true") == 0 || strcmp (value, "1") == 0;
}

static void
append_option (char **options, const char *name, const char *value)
{
  char *more = xasprintf ("%s%s%s=%s", *options ? *options : "", *options ? "," : "", name, value);
  free (*options);
  *options = more;
}

/* One KEY[=VALUE] of --mount into M, or an error. */
static int
mount_option (const char *spec, char *kv, struct config_mount *m, const char **type,
              struct hk_error **err)
{
  char *eq = strchr (kv, '=');
  const char *value = eq ? eq + 1 : "true";
  if (eq)
    *eq = '\0';
  if (strcmp (kv, "type") == 0)
    *type = value;
  else if (strcmp (kv, "source") == 0 || strcmp (kv, "src") == 0)
    m->source = (char *)value;
  else if (strcmp (kv, "target") == 0 || strcmp (kv, "destination") == 0 || strcmp (kv, "dst") == 0)
    m->target = (char *)value;
  else if (strcmp (kv, "readonly") == 0 || strcmp (kv, "ro") == 0)
    m->readonly = is_true (value);
  else if (strcmp (kv, "volume-nocopy") == 0)
    m->nocopy = is_true (value);
  else if (strcmp (kv, "U") == 0 || strcmp (kv, "chown") == 0)
    m->chown = is_true (value);
  else if (strcmp (kv, "idmap") == 0)
    m->idmap = is_true (value);
  else if (strcmp (kv, "tmpfs-size") == 0 || strcmp (kv, "tmpfs-mode") == 0)
    append_option (&m->tmpfs_options, strcmp (kv, "tmpfs-size") == 0 ? "size" : "mode", value);
  else if (strcmp (kv, "bind-propagation") != 0 && strcmp (kv, "consistency") != 0)
    return hk_error_set (err, EINVAL, "--mount %s: unknown option \"%s\"", spec, kv);
  return 0;
}

int
config_parse_mount (struct ctr_config *c, const char *text, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  const char *type = "volume";
  struct config_mount m = { 0 };
  _cleanup_free_ char *tmpfs_options = NULL;
  char *save = NULL;
  int rc = 0;
  for (char *kv = strtok_r (copy, ",", &save); kv && rc == 0; kv = strtok_r (NULL, ",", &save))
    rc = mount_option (text, kv, &m, &type, err);
  tmpfs_options = m.tmpfs_options;
  if (rc < 0)
    return -1;
  if (strcmp (type, "bind") == 0)
    m.type = CONFIG_MOUNT_BIND;
  else if (strcmp (type, "volume") == 0)
    m.type = CONFIG_MOUNT_VOLUME;
  else if (strcmp (type, "tmpfs") == 0)
    m.type = CONFIG_MOUNT_TMPFS;
  else
    return hk_error_set (err, EINVAL, "--mount %s: unknown type \"%s\" (bind, volume or tmpfs)",
                         text, type);
  if (check_target (m.target, text, err) < 0)
    return -1;
  if (m.type == CONFIG_MOUNT_BIND && (m.source == NULL || m.source[0] != '/'))
    return hk_error_set (err, EINVAL, "--mount %s: a bind mount needs an absolute source", text);
  if (m.type == CONFIG_MOUNT_VOLUME && m.source != NULL && config_check_volume_name (m.source, err) < 0)
    return hk_error_prefix (err, "--mount %s", text);
  if (m.tmpfs_options == NULL)
    m.tmpfs_options = (char *)"";
  add_mount (c, &m);
  return 0;
}

int
config_parse_tmpfs (struct ctr_config *c, const char *text, struct hk_error **err)
{
  const char *colon = strchr (text, ':');
  _cleanup_free_ char *dir = colon ? xstrndup (text, (size_t)(colon - text)) : xstrdup (text);
  if (dir[0] != '/')
    return hk_error_set (err, EINVAL, "--tmpfs: \"%s\" is not an absolute path", dir);
  config_map_set (&c->tmpfs, dir, colon ? colon + 1 : "");
  return 0;
}

/* A port or a range of ports (PART of -p TEXT). */
static int
check_ports (const char *part, const char *text, const char *which, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (part);
  char *dash = strchr (copy, '-');
  long long port;
  if (dash)
    *dash = '\0';
  if (config_parse_int (copy, "-p", 1, 65535, &port, err) < 0
      || (dash && config_parse_int (dash + 1, "-p", 1, 65535, &port, err) < 0))
    return hk_error_prefix (err, "-p %s: bad %s port", text, which);
  return 0;
}

/* TEXT without its protocol, split at ':' into at most 3 parts (an IPv6
 * address is in brackets: [::1]:8080:80). */
static int
split_publish (char *rest, const char *text, char *parts[3], size_t *n, struct hk_error **err)
{
  *n = 0;
  if (rest[0] == '[')
    {
      char *close = strchr (rest, ']');
      if (close == NULL || close[1] != ':')
        return hk_error_set (err, EINVAL, "-p %s: bad address", text);
      *close = '\0';
      parts[(*n)++] = rest + 1;
      rest = close + 2;
    }
  for (char *p = rest; p && *n < 3;)
    {
      char *colon = strchr (p, ':');
      if (colon)
        *colon = '\0';
      parts[(*n)++] = p;
      p = colon ? colon + 1 : NULL;
    }
  return 0;
}

int
config_parse_publish (struct ctr_config *c, const char *text, struct hk_error **err)
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
  size_t n;
  if (split_publish (copy, text, parts, &n, err) < 0)
    return -1;
  const char *ip = n == 3 ? parts[0] : "";
  const char *host = n >= 2 ? parts[n - 2] : "";
  const char *container = parts[n - 1] ? parts[n - 1] : "";
  if (check_ports (container, text, "container", err) < 0
      || (*host && check_ports (host, text, "host", err) < 0))
    return -1;
  c->ports = xreallocarray (c->ports, c->n_ports + 1, sizeof *c->ports);
  c->ports[c->n_ports++] = (struct config_port){ .host_ip = xstrdup (ip),
                                                 .host_port = xstrdup (host),
                                                 .container_port = xstrdup (container),
                                                 .protocol = xstrdup (proto ? proto : "tcp") };
  return 0;
}

int
config_parse_network (struct ctr_config *c, const char *text, struct hk_error **err)
{
  const char *mode = c->network_mode;
  if (*text == '\0' || strcmp (text, "container:") == 0)
    return hk_error_set (err, EINVAL, "--network: \"%s\" names no network", text);
  if (mode != NULL && (config_network_mode_is_special (mode) || config_network_mode_is_special (text)))
    return hk_error_set (err, EINVAL,
                         "--network %s: none, host and container:NAME cannot be combined with "
                         "other networks",
                         config_network_mode_is_special (text) ? text : mode);
  if (mode == NULL)
    c->network_mode = xstrdup (text);
  if (!config_network_mode_is_special (text))
    ctr_config_add_network (c, text);
  return 0;
}

/* "container:NAME" with a NAME. */
static bool
is_container_mode (const char *text)
{
  const char *name = config_mode_container (text);
  return name != NULL && *name != '\0';
}

int
config_parse_pid (struct ctr_config *c, const char *text, struct hk_error **err)
{
  if (strcmp (text, "host") != 0 && !is_container_mode (text))
    return hk_error_set (err, EINVAL,
                         "--pid: \"%s\" is not a pid namespace mode (host or container:NAME)",
                         text);
  free (c->pid_mode);
  c->pid_mode = xstrdup (text);
  return 0;
}

int
config_parse_ipc (struct ctr_config *c, const char *text, struct hk_error **err)
{
  static const char *const modes[] = { "none", "private", "shareable", "host", NULL };
  if (!strv_contains ((char *const *)modes, text) && !is_container_mode (text))
    return hk_error_set (err, EINVAL,
                         "--ipc: \"%s\" is not an IPC mode (none, private, shareable, host or "
                         "container:NAME)",
                         text);
  free (c->ipc_mode);
  c->ipc_mode = xstrdup (text);
  return 0;
}

int
config_parse_shm_size (struct ctr_config *c, const char *text, struct hk_error **err)
{
  int64_t bytes;
  if (units_parse_bytes (text, "--shm-size", &bytes, err) < 0)
    return -1;
  if (bytes <= 0)
    return hk_error_set (err, EINVAL, "--shm-size: %s is not a size above 0", text);
  c->shm_size = bytes;
  return 0;
}

int
config_parse_volumes_from (struct ctr_config *c, const char *text, struct hk_error **err)
{
  _cleanup_free_ char *name = NULL;
  const char *mode;
  config_volumes_from_split (text, &name, &mode);
  if (*name == '\0')
    return hk_error_set (err, EINVAL, "--volumes-from: \"%s\" names no container", text);
  if (mode != NULL && strcmp (mode, "ro") != 0 && strcmp (mode, "rw") != 0)
    return hk_error_set (err, EINVAL, "--volumes-from %s: unknown mode \"%s\" (ro or rw)", text,
                         mode);
  strv_append (&c->volumes_from, text);
  return 0;
}

void
config_volumes_from_split (const char *text, char **name, const char **mode)
{
  const char *colon = strchr (text, ':');
  *name = colon ? xstrndup (text, (size_t)(colon - text)) : xstrdup (text);
  *mode = colon ? colon + 1 : NULL;
}

int
config_parse_log_opt (struct ctr_config *c, const char *text, struct hk_error **err)
{
  const char *eq = strchr (text, '=');
  if (eq == NULL || eq == text)
    return hk_error_set (err, EINVAL, "--log-opt: \"%s\" is not KEY=VALUE", text);
  long long files;
  if (strncmp (text, "max-size=", 9) == 0)
    {
      if (units_parse_bytes (eq + 1, "--log-opt max-size", &c->log_max_size, err) < 0)
        return -1;
      free (c->log_max_size_text);
      c->log_max_size_text = xstrdup (eq + 1);
      return 0;
    }
  if (strncmp (text, "max-file=", 9) == 0)
    {
      if (config_parse_int (eq + 1, "--log-opt max-file", 1, 1000, &files, err) < 0)
        return -1;
      c->log_max_files = (int)files;
      free (c->log_max_files_text);
      c->log_max_files_text = xstrdup (eq + 1);
      return 0;
    }
  return hk_error_set (err, EINVAL, "--log-opt: unknown option \"%s\" (max-size, max-file)", text);
}

void
config_set_health_test (struct ctr_config *c, const char *shell_command)
{
  strv_free (c->health.test);
  c->health.test = NULL;
  strv_append (&c->health.test, shell_command ? "CMD-SHELL" : "NONE");
  if (shell_command)
    strv_append (&c->health.test, shell_command);
}

static char *
find_in_path (const char *name)
{
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
  return NULL;
}

int
config_parse_runtime (struct ctr_config *c, const char *text, struct hk_error **err)
{
  char *program;
  if (strchr (text, '/') != NULL)
    {
      program = realpath (text, NULL);
      if (program == NULL || access (program, X_OK) < 0)
        {
          int e = errno;
          free (program);
          return hk_error_errno (err, e, "--runtime %s", text);
        }
    }
  else if ((program = find_in_path (text)) == NULL)
    return hk_error_set (err, ENOENT, "--runtime %s: no such program in $PATH", text);
  free (c->runtime);
  c->runtime = program;
  return 0;
}

int
ctr_config_check (const struct ctr_config *c, struct hk_error **err)
{
  if (c->auto_remove && c->restart != CONFIG_RESTART_NO)
    return hk_error_set (err, EINVAL, "--restart and --rm cannot be used together");
  const char *ipc = config_ipc_mode (c);
  if (c->shm_size > 0 && strcmp (ipc, "private") != 0 && strcmp (ipc, "shareable") != 0)
    return hk_error_set (err, EINVAL,
                         "--shm-size sizes the container's own /dev/shm (--ipc private or "
                         "shareable), not --ipc %s's",
                         ipc);
  return 0;
}
