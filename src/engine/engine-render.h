/* SPDX-License-Identifier: Apache-2.0 */
/* config.json of a container, rendered from its record: the image's
 * config, the user looked up in its root, what the host says
 * (ctr-spec-host.h), then ctr_spec_build.  At create, at each
 * start and at each update; never read back. */
#ifndef HAKO_ENGINE_ENGINE_RENDER_H
#define HAKO_ENGINE_ENGINE_RENDER_H

#include "engine-context.h"
#include "ctr-record.h"

/* Writes R's config.json; NETNS_PATH is the network namespace to join
 * (NULL: a new one, or the host's).  STARTING: for a start, when a pod's
 * member must find its infra running (at create it need not). */
int engine_render_config (struct engine *e, const struct ctr_record *r,
                          const char *netns_path, bool starting, struct hk_error **err);

/* R's "process" object as config.json has it (exec starts from it). */
int engine_render_process (struct engine *e, const struct ctr_record *r, json_t **out,
                           struct hk_error **err);

#endif
