/* SPDX-License-Identifier: Apache-2.0 */
#include "commit.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "config-change.h"
#include "store/image-config.h"
#include "store/image-record.h"
#include "layer-diff.h"
#include "store/manifest.h"
#include "unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The layer of UPPER_DIR over PARENT's, written and extracted into the
 * store. */
static int
add_layer (struct store *s, const struct store_image *parent, const char *upper_dir,
           const struct image_commit_options *o, struct image_record_layer *nl,
           struct layer_diff_result *diff, struct hk_error **err)
{
  _cleanup_close_ int dir = open (upper_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open `%s`", upper_dir);
  struct layer_diff_options lo = { .exclude = o->exclude, .mtime = o->mtime, .maps = o->maps };
  if (layer_diff_write (s, dir, &lo, diff, err) < 0)
    return hk_error_prefix (err, "write the layer of `%s`", upper_dir);
  size_t n = parent->n_layers;
  memcpy (nl->blob_digest, diff->blob_digest, DIGEST_STRING_SIZE);
  nl->media_type = MEDIA_OCI_LAYER_GZIP;
  nl->blob_size = diff->blob_size;
  return image_unpack_blob (s, diff->blob_digest, n ? parent->layers[n - 1].chain_id : NULL,
                            diff->diff_id, &nl->info, NULL, err);
}

static int
commit_locked (struct store *s, const char *parent_id, const char *upper_dir,
               const struct image_commit_options *o, char id[DIGEST_STRING_SIZE],
               struct hk_error **err)
{
  _cleanup_store_image_ struct store_image *parent = NULL;
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_json_ json_t *config = NULL;
  if (store_image_get (s, parent_id, &parent, err) < 0
      || store_blob_read (s, parent_id, CONFIG_MAX_SIZE, &text, &len, err) < 0
      || json_parse_object (text, len, "image config", &config, err) < 0)
    return -1;

  size_t n = parent->n_layers;
  _cleanup_free_ struct image_record_layer *layers = image_record_layers_of (parent, 1);
  struct layer_diff_result diff;
  if (upper_dir != NULL && add_layer (s, parent, upper_dir, o, &layers[n], &diff, err) < 0)
    return -1;
  _cleanup_free_ char *now = o->created ? xstrdup (o->created) : image_time_now ();
  json_t *rootfs = json_object_get (config, "rootfs");
  json_t *ids = json_object_get (rootfs, "diff_ids");
  if (!json_is_array (ids))
    return hk_error_set (err, EINVAL, "image %s: config without rootfs.diff_ids", parent_id);
  if (upper_dir != NULL)
    json_array_append_new (ids, json_string (diff.diff_id));
  json_object_set_new (config, "created", json_string (now));
  if (o->author)
    json_object_set_new (config, "author", json_string (o->author));
  json_t *history = json_object_get (config, "history");
  if (!json_is_array (history))
    {
      history = json_array ();
      json_object_set_new (config, "history", history);
    }
  json_t *h = json_pack ("{s:s, s:s}", "created", now, "created_by",
                         o->created_by ? o->created_by : "hako commit");
  if (upper_dir == NULL)
    json_object_set_new (h, "empty_layer", json_true ());
  if (o->message)
    json_object_set_new (h, "comment", json_string (o->message));
  if (o->author)
    json_object_set_new (h, "author", json_string (o->author));
  json_array_append_new (history, h);
  json_t *cfg = json_object_get (config, "config");
  if (!json_is_object (cfg))
    {
      cfg = json_object ();
      json_object_set_new (config, "config", cfg);
    }
  if (o->config != NULL)
    json_object_update (cfg, o->config);
  for (size_t i = 0; o->changes && o->changes[i]; i++)
    if (config_change_apply (cfg, o->changes[i], err) < 0)
      return -1;
  if (image_record_new (s, config, layers, upper_dir ? n + 1 : n, o->tag, id, err) < 0)
    return -1;
  return store_image_set_parent (s, id, parent_id, err);
}

int
image_commit (struct store *s, const char *parent_id, const char *upper_dir,
              const struct image_commit_options *opts, char id[DIGEST_STRING_SIZE],
              struct hk_error **err)
{
  if (store_content_begin (s, err) < 0)
    return -1;
  int r = commit_locked (s, parent_id, upper_dir, opts, id, err);
  store_content_end (s);
  if (r < 0)
    return hk_error_prefix (err, "commit");
  return 0;
}
