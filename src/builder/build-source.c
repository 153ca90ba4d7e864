/* SPDX-License-Identifier: Apache-2.0 */
/* COPY and ADD: the sources (the context, after the ignore rules; another
 * stage or an image with --from; heredocs; for ADD, URLs and local tar
 * archives, which are extracted) walked twice: once into the step's key
 * (names, types, modes, owners, link targets and contents), and, when the
 * cache has no image for it, for the worker, which streams them into the
 * step's container with the extractor of `hako cp`, never leaving its
 * root.
 *
 * The context is a directory of the user's and may hold anything: a
 * source is opened beneath it (openat2 RESOLVE_BENEATH), so `../x`, an
 * absolute path or a symlink that leads out is refused, and nothing below
 * a source is followed (symlinks are copied as symlinks). */
#include "builder-internal.h"
#include "file-digest-cache.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/in-root.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/user-lookup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define READ_BUFFER (1 << 16)

/* One file of a source as the sinks see it. */
struct src_entry
{
  const char *name; /* where it lands, relative to the extraction directory */
  const char *path; /* where it is, for errors */
  struct stat st;
  int fd;            /* a regular file's content, or -1: */
  int at_fd;         /* opened from AT_FD/AT_NAME when read */
  const char *at_name;
  const char *data; /* or this (a heredoc) */
  const char *link; /* a symlink's target */
};

struct sink
{
  int (*entry) (struct sink *s, const struct src_entry *e, struct hk_error **err);
  bool chmod_set;
  mode_t chmod;
  uid_t uid;
  gid_t gid;
  struct sha256 hash; /* the key sink */
  char *buf;
  struct file_digest_cache *digests; /* the context's, or NULL */
  build_entry_fn out; /* the worker's sink */
  void *out_data;
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
  char *from_id;           /* --from's image, or NULL (the context) */
  struct ctr_record *from; /* its working container */
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
  strv_sort (names);
  size_t n = strv_length (names);
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
  struct src_entry e = {
    .name = out_name, .path = ctx_path, .st = st, .fd = -1, .at_fd = parent, .at_name = name,
  };
  char link[PATH_MAX];
  if (S_ISLNK (st.st_mode))
    {
      ssize_t n = readlinkat (parent, name, link, sizeof link - 1);
      if (n < 0)
        return hk_error_errno (err, errno, "read link `%s`", ctx_path);
      link[n] = '\0';
      e.link = link;
    }
  else if (!S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode))
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
      strv_sort (*paths + before); /* the matches are the vector's tail */
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
  if (!S_ISREG (st.st_mode))
    return hk_error_set (err, EINVAL, "`%s`: only files, directories and symlinks are copied",
                         path);
  /* Read through the fd opened beneath the root, not by name again. */
  struct src_entry e = { .name = file_name, .path = path, .st = st, .fd = -1, .at_fd = fd };
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
            .path = src,
            .fd = h ? -1 : j->fetched_fd,
            .data = text,
          };
          e.st.st_mode = S_IFREG | (h ? 0644 : 0600);
          e.st.st_size = h ? (off_t)strlen (text) : lseek (j->fetched_fd, 0, SEEK_END);
          e.st.st_mtime = h ? (j->sr->b->o->timestamp >= 0 ? j->sr->b->o->timestamp : 0)
                            : (j->fetched_mtime >= 0 ? j->fetched_mtime : 0);
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

/* A regular file's content: its fd (rewound), or the file opened again
 * and checked to be the one that was walked.  *OWNED is what the caller
 * closes. */
static int
entry_open (const struct src_entry *e, int *owned, struct hk_error **err)
{
  *owned = -1;
  if (e->fd >= 0)
    {
      if (lseek (e->fd, 0, SEEK_SET) < 0)
        return hk_error_errno (err, errno, "rewind `%s`", e->path);
      return e->fd;
    }
  int fd;
  if (e->at_name)
    fd = openat (e->at_fd, e->at_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  else
    {
      char proc[64];
      snprintf (proc, sizeof proc, "/proc/self/fd/%d", e->at_fd);
      fd = open (proc, O_RDONLY | O_CLOEXEC);
    }
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", e->path);
  struct stat st;
  if (fstat (fd, &st) < 0 || st.st_dev != e->st.st_dev || st.st_ino != e->st.st_ino)
    {
      close (fd);
      return hk_error_set (err, EBUSY, "`%s` was replaced while the build read it", e->path);
    }
  *owned = fd;
  return fd;
}

static int
hash_file (struct sink *s, const struct src_entry *e, char digest[DIGEST_STRING_SIZE],
           struct hk_error **err)
{
  _cleanup_close_ int owned = -1;
  int fd = entry_open (e, &owned, err);
  if (fd < 0)
    return -1;
  _cleanup_sha256_ struct sha256 h;
  sha256_init (&h);
  for (;;)
    {
      ssize_t n = read (fd, s->buf, READ_BUFFER);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read `%s`", e->path);
      if (n == 0)
        break;
      sha256_update (&h, s->buf, (size_t)n);
    }
  sha256_final (&h, digest);
  return 0;
}

/* The key: every entry's name, mode, owner, size, link target and the
 * digest of its content. */
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
  else if (S_ISREG (e->st.st_mode))
    {
      char digest[DIGEST_STRING_SIZE];
      if (s->digests == NULL || !file_digest_cache_get (s->digests, &e->st, digest))
        {
          if (hash_file (s, e, digest, err) < 0)
            return -1;
          if (s->digests)
            file_digest_cache_put (s->digests, &e->st, digest, time (NULL));
        }
      sha256_update (&s->hash, digest, sizeof digest);
    }
  return 0;
}

/* An entry as the worker sees it. */
static int
worker_entry (struct sink *s, const struct src_entry *e, struct hk_error **err)
{
  _cleanup_close_ int owned = -1;
  int fd = -1;
  if (S_ISREG (e->st.st_mode) && e->data == NULL && (fd = entry_open (e, &owned, err)) < 0)
    return -1;
  struct build_entry be = {
    .name = e->name,
    .mode = entry_mode (s, e),
    .uid = s->uid,
    .gid = s->gid,
    .size = S_ISREG (e->st.st_mode) ? e->st.st_size : 0,
    .mtime = e->st.st_mtim,
    .link = e->link,
    .data = e->data,
    .fd = fd,
  };
  return s->out (s->out_data, &be, err);
}

/* ---- the step ------------------------------------------------------ */

/* The walk the worker runs (build_walk_fn). */
struct worker_walk
{
  struct copy_job *j;
  struct sink *s;
  char **paths;
};

static int
walk_for_worker (void *walker, build_entry_fn entry, void *sink, struct hk_error **err)
{
  struct worker_walk *w = walker;
  w->s->out = entry;
  w->s->out_data = sink;
  return walk_all (w->j, w->s, w->paths, err);
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

/* The directory the sources go into: the destination, or its parent
 * when one file (or one directory's content) is named for it; a
 * destination that is a directory in the image takes the source in. */
static int
target_dir (struct copy_job *j, char **paths, int root, char **out, struct hk_error **err)
{
  bool single_dir = false;
  if (!j->dest_is_dir && paths[0] && !paths[1])
    {
      struct stat st;
      _cleanup_close_ int d = in_root_open (root, j->dest, O_PATH, 0, NULL);
      _cleanup_close_ int sfd = open_beneath (j->root_fd, paths[0], O_PATH, !j->context);
      if (d >= 0 && fstat (d, &st) == 0 && S_ISDIR (st.st_mode))
        j->dest_is_dir = true;
      single_dir = sfd >= 0 && fstat (sfd, &st) == 0 && S_ISDIR (st.st_mode);
    }
  _cleanup_free_ char *dir = xstrdup (j->dest);
  if (!j->dest_is_dir && !single_dir)
    {
      char *slash = strrchr (dir, '/');
      slash[slash == dir ? 1 : 0] = '\0';
    }
  _cleanup_close_ int fd = in_root_mkpath (root, dir, IN_ROOT_DIR, 0755, err);
  if (fd < 0)
    return -1;
  *out = take_ptr (dir);
  return 0;
}

/* ADD of one local archive: extracted into the destination, not copied.
 * *DONE tells whether it was one. */
static int
add_archive (struct copy_job *j, const struct build_worker *w, char **paths, int root,
             bool *done, struct hk_error **err)
{
  *done = false;
  if (!j->add || !paths[0] || paths[1] || !j->sources[0] || j->sources[1])
    return 0;
  _cleanup_close_ int afd = open_beneath (j->root_fd, paths[0], O_RDONLY, !j->context);
  struct stat st;
  if (afd < 0 || fstat (afd, &st) < 0 || !S_ISREG (st.st_mode) || !w->is_archive (afd))
    return 0;
  *done = true;
  _cleanup_close_ int fd = in_root_mkpath (root, j->dest, IN_ROOT_DIR, 0755, err);
  if (fd < 0 || w->extract_archive (root, j->dest, afd, err) < 0)
    return hk_error_prefix (err, "line %u: ADD: extract `%s`", j->in->line, paths[0]);
  return 0;
}

/* The step's work in a container of the previous image. */
static int
copy_into (struct copy_job *j, const struct build_worker *w, char **paths,
           struct hk_error **err)
{
  struct build *b = j->sr->b;
  struct ctr_record *r = NULL;
  if (build_root_container (b, j->sr->image_id, &r, err) < 0)
    return -1;
  _cleanup_free_ char *merged = build_container_path (b, r, "merged");
  _cleanup_close_ int root = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct sink s = { .entry = worker_entry };
  int rc = root < 0 ? hk_error_errno (err, errno, "open `%s`", merged) : 0;
  if (rc == 0)
    rc = owner (j, root, &s, err);
  _cleanup_free_ char *dir = NULL;
  if (rc == 0)
    rc = target_dir (j, paths, root, &dir, err);
  bool extracted = false;
  if (rc == 0)
    rc = add_archive (j, w, paths, root, &extracted, err);
  struct worker_walk walk = { .j = j, .s = &s, .paths = paths };
  if (rc == 0 && !extracted)
    rc = w->write_files (root, dir, walk_for_worker, &walk, err);
  if (rc == 0)
    {
      _cleanup_free_ char *upper = build_container_path (b, r, "upper");
      _cleanup_free_ char *history = xasprintf ("/bin/sh -c #(nop) %s", j->in->text);
      rc = build_commit (j->sr, upper, NULL, false, history, err);
    }
  build_container_remove (b, r);
  ctr_record_free (r);
  return rc;
}

/* --from's image (a stage's, or one of the store), in J->from_id; none
 * for the context. */
static int
source_image (struct copy_job *j, struct hk_error **err)
{
  struct build *b = j->sr->b;
  const char *from = df_flag_get (j->in, "from", NULL);
  if (from == NULL)
    {
      j->context = true;
      return 0;
    }
  _cleanup_free_ char *name = NULL;
  if (shell_word_expand (from, b->df->escape, j->sr->vars, &name, err) < 0)
    return -1;
  struct build_stage *st = build_find_stage (b, j->sr->stage, name);
  if (st && build_stage_wait (b, st, err) < 0)
    return -1;
  if (st)
    j->from_id = xstrdup (st->image_id);
  else if (build_resolve_image (b, name, &j->from_id, err) < 0)
    return hk_error_prefix (err, "line %u: COPY --from=%s: no stage or image of that name",
                            j->in->line, name);
  return 0;
}

/* Where the sources are: the context, or a working container of --from's
 * image. */
static int
open_source_root (struct copy_job *j, struct hk_error **err)
{
  struct build *b = j->sr->b;
  if (j->from_id == NULL)
    {
      j->root_fd = b->context_fd >= 0 ? dup (b->context_fd) : -1;
      return 0;
    }
  if (build_root_container (b, j->from_id, &j->from, err) < 0)
    return -1;
  _cleanup_free_ char *merged = build_container_path (b, j->from, "merged");
  j->root_fd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (j->root_fd < 0)
    return hk_error_errno (err, errno, "open `%s`", merged);
  return 0;
}

static int
fetch_urls (struct copy_job *j, struct hk_error **err)
{
  for (size_t i = 0; j->sources[i]; i++)
    {
      if (!j->add || !is_url (j->sources[i]))
        continue;
      const struct build_worker *w;
      if (build_need_worker (j->sr->b, &w, err) < 0)
        return -1;
      if (j->fetched_fd >= 0)
        return hk_error_set (err, EINVAL, "line %u: ADD: one URL at a time", j->in->line);
      j->fetched_fd = openat (j->sr->b->e->store->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
                              0600);
      if (j->fetched_fd < 0)
        return hk_error_errno (err, errno, "create a file for `%s`", j->sources[i]);
      char digest[DIGEST_STRING_SIZE];
      const char *checksum = df_flag_get (j->in, "checksum", NULL);
      if (w->fetch (j->sources[i], j->fetched_fd, checksum, digest, &j->fetched_mtime, err) < 0)
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

/* The sources' part of the key: for the context (and ADD's URLs) every
 * file, walked; for --from an image, which never changes, its ID. */
static int
sources_key (struct copy_job *j, char **paths, char digest[DIGEST_STRING_SIZE],
             struct hk_error **err)
{
  if (j->from_id)
    {
      memcpy (digest, j->from_id, DIGEST_STRING_SIZE);
      return 0;
    }
  struct sink key = { .entry = key_entry, .buf = xmalloc (READ_BUFFER),
                      .digests = j->context ? j->sr->b->digests : NULL };
  sha256_init (&key.hash);
  int rc = owner (j, -1, &key, err);
  if (rc == 0)
    rc = walk_all (j, &key, paths, err);
  sha256_final (&key.hash, digest);
  free (key.buf);
  return rc;
}

int
build_context_digest (struct stage_run *sr, const struct df_instruction *in,
                      const char *source, char digest[DIGEST_STRING_SIZE],
                      struct hk_error **err)
{
  struct build *b = sr->b;
  if (b->context_fd < 0)
    return hk_error_set (err, EINVAL, "line %u: no build context to mount", in->line);
  struct copy_job j = { .sr = sr, .in = in, .context = true, .fetched_fd = -1 };
  _cleanup_close_ int root = j.root_fd = dup (b->context_fd);
  _cleanup_free_ char *clean = NULL;
  if (root < 0)
    return hk_error_errno (err, errno, "dup");
  if (clean_source (&j, source, &clean, err) < 0)
    return -1;
  struct sink key = { .entry = key_entry, .buf = xmalloc (READ_BUFFER), .digests = b->digests };
  sha256_init (&key.hash);
  int rc = walk_source (&j, &key, clean, base_name (clean), err);
  sha256_final (&key.hash, digest);
  free (key.buf);
  return rc;
}

static void
copy_job_clear (struct copy_job *j)
{
  if (j->root_fd >= 0)
    close (j->root_fd);
  if (j->fetched_fd >= 0)
    close (j->fetched_fd);
  if (j->from)
    {
      build_container_remove (j->sr->b, j->from);
      ctr_record_free (j->from);
    }
  free (j->from_id);
  free (j->dest);
  free (j->counts);
  strv_free (j->sources);
}

/* The step done: the sources in a container of the previous image,
 * committed. */
static int
copy_step (struct copy_job *j, char ***paths, struct hk_error **err)
{
  struct build *b = j->sr->b;
  const struct build_worker *w;
  if (build_need_worker (b, &w, err) < 0)
    return -1;
  if (j->from_id && (open_source_root (j, err) < 0 || expand_sources (j, paths, err) < 0))
    return -1;
  if (copy_into (j, w, *paths, err) < 0)
    return -1;
  build_cache_put (b, j->sr->key, j->sr->image_id);
  build_say (b, "--> %.12s", digest_hex (j->sr->image_id));
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
    rc = source_image (&j, err);
  if (rc == 0 && j.context)
    rc = open_source_root (&j, err);
  if (rc == 0 && j.root_fd < 0 && j.context && j.sources[0] && !heredoc_source (in, j.sources[0])
      && !(j.add && is_url (j.sources[0])))
    rc = hk_error_set (err, EINVAL, "line %u: %s: there is no build context to copy from",
                       in->line, df_kind_name (in->kind));
  if (rc == 0)
    rc = fetch_urls (&j, err);
  if (rc == 0 && j.context)
    rc = expand_sources (&j, &paths, err);
  char digest[DIGEST_STRING_SIZE];
  if (rc == 0)
    rc = sources_key (&j, paths, digest, err);
  char id[DIGEST_STRING_SIZE];
  if (rc == 0)
    {
      const char *parts[] = { digest, NULL };
      build_key (sr->key, sr->key, parts);
      if (build_cache_get (b, sr->key, id))
        {
          build_say (b, "--> Using cache %s", digest_hex (id));
          rc = build_stage_load (sr, id, err);
        }
      else
        rc = copy_step (&j, &paths, err);
    }
  copy_job_clear (&j);
  return rc;
}
