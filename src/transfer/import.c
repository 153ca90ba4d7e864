/* SPDX-License-Identifier: Apache-2.0 */
#include "import.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "config-change.h"
#include "store/image-record.h"
#include "store/manifest.h"
#include "unpack.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Copies FD into a new blob (stdin cannot be read twice). */
static int
copy_to_blob (struct store *s, int fd, struct blob_writer **out, struct hk_error **err)
{
  _cleanup_blob_writer_ struct blob_writer *w = NULL;
  if (blob_writer_open (s, NULL, -1, &w, err) < 0)
    return -1;
  _cleanup_free_ char *buf = malloc (1 << 20);
  if (buf == NULL)
    return hk_error_errno (err, ENOMEM, "allocate");
  for (;;)
    {
      ssize_t n = read (fd, buf, 1 << 20);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read the tar to import");
      if (n == 0)
        break;
      if (blob_writer_write (w, buf, (size_t)n, err) < 0)
        return -1;
    }
  if (blob_writer_commit (w, err) < 0)
    return -1;
  *out = take_ptr (w);
  return 0;
}

static int
import_locked (struct store *s, int fd, const struct image_import_options *o,
               char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  _cleanup_blob_writer_ struct blob_writer *w = NULL;
  if (copy_to_blob (s, fd, &w, err) < 0)
    return -1;
  struct image_record_layer layer = { 0 };
  memcpy (layer.blob_digest, w->digest, DIGEST_STRING_SIZE);
  layer.blob_size = (int64_t)w->written;
  enum layer_compression compression;
  if (image_unpack_blob (s, w->digest, NULL, NULL, &layer.info, &compression, err) < 0)
    return -1;
  if (compression == LAYER_OTHER_COMPRESSION)
    return hk_error_set (err, ENOTSUP,
                         "import: the tar is compressed with something other than "
                         "gzip or zstd");
  layer.media_type = media_type_layer_for (compression);

  struct platform host = { 0 };
  const struct platform *p = o->platform;
  if (p == NULL)
    {
      platform_host (&host);
      p = &host;
    }
  _cleanup_free_ char *now = image_time_now ();
  _cleanup_json_ json_t *config = json_pack (
      "{s:s, s:s, s:s, s:{s:[]}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "created", now, "architecture",
      p->architecture, "os", p->os, "config", "Env", "rootfs", "type", "layers", "diff_ids",
      layer.info.diff_id, "history", "created", now, "created_by", "hako import");
  platform_clear (&host);
  json_t *env = json_object_get (json_object_get (config, "config"), "Env");
  json_array_append_new (
      env, json_string ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
  if (p->variant)
    json_object_set_new (config, "variant", json_string (p->variant));
  if (o->message)
    json_object_set_new (json_array_get (json_object_get (config, "history"), 0), "comment",
                         json_string (o->message));
  for (size_t i = 0; o->changes && o->changes[i]; i++)
    if (config_change_apply (json_object_get (config, "config"), o->changes[i], err) < 0)
      return -1;
  return image_record_new (s, config, &layer, 1, o->tag, id, err);
}

int
image_import (struct store *s, int fd, const struct image_import_options *opts,
              char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  if (store_content_begin (s, err) < 0)
    return -1;
  int r = import_locked (s, fd, opts, id, err);
  store_content_end (s);
  if (r < 0)
    return hk_error_prefix (err, "import");
  return 0;
}
