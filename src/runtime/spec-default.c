/* SPDX-License-Identifier: Apache-2.0 */
#include "spec-default.h"
#include "spec.h"

static json_t *
mount_entry (const char *dest, const char *type, const char *source, const char *options)
{
  json_t *opts = json_array ();
  /* OPTIONS is a space-separated list here, for brevity. */
  char word[64];
  size_t n = 0;
  for (const char *p = options;; p++)
    {
      if (*p == ' ' || *p == '\0')
        {
          if (n > 0)
            {
              word[n] = '\0';
              json_array_append_new (opts, json_string (word));
            }
          n = 0;
          if (*p == '\0')
            break;
        }
      else if (n < sizeof word - 1)
        word[n++] = *p;
    }
  return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source,
                    "options", opts);
}

static json_t *
mounts (bool rootless)
{
  json_t *m = json_array ();
  json_array_append_new (m, mount_entry ("/proc", "proc", "proc", ""));
  json_array_append_new (m, mount_entry ("/dev", "tmpfs", "tmpfs",
                                         "nosuid strictatime mode=755 size=65536k"));
  json_array_append_new (m, mount_entry ("/dev/pts", "devpts", "devpts",
                                         rootless ? "nosuid noexec newinstance ptmxmode=0666 mode=0620"
                                                  : "nosuid noexec newinstance ptmxmode=0666 mode=0620 gid=5"));
  json_array_append_new (m, mount_entry ("/dev/shm", "tmpfs", "shm",
                                         "nosuid noexec nodev mode=1777 size=65536k"));
  json_array_append_new (m, mount_entry ("/dev/mqueue", "mqueue", "mqueue", "nosuid noexec nodev"));
  if (rootless)
    json_array_append_new (m, mount_entry ("/sys", "none", "/sys", "rbind nosuid noexec nodev ro"));
  else
    {
      json_array_append_new (m, mount_entry ("/sys", "sysfs", "sysfs", "nosuid noexec nodev ro"));
      json_array_append_new (m, mount_entry ("/sys/fs/cgroup", "cgroup", "cgroup",
                                             "nosuid noexec nodev relatime ro"));
    }
  return m;
}

static json_t *
string_list (const char *const *items)
{
  json_t *arr = json_array ();
  for (; *items; items++)
    json_array_append_new (arr, json_string (*items));
  return arr;
}

json_t *
spec_default (bool rootless, uid_t uid, gid_t gid)
{
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const masked[] = { "/proc/acpi",        "/proc/asound",    "/proc/kcore",
                                        "/proc/keys",        "/proc/latency_stats",
                                        "/proc/timer_list",  "/proc/timer_stats",
                                        "/proc/sched_debug", "/sys/firmware",   "/proc/scsi",
                                        NULL };
  static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                          "/proc/sysrq-trigger", NULL };
  static const char *const env[]
      = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };
  static const char *const args[] = { "sh", NULL };

  json_t *capabilities = json_pack ("{s:o, s:o, s:o, s:o}", "bounding", string_list (caps),
                                    "effective", string_list (caps), "permitted",
                                    string_list (caps), "ambient", string_list (caps));
  json_t *process = json_pack (
      "{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:o, s:[{s:s, s:i, s:i}], s:b}", "terminal", 1, "user",
      "uid", 0, "gid", 0, "args", string_list (args), "env", string_list (env), "cwd", "/",
      "capabilities", capabilities, "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
      "noNewPrivileges", 1);
  json_t *namespaces = json_pack ("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid",
                                  "type", "network", "type", "ipc", "type", "uts", "type", "mount",
                                  "type", "cgroup");
  json_t *linux = json_pack ("{s:o, s:o, s:o}", "namespaces", namespaces, "maskedPaths",
                             string_list (masked), "readonlyPaths", string_list (readonly));
  if (rootless)
    {
      json_array_append_new (namespaces, json_pack ("{s:s}", "type", "user"));
      json_object_set_new (linux, "uidMappings",
                           json_pack ("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (int) uid,
                                      "size", 1));
      json_object_set_new (linux, "gidMappings",
                           json_pack ("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (int) gid,
                                      "size", 1));
    }
  else
    json_object_set_new (linux, "resources",
                         json_pack ("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
  return json_pack ("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", OCI_RUNTIME_SPEC_VERSION, "process",
                    process, "root", "path", "rootfs", "readonly", 1, "hostname", "hako", "mounts",
                    mounts (rootless), "linux", linux);
}
