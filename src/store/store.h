/* SPDX-License-Identifier: Apache-2.0 */
/* The image store under a root directory (default /var/lib/hako):
 *
 *   hako.db                 SQLite: images, tags, digests, layers, rootfs
 *   blobs/sha256/<hex>      content-addressed blobs, named after the check
 *   layers/<chain hex>/     extracted layers, overlayfs lower directories
 *   l/<short>               symlink → ../layers/<chain hex>: short names keep
 *                           the overlay mount options of deep images small
 *   locks/gc, locks/content lock files (see below)
 *   tmp/<random>/           one scratch directory per running command
 *
 * Concurrency.  SQLite (WAL, transactions) keeps the metadata whole.  A
 * command that adds content holds locks/gc shared for as long as it works;
 * garbage collection takes it exclusive, so it never removes a blob or a
 * layer that a pull has fetched but not yet referenced.  Byte-range locks
 * (OFD) on locks/content, one per digest, make two pulls of the same layer
 * download and extract it once: the second waits and then finds it.
 *
 * Crash safety.  A blob is written in the command's tmp/ directory,
 * verified, fsynced and only then renamed to its digest; a layer is
 * extracted in tmp/ and renamed to its chain ID when complete.  So blobs/
 * and layers/ hold only verified content, whatever moment a command dies
 * at.  Each tmp/ directory is flock()ed by its command; the next command
 * removes the ones whose owner is gone.  Content that a crash left
 * unreferenced is removed by the next garbage collection. */
#ifndef HAKO_STORE_STORE_H
#define HAKO_STORE_STORE_H

#include "common/error.h"
#include "common/log.h"
#include "digest.h"
#include "image-config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STORE_DEFAULT_ROOT "/var/lib/hako"
#define STORE_LINK_LEN     12

struct sqlite3;

struct store
{
  char *root;
  int root_fd;
  int blobs_fd;  /* blobs/sha256 */
  int layers_fd; /* layers */
  int links_fd;  /* l */
  int tmp_fd;    /* tmp/<mine> */
  char *tmp_name;
  int gc_lock_fd;
  int content_lock_fd;
  int content_users; /* nesting of store_content_begin */
  struct sqlite3 *db;
  const struct hk_log *log;
};

/* Opens (creating when missing) the store at ROOT and removes the scratch
 * directories of commands that died.  LOG may be NULL. */
int store_open (const char *root, const struct hk_log *log, struct store **out,
                struct hk_error **err);
void store_close (struct store *s);

static inline void
cleanup_storep (struct store **s)
{
  store_close (*s);
}
#define _cleanup_store_ __attribute__ ((cleanup (cleanup_storep)))

/* Brackets an operation that adds content (pull, load, import, commit):
 * garbage collection waits until it ends. */
int store_content_begin (struct store *s, struct hk_error **err);
void store_content_end (struct store *s);

enum store_lock_kind
{
  STORE_LOCK_BLOB,
  STORE_LOCK_LAYER, /* by chain ID */
};

/* Per-digest lock.  Returns 1 when taken, 0 when another command holds it
 * (only with NONBLOCK), -1 on error.  Within one process a digest must not
 * be locked twice at once (the lock is the process's, not the caller's). */
int store_digest_lock (struct store *s, enum store_lock_kind kind, const char *digest,
                       bool nonblock, struct hk_error **err);
void store_digest_unlock (struct store *s, enum store_lock_kind kind, const char *digest);

/* --- transactions ---------------------------------------------------- */
int store_tx_begin (struct store *s, struct hk_error **err);
int store_tx_commit (struct store *s, struct hk_error **err);
void store_tx_rollback (struct store *s);

/* --- blobs (blob.c) -------------------------------------------------- */
struct blob_writer
{
  struct store *store;
  int fd;
  char *tmp_name; /* in the store's tmp dir */
  struct sha256 hash;
  uint64_t written;
  char expected[DIGEST_STRING_SIZE]; /* "" when unknown */
  int64_t expected_size;             /* -1 when unknown */
  int64_t max_size;                  /* -1: no cap beyond expected_size */
  char digest[DIGEST_STRING_SIZE];   /* after commit */
};

/* Starts a blob.  With EXPECTED (digest) and EXPECTED_SIZE (≥ 0), a body
 * longer than EXPECTED_SIZE fails at once, and commit fails unless both
 * match.  WHAT names the blob in errors. */
int blob_writer_open (struct store *s, const char *expected, int64_t expected_size,
                      struct blob_writer **out, struct hk_error **err);
int blob_writer_write (struct blob_writer *w, const void *buf, size_t len, struct hk_error **err);
/* Throws away what was written (a retry from the start). */
int blob_writer_reset (struct blob_writer *w, struct hk_error **err);
/* Verifies, fsyncs and names the blob.  Its digest is then w->digest. */
int blob_writer_commit (struct blob_writer *w, struct hk_error **err);
/* Removes the temporary file unless committed; frees W. */
void blob_writer_free (struct blob_writer *w);

static inline void
cleanup_blob_writerp (struct blob_writer **w)
{
  blob_writer_free (*w);
}
#define _cleanup_blob_writer_ __attribute__ ((cleanup (cleanup_blob_writerp)))

bool store_blob_exists (struct store *s, const char *digest);
int store_blob_open (struct store *s, const char *digest, struct hk_error **err);
/* Reads a small blob whole and checks its digest again (defence against a
 * corrupted disk).  Refuses blobs above MAX. */
int store_blob_read (struct store *s, const char *digest, size_t max, char **out, size_t *len,
                     struct hk_error **err);
/* Adds a blob from memory (manifests, configs). */
int store_blob_put (struct store *s, const void *data, size_t len, char digest[DIGEST_STRING_SIZE],
                    struct hk_error **err);
int store_blob_size (struct store *s, const char *digest, uint64_t *size, struct hk_error **err);
/* Names TMP_NAME, a file of the command's scratch directory whose digest
 * the caller computed while writing it, as blob DIGEST. */
int store_blob_adopt (struct store *s, const char *tmp_name, const char *digest,
                      struct hk_error **err);

/* --- layers (store-layer.c) ------------------------------------------ */
/* ChainID of a layer over PARENT (NULL for the first). */
void layer_chain_id (const char *parent_chain, const char *diff_id, char out[DIGEST_STRING_SIZE]);

bool store_layer_exists (struct store *s, const char *chain_id);

/* A fresh directory in the command's scratch space for extracting a
 * layer.  *NAME (owned) is its name in the tmp dir; returns its fd. */
int store_layer_scratch (struct store *s, char **name, struct hk_error **err);

struct layer_info
{
  char chain_id[DIGEST_STRING_SIZE];
  char diff_id[DIGEST_STRING_SIZE];
  uint64_t size;     /* bytes of file content */
  uint64_t tar_size; /* bytes of the uncompressed tar */
};

/* Moves the extracted SCRATCH directory to layers/<chain> and records it.
 * When another command got there first, the scratch copy is dropped. */
int store_layer_commit (struct store *s, const char *scratch, const struct layer_info *info,
                        const char *parent_chain, struct hk_error **err);

int store_layer_get (struct store *s, const char *chain_id, struct layer_info *info,
                     struct hk_error **err);

/* --- images (store-image.c) ------------------------------------------ */
struct store_image_layer
{
  char chain_id[DIGEST_STRING_SIZE];
  char diff_id[DIGEST_STRING_SIZE];
  char blob_digest[DIGEST_STRING_SIZE];
  char *media_type;
  int64_t blob_size;
  uint64_t size; /* content bytes */
};

struct store_image
{
  char id[DIGEST_STRING_SIZE]; /* the config digest */
  char manifest_digest[DIGEST_STRING_SIZE];
  char *manifest_media_type;
  char *created;
  char *architecture;
  char *os;
  int64_t added;
  uint64_t size;
  struct store_image_layer *layers;
  size_t n_layers;
  char **repo_tags;    /* "docker.io/library/busybox:latest" */
  char **repo_digests; /* "docker.io/library/busybox@sha256:…" */
  char parent[DIGEST_STRING_SIZE]; /* the image it was made over (commit, build), or "" */
  bool has_children;               /* some image's parent */
};

/* Named by no tag or digest. */
bool store_image_untagged (const struct store_image *img);
/* Untagged with children: a build's step, kept for the images made over
 * it; `images` shows it only with -a (Docker's and Podman's intermediate
 * images). */
bool store_image_intermediate (const struct store_image *img);
/* Untagged without children: what `image prune` removes. */
bool store_image_dangling (const struct store_image *img);

void store_image_free (struct store_image *img);
static inline void
cleanup_store_imagep (struct store_image **p)
{
  store_image_free (*p);
}
#define _cleanup_store_image_ __attribute__ ((cleanup (cleanup_store_imagep)))

/* Records an image whose blobs and layers are already in the store, and
 * points TAG (a full reference "domain/path:tag", may be NULL) at it;
 * REPO_DIGEST ("domain/path@sha256:…", may be NULL) too.  EXTRA_BLOBS
 * (NULL-terminated, may be NULL) are kept alive with the image (an index). */
int store_image_add (struct store *s, const struct store_image *img, const char *tag,
                     const char *repo_digest, char *const *extra_blobs, struct hk_error **err);

int store_image_get (struct store *s, const char *id, struct store_image **out,
                     struct hk_error **err);

/* All images, newest first. */
int store_image_list (struct store *s, struct store_image ***out, size_t *n, struct hk_error **err);
void store_image_list_free (struct store_image **list, size_t n);

/* Resolves what a person typed: a name ("busybox", "busybox:1",
 * "x@sha256:…", looked up with each of SEARCH — registries for names
 * without one, NULL: docker.io), a full ID ("sha256:…") or a unique ID
 * prefix.  *ID is owned by the caller. */
int store_image_resolve (struct store *s, const char *text, char *const *search, char **id,
                         struct hk_error **err);

/* Points the full reference TAG at image ID. */
int store_tag_add (struct store *s, const char *id, const char *tag, struct hk_error **err);
/* Records that image ID is NAME ("domain/path@sha256:…") in a registry. */
int store_digest_add (struct store *s, const char *id, const char *name, struct hk_error **err);
/* Removes TAG; returns 0, or -1 with ENOENT when it was not there. */
int store_tag_remove (struct store *s, const char *tag, struct hk_error **err);
/* Records that image ID was made over PARENT (unless it says already). */
int store_image_set_parent (struct store *s, const char *id, const char *parent,
                            struct hk_error **err);
/* Removes the image row, its tags and digests (not its files: see GC). */
int store_image_delete (struct store *s, const char *id, struct hk_error **err);
/* Removes image ID if it is dangling and no container uses it, then its
 * parent likewise, and so on up ("" or a missing image ends it): what
 * Docker's rmi does to the parents of an image it removed, and its
 * prune to dangling images.  DELETED (may be NULL) hears of each. */
typedef void (*store_prune_fn) (const struct store_image *img, void *data);
int store_image_prune_chain (struct store *s, const char *id, store_prune_fn deleted,
                             void *data, struct hk_error **err);
/* Ids of rootfs entries (containers) made from image ID. */
int store_image_users (struct store *s, const char *id, char ***users, struct hk_error **err);

/* --- garbage collection (store-gc.c) --------------------------------- */
struct store_gc_result
{
  uint64_t blobs_removed;
  uint64_t layers_removed;
  uint64_t bytes_freed;
};

/* Removes blobs, layers and links no image references, and layer rows
 * left unreferenced; waits for running pulls to finish first. */
int store_gc (struct store *s, struct store_gc_result *result, struct hk_error **err);

/* Removes the images no container uses: the dangling ones (and the
 * parents that leaves dangling, as Docker does: an intermediate image
 * whose descendants have names stays), or with ALL every one; DELETED
 * (may be NULL) hears of each once it is gone.  Then collects the
 * garbage (RESULT). */
int store_image_prune (struct store *s, bool all, store_prune_fn deleted, void *data,
                       struct store_gc_result *result, struct hk_error **err);

struct store_usage
{
  uint64_t images;
  uint64_t dangling;
  uint64_t layers;
  uint64_t blobs;
  uint64_t blob_bytes;
  uint64_t layer_bytes;
  uint64_t rootfs;
};
int store_usage (struct store *s, struct store_usage *usage, struct hk_error **err);

#endif
