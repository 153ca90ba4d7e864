/* SPDX-License-Identifier: Apache-2.0 */
/* `--change` instructions (`hako import -c 'CMD ["sh"]'`): the subset of
 * Dockerfile instructions that only edit the image config, applied to the
 * config's "config" object. */
#ifndef HAKO_TRANSFER_CONFIG_CHANGE_H
#define HAKO_TRANSFER_CONFIG_CHANGE_H

#include "common/error.h"

#include <jansson.h>

/* Applies CHANGE ("CMD …", "ENTRYPOINT …", "ENV …", "WORKDIR …", "USER …",
 * "EXPOSE …", "LABEL …", "VOLUME …", "STOPSIGNAL …") to CONFIG. */
int config_change_apply (json_t *config, const char *change, struct hk_error **err);

#endif
