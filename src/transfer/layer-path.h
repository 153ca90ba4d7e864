/* SPDX-License-Identifier: Apache-2.0 */
/* The pure rules of layer extraction: which tar entry names are allowed,
 * and which names are OCI whiteouts.  Kept apart from the file-system code
 * so that unit tests and the fuzzer can hammer them. */
#ifndef HAKO_TRANSFER_LAYER_PATH_H
#define HAKO_TRANSFER_LAYER_PATH_H

#include "common/error.h"

#include <stdbool.h>

/* Normalises a tar entry name into a relative path without ".", empty
 * components or a trailing slash ("./a//b/" → "a/b"; "." and "./" → "",
 * the layer's root).  Refuses absolute names, any ".." component, and
 * names with a component longer than NAME_MAX: each would aim outside the
 * layer directory or at nothing.  *OUT is owned by the caller. */
int layer_path_clean (const char *name, char **out, struct hk_error **err);

enum whiteout_kind
{
  WHITEOUT_NONE,   /* an ordinary name */
  WHITEOUT_FILE,   /* ".wh.NAME": NAME is deleted from the lower layers */
  WHITEOUT_OPAQUE, /* ".wh..wh..opq": the directory hides lower contents */
  WHITEOUT_META,   /* other ".wh..wh.*": aufs bookkeeping, skipped */
};

/* Classifies the last component BASENAME; for WHITEOUT_FILE, *TARGET
 * points at the hidden name inside BASENAME.  A ".wh." with nothing, "."
 * or ".." after it is WHITEOUT_NONE's opposite: returns -1 with *ERR. */
int layer_whiteout_classify (const char *basename, enum whiteout_kind *kind, const char **target,
                             struct hk_error **err);

/* True when any component of the clean PATH is aufs metadata (".wh..wh.*"):
 * such entries and everything below them are skipped. */
bool layer_path_in_aufs_meta (const char *path);

/* Whether an xattr from an image may be set on an extracted file.  The
 * overlay filesystem's own trusted.overlay.* (and user.overlay.*) xattrs
 * would let an image redirect lookups to other layers or fake whiteouts,
 * so they are never taken from a tar. */
bool layer_xattr_allowed (const char *name);

#endif
