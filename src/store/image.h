/* SPDX-License-Identifier: Apache-2.0 */
/* The image half as the engine uses it: one header, a handful of calls.
 *
 *   struct store *s;
 *   store_open ("/var/lib/hako", &log, &s, &err);         // open the store
 *   store_image_resolve (s, "busybox", search, &id, &err); // name, ID or prefix
 *   image_config_load (s, id, &config, &err);              // Env, Cmd, …
 *   image_rootfs_create (s, id, cid, "/var/lib/hako/containers/<cid>", &err);
 *   image_rootfs_mount (s, cid, NULL, &err);               // …/merged
 *   …run the container on …/merged…
 *   image_rootfs_unmount (".../merged", &err);
 *   image_rootfs_remove (s, cid, &err);                    // upper/work gone
 *   store_close (s);
 *
 * Every call returns 0 or -1 with *err set (see common/error.h).  A store
 * handle is for one thread.  Hold it only for the operation at hand: a
 * long-lived handle does no harm to others, but garbage collection waits
 * for handles inside store_content_begin/end.
 *
 * Images without a network: scripts/make-busybox-rootfs.sh DIR makes a
 * busybox root filesystem, and image_import (or `hako import - busybox`)
 * turns its tar into an image. */
#ifndef HAKO_STORE_IMAGE_H
#define HAKO_STORE_IMAGE_H

#include "image-config.h" /* struct image_config: the parsed config */
#include "rootfs.h"       /* image_rootfs_create/mount/unmount/remove */
#include "store.h"        /* store_open, store_image_resolve, store_image_get, … */

/* The config of image ID, parsed (*CONFIG) and as JSON text (*JSON, may
 * be NULL when not wanted).  Both owned by the caller. */
int image_config_load (struct store *s, const char *id, struct image_config **config, char **json,
                       struct hk_error **err);

#endif
