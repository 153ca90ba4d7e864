/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-spec-host.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/caps.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The largest seccomp profile file read. */
#define SECCOMP_PROFILE_MAX (4 << 20)

uint64_t
spec_host_permitted_caps (void)
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

static json_t *
device_node (const char *path, const struct stat *st, bool owner)
{
  json_t *d = json_pack ("{s:s, s:s, s:I, s:I, s:i}", "path", path, "type",
                         S_ISCHR (st->st_mode) ? "c" : "b", "major",
                         (json_int_t)major (st->st_rdev), "minor", (json_int_t)minor (st->st_rdev),
                         "fileMode", (int)(st->st_mode & 0777));
  if (owner)
    {
      json_object_set_new (d, "uid", json_integer (0));
      json_object_set_new (d, "gid", json_integer (0));
    }
  return d;
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
      if (!strv_contains ((char *const *)skip, de->d_name))
        json_array_append_new (devices, device_node (path, &st, false));
    }
}

/* --device: the node and its cgroup rule. */
static int
add_device (const struct config_device *d, struct spec_host *h, struct hk_error **err)
{
  struct stat st;
  if (stat (d->host_path, &st) < 0)
    return hk_error_errno (err, errno, "--device %s: `%s`", d->host_path, d->host_path);
  if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
    return hk_error_set (err, EINVAL, "--device %s: `%s` is not a device", d->host_path,
                         d->host_path);
  json_array_append_new (h->devices, device_node (d->container_path, &st, true));
  json_array_append_new (h->device_rules,
                         json_pack ("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type",
                                    S_ISCHR (st.st_mode) ? "c" : "b", "major",
                                    (json_int_t)major (st.st_rdev), "minor",
                                    (json_int_t)minor (st.st_rdev), "access", d->permissions));
  return 0;
}

static int
load_profile (const char *path, json_t **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (AT_FDCWD, path, SECCOMP_PROFILE_MAX, &text, &len, err) < 0
      || json_parse_object (text, len, path, out, err) < 0)
    return hk_error_prefix (err, "--security-opt seccomp");
  return 0;
}

int
spec_host_gather (const struct ctr_config *c, struct spec_host *h, struct hk_error **err)
{
  *h = (struct spec_host){
    .permitted_caps = spec_host_permitted_caps (),
    .last_cap = caps_last_cap (),
    .devices = json_array (),
    .device_rules = json_array (),
  };
  if (c->privileged)
    add_host_devices (h->devices);
  for (size_t i = 0; i < c->n_devices; i++)
    if (add_device (&c->devices[i], h, err) < 0)
      return -1;
  if (!c->privileged && c->seccomp_profile && strcmp (c->seccomp_profile, "unconfined") != 0)
    return load_profile (c->seccomp_profile, &h->seccomp_profile, err);
  return 0;
}

void
spec_host_clear (struct spec_host *h)
{
  json_decref (h->seccomp_profile);
  json_decref (h->devices);
  json_decref (h->device_rules);
  memset (h, 0, sizeof *h);
}
