/* SPDX-License-Identifier: Apache-2.0 */
#include "manifest.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum manifest_kind
manifest_kind_of_media_type (const char *media_type)
{
  if (media_type == NULL)
    return MANIFEST_KIND_UNKNOWN;
  if (strcmp (media_type, MEDIA_OCI_INDEX) == 0 || strcmp (media_type, MEDIA_DOCKER_LIST) == 0)
    return MANIFEST_KIND_INDEX;
  if (strcmp (media_type, MEDIA_OCI_MANIFEST) == 0
      || strcmp (media_type, MEDIA_DOCKER_MANIFEST) == 0)
    return MANIFEST_KIND_MANIFEST;
  if (strcmp (media_type, MEDIA_DOCKER_SCHEMA1) == 0
      || strcmp (media_type, MEDIA_DOCKER_SCHEMA1_SIGNED) == 0)
    return MANIFEST_KIND_SCHEMA1;
  return MANIFEST_KIND_UNKNOWN;
}

enum manifest_kind
manifest_sniff (const char *body, size_t len, const char *content_type, char **media_type)
{
  *media_type = NULL;
  _cleanup_json_ json_t *doc = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  if (json_parse_object (body, len, "manifest", &doc, &ignored) == 0)
    {
      json_t *mt = json_object_get (doc, "mediaType");
      if (json_is_string (mt))
        {
          *media_type = xstrdup (json_string_value (mt));
          return manifest_kind_of_media_type (*media_type);
        }
      json_t *sv = json_object_get (doc, "schemaVersion");
      if (json_is_integer (sv) && json_integer_value (sv) == 1)
        {
          *media_type = xstrdup (MEDIA_DOCKER_SCHEMA1_SIGNED);
          return MANIFEST_KIND_SCHEMA1;
        }
    }
  if (content_type != NULL && *content_type != '\0')
    {
      /* "type; charset=…" → "type" */
      size_t n = strcspn (content_type, "; \t");
      _cleanup_free_ char *ct = xstrndup (content_type, n);
      enum manifest_kind k = manifest_kind_of_media_type (ct);
      if (k != MANIFEST_KIND_UNKNOWN)
        {
          *media_type = take_ptr (ct);
          return k;
        }
    }
  if (doc != NULL && json_is_array (json_object_get (doc, "manifests")))
    {
      *media_type = xstrdup (MEDIA_OCI_INDEX);
      return MANIFEST_KIND_INDEX;
    }
  if (doc != NULL && json_is_array (json_object_get (doc, "layers")))
    {
      *media_type = xstrdup (MEDIA_OCI_MANIFEST);
      return MANIFEST_KIND_MANIFEST;
    }
  return MANIFEST_KIND_UNKNOWN;
}

static void
descriptor_clear (struct descriptor *d)
{
  free (d->media_type);
  free (d->ref_name);
  platform_clear (&d->platform);
}

static int
parse_descriptor (json_t *obj, const char *path, struct descriptor *d, struct hk_error **err)
{
  if (!json_is_object (obj))
    return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path, json_type_name (obj));
  if (json_require (obj, path, "mediaType", err) < 0 || json_require (obj, path, "digest", err) < 0
      || json_require (obj, path, "size", err) < 0)
    return -1;
  if (json_get_string (obj, path, "mediaType", &d->media_type, err) < 0)
    return -1;
  _cleanup_free_ char *digest = NULL;
  if (json_get_string (obj, path, "digest", &digest, err) < 0)
    return -1;
  if (digest_check (digest, err) < 0)
    return hk_error_prefix (err, "%s.digest", path);
  memcpy (d->digest, digest, DIGEST_STRING_SIZE);
  if (json_get_int64 (obj, path, "size", &d->size, err) < 0)
    return -1;
  if (d->size < 0)
    return hk_error_set (err, EINVAL, "%s.size: negative", path);

  json_t *platform;
  int r = json_get_object (obj, path, "platform", &platform, err);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      _cleanup_free_ char *ppath = json_path_key (path, "platform");
      _cleanup_free_ char *os = NULL, *arch = NULL, *variant = NULL;
      if (json_get_string (platform, ppath, "os", &os, err) < 0
          || json_get_string (platform, ppath, "architecture", &arch, err) < 0
          || json_get_string (platform, ppath, "variant", &variant, err) < 0)
        return -1;
      platform_set (&d->platform, os ? os : "unknown", arch ? arch : "unknown", variant);
    }
  json_t *annotations;
  r = json_get_object (obj, path, "annotations", &annotations, err);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      _cleanup_free_ char *apath = json_path_key (path, "annotations");
      if (json_get_string (annotations, apath, "org.opencontainers.image.ref.name", &d->ref_name,
                           err)
          < 0)
        return -1;
    }
  return 0;
}

static int
check_schema_version (json_t *doc, struct hk_error **err)
{
  int64_t v = 0;
  if (json_require (doc, "", "schemaVersion", err) < 0
      || json_get_int64 (doc, "", "schemaVersion", &v, err) < 0)
    return -1;
  if (v != 2)
    return hk_error_set (err, ENOTSUP, "schemaVersion: %lld is not supported (only 2)",
                         (long long)v);
  return 0;
}

void
image_index_free (struct image_index *idx)
{
  if (idx == NULL)
    return;
  for (size_t i = 0; i < idx->n_manifests; i++)
    descriptor_clear (&idx->manifests[i]);
  free (idx->manifests);
  free (idx->media_type);
  free (idx);
}

int
image_index_parse (const char *body, size_t len, struct image_index **out, struct hk_error **err)
{
  if (len > MANIFEST_MAX_SIZE)
    return hk_error_set (err, EFBIG, "image index of %zu bytes is larger than the %d allowed", len,
                         MANIFEST_MAX_SIZE);
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (body, len, "image index", &doc, err) < 0)
    return -1;
  if (check_schema_version (doc, err) < 0)
    return hk_error_prefix (err, "image index");
  struct image_index *idx = xzalloc (sizeof *idx);
  _cleanup_image_index_ struct image_index *owned = idx;
  if (json_get_string (doc, "", "mediaType", &idx->media_type, err) < 0)
    return hk_error_prefix (err, "image index");
  if (idx->media_type && manifest_kind_of_media_type (idx->media_type) != MANIFEST_KIND_INDEX)
    return hk_error_set (err, EINVAL, "image index: mediaType `%s` is not an index",
                         idx->media_type);
  json_t *list;
  if (json_require (doc, "", "manifests", err) < 0
      || json_get_array (doc, "", "manifests", &list, err) < 0)
    return hk_error_prefix (err, "image index");
  size_t n = json_array_size (list);
  if (n > MANIFEST_MAX_LAYERS)
    return hk_error_set (err, EFBIG, "image index: more than %d manifests", MANIFEST_MAX_LAYERS);
  idx->manifests = xzalloc ((n + 1) * sizeof *idx->manifests);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *path = json_path_index ("manifests", i);
      idx->n_manifests = i + 1;
      if (parse_descriptor (json_array_get (list, i), path, &idx->manifests[i], err) < 0)
        return hk_error_prefix (err, "image index");
    }
  *out = take_ptr (owned);
  return 0;
}

void
image_manifest_free (struct image_manifest *m)
{
  if (m == NULL)
    return;
  descriptor_clear (&m->config);
  for (size_t i = 0; i < m->n_layers; i++)
    descriptor_clear (&m->layers[i]);
  free (m->layers);
  free (m->media_type);
  free (m);
}

/* Whether MEDIA_TYPE is a layer we can unpack, and a config we can read. */
static bool
media_type_is_layer (const char *mt)
{
  static const char *const known[] = {
    MEDIA_OCI_LAYER,
    MEDIA_OCI_LAYER_GZIP,
    MEDIA_OCI_LAYER_ZSTD,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    MEDIA_DOCKER_LAYER_GZIP,
    MEDIA_DOCKER_LAYER,
    MEDIA_DOCKER_FOREIGN_LAYER,
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp (mt, known[i]) == 0)
      return true;
  return false;
}

static bool
media_type_is_config (const char *mt)
{
  return strcmp (mt, MEDIA_OCI_CONFIG) == 0 || strcmp (mt, MEDIA_DOCKER_CONFIG) == 0;
}

const char *
media_type_layer_for (int compression)
{
  switch (compression)
    {
    case LAYER_GZIP:
      return MEDIA_OCI_LAYER_GZIP;
    case LAYER_ZSTD:
      return MEDIA_OCI_LAYER_ZSTD;
    default:
      return MEDIA_OCI_LAYER;
    }
}

int
image_manifest_parse (const char *body, size_t len, struct image_manifest **out,
                      struct hk_error **err)
{
  if (len > MANIFEST_MAX_SIZE)
    return hk_error_set (err, EFBIG, "manifest of %zu bytes is larger than the %d allowed", len,
                         MANIFEST_MAX_SIZE);
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (body, len, "manifest", &doc, err) < 0)
    return -1;
  if (check_schema_version (doc, err) < 0)
    return hk_error_prefix (err, "manifest");
  struct image_manifest *m = xzalloc (sizeof *m);
  _cleanup_image_manifest_ struct image_manifest *owned = m;
  if (json_get_string (doc, "", "mediaType", &m->media_type, err) < 0)
    return hk_error_prefix (err, "manifest");
  if (m->media_type && manifest_kind_of_media_type (m->media_type) != MANIFEST_KIND_MANIFEST)
    return hk_error_set (err, EINVAL, "manifest: mediaType `%s` is not an image manifest",
                         m->media_type);
  if (json_require (doc, "", "config", err) < 0
      || parse_descriptor (json_object_get (doc, "config"), "config", &m->config, err) < 0)
    return hk_error_prefix (err, "manifest");
  if (!media_type_is_config (m->config.media_type))
    return hk_error_set (err, ENOTSUP,
                         "manifest: config blob %s has media type `%s`: not a container image "
                         "(unsupported media type)",
                         m->config.digest, m->config.media_type);
  if (m->config.size > CONFIG_MAX_SIZE)
    return hk_error_set (err, EFBIG,
                         "manifest: config blob %s of %lld bytes is larger than the "
                         "%d allowed",
                         m->config.digest, (long long)m->config.size, CONFIG_MAX_SIZE);
  json_t *layers;
  if (json_require (doc, "", "layers", err) < 0
      || json_get_array (doc, "", "layers", &layers, err) < 0)
    return hk_error_prefix (err, "manifest");
  size_t n = json_array_size (layers);
  if (n > MANIFEST_MAX_LAYERS)
    return hk_error_set (err, EFBIG, "manifest: more than %d layers", MANIFEST_MAX_LAYERS);
  m->layers = xzalloc ((n + 1) * sizeof *m->layers);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *path = json_path_index ("layers", i);
      m->n_layers = i + 1;
      if (parse_descriptor (json_array_get (layers, i), path, &m->layers[i], err) < 0)
        return hk_error_prefix (err, "manifest");
      if (!media_type_is_layer (m->layers[i].media_type))
        return hk_error_set (err, ENOTSUP,
                             "manifest: layer blob %s has unsupported media type "
                             "`%s`",
                             m->layers[i].digest, m->layers[i].media_type);
    }
  *out = take_ptr (owned);
  return 0;
}

int
image_index_select (const struct image_index *idx, const struct platform *want,
                    const struct descriptor **out, struct hk_error **err)
{
  const struct descriptor *best = NULL;
  int best_score = 0;
  for (size_t i = 0; i < idx->n_manifests; i++)
    {
      const struct descriptor *d = &idx->manifests[i];
      if (d->platform.os == NULL)
        continue;
      if (manifest_kind_of_media_type (d->media_type) != MANIFEST_KIND_MANIFEST)
        continue;
      int score = platform_match_score (want, &d->platform);
      if (score > best_score)
        {
          best = d;
          best_score = score;
        }
    }
  if (best != NULL)
    {
      *out = best;
      return 0;
    }
  _cleanup_free_ char *wanted = platform_string (want);
  _cleanup_free_ char *have = xstrdup ("");
  for (size_t i = 0; i < idx->n_manifests; i++)
    {
      const struct descriptor *d = &idx->manifests[i];
      if (d->platform.os == NULL || strcmp (d->platform.os, "unknown") == 0)
        continue;
      _cleanup_free_ char *p = platform_string (&d->platform);
      char *joined = xasprintf ("%s%s%s", have, *have ? ", " : "", p);
      free (have);
      have = joined;
    }
  return hk_error_set (err, ENOENT, "no manifest for platform %s (the index has: %s)", wanted,
                       *have ? have : "none");
}
