/* SPDX-License-Identifier: Apache-2.0 */
#include "container-spec.h"
#include "seccomp-profile.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/caps.h"
#include "runtime/spec.h"

#include <errno.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/capability.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Docker's 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
uint64_t
container_spec_default_caps (void)
{
  static const int caps[] = { 0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31 };
  uint64_t mask = 0;
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
    mask |= UINT64_C (1) << caps[i];
  return mask;
}

static const char *
opt_string (const json_t *o, const char *key)
{
  json_t *v = json_object_get (o, key);
  return json_is_string (v) ? json_string_value (v) : NULL;
}

static bool
opt_bool (const json_t *o, const char *key)
{
  return json_is_true (json_object_get (o, key));
}

static json_int_t
opt_int (const json_t *o, const char *key, json_int_t fallback)
{
  json_t *v = json_object_get (o, key);
  return json_is_integer (v) ? json_integer_value (v) : fallback;
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
apply_cap_list (const json_t *list, bool add, uint64_t *mask, const char *flag,
                struct hk_error **err)
{
  size_t i;
  json_t *v;
  json_array_foreach (list, i, v)
  {
    const char *name = json_string_value (v);
    if (name == NULL)
      continue;
    if (strcasecmp (name, "ALL") == 0)
      {
        *mask = add ? ~UINT64_C (0) : 0;
        continue;
      }
    int cap = cap_number (name);
    if (cap < 0)
      return hk_error_set (err, EINVAL, "%s: unknown capability `%s`", flag, name);
    if (add)
      *mask |= UINT64_C (1) << cap;
    else
      *mask &= ~(UINT64_C (1) << cap);
  }
  return 0;
}

/* Every capability we have: what --privileged gives (a host may lack some,
 * as this one lacks CAP_SYS_RESOURCE, and asking for more fails). */
static uint64_t
own_permitted_caps (void)
{
  uint64_t mask = 0;
  cap_t c = cap_get_proc ();
  for (int i = 0; c != NULL && i < (int)cap_max_bits () && i < 64; i++)
    {
      cap_flag_value_t v;
      if (cap_get_flag (c, (cap_value_t)i, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
        mask |= UINT64_C (1) << i;
    }
  cap_free (c);
  return mask;
}

int
container_spec_caps (const json_t *options, uint64_t *out, struct hk_error **err)
{
  uint64_t mask = container_spec_default_caps ();
  if (opt_bool (options, "Privileged"))
    mask = ~UINT64_C (0);
  /* Docker applies drops first, then adds (so `--cap-drop ALL --cap-add X`
   * leaves exactly X). */
  if (apply_cap_list (json_object_get (options, "CapDrop"), false, &mask, "--cap-drop", err) < 0
      || apply_cap_list (json_object_get (options, "CapAdd"), true, &mask, "--cap-add", err) < 0)
    return -1;
  *out = mask & own_permitted_caps ();
  return 0;
}

int
container_spec_args (const json_t *options, const struct image_config *image, char ***out,
                     struct hk_error **err)
{
  json_t *entrypoint = json_object_get (options, "Entrypoint");
  json_t *cmd = json_object_get (options, "Cmd");
  _cleanup_strv_ char **args = xzalloc (sizeof (char *));
  bool entrypoint_given = json_is_array (entrypoint);
  if (entrypoint_given)
    {
      size_t i;
      json_t *v;
      json_array_foreach (entrypoint, i, v) strv_append (&args, json_string_value (v));
    }
  else if (image != NULL && image->entrypoint != NULL)
    for (char **e = image->entrypoint; *e; e++)
      strv_append (&args, *e);
  if (json_is_array (cmd) && json_array_size (cmd) > 0)
    {
      size_t i;
      json_t *v;
      json_array_foreach (cmd, i, v) strv_append (&args, json_string_value (v));
    }
  else if (!entrypoint_given && image != NULL && image->cmd != NULL)
    for (char **c = image->cmd; *c; c++)
      strv_append (&args, *c);
  if (args[0] == NULL)
    return hk_error_set (
        err, EINVAL, "no command specified: the image has no Cmd or Entrypoint and none was given");
  *out = take_ptr (args);
  return 0;
}

void
container_spec_env_set (char ***env, const char *entry)
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
      container_spec_env_set (&env, *e);
  strv_env_set (&env, "HOSTNAME", hostname);
  if (opt_bool (in->options, "Tty") && strv_env_get (env, "TERM") == NULL)
    strv_env_set (&env, "TERM", "xterm");
  if (strv_env_get (env, "HOME") == NULL)
    strv_env_set (&env, "HOME", in->user->home ? in->user->home : "/");
  json_t *extra = json_object_get (in->options, "Env");
  size_t i;
  json_t *v;
  json_array_foreach (extra, i, v) if (json_is_string (v))
      container_spec_env_set (&env, json_string_value (v));
  return env;
}

json_t *
container_spec_caps_json (uint64_t mask)
{
  json_t *arr = json_array ();
  for (int c = 0; c < 64; c++)
    if (mask & (UINT64_C (1) << c))
      {
        /* Only capabilities the running kernel has. */
        if (c > caps_last_cap ())
          break;
        char *name = spec_capability_name (c);
        if (name != NULL)
          json_array_append_new (arr, json_string (name));
        free (name);
      }
  return arr;
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
  for (size_t i = 0; i < in->n_binds; i++)
    if (strcmp (in->binds[i].destination, dest) == 0)
      return true;
  json_t *tmpfs = json_object_get (in->options, "Tmpfs");
  return json_object_get (tmpfs, dest) != NULL;
}

/* Docker's mounts: /proc, /dev and what is under it, /sys, the cgroups,
 * and the three /etc files the engine writes per container. */
static json_t *
build_mounts (const struct spec_inputs *in)
{
  bool privileged = opt_bool (in->options, "Privileged");
  json_t *m = json_array ();
  json_array_append_new (m, mount_json ("/proc", "proc", "proc", "nosuid,noexec,nodev"));
  json_array_append_new (
      m, mount_json ("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
  json_array_append_new (m, mount_json ("/dev/pts", "devpts", "devpts",
                                        "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
  json_array_append_new (
      m, mount_json ("/sys", "sysfs", "sysfs",
                     privileged ? "nosuid,noexec,nodev" : "nosuid,noexec,nodev,ro"));
  json_array_append_new (m, mount_json ("/sys/fs/cgroup", "cgroup", "cgroup",
                                        privileged ? "nosuid,noexec,nodev,relatime"
                                                   : "nosuid,noexec,nodev,relatime,ro"));
  json_array_append_new (m, mount_json ("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
  if (!mounted_by_user (in, "/dev/shm"))
    json_array_append_new (
        m, mount_json ("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k"));
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
  json_t *tmpfs = json_object_get (in->options, "Tmpfs");
  const char *dest;
  json_t *opts;
  json_object_foreach (tmpfs, dest, opts)
  {
    const char *o = json_string_value (opts);
    _cleanup_free_ char *all
        = xasprintf ("nosuid,nodev,noexec%s%s", o && *o ? "," : "", o ? o : "");
    json_array_append_new (m, mount_json (dest, "tmpfs", "tmpfs", all));
  }
  for (size_t i = 0; i < in->n_binds; i++)
    json_array_append_new (
        m, mount_json (in->binds[i].destination, "bind", in->binds[i].source,
                       in->binds[i].readonly ? "rbind,rprivate,ro" : "rbind,rprivate"));
  if (opt_bool (in->options, "Init") && in->init_path != NULL)
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

/* --device HOST[:CONTAINER[:PERMISSIONS]]: the node and its cgroup rule. */
static int
add_device (const char *spec, json_t *devices, json_t *rules, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (spec);
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
    return hk_error_set (err, EINVAL, "--device %s: permissions `%s` are not made of r, w, m", spec,
                         perms);
  struct stat st;
  if (stat (host, &st) < 0)
    return hk_error_errno (err, errno, "--device %s: `%s`", spec, host);
  if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
    return hk_error_set (err, EINVAL, "--device %s: `%s` is not a device", spec, host);
  if (inside[0] != '/')
    return hk_error_set (err, EINVAL, "--device %s: `%s` is not an absolute path", spec, inside);
  const char *type = S_ISCHR (st.st_mode) ? "c" : "b";
  json_array_append_new (devices, json_pack ("{s:s, s:s, s:I, s:I, s:i, s:i, s:i}", "path", inside,
                                             "type", type, "major", (json_int_t)major (st.st_rdev),
                                             "minor", (json_int_t)minor (st.st_rdev), "fileMode",
                                             (int)(st.st_mode & 0777), "uid", 0, "gid", 0));
  json_array_append_new (rules, json_pack ("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type,
                                           "major", (json_int_t)major (st.st_rdev), "minor",
                                           (json_int_t)minor (st.st_rdev), "access", perms));
  return 0;
}

json_t *
container_spec_limits (const json_t *o)
{
  json_t *res = json_object ();
  json_int_t memory = opt_int (o, "Memory", 0), swap = opt_int (o, "MemorySwap", 0),
             reservation = opt_int (o, "MemoryReservation", 0);
  if (memory > 0 || swap != 0 || reservation > 0)
    {
      json_t *m = json_object ();
      if (memory > 0)
        json_object_set_new (m, "limit", json_integer (memory));
      if (swap != 0)
        json_object_set_new (m, "swap", json_integer (swap));
      if (reservation > 0)
        json_object_set_new (m, "reservation", json_integer (reservation));
      json_object_set_new (res, "memory", m);
    }
  json_int_t nano = opt_int (o, "NanoCpus", 0), shares = opt_int (o, "CpuShares", 0);
  const char *cpuset = opt_string (o, "CpusetCpus");
  if (nano > 0 || shares > 0 || (cpuset && *cpuset))
    {
      json_t *c = json_object ();
      if (nano > 0)
        {
          /* --cpus N: N periods' worth of quota per 100 ms period. */
          json_object_set_new (c, "period", json_integer (100000));
          json_object_set_new (c, "quota", json_integer (nano * 100000 / 1000000000));
        }
      if (shares > 0)
        json_object_set_new (c, "shares", json_integer (shares));
      if (cpuset && *cpuset)
        json_object_set_new (c, "cpus", json_string (cpuset));
      json_object_set_new (res, "cpu", c);
    }
  json_int_t pids = opt_int (o, "PidsLimit", 0);
  if (pids != 0)
    json_object_set_new (res, "pids", json_pack ("{s:I}", "limit", pids));
  return res;
}

static json_t *
build_resources (const json_t *o, json_t *device_rules)
{
  json_t *res = container_spec_limits (o);
  json_object_set_new (res, "devices", device_rules);
  return res;
}

static int
build_seccomp (const json_t *o, uint64_t caps, json_t **out, struct hk_error **err)
{
  *out = NULL;
  if (opt_bool (o, "Privileged"))
    return 0;
  json_t *sec = json_object_get (o, "SecurityOpt");
  size_t i;
  json_t *v;
  json_array_foreach (sec, i, v)
  {
    const char *s = json_string_value (v);
    if (s == NULL || strncmp (s, "seccomp", 7) != 0 || (s[7] != '=' && s[7] != ':'))
      continue;
    const char *value = s + 8;
    if (strcmp (value, "unconfined") == 0)
      return 0;
    _cleanup_free_ char *text = NULL;
    size_t len;
    json_t *profile = NULL;
    if (fs_read_file (AT_FDCWD, value, 4 << 20, &text, &len, err) < 0
        || json_parse_object (text, len, value, &profile, err) < 0)
      return hk_error_prefix (err, "--security-opt seccomp");
    *out = profile;
    return 0;
  }
  *out = seccomp_profile_default (caps);
  return 0;
}

static bool
security_opt (const json_t *o, const char *word)
{
  json_t *sec = json_object_get (o, "SecurityOpt");
  size_t i;
  json_t *v;
  json_array_foreach (sec, i, v)
  {
    const char *s = json_string_value (v);
    if (s
        && (strcmp (s, word) == 0
            || (strncmp (s, word, strlen (word)) == 0 && strcmp (s + strlen (word), ":true") == 0)))
      return true;
  }
  return false;
}

static json_t *
build_rlimits (const json_t *o)
{
  json_t *out = json_array ();
  json_t *ulimits = json_object_get (o, "Ulimits");
  size_t i;
  json_t *u;
  json_array_foreach (ulimits, i, u)
  {
    const char *name = opt_string (u, "Name");
    _cleanup_free_ char *type = xasprintf ("RLIMIT_%s", name ? name : "");
    for (char *p = type; *p; p++)
      *p = (char)toupper ((unsigned char)*p);
    json_array_append_new (out, json_pack ("{s:s, s:I, s:I}", "type", type, "soft",
                                           opt_int (u, "Soft", 0), "hard", opt_int (u, "Hard", 0)));
  }
  return out;
}

/* In a privileged container every host device is there, as with Docker. */
static void
add_host_devices (json_t *devices)
{
  _cleanup_closedir_ DIR *d = opendir ("/dev");
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      _cleanup_free_ char *path = xasprintf ("/dev/%s", de->d_name);
      struct stat st;
      if (lstat (path, &st) < 0 || !(S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)))
        continue;
      /* The default devices and the tty/pty ones are made anyway. */
      static const char *const skip[]
          = { "null", "zero", "full", "random", "urandom", "tty", "ptmx", "console", NULL };
      if (strv_contains ((char *const *)skip, de->d_name))
        continue;
      json_array_append_new (devices, json_pack ("{s:s, s:s, s:I, s:I, s:i}", "path", path, "type",
                                                 S_ISCHR (st.st_mode) ? "c" : "b", "major",
                                                 (json_int_t)major (st.st_rdev), "minor",
                                                 (json_int_t)minor (st.st_rdev), "fileMode",
                                                 (int)(st.st_mode & 0777)));
    }
}

static json_t *
build_namespaces (const struct spec_inputs *in)
{
  json_t *ns = json_pack ("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "ipc",
                          "type", "uts", "type", "mount", "type", "cgroup");
  const char *mode = opt_string (in->options, "NetworkMode");
  if (in->netns_path != NULL)
    json_array_append_new (ns, json_pack ("{s:s, s:s}", "type", "network", "path", in->netns_path));
  else if (mode == NULL || strcmp (mode, "host") != 0)
    json_array_append_new (ns, json_pack ("{s:s}", "type", "network"));
  return ns;
}

static json_t *
build_process (const struct spec_inputs *in, char **args, char **env, uint64_t caps)
{
  const json_t *o = in->options;
  const char *cwd = opt_string (o, "WorkingDir");
  if ((cwd == NULL || *cwd == '\0') && in->image != NULL && in->image->working_dir != NULL
      && *in->image->working_dir)
    cwd = in->image->working_dir;
  if (cwd == NULL || *cwd == '\0')
    cwd = "/";
  json_t *groups = json_array ();
  for (size_t i = 0; i < in->user->n_groups; i++)
    json_array_append_new (groups, json_integer (in->user->groups[i]));
  json_t *capabilities
      = json_pack ("{s:o, s:o, s:o}", "bounding", container_spec_caps_json (caps), "effective",
                   container_spec_caps_json (caps), "permitted", container_spec_caps_json (caps));
  json_t *p = json_pack ("{s:b, s:{s:I, s:I, s:o}, s:o, s:o, s:s, s:o, s:o, s:b}", "terminal",
                         opt_bool (o, "Tty"), "user", "uid", (json_int_t)in->user->uid, "gid",
                         (json_int_t)in->user->gid, "additionalGids", groups, "args",
                         json_from_strv (args), "env", json_from_strv (env), "cwd", cwd,
                         "capabilities", capabilities, "rlimits", build_rlimits (o),
                         "noNewPrivileges", security_opt (o, "no-new-privileges"));
  return p;
}

int
container_spec_build (const struct spec_inputs *in, json_t **out, struct hk_error **err)
{
  const json_t *o = in->options;
  bool privileged = opt_bool (o, "Privileged");
  uint64_t caps;
  _cleanup_strv_ char **args = NULL;
  if (container_spec_caps (o, &caps, err) < 0 || container_spec_args (o, in->image, &args, err) < 0)
    return -1;
  if (opt_bool (o, "Init"))
    {
      /* hako-init, pid 1: reaps zombies and forwards signals. */
      char **wrapped = xzalloc (sizeof (char *));
      strv_append (&wrapped, "/dev/init");
      strv_append (&wrapped, "--");
      for (char **a = args; *a; a++)
        strv_append (&wrapped, *a);
      strv_free (args);
      args = wrapped;
    }
  const char *hostname = opt_string (o, "Hostname");
  _cleanup_free_ char *short_id = xstrndup (in->id, 12);
  if (hostname == NULL || *hostname == '\0')
    hostname = short_id;
  _cleanup_strv_ char **env = build_env (in, hostname);
  json_t *devices = json_array ();
  json_t *rules = json_pack ("[{s:b, s:s}]", "allow", 0, "access", "rwm");
  if (privileged)
    {
      json_array_append_new (
          rules, json_pack ("{s:b, s:s, s:s}", "allow", 1, "type", "a", "access", "rwm"));
      add_host_devices (devices);
    }
  json_t *device_list = json_object_get (o, "Devices");
  size_t i;
  json_t *d;
  json_array_foreach (device_list, i,
                      d) if (add_device (json_string_value (d), devices, rules, err) < 0)
  {
    json_decref (devices);
    json_decref (rules);
    return -1;
  }
  json_t *seccomp = NULL;
  if (build_seccomp (o, caps, &seccomp, err) < 0)
    {
      json_decref (devices);
      json_decref (rules);
      return -1;
    }
  /* --cgroup-parent: under that cgroup instead of /hako. */
  const char *parent = json_string_value (json_object_get (o, "CgroupParent"));
  parent = parent ? parent : "hako";
  _cleanup_free_ char *cgroups_path
      = xasprintf ("%s%s/%s", parent[0] == '/' ? "" : "/", parent, in->id);
  json_t *linux
      = json_pack ("{s:o, s:s, s:o, s:o}", "namespaces", build_namespaces (in), "cgroupsPath",
                   cgroups_path, "resources", build_resources (o, rules), "devices", devices);
  if (!privileged)
    {
      json_object_set_new (linux, "maskedPaths", json_from_strv ((char *const *)masked_paths));
      json_object_set_new (linux, "readonlyPaths", json_from_strv ((char *const *)readonly_paths));
    }
  if (seccomp != NULL)
    json_object_set_new (linux, "seccomp", seccomp);
  json_t *sysctls = json_object_get (o, "Sysctls");
  if (json_is_object (sysctls) && json_object_size (sysctls) > 0)
    json_object_set (linux, "sysctl", sysctls);
  /* 1.1.0: what this config needs, and what older runtimes (crun 1.8)
   * still accept with `--runtime`. */
  json_t *spec = json_pack ("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.1.0",
                            "process", build_process (in, args, env, caps), "root", "path",
                            in->rootfs, "readonly", opt_bool (o, "ReadonlyRootfs"), "hostname",
                            hostname, "mounts", build_mounts (in), "linux", linux);
  const char *domain = opt_string (o, "Domainname");
  if (domain && *domain)
    json_object_set_new (spec, "domainname", json_string (domain));
  json_t *labels = json_object_get (o, "Labels");
  if (json_is_object (labels))
    json_object_set (spec, "annotations", labels);
  *out = spec;
  return 0;
}
