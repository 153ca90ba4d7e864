/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by container-create.c (create, run) and container.c (the other
 * lifecycle operations). */
#ifndef HAKO_RUNTIME_CONTAINER_INTERNAL_H
#define HAKO_RUNTIME_CONTAINER_INTERNAL_H

#include "container.h"
#include "spec.h"

/* Loads the config.json copy kept in the container's state directory. */
int container_load_config (const struct container_state *s, struct oci_spec **out,
                           struct hk_error **err);

/* The state document of S as JSON text, with STATUS. */
char *container_state_text (const struct container_state *s, enum container_status status);

/* Removes a container whose process is gone: cgroup, poststop hooks (their
 * failures are logged, not fatal), state directory. */
int container_cleanup (const struct runtime_context *ctx, struct container_state *s,
                       struct hk_error **err);

/* The directory of compiled seccomp filters (seccomp-cache.h):
 * ctx->seccomp_cache, else $HAKO_SECCOMP_CACHE (tests), else
 * /run/hako/seccomp-cache for root and
 * $XDG_RUNTIME_DIR/hako/seccomp-cache for other users; NULL (no cache)
 * when a user has no runtime directory.  Never under the state root, which
 * clients expect to hold only containers (runc leaves it empty). */
char *container_seccomp_cache (const struct runtime_context *ctx);

#endif
