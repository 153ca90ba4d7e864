/* SPDX-License-Identifier: Apache-2.0 */
#include "pull.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/image-config.h"
#include "layer.h"
#include "store/manifest.h"
#include "store/reference.h"
#include "registry-transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

void
pull_result_clear (struct pull_result *r)
{
  free (r->reference);
  r->reference = NULL;
}

enum layer_phase
{
  LAYER_WAIT_BLOB,
  LAYER_WAIT_LOCK,
  LAYER_EXTRACTING,
  LAYER_READY,
};

struct pull_layer
{
  const struct descriptor *desc;
  const char *diff_id;
  char chain[DIGEST_STRING_SIZE];
  char parent[DIGEST_STRING_SIZE];
  size_t line;
  enum layer_phase phase;
  bool blob_ready;
  struct layer_info info;

  /* the extraction thread */
  pthread_t thread;
  atomic_bool finished;
  int blob_fd;
  int scratch_fd;
  char *scratch;
  struct layer_extract_result res;
  struct hk_error *error;
  CURLM *wake;
};

struct pull
{
  struct store *s;
  struct registry_client *c;
  struct progress *progress;
  struct pull_layer *layers;
  size_t n;
  int extracting;
  int max_extracting;
  bool fetched_any;
};

static void *
extract_thread (void *opaque)
{
  struct pull_layer *l = opaque;
  layer_extract_fd (l->scratch_fd, l->blob_fd, &l->res, &l->error);
  atomic_store (&l->finished, true);
  curl_multi_wakeup (l->wake);
  return NULL;
}

static void
layer_ready (struct pull *p, struct pull_layer *l, const char *status)
{
  l->phase = LAYER_READY;
  progress_status (p->progress, l->line, status);
}

/* Starts the extraction of L if its blob is in and a thread is free. */
static int
maybe_start (struct pull *p, struct pull_layer *l, struct hk_error **err)
{
  if (!l->blob_ready || (l->phase != LAYER_WAIT_BLOB && l->phase != LAYER_WAIT_LOCK))
    return 0;
  if (store_layer_exists (p->s, l->chain))
    {
      layer_ready (p, l, "Already exists");
      return store_layer_get (p->s, l->chain, &l->info, err);
    }
  if (p->extracting >= p->max_extracting)
    return 0;
  int r = store_digest_lock (p->s, STORE_LOCK_LAYER, l->chain, true, err);
  if (r < 0)
    return -1;
  if (r == 0)
    {
      if (l->phase != LAYER_WAIT_LOCK)
        progress_status (p->progress, l->line, "Waiting for another extraction");
      l->phase = LAYER_WAIT_LOCK;
      return 0;
    }
  if (store_layer_exists (p->s, l->chain))
    {
      store_digest_unlock (p->s, STORE_LOCK_LAYER, l->chain);
      layer_ready (p, l, "Extracted by another pull");
      return store_layer_get (p->s, l->chain, &l->info, err);
    }
  l->blob_fd = store_blob_open (p->s, l->desc->digest, err);
  if (l->blob_fd < 0)
    goto fail;
  l->scratch_fd = store_layer_scratch (p->s, &l->scratch, err);
  if (l->scratch_fd < 0)
    goto fail;
  l->wake = registry_multi (p->c);
  if (pthread_create (&l->thread, NULL, extract_thread, l) != 0)
    {
      hk_error_errno (err, errno, "start an extraction thread");
      goto fail;
    }
  l->phase = LAYER_EXTRACTING;
  p->extracting++;
  progress_status (p->progress, l->line, "Extracting");
  return 0;
fail:
  store_digest_unlock (p->s, STORE_LOCK_LAYER, l->chain);
  return -1;
}

static int
end_extraction (struct pull *p, struct pull_layer *l, struct hk_error **err)
{
  pthread_join (l->thread, NULL);
  p->extracting--;
  close (l->blob_fd);
  close (l->scratch_fd);
  l->blob_fd = l->scratch_fd = -1;
  store_digest_unlock (p->s, STORE_LOCK_LAYER, l->chain);
  if (l->error != NULL)
    {
      hk_error_free (*err);
      *err = take_ptr (l->error);
      return hk_error_prefix (err, "extract layer %s", l->desc->digest);
    }
  if (strcmp (l->res.diff_id, l->diff_id) != 0)
    return hk_error_set (err, EIO,
                         "layer %s: uncompressed content has DiffID %s, the image config says %s: "
                         "refused",
                         l->desc->digest, l->res.diff_id, l->diff_id);
  memset (&l->info, 0, sizeof l->info);
  memcpy (l->info.chain_id, l->chain, DIGEST_STRING_SIZE);
  memcpy (l->info.diff_id, l->diff_id, DIGEST_STRING_SIZE);
  l->info.size = l->res.content_size;
  l->info.tar_size = l->res.tar_size;
  if (store_layer_commit (p->s, l->scratch, &l->info, *l->parent ? l->parent : NULL, err) < 0)
    return -1;
  free (l->scratch);
  l->scratch = NULL;
  layer_ready (p, l, "Pull complete");
  return 0;
}

static int
hook_blob_ready (void *opaque, struct blob_download *d, struct hk_error **err)
{
  struct pull *p = opaque;
  p->fetched_any = p->fetched_any || d->fetched;
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->layers[i].desc->digest, d->digest) == 0)
      p->layers[i].blob_ready = true;
  return 0;
}

static int
hook_poll (void *opaque, struct hk_error **err)
{
  struct pull *p = opaque;
  int busy = 0;
  for (size_t i = 0; i < p->n; i++)
    {
      struct pull_layer *l = &p->layers[i];
      if (l->phase == LAYER_EXTRACTING && atomic_load (&l->finished)
          && end_extraction (p, l, err) < 0)
        return -1;
      if (maybe_start (p, l, err) < 0)
        return -1;
      if (l->phase != LAYER_READY)
        busy = 1;
    }
  return busy;
}

/* Waits for the extraction threads still running (after a failure). */
static void
reap_threads (struct pull *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      struct pull_layer *l = &p->layers[i];
      if (l->phase == LAYER_EXTRACTING)
        {
          pthread_join (l->thread, NULL);
          store_digest_unlock (p->s, STORE_LOCK_LAYER, l->chain);
          l->phase = LAYER_WAIT_BLOB;
        }
      if (l->blob_fd >= 0)
        close (l->blob_fd);
      if (l->scratch_fd >= 0)
        close (l->scratch_fd);
      if (l->scratch)
        {
          _cleanup_error_ struct hk_error *ignored = NULL;
          fs_remove_tree (p->s->tmp_fd, l->scratch, &ignored);
        }
      free (l->scratch);
      hk_error_free (l->error);
    }
}

/* GETs a manifest by tag or digest, checks its size and, when named by
 * digest, its digest. */
static int
fetch_manifest (struct registry_client *c, const struct image_ref *ref, const char *reference,
                char **body, size_t *len, char **media_type, enum manifest_kind *kind,
                char digest[DIGEST_STRING_SIZE], struct hk_error **err)
{
  _cleanup_free_ char *path = xasprintf ("manifests/%s", reference);
  struct registry_response resp = { 0 };
  if (registry_request (c, ref->domain, ref->path, REGISTRY_PULL, "GET", path, MANIFEST_ACCEPT,
                        NULL, NULL, 0, NULL, MANIFEST_MAX_SIZE, &resp, err)
      < 0)
    return hk_error_prefix (err, "manifest %s", reference);
  if (resp.status != 200)
    {
      _cleanup_free_ char *text = registry_error_text (&resp);
      long status = resp.status;
      registry_response_clear (&resp);
      return hk_error_set (err,
                           status == 404   ? ENOENT
                           : status == 401 ? EACCES
                                           : EIO,
                           "manifest %s: %s%s", reference, text,
                           status == 401 ? " (authentication required: hako login)" : "");
    }
  digest_of_buffer (resp.body, resp.len, digest);
  if (digest_is_valid (reference) && strcmp (digest, reference) != 0)
    {
      registry_response_clear (&resp);
      return hk_error_set (err, EIO, "manifest %s: content has digest %s: refused", reference,
                           digest);
    }
  if (resp.docker_digest && digest_is_valid (resp.docker_digest)
      && strcmp (resp.docker_digest, digest) != 0)
    {
      _cleanup_free_ char *said = xstrdup (resp.docker_digest);
      registry_response_clear (&resp);
      return hk_error_set (err, EIO,
                           "manifest %s: content has digest %s, the registry says %s: "
                           "refused",
                           reference, digest, said);
    }
  *kind = manifest_sniff (resp.body, resp.len, resp.content_type, media_type);
  *body = take_ptr (resp.body);
  *len = resp.len;
  registry_response_clear (&resp);
  return 0;
}

struct fetched
{
  char *index_body;
  size_t index_len;
  char index_digest[DIGEST_STRING_SIZE];
  char *body;
  size_t len;
  char *media_type;
  char digest[DIGEST_STRING_SIZE];
  struct image_manifest *manifest;
};

static void
fetched_clear (struct fetched *f)
{
  free (f->index_body);
  free (f->body);
  free (f->media_type);
  image_manifest_free (f->manifest);
}

static int
resolve_manifest (struct registry_client *c, const struct image_ref *ref,
                  const struct platform *platform, struct fetched *f, struct hk_error **err)
{
  const char *reference = ref->digest ? ref->digest : ref->tag;
  enum manifest_kind kind;
  if (fetch_manifest (c, ref, reference, &f->body, &f->len, &f->media_type, &kind, f->digest, err)
      < 0)
    return -1;
  if (kind == MANIFEST_KIND_INDEX)
    {
      _cleanup_image_index_ struct image_index *idx = NULL;
      const struct descriptor *chosen;
      if (image_index_parse (f->body, f->len, &idx, err) < 0
          || image_index_select (idx, platform, &chosen, err) < 0)
        return hk_error_prefix (err, "index %s", f->digest);
      f->index_body = take_ptr (f->body);
      f->index_len = f->len;
      memcpy (f->index_digest, f->digest, DIGEST_STRING_SIZE);
      free (f->media_type);
      f->media_type = NULL;
      _cleanup_free_ char *want = xstrdup (chosen->digest);
      if (fetch_manifest (c, ref, want, &f->body, &f->len, &f->media_type, &kind, f->digest, err)
          < 0)
        return -1;
    }
  if (kind == MANIFEST_KIND_SCHEMA1)
    return hk_error_set (err, ENOTSUP,
                         "manifest %s: Docker schema 1 manifests are not supported "
                         "(deprecated since 2017)",
                         f->digest);
  if (kind != MANIFEST_KIND_MANIFEST)
    return hk_error_set (err, ENOTSUP, "manifest %s: unsupported media type `%s`", f->digest,
                         f->media_type ? f->media_type : "(none)");
  if (image_manifest_parse (f->body, f->len, &f->manifest, err) < 0)
    return hk_error_prefix (err, "manifest %s", f->digest);
  return 0;
}

static int
noop_blob_ready (void *opaque, struct blob_download *d, struct hk_error **err)
{
  return 0;
}

static int
noop_poll (void *opaque, struct hk_error **err)
{
  return 0;
}

/* The config, into the store and parsed. */
static int
fetch_config (struct store *s, struct registry_client *c, const struct image_ref *ref,
              const struct descriptor *d, struct image_config **config, char **text, size_t *len,
              struct hk_error **err)
{
  if (!store_blob_exists (s, d->digest))
    {
      struct blob_download dl = { .size = d->size };
      memcpy (dl.digest, d->digest, DIGEST_STRING_SIZE);
      struct progress *pr = progress_new (NULL, false);
      progress_add (pr, d->digest, "config");
      struct download_hooks hooks = { .blob_ready = noop_blob_ready, .poll = noop_poll };
      int r = registry_download_blobs (c, s, ref->domain, ref->path, &dl, 1, pr, &hooks, err);
      progress_free (pr);
      if (r < 0)
        return hk_error_prefix (err, "config");
    }
  if (store_blob_read (s, d->digest, CONFIG_MAX_SIZE, text, len, err) < 0
      || image_config_parse (*text, *len, config, err) < 0)
    return hk_error_prefix (err, "config %s", d->digest);
  return 0;
}

static int
pull_layers (struct pull *p, const struct image_ref *ref, struct hk_error **err)
{
  /* One download per distinct blob. */
  _cleanup_free_ struct blob_download *dls = xzalloc ((p->n + 1) * sizeof *dls);
  size_t n_dl = 0;
  for (size_t i = 0; i < p->n; i++)
    {
      struct pull_layer *l = &p->layers[i];
      bool dup = false;
      for (size_t k = 0; k < n_dl; k++)
        dup = dup || strcmp (dls[k].digest, l->desc->digest) == 0;
      if (dup)
        continue;
      memcpy (dls[n_dl].digest, l->desc->digest, DIGEST_STRING_SIZE);
      dls[n_dl].size = l->desc->size;
      dls[n_dl].progress_line = l->line;
      n_dl++;
    }
  struct download_hooks hooks = { .opaque = p, .blob_ready = hook_blob_ready, .poll = hook_poll };
  return registry_download_blobs (p->c, p->s, ref->domain, ref->path, dls, n_dl, p->progress,
                                  &hooks, err);
}

static int
record (struct store *s, const struct image_ref *ref, struct fetched *f, const char *config_id,
        const struct image_config *config, struct pull *p, struct pull_result *result,
        struct hk_error **err)
{
  char digest[DIGEST_STRING_SIZE];
  if (store_blob_put (s, f->body, f->len, digest, err) < 0)
    return hk_error_prefix (err, "store manifest");
  char *extra[2] = { NULL, NULL };
  if (f->index_body != NULL)
    {
      if (store_blob_put (s, f->index_body, f->index_len, digest, err) < 0)
        return hk_error_prefix (err, "store index");
      extra[0] = f->index_digest;
    }
  struct store_image img = { 0 };
  memcpy (img.id, config_id, DIGEST_STRING_SIZE);
  memcpy (img.manifest_digest, f->digest, DIGEST_STRING_SIZE);
  img.manifest_media_type = f->media_type;
  img.created = config->created;
  img.architecture = config->architecture;
  img.os = config->os;
  _cleanup_free_ struct store_image_layer *sl = xzalloc ((p->n + 1) * sizeof *sl);
  for (size_t i = 0; i < p->n; i++)
    {
      memcpy (sl[i].chain_id, p->layers[i].chain, DIGEST_STRING_SIZE);
      memcpy (sl[i].diff_id, p->layers[i].diff_id, DIGEST_STRING_SIZE);
      memcpy (sl[i].blob_digest, p->layers[i].desc->digest, DIGEST_STRING_SIZE);
      sl[i].media_type = p->layers[i].desc->media_type;
      sl[i].blob_size = p->layers[i].desc->size;
      sl[i].size = p->layers[i].info.size;
    }
  img.layers = sl;
  img.n_layers = p->n;
  _cleanup_free_ char *repo = image_ref_repository (ref);
  const char *pulled = f->index_body ? f->index_digest : f->digest;
  _cleanup_free_ char *repo_digest = xasprintf ("%s@%s", repo, pulled);
  _cleanup_free_ char *tag = ref->tag && !ref->digest ? xasprintf ("%s:%s", repo, ref->tag) : NULL;
  if (store_image_add (s, &img, tag, repo_digest, extra, err) < 0)
    return -1;
  memcpy (result->id, config_id, DIGEST_STRING_SIZE);
  memcpy (result->digest, pulled, DIGEST_STRING_SIZE);
  return 0;
}

/* *FOUND says whether the registry had the manifest: only before that
 * does a failure move on to the next registry of the search list. */
static int
pull_one (struct store *s, struct registry_client *c, const struct image_ref *ref,
          const struct pull_options *o, struct pull_result *result, bool *found,
          struct hk_error **err)
{
  struct platform host = { 0 };
  const struct platform *platform = o->platform;
  if (platform == NULL)
    {
      platform_host (&host);
      platform = &host;
    }
  struct fetched f = { 0 };
  _cleanup_image_config_ struct image_config *config = NULL;
  _cleanup_free_ char *config_text = NULL;
  size_t config_len = 0;
  struct pull p = { .s = s, .c = c };
  int r = -1;
  *found = false;
  if (resolve_manifest (c, ref, platform, &f, err) < 0)
    goto out;
  *found = true;
  if (store_content_begin (s, err) < 0)
    goto out;
  if (fetch_config (s, c, ref, &f.manifest->config, &config, &config_text, &config_len, err) < 0)
    goto out_content;
  if (config->n_diff_ids != f.manifest->n_layers)
    {
      hk_error_set (err, EINVAL, "config %s lists %zu layers, manifest %s has %zu",
                    f.manifest->config.digest, config->n_diff_ids, f.digest, f.manifest->n_layers);
      goto out_content;
    }
  if (o->platform != NULL && config->architecture
      && strcmp (config->architecture, platform->architecture) != 0)
    hk_warn (registry_log (c), "image platform %s/%s does not match the requested %s/%s",
             config->os ? config->os : "?", config->architecture, platform->os,
             platform->architecture);

  p.progress = progress_new (o->progress, o->progress_tty);
  p.n = f.manifest->n_layers;
  p.layers = xzalloc ((p.n + 1) * sizeof *p.layers);
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  p.max_extracting = cpus > 1 ? (int)cpus : 1;
  for (size_t i = 0; i < p.n; i++)
    {
      struct pull_layer *l = &p.layers[i];
      l->desc = &f.manifest->layers[i];
      l->diff_id = config->diff_ids[i];
      l->blob_fd = l->scratch_fd = -1;
      if (i > 0)
        memcpy (l->parent, p.layers[i - 1].chain, DIGEST_STRING_SIZE);
      layer_chain_id (i > 0 ? l->parent : NULL, l->diff_id, l->chain);
      l->line = progress_add (p.progress, l->desc->digest, "Pulling fs layer");
    }
  r = pull_layers (&p, ref, err);
  reap_threads (&p);
  progress_finish (p.progress);
  if (r == 0)
    r = record (s, ref, &f, f.manifest->config.digest, config, &p, result, err);
  result->downloaded = p.fetched_any;
out_content:
  store_content_end (s);
out:
  free (p.layers);
  progress_free (p.progress);
  fetched_clear (&f);
  platform_clear (&host);
  return r;
}

int
image_pull (struct store *s, struct registry_client *c, const char *name,
            const struct pull_options *o, struct pull_result *result, struct hk_error **err)
{
  memset (result, 0, sizeof *result);
  static char *const docker_only[] = { (char *)REFERENCE_DEFAULT_DOMAIN, NULL };
  char *const *search = o->search && o->search[0] ? o->search : docker_only;
  bool qualified = image_ref_names_domain (name);
  size_t candidates = qualified ? 1 : strv_length (search);
  _cleanup_error_ struct hk_error *last = NULL;
  for (size_t i = 0; i < candidates; i++)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse_in (name, qualified ? NULL : search[i], &ref, err) < 0)
        return -1;
      _cleanup_free_ char *full = image_ref_string (ref);
      _cleanup_error_ struct hk_error *this = NULL;
      bool found = false;
      if (pull_one (s, c, ref, o, result, &found, &this) == 0)
        {
          result->reference = take_ptr (full);
          return 0;
        }
      hk_error_prefix (&this, "pull `%s`", full);
      if (found || candidates == 1)
        {
          *err = take_ptr (this);
          return -1;
        }
      /* Not found (or unreachable) here: note it and try the next
       * registry of the search list; report every registry at the end. */
      if (last == NULL)
        last = take_ptr (this);
      else
        {
          char *joined = xasprintf ("%s; %s", last->message, this->message);
          free (last->message);
          last->message = joined;
        }
    }
  *err = take_ptr (last);
  return -1;
}
