/* SPDX-License-Identifier: Apache-2.0 */
/* A CNI client (CNI spec 1.0, section 3): a network configuration list
 * applied to a container as an attachment, identified by the container ID
 * and the interface name.
 *
 *   ADD    every plugin in order, each given the previous plugin's result
 *          (prevResult); the last result is cached and returned.
 *   DEL    every plugin in reverse order, each given the cached result,
 *          with the cached configuration.
 *   CHECK  every plugin in order, each given the cached result.
 *
 * The plugins run as programs (cni-exec.h); what they print is parsed by
 * cni-result.h; the cache is cni-cache.h. */
#ifndef HAKO_NETWORK_CNI_H
#define HAKO_NETWORK_CNI_H

#include "cni-cache.h"
#include "cni-config.h"
#include "cni-exec.h"
#include "cni-result.h"

struct cni_context
{
  const char *path;      /* plugin directories (CNI_PATH); NULL: CNI_DEFAULT_PATH */
  const char *cache_dir; /* where results are cached */
};

struct cni_attachment
{
  const char *container_id;
  const char *netns; /* the network namespace (a path) */
  const char *ifname;
  const char *args;              /* CNI_ARGS ("K=V;K=V"), or NULL */
  const json_t *capability_args; /* {"portMappings": [...], "mac": "..."}, or NULL */
};

/* Adds attachment A to network L.  Every plugin must be there before the
 * first runs.  When a plugin fails, what the earlier ones did is deleted
 * again (DEL of the whole list): nothing stays half-configured, and the
 * error carries the plugin's message. */
int cni_add (const struct cni_context *c, const struct cni_conflist *l,
             const struct cni_attachment *a, struct cni_result **out, struct hk_error **err);

/* Deletes attachment A of network NETWORK with what was cached at ADD;
 * when nothing was, with L and no previous result (L NULL: nothing to
 * do).  The cache entry goes when every plugin succeeded. */
int cni_del (const struct cni_context *c, const char *network, const struct cni_conflist *l,
             const struct cni_attachment *a, struct hk_error **err);

/* Checks attachment A of NETWORK against its cached result; always fine
 * when the list says disableCheck. */
int cni_check (const struct cni_context *c, const char *network, const struct cni_attachment *a,
               struct hk_error **err);

#endif
