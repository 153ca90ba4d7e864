/* SPDX-License-Identifier: Apache-2.0 */
/* COPY and ADD: the sources (the context, after the ignore rules; another
 * stage or an image with --from; heredocs; for ADD, URLs and local tar
 * archives, which are extracted) walked twice: once into the step's key
 * (names, types, modes, owners, link targets and contents), and, when the
 * cache has no image for it, as a tar stream that the extractor of `hako
 * cp` (ctr-archive.h) writes into the step's container, whose root it
 * never leaves.
 *
 * The context is a directory of the user's and may hold anything: a
 * source is opened beneath it (openat2 RESOLVE_BENEATH), so `../x`, an
 * absolute path or a symlink that leads out is refused, and nothing below
 * a source is followed (symlinks are copied as symlinks). */
#include "build-internal.h"
#include "ctr-archive.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/in-root.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/user-lookup.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define READ_BUFFER (1 << 16)

/* One file of a source as the sinks see it. */
struct src_entry
{
  const char *name; /* where it lands, relative to the extraction directory */
  struct stat st;
  int fd;           /* a regular file's content, or -1 */
  const char *data; /* or this (a heredoc) */
  const char *link; /* a symlink's target */
};

struct sink
{
  int (*entry) (struct sink *s, const struct src_entry *e, struct hk_error **err);
  struct sha256 hash;     /* the key sink */
  struct archive *tar;    /* the tar sink */
  char *buf;
  bool chmod_set;
  mode_t chmod;
  uid_t uid;
  gid_t gid;
};

/* What one COPY or ADD does. */
struct copy_job
{
  struct stage_run *sr;
  const struct df_instruction *in;
  bool add;
  int root_fd;  /* where the sources are */
  bool context; /* the build context: ignore rules, nothing may lead out */
  char **sources;
  char *dest;         /* absolute, in the stage's root */
  bool dest_is_dir;   /* from the text alone (a trailing /, several sources, globs) */
  size_t *counts;     /* how many of the paths each source matched */
  struct ctr_record *from; /* --from's working container */
  int fetched_fd;          /* ADD of a URL: the download */
  int64_t fetched_mtime;
};

static int
open_beneath (int dirfd, const char *path, int flags, bool in_root)
{
  struct open_how how = {
    .flags = (uint64_t)(flags | O_CLOEXEC),
    .resolve = (in_root ? RESOLVE_IN_ROOT : RESOLVE_BENEATH) | RESOLVE_NO_MAGICLINKS,
  };
  return (int)syscall (SYS_openat2, dirfd, path, &how, sizeof how);
}

static bool
has_glob (const char *s)
{
  return strpbrk (s, "*?[") != NULL;
}

static bool
is_url (const char *s)
{
  return strncmp (s, "http://", 7) == 0 || strncmp (s, "https://", 8) == 0;
}

static const struct df_heredoc *
heredoc_source (const struct df_instruction *in, const char *word)
{
  if (strncmp (word, "<<", 2) != 0)
    return NULL;
  const char *name = word + 2 + (word[2] == '-');
  name += (*name == '"' || *name == '\'');
  for (size_t i = 0; i < in->n_heredocs; i++)
    if (strncmp (in->heredocs[i].name, name, strlen (in->heredocs[i].name)) == 0)
      return &in->heredocs[i];
  return NULL;
}

/* ---- the walk ------------------------------------------------------ */

static int walk_node (struct copy_job *j, struct sink *s, int parent, const char *name,
                      const char *ctx_path, const char *out_name, struct hk_error **err);

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static bool
ignored (const struct copy_job *j, const char *ctx_path)
{
  return j->context && j->sr->b->ignore && ignore_rules_match (j->sr->b->ignore, ctx_path);
}

static int
walk_dir (struct copy_job *j, struct sink *s, int dir_fd, const char *ctx_path,
          const char *out_prefix, struct hk_error **err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return hk_error_errno (err, errno, "read directory `%s`", ctx_path);
    }
  _cleanup_closedir_ DIR *dir = d;
  _cleanup_strv_ char **names = xzalloc (sizeof *names);
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      strv_append (&names, de->d_name);
  size_t n = strv_length (names);
  if (n > 1)
    qsort (names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *cp = *ctx_path ? xasprintf ("%s/%s", ctx_path, names[i])
                                          : xstrdup (names[i]);
      _cleanup_free_ char *out = *out_prefix ? xasprintf ("%s/%s", out_prefix, names[i])
                                             : xstrdup (names[i]);
      if (build_interrupted (j->sr->b))
        return hk_error_set (err, EINTR, "interrupted");
      if (walk_node (j, s, dirfd (dir), names[i], cp, out, err) < 0)
        return -1;
    }
  return 0;
}

static int
walk_node (struct copy_job *j, struct sink *s, int parent, const char *name,
           const char *ctx_path, const char *out_name, struct hk_error **err)
{
  bool skip = ignored (j, ctx_path);
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat `%s`", ctx_path);
  if (skip && !(S_ISDIR (st.st_mode) && ignore_rules_has_exceptions (j->sr->b->ignore)))
    return 0;
  struct src_entry e = { .name = out_name, .st = st, .fd = -1 };
  char link[PATH_MAX];
  _cleanup_close_ int fd = -1;
  if (S_ISLNK (st.st_mode))
    {
      ssize_t n = readlinkat (parent, name, link, sizeof link - 1);
      if (n < 0)
        return hk_error_errno (err, errno, "read link `%s`", ctx_path);
      link[n] = '\0';
      e.link = link;
    }
  else if (S_ISREG (st.st_mode))
    {
      fd = openat (parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return hk_error_errno (err, errno, "open `%s`", ctx_path);
      e.fd = fd;
    }
  else if (!S_ISDIR (st.st_mode))
    return hk_error_set (err, EINVAL, "`%s`: only files, directories and symlinks are copied",
                         ctx_path);
  if (!skip && *out_name && s->entry (s, &e, err) < 0)
    return -1;
  if (!S_ISDIR (st.st_mode))
    return 0;
  _cleanup_close_ int dfd = openat (parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open directory `%s`", ctx_path);
  return walk_dir (j, s, dfd, ctx_path, out_name, err);
}

/* ---- sources ------------------------------------------------------- */

/* PATTERN's matches in the root, sorted (a glob walks the directories its
 * fixed part names, down to its depth). */
static int
glob_matches (struct copy_job *j, const char *pattern, int dir_fd, const char *prefix,
              char ***out, struct hk_error **err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  _cleanup_closedir_ DIR *dir = d;
  size_t depth = 0, want = 1;
  for (const char *p = prefix; *p; p++)
    depth += *p == '/';
  depth += *prefix != '\0';
  for (const char *p = pattern; *p; p++)
    want += *p == '/';
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
        continue;
      _cleanup_free_ char *path = *prefix ? xasprintf ("%s/%s", prefix, de->d_name)
                                          : xstrdup (de->d_name);
      if (depth + 1 == want)
        {
          if (ignore_glob_match (pattern, path) && !ignored (j, path))
            strv_append (out, path);
          continue;
        }
      _cleanup_close_ int sub
          = openat (dir_fd, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0 && glob_matches (j, pattern, sub, path, out, err) < 0)
        return -1;
    }
  return 0;
}

/* The source as a path relative to its root: `..` may not lead out. */
static int
clean_source (struct copy_job *j, const char *src, char **out, struct hk_error **err)
{
  char *clean = ignore_clean_path (src[0] == '/' ? src + 1 : src);
  if (j->context && (strcmp (clean, "..") == 0 || strncmp (clean, "../", 3) == 0))
    {
      free (clean);
      return hk_error_set (err, EPERM,
                           "line %u: %s: `%s`: forbidden path outside the build context",
                           j->in->line, df_kind_name (j->in->kind), src);
    }
  if (!j->context && strncmp (clean, "..", 2) == 0)
    {
      free (clean);
      clean = xstrdup (".");
    }
  *out = clean;
  return 0;
}

/* The matches of every source, each a real path in the root. */
static int
expand_sources (struct copy_job *j, char ***paths, struct hk_error **err)
{
  for (size_t i = 0; j->sources[i]; i++)
    {
      const char *src = j->sources[i];
      if (heredoc_source (j->in, src) || (j->add && is_url (src)))
        continue;
      _cleanup_free_ char *clean = NULL;
      if (clean_source (j, src, &clean, err) < 0)
        return -1;
      if (!has_glob (clean))
        {
          strv_append (paths, clean);
          j->counts[i] = 1;
          continue;
        }
      size_t before = strv_length (*paths);
      int dup = openat (j->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      int rc = glob_matches (j, clean, dup, "", paths, err);
      close (dup);
      if (rc < 0)
        return -1;
      if (strv_length (*paths) == before)
        return hk_error_set (err, ENOENT, "line %u: %s: no source files were specified by `%s`",
                             j->in->line, df_kind_name (j->in->kind), src);
      j->counts[i] = strv_length (*paths) - before;
      qsort (*paths + before, j->counts[i], sizeof (char *), compare_names);
    }
  return 0;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

/* One source path: opened beneath the root (a symlink source is followed,
 * inside); a directory gives its content, a file itself. */
static int
walk_source (struct copy_job *j, struct sink *s, const char *path, const char *file_name,
             struct hk_error **err)
{
  _cleanup_close_ int fd = open_beneath (j->root_fd, path, O_PATH, !j->context);
  if (fd < 0 && errno == EXDEV)
    return hk_error_set (err, EPERM, "line %u: %s: `%s` leads outside the build context",
                         j->in->line, df_kind_name (j->in->kind), path);
  if (fd < 0)
    return hk_error_errno (err, errno, "line %u: %s: `%s`", j->in->line,
                           df_kind_name (j->in->kind), path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return hk_error_errno (err, errno, "stat `%s`", path);
  /* A directory left out may still hold exceptions; a file may not. */
  if (ignored (j, path)
      && (!S_ISDIR (st.st_mode) || !ignore_rules_has_exceptions (j->sr->b->ignore)))
    return hk_error_set (err, ENOENT, "line %u: %s: `%s` is excluded by .dockerignore",
                         j->in->line, df_kind_name (j->in->kind), path);
  if (S_ISDIR (st.st_mode))
    return walk_dir (j, s, fd, strcmp (path, ".") ? path : "", "", err);
  _cleanup_close_ int parent = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* Re-walked from the opened file (not from its parent by name). */
  struct src_entry e = { .name = file_name, .st = st, .fd = -1 };
  _cleanup_close_ int rfd = -1;
  if (S_ISREG (st.st_mode))
    {
      _cleanup_free_ char *proc = xasprintf ("/proc/self/fd/%d", fd);
      rfd = open (proc, O_RDONLY | O_CLOEXEC);
      if (rfd < 0)
        return hk_error_errno (err, errno, "open `%s`", path);
      e.fd = rfd;
    }
  else
    return hk_error_set (err, EINVAL, "`%s`: only files, directories and symlinks are copied",
                         path);
  return s->entry (s, &e, err);
}

static char *
heredoc_text (struct copy_job *j, const struct df_heredoc *h, struct hk_error **err)
{
  char *body = NULL;
  if (!h->expand)
    return xstrdup (h->content);
  if (shell_word_expand (h->content, j->sr->b->df->escape, j->sr->vars, &body, err) < 0)
    return NULL;
  return body;
}

/* Every source into S; file sources named for the destination. */
static int
walk_all (struct copy_job *j, struct sink *s, char *const *paths, struct hk_error **err)
{
  const char *single = base_name (j->dest);
  size_t p = 0;
  for (size_t i = 0; j->sources[i]; i++)
    {
      const char *src = j->sources[i];
      const struct df_heredoc *h = heredoc_source (j->in, src);
      if (h || (j->add && is_url (src)))
        {
          _cleanup_free_ char *text = h ? heredoc_text (j, h, err) : NULL;
          if (h && text == NULL)
            return -1;
          _cleanup_free_ char *url_name = NULL;
          if (!h)
            {
              _cleanup_free_ char *u = xstrndup (src, strcspn (src, "?#"));
              url_name = xstrdup (*base_name (u) ? base_name (u) : "index.html");
            }
          struct src_entry e = {
            .name = j->dest_is_dir ? (h ? h->name : url_name) : single,
            .fd = h ? -1 : j->fetched_fd,
            .data = text,
          };
          e.st.st_mode = S_IFREG | (h ? 0644 : 0600);
          e.st.st_size = h ? (off_t)strlen (text) : lseek (j->fetched_fd, 0, SEEK_END);
          e.st.st_mtime = h ? (j->sr->b->o->timestamp >= 0 ? j->sr->b->o->timestamp : 0)
                            : (j->fetched_mtime >= 0 ? j->fetched_mtime : 0);
          if (!h)
            lseek (j->fetched_fd, 0, SEEK_SET);
          if (s->entry (s, &e, err) < 0)
            return -1;
          continue;
        }
      for (size_t k = 0; k < j->counts[i]; k++, p++)
        if (walk_source (j, s, paths[p], j->dest_is_dir ? base_name (paths[p]) : single, err)
            < 0)
          return -1;
    }
  return 0;
}

/* ---- sinks --------------------------------------------------------- */

static mode_t
entry_mode (const struct sink *s, const struct src_entry *e)
{
  if (s->chmod_set && !S_ISLNK (e->st.st_mode))
    return (e->st.st_mode & S_IFMT) | s->chmod;
  return e->st.st_mode;
}

static int
read_all (int fd, void (*use) (struct sink *, const char *, size_t), struct sink *s,
          struct hk_error **err)
{
  for (;;)
    {
      ssize_t n = read (fd, s->buf, READ_BUFFER);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read a source file");
      if (n == 0)
        return 0;
      use (s, s->buf, (size_t)n);
    }
}

static void
hash_bytes (struct sink *s, const char *p, size_t n)
{
  sha256_update (&s->hash, p, n);
}

static int
key_entry (struct sink *s, const struct src_entry *e, struct hk_error **err)
{
  char meta[128];
  int n = snprintf (meta, sizeof meta, "%o %u %u %lld", (unsigned)entry_mode (s, e),
                    (unsigned)s->uid, (unsigned)s->gid, (long long)e->st.st_size);
  sha256_update (&s->hash, e->name, strlen (e->name) + 1);
  sha256_update (&s->hash, meta, (size_t)n + 1);
  if (e->link)
    sha256_update (&s->hash, e->link, strlen (e->link) + 1);
  if (e->data)
    sha256_update (&s->hash, e->data, strlen (e->data));
  if (e->fd >= 0 && read_all (e->fd, hash_bytes, s, err) < 0)
    return -1;
  if (e->fd >= 0)
    lseek (e->fd, 0, SEEK_SET);
  return 0;
}

static void
tar_bytes (struct sink *s, const char *p, size_t n)
{
  archive_write_data (s->tar, p, n);
}

static int
tar_entry (struct sink *s, const struct src_entry *e, struct hk_error **err)
{
  struct archive_entry *ae = archive_entry_new ();
  archive_entry_set_pathname (ae, e->name);
  archive_entry_set_mode (ae, entry_mode (s, e));
  archive_entry_set_uid (ae, s->uid);
  archive_entry_set_gid (ae, s->gid);
  archive_entry_set_mtime (ae, e->st.st_mtim.tv_sec, e->st.st_mtim.tv_nsec);
  archive_entry_set_size (ae, S_ISREG (e->st.st_mode) ? e->st.st_size : 0);
  if (e->link)
    archive_entry_set_symlink (ae, e->link);
  int rc = archive_write_header (s->tar, ae);
  archive_entry_free (ae);
  if (rc != ARCHIVE_OK)
    return hk_error_set (err, EIO, "write `%s`: %s", e->name, archive_error_string (s->tar));
  if (e->data)
    archive_write_data (s->tar, e->data, strlen (e->data));
  if (e->fd >= 0 && read_all (e->fd, tar_bytes, s, err) < 0)
    return -1;
  return 0;
}

/* ---- the step ------------------------------------------------------ */

struct tar_thread
{
  struct copy_job *j;
  struct sink *s;
  char **paths;
  int fd;
  struct hk_error *err;
  int rc;
};

static la_ssize_t
pipe_out (struct archive *a, void *opaque, const void *buf, size_t len)
{
  int fd = *(int *)opaque;
  size_t done = 0;
  while (done < len)
    {
      ssize_t n = write (fd, (const char *)buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          archive_set_error (a, errno, "write to the extractor");
          return -1;
        }
      done += (size_t)n;
    }
  return (la_ssize_t)len;
}

static void *
write_tar (void *arg)
{
  struct tar_thread *t = arg;
  t->s->tar = archive_write_new ();
  archive_write_set_format_pax_restricted (t->s->tar);
  archive_write_set_bytes_per_block (t->s->tar, 0);
  t->rc = -1;
  if (archive_write_open (t->s->tar, &t->fd, NULL, pipe_out, NULL) != ARCHIVE_OK)
    hk_error_set (&t->err, EIO, "start the tar: %s", archive_error_string (t->s->tar));
  else if (walk_all (t->j, t->s, t->paths, &t->err) == 0)
    t->rc = archive_write_close (t->s->tar) == ARCHIVE_OK ? 0 : -1;
  archive_write_free (t->s->tar);
  close (t->fd);
  return NULL;
}

/* Writes the sources into the container's root at DIR. */
static int
extract_sources (struct copy_job *j, struct sink *s, char **paths, int root_fd, const char *dir,
                 struct hk_error **err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  struct tar_thread t = { .j = j, .s = s, .paths = paths, .fd = p[1] };
  pthread_t th;
  if (pthread_create (&th, NULL, write_tar, &t) != 0)
    {
      close (p[0]);
      close (p[1]);
      return hk_error_set (err, EAGAIN, "start the writer of the sources");
    }
  struct ctr_extract_options xo = { .keep_owner = true };
  int rc = ctr_archive_extract (root_fd, dir, p[0], &xo, err);
  close (p[0]);
  pthread_join (th, NULL);
  if (t.rc < 0 && rc == 0)
    {
      *err = t.err;
      return -1;
    }
  hk_error_free (t.err);
  return rc;
}

/* ADD of a local archive: extracted, not copied. */
static bool
is_archive (int fd)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  struct archive_entry *e;
  bool yes = archive_read_open_fd (a, fd, 1 << 16) == ARCHIVE_OK
             && archive_read_next_header (a, &e) == ARCHIVE_OK;
  archive_read_free (a);
  lseek (fd, 0, SEEK_SET);
  return yes;
}

static int
owner (struct copy_job *j, int dest_root, struct sink *s, struct hk_error **err)
{
  const char *chown = df_flag_get (j->in, "chown", NULL);
  const char *chmod = df_flag_get (j->in, "chmod", NULL);
  if (chmod)
    {
      char *end;
      unsigned long m = strtoul (chmod, &end, 8);
      if (*chmod == '\0' || *end || m > 07777)
        return hk_error_set (err, EINVAL, "line %u: --chmod=%s: an octal mode like 0755",
                             j->in->line, chmod);
      s->chmod_set = true;
      s->chmod = (mode_t)m;
    }
  if (chown == NULL)
    return 0;
  _cleanup_free_ char *spec = NULL;
  if (shell_word_expand (chown, j->sr->b->df->escape, j->sr->vars, &spec, err) < 0)
    return -1;
  if (dest_root < 0)
    {
      /* For the key: the text is enough (the image is part of the key). */
      sha256_update (&s->hash, spec, strlen (spec) + 1);
      return 0;
    }
  struct user_ids ids = { 0 };
  if (user_lookup (dest_root, spec, &ids, err) < 0)
    return hk_error_prefix (err, "line %u: --chown=%s", j->in->line, spec);
  s->uid = ids.uid;
  s->gid = ids.gid;
  user_ids_clear (&ids);
  return 0;
}

/* The step's work in a container of the previous image. */
static int
copy_into (struct copy_job *j, char **paths, struct hk_error **err)
{
  struct build *b = j->sr->b;
  struct ctr_config c;
  ctr_config_init (&c);
  strv_append (&c.cmd, "true");
  c.network_mode = xstrdup ("none");
  struct ctr_record *r = NULL;
  int rc = build_container (b, j->sr->image_id, &c, &r, err);
  ctr_config_clear (&c);
  if (rc < 0)
    return -1;
  _cleanup_free_ char *merged = build_container_path (b, r, "merged");
  _cleanup_close_ int root = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct sink s = { .entry = tar_entry, .buf = xmalloc (READ_BUFFER) };
  if (root < 0)
    rc = hk_error_errno (err, errno, "open `%s`", merged);
  if (rc == 0)
    rc = owner (j, root, &s, err);
  /* A destination that is a directory in the image takes the source in. */
  bool single_dir = false;
  if (rc == 0 && !j->dest_is_dir && paths[0] && !paths[1])
    {
      struct stat st;
      _cleanup_close_ int d = in_root_open (root, j->dest, O_PATH, 0, NULL);
      _cleanup_close_ int sfd = open_beneath (j->root_fd, paths[0], O_PATH, !j->context);
      if (d >= 0 && fstat (d, &st) == 0 && S_ISDIR (st.st_mode))
        j->dest_is_dir = true;
      single_dir = sfd >= 0 && fstat (sfd, &st) == 0 && S_ISDIR (st.st_mode);
    }
  _cleanup_free_ char *dir = NULL;
  if (rc == 0)
    {
      dir = j->dest_is_dir || single_dir ? xstrdup (j->dest) : xstrdup (j->dest);
      if (!j->dest_is_dir && !single_dir)
        {
          char *slash = strrchr (dir, '/');
          slash[slash == dir ? 1 : 0] = '\0';
        }
      int fd = in_root_mkpath (root, dir, IN_ROOT_DIR, 0755, err);
      rc = fd < 0 ? -1 : 0;
      if (fd >= 0)
        close (fd);
    }
  bool extract = false;
  if (rc == 0 && j->add && paths[0] && !paths[1] && j->sources[0] && !j->sources[1])
    {
      _cleanup_close_ int afd = open_beneath (j->root_fd, paths[0], O_RDONLY, !j->context);
      struct stat st;
      if (afd >= 0 && fstat (afd, &st) == 0 && S_ISREG (st.st_mode) && is_archive (afd))
        {
          extract = true;
          int fd = in_root_mkpath (root, j->dest, IN_ROOT_DIR, 0755, err);
          rc = fd < 0 ? -1 : 0;
          if (fd >= 0)
            close (fd);
          struct ctr_extract_options xo = { .keep_owner = true };
          if (rc == 0)
            rc = ctr_archive_extract (root, j->dest, afd, &xo, err);
          if (rc < 0)
            hk_error_prefix (err, "line %u: ADD: extract `%s`", j->in->line, paths[0]);
        }
    }
  if (rc == 0 && !extract)
    rc = extract_sources (j, &s, paths, root, dir, err);
  free (s.buf);
  if (rc == 0)
    {
      _cleanup_free_ char *upper = build_container_path (b, r, "upper");
      _cleanup_free_ char *history = xasprintf ("/bin/sh -c #(nop) %s", j->in->text);
      rc = build_commit (j->sr, upper, NULL, history, err);
    }
  build_container_remove (b, r);
  ctr_record_free (r);
  return rc;
}

static int
source_root (struct copy_job *j, struct hk_error **err)
{
  struct build *b = j->sr->b;
  const char *from = df_flag_get (j->in, "from", NULL);
  if (from == NULL)
    {
      j->context = true;
      j->root_fd = b->context_fd >= 0 ? dup (b->context_fd) : -1;
      return 0;
    }
  _cleanup_free_ char *name = NULL;
  if (shell_word_expand (from, b->df->escape, j->sr->vars, &name, err) < 0)
    return -1;
  struct build_stage *st = build_find_stage (b, name);
  _cleanup_free_ char *id = NULL;
  if (st)
    id = xstrdup (st->image_id);
  else if (store_image_resolve (b->e->store, name, NULL, &id, err) < 0)
    return hk_error_prefix (err, "line %u: COPY --from=%s: no stage or image of that name",
                            j->in->line, name);
  struct ctr_config c;
  ctr_config_init (&c);
  strv_append (&c.cmd, "true");
  c.network_mode = xstrdup ("none");
  int rc = build_container (b, id, &c, &j->from, err);
  ctr_config_clear (&c);
  if (rc < 0)
    return -1;
  _cleanup_free_ char *merged = build_container_path (b, j->from, "merged");
  j->root_fd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (j->root_fd < 0)
    return hk_error_errno (err, errno, "open `%s`", merged);
  /* The key names the image the files come from. */
  const char *parts[] = { id, NULL };
  build_key (j->sr->key, j->sr->key, parts);
  return 0;
}

static int
fetch_urls (struct copy_job *j, struct hk_error **err)
{
  for (size_t i = 0; j->sources[i]; i++)
    {
      if (!j->add || !is_url (j->sources[i]))
        continue;
      if (j->fetched_fd >= 0)
        return hk_error_set (err, EINVAL, "line %u: ADD: one URL at a time", j->in->line);
      j->fetched_fd = openat (j->sr->b->e->store->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
                              0600);
      if (j->fetched_fd < 0)
        return hk_error_errno (err, errno, "create a file for `%s`", j->sources[i]);
      char digest[DIGEST_STRING_SIZE];
      const char *checksum = df_flag_get (j->in, "checksum", NULL);
      if (build_fetch (j->sources[i], j->fetched_fd, checksum, digest, &j->fetched_mtime, err)
          < 0)
        return hk_error_prefix (err, "line %u: ADD", j->in->line);
    }
  return 0;
}

static int
destination (struct copy_job *j, char **words, struct hk_error **err)
{
  size_t n = strv_length (words);
  if (n < 2)
    return hk_error_set (err, EINVAL, "line %u: %s requires at least two arguments, but only "
                                      "one was provided: a source and a destination",
                         j->in->line, df_kind_name (j->in->kind));
  const char *dest = words[n - 1];
  const char *wd = json_string_value (
      json_object_get (json_object_get (j->sr->config, "config"), "WorkingDir"));
  _cleanup_free_ char *full = dest[0] == '/' ? xstrdup (dest)
                                             : xasprintf ("%s/%s", wd && *wd ? wd : "", dest);
  _cleanup_free_ char *clean = ignore_clean_path (full);
  j->dest = strcmp (clean, ".") ? xasprintf ("/%s", clean) : xstrdup ("/");
  size_t dl = strlen (dest);
  j->dest_is_dir = dest[dl - 1] == '/' || n > 2 || strcmp (dest, ".") == 0
                   || (dl >= 2 && strcmp (dest + dl - 2, "/.") == 0);
  free (words[n - 1]);
  words[n - 1] = NULL;
  for (size_t i = 0; words[i]; i++)
    if (has_glob (words[i]) && !heredoc_source (j->in, words[i]))
      j->dest_is_dir = true;
  j->sources = words;
  j->counts = xzalloc (n * sizeof *j->counts);
  return 0;
}

int
build_copy (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err)
{
  struct build *b = sr->b;
  struct copy_job j = { .sr = sr, .in = in, .add = in->kind == DF_ADD, .root_fd = -1,
                        .fetched_fd = -1, .fetched_mtime = -1 };
  _cleanup_strv_ char **paths = xzalloc (sizeof *paths);
  char **words = NULL;
  int rc = build_words (sr, in, &words, err);
  if (rc == 0)
    rc = destination (&j, words, err);
  else
    words = NULL;
  if (rc == 0)
    rc = source_root (&j, err);
  if (rc == 0 && j.root_fd < 0 && j.context && j.sources[0] && !heredoc_source (in, j.sources[0])
      && !(j.add && is_url (j.sources[0])))
    rc = hk_error_set (err, EINVAL, "line %u: %s: there is no build context to copy from",
                       in->line, df_kind_name (in->kind));
  if (rc == 0)
    rc = fetch_urls (&j, err);
  if (rc == 0)
    rc = expand_sources (&j, &paths, err);
  /* The key: the instruction's, then every source file. */
  struct sink key = { .entry = key_entry, .buf = xmalloc (READ_BUFFER) };
  sha256_init (&key.hash);
  if (rc == 0)
    rc = owner (&j, -1, &key, err);
  if (rc == 0)
    rc = walk_all (&j, &key, paths, err);
  char digest[DIGEST_STRING_SIZE];
  sha256_final (&key.hash, digest);
  sha256_release (&key.hash);
  free (key.buf);
  char id[DIGEST_STRING_SIZE];
  if (rc == 0)
    {
      const char *parts[] = { digest, NULL };
      build_key (sr->key, sr->key, parts);
      if (!b->o->no_cache && build_cache_get (b, sr->key, id))
        {
          build_say (b, "--> Using cache %s", digest_hex (id));
          rc = build_stage_load (sr, id, err);
        }
      else
        {
          rc = copy_into (&j, paths, err);
          if (rc == 0 && !b->o->no_cache)
            build_cache_put (b, sr->key, sr->image_id);
          if (rc == 0)
            build_say (b, "--> %.12s", digest_hex (sr->image_id));
        }
    }
  if (j.root_fd >= 0)
    close (j.root_fd);
  if (j.fetched_fd >= 0)
    close (j.fetched_fd);
  if (j.from)
    {
      build_container_remove (b, j.from);
      ctr_record_free (j.from);
    }
  free (j.dest);
  free (j.counts);
  strv_free (j.sources);
  return rc;
}
