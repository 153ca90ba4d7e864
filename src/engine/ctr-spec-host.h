/* SPDX-License-Identifier: Apache-2.0 */
/* What rendering a container's config.json needs from the host, gathered
 * before the (pure) render: our capabilities, the device nodes behind
 * --device (all of them for --privileged), a seccomp profile file. */
#ifndef HAKO_ENGINE_CTR_SPEC_HOST_H
#define HAKO_ENGINE_CTR_SPEC_HOST_H

#include "ctr-spec.h"

/* Fills *H for C; a --device that is not a device, or a profile that
 * cannot be read, is an error naming it. */
int spec_host_gather (const struct ctr_config *c, struct spec_host *h,
                      struct hk_error **err);
void spec_host_clear (struct spec_host *h);

/* Every capability we have: what --privileged gives (a host may lack some,
 * as this one lacks CAP_SYS_RESOURCE, and asking for more fails). */
uint64_t spec_host_permitted_caps (void);

#endif
