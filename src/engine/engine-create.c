/* SPDX-License-Identifier: Apache-2.0 */
/* engine_create: everything a container needs before it can start. */
#include "engine-events.h"
#include "ctr-mounts.h"
#include "ctr-join.h"
#include "ctr-network.h"
#include "ctr-spec.h"
#include "ctr-config-userns.h"
#include "ctr-userns.h"
#include "engine.h"
#include "engine-render.h"
#include "etc-files.h"
#include "random-id.h"
#include "user-lookup.h"
#include "volume.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/image.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Claims the name with the record: the database's unique name decides
 * between two creates at once. */
static int
insert_record (struct engine *e, struct ctr_record *r, bool named, struct hk_error **err)
{
  for (int attempt = 0;; attempt++)
    {
      struct hk_error *e2 = NULL;
      if (ctr_record_insert (e->db, r, &e2) == 0)
        return 0;
      if (named || e2->errnum != EEXIST || attempt >= 20)
        {
          *err = e2;
          return -1;
        }
      hk_error_free (e2);
      free (r->name);
      r->name = random_name ();
    }
}

/* /etc/hostname, hosts and resolv.conf of R into DIR. */
static int
write_etc_files (struct engine *e, const struct ctr_record *r, const char *dir,
                 struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  char short_id[13];
  snprintf (short_id, sizeof short_id, "%s", r->id);
  bool host_network = c->network_mode != NULL && strcmp (c->network_mode, "host") == 0;
  /* Docker names a host-network container after the host. */
  char host[HOST_NAME_MAX + 1];
  const char *hostname = c->hostname;
  if (hostname == NULL)
    hostname = host_network && gethostname (host, sizeof host) == 0 ? host : short_id;
  struct etc_files files = {
    .hostname = hostname,
    .host_network = host_network,
    .extra_hosts = (const char *const *)c->extra_hosts,
    .dns = (const char *const *)c->dns,
    .dns_search = (const char *const *)c->dns_search,
  };
  /* The network's DNS server, unless --dns names others. */
  _cleanup_strv_ char **servers = c->dns ? NULL : ctr_network_dns_servers (e, c);
  if (servers != NULL)
    files.dns = (const char *const *)servers;
  if (etc_files_write (dir, &files, err) < 0)
    return -1;
  /* Root in a user namespace may change them, as root on the host may. */
  uint32_t uid, gid;
  ctr_userns_root (c, &uid, &gid);
  static const char *const names[] = { "hostname", "hosts", "resolv.conf" };
  for (size_t i = 0; ctr_config_has_userns (c) && i < 3; i++)
    {
      _cleanup_free_ char *path = xasprintf ("%s/%s", dir, names[i]);
      if (chown (path, uid, gid) < 0)
        return hk_error_errno (err, errno, "chown `%s`", path);
    }
  return 0;
}

/* Who owns what the container's mounts hold: its root, and its user
 * (--user or the image's, looked up in its root ROOT_FD) for :U, as the
 * host sees them. */
static int
mounts_owner (const struct ctr_config *c, const struct image_config *image, int root_fd,
              struct mounts_owner *out, struct hk_error **err)
{
  *out = (struct mounts_owner){ .remapped = ctr_config_has_userns (c) };
  ctr_userns_root (c, &out->root_uid, &out->root_gid);
  bool wanted = false;
  for (size_t i = 0; i < c->n_mount_points; i++)
    wanted |= c->mount_points[i].chown;
  if (!wanted)
    return 0;
  struct user_ids user = { 0 };
  const char *spec = c->user ? c->user : image ? image->user : NULL;
  if (user_lookup (root_fd, spec, &user, err) < 0)
    return -1;
  out->user_uid = user.uid;
  out->user_gid = user.gid;
  user_ids_clear (&user);
  if (out->remapped
      && (!id_map_to_host (c->uid_map, c->n_uid_map, out->user_uid, &out->user_uid)
          || !id_map_to_host (c->gid_map, c->n_gid_map, out->user_gid, &out->user_gid)))
    return hk_error_set (err, EINVAL, ":U: the container's user is not mapped by its user "
                                      "namespace");
  return 0;
}

/* The root: the image's overlay, or for a pod's infra container an
 * empty directory (hako-pause is bound in as /pause). */
static int
make_rootfs (struct engine *e, struct ctr_record *r, const char *dir, struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  if (c->pod_infra)
    {
      _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
      return fs_mkdir_p (merged, 0755, err);
    }
  _cleanup_free_ char *uid_map = id_map_format (c->uid_map, c->n_uid_map);
  _cleanup_free_ char *gid_map = id_map_format (c->gid_map, c->n_gid_map);
  struct rootfs_maps maps = { uid_map, gid_map };
  if (image_rootfs_create (e->store, r->image_id, r->id, dir,
                           ctr_config_has_userns (c) ? &maps : NULL, err)
          < 0
      || image_rootfs_mount (e->store, r->id, NULL, err) < 0)
    return -1;
  return 0;
}

/* Everything after the record, undone by the caller on failure. */
static int
prepare_container (struct engine *e, struct ctr_record *r, const struct image_config *image,
                   struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  if (fs_mkdir_p (dir, 0700, err) < 0 || fs_mkdir_p (run_dir, 0700, err) < 0
      || make_rootfs (e, r, dir, err) < 0)
    return -1;
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  _cleanup_close_ int root_fd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open the root filesystem `%s`", merged);
  _cleanup_free_ char *netns = ctr_network_netns_path (e, r);
  struct mounts_owner owner;
  if (ctr_mounts_resolve (e->db, e->root, &r->config, image, err) < 0
      || mounts_owner (&r->config, image, root_fd, &owner, err) < 0
      || ctr_mounts_fill (e->db, e->root, &r->config, root_fd, &owner, err) < 0
      || write_etc_files (e, r, dir, err) < 0 || engine_render_config (e, r, netns, false, err) < 0)
    return -1;
  return ctr_record_set_config (e->db, r, err);
}

/* Undoes a create that failed half-way. */
static void
undo_create (struct engine *e, struct ctr_record *r)
{
  struct hk_error *ignored = NULL;
  if (!r->config.pod_infra)
    image_rootfs_remove (e->store, r->id, &ignored);
  hk_error_free (ignored);
  ignored = NULL;
  _cleanup_free_ char *containers = xasprintf ("%s/containers", e->root);
  _cleanup_free_ char *runs = xasprintf ("%s/containers", e->runroot);
  _cleanup_close_ int c = open (containers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int rdir = open (runs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (c >= 0)
    fs_remove_tree (c, r->id, NULL);
  if (rdir >= 0)
    fs_remove_tree (rdir, r->id, NULL);
  ctr_record_delete (e->db, r->id, &ignored);
  hk_error_free (ignored);
  ctr_userns_release (e, r->id);
  /* Anonymous volumes made for it go too. */
  ctr_mounts_remove_anonymous (e->db, e->root, &r->config);
}

/* Before anything is made: the image's settings taken in, the command and
 * capabilities checked, the networks checked and completed. */
static int
check_config (struct engine *e, struct ctr_config *c, const struct image_config *image,
              struct hk_error **err)
{
  _cleanup_strv_ char **args = NULL;
  uint64_t caps;
  ctr_config_merge_image (c, image);
  if (ctr_spec_args (c, image, &args, err) < 0
      || ctr_spec_caps (c, ~UINT64_C (0), &caps, err) < 0
      || ctr_network_prepare (e, c, image, err) < 0 || ctr_join_prepare (e, c, err) < 0)
    return -1;
  return 0;
}

static struct ctr_record *
new_record (const char *image_id, const char *image, struct ctr_config *config)
{
  struct ctr_record *r = xzalloc (sizeof *r);
  r->id = random_id ();
  r->image_id = xstrdup (image_id);
  r->image_name = xstrdup (image);
  r->created = state_now_rfc3339 ();
  r->config = *config;
  ctr_config_init (config);
  r->state = xstrdup ("created");
  r->started_at = xstrdup ("");
  r->finished_at = xstrdup ("");
  r->error = xstrdup ("");
  return r;
}

/* The record (its name claimed), then the rest; nothing is left when a
 * step fails. */
static int
create_record (struct engine *e, const char *image_id, const char *image,
               const struct image_config *image_config, struct ctr_config *config,
               const char *name, struct ctr_record **out, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = new_record (image_id, image, config);
  r->name = name ? xstrdup (name) : random_name ();
  if (insert_record (e, r, name != NULL, err) < 0)
    return -1;
  if (ctr_userns_resolve (e, r->id, &r->config, err) < 0
      || prepare_container (e, r, image_config, err) < 0)
    {
      undo_create (e, r);
      return -1;
    }
  *out = take_ptr (r);
  return 0;
}

int
engine_create (struct engine *e, const char *image, struct ctr_config *config,
               const char *name, struct ctr_record **out, struct hk_error **err)
{
  _cleanup_free_ char *image_id = NULL;
  if (store_image_resolve (e->store, image, NULL, &image_id, err) < 0)
    return -1;
  _cleanup_image_config_ struct image_config *image_config = NULL;
  if (image_config_load (e->store, image_id, &image_config, NULL, err) < 0
      || check_config (e, config, image_config, err) < 0
      || create_record (e, image_id, image, image_config, config, name, out, err) < 0)
    return -1;
  engine_event (e, *out, "create", NULL, NULL);
  return 0;
}

int
engine_create_infra (struct engine *e, struct ctr_config *config, const char *name,
                     struct ctr_record **out, struct hk_error **err)
{
  config->pod_infra = true;
  strv_free (config->cmd);
  config->cmd = NULL;
  strv_append (&config->cmd, "/pause");
  config->entrypoint = xzalloc (sizeof (char *));
  config->readonly_rootfs = true;
  config->mounts = xreallocarray (config->mounts, config->n_mounts + 1, sizeof *config->mounts);
  config->mounts[config->n_mounts++] = (struct config_mount){
    .type = CONFIG_MOUNT_BIND,
    .source = xstrdup (e->pause_path),
    .target = xstrdup ("/pause"),
    .readonly = true,
  };
  if (check_config (e, config, NULL, err) < 0)
    return -1;
  return create_record (e, "", INFRA_IMAGE_NAME, NULL, config, name, out, err);
}
