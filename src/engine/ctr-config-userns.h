/* SPDX-License-Identifier: Apache-2.0 */
/* The user-namespace flags of run/create into the model: --userns,
 * --uidmap/--gidmap and --subuidname/--subgidname, as Podman takes them.
 * Each checks its value; what depends on the host (subordinate ranges,
 * the ranges other containers hold) is resolved at create
 * (ctr-userns.h). */
#ifndef HAKO_ENGINE_CTR_CONFIG_USERNS_H
#define HAKO_ENGINE_CTR_CONFIG_USERNS_H

#include "ctr-config.h"

/* --userns host | auto[:size=N] | keep-id | nomap | ns:PATH | remap:USER */
int config_parse_userns (struct ctr_config *c, const char *text, struct hk_error **err);

/* The size of an "auto:size=N" mode, 0 for plain "auto"; -1 when MODE is
 * not auto. */
long long config_userns_auto_size (const char *mode);

/* --uidmap / --gidmap CONTAINER:HOST:COUNT (repeatable; GID picks which). */
int config_parse_id_map (struct ctr_config *c, const char *text, bool gid,
                         struct hk_error **err);

/* --subuidname / --subgidname NAME */
int config_parse_subid_name (struct ctr_config *c, const char *text, bool gid,
                             struct hk_error **err);

/* Once every flag is in: the flags that exclude each other, the maps
 * checked as the kernel will (a --uidmap alone maps gids alike, as
 * Podman does). */
int config_check_userns (struct ctr_config *c, struct hk_error **err);

/* Whether C runs in a user namespace of its own (any mode but host). */
bool ctr_config_has_userns (const struct ctr_config *c);

/* C's maps in *STORAGE, returned; NULL when C has no user namespace. */
const struct id_maps *ctr_config_id_maps (const struct ctr_config *c, struct id_maps *storage);

#endif
