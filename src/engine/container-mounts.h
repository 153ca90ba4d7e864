/* SPDX-License-Identifier: Apache-2.0 */
/* Volumes and bind mounts of a container: the -v/--mount/--tmpfs syntax
 * parsed into mount objects ({"Type", "Source", "Target", "ReadOnly",
 * "NoCopy"}), then resolved at create time into host paths (named and
 * anonymous volumes made, the image's VOLUMEs given anonymous ones). */
#ifndef HAKO_ENGINE_CONTAINER_MOUNTS_H
#define HAKO_ENGINE_CONTAINER_MOUNTS_H

#include "container-spec.h"
#include "common/error.h"
#include "store/image-config.h"

#include <jansson.h>
#include <sqlite3.h>

/* -v SRC:DST[:OPTS] or -v DST (an anonymous volume). */
int container_mounts_parse_volume (const char *spec, json_t **out, struct hk_error **err);

/* --mount type=bind|volume|tmpfs,source=...,target=...,readonly,... */
int container_mounts_parse_mount (const char *spec, json_t **out, struct hk_error **err);

/* Resolves OPTIONS.Mounts (and the image's VOLUMEs) into *BINDS, creating
 * volumes, and records them as OPTIONS.MountPoints.  ROOT is the engine
 * root (volumes live under it).  Tmpfs mounts go to OPTIONS.Tmpfs. */
int container_mounts_resolve (sqlite3 *db, const char *root, json_t *options,
                              const struct image_config *image, struct spec_bind **binds, size_t *n,
                              struct hk_error **err);

/* Fills the container's new volumes with what the image has at their
 * destinations (ROOT_FD: the mounted root filesystem), once. */
int container_mounts_fill (sqlite3 *db, const char *root, json_t *options, int root_fd,
                           struct hk_error **err);

void container_mounts_free_binds (struct spec_bind *binds, size_t n);

#endif
