/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HAKO_ENGINE_SECCOMP_PROFILE_H
#define HAKO_ENGINE_SECCOMP_PROFILE_H

#include <jansson.h>
#include <stdint.h>

/* The default linux.seccomp for a container with capability mask CAPS. */
json_t *seccomp_profile_default (uint64_t caps);

#endif
