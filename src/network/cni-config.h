/* SPDX-License-Identifier: Apache-2.0 */
/* CNI network configuration lists (.conflist, CNI spec 1.0 section 1) and
 * the execution configuration a runtime derives from one for each plugin
 * (section 3). */
#ifndef HAKO_NETWORK_CNI_CONFIG_H
#define HAKO_NETWORK_CNI_CONFIG_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct cni_conflist
{
  char *cni_version;
  char *name;
  bool disable_check;
  json_t *doc;     /* the whole list, as read */
  json_t *plugins; /* borrowed from DOC: objects, each with a valid "type" */
};

void cni_conflist_free (struct cni_conflist *l);

static inline void
cleanup_cni_conflistp (struct cni_conflist **l)
{
  cni_conflist_free (*l);
}
#define _cleanup_cni_conflist_ __attribute__ ((cleanup (cleanup_cni_conflistp)))

/* Checks DOC as a configuration list; *OUT holds a reference to it.
 * Errors name the field at fault ("plugins[1].type: ..."). */
int cni_conflist_from_json (json_t *doc, struct cni_conflist **out, struct hk_error **err);

/* The same from LEN bytes of JSON text. */
int cni_conflist_parse (const char *text, size_t len, struct cni_conflist **out,
                        struct hk_error **err);

/* True when NAME may name a network (and a container ID): an
 * alphanumeric, then alphanumerics, '_', '.' or '-'. */
bool cni_valid_name (const char *name);

size_t cni_conflist_size (const struct cni_conflist *l);
const char *cni_plugin_type (const struct cni_conflist *l, size_t i);

/* What plugin I of L reads on stdin: its configuration with the list's
 * cniVersion and name, `runtimeConfig` made of the CAPABILITY_ARGS it
 * declares in `capabilities` (which is dropped), ARGS (may be NULL) and
 * PREV_RESULT (may be NULL). */
json_t *cni_exec_config (const struct cni_conflist *l, size_t i, const json_t *capability_args,
                         const json_t *args, const json_t *prev_result);

#endif
