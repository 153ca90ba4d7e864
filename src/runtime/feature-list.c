/* SPDX-License-Identifier: Apache-2.0 */
#include "feature-list.h"
#include "caps.h"
#include "spec.h"

#include <seccomp.h>
#include <stdio.h>
#include <sys/capability.h>
#include <unistd.h>

/* Every entry here is implemented (mount-options.c); add to it only with
 * the implementation and a test. */
static const char *const mount_options[] = {
  "async",      "atime",        "bind",       "defaults",    "dev",         "diratime",
  "dirsync",    "exec",         "lazytime",   "loud",        "mand",        "noatime",
  "nodev",      "nodiratime",   "noexec",     "nolazytime",  "nomand",      "norelatime",
  "nostrictatime", "nosuid",    "nosymfollow", "private",    "rbind",       "relatime",
  "remount",    "ro",           "rprivate",   "rshared",     "rslave",      "runbindable",
  "rw",         "shared",       "silent",     "slave",       "strictatime", "suid",
  "symfollow",  "sync",         "unbindable", "rro",         "rrw",         "rnosuid",
  "rsuid",      "rnodev",       "rdev",       "rnoexec",     "rexec",       "rnodiratime",
  "rdiratime",  "rrelatime",    "rnorelatime", "rnoatime",   "ratime",      "rstrictatime",
  "rnostrictatime", "rnosymfollow", "rsymfollow", "idmap",     "ridmap",    "tmpcopyup",
};

static const char *const seccomp_actions[] = {
  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",    "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
  "SCMP_ACT_TRAP",
};

static const char *const seccomp_operators[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

static const char *const seccomp_flags[] = {
  "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static const char *const seccomp_arches[] = {
  "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
  "SCMP_ARCH_RISCV64",
};

static const char *const memory_policy_modes[] = {
  "MPOL_DEFAULT", "MPOL_BIND",  "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
  "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
};

static const char *const memory_policy_flags[] = {
  "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
};

static json_t *
string_array (const char *const *items, size_t n)
{
  json_t *arr = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (arr, json_string (items[i]));
  return arr;
}
#define ARRAY(a) string_array ((a), sizeof (a) / sizeof (a)[0])

static json_t *
capabilities (void)
{
  json_t *arr = json_array ();
  int last = caps_last_cap ();
  for (int c = 0; c <= last; c++)
    {
      char *name = cap_to_name ((cap_value_t) c);
      if (name == NULL)
        continue;
      char upper[64];
      size_t i;
      for (i = 0; name[i] && i < sizeof upper - 1; i++)
        upper[i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
      upper[i] = '\0';
      cap_free (name);
      if (upper[0] == 'C') /* skip numeric names of caps libcap does not know */
        json_array_append_new (arr, json_string (upper));
    }
  return arr;
}

json_t *
features_document (void)
{
  static const char *const hooks[] = { "prestart",       "createRuntime", "createContainer",
                                       "startContainer", "poststart",     "poststop" };
  static const char *const namespaces[] = { "cgroup", "ipc",  "mount", "network",
                                            "pid",    "time", "user",  "uts" };
  json_t *seccomp = json_pack ("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
                               ARRAY (seccomp_actions), "operators", ARRAY (seccomp_operators),
                               "archs", ARRAY (seccomp_arches), "knownFlags",
                               ARRAY (seccomp_flags), "supportedFlags", ARRAY (seccomp_flags));
  json_t *cgroup = json_pack ("{s:b, s:b, s:b, s:b, s:b}", "v1", 1, "v2", 1, "systemd", 0,
                              "systemdUser", 0, "rdma", 1);
  json_t *linux = json_pack (
      "{s:o, s:o, s:o, s:o, s:{s:b}, s:{s:b}, s:{s:b}, s:{s:{s:b}}, s:{s:b}, s:{s:o, s:o}}",
      "namespaces", ARRAY (namespaces), "capabilities", capabilities (), "cgroup", cgroup,
      "seccomp", seccomp, "apparmor", "enabled", access ("/sys/module/apparmor", F_OK) == 0,
      "selinux", "enabled", 0, "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled",
      1, "netDevices", "enabled", 1, "memoryPolicy", "modes", ARRAY (memory_policy_modes),
      "flags", ARRAY (memory_policy_flags));
  const struct scmp_version *v = seccomp_version ();
  char libseccomp[32];
  snprintf (libseccomp, sizeof libseccomp, "%u.%u.%u", v->major, v->minor, v->micro);
  return json_pack ("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s, s:s}}", "ociVersionMin", "1.0.0",
                    "ociVersionMax", OCI_RUNTIME_SPEC_VERSION, "hooks", ARRAY (hooks), "mountOptions",
                    ARRAY (mount_options), "linux", linux, "annotations",
                    "io.github.hako.runtime.version", HAKO_VERSION,
                    "org.opencontainers.runc.checkpoint.enabled", "true",
                    "io.github.seccomp.libseccomp.version", libseccomp);
}
