/* SPDX-License-Identifier: Apache-2.0 */
/* The default config.json that `hako-runtime spec` writes. */
#ifndef HAKO_RUNTIME_SPEC_DEFAULT_H
#define HAKO_RUNTIME_SPEC_DEFAULT_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* A config for a shell in ./rootfs with a read-only root, the usual
 * mounts and namespaces, and few capabilities.  ROOTLESS adds a user
 * namespace mapping root to UID/GID and drops what needs privileges. */
json_t *spec_default (bool rootless, uid_t uid, gid_t gid);

#endif
