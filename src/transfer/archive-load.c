/* SPDX-License-Identifier: Apache-2.0 */
/* Loading docker-archive and oci-archive files.  The archive is read once,
 * front to back: each member goes into the command's scratch directory
 * while its sha256 is computed, so that blobs can then be adopted into the
 * store under the digest they were seen to have. */
#include "archive.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/image-config.h"
#include "store/image-record.h"
#include "layer-path.h"
#include "layer.h"
#include "store/manifest.h"
#include "store/reference.h"
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MEMBERS_MAX 100000
#define DOC_MAX     (8 * 1024 * 1024)

struct member
{
  char *name;   /* clean path in the archive */
  char *tmp;    /* file in the scratch directory; NULL for links */
  char *target; /* symlink or hard link: the clean path it names */
  char digest[DIGEST_STRING_SIZE];
  uint64_t size;
  bool adopted;
};

struct loader
{
  struct store *s;
  struct member *members;
  size_t n;
};

static void
loader_clear (struct loader *l)
{
  for (size_t i = 0; i < l->n; i++)
    {
      if (l->members[i].tmp && !l->members[i].adopted)
        unlinkat (l->s->tmp_fd, l->members[i].tmp, 0);
      free (l->members[i].name);
      free (l->members[i].tmp);
      free (l->members[i].target);
    }
  free (l->members);
}

/* Joins DIR and a relative TARGET and resolves ".." without ever leaving
 * the archive's root. */
static int
resolve_relative (const char *dir, const char *target, char **out, struct hk_error **err)
{
  if (target[0] == '/')
    return layer_path_clean (target + 1, out, err);
  _cleanup_free_ char *joined = *dir ? xasprintf ("%s/%s", dir, target) : xstrdup (target);
  char **parts = xzalloc (sizeof (char *));
  _cleanup_strv_ char **owned = parts;
  char *save = NULL;
  for (char *c = strtok_r (joined, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          size_t n = strv_length (owned);
          if (n == 0)
            return hk_error_set (err, EPERM, "link `%s` leaves the archive", target);
          free (owned[n - 1]);
          owned[n - 1] = NULL;
          continue;
        }
      strv_append (&owned, c);
    }
  size_t total = 1;
  for (size_t i = 0; owned[i]; i++)
    total += strlen (owned[i]) + 1;
  char *r = xzalloc (total);
  for (size_t i = 0; owned[i]; i++)
    {
      if (i)
        strcat (r, "/");
      strcat (r, owned[i]);
    }
  *out = r;
  return 0;
}

static int
read_member (struct loader *l, struct archive *a, struct archive_entry *e, const char *name,
             struct hk_error **err)
{
  if (l->n >= MEMBERS_MAX)
    return hk_error_set (err, EFBIG, "more than %d members", MEMBERS_MAX);
  l->members = xreallocarray (l->members, l->n + 1, sizeof *l->members);
  struct member *m = &l->members[l->n];
  memset (m, 0, sizeof *m);
  m->name = xstrdup (name);
  l->n++;
  const char *hard = archive_entry_hardlink (e);
  mode_t type = archive_entry_filetype (e);
  if (hard != NULL || type == AE_IFLNK)
    {
      _cleanup_free_ char *dir = xstrdup (name);
      char *slash = strrchr (dir, '/');
      if (slash)
        *slash = '\0';
      else
        *dir = '\0';
      if (hard != NULL)
        return layer_path_clean (hard, &m->target, err);
      return resolve_relative (dir, archive_entry_symlink (e) ? archive_entry_symlink (e) : "",
                               &m->target, err);
    }
  m->tmp = xasprintf ("member-%zu-%08x", l->n, (unsigned)arc4random ());
  _cleanup_close_ int fd
      = openat (l->s->tmp_fd, m->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return hk_error_errno (err, errno, "create `tmp/%s`", m->tmp);
  struct sha256 h;
  sha256_init (&h);
  _cleanup_free_ char *buf = xmalloc (1 << 20);
  for (;;)
    {
      la_ssize_t n = archive_read_data (a, buf, 1 << 20);
      if (n < 0)
        {
          sha256_release (&h);
          return hk_error_set (err, EIO, "read: %s", archive_error_string (a));
        }
      if (n == 0)
        break;
      sha256_update (&h, buf, (size_t)n);
      m->size += (uint64_t)n;
      if (fs_write_all (fd, buf, (size_t)n) < 0)
        {
          sha256_release (&h);
          return hk_error_errno (err, errno, "write `tmp/%s`", m->tmp);
        }
    }
  sha256_final (&h, m->digest);
  return 0;
}

static int
read_archive (struct loader *l, int fd, struct hk_error **err)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_bzip2 (a);
  archive_read_support_format_tar (a);
  int r = 0;
  if (archive_read_open_fd (a, fd, 1 << 20) != ARCHIVE_OK)
    {
      r = hk_error_set (err, EIO, "not an archive: %s", archive_error_string (a));
      goto out;
    }
  for (;;)
    {
      struct archive_entry *e;
      int h = archive_read_next_header (a, &e);
      if (h == ARCHIVE_EOF)
        break;
      if (h < ARCHIVE_WARN)
        {
          r = hk_error_set (err, EIO, "read archive: %s", archive_error_string (a));
          break;
        }
      const char *raw = archive_entry_pathname (e);
      _cleanup_free_ char *name = NULL;
      if (raw == NULL || layer_path_clean (raw, &name, err) < 0)
        {
          r = hk_error_prefix (err, "archive entry `%s`", raw ? raw : "");
          break;
        }
      mode_t type = archive_entry_filetype (e);
      if (*name == '\0' || (type == AE_IFDIR && archive_entry_hardlink (e) == NULL))
        continue;
      if (type != AE_IFREG && type != AE_IFLNK)
        continue;
      if (read_member (l, a, e, name, err) < 0)
        {
          r = hk_error_prefix (err, "archive entry `%s`", raw);
          break;
        }
    }
out:
  archive_read_free (a);
  return r;
}

/* The regular member NAME names, through links. */
static struct member *
find_member (struct loader *l, const char *name)
{
  _cleanup_free_ char *want = xstrdup (name);
  for (int hops = 0; hops < 16; hops++)
    {
      struct member *found = NULL;
      for (size_t i = l->n; i-- > 0;)
        if (strcmp (l->members[i].name, want) == 0)
          {
            found = &l->members[i];
            break;
          }
      if (found == NULL || found->tmp != NULL)
        return found;
      free (want);
      want = xstrdup (found->target);
    }
  return NULL;
}

static int
member_text (struct loader *l, struct member *m, char **text, size_t *len, struct hk_error **err)
{
  if (m->size > DOC_MAX)
    return hk_error_set (err, EFBIG, "archive member `%s` is larger than %d bytes", m->name,
                         DOC_MAX);
  if (fs_read_file (l->s->tmp_fd, m->tmp, DOC_MAX, text, len, err) < 0)
    return hk_error_prefix (err, "archive member `%s`", m->name);
  return 0;
}

static int
adopt (struct loader *l, struct member *m, struct hk_error **err)
{
  if (m->adopted)
    return 0;
  /* Two names may point at one member; the file moves once. */
  if (store_blob_adopt (l->s, m->tmp, m->digest, err) < 0)
    return -1;
  m->adopted = true;
  return 0;
}

static enum layer_compression
blob_compression (struct store *s, const char *digest)
{
  _cleanup_error_ struct hk_error *ignored = NULL;
  _cleanup_close_ int fd = store_blob_open (s, digest, &ignored);
  unsigned char head[8] = { 0 };
  ssize_t n = fd >= 0 ? read (fd, head, sizeof head) : 0;
  return layer_compression_sniff (head, n > 0 ? (size_t)n : 0);
}

/* Adopts and unpacks the layers LAYER_MEMBERS against the config's
 * DiffIDs, filling LAYERS. */
static int
unpack_layers (struct loader *l, struct member **layer_members, size_t n,
               const struct image_config *config, struct image_record_layer *layers,
               struct hk_error **err)
{
  if (config->n_diff_ids != n)
    return hk_error_set (err, EINVAL, "the config lists %zu layers, the archive %zu",
                         config->n_diff_ids, n);
  const char *parent = NULL;
  for (size_t i = 0; i < n; i++)
    {
      struct member *m = layer_members[i];
      if (adopt (l, m, err) < 0)
        return -1;
      enum layer_compression c;
      if (image_unpack_blob (l->s, m->digest, parent, config->diff_ids[i], &layers[i].info, &c, err)
          < 0)
        return hk_error_prefix (err, "archive member `%s`", m->name);
      memcpy (layers[i].blob_digest, m->digest, DIGEST_STRING_SIZE);
      layers[i].blob_size = (int64_t)m->size;
      layers[i].media_type = media_type_layer_for (blob_compression (l->s, m->digest));
      parent = layers[i].info.chain_id;
    }
  return 0;
}

static void
add_loaded (struct archive_loaded **out, size_t *n, const char *id, char **tags)
{
  *out = xreallocarray (*out, *n + 1, sizeof **out);
  memcpy ((*out)[*n].id, id, DIGEST_STRING_SIZE);
  (*out)[*n].tags = tags;
  (*n)++;
}

static int
load_docker_entry (struct loader *l, json_t *entry, size_t index, struct archive_loaded **out,
                   size_t *n_out, struct hk_error **err)
{
  _cleanup_free_ char *path = json_path_index ("manifest.json", index);
  _cleanup_free_ char *config_name = NULL;
  _cleanup_strv_ char **repo_tags = NULL;
  _cleanup_strv_ char **layer_names = NULL;
  if (!json_is_object (entry))
    return hk_error_set (err, EINVAL, "%s: expected an object", path);
  if (json_require (entry, path, "Config", err) < 0
      || json_get_string (entry, path, "Config", &config_name, err) < 0
      || json_get_strv (entry, path, "RepoTags", &repo_tags, err) < 0
      || json_get_strv (entry, path, "Layers", &layer_names, err) < 0)
    return -1;
  _cleanup_free_ char *clean = NULL;
  if (layer_path_clean (config_name, &clean, err) < 0)
    return hk_error_prefix (err, "%s.Config", path);
  struct member *cm = find_member (l, clean);
  if (cm == NULL)
    return hk_error_set (err, ENOENT, "%s.Config: no member `%s` in the archive", path,
                         config_name);
  _cleanup_free_ char *config_text = NULL;
  size_t config_len;
  _cleanup_image_config_ struct image_config *config = NULL;
  if (member_text (l, cm, &config_text, &config_len, err) < 0
      || image_config_parse (config_text, config_len, &config, err) < 0)
    return hk_error_prefix (err, "%s", path);

  size_t n = strv_length (layer_names);
  _cleanup_free_ struct member **lm = xzalloc ((n + 1) * sizeof *lm);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *lc = NULL;
      if (layer_path_clean (layer_names[i], &lc, err) < 0)
        return hk_error_prefix (err, "%s.Layers[%zu]", path, i);
      lm[i] = find_member (l, lc);
      if (lm[i] == NULL)
        return hk_error_set (err, ENOENT, "%s.Layers[%zu]: no member `%s` in the archive", path, i,
                             layer_names[i]);
    }
  _cleanup_free_ struct image_record_layer *layers = xzalloc ((n + 1) * sizeof *layers);
  if (unpack_layers (l, lm, n, config, layers, err) < 0)
    return hk_error_prefix (err, "%s", path);

  char **tags = xzalloc (sizeof (char *));
  for (size_t i = 0; repo_tags && repo_tags[i]; i++)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse (repo_tags[i], &ref, err) < 0)
        {
          strv_free (tags);
          return hk_error_prefix (err, "%s.RepoTags[%zu]", path, i);
        }
      strv_append_take (&tags, image_ref_string (ref));
    }
  char id[DIGEST_STRING_SIZE];
  if (image_record_config_text (l->s, config_text, config_len, layers, n, tags, id, err) < 0)
    {
      strv_free (tags);
      return -1;
    }
  add_loaded (out, n_out, id, tags);
  return 0;
}

static struct member *
blob_member (struct loader *l, const char *digest, int64_t size, struct hk_error **err)
{
  _cleanup_free_ char *name = xasprintf ("blobs/sha256/%s", digest_hex (digest));
  struct member *m = find_member (l, name);
  if (m == NULL)
    {
      hk_error_set (err, ENOENT, "blob %s is not in the archive", digest);
      return NULL;
    }
  if (strcmp (m->digest, digest) != 0)
    {
      hk_error_set (err, EIO, "blob %s in the archive has digest %s: refused", digest, m->digest);
      return NULL;
    }
  if (size >= 0 && m->size != (uint64_t)size)
    {
      hk_error_set (err, EIO, "blob %s in the archive has %llu bytes, its descriptor says %lld",
                    digest, (unsigned long long)m->size, (long long)size);
      return NULL;
    }
  return m;
}

/* The name an OCI layout gives an image: containerd's annotation, or a
 * ref.name that is a whole reference (a bare tag names nothing). */
static char *
oci_image_name (const struct descriptor *d, json_t *raw)
{
  json_t *ann = json_object_get (raw, "annotations");
  const char *cname = json_string_value (json_object_get (ann, "io.containerd.image.name"));
  const char *ref = cname ? cname : d->ref_name;
  if (ref == NULL || (strchr (ref, '/') == NULL && strchr (ref, ':') == NULL))
    return NULL;
  _cleanup_image_ref_ struct image_ref *parsed = NULL;
  if (image_ref_parse (ref, &parsed, NULL) < 0 || parsed->digest)
    return NULL;
  return image_ref_string (parsed);
}

static int
load_oci_manifest (struct loader *l, const struct descriptor *d, const char *name,
                   struct archive_loaded **out, size_t *n_out, struct hk_error **err)
{
  struct member *mm = blob_member (l, d->digest, d->size, err);
  if (mm == NULL)
    return -1;
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_image_manifest_ struct image_manifest *m = NULL;
  if (member_text (l, mm, &text, &len, err) < 0 || image_manifest_parse (text, len, &m, err) < 0)
    return hk_error_prefix (err, "manifest %s", d->digest);
  struct member *cm = blob_member (l, m->config.digest, m->config.size, err);
  if (cm == NULL)
    return -1;
  _cleanup_free_ char *config_text = NULL;
  size_t config_len;
  _cleanup_image_config_ struct image_config *config = NULL;
  if (member_text (l, cm, &config_text, &config_len, err) < 0
      || image_config_parse (config_text, config_len, &config, err) < 0)
    return hk_error_prefix (err, "config %s", m->config.digest);
  _cleanup_free_ struct member **lm = xzalloc ((m->n_layers + 1) * sizeof *lm);
  for (size_t i = 0; i < m->n_layers; i++)
    if ((lm[i] = blob_member (l, m->layers[i].digest, m->layers[i].size, err)) == NULL)
      return -1;
  _cleanup_free_ struct image_record_layer *layers = xzalloc ((m->n_layers + 1) * sizeof *layers);
  if (unpack_layers (l, lm, m->n_layers, config, layers, err) < 0)
    return hk_error_prefix (err, "manifest %s", d->digest);

  /* Keep the manifest as it is, so that the image pushes unchanged. */
  char digest[DIGEST_STRING_SIZE];
  if (store_blob_put (l->s, text, len, digest, err) < 0
      || store_blob_put (l->s, config_text, config_len, digest, err) < 0)
    return -1;
  struct store_image img = { 0 };
  memcpy (img.id, m->config.digest, DIGEST_STRING_SIZE);
  memcpy (img.manifest_digest, d->digest, DIGEST_STRING_SIZE);
  img.manifest_media_type = m->media_type ? m->media_type : (char *)MEDIA_OCI_MANIFEST;
  img.created = config->created;
  img.architecture = config->architecture;
  img.os = config->os;
  _cleanup_free_ struct store_image_layer *sl = xzalloc ((m->n_layers + 1) * sizeof *sl);
  for (size_t i = 0; i < m->n_layers; i++)
    {
      memcpy (sl[i].chain_id, layers[i].info.chain_id, DIGEST_STRING_SIZE);
      memcpy (sl[i].diff_id, layers[i].info.diff_id, DIGEST_STRING_SIZE);
      memcpy (sl[i].blob_digest, m->layers[i].digest, DIGEST_STRING_SIZE);
      sl[i].media_type = m->layers[i].media_type;
      sl[i].blob_size = m->layers[i].size;
      sl[i].size = layers[i].info.size;
    }
  img.layers = sl;
  img.n_layers = m->n_layers;
  if (store_image_add (l->s, &img, name, NULL, NULL, err) < 0)
    return -1;
  char **tags = xzalloc (sizeof (char *));
  if (name)
    strv_append (&tags, name);
  add_loaded (out, n_out, img.id, tags);
  return 0;
}

static int
load_oci (struct loader *l, struct member *index_member, const struct platform *platform,
          struct archive_loaded **out, size_t *n_out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_image_index_ struct image_index *idx = NULL;
  _cleanup_json_ json_t *raw = NULL;
  if (member_text (l, index_member, &text, &len, err) < 0
      || image_index_parse (text, len, &idx, err) < 0
      || json_parse_object (text, len, "index.json", &raw, err) < 0)
    return hk_error_prefix (err, "index.json");
  json_t *list = json_object_get (raw, "manifests");
  for (size_t i = 0; i < idx->n_manifests; i++)
    {
      const struct descriptor *d = &idx->manifests[i];
      _cleanup_free_ char *name = oci_image_name (d, json_array_get (list, i));
      enum manifest_kind kind = manifest_kind_of_media_type (d->media_type);
      if (kind == MANIFEST_KIND_INDEX)
        {
          struct member *im = blob_member (l, d->digest, d->size, err);
          if (im == NULL)
            return -1;
          _cleanup_free_ char *itext = NULL;
          size_t ilen;
          _cleanup_image_index_ struct image_index *inner = NULL;
          const struct descriptor *chosen;
          if (member_text (l, im, &itext, &ilen, err) < 0
              || image_index_parse (itext, ilen, &inner, err) < 0
              || image_index_select (inner, platform, &chosen, err) < 0)
            return hk_error_prefix (err, "index %s", d->digest);
          if (load_oci_manifest (l, chosen, name, out, n_out, err) < 0)
            return -1;
        }
      else if (kind == MANIFEST_KIND_MANIFEST)
        {
          if (load_oci_manifest (l, d, name, out, n_out, err) < 0)
            return -1;
        }
      else
        return hk_error_set (err, ENOTSUP,
                             "index.json: manifests[%zu]: unsupported media type "
                             "`%s`",
                             i, d->media_type);
    }
  return 0;
}

void
archive_loaded_free (struct archive_loaded *loaded, size_t n)
{
  for (size_t i = 0; i < n; i++)
    strv_free (loaded[i].tags);
  free (loaded);
}

static int
load_locked (struct store *s, int fd, const struct platform *platform,
             struct archive_loaded **loaded, size_t *n, struct hk_error **err)
{
  struct loader l = { .s = s };
  int r = read_archive (&l, fd, err);
  if (r == 0)
    {
      struct member *manifest = find_member (&l, "manifest.json");
      struct member *index = find_member (&l, "index.json");
      if (manifest != NULL)
        {
          _cleanup_free_ char *text = NULL;
          size_t len;
          _cleanup_json_ json_t *doc = NULL;
          json_error_t jerr;
          r = member_text (&l, manifest, &text, &len, err);
          if (r == 0 && (doc = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
            r = hk_error_set (err, EINVAL, "manifest.json: not valid JSON: %s", jerr.text);
          else if (r == 0 && !json_is_array (doc))
            r = hk_error_set (err, EINVAL, "manifest.json: expected an array");
          for (size_t i = 0; r == 0 && i < json_array_size (doc); i++)
            r = load_docker_entry (&l, json_array_get (doc, i), i, loaded, n, err);
        }
      else if (index != NULL)
        r = load_oci (&l, index, platform, loaded, n, err);
      else
        r = hk_error_set (err, EINVAL,
                          "neither manifest.json (docker-archive) nor index.json "
                          "(oci-archive) in the archive");
    }
  loader_clear (&l);
  return r;
}

int
archive_load (struct store *s, int fd, const struct platform *platform,
              struct archive_loaded **loaded, size_t *n, struct hk_error **err)
{
  struct platform host = { 0 };
  if (platform == NULL)
    {
      platform_host (&host);
      platform = &host;
    }
  *loaded = NULL;
  *n = 0;
  int r = store_content_begin (s, err);
  if (r == 0)
    {
      r = load_locked (s, fd, platform, loaded, n, err);
      store_content_end (s);
    }
  platform_clear (&host);
  if (r < 0)
    {
      archive_loaded_free (*loaded, *n);
      *loaded = NULL;
      *n = 0;
      return hk_error_prefix (err, "load");
    }
  return 0;
}
