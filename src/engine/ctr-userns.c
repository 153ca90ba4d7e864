/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-userns.h"
#include "ctr-config-userns.h"
#include "subid.h"
#include "userns-keep-id.h"
#include "userns-range.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The size of an auto range when none is asked: 65536 ids, the range a
 * useradd gives each user, enough for the uids images use. */
#define AUTO_DEFAULT_SIZE 65536

/* Docker gives `dockremap` 65536 ids. */
#define REMAP_DEFAULT_SIZE 65536

static bool
starts_with (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* USER's ranges of KIND one after the other from the container's 0. */
static int
maps_of_user (enum subid_kind kind, const char *user, struct id_map **out, size_t *n,
              struct hk_error **err)
{
  _cleanup_free_ struct subid_range *ranges = NULL;
  size_t n_ranges = 0;
  if (subid_ranges (subid_file (kind), user, &ranges, &n_ranges, err) < 0)
    return -1;
  *out = xreallocarray (NULL, n_ranges, sizeof **out);
  uint64_t next = 0;
  for (size_t i = 0; i < n_ranges; i++)
    {
      if (next + ranges[i].count > UINT32_MAX)
        {
          free (take_ptr (*out));
          return hk_error_set (err, EINVAL,
                               "user `%s`: its ranges in %s add up to more than "
                               "4294967295 ids",
                               user, subid_file (kind));
        }
      (*out)[i] = (struct id_map){ (uint32_t)next, ranges[i].start, ranges[i].count };
      next += ranges[i].count;
    }
  *n = n_ranges;
  return 0;
}

/* remap:USER, --subuidname/--subgidname: the users' ranges, shared by
 * every container mapped to them. */
static int
resolve_remap (struct engine *e, const char *id, struct ctr_config *c, const char *uid_user,
               const char *gid_user, struct hk_error **err)
{
  if (maps_of_user (SUBID_UID, uid_user, &c->uid_map, &c->n_uid_map, err) < 0
      || maps_of_user (SUBID_GID, gid_user, &c->gid_map, &c->n_gid_map, err) < 0)
    return -1;
  return userns_range_claim (e->db, id, c->uid_map, c->n_uid_map, c->gid_map, c->n_gid_map, false,
                             err);
}

static int
resolve_auto (struct engine *e, const char *id, struct ctr_config *c, struct hk_error **err)
{
  long long size = config_userns_auto_size (c->userns_mode);
  _cleanup_free_ struct subid_range *uids = NULL, *gids = NULL;
  size_t n_uids = 0, n_gids = 0;
  if (subid_ranges (subid_file (SUBID_UID), SUBID_DEFAULT_USER, &uids, &n_uids, err) < 0
      || subid_ranges (subid_file (SUBID_GID), SUBID_DEFAULT_USER, &gids, &n_gids, err) < 0)
    return hk_error_prefix (err,
                            "--userns %s: add ranges for `%s` to %s and %s, or set "
                            "userns = \"remap:default\" in %s to have hako add them",
                            c->userns_mode, SUBID_DEFAULT_USER, subid_file (SUBID_UID),
                            subid_file (SUBID_GID), e->conf.path);
  if (userns_range_allocate (e->db, id, size > 0 ? (uint32_t)size : AUTO_DEFAULT_SIZE, uids, n_uids,
                             gids, n_gids, &c->uid_map, &c->gid_map, err)
      < 0)
    return -1;
  c->n_uid_map = c->n_gid_map = 1;
  return 0;
}

/* ns:PATH: the maps of the namespace there. */
static int
resolve_path (struct engine *e, const char *id, struct ctr_config *c, struct hk_error **err)
{
  const char *path = c->userns_mode + 3;
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "--userns ns:%s", path);
  if (ioctl (fd, NS_GET_NSTYPE) != CLONE_NEWUSER)
    return hk_error_set (err, EINVAL, "--userns ns:%s: not a user namespace", path);
  _cleanup_free_ char *uid_text = NULL, *gid_text = NULL;
  if (userns_read_maps (fd, &uid_text, &gid_text, err) < 0
      || id_map_parse_kernel (uid_text, &c->uid_map, &c->n_uid_map, err) < 0
      || id_map_parse_kernel (gid_text, &c->gid_map, &c->n_gid_map, err) < 0)
    return hk_error_prefix (err, "--userns ns:%s", path);
  if (c->n_uid_map == 0 || c->n_gid_map == 0)
    return hk_error_set (err, EINVAL, "--userns ns:%s: the namespace has no maps", path);
  return userns_range_claim (e->db, id, c->uid_map, c->n_uid_map, c->gid_map, c->n_gid_map, true,
                             err);
}

/* The maps of one kind nested in the rootless holder's namespace (FILE:
 * /proc/self/uid_map or gid_map, as the holder shows them). */
static int
nested_maps (const char *file, bool keep_id, struct id_map **out, size_t *n, uint32_t *own,
             struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  _cleanup_free_ struct id_map *holder = NULL;
  size_t n_holder = 0;
  if (fs_read_file (AT_FDCWD, file, 65536, &text, NULL, err) < 0
      || id_map_parse_kernel (text, &holder, &n_holder, err) < 0)
    return hk_error_prefix (err, "read `%s`", file);
  return userns_nested_maps (holder, n_holder, keep_id, out, n, own, err);
}

/* keep-id: the container's process is the user, HOME its home, unless
 * --user or -e HOME said otherwise (Podman's). */
static void
run_as_the_user (struct ctr_config *c, uint32_t uid, uint32_t gid)
{
  if (c->user == NULL)
    c->user = xasprintf ("%u:%u", (unsigned)uid, (unsigned)gid);
  if (strv_env_get (c->env, "HOME") != NULL)
    return;
  _cleanup_free_ char *home = subid_user_home (uid);
  _cleanup_free_ char *entry = xasprintf ("HOME=%s", home ? home : "/");
  if (c->env == NULL)
    c->env = xzalloc (sizeof (char *));
  strv_append (&c->env, entry);
}

/* Rootless: host (the holder's namespace itself), keep-id and nomap (a
 * namespace nested in it), nothing else. */
static int
resolve_rootless (struct engine *e, const char *id, struct ctr_config *c, struct hk_error **err)
{
  bool keep_id = strcmp (c->userns_mode, "keep-id") == 0;
  if (!keep_id && strcmp (c->userns_mode, "nomap") != 0)
    return hk_error_set (err, ENOTSUP,
                         "--userns %s: rootless hako runs containers in the user's own user "
                         "namespace (its uid as root, its subordinate ids above), or with "
                         "keep-id or nomap; other modes are not supported rootless",
                         c->userns_mode);
  uint32_t uid, gid;
  free (take_ptr (c->uid_map));
  free (take_ptr (c->gid_map));
  if (nested_maps ("/proc/self/uid_map", keep_id, &c->uid_map, &c->n_uid_map, &uid, err) < 0
      || nested_maps ("/proc/self/gid_map", keep_id, &c->gid_map, &c->n_gid_map, &gid, err) < 0)
    return hk_error_prefix (err, "--userns %s", c->userns_mode);
  if (keep_id)
    run_as_the_user (c, uid, gid);
  /* every keep-id container shares the user's ids: nothing to keep apart */
  return userns_range_claim (e->db, id, c->uid_map, c->n_uid_map, c->gid_map, c->n_gid_map, true,
                             err);
}

static int
resolve_mode (struct engine *e, const char *id, struct ctr_config *c, struct hk_error **err)
{
  const char *mode = c->userns_mode;
  if (strcmp (mode, "keep-id") == 0 || strcmp (mode, "nomap") == 0)
    return hk_error_set (err, EINVAL,
                         "--userns %s: only for hako run by a normal user (rootless); as root, "
                         "use auto, remap:USER or --uidmap",
                         mode);
  if (starts_with (mode, "auto"))
    return resolve_auto (e, id, c, err);
  if (starts_with (mode, "ns:"))
    return resolve_path (e, id, c, err);
  if (starts_with (mode, "remap:"))
    {
      const char *user = mode + 6;
      if (strcmp (user, "default") == 0)
        {
          user = SUBID_DEFAULT_USER;
          if (subid_ensure (subid_file (SUBID_UID), user, REMAP_DEFAULT_SIZE, err) < 0
              || subid_ensure (subid_file (SUBID_GID), user, REMAP_DEFAULT_SIZE, err) < 0)
            return hk_error_prefix (err, "--userns remap:default");
        }
      return resolve_remap (e, id, c, user, user, err);
    }
  if (c->subuid_name != NULL)
    return resolve_remap (e, id, c, c->subuid_name, c->subgid_name, err);
  /* private: --uidmap/--gidmap as given (checked when parsed). */
  return userns_range_claim (e->db, id, c->uid_map, c->n_uid_map, c->gid_map, c->n_gid_map, false,
                             err);
}

int
ctr_userns_resolve (struct engine *e, const char *id, struct ctr_config *c, struct hk_error **err)
{
  /* the machine's default is root's containers', not a normal user's */
  if (c->userns_mode == NULL)
    c->userns_mode = xstrdup (e->conf.userns && !e->rootless ? e->conf.userns : "host");
  if (!ctr_config_has_userns (c))
    {
      for (size_t i = 0; i < c->n_mounts; i++)
        if (c->mounts[i].idmap)
          return hk_error_set (err, EINVAL,
                               "%s:idmap: an idmapped mount needs a user namespace (--userns)",
                               c->mounts[i].target);
      return 0;
    }
  if (c->network_mode != NULL && strcmp (c->network_mode, "host") == 0)
    return hk_error_set (err, EINVAL,
                         "--network host and --userns %s: the host's network belongs to the "
                         "host's user namespace; use --userns host with it",
                         c->userns_mode);
  if (c->network_container != NULL)
    return hk_error_set (err, EINVAL,
                         "--network container:NAME and --userns %s: a container cannot join the "
                         "network of another user namespace; use --userns host with it",
                         c->userns_mode);
  if (c->pid_mode != NULL)
    return hk_error_set (err, EINVAL,
                         "--pid %s and --userns %s: a container cannot join a pid namespace of "
                         "another user namespace; use --userns host with it",
                         c->pid_mode, c->userns_mode);
  if (strcmp (config_ipc_mode (c), "host") == 0 || c->ipc_container != NULL)
    return hk_error_set (err, EINVAL,
                         "--ipc %s and --userns %s: a container cannot join an IPC namespace of "
                         "another user namespace; use --userns host with it",
                         c->ipc_mode, c->userns_mode);
  if ((e->rootless ? resolve_rootless (e, id, c, err) : resolve_mode (e, id, c, err)) < 0)
    return hk_error_prefix (err, "user namespace");
  return 0;
}

void
ctr_userns_release (struct engine *e, const char *id)
{
  struct hk_error *err = NULL;
  if (userns_range_release (e->db, id, &err) < 0)
    {
      hk_warn (e->log, "container %s: forget its user namespace ranges: %s", id, err->message);
      hk_error_free (err);
    }
}

static char *
kept_path (const struct engine *e, const char *id)
{
  return xasprintf ("%s/userns/%s", e->runroot, id);
}

char *
ctr_userns_path (const struct engine *e, const struct ctr_record *r)
{
  const struct ctr_config *c = &r->config;
  if (!ctr_config_has_userns (c))
    return NULL;
  if (starts_with (c->userns_mode, "ns:"))
    return xstrdup (c->userns_mode + 3);
  return kept_path (e, r->id);
}

/* The namespace (fd NS) kept at PATH by a bind mount of its nsfs file. */
static int
keep (int ns, const char *path, struct hk_error **err)
{
  _cleanup_free_ char *dir = xstrdup (path);
  *strrchr (dir, '/') = '\0';
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return -1;
  _cleanup_close_ int file = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (file < 0)
    return hk_error_errno (err, errno, "create `%s`", path);
  char source[64];
  snprintf (source, sizeof source, "/proc/self/fd/%d", ns);
  if (mount (source, path, NULL, MS_BIND, NULL) < 0)
    {
      int saved = errno;
      unlink (path);
      return hk_error_errno (err, saved, "bind the user namespace on `%s`", path);
    }
  return 0;
}

static bool
is_kept (const char *path)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  return fd >= 0 && ioctl (fd, NS_GET_NSTYPE) == CLONE_NEWUSER;
}

int
ctr_userns_up (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  if (!ctr_config_has_userns (c) || starts_with (c->userns_mode, "ns:"))
    return 0;
  _cleanup_free_ char *path = kept_path (e, r->id);
  if (is_kept (path))
    return 0;
  ctr_userns_down (e, r); /* what a crash may have left */
  _cleanup_free_ char *uid_text = id_map_format (c->uid_map, c->n_uid_map);
  _cleanup_free_ char *gid_text = id_map_format (c->gid_map, c->n_gid_map);
  _cleanup_close_ int ns = userns_take_offered (uid_text, gid_text);
  if (ns < 0)
    ns = userns_open_with_maps (uid_text, gid_text, err);
  if (ns < 0 || keep (ns, path, err) < 0)
    return hk_error_prefix (err, "container %s: its user namespace", r->name);
  return 0;
}

void
ctr_userns_down (struct engine *e, const struct ctr_record *r)
{
  if (!ctr_config_has_userns (&r->config))
    return;
  _cleanup_free_ char *path = kept_path (e, r->id);
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    hk_warn (e->log, "container %s: unmount `%s`: %s", r->name, path, strerror (errno));
  if (unlink (path) < 0 && errno != ENOENT)
    hk_warn (e->log, "container %s: remove `%s`: %s", r->name, path, strerror (errno));
}

int
ctr_userns_open (const struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_free_ char *path = ctr_userns_path (e, r);
  if (path == NULL)
    return hk_error_set (err, EINVAL, "container %s has no user namespace", r->name);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open the user namespace `%s`", path);
  return fd;
}

void
ctr_userns_root (const struct ctr_config *c, uint32_t *uid, uint32_t *gid)
{
  *uid = *gid = 0;
  if (!ctr_config_has_userns (c))
    return;
  if (!id_map_to_host (c->uid_map, c->n_uid_map, 0, uid))
    *uid = 65534;
  if (!id_map_to_host (c->gid_map, c->n_gid_map, 0, gid))
    *gid = 65534;
}

int
ctr_userns_make_reachable (const struct ctr_config *c, const char *path, struct hk_error **err)
{
  if (!ctr_config_has_userns (c))
    return 0;
  uint32_t uid, gid;
  ctr_userns_root (c, &uid, &gid);
  _cleanup_free_ char *dir = xstrdup (path);
  for (char *slash; (slash = strrchr (dir, '/')) != NULL && slash != dir;)
    {
      *slash = '\0';
      struct stat st;
      if (stat (dir, &st) < 0)
        return hk_error_errno (err, errno, "stat `%s`", dir);
      if ((st.st_mode & 0111) == 0111 || (st.st_uid == uid && (st.st_mode & 0100)))
        continue;
      if (chmod (dir, (st.st_mode & 07777) | 0111) < 0)
        return hk_error_errno (err, errno, "make `%s` searchable by the container's root", dir);
    }
  return 0;
}
