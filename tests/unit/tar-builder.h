/* SPDX-License-Identifier: Apache-2.0 */
/* Builds tar streams in memory for the layer tests, including the hostile
 * ones no honest tool would write. */
#ifndef HAKO_TESTS_TAR_BUILDER_H
#define HAKO_TESTS_TAR_BUILDER_H

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tarb
{
  struct archive *a;
  char *buf;
  size_t cap;
  size_t used;
};

enum tarb_filter
{
  TARB_PLAIN,
  TARB_GZIP,
  TARB_ZSTD,
};

static inline void
tarb_init (struct tarb *t, enum tarb_filter filter)
{
  t->cap = 8 << 20;
  t->buf = malloc (t->cap);
  t->used = 0;
  t->a = archive_write_new ();
  archive_write_set_format_pax_restricted (t->a);
  if (filter == TARB_GZIP)
    archive_write_add_filter_gzip (t->a);
  else if (filter == TARB_ZSTD)
    archive_write_add_filter_zstd (t->a);
  archive_write_set_bytes_in_last_block (t->a, 1);
  archive_write_open_memory (t->a, t->buf, t->cap, &t->used);
}

static inline struct archive_entry *
tarb_entry (const char *name, mode_t type, mode_t perm)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, perm);
  archive_entry_set_uid (e, 0);
  archive_entry_set_gid (e, 0);
  archive_entry_set_mtime (e, 1000000000, 0);
  return e;
}

static inline void
tarb_write (struct tarb *t, struct archive_entry *e, const char *data, size_t len)
{
  archive_entry_set_size (e, (la_int64_t)len);
  archive_write_header (t->a, e);
  if (len > 0)
    archive_write_data (t->a, data, len);
  archive_entry_free (e);
}

static inline void
tarb_file (struct tarb *t, const char *name, const char *content, mode_t perm)
{
  tarb_write (t, tarb_entry (name, AE_IFREG, perm), content, strlen (content));
}

static inline void
tarb_dir (struct tarb *t, const char *name, mode_t perm)
{
  tarb_write (t, tarb_entry (name, AE_IFDIR, perm), NULL, 0);
}

static inline void
tarb_symlink (struct tarb *t, const char *name, const char *target)
{
  struct archive_entry *e = tarb_entry (name, AE_IFLNK, 0777);
  archive_entry_set_symlink (e, target);
  tarb_write (t, e, NULL, 0);
}

static inline void
tarb_hardlink (struct tarb *t, const char *name, const char *target)
{
  struct archive_entry *e = tarb_entry (name, AE_IFREG, 0644);
  archive_entry_set_hardlink (e, target);
  tarb_write (t, e, NULL, 0);
}

/* Finishes the stream; the bytes are t->buf[0 .. t->used). */
static inline void
tarb_finish (struct tarb *t)
{
  archive_write_close (t->a);
  archive_write_free (t->a);
  t->a = NULL;
}

static inline void
tarb_free (struct tarb *t)
{
  if (t->a)
    archive_write_free (t->a);
  free (t->buf);
}

#endif
