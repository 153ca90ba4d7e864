/* SPDX-License-Identifier: Apache-2.0 */
/* The export file of a checkpoint (checkpoint-archive.h). */
#include "checkpoint-archive.h"
#include "tar-entry.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"
#include "store/digest.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST "manifest.json"
#define ROOTFS "rootfs.tar"
#define IMAGES_PREFIX "checkpoint/"
#define VOLUMES_PREFIX "volumes/"
#define VOLUME_SUFFIX ".tar"
#define IO_BUFFER (128 << 10)

void
checkpoint_manifest_clear (struct checkpoint_manifest *m)
{
  free (m->name);
  free (m->image);
  free (m->image_id);
  free (m->checkpointed_at);
  json_decref (m->config);
  strv_free (m->volumes);
  *m = (struct checkpoint_manifest){ 0 };
}

static int
check_image_id (const char *id, struct hk_error **err)
{
  size_t n = strlen ("sha256:");
  if (strncmp (id, "sha256:", n) != 0 || strlen (id + n) != 64
      || strspn (id + n, "0123456789abcdef") != 64)
    return hk_error_set (err, EINVAL, "imageId `%s` is not sha256:<64 hex digits>", id);
  return 0;
}

/* "volumes": names a volume may have, none twice. */
static int
check_volumes (char **volumes, struct hk_error **err)
{
  for (size_t i = 0; volumes != NULL && volumes[i] != NULL; i++)
    {
      if (config_check_volume_name (volumes[i], err) < 0)
        return hk_error_prefix (err, "volumes");
      for (size_t j = 0; j < i; j++)
        if (strcmp (volumes[i], volumes[j]) == 0)
          return hk_error_set (err, EINVAL, "volumes: %s comes twice", volumes[i]);
    }
  return 0;
}

static int
manifest_from_json (json_t *doc, struct checkpoint_manifest *m, struct hk_error **err)
{
  _cleanup_free_ char *format = NULL;
  int64_t version;
  if (json_get_string (doc, "", "format", &format, err) < 0 || format == NULL)
    return format ? -1 : hk_error_set (err, EINVAL, "format: required");
  if (strcmp (format, CHECKPOINT_FORMAT) != 0)
    return hk_error_set (err, EINVAL, "format is `%s`, not `%s`", format, CHECKPOINT_FORMAT);
  if (json_require (doc, "", "version", err) < 0
      || json_get_int64 (doc, "", "version", &version, err) < 0)
    return -1;
  if (version > CHECKPOINT_VERSION)
    return hk_error_set (err, ENOTSUP, "it was made by a newer hako (format version %lld; "
                         "this one reads version %d)", (long long)version, CHECKPOINT_VERSION);
  if (version < 1)
    return hk_error_set (err, EINVAL, "version %lld is not a version", (long long)version);
  const char *required[] = { "name", "image", "imageId", "checkpointedAt", "config" };
  for (size_t i = 0; i < sizeof required / sizeof *required; i++)
    if (json_require (doc, "", required[i], err) < 0)
      return -1;
  if (json_get_string (doc, "", "name", &m->name, err) < 0
      || json_get_string (doc, "", "image", &m->image, err) < 0
      || json_get_string (doc, "", "imageId", &m->image_id, err) < 0
      || json_get_string (doc, "", "checkpointedAt", &m->checkpointed_at, err) < 0
      || json_get_object (doc, "", "config", &m->config, err) < 0)
    return -1;
  json_incref (m->config);
  if (json_get_strv (doc, "", "volumes", &m->volumes, err) < 0)
    return -1;
  return check_image_id (m->image_id, err) < 0 ? -1 : check_volumes (m->volumes, err);
}

int
checkpoint_manifest_parse (const char *text, size_t len, struct checkpoint_manifest *m,
                           struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  *m = (struct checkpoint_manifest){ 0 };
  if (json_parse_object (text, len, MANIFEST, &doc, err) < 0)
    return -1;
  if (manifest_from_json (doc, m, err) < 0)
    {
      checkpoint_manifest_clear (m);
      return hk_error_prefix (err, "the checkpoint's %s", MANIFEST);
    }
  return 0;
}

char *
checkpoint_manifest_format (const struct checkpoint_manifest *m)
{
  _cleanup_json_ json_t *doc = json_pack ("{s:s, s:i, s:s, s:s, s:s, s:s, s:O}",
                                          "format", CHECKPOINT_FORMAT,
                                          "version", CHECKPOINT_VERSION,
                                          "name", m->name, "image", m->image,
                                          "imageId", m->image_id,
                                          "checkpointedAt", m->checkpointed_at,
                                          "config", m->config);
  if (m->volumes != NULL)
    json_object_set_new (doc, "volumes", json_from_strv (m->volumes));
  return json_to_string (doc, true);
}

/* --- writing --- */

static int
write_failure (struct archive *a, const char *what, struct hk_error **err)
{
  const char *msg = archive_error_string (a);
  return hk_error_set (err, EIO, "write the checkpoint archive (%s): %s", what,
                       msg ? msg : "unknown libarchive error");
}

static int
write_header (struct archive *a, const char *name, int64_t size, struct hk_error **err)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0600);
  archive_entry_set_size (e, size);
  int r = archive_write_header (a, e);
  archive_entry_free (e);
  return r == ARCHIVE_OK ? 0 : write_failure (a, name, err);
}

/* The member NAME with the content of FD (a regular file, read from its
 * start). */
static int
write_file_member (struct archive *a, const char *name, int fd, char *buf,
                   struct hk_error **err)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return hk_error_errno (err, errno, "stat `%s`", name);
  if (!S_ISREG (st.st_mode))
    return hk_error_set (err, EINVAL, "`%s` is not a regular file", name);
  if (write_header (a, name, st.st_size, err) < 0)
    return -1;
  off_t left = st.st_size, at = 0;
  while (left > 0)
    {
      ssize_t n = pread (fd, buf, left < IO_BUFFER ? (size_t)left : IO_BUFFER, at);
      if (n < 0)
        return hk_error_errno (err, errno, "read `%s`", name);
      if (n == 0)
        return hk_error_set (err, EIO, "`%s` shrank while it was read", name);
      if (archive_write_data (a, buf, (size_t)n) != n)
        return write_failure (a, name, err);
      left -= n;
      at += n;
    }
  return 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static int
write_images (struct archive *a, int images_fd, char *buf, struct hk_error **err)
{
  int dup_fd = dup (images_fd);
  DIR *d = dup_fd < 0 ? NULL : fdopendir (dup_fd);
  if (d == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return hk_error_errno (err, errno, "read the checkpoint's images");
    }
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      {
        names = xreallocarray (names, n + 1, sizeof *names);
        names[n++] = xstrdup (de->d_name);
      }
  closedir (d);
  qsort (names, n, sizeof *names, compare_names);
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      _cleanup_close_ int fd = openat (images_fd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_free_ char *member = xasprintf (IMAGES_PREFIX "%s", names[i]);
      if (fd < 0)
        r = hk_error_errno (err, errno, "open the image `%s`", names[i]);
      else
        r = write_file_member (a, member, fd, buf, err);
    }
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  free (names);
  return r;
}

static void
add_filter (struct archive *a, enum checkpoint_compression compress)
{
  switch (compress)
    {
    case CHECKPOINT_COMPRESS_ZSTD: archive_write_add_filter_zstd (a); break;
    case CHECKPOINT_COMPRESS_GZIP: archive_write_add_filter_gzip (a); break;
    case CHECKPOINT_COMPRESS_NONE: break;
    }
}

static int
write_volumes (struct archive *a, char **volumes, const int *fds, char *buf,
               struct hk_error **err)
{
  for (size_t i = 0; volumes != NULL && volumes[i] != NULL; i++)
    {
      _cleanup_free_ char *member = xasprintf (VOLUMES_PREFIX "%s" VOLUME_SUFFIX, volumes[i]);
      if (write_file_member (a, member, fds[i], buf, err) < 0)
        return -1;
    }
  return 0;
}

int
checkpoint_archive_write (int out_fd, enum checkpoint_compression compress,
                          const struct checkpoint_manifest *m, int layer_fd, int images_fd,
                          const int *volume_fds, struct hk_error **err)
{
  _cleanup_free_ char *manifest = checkpoint_manifest_format (m);
  _cleanup_free_ char *buf = xmalloc (IO_BUFFER);
  struct archive *a = archive_write_new ();
  int r = -1;
  archive_write_set_format_pax_restricted (a);
  add_filter (a, compress);
  archive_write_set_bytes_in_last_block (a, 1);
  if (archive_write_open_fd (a, out_fd) != ARCHIVE_OK)
    {
      write_failure (a, "open", err);
      goto out;
    }
  size_t len = strlen (manifest);
  if (write_header (a, MANIFEST, (int64_t)len, err) < 0)
    goto out;
  if (archive_write_data (a, manifest, len) != (la_ssize_t)len)
    {
      write_failure (a, MANIFEST, err);
      goto out;
    }
  if (write_file_member (a, ROOTFS, layer_fd, buf, err) < 0
      || write_images (a, images_fd, buf, err) < 0
      || write_volumes (a, m->volumes, volume_fds, buf, err) < 0)
    goto out;
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      write_failure (a, "finish", err);
      goto out;
    }
  r = 0;
out:
  archive_write_free (a);
  return r;
}

/* --- reading --- */

struct reader
{
  struct archive *a;
  const struct layer_input *in;
  char *buf;
  struct hk_error *input_err;
  int dest_fd;
  int images_fd;
  size_t images;
  bool rootfs;
  const struct checkpoint_manifest *m;
  bool *volumes_read; /* one for each of m->volumes */
};

static la_ssize_t
reader_input (struct archive *a, void *opaque, const void **buf)
{
  struct reader *rd = opaque;
  ssize_t n = rd->in->read (rd->in->opaque, rd->buf, IO_BUFFER, &rd->input_err);
  if (n < 0)
    {
      archive_set_error (a, EIO, "reading the checkpoint archive failed");
      return -1;
    }
  *buf = rd->buf;
  return n;
}

static int
read_failure (struct reader *rd, const char *what, struct hk_error **err)
{
  if (rd->input_err != NULL)
    {
      hk_error_free (*err);
      *err = take_ptr (rd->input_err);
      return hk_error_prefix (err, "%s", what);
    }
  const char *msg = archive_error_string (rd->a);
  return hk_error_set (err, EIO, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

static const char *
type_name (mode_t type)
{
  switch (type)
    {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFDIR: return "a directory";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a fifo";
    case AE_IFSOCK: return "a socket";
    default: return "not a regular file";
    }
}

/* What every member must be: a regular file under a name of ours. */
static int
check_member (struct archive_entry *e, const char *name, struct hk_error **err)
{
  if (name == NULL || *name == '\0')
    return hk_error_set (err, EINVAL, "a member without a name");
  if (name[0] == '/')
    return hk_error_set (err, EINVAL, "member `%s` has an absolute name", name);
  if (strcmp (name, "..") == 0 || strncmp (name, "../", 3) == 0 || strstr (name, "/../") != NULL
      || (strlen (name) >= 3 && strcmp (name + strlen (name) - 3, "/..") == 0))
    return hk_error_set (err, EINVAL, "member `%s` climbs out with `..`", name);
  if (archive_entry_hardlink (e) != NULL)
    return hk_error_set (err, EINVAL, "member `%s` is a hard link to `%s`: only regular files",
                         name, archive_entry_hardlink (e));
  if (archive_entry_filetype (e) != AE_IFREG)
    return hk_error_set (err, EINVAL, "member `%s` is %s: only regular files", name,
                         type_name (archive_entry_filetype (e)));
  if (archive_entry_size (e) < 0)
    return hk_error_set (err, EINVAL, "member `%s` has no size", name);
  return 0;
}

static int
read_manifest (struct reader *rd, checkpoint_manifest_fn check, void *data,
               struct checkpoint_manifest *m, struct hk_error **err)
{
  struct archive_entry *e;
  int r = archive_read_next_header (rd->a, &e);
  if (r == ARCHIVE_EOF)
    return hk_error_set (err, EINVAL, "the archive is empty");
  if (r < ARCHIVE_WARN)
    return read_failure (rd, "read the checkpoint archive", err);
  const char *name = archive_entry_pathname (e);
  if (check_member (e, name, err) < 0)
    return -1;
  if (strcmp (name, MANIFEST) != 0)
    return hk_error_set (err, EINVAL, "its first member is `%s`, not %s: not a hako checkpoint",
                         name, MANIFEST);
  int64_t size = archive_entry_size (e);
  if (size > CHECKPOINT_MANIFEST_MAX)
    return hk_error_set (err, EFBIG, "%s is %lld bytes, more than the %d allowed", MANIFEST,
                         (long long)size, CHECKPOINT_MANIFEST_MAX);
  _cleanup_free_ char *text = xmalloc ((size_t)size + 1);
  size_t got = 0;
  while (got < (size_t)size)
    {
      la_ssize_t n = archive_read_data (rd->a, text + got, (size_t)size - got);
      if (n < 0)
        return read_failure (rd, "read " MANIFEST, err);
      if (n == 0)
        return hk_error_set (err, EIO, "%s is truncated", MANIFEST);
      got += (size_t)n;
    }
  if (checkpoint_manifest_parse (text, got, m, err) < 0)
    return -1;
  return check ? check (m, data, err) : 0;
}

static ssize_t
member_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  struct reader *rd = opaque;
  la_ssize_t n = archive_read_data (rd->a, buf, len);
  if (n < 0)
    {
      read_failure (rd, "read a layer member", err);
      return -1;
    }
  return n;
}

/* The layer tar of member MEMBER extracted into the new directory NAME of
 * PARENT_FD. */
static int
extract_layer (struct reader *rd, int parent_fd, const char *name, const char *member,
               struct hk_error **err)
{
  if (mkdirat (parent_fd, name, 0755) < 0)
    return hk_error_errno (err, errno, "make the directory of member `%s`", member);
  _cleanup_close_ int dir = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open the directory of member `%s`", member);
  struct layer_input in = { .read = member_read, .opaque = rd };
  struct layer_extract_result res;
  if (layer_extract (dir, &in, &res, err) < 0)
    return hk_error_prefix (err, "member %s", member);
  return 0;
}

static int
read_rootfs (struct reader *rd, struct hk_error **err)
{
  if (rd->rootfs)
    return hk_error_set (err, EINVAL, "member " ROOTFS " comes twice");
  rd->rootfs = true;
  return extract_layer (rd, rd->dest_fd, "rootfs", ROOTFS, err);
}

/* Member volumes/FILE: NAME.tar for a NAME the manifest lists, once. */
static int
read_volume (struct reader *rd, const char *member, const char *file, struct hk_error **err)
{
  size_t len = strlen (file), suffix = strlen (VOLUME_SUFFIX);
  char **volumes = rd->m->volumes;
  size_t i = strv_length (volumes); /* not found */
  if (len > suffix && strcmp (file + len - suffix, VOLUME_SUFFIX) == 0)
    for (i = 0; volumes != NULL && volumes[i] != NULL; i++)
      if (strlen (volumes[i]) == len - suffix && strncmp (volumes[i], file, len - suffix) == 0)
        break;
  if (volumes == NULL || volumes[i] == NULL)
    return hk_error_set (err, EINVAL, "member `%s` is not a volume the manifest lists", member);
  if (rd->volumes_read[i])
    return hk_error_set (err, EINVAL, "member `%s` comes twice", member);
  rd->volumes_read[i] = true;
  if (mkdirat (rd->dest_fd, "volumes", 0700) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "make the directory of the volumes");
  _cleanup_close_ int dir = openat (rd->dest_fd, "volumes", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open the directory of the volumes");
  return extract_layer (rd, dir, volumes[i], member, err);
}

static int
read_image (struct reader *rd, struct archive_entry *e, const char *file,
            struct hk_error **err)
{
  if (*file == '\0' || strchr (file, '/') != NULL || strcmp (file, ".") == 0
      || strcmp (file, "..") == 0 || strlen (file) > 255)
    return hk_error_set (err, EINVAL, "member `%s%s` is not a file of criu's directory",
                         IMAGES_PREFIX, file);
  if (++rd->images > CHECKPOINT_IMAGES_MAX)
    return hk_error_set (err, EFBIG, "more than %d images in %s", CHECKPOINT_IMAGES_MAX,
                         IMAGES_PREFIX);
  if (rd->images_fd < 0)
    {
      if (mkdirat (rd->dest_fd, "checkpoint", 0700) < 0)
        return hk_error_errno (err, errno, "make the directory of the images");
      rd->images_fd = openat (rd->dest_fd, "checkpoint", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (rd->images_fd < 0)
        return hk_error_errno (err, errno, "open the directory of the images");
    }
  _cleanup_close_ int fd = openat (rd->images_fd, file,
                                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return hk_error_set (err, EEXIST, "member `%s%s` comes twice", IMAGES_PREFIX, file);
  if (fd < 0)
    return hk_error_errno (err, errno, "member `%s%s`", IMAGES_PREFIX, file);
  if (tar_entry_write_data (rd->a, e, fd, NULL, err) < 0)
    {
      if (rd->input_err != NULL)
        return read_failure (rd, "read the checkpoint archive", err);
      return hk_error_prefix (err, "member `%s%s`", IMAGES_PREFIX, file);
    }
  return 0;
}

static int
read_members (struct reader *rd, struct hk_error **err)
{
  for (;;)
    {
      struct archive_entry *e;
      int r = archive_read_next_header (rd->a, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return read_failure (rd, "read the checkpoint archive", err);
      const char *name = archive_entry_pathname (e);
      if (check_member (e, name, err) < 0)
        return -1;
      if (strcmp (name, ROOTFS) == 0)
        r = read_rootfs (rd, err);
      else if (strncmp (name, IMAGES_PREFIX, strlen (IMAGES_PREFIX)) == 0)
        r = read_image (rd, e, name + strlen (IMAGES_PREFIX), err);
      else if (strncmp (name, VOLUMES_PREFIX, strlen (VOLUMES_PREFIX)) == 0)
        r = read_volume (rd, name, name + strlen (VOLUMES_PREFIX), err);
      else
        r = hk_error_set (err, EINVAL, "member `%s` is not part of a hako checkpoint", name);
      if (r < 0)
        return -1;
    }
  if (!rd->rootfs)
    return hk_error_set (err, EINVAL, "the archive has no " ROOTFS);
  if (rd->images == 0)
    return hk_error_set (err, EINVAL, "the archive has no criu images (" IMAGES_PREFIX "…)");
  for (size_t i = 0; rd->m->volumes != NULL && rd->m->volumes[i] != NULL; i++)
    if (!rd->volumes_read[i])
      return hk_error_set (err, EINVAL, "the manifest lists volume %s, whose member "
                           VOLUMES_PREFIX "%s" VOLUME_SUFFIX " is missing",
                           rd->m->volumes[i], rd->m->volumes[i]);
  return 0;
}

int
checkpoint_archive_read (const struct layer_input *in, int dest_fd, checkpoint_manifest_fn check,
                         void *data, struct checkpoint_manifest *m, struct hk_error **err)
{
  struct reader rd = { .in = in, .dest_fd = dest_fd, .images_fd = -1 };
  rd.buf = xmalloc (IO_BUFFER);
  rd.a = archive_read_new ();
  archive_read_support_filter_zstd (rd.a);
  archive_read_support_filter_gzip (rd.a);
  archive_read_support_format_tar (rd.a);
  int r = -1;
  if (archive_read_open (rd.a, &rd, NULL, reader_input, NULL) != ARCHIVE_OK)
    read_failure (&rd, "open the checkpoint archive", err);
  else if (read_manifest (&rd, check, data, m, err) == 0)
    {
      rd.m = m;
      rd.volumes_read = xzalloc ((strv_length (m->volumes) + 1) * sizeof *rd.volumes_read);
      r = read_members (&rd, err);
    }
  archive_read_free (rd.a);
  free (rd.volumes_read);
  if (rd.images_fd >= 0)
    close (rd.images_fd);
  hk_error_free (rd.input_err);
  free (rd.buf);
  return r;
}
