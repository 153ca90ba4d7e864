/* SPDX-License-Identifier: Apache-2.0 */
/* diff and commit: a container's changes, which overlayfs keeps in its
 * upper directory (ROOT/containers/ID/upper), over the image's layers. */
#include "ctr-diff.h"
#include "engine/ctr-config-json.h"
#include "engine/ctr-config-userns.h"
#include "ctr-transfer.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "commit.h"
#include "store/image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char *
upper_dir (const struct engine *e, const struct ctr_record *r)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  return xasprintf ("%s/upper", dir);
}

/* The image's layer directories, topmost first. */
static int
open_layers (struct engine *e, const char *image_id, int **out, size_t *n, struct hk_error **err)
{
  _cleanup_store_image_ struct store_image *img = NULL;
  if (store_image_get (e->store, image_id, &img, err) < 0)
    return -1;
  int *fds = xmalloc ((img->n_layers + 1) * sizeof *fds);
  for (size_t i = 0; i < img->n_layers; i++)
    {
      const char *chain = img->layers[img->n_layers - 1 - i].chain_id;
      fds[i] = openat (e->store->layers_fd, digest_hex (chain),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fds[i] < 0)
        {
          int saved = errno;
          fs_close_all (fds, i);
          return hk_error_errno (err, saved, "open the layer %s", chain);
        }
    }
  *out = fds;
  *n = img->n_layers;
  return 0;
}

int
transfer_diff (struct engine *e, struct ctr_record *r, struct ctr_change **out, size_t *n,
             struct hk_error **err)
{
  _cleanup_free_ char *upper = upper_dir (e, r);
  _cleanup_close_ int upper_fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (upper_fd < 0)
    return hk_error_errno (err, errno, "open the changes of container %s", r->name);
  int *lower = NULL;
  size_t n_lower = 0;
  if (open_layers (e, r->image_id, &lower, &n_lower, err) < 0)
    return hk_error_prefix (err, "container %s", r->name);
  struct id_maps maps;
  int rc = ctr_diff (upper_fd, lower, n_lower, ctr_config_id_maps (&r->config, &maps), out, n,
                     err);
  fs_close_all (lower, n_lower);
  return rc < 0 ? hk_error_prefix (err, "changes of container %s", r->name) : 0;
}

/* IMAGE's environment with the container's -e values over it. */
static json_t *
merged_env (const struct image_config *image, char *const *env)
{
  _cleanup_strv_ char **all = strv_copy (image->env ? image->env : (char *[]){ NULL });
  for (size_t i = 0; env && env[i]; i++)
    {
      const char *eq = strchr (env[i], '=');
      _cleanup_free_ char *name = eq ? xstrndup (env[i], (size_t)(eq - env[i])) : xstrdup (env[i]);
      strv_env_set (&all, name, eq ? eq + 1 : "");
    }
  return json_from_strv (all);
}

/* What the new image runs, as Docker commits it: the container's config
 * (its command, environment, user, ...) over the image's. */
static int
commit_config (struct engine *e, const struct ctr_record *r, json_t **out,
               struct hk_error **err)
{
  _cleanup_image_config_ struct image_config *image = NULL;
  if (image_config_load (e->store, r->image_id, &image, NULL, err) < 0)
    return -1;
  json_t *config = ctr_config_commit_config (&r->config);
  /* An --entrypoint drops the image's Cmd (ctr_spec_args). */
  if (r->config.entrypoint != NULL && r->config.cmd == NULL)
    json_object_set_new (config, "Cmd", json_null ());
  json_object_set_new (config, "Env", merged_env (image, r->config.env));
  json_t *labels = json_object ();
  for (size_t i = 0; image->label_keys && image->label_keys[i]; i++)
    json_object_set_new (labels, image->label_keys[i], json_string (image->label_values[i]));
  for (size_t i = 0; i < r->config.labels.n; i++)
    json_object_set_new (labels, r->config.labels.keys[i],
                         json_string (r->config.labels.values[i]));
  json_object_set_new (config, "Labels", labels);
  *out = config;
  return 0;
}

int
transfer_commit (struct engine *e, struct ctr_record *r, const struct transfer_commit_options *o,
               char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  _cleanup_json_ json_t *config = NULL;
  if (commit_config (e, r, &config, err) < 0)
    return hk_error_prefix (err, "commit container %s", r->name);
  /* A frozen container writes nothing while its files are read.  A
   * rootless one has no cgroup to freeze: it is committed as it runs
   * (Podman's rootless default). */
  bool freeze = o->pause && strcmp (r->state, "running") == 0 && !e->rootless;
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (freeze && backend_pause (&b, r->id, true, err) < 0)
    return hk_error_prefix (err, "pause container %s to commit it", r->name);
  _cleanup_free_ char *upper = upper_dir (e, r);
  struct id_maps maps;
  struct image_commit_options c = {
    .maps = ctr_config_id_maps (&r->config, &maps),
    .tag = o->tag,
    .changes = o->changes,
    .message = o->message,
    .author = o->author,
    .exclude = (char *const *)ctr_diff_excluded,
    .config = config,
    .mtime = -1,
  };
  int rc = image_commit (e->store, r->image_id, upper, &c, id, err);
  struct hk_error *thaw_err = NULL;
  if (freeze && backend_pause (&b, r->id, false, &thaw_err) < 0 && rc == 0)
    {
      *err = thaw_err;
      return hk_error_prefix (err, "unpause container %s after the commit", r->name);
    }
  hk_error_free (thaw_err);
  return rc;
}
