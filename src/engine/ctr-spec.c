/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-spec.h"
#include "seccomp-profile.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Docker's 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
uint64_t
ctr_spec_docker_default_caps (void)
{
  static const int caps[] = { 0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31 };
  uint64_t mask = 0;
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
    mask |= UINT64_C (1) << caps[i];
  return mask;
}

static int
cap_number (const char *name)
{
  /* Docker accepts "NET_ADMIN" as well as "CAP_NET_ADMIN". */
  _cleanup_free_ char *full
      = strncasecmp (name, "CAP_", 4) == 0 ? xstrdup (name) : xasprintf ("CAP_%s", name);
  return spec_capability_number (full);
}

static int
apply_cap_list (char *const *names, bool add, uint64_t *mask, const char *flag,
                struct hk_error **err)
{
  for (size_t i = 0; names != NULL && names[i] != NULL; i++)
    {
      if (strcasecmp (names[i], "ALL") == 0)
        {
          *mask = add ? ~UINT64_C (0) : 0;
          continue;
        }
      int cap = cap_number (names[i]);
      if (cap < 0)
        return hk_error_set (err, EINVAL, "%s: unknown capability `%s`", flag, names[i]);
      if (add)
        *mask |= UINT64_C (1) << cap;
      else
        *mask &= ~(UINT64_C (1) << cap);
    }
  return 0;
}

int
ctr_spec_caps (const struct ctr_config *c, uint64_t permitted, uint64_t *out,
                     struct hk_error **err)
{
  uint64_t mask = c->privileged ? ~UINT64_C (0) : ctr_spec_docker_default_caps ();
  /* Docker applies drops first, then adds (so `--cap-drop ALL --cap-add X`
   * leaves exactly X). */
  if (apply_cap_list (c->cap_drop, false, &mask, "--cap-drop", err) < 0
      || apply_cap_list (c->cap_add, true, &mask, "--cap-add", err) < 0)
    return -1;
  *out = mask & permitted;
  return 0;
}

static void
append_all (char ***args, char *const *more)
{
  for (size_t i = 0; more != NULL && more[i] != NULL; i++)
    strv_append (args, more[i]);
}

int
ctr_spec_args (const struct ctr_config *c, const struct image_config *image,
                     char ***out, struct hk_error **err)
{
  _cleanup_strv_ char **args = xzalloc (sizeof (char *));
  bool entrypoint_given = c->entrypoint != NULL;
  append_all (&args, entrypoint_given ? c->entrypoint : image ? image->entrypoint : NULL);
  if (c->cmd != NULL && c->cmd[0] != NULL)
    append_all (&args, c->cmd);
  else if (!entrypoint_given && image != NULL)
    append_all (&args, image->cmd);
  if (args[0] == NULL)
    return hk_error_set (
        err, EINVAL, "no command specified: the image has no Cmd or Entrypoint and none was given");
  *out = take_ptr (args);
  return 0;
}

void
ctr_spec_env_set (char ***env, const char *entry)
{
  const char *eq = strchr (entry, '=');
  _cleanup_free_ char *name = eq ? xstrndup (entry, (size_t)(eq - entry)) : xstrdup (entry);
  if (eq == NULL)
    {
      /* "-e NAME" passes the caller's value, as Docker does. */
      const char *value = getenv (name);
      if (value != NULL)
        strv_env_set (env, name, value);
      return;
    }
  strv_env_set (env, name, eq + 1);
}

static char **
build_env (const struct spec_inputs *in, const char *hostname)
{
  char **env = xzalloc (sizeof (char *));
  strv_append (&env, DEFAULT_PATH);
  if (in->image != NULL && in->image->env != NULL)
    for (char **e = in->image->env; *e; e++)
      ctr_spec_env_set (&env, *e);
  strv_env_set (&env, "HOSTNAME", hostname);
  if (in->config->tty && strv_env_get (env, "TERM") == NULL)
    strv_env_set (&env, "TERM", "xterm");
  if (strv_env_get (env, "HOME") == NULL)
    strv_env_set (&env, "HOME", in->user->home ? in->user->home : "/");
  for (char **e = in->config->env; e && *e; e++)
    ctr_spec_env_set (&env, *e);
  return env;
}

json_t *
ctr_spec_caps_json (uint64_t mask, int last_cap)
{
  json_t *names = json_array ();
  for (int c = 0; c < 64 && c <= last_cap; c++)
    if (mask & (UINT64_C (1) << c))
      {
        char *name = spec_capability_name (c);
        if (name != NULL)
          json_array_append_new (names, json_string (name));
        free (name);
      }
  return json_pack ("{s:O, s:O, s:o}", "bounding", names, "effective", names, "permitted", names);
}

static json_t *
mount_json (const char *dest, const char *type, const char *source, const char *options)
{
  json_t *opts = json_array ();
  _cleanup_free_ char *copy = xstrdup (options);
  char *save = NULL;
  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    json_array_append_new (opts, json_string (w));
  return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source,
                    "options", opts);
}

static bool
mounted_by_user (const struct spec_inputs *in, const char *dest)
{
  const struct ctr_config *c = in->config;
  for (size_t i = 0; i < c->n_mount_points; i++)
    if (strcmp (c->mount_points[i].destination, dest) == 0)
      return true;
  return config_map_get (&c->tmpfs, dest) != NULL;
}

/* /dev/shm as the IPC mode has it (ctr-ipc.h), unless the user mounts
 * something there. */
static void
add_shm (json_t *m, const struct spec_inputs *in)
{
  const struct ctr_config *c = in->config;
  if (mounted_by_user (in, "/dev/shm") || strcmp (config_ipc_mode (c), "none") == 0)
    return;
  if (in->shm_source != NULL)
    {
      json_array_append_new (m, mount_json ("/dev/shm", "bind", in->shm_source,
                                            "rbind,rprivate,nosuid,noexec,nodev"));
      return;
    }
  _cleanup_free_ char *size = c->shm_size > 0 ? xasprintf ("%lld", (long long)c->shm_size)
                                               : xstrdup ("65536k");
  _cleanup_free_ char *options = xasprintf ("nosuid,noexec,nodev,mode=1777,size=%s", size);
  json_array_append_new (m, mount_json ("/dev/shm", "tmpfs", "shm", options));
}

/* Docker's mounts: /proc, /dev and what is under it, /sys, the cgroups
 * (none for a container without a cgroup),
 * and the three /etc files the engine writes per container. */
static json_t *
build_mounts (const struct spec_inputs *in)
{
  const struct ctr_config *c = in->config;
  bool privileged = c->privileged;
  json_t *m = json_array ();
  json_array_append_new (m, mount_json ("/proc", "proc", "proc", "nosuid,noexec,nodev"));
  json_array_append_new (
      m, mount_json ("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
  json_array_append_new (m, mount_json ("/dev/pts", "devpts", "devpts",
                                        "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
  json_array_append_new (
      m, mount_json ("/sys", "sysfs", "sysfs",
                     privileged ? "nosuid,noexec,nodev" : "nosuid,noexec,nodev,ro"));
  if (!in->no_cgroup)
    json_array_append_new (m, mount_json ("/sys/fs/cgroup", "cgroup", "cgroup",
                                          privileged ? "nosuid,noexec,nodev,relatime"
                                                     : "nosuid,noexec,nodev,relatime,ro"));
  json_array_append_new (m, mount_json ("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
  add_shm (m, in);
  static const char *const etc_files[] = { "hostname", "hosts", "resolv.conf" };
  for (size_t i = 0; i < 3; i++)
    {
      /* --network container:NAME shares NAME's hosts and resolver. */
      const char *dir = i > 0 && in->etc_dir ? in->etc_dir : in->container_dir;
      _cleanup_free_ char *dest = xasprintf ("/etc/%s", etc_files[i]);
      _cleanup_free_ char *src = xasprintf ("%s/%s", dir, etc_files[i]);
      if (!mounted_by_user (in, dest))
        json_array_append_new (m, mount_json (dest, "bind", src, "rbind,rprivate"));
    }
  const char *const users[][2]
      = { { "/etc/passwd", in->passwd_path }, { "/etc/group", in->group_path } };
  for (size_t i = 0; i < 2; i++)
    if (users[i][1] != NULL && !mounted_by_user (in, users[i][0]))
      json_array_append_new (m, mount_json (users[i][0], "bind", users[i][1], "rbind,rprivate"));
  for (size_t i = 0; i < c->tmpfs.n; i++)
    {
      const char *o = c->tmpfs.values[i];
      _cleanup_free_ char *all = xasprintf ("nosuid,nodev,noexec%s%s", *o ? "," : "", o);
      json_array_append_new (m, mount_json (c->tmpfs.keys[i], "tmpfs", "tmpfs", all));
    }
  for (size_t i = 0; i < c->n_mount_points; i++)
    {
      const struct config_mount_point *p = &c->mount_points[i];
      /* idmap: the runtime maps it with the container's maps. */
      _cleanup_free_ char *options
          = xasprintf ("rbind,rprivate%s%s", p->rw ? "" : ",ro", p->idmap ? ",idmap" : "");
      json_array_append_new (m, mount_json (p->destination, "bind", p->source, options));
    }
  if (c->init && in->init_path != NULL)
    json_array_append_new (m,
                           mount_json ("/dev/init", "bind", in->init_path, "bind,ro,nosuid,nodev"));
  return m;
}

static const char *const masked_paths[] = { "/proc/asound",
                                            "/proc/acpi",
                                            "/proc/kcore",
                                            "/proc/keys",
                                            "/proc/latency_stats",
                                            "/proc/timer_list",
                                            "/proc/timer_stats",
                                            "/proc/sched_debug",
                                            "/proc/scsi",
                                            "/sys/firmware",
                                            "/sys/devices/virtual/powercap",
                                            NULL };
static const char *const readonly_paths[]
    = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

static bool
wanted (const struct config_limits *l, unsigned only, unsigned bit)
{
  return (l->set & bit) && (only == 0 || (only & bit));
}

static json_t *
memory_limits (const struct config_limits *l, unsigned only)
{
  json_t *m = json_object ();
  if (wanted (l, only, CONFIG_LIMIT_MEMORY) && l->memory > 0)
    json_object_set_new (m, "limit", json_integer (l->memory));
  if (wanted (l, only, CONFIG_LIMIT_MEMORY_SWAP) && l->memory_swap != 0)
    json_object_set_new (m, "swap", json_integer (l->memory_swap));
  if (wanted (l, only, CONFIG_LIMIT_MEMORY_RESERVATION) && l->memory_reservation > 0)
    json_object_set_new (m, "reservation", json_integer (l->memory_reservation));
  return m;
}

static json_t *
cpu_limits (const struct config_limits *l, unsigned only)
{
  json_t *c = json_object ();
  if (wanted (l, only, CONFIG_LIMIT_NANO_CPUS) && l->nano_cpus > 0)
    {
      /* --cpus N: N periods' worth of quota per 100 ms period. */
      json_object_set_new (c, "period", json_integer (100000));
      json_object_set_new (c, "quota", json_integer (l->nano_cpus * 100000 / 1000000000));
    }
  if (wanted (l, only, CONFIG_LIMIT_CPU_SHARES) && l->cpu_shares > 0)
    json_object_set_new (c, "shares", json_integer (l->cpu_shares));
  if (wanted (l, only, CONFIG_LIMIT_CPUSET_CPUS) && l->cpuset_cpus && *l->cpuset_cpus)
    json_object_set_new (c, "cpus", json_string (l->cpuset_cpus));
  return c;
}

static void
set_unless_empty (json_t *o, const char *key, json_t *v)
{
  if (json_object_size (v) > 0)
    json_object_set (o, key, v);
  json_decref (v);
}

json_t *
ctr_spec_limits (const struct config_limits *l, unsigned only)
{
  json_t *res = json_object ();
  set_unless_empty (res, "memory", memory_limits (l, only));
  set_unless_empty (res, "cpu", cpu_limits (l, only));
  if (wanted (l, only, CONFIG_LIMIT_PIDS) && l->pids_limit != 0)
    json_object_set_new (res, "pids", json_pack ("{s:I}", "limit", (json_int_t)l->pids_limit));
  return res;
}

static json_t *
build_resources (const struct spec_inputs *in)
{
  json_t *res = ctr_spec_limits (&in->config->limits, 0);
  json_t *rules = json_pack ("[{s:b, s:s}]", "allow", 0, "access", "rwm");
  if (in->config->privileged)
    json_array_append_new (rules,
                           json_pack ("{s:b, s:s, s:s}", "allow", 1, "type", "a", "access", "rwm"));
  if (in->host->device_rules)
    json_array_extend (rules, in->host->device_rules);
  json_object_set_new (res, "devices", rules);
  return res;
}

/* Docker's default profile unless privileged or a profile is given. */
static json_t *
build_seccomp (const struct spec_inputs *in, uint64_t caps)
{
  const struct ctr_config *c = in->config;
  if (c->privileged || (c->seccomp_profile && strcmp (c->seccomp_profile, "unconfined") == 0))
    return NULL;
  if (in->host->seccomp_profile != NULL)
    return json_incref (in->host->seccomp_profile);
  return seccomp_profile_default (caps);
}

static json_t *
build_rlimits (const struct ctr_config *c)
{
  json_t *out = json_array ();
  for (size_t i = 0; i < c->n_ulimits; i++)
    {
      _cleanup_free_ char *type = xasprintf ("RLIMIT_%s", c->ulimits[i].name);
      for (char *p = type; *p; p++)
        *p = (char)toupper ((unsigned char)*p);
      json_array_append_new (out, json_pack ("{s:s, s:I, s:I}", "type", type, "soft",
                                             (json_int_t)c->ulimits[i].soft, "hard",
                                             (json_int_t)c->ulimits[i].hard));
    }
  return out;
}

/* A pod's member joins what its pod shares of the infra's process. */
static bool
joins_pod (const struct spec_inputs *in, enum config_pod_share ns)
{
  return in->pod_infra_pid > 0 && (in->config->pod_share & ns);
}

/* A namespace of TYPE: the pod's (what it shares, NS), or the one at
 * PATH (--pid, --ipc container:NAME), or a new one. */
static json_t *
namespace_json (const struct spec_inputs *in, const char *type, enum config_pod_share ns,
                const char *path)
{
  _cleanup_free_ char *pod_path
      = joins_pod (in, ns) ? xasprintf ("/proc/%d/ns/%s", in->pod_infra_pid, type) : NULL;
  if (pod_path != NULL)
    path = pod_path;
  if (path == NULL)
    return json_pack ("{s:s}", "type", type);
  return json_pack ("{s:s, s:s}", "type", type, "path", path);
}

static bool
is_host (const char *mode)
{
  return mode != NULL && strcmp (mode, "host") == 0;
}

static json_t *
build_namespaces (const struct spec_inputs *in)
{
  const struct ctr_config *c = in->config;
  json_t *ns = json_array ();
  /* --pid host, --ipc host: the host's, none made */
  if (!is_host (c->pid_mode))
    json_array_append_new (ns, namespace_json (in, "pid", CONFIG_SHARE_PID, in->pidns_path));
  if (!is_host (c->ipc_mode))
    json_array_append_new (ns, namespace_json (in, "ipc", CONFIG_SHARE_IPC, in->ipcns_path));
  json_array_append_new (ns, namespace_json (in, "uts", CONFIG_SHARE_UTS, NULL));
  json_array_append_new (ns, json_pack ("{s:s}", "type", "mount"));
  json_array_append_new (ns, json_pack ("{s:s}", "type", "cgroup"));
  const char *mode = c->network_mode;
  /* Joined first by the runtime: the other namespaces are made in it. */
  if (in->userns_path != NULL)
    json_array_insert_new (ns, 0, json_pack ("{s:s, s:s}", "type", "user", "path",
                                             in->userns_path));
  if (in->netns_path != NULL)
    json_array_append_new (ns, json_pack ("{s:s, s:s}", "type", "network", "path", in->netns_path));
  else if (mode == NULL || strcmp (mode, "host") != 0)
    json_array_append_new (ns, json_pack ("{s:s}", "type", "network"));
  return ns;
}

static const char *
working_dir (const struct spec_inputs *in)
{
  const char *cwd = in->config->working_dir;
  if (cwd == NULL && in->image != NULL && in->image->working_dir && *in->image->working_dir)
    cwd = in->image->working_dir;
  return cwd ? cwd : "/";
}

static const char *
hostname (const struct spec_inputs *in, char short_id[13])
{
  snprintf (short_id, 13, "%s", in->id);
  return in->config->hostname ? in->config->hostname : short_id;
}

/* hako-init, pid 1, before ARGS: it reaps zombies and forwards signals. */
static void
wrap_in_init (char ***args)
{
  char **wrapped = xzalloc (sizeof (char *));
  strv_append (&wrapped, "/dev/init");
  strv_append (&wrapped, "--");
  append_all (&wrapped, *args);
  strv_free (*args);
  *args = wrapped;
}

static int
build_process (const struct spec_inputs *in, uint64_t caps, json_t **out, struct hk_error **err)
{
  const struct ctr_config *c = in->config;
  _cleanup_strv_ char **args = NULL;
  if (ctr_spec_args (c, in->image, &args, err) < 0)
    return -1;
  if (c->init)
    wrap_in_init (&args);
  char short_id[13];
  _cleanup_strv_ char **env = build_env (in, hostname (in, short_id));
  json_t *groups = json_array ();
  for (size_t i = 0; i < in->user->n_groups; i++)
    json_array_append_new (groups, json_integer (in->user->groups[i]));
  *out = json_pack ("{s:b, s:{s:I, s:I, s:o}, s:o, s:o, s:s, s:o, s:o, s:b}", "terminal", c->tty,
                    "user", "uid", (json_int_t)in->user->uid, "gid", (json_int_t)in->user->gid,
                    "additionalGids", groups, "args", json_from_strv (args), "env",
                    json_from_strv (env), "cwd", working_dir (in), "capabilities",
                    ctr_spec_caps_json (caps, in->host->last_cap), "rlimits",
                    build_rlimits (c), "noNewPrivileges", c->no_new_privileges);
  return 0;
}

int
ctr_spec_process (const struct spec_inputs *in, json_t **out, struct hk_error **err)
{
  uint64_t caps;
  if (ctr_spec_caps (in->config, in->host->permitted_caps, &caps, err) < 0)
    return -1;
  return build_process (in, caps, out, err);
}

static json_t *
id_maps_json (const struct id_map *m, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (a, json_pack ("{s:I, s:I, s:I}", "containerID",
                                         (json_int_t)m[i].container_id, "hostID",
                                         (json_int_t)m[i].host_id, "size", (json_int_t)m[i].size));
  return a;
}

static json_t *
build_linux (const struct spec_inputs *in, uint64_t caps)
{
  const struct ctr_config *c = in->config;
  /* --cgroup-parent: under that cgroup instead of /hako. */
  const char *parent = c->cgroup_parent  ? c->cgroup_parent
                       : in->cgroup_parent ? in->cgroup_parent
                                           : "hako";
  _cleanup_free_ char *cgroups_path
      = xasprintf ("%s%s/%s", parent[0] == '/' ? "" : "/", parent, in->id);
  json_t *devices = in->host->devices ? json_incref (in->host->devices) : json_array ();
  json_t *linux = json_pack ("{s:o, s:o}", "namespaces", build_namespaces (in), "devices",
                             devices);
  if (!in->no_cgroup)
    {
      json_object_set_new (linux, "cgroupsPath", json_string (cgroups_path));
      json_object_set_new (linux, "resources", build_resources (in));
    }
  if (in->userns_path != NULL)
    {
      /* They describe the joined namespace: for idmapped mounts. */
      json_object_set_new (linux, "uidMappings", id_maps_json (c->uid_map, c->n_uid_map));
      json_object_set_new (linux, "gidMappings", id_maps_json (c->gid_map, c->n_gid_map));
    }
  if (!c->privileged)
    {
      json_object_set_new (linux, "maskedPaths", json_from_strv ((char *const *)masked_paths));
      json_object_set_new (linux, "readonlyPaths", json_from_strv ((char *const *)readonly_paths));
    }
  json_t *seccomp = build_seccomp (in, caps);
  if (seccomp != NULL)
    json_object_set_new (linux, "seccomp", seccomp);
  if (c->sysctls.n > 0)
    {
      json_t *sysctl = json_object ();
      for (size_t i = 0; i < c->sysctls.n; i++)
        json_object_set_new (sysctl, c->sysctls.keys[i], json_string (c->sysctls.values[i]));
      json_object_set_new (linux, "sysctl", sysctl);
    }
  return linux;
}

int
ctr_spec_build (const struct spec_inputs *in, json_t **out, struct hk_error **err)
{
  const struct ctr_config *c = in->config;
  uint64_t caps;
  json_t *process = NULL;
  if (ctr_spec_caps (c, in->host->permitted_caps, &caps, err) < 0
      || build_process (in, caps, &process, err) < 0)
    return -1;
  char short_id[13];
  /* 1.1.0: what this config needs, and what older runtimes (crun 1.8)
   * still accept with `--runtime`. */
  json_t *spec = json_pack ("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.1.0",
                            "process", process, "root", "path", in->rootfs, "readonly",
                            c->readonly_rootfs, "hostname", hostname (in, short_id), "mounts",
                            build_mounts (in), "linux", build_linux (in, caps));
  if (joins_pod (in, CONFIG_SHARE_UTS))
    json_object_del (spec, "hostname"); /* the pod's: set by its infra container */
  else if (c->domainname)
    json_object_set_new (spec, "domainname", json_string (c->domainname));
  if (c->labels.n > 0)
    {
      json_t *annotations = json_object ();
      for (size_t i = 0; i < c->labels.n; i++)
        json_object_set_new (annotations, c->labels.keys[i], json_string (c->labels.values[i]));
      json_object_set_new (spec, "annotations", annotations);
    }
  *out = spec;
  return 0;
}
