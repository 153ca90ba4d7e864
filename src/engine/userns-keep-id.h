/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless --userns keep-id and nomap, as Podman has them: a container's
 * maps made from those of the rootless holder's namespace (the user's own
 * id at 0, its subordinate ids from 1), in that namespace's ids, since
 * the engine runs there.  keep-id puts the user's own id at the same
 * number inside (the holder's 0 at the user's uid), its subordinate ids
 * around it; nomap leaves the user's own id out. */
#ifndef HAKO_ENGINE_USERNS_KEEP_ID_H
#define HAKO_ENGINE_USERNS_KEEP_ID_H

#include "common/error.h"
#include "common/id-map.h"

#include <stdbool.h>

/* From HOLDER (the maps as the holder's namespace shows them: its 0 is
 * the user's OWN id outside, 1.. its subordinate ids), the maps of a
 * nested namespace: KEEP_ID (the holder's 0 at OWN, the other ids of the
 * holder from 0 around it) or nomap (the holder's 1.. from 0).  *OWN is
 * the user's id outside.  Fails when HOLDER does not start at 0 or nomap
 * would map nothing (a user without subordinate ids). */
int userns_nested_maps (const struct id_map *holder, size_t n_holder, bool keep_id,
                        struct id_map **out, size_t *n, uint32_t *own, struct hk_error **err);

#endif
