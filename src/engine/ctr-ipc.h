/* SPDX-License-Identifier: Apache-2.0 */
/* The /dev/shm of a container's IPC mode (--ipc), as Docker has it:
 *
 *   none             its own IPC namespace, no /dev/shm
 *   private          its own, and a tmpfs /dev/shm the runtime mounts in
 *                    its mount namespace (the default; --shm-size)
 *   shareable        its own, and a tmpfs hako mounts on the host at
 *                    RUNROOT/containers/ID/shm at each start (--shm-size),
 *                    bound on /dev/shm: whoever joins binds the same
 *   host             the host's IPC namespace and /dev/shm
 *   container:NAME   NAME's namespace (ctr-join.h) and /dev/shm; NAME must
 *                    be shareable or host (a private /dev/shm lives in
 *                    NAME's mount namespace only)
 *
 * The shareable tmpfs goes when the container stops for good (not
 * between the restarts of its policy) and at rm; a container that joined
 * it keeps its own bind of it until it stops. */
#ifndef HAKO_ENGINE_CTR_IPC_H
#define HAKO_ENGINE_CTR_IPC_H

#include "engine-context.h"

/* What R binds on /dev/shm (the host's, its own or its target's shm
 * directory), or NULL (a tmpfs of its own, or none). */
int ctr_ipc_shm_source (struct engine *e, const struct ctr_record *r, char **out,
                        struct hk_error **err);

/* Before the runtime creates R: a shareable container's tmpfs, new. */
int ctr_ipc_up (struct engine *e, const struct ctr_record *r, struct hk_error **err);

/* Its tmpfs unmounted (nothing for the other modes, nor when it is not
 * mounted). */
void ctr_ipc_down (struct engine *e, const struct ctr_record *r);

#endif
