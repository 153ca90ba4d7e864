/* SPDX-License-Identifier: Apache-2.0 */
/* The result of each ADD, kept on disk with the configuration and the
 * arguments it was made with: DEL and CHECK must be given that result
 * (prevResult) and the same configuration, even when the network has
 * changed or gone since.  One file per attachment,
 * DIR/NETWORK-CONTAINERID-IFNAME.json, as libcni names them. */
#ifndef HAKO_NETWORK_CNI_CACHE_H
#define HAKO_NETWORK_CNI_CACHE_H

#include "common/error.h"

#include <jansson.h>
#include <stddef.h>

struct cni_cache_entry
{
  char *network;
  char *container_id;
  char *ifname;
  char *netns;
  char *args;              /* CNI_ARGS, or NULL */
  json_t *config;          /* the configuration list that was executed */
  json_t *capability_args; /* or NULL */
  json_t *result;          /* the final result of ADD */
};

void cni_cache_entry_free (struct cni_cache_entry *e);

static inline void
cleanup_cni_cache_entryp (struct cni_cache_entry **e)
{
  cni_cache_entry_free (*e);
}
#define _cleanup_cni_cache_entry_ __attribute__ ((cleanup (cleanup_cni_cache_entryp)))

/* Writes E into DIR (made if missing), replacing what was there. */
int cni_cache_write (const char *dir, const struct cni_cache_entry *e, struct hk_error **err);

/* The entry of one attachment; 0 with *OUT NULL when there is none. */
int cni_cache_read (const char *dir, const char *network, const char *container_id,
                    const char *ifname, struct cni_cache_entry **out, struct hk_error **err);

/* Every entry of CONTAINER_ID in DIR, in no particular order.  Files that
 * cannot be read are skipped. */
int cni_cache_list (const char *dir, const char *container_id, struct cni_cache_entry ***out,
                    size_t *n, struct hk_error **err);
void cni_cache_list_free (struct cni_cache_entry **list, size_t n);

int cni_cache_remove (const char *dir, const char *network, const char *container_id,
                      const char *ifname, struct hk_error **err);

/* The entry in a file's text (the parser of cache files). */
int cni_cache_parse (const char *text, size_t len, struct cni_cache_entry **out,
                     struct hk_error **err);

#endif
