/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain: capabilities, no_new_privs, seccomp and the LSM label of
 * a process, from /proc/PID/status and /proc/PID/attr/current. */
#include "explain.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/spec.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's highest capability (/proc/sys/kernel/cap_last_cap). */
static int
last_cap (void)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, "/proc/sys/kernel/cap_last_cap", 64, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return 40;
    }
  return atoi (text);
}

char **
explain_cap_names (uint64_t mask)
{
  char **names = xzalloc (sizeof (char *));
  for (int cap = 0; cap < 64; cap++)
    {
      if ((mask & (UINT64_C (1) << cap)) == 0)
        continue;
      char *name = spec_capability_name (cap);
      if (name == NULL)
        name = xasprintf ("%d", cap); /* as libcap prints a capability it has no name for */
      for (char *p = name; *p; p++)
        *p = (char)tolower ((unsigned char)*p);
      strv_append_take (&names, name);
    }
  return names;
}

static json_t *
cap_set (uint64_t mask)
{
  _cleanup_strv_ char **names = explain_cap_names (mask);
  char hex[17];
  snprintf (hex, sizeof hex, "%016llx", (unsigned long long)mask);
  return json_pack ("{s:s, s:o}", "hex", hex, "names", json_from_strv (names));
}

static json_t *
names_of (uint64_t mask)
{
  _cleanup_strv_ char **names = explain_cap_names (mask);
  return json_from_strv (names);
}

json_t *
explain_capabilities (pid_t pid, uint64_t docker_default)
{
  static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
  _cleanup_free_ char *source = xasprintf ("/proc/%d/status", (int)pid);
  int last = last_cap ();
  uint64_t full = last >= 63 ? ~UINT64_C (0) : (UINT64_C (1) << (last + 1)) - 1;
  json_t *doc = json_pack ("{s:s, s:i, s:{}}", "source", source, "last_cap", last, "sets");
  uint64_t effective = 0, bounding = 0;
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
    {
      _cleanup_free_ char *hex = explain_status_field (pid, sets[i]);
      uint64_t mask = hex ? strtoull (hex, NULL, 16) : 0;
      if (i == 2)
        effective = mask;
      if (i == 3)
        bounding = mask;
      json_object_set_new (json_object_get (doc, "sets"), sets[i], cap_set (mask));
    }
  json_object_set_new (doc, "dropped_from_full", names_of (full & ~bounding));
  json_object_set_new (doc, "docker_default", names_of (docker_default));
  json_object_set_new (doc, "added_to_docker_default", names_of (effective & ~docker_default));
  json_object_set_new (doc, "dropped_from_docker_default",
                       names_of (docker_default & ~effective));
  return doc;
}

static const char *
seccomp_mode_name (const char *mode)
{
  if (mode == NULL)
    return "unknown";
  switch (atoi (mode))
    {
    case 0:
      return "disabled";
    case 1:
      return "strict";
    default:
      return "filter";
    }
}

/* The process's LSM label (AppArmor profile, SELinux context), NULL when
 * no LSM gives one. */
static char *
lsm_label (pid_t pid)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/attr/current", (int)pid);
  char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, path, 4096, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  text[strcspn (text, "\n")] = '\0';
  if (*text == '\0')
    {
      free (text);
      return NULL;
    }
  return text;
}

json_t *
explain_security (pid_t pid, const char *profile)
{
  _cleanup_free_ char *nnp = explain_status_field (pid, "NoNewPrivs");
  _cleanup_free_ char *mode = explain_status_field (pid, "Seccomp");
  _cleanup_free_ char *filters = explain_status_field (pid, "Seccomp_filters");
  _cleanup_free_ char *source = xasprintf ("/proc/%d/status", (int)pid);
  _cleanup_free_ char *label = lsm_label (pid);
  json_t *seccomp = json_pack ("{s:s, s:i, s:s, s:s, s:s}", "mode", seccomp_mode_name (mode),
                               "filters", filters ? atoi (filters) : 0, "profile", profile,
                               "source", source, "profile_source", "hako's record of the container");
  json_t *doc = json_pack ("{s:b, s:s, s:o}", "no_new_privs", nnp && atoi (nnp) == 1,
                           "source", source, "seccomp", seccomp);
  if (label != NULL)
    {
      _cleanup_free_ char *lsm_source = xasprintf ("/proc/%d/attr/current", (int)pid);
      json_object_set_new (doc, "lsm_label",
                           json_pack ("{s:s, s:s}", "label", label, "source", lsm_source));
    }
  return doc;
}
