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

/* The seccomp cache directory under the state root. */
char *container_seccomp_cache (const struct runtime_context *ctx);

#endif
