/* SPDX-License-Identifier: Apache-2.0 */
/* The host ID ranges containers' user namespaces map to, recorded in the
 * store (table `userns_ranges`), so that `--userns auto` gives each
 * container a range nobody else holds, and a range taken by hand
 * (--uidmap, remap:USER) cannot overlap another container's unless both
 * are the very same range (sharing asked for).  A container's rows go
 * with it; rows of a container no longer recorded (a crash between the
 * two) are ignored and removed by the next allocation. */
#ifndef HAKO_ENGINE_USERNS_RANGE_H
#define HAKO_ENGINE_USERNS_RANGE_H

#include "subid.h"
#include "common/error.h"
#include "common/id-map.h"

#include <sqlite3.h>
#include <stdbool.h>

int userns_range_db_init (sqlite3 *db, struct hk_error **err);

/* `--userns auto`: SIZE free uids from UID_POOL and SIZE free gids from
 * GID_POOL, each in one block mapped from the container's 0, recorded for
 * container ID as its own; *UID_MAP and *GID_MAP get the maps (one entry
 * each). */
int userns_range_allocate (sqlite3 *db, const char *id, uint32_t size,
                           const struct subid_range *uid_pool, size_t n_uid_pool,
                           const struct subid_range *gid_pool, size_t n_gid_pool,
                           struct id_map **uid_map, struct id_map **gid_map, struct hk_error **err);

/* Maps made by hand: refused when one overlaps a range another container
 * holds, unless it is that very range and neither was given by auto;
 * else recorded for ID.  JOINED (ns:PATH: an existing namespace joined,
 * sharing asked for): recorded without the check. */
int userns_range_claim (sqlite3 *db, const char *id, const struct id_map *uid_map, size_t n_uid,
                        const struct id_map *gid_map, size_t n_gid, bool joined,
                        struct hk_error **err);

/* Forgets ID's ranges. */
int userns_range_release (sqlite3 *db, const char *id, struct hk_error **err);

#endif
