/* SPDX-License-Identifier: Apache-2.0 */
/* The rootless network namespace: where a normal user's user-defined
 * networks live, as Podman's rootless-netns.  A rootless hako cannot make
 * bridges and veths in the host's network namespace, so it makes one
 * namespace of its own (owned by the user namespace every rootless
 * command joins, kept by an nsfs bind mount at RUNROOT/netns/rootless),
 * gives it a way out with pasta (its pid at RUNROOT/netns/rootless.pasta.pid),
 * and runs the native driver (hako-net) and the networks' DNS servers
 * (hako-dns) inside it: the bridges, veths, nftables rules and leases are
 * then the very ones a root's networks have.  It is made with the first
 * attachment that needs it and goes with the last network (network rm):
 * a namespace kept while networks exist keeps their bridges and rules,
 * made once, as the host keeps root's. */
#ifndef HAKO_ENGINE_ROOTLESS_NETNS_H
#define HAKO_ENGINE_ROOTLESS_NETNS_H

#include "engine-context.h"

#include <stdbool.h>

/* RUNROOT/netns/rootless. */
char *rootless_netns_path (const struct engine *e);

/* True when PATH is a mounted network namespace (an nsfs file), not a
 * file a crash or a lost mount namespace left. */
bool rootless_netns_is_namespace (const char *path);

/* The namespace made unless it is there, and its pasta started unless it
 * runs (it may have been killed: it is started again, as Podman does).
 * On failure nothing of it stays. */
int rootless_netns_ensure (struct engine *e, struct hk_error **err);

/* True when the namespace is there (made by an earlier command). */
bool rootless_netns_exists (const struct engine *e);

/* Its pasta stopped (and waited for) and the namespace unmounted and
 * removed; failures are warnings. */
void rootless_netns_remove (struct engine *e);

/* The calling process moved into the namespace (for good: it cannot come
 * back to the host's). */
int rootless_netns_enter (const struct engine *e, struct hk_error **err);

/* True when interface NAME is in the namespace (asked by a child that
 * enters it). */
bool rootless_netns_has_link (const struct engine *e, const char *name);

#endif
