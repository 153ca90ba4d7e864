/* SPDX-License-Identifier: Apache-2.0 */
/* engine_create: everything a container needs before it can start. */
#include "container-mounts.h"
#include "container-network.h"
#include "container-spec.h"
#include "engine.h"
#include "etc-files.h"
#include "user-lookup.h"
#include "volume.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/image.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* "adjective_noun", like Docker's names. */
static char *
random_name (void)
{
  static const char *const adjectives[]
      = { "brave", "calm",    "clever", "eager",  "fond",   "gentle", "happy",  "jolly",
          "keen",  "kind",    "lucid",  "merry",  "nimble", "proud",  "quiet",  "quirky",
          "sharp", "silly",   "sleepy", "steady", "swift",  "tender", "upbeat", "vivid",
          "wise",  "zealous", "bold",   "crisp",  "dreamy", "festive" };
  static const char *const nouns[]
      = { "hopper",   "turing",  "lovelace", "curie",    "noether", "dijkstra",
          "knuth",    "ritchie", "thompson", "torvalds", "perlman", "liskov",
          "hamilton", "shannon", "babbage",  "euler",    "gauss",   "kepler",
          "pascal",   "fermat",  "hypatia",  "tesla",    "bohr",    "planck",
          "darwin",   "galileo", "newton",   "wozniak",  "kay",     "mccarthy" };
  unsigned char r[2];
  if (getrandom (r, 2, 0) != 2)
    r[0] = r[1] = 0;
  return xasprintf ("%s_%s", adjectives[r[0] % 30], nouns[r[1] % 30]);
}

static const char *
opt_string (const json_t *o, const char *key)
{
  json_t *v = json_object_get (o, key);
  return json_is_string (v) && *json_string_value (v) ? json_string_value (v) : NULL;
}

/* Claims the name with the record: the database's unique name decides
 * between two creates at once. */
static int
insert_record (struct engine *e, struct container_record *r, bool named, struct hk_error **err)
{
  for (int attempt = 0;; attempt++)
    {
      struct hk_error *e2 = NULL;
      if (container_record_insert (e->db, r, &e2) == 0)
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
write_etc_files (const struct container_record *r, const char *dir, struct hk_error **err)
{
  _cleanup_free_ char *short_id = xstrndup (r->id, 12);
  _cleanup_strv_ char **extra_hosts = NULL, **dns = NULL, **dns_search = NULL;
  const char *hostname = opt_string (r->options, "Hostname");
  const char *network = opt_string (r->options, "NetworkMode");
  bool host_network = network != NULL && strcmp (network, "host") == 0;
  if (hostname == NULL)
    {
      /* Docker names a host-network container after the host. */
      static char host[256];
      hostname = host_network && gethostname (host, sizeof host) == 0 ? host : short_id;
    }
  if (json_get_strv (r->options, "", "ExtraHosts", &extra_hosts, err) < 0
      || json_get_strv (r->options, "", "Dns", &dns, err) < 0
      || json_get_strv (r->options, "", "DnsSearch", &dns_search, err) < 0)
    return -1;
  struct etc_files files = {
    .hostname = hostname,
    .host_network = host_network,
    .extra_hosts = (const char *const *) extra_hosts,
    .dns = (const char *const *) dns,
    .dns_search = (const char *const *) dns_search,
  };
  return etc_files_write (dir, &files, err);
}

/* Everything after the record, undone by the caller on failure. */
static int
prepare_container (struct engine *e, struct container_record *r, const struct image_config *config,
                   struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  if (fs_mkdir_p (dir, 0700, err) < 0 || fs_mkdir_p (run_dir, 0700, err) < 0)
    return -1;
  if (image_rootfs_create (e->store, r->image_id, r->id, dir, err) < 0
      || image_rootfs_mount (e->store, r->id, NULL, err) < 0)
    return -1;
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  _cleanup_close_ int root_fd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open the root filesystem `%s`", merged);
  struct spec_bind *binds = NULL;
  size_t n_binds = 0;
  struct user_ids user = { 0 };
  json_t *spec = NULL;
  _cleanup_free_ char *text = NULL, *netns = NULL, *etc_dir = NULL;
  _cleanup_close_ int dfd = -1;
  int rc = -1;
  if (container_mounts_resolve (e->db, e->root, r->options, config, &binds, &n_binds, err) < 0
      || container_mounts_fill (e->db, e->root, r->options, root_fd, err) < 0)
    goto out;
  const char *user_spec = opt_string (r->options, "User");
  if (user_spec == NULL && config != NULL)
    user_spec = config->user;
  if (user_lookup (root_fd, user_spec, &user, err) < 0)
    goto out;
  if (write_etc_files (r, dir, err) < 0)
    goto out;
  netns = container_network_netns_path (e, r->id, r->options);
  etc_dir = container_network_etc_dir (e, r->options);
  struct spec_inputs in = {
    .id = r->id,
    .options = r->options,
    .image = config,
    .rootfs = merged,
    .container_dir = dir,
    .user = &user,
    .binds = binds,
    .n_binds = n_binds,
    .init_path = e->init_path,
    .netns_path = netns,
    .etc_dir = etc_dir,
  };
  if (container_spec_build (&in, &spec, err) < 0)
    goto out;
  text = json_to_string (spec, true);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  /* Renamed into place, not fsync'ed: the cost of an fsync is most of a
   * container start here, and a config lost to a crash is refused at
   * start with a clear error, as a bad one would be. */
  if (dfd < 0 || fs_replace_file (dfd, "config.json", text, strlen (text), 0600, err) < 0)
    goto out;
  rc = container_record_set_options (e->db, r, err);
out:
  json_decref (spec);
  user_ids_clear (&user);
  container_mounts_free_binds (binds, n_binds);
  return rc;
}

/* Undoes a create that failed half-way. */
static void
undo_create (struct engine *e, struct container_record *r)
{
  struct hk_error *ignored = NULL;
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
  /* Anonymous volumes made for it go too. */
  json_t *points = json_object_get (r->options, "MountPoints");
  size_t i;
  json_t *p;
  container_record_delete (e->db, r->id, &ignored);
  hk_error_free (ignored);
  json_array_foreach (points, i, p)
  {
    const char *name = json_string_value (json_object_get (p, "Name"));
    struct volume *v = NULL;
    ignored = NULL;
    if (name && volume_get (e->db, e->root, name, &v, &ignored) == 0 && v->anonymous)
      volume_remove (e->db, e->root, name, &ignored);
    volume_free (v);
    hk_error_free (ignored);
  }
}

int
engine_create (struct engine *e, const char *image, json_t *options, struct container_record **out,
               struct hk_error **err)
{
  _cleanup_free_ char *image_id = NULL;
  if (store_image_resolve (e->store, image, NULL, &image_id, err) < 0)
    return -1;
  _cleanup_image_config_ struct image_config *config = NULL;
  if (image_config_load (e->store, image_id, &config, NULL, err) < 0)
    return -1;
  /* The arguments are checked before anything is made. */
  _cleanup_strv_ char **args = NULL;
  uint64_t caps;
  if (container_spec_args (options, config, &args, err) < 0
      || container_spec_caps (options, &caps, err) < 0
      || container_network_prepare (e, options, config, err) < 0)
    return -1;
  struct container_record *r = xzalloc (sizeof *r);
  const char *name = opt_string (options, "Name");
  r->id = engine_random_id ();
  r->name = name ? xstrdup (name) : random_name ();
  r->image_id = xstrdup (image_id);
  r->image_name = xstrdup (image);
  r->created = state_now_rfc3339 ();
  r->options = json_incref (options);
  r->state = xstrdup ("created");
  r->started_at = xstrdup ("");
  r->finished_at = xstrdup ("");
  r->error = xstrdup ("");
  if (insert_record (e, r, name != NULL, err) < 0)
    {
      container_record_free (r);
      return -1;
    }
  json_object_set_new (r->options, "Name", json_string (r->name));
  if (prepare_container (e, r, config, err) < 0)
    {
      undo_create (e, r);
      container_record_free (r);
      return -1;
    }
  *out = r;
  return 0;
}
