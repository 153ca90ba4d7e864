/* SPDX-License-Identifier: Apache-2.0 */
/* system info and version: what the engine, the host and the libraries
 * are, named as Docker names them so that templates carry over. */
#include "engine.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store/platform.h"
#include "runtime/cgroup.h"

#include <archive.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The most of os-release read. */
#define OS_RELEASE_MAX (1 << 16)

#ifdef __clang__
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif

/* The value of KEY in /etc/os-release, unquoted; NULL when missing. */
static char *
os_release (const char *key)
{
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, "/etc/os-release", OS_RELEASE_MAX, &text, NULL, NULL) < 0
      && fs_read_file (AT_FDCWD, "/usr/lib/os-release", OS_RELEASE_MAX, &text, NULL, NULL) < 0)
    return NULL;
  size_t len = strlen (key);
  for (char *line = text; line && *line;
       line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, len) == 0 && line[len] == '=')
      {
        const char *v = line + len + 1;
        size_t n = strcspn (v, "\n");
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
          return xstrndup (v + 1, n - 2);
        return xstrndup (v, n);
      }
  return NULL;
}

static char *
host_arch (void)
{
  struct platform p;
  platform_host (&p);
  char *arch = xstrdup (p.architecture);
  platform_clear (&p);
  return arch;
}

/* Containers by state: total, running, paused, stopped. */
static int
count_containers (struct engine *e, json_int_t counts[4], struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (ctr_record_list (e->db, &list, &n, err) < 0)
    return -1;
  memset (counts, 0, 4 * sizeof counts[0]);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      rc = engine_refresh (e, list[i], err);
      counts[0]++;
      if (strcmp (list[i]->state, "running") == 0)
        counts[1]++;
      else if (strcmp (list[i]->state, "paused") == 0)
        counts[2]++;
      else
        counts[3]++;
    }
  ctr_record_list_free (list, n);
  return rc;
}

static const char *
cgroup_version (const struct engine *e, const char **mode)
{
  struct cgroup_layout *layout = NULL;
  struct hk_error *ignored = NULL;
  if (cgroup_layout_detect (e->rt.cgroup_root, &layout, &ignored) < 0)
    {
      hk_error_free (ignored);
      *mode = "unknown";
      return "";
    }
  enum cgroup_mode m = layout->mode;
  cgroup_layout_free (layout);
  *mode = cgroup_mode_name (m);
  /* Docker says 1 for a hybrid host: the controllers are in v1 trees. */
  return m == CGROUP_MODE_V2 ? "2" : "1";
}

int
engine_info (struct engine *e, json_t **out, struct hk_error **err)
{
  json_int_t counts[4];
  struct store_usage usage;
  if (count_containers (e, counts, err) < 0 || store_usage (e->store, &usage, err) < 0)
    return -1;
  struct utsname u;
  uname (&u);
  struct sysinfo si;
  json_int_t memory = sysinfo (&si) == 0 ? (json_int_t)si.totalram * si.mem_unit : 0;
  _cleanup_free_ char *os = os_release ("PRETTY_NAME");
  _cleanup_free_ char *os_version = os_release ("VERSION_ID");
  const char *cgroup_mode;
  const char *cgroup = cgroup_version (e, &cgroup_mode);
  json_t *info = json_pack ("{s:I, s:I, s:I, s:I, s:I}", "Containers", counts[0],
                            "ContainersRunning", counts[1], "ContainersPaused", counts[2],
                            "ContainersStopped", counts[3], "Images", (json_int_t)usage.images);
  json_object_update_new (
      info, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", "overlay", "DockerRootDir",
                       e->root, "RunRoot", e->runroot, "LoggingDriver", "json-file", "CgroupDriver",
                       "cgroupfs", "CgroupVersion", cgroup, "CgroupMode", cgroup_mode));
  json_object_update_new (
      info,
      json_pack ("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}", "KernelVersion", u.release,
                 "OperatingSystem", os ? os : "Linux", "OSVersion", os_version ? os_version : "",
                 "OSType", "linux", "Architecture", u.machine, "NCPU",
                 (int)sysconf (_SC_NPROCESSORS_ONLN), "MemTotal", memory, "Name", u.nodename));
  json_object_update_new (info,
                          json_pack ("{s:s, s:s, s:{s:{s:s}}, s:[s], s:s}", "ServerVersion",
                                     HAKO_VERSION, "DefaultRuntime", "hako", "Runtimes", "hako",
                                     "path", "(in-process)", "SecurityOptions",
                                     "name=seccomp,profile=builtin", "InitBinary", e->init_path));
  /* Docker lists name=userns when its userns-remap is on. */
  const char *userns = e->conf.userns ? e->conf.userns : "host";
  if (strcmp (userns, "host") != 0)
    json_array_append_new (json_object_get (info, "SecurityOptions"), json_string ("name=userns"));
  json_object_set_new (info, "UsernsMode", json_string (userns));
  json_object_set_new (info, "UsernsModeFrom",
                       json_string (e->conf.userns_from ? e->conf.userns_from : "default"));
  *out = info;
  return 0;
}

static json_t *
component (const char *name, const char *version, json_t *details)
{
  return json_pack ("{s:s, s:s, s:o}", "Name", name, "Version", version, "Details",
                    details ? details : json_object ());
}

json_t *
engine_version (void)
{
  struct utsname u;
  uname (&u);
  _cleanup_free_ char *arch = host_arch ();
  const struct scmp_version *sv = seccomp_version ();
  char seccomp[32];
  snprintf (seccomp, sizeof seccomp, "%u.%u.%u", sv->major, sv->minor, sv->micro);
  json_t *components = json_pack (
      "[o, o, o, o, o, o, o]",
      component ("Engine", HAKO_VERSION,
                 json_pack ("{s:s, s:s, s:s, s:s}", "Os", "linux", "Arch", arch, "KernelVersion",
                            u.release, "Compiler", COMPILER)),
      component ("hako-runtime", HAKO_VERSION, json_pack ("{s:s}", "Mode", "in-process")),
      component ("SQLite", sqlite3_libversion (), NULL),
      /* hako-transfer's, as built: hako itself does not load them */
      component ("libarchive", ARCHIVE_VERSION_ONLY_STRING, NULL),
      component ("libseccomp", seccomp, NULL), component ("jansson", jansson_version_str (), NULL),
      component ("libcurl", LIBCURL_VERSION, NULL));
  return json_pack ("{s:{s:s, s:s, s:s, s:s, s:s}, s:{s:{s:s}, s:s, s:s, s:s, s:s, s:o}}", "Client",
                    "Version", HAKO_VERSION, "Os", "linux", "Arch", arch, "Compiler", COMPILER,
                    "Context", "default", "Server", "Platform", "Name", "hako engine (daemonless)",
                    "Version", HAKO_VERSION, "Os", "linux", "Arch", arch, "KernelVersion",
                    u.release, "Components", components);
}
