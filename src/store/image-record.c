/* SPDX-License-Identifier: Apache-2.0 */
#include "image-record.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "manifest.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct image_record_layer *
image_record_layers_of (const struct store_image *img, size_t extra)
{
  size_t n = img->n_layers;
  struct image_record_layer *layers = xzalloc ((n + extra) * sizeof *layers);
  for (size_t i = 0; i < n; i++)
    {
      const struct store_image_layer *l = &img->layers[i];
      memcpy (layers[i].blob_digest, l->blob_digest, DIGEST_STRING_SIZE);
      layers[i].media_type = l->media_type;
      layers[i].blob_size = l->blob_size;
      memcpy (layers[i].info.chain_id, l->chain_id, DIGEST_STRING_SIZE);
      memcpy (layers[i].info.diff_id, l->diff_id, DIGEST_STRING_SIZE);
      layers[i].info.size = l->size;
    }
  return layers;
}

char *
image_time_now (void)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  char buf[64];
  size_t n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return xstrdup (buf);
}

static json_t *
descriptor_json (const char *media_type, const char *digest, int64_t size)
{
  return json_pack ("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest, "size",
                    (json_int_t)size);
}

int
image_record_config_text (struct store *s, const char *config_text, size_t config_len,
                          const struct image_record_layer *layers, size_t n_layers,
                          char *const *tags, char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  _cleanup_json_ json_t *config = NULL;
  if (json_parse_object (config_text, config_len, "image config", &config, err) < 0)
    return -1;
  char config_digest[DIGEST_STRING_SIZE];
  if (store_blob_put (s, config_text, config_len, config_digest, err) < 0)
    return hk_error_prefix (err, "store image config");

  _cleanup_json_ json_t *manifest = json_pack (
      "{s:i, s:s, s:o, s:[]}", "schemaVersion", 2, "mediaType", MEDIA_OCI_MANIFEST, "config",
      descriptor_json (MEDIA_OCI_CONFIG, config_digest, (int64_t)config_len), "layers");
  json_t *arr = json_object_get (manifest, "layers");
  for (size_t i = 0; i < n_layers; i++)
    json_array_append_new (
        arr, descriptor_json (layers[i].media_type, layers[i].blob_digest, layers[i].blob_size));
  _cleanup_free_ char *manifest_text = json_dumps (manifest, JSON_COMPACT);
  char manifest_digest[DIGEST_STRING_SIZE];
  if (store_blob_put (s, manifest_text, strlen (manifest_text), manifest_digest, err) < 0)
    return hk_error_prefix (err, "store image manifest");

  struct store_image img = { 0 };
  memcpy (img.id, config_digest, DIGEST_STRING_SIZE);
  memcpy (img.manifest_digest, manifest_digest, DIGEST_STRING_SIZE);
  img.manifest_media_type = (char *)MEDIA_OCI_MANIFEST;
  json_t *v;
  img.created = (v = json_object_get (config, "created")) ? (char *)json_string_value (v) : NULL;
  img.architecture
      = (v = json_object_get (config, "architecture")) ? (char *)json_string_value (v) : NULL;
  img.os = (v = json_object_get (config, "os")) ? (char *)json_string_value (v) : NULL;
  _cleanup_free_ struct store_image_layer *sl = xzalloc ((n_layers + 1) * sizeof *sl);
  for (size_t i = 0; i < n_layers; i++)
    {
      memcpy (sl[i].chain_id, layers[i].info.chain_id, DIGEST_STRING_SIZE);
      memcpy (sl[i].diff_id, layers[i].info.diff_id, DIGEST_STRING_SIZE);
      memcpy (sl[i].blob_digest, layers[i].blob_digest, DIGEST_STRING_SIZE);
      sl[i].media_type = (char *)layers[i].media_type;
      sl[i].blob_size = layers[i].blob_size;
      sl[i].size = layers[i].info.size;
    }
  img.layers = sl;
  img.n_layers = n_layers;
  if (store_image_add (s, &img, tags ? tags[0] : NULL, NULL, NULL, err) < 0)
    return -1;
  for (size_t i = 1; tags && tags[i]; i++)
    if (store_tag_add (s, config_digest, tags[i], err) < 0)
      return -1;
  memcpy (id, config_digest, DIGEST_STRING_SIZE);
  return 0;
}

int
image_record_new (struct store *s, json_t *config, const struct image_record_layer *layers,
                  size_t n_layers, const char *tag, char id[DIGEST_STRING_SIZE],
                  struct hk_error **err)
{
  _cleanup_free_ char *config_text = json_dumps (config, JSON_COMPACT | JSON_SORT_KEYS);
  if (config_text == NULL)
    return hk_error_set (err, ENOMEM, "serialise image config");
  char *tags[2] = { (char *)tag, NULL };
  return image_record_config_text (s, config_text, strlen (config_text), layers, n_layers,
                                   tag ? tags : NULL, id, err);
}
