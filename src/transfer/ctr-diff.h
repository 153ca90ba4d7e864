/* SPDX-License-Identifier: Apache-2.0 */
/* `hako diff`: what a container changed, read from its overlay upper
 * directory against the image's layers.  A name in the upper directory is
 * Added when no layer below has it and Changed when one does; an overlay
 * whiteout (a character device 0:0) is a Deletion.  A directory is listed
 * as changed when something under it is, when it is opaque, or when its
 * mode or owner differ from the layers'. */
#ifndef HAKO_TRANSFER_CTR_DIFF_H
#define HAKO_TRANSFER_CTR_DIFF_H

#include "common/error.h"
#include "common/id-map.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct ctr_change
{
  char kind;  /* 'A', 'C' or 'D' */
  char *path; /* "/etc/passwd" */
};

void ctr_changes_free (struct ctr_change *changes, size_t n);

/* The kind of change an upper-directory entry ST is, IN_LOWER telling
 * whether a layer below has the name. */
char ctr_diff_kind (const struct stat *st, bool in_lower);

/* The mount points the engine and the runtime make in every container
 * (relative paths, "etc/hosts"): not the user's changes, so neither diff
 * nor commit shows them.  NULL-terminated. */
extern const char *const ctr_diff_excluded[];

/* The changes in the tree UPPER_FD over the layers LOWER_FDS (topmost
 * first), in path order.  MAPS (else NULL): UPPER_FD's owners are host ids
 * of a remapped container, compared as it sees them. */
int ctr_diff (int upper_fd, const int *lower_fds, size_t n_lower, const struct id_maps *maps,
              struct ctr_change **out, size_t *n, struct hk_error **err);

#endif
