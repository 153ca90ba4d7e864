/* SPDX-License-Identifier: Apache-2.0 */
/* Named volumes: directories under ROOT/volumes/NAME/_data, recorded in
 * the database (table `volumes`).  A new volume mounted where the image
 * has content is filled with that content on first use, as Docker does. */
#ifndef HAKO_ENGINE_VOLUME_H
#define HAKO_ENGINE_VOLUME_H

#include "common/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct volume
{
  char *name;
  char *created;
  char *mountpoint; /* ROOT/volumes/NAME/_data */
  json_t *labels;
  bool anonymous;
  bool filled; /* has received the image's content (or never will) */
};

void volume_free (struct volume *v);

int volume_db_init (sqlite3 *db, struct hk_error **err);

/* Creates volume NAME (NULL: an anonymous one with a random name), or
 * returns the existing one.  LABELS may be NULL. */
int volume_create (sqlite3 *db, const char *root, const char *name, json_t *labels,
                   struct volume **out, struct hk_error **err);

int volume_get (sqlite3 *db, const char *root, const char *name, struct volume **out,
                struct hk_error **err);

int volume_list (sqlite3 *db, const char *root, struct volume ***out, size_t *n,
                 struct hk_error **err);
void volume_list_free (struct volume **list, size_t n);

/* Removes volume NAME; refused while a container uses it. */
int volume_remove (sqlite3 *db, const char *root, const char *name, struct hk_error **err);

/* Removes the volumes no container uses: anonymous ones, with ALL named
 * ones too; REMOVED (may be NULL) hears of each.  *BYTES: the space they
 * held. */
typedef void (*volume_prune_fn) (const char *name, void *data);
int volume_prune (sqlite3 *db, const char *root, bool all, volume_prune_fn removed, void *data,
                  uint64_t *bytes, struct hk_error **err);

/* Copies what the image has at SOURCE_DIR (an fd inside the container's
 * root) into the volume, once, if the volume is empty. */
int volume_fill (sqlite3 *db, struct volume *v, int source_dir, struct hk_error **err);

#endif
