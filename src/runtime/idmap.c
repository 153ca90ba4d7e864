/* SPDX-License-Identifier: Apache-2.0 */
#include "idmap.h"
#include "mount-options.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char *
format_map (const struct oci_id_mapping *m, size_t n)
{
  char *text = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      char *line = xasprintf ("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
      free (text);
      text = line;
    }
  return text;
}

int
idmap_write_maps (pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
                  const struct oci_id_mapping *gids, size_t n_gids, struct hk_error **err)
{
  char path[64];
  _cleanup_free_ char *uid_text = format_map (uids, n_uids);
  _cleanup_free_ char *gid_text = format_map (gids, n_gids);
  if (geteuid () != 0)
    {
      /* An unprivileged writer must give up setgroups first. */
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
      fs_write_kernel_file (AT_FDCWD, path, "deny", NULL);
    }
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
  if (fs_write_kernel_file (AT_FDCWD, path, uid_text, err) < 0)
    return hk_error_prefix (err, "uid mappings");
  snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
  if (fs_write_kernel_file (AT_FDCWD, path, gid_text, err) < 0)
    return hk_error_prefix (err, "gid mappings");
  return 0;
}

/* A user namespace with the given mappings, for an idmapped mount. */
static int
userns_with_maps (const struct oci_id_mapping *uids, size_t n_uids,
                  const struct oci_id_mapping *gids, size_t n_gids, struct hk_error **err)
{
  _cleanup_free_ char *uid_text = format_map (uids, n_uids);
  _cleanup_free_ char *gid_text = format_map (gids, n_gids);
  int fd = userns_open_with_maps (uid_text, gid_text, err);
  if (fd < 0)
    return hk_error_prefix (err, "a user namespace for an idmapped mount");
  return fd;
}

/* ID of the container, as the host sees it through MAPS; the N ids from
 * it must lie in one mapping. */
static int
to_host (uint32_t id, uint32_t n, const struct oci_id_mapping *maps, size_t n_maps,
         uint32_t *out)
{
  for (size_t i = 0; i < n_maps; i++)
    {
      const struct oci_id_mapping *m = &maps[i];
      if (id >= m->container_id && (uint64_t) id + n <= (uint64_t) m->container_id + m->size)
        {
          *out = m->host_id + (id - m->container_id);
          return 0;
        }
    }
  return -1;
}

/* "F-H-N#F-H-N..." of KIND ("uids", "gids") into *OUT. */
static int
parse_triplets (const char *kind, const char *text, const struct oci_id_mapping *container,
                size_t n_container, struct oci_id_mapping **out, size_t *n,
                struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *t = strtok_r (copy, "#", &save); t; t = strtok_r (NULL, "#", &save))
    {
      bool relative = *t == '@';
      unsigned long long from, host, size;
      int end = 0;
      if (sscanf (t + relative, "%llu-%llu-%llu%n", &from, &host, &size, &end) != 3
          || t[relative + end] != '\0' || size == 0 || from > UINT32_MAX || host > UINT32_MAX
          || size > UINT32_MAX || from + size > (1ULL << 32) || host + size > (1ULL << 32))
        return hk_error_set (err, EINVAL, "idmap: %s: `%s` is not FROM-TO-COUNT", kind, t);
      uint32_t to = (uint32_t) host;
      if (relative && to_host ((uint32_t) host, (uint32_t) size, container, n_container, &to) < 0)
        return hk_error_set (err, EINVAL,
                             "idmap: %s: `%s`: the container's ids %llu..%llu are not all "
                             "mapped by its user namespace",
                             kind, t, host, host + size - 1);
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = (struct oci_id_mapping) { .container_id = (uint32_t) from,
                                                 .host_id = to,
                                                 .size = (uint32_t) size };
    }
  return 0;
}

int
idmap_parse_mappings (const char *value, const struct oci_linux *linux,
                      struct idmap_mappings *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  _cleanup_free_ char *copy = xstrdup (value);
  char *save = NULL;
  for (char *part = strtok_r (copy, ";", &save); part; part = strtok_r (NULL, ";", &save))
    {
      int r;
      if (strncmp (part, "uids=", 5) == 0)
        r = parse_triplets ("uids", part + 5, linux->uid_mappings, linux->n_uid_mappings,
                            &out->uids, &out->n_uids, err);
      else if (strncmp (part, "gids=", 5) == 0)
        r = parse_triplets ("gids", part + 5, linux->gid_mappings, linux->n_gid_mappings,
                            &out->gids, &out->n_gids, err);
      else
        r = hk_error_set (err, EINVAL, "idmap: `%s` is neither uids=... nor gids=...", part);
      if (r < 0)
        {
          idmap_mappings_clear (out);
          return -1;
        }
    }
  return 0;
}

void
idmap_mappings_clear (struct idmap_mappings *m)
{
  free (m->uids);
  free (m->gids);
  memset (m, 0, sizeof *m);
}

/* Sets on TREE (mount M's detached tree, options O) the idmap: Podman's
 * idmap=VALUE, else the mount's own mappings, else the container's. */
int
idmap_apply (int tree, const struct oci_spec *spec, const struct oci_mount *m,
             const struct mount_options *o, struct hk_error **err)
{
  struct idmap_mappings custom = { 0 };
  if (o->idmap_mappings != NULL
      && idmap_parse_mappings (o->idmap_mappings, &spec->linux, &custom, err) < 0)
    return -1;
  const struct oci_id_mapping *u = custom.uids, *g = custom.gids;
  size_t nu = custom.n_uids, ng = custom.n_gids;
  if (nu == 0)
    {
      u = m->n_uid_mappings ? m->uid_mappings : spec->linux.uid_mappings;
      nu = m->n_uid_mappings ? m->n_uid_mappings : spec->linux.n_uid_mappings;
    }
  if (ng == 0)
    {
      g = m->n_gid_mappings ? m->gid_mappings : spec->linux.gid_mappings;
      ng = m->n_gid_mappings ? m->n_gid_mappings : spec->linux.n_gid_mappings;
    }
  int rc = -1;
  if (nu == 0 || ng == 0)
    hk_error_set (err, EINVAL,
                  "idmap needs uidMappings and gidMappings (of the mount or of the container)");
  else
    {
      _cleanup_close_ int userns = userns_with_maps (u, nu, g, ng, err);
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
      unsigned at = AT_EMPTY_PATH | (o->recursive_idmap ? AT_RECURSIVE : 0);
      if (userns >= 0 && mount_setattr (tree, "", at, &attr, sizeof attr) < 0)
        hk_error_errno (err, errno,
                        "idmap `%s` (the kernel or the file system may not support idmapped "
                        "mounts)",
                        m->source);
      else if (userns >= 0)
        rc = 0;
    }
  idmap_mappings_clear (&custom);
  return rc;
}
