/* SPDX-License-Identifier: Apache-2.0 */
/* The container commands of hako-transfer (they need libarchive): cp,
 * export, diff and commit, over the engine's containers. */
#ifndef HAKO_TRANSFER_CTR_TRANSFER_H
#define HAKO_TRANSFER_CTR_TRANSFER_H

#include "ctr-diff.h"
#include "engine/engine.h"
#include "store/digest.h"

struct transfer_copy_options
{
  bool archive; /* -a: keep owners (else the container's root, or the user on the host) */
  bool follow;  /* -L: copy what a source symlink points to */
};

/* cp: SRC and DST as `hako cp` takes them, one CONTAINER:PATH, the other a
 * local path or "-" (a tar stream on stdin or stdout), Docker's rules for
 * where the copy lands (copy-plan.h).  Works on running and stopped
 * containers; no path inside the container leads outside it. */
int transfer_copy (struct engine *e, const char *src, const char *dst,
                 const struct transfer_copy_options *o, struct hk_error **err);

/* export: R's file system (without its mounts) as a tar on OUT_FD. */
int transfer_export (struct engine *e, struct ctr_record *r, int out_fd,
                   struct hk_error **err);

/* diff: R's changes to its image's files, in path order (ctr-diff.h). */
int transfer_diff (struct engine *e, struct ctr_record *r, struct ctr_change **out,
                 size_t *n, struct hk_error **err);

struct transfer_commit_options
{
  const char *tag;      /* full reference, or NULL */
  char *const *changes; /* --change instructions, or NULL */
  const char *message;
  const char *author;
  bool pause; /* freeze a running container while its files are read */
};

/* commit: R's changes as a new layer over its image, and R's config (Cmd,
 * Env, ...) as the new image's, Docker's way; the image ID goes to ID. */
int transfer_commit (struct engine *e, struct ctr_record *r,
                   const struct transfer_commit_options *o, char id[DIGEST_STRING_SIZE],
                   struct hk_error **err);

#endif
