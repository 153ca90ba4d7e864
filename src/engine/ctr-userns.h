/* SPDX-License-Identifier: Apache-2.0 */
/* A container's user namespace: its maps settled at create from the mode
 * (ctr-config-userns.h), and the namespace itself, made at start from the
 * maps and kept by a bind mount of its nsfs file at RUNROOT/userns/ID
 * until the container is released, so that its network namespace can be
 * made inside it (owned by it) before the container's first process, and
 * a restart finds both. */
#ifndef HAKO_ENGINE_CTR_USERNS_H
#define HAKO_ENGINE_CTR_USERNS_H

#include "engine-context.h"

/* At create, once ID's record is in the store: C's mode made definite
 * (the machine's default when none was asked) and its maps made from it
 * (auto: a range of hako's subordinate ids of its own; remap:USER and
 * --subuidname: USER's ranges; ns:PATH: that namespace's maps; --uidmap:
 * as given; rootless keep-id and nomap: nested in the holder's namespace,
 * userns-keep-id.h) and recorded for ID (userns-range.h).  Nothing is recorded
 * when it fails. */
int ctr_userns_resolve (struct engine *e, const char *id, struct ctr_config *c,
                        struct hk_error **err);

/* Forgets ID's ranges (rm, a create undone). */
void ctr_userns_release (struct engine *e, const char *id);

/* The user namespace R's container joins: NULL without one, PATH for
 * ns:PATH, else RUNROOT/userns/ID.  Owned by the caller. */
char *ctr_userns_path (const struct engine *e, const struct ctr_record *r);

/* Makes R's namespace from its maps at RUNROOT/userns/ID unless it is
 * there (ns:PATH and host: nothing to make). */
int ctr_userns_up (struct engine *e, const struct ctr_record *r, struct hk_error **err);

/* Unmounts and removes RUNROOT/userns/ID; not there is fine. */
void ctr_userns_down (struct engine *e, const struct ctr_record *r);

/* Opens R's namespace (R has one). */
int ctr_userns_open (const struct engine *e, const struct ctr_record *r, struct hk_error **err);

/* The host ids of the container's ID 0 (the owner of its root and of new
 * volumes); the host's 0 without a user namespace. */
void ctr_userns_root (const struct ctr_config *c, uint32_t *uid, uint32_t *gid);

/* The directories above PATH (a remapped container's root filesystem)
 * made searchable by all (mode | 0111) where they are not, as Podman does:
 * an external runtime mounts the root filesystem from inside the user
 * namespace, as the container's root, which must get there.  Nothing to
 * do without a user namespace. */
int ctr_userns_make_reachable (const struct ctr_config *c, const char *path, struct hk_error **err);

#endif
