/* SPDX-License-Identifier: Apache-2.0 */
#include "push.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/manifest.h"
#include "progress.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define SMALL_RESPONSE (64 * 1024)

static int
blob_exists (struct registry_client *c, const struct image_ref *dest, const char *digest,
             bool *exists, struct hk_error **err)
{
  _cleanup_free_ char *path = xasprintf ("blobs/%s", digest);
  struct registry_response resp = { 0 };
  if (registry_request (c, dest->domain, dest->path, REGISTRY_PUSH, "HEAD", path, NULL, NULL, NULL,
                        0, NULL, SMALL_RESPONSE, &resp, err)
      < 0)
    return -1;
  *exists = resp.status == 200;
  long status = resp.status;
  registry_response_clear (&resp);
  if (status != 200 && status != 404)
    return hk_error_set (err, EIO, "HEAD blob %s: status %ld", digest, status);
  return 0;
}

static char *
with_digest (const char *location, const char *digest)
{
  return xasprintf ("%s%sdigest=%s", location, strchr (location, '?') ? "&" : "?", digest);
}

/* Checks an upload response and moves LOCATION on to the next one. */
static int
next_location (struct registry_response *resp, long want, char **location, const char *what,
               const char *digest, struct hk_error **err)
{
  if (resp->status != want)
    {
      _cleanup_free_ char *text = registry_error_text (resp);
      return hk_error_set (err, EIO, "blob %s: %s: %s", digest, what, text);
    }
  if (resp->location != NULL)
    {
      free (*location);
      *location = xstrdup (resp->location);
    }
  return 0;
}

static int
upload_blob (struct store *s, struct registry_client *c, const struct image_ref *dest,
             const char *digest, uint64_t chunk, struct progress *pr, size_t line,
             struct hk_error **err)
{
  uint64_t size;
  if (store_blob_size (s, digest, &size, err) < 0)
    return -1;
  _cleanup_close_ int fd = store_blob_open (s, digest, err);
  if (fd < 0)
    return -1;
  struct registry_response resp = { 0 };
  if (registry_request (c, dest->domain, dest->path, REGISTRY_PUSH, "POST", "blobs/uploads/", NULL,
                        NULL, "", 0, NULL, SMALL_RESPONSE, &resp, err)
      < 0)
    return -1;
  _cleanup_free_ char *location = NULL;
  int r = next_location (&resp, 202, &location, "start upload", digest, err);
  registry_response_clear (&resp);
  if (r < 0)
    return -1;
  if (location == NULL)
    return hk_error_set (err, EPROTO, "blob %s: the registry gave no upload location", digest);
  progress_status (pr, line, "Pushing");

  if (size <= chunk)
    {
      /* Monolithic: the whole blob in the closing PUT. */
      _cleanup_free_ char *url = with_digest (location, digest);
      if (registry_upload (c, dest->domain, dest->path, "PUT", url, fd, 0, size, NULL, &resp, err)
          < 0)
        return -1;
      r = next_location (&resp, 201, &location, "PUT", digest, err);
      registry_response_clear (&resp);
      progress_bytes (pr, line, size, size);
      return r;
    }
  uint64_t chunks = 0;
  for (uint64_t off = 0; off < size; off += chunk)
    {
      uint64_t len = size - off < chunk ? size - off : chunk;
      _cleanup_free_ char *range = xasprintf ("Content-Range: %llu-%llu", (unsigned long long)off,
                                              (unsigned long long)(off + len - 1));
      if (registry_upload (c, dest->domain, dest->path, "PATCH", location, fd, off, len, range,
                           &resp, err)
          < 0)
        return -1;
      r = next_location (&resp, 202, &location, "PATCH", digest, err);
      registry_response_clear (&resp);
      if (r < 0)
        return -1;
      chunks++;
      progress_bytes (pr, line, off + len, size);
    }
  hk_debug (registry_log (c), "blob %s: uploaded in %llu chunks", digest,
            (unsigned long long)chunks);
  _cleanup_free_ char *url = with_digest (location, digest);
  if (registry_request (c, dest->domain, dest->path, REGISTRY_PUSH, "PUT", url, NULL,
                        "application/octet-stream", "", 0, NULL, SMALL_RESPONSE, &resp, err)
      < 0)
    return -1;
  r = next_location (&resp, 201, &location, "finish upload", digest, err);
  registry_response_clear (&resp);
  return r;
}

static int
push_blob (struct store *s, struct registry_client *c, const struct image_ref *dest,
           const char *digest, uint64_t chunk, struct progress *pr, struct hk_error **err)
{
  size_t line = progress_add (pr, digest, "Preparing");
  bool exists;
  if (blob_exists (c, dest, digest, &exists, err) < 0)
    return -1;
  if (exists)
    {
      progress_status (pr, line, "Layer already exists");
      return 0;
    }
  if (upload_blob (s, c, dest, digest, chunk, pr, line, err) < 0)
    return -1;
  progress_status (pr, line, "Pushed");
  return 0;
}

int
image_push (struct store *s, struct registry_client *c, const char *id,
            const struct image_ref *dest, const struct push_options *o,
            char digest[DIGEST_STRING_SIZE], struct hk_error **err)
{
  _cleanup_store_image_ struct store_image *img = NULL;
  if (store_image_get (s, id, &img, err) < 0)
    return -1;
  uint64_t chunk = o->chunk_size ? o->chunk_size : PUSH_CHUNK_DEFAULT;
  struct progress *pr = progress_new (o->progress, o->progress_tty);
  int r = 0;
  for (size_t i = 0; r == 0 && i < img->n_layers; i++)
    {
      bool dup = false;
      for (size_t k = 0; k < i; k++)
        dup = dup || strcmp (img->layers[k].blob_digest, img->layers[i].blob_digest) == 0;
      if (!dup)
        r = push_blob (s, c, dest, img->layers[i].blob_digest, chunk, pr, err);
    }
  if (r == 0)
    r = push_blob (s, c, dest, img->id, chunk, pr, err);
  progress_finish (pr);
  progress_free (pr);
  if (r < 0)
    return -1;

  _cleanup_free_ char *manifest = NULL;
  size_t len;
  if (store_blob_read (s, img->manifest_digest, MANIFEST_MAX_SIZE, &manifest, &len, err) < 0)
    return -1;
  if (dest->digest && strcmp (dest->digest, img->manifest_digest) != 0)
    return hk_error_set (err, EINVAL, "the image's manifest is %s, not %s", img->manifest_digest,
                         dest->digest);
  _cleanup_free_ char *path = xasprintf ("manifests/%s", dest->tag ? dest->tag : dest->digest);
  struct registry_response resp = { 0 };
  if (registry_request (c, dest->domain, dest->path, REGISTRY_PUSH, "PUT", path, NULL,
                        img->manifest_media_type, manifest, len, NULL, SMALL_RESPONSE, &resp, err)
      < 0)
    return -1;
  if (resp.status != 201 && resp.status != 200)
    {
      _cleanup_free_ char *text = registry_error_text (&resp);
      registry_response_clear (&resp);
      return hk_error_set (err, EIO, "PUT manifest %s: %s", img->manifest_digest, text);
    }
  registry_response_clear (&resp);
  memcpy (digest, img->manifest_digest, DIGEST_STRING_SIZE);
  return 0;
}
