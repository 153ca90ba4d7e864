/* SPDX-License-Identifier: Apache-2.0 */
/* Parallel blob downloads into the store: a bounded number at once over
 * one curl multi handle, each verified by digest and size while it
 * streams, retried with backoff on transient failures (resuming with a
 * Range request when the server allows), and a blob that another command
 * is fetching waited for rather than fetched twice. */
#ifndef HAKO_TRANSFER_REGISTRY_TRANSFER_H
#define HAKO_TRANSFER_REGISTRY_TRANSFER_H

#include "progress.h"
#include "registry.h"
#include "store/store.h"

struct blob_download_state;

struct blob_download
{
  /* in */
  char digest[DIGEST_STRING_SIZE];
  int64_t size;
  size_t progress_line;
  void *user; /* for the hooks */
  /* out */
  bool done;
  bool fetched; /* false when the store had it already */
  /* private */
  struct blob_download_state *state;
};

struct download_hooks
{
  void *opaque;
  /* A blob is in the store, verified (from the transfer loop). */
  int (*blob_ready) (void *opaque, struct blob_download *d, struct hk_error **err);
  /* Called at every turn of the loop; returns 1 while the caller still has
   * work of its own (extractions), 0 when not, -1 to abort with *ERR. */
  int (*poll) (void *opaque, struct hk_error **err);
};

#define DOWNLOADS_AT_ONCE 4
#define DOWNLOAD_ATTEMPTS 4

int registry_download_blobs (struct registry_client *c, struct store *s, const char *domain,
                             const char *repository, struct blob_download *downloads, size_t n,
                             struct progress *progress, const struct download_hooks *hooks,
                             struct hk_error **err);

#endif
