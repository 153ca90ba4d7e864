/* SPDX-License-Identifier: Apache-2.0 */
/* The container model as JSON, with Docker's names and shapes (Cmd,
 * HostConfig's Memory, RestartPolicy {Name, MaximumRetryCount}, ...):
 * the one writer and reader of the document the store keeps, and the
 * writer of `inspect`'s Config and HostConfig.  Nothing else looks up a
 * key of these documents. */
#ifndef HAKO_ENGINE_CTR_CONFIG_JSON_H
#define HAKO_ENGINE_CTR_CONFIG_JSON_H

#include "ctr-config.h"

#include <jansson.h>

/* The document the store keeps: every setting that is set. */
json_t *ctr_config_to_record (const struct ctr_config *c);

/* The stored document into *C (initialised here); every value is checked
 * and an error names the field at fault. */
int ctr_config_from_record (json_t *doc, struct ctr_config *c, struct hk_error **err);

/* inspect's "Config" (without Image) and "HostConfig" (without Binds):
 * the settings that are set, as Docker names them. */
json_t *ctr_config_inspect_config (const struct ctr_config *c);
json_t *ctr_config_inspect_host (const struct ctr_config *c);

/* What `commit` takes into the new image's config: Cmd, Entrypoint,
 * WorkingDir, User, StopSignal, Healthcheck (those set). */
json_t *ctr_config_commit_config (const struct ctr_config *c);

/* inspect's "Mounts": the mount points made at create. */
json_t *ctr_config_inspect_mounts (const struct ctr_config *c);

/* M as a JSON object of strings. */
json_t *config_map_to_json (const struct config_map *m);

#endif
