/* SPDX-License-Identifier: Apache-2.0 */
/* Saving images as docker-archive (what `docker load` reads: a config and
 * an uncompressed layer tar per DiffID, and manifest.json) or oci-archive
 * (the stored blobs as they are, in an OCI image layout). */
#include "archive.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "layer.h"
#include "store/manifest.h"
#include "store/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define COPY_BUFFER (1 << 20)

static void
cleanup_archive_writep (struct archive **a)
{
  if (*a)
    archive_write_free (*a);
}

static int
write_header (struct archive *out, const char *name, int64_t size, struct hk_error **err)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  archive_entry_set_mtime (e, 0, 0);
  int r = archive_write_header (out, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    return hk_error_set (err, EIO, "write `%s`: %s", name, archive_error_string (out));
  return 0;
}

static int
write_data (struct archive *out, const char *name, const void *buf, size_t len,
            struct hk_error **err)
{
  if (len > 0 && archive_write_data (out, buf, len) != (la_ssize_t)len)
    return hk_error_set (err, EIO, "write `%s`: %s", name, archive_error_string (out));
  return 0;
}

static int
write_memory (struct archive *out, const char *name, const char *text, size_t len,
              struct hk_error **err)
{
  if (write_header (out, name, (int64_t)len, err) < 0)
    return -1;
  return write_data (out, name, text, len, err);
}

/* Copies blob DIGEST as it is. */
static int
write_blob (struct store *s, struct archive *out, const char *name, const char *digest,
            struct hk_error **err)
{
  uint64_t size;
  if (store_blob_size (s, digest, &size, err) < 0)
    return -1;
  _cleanup_close_ int fd = store_blob_open (s, digest, err);
  if (fd < 0 || write_header (out, name, (int64_t)size, err) < 0)
    return -1;
  _cleanup_free_ char *buf = xmalloc (COPY_BUFFER);
  uint64_t done = 0;
  for (;;)
    {
      ssize_t n = read (fd, buf, COPY_BUFFER);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read blob %s", digest);
      if (n == 0)
        break;
      done += (uint64_t)n;
      if (done > size || write_data (out, name, buf, (size_t)n, err) < 0)
        return err && *err ? -1 : hk_error_set (err, EIO, "blob %s grew while saved", digest);
    }
  if (done != size)
    return hk_error_set (err, EIO, "blob %s shrank while saved", digest);
  return 0;
}

/* Writes the uncompressed tar of layer blob DIGEST, TAR_SIZE bytes. */
static int
write_uncompressed (struct store *s, struct archive *out, const char *name, const char *digest,
                    uint64_t tar_size, struct hk_error **err)
{
  _cleanup_close_ int fd = store_blob_open (s, digest, err);
  if (fd < 0 || write_header (out, name, (int64_t)tar_size, err) < 0)
    return -1;
  struct archive *in = archive_read_new ();
  archive_read_support_filter_gzip (in);
  archive_read_support_filter_zstd (in);
  archive_read_support_filter_xz (in);
  archive_read_support_filter_bzip2 (in);
  archive_read_support_format_raw (in);
  archive_read_support_format_empty (in);
  struct archive_entry *e;
  int r = 0;
  if (archive_read_open_fd (in, fd, COPY_BUFFER) != ARCHIVE_OK)
    r = hk_error_set (err, EIO, "read blob %s: %s", digest, archive_error_string (in));
  else if (archive_read_next_header (in, &e) == ARCHIVE_OK)
    {
      _cleanup_free_ char *buf = xmalloc (COPY_BUFFER);
      uint64_t done = 0;
      for (;;)
        {
          la_ssize_t n = archive_read_data (in, buf, COPY_BUFFER);
          if (n < 0)
            {
              r = hk_error_set (err, EIO, "decompress blob %s: %s", digest,
                                archive_error_string (in));
              break;
            }
          if (n == 0)
            break;
          done += (uint64_t)n;
          if (done > tar_size)
            {
              r = hk_error_set (err, EIO, "layer %s is longer than recorded", digest);
              break;
            }
          if ((r = write_data (out, name, buf, (size_t)n, err)) < 0)
            break;
        }
      if (r == 0 && done != tar_size)
        r = hk_error_set (err, EIO, "layer %s is shorter than recorded", digest);
    }
  archive_read_free (in);
  return r;
}

static int
tar_size_of (struct store *s, const char *chain_id, uint64_t *size, struct hk_error **err)
{
  struct layer_info info;
  if (store_layer_get (s, chain_id, &info, err) < 0)
    return -1;
  *size = info.tar_size;
  return 0;
}

static char *
familiar (const char *full)
{
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  if (image_ref_parse (full, &ref, NULL) < 0)
    return xstrdup (full);
  return image_ref_familiar (ref);
}

static int
save_docker (struct store *s, struct archive *out, const struct archive_save_item *items, size_t n,
             struct hk_error **err)
{
  _cleanup_json_ json_t *manifest = json_array ();
  _cleanup_strv_ char **written = xzalloc (sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_store_image_ struct store_image *img = NULL;
      if (store_image_get (s, items[i].id, &img, err) < 0)
        return -1;
      _cleanup_free_ char *config_name = xasprintf ("%s.json", digest_hex (img->id));
      if (!strv_contains (written, config_name))
        {
          if (write_blob (s, out, config_name, img->id, err) < 0)
            return -1;
          strv_append (&written, config_name);
        }
      json_t *layers = json_array ();
      json_t *entry
          = json_pack ("{s:s, s:[], s:o}", "Config", config_name, "RepoTags", "Layers", layers);
      json_array_append_new (manifest, entry);
      if (items[i].name)
        {
          _cleanup_free_ char *tag = familiar (items[i].name);
          json_array_append_new (json_object_get (entry, "RepoTags"), json_string (tag));
        }
      for (size_t k = 0; k < img->n_layers; k++)
        {
          const struct store_image_layer *l = &img->layers[k];
          _cleanup_free_ char *name = xasprintf ("%s.tar", digest_hex (l->diff_id));
          json_array_append_new (layers, json_string (name));
          if (strv_contains (written, name))
            continue;
          uint64_t tar_size;
          if (tar_size_of (s, l->chain_id, &tar_size, err) < 0
              || write_uncompressed (s, out, name, l->blob_digest, tar_size, err) < 0)
            return hk_error_prefix (err, "image %s", img->id);
          strv_append (&written, name);
        }
    }
  _cleanup_free_ char *text = json_to_string (manifest, false);
  return write_memory (out, "manifest.json", text, strlen (text), err);
}

static int
save_oci (struct store *s, struct archive *out, const struct archive_save_item *items, size_t n,
          struct hk_error **err)
{
  if (write_memory (out, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, err) < 0)
    return -1;
  _cleanup_json_ json_t *index = json_pack ("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType",
                                            MEDIA_OCI_INDEX, "manifests");
  _cleanup_strv_ char **written = xzalloc (sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_store_image_ struct store_image *img = NULL;
      if (store_image_get (s, items[i].id, &img, err) < 0)
        return -1;
      const char *blobs[3] = { img->manifest_digest, img->id, NULL };
      for (size_t k = 0; k < 2 + img->n_layers; k++)
        {
          const char *d = k < 2 ? blobs[k] : img->layers[k - 2].blob_digest;
          _cleanup_free_ char *name = xasprintf ("blobs/sha256/%s", digest_hex (d));
          if (strv_contains (written, name))
            continue;
          if (write_blob (s, out, name, d, err) < 0)
            return hk_error_prefix (err, "image %s", img->id);
          strv_append (&written, name);
        }
      uint64_t msize;
      if (store_blob_size (s, img->manifest_digest, &msize, err) < 0)
        return -1;
      json_t *d = json_pack ("{s:s, s:s, s:I, s:{s:s, s:s}}", "mediaType", img->manifest_media_type,
                             "digest", img->manifest_digest, "size", (json_int_t)msize, "platform",
                             "os", img->os ? img->os : "linux", "architecture",
                             img->architecture ? img->architecture : "amd64");
      if (items[i].name)
        json_object_set_new (d, "annotations",
                             json_pack ("{s:s, s:s}", "org.opencontainers.image.ref.name",
                                        items[i].name, "io.containerd.image.name", items[i].name));
      json_array_append_new (json_object_get (index, "manifests"), d);
    }
  _cleanup_free_ char *text = json_to_string (index, false);
  return write_memory (out, "index.json", text, strlen (text), err);
}

int
archive_save (struct store *s, int fd, enum archive_format format,
              const struct archive_save_item *items, size_t n, struct hk_error **err)
{
  __attribute__ ((cleanup (cleanup_archive_writep))) struct archive *out = archive_write_new ();
  archive_write_set_format_pax_restricted (out);
  if (archive_write_open_fd (out, fd) != ARCHIVE_OK)
    return hk_error_set (err, EIO, "save: %s", archive_error_string (out));
  int r = format == ARCHIVE_OCI ? save_oci (s, out, items, n, err)
                                : save_docker (s, out, items, n, err);
  if (r < 0)
    return hk_error_prefix (err, "save");
  if (archive_write_close (out) != ARCHIVE_OK)
    return hk_error_set (err, EIO, "save: %s", archive_error_string (out));
  return 0;
}
