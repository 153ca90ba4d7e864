/* SPDX-License-Identifier: Apache-2.0 */
/* The network of an engine container, from `run --network` to rm.
 *
 *   create   ctr_network_prepare: the mode and networks checked
 *            (the default network made on first use), the model's
 *            networks completed, -P's ports added
 *   start    ctr_network_up, before the runtime creates the
 *            container: a network namespace kept at RUNROOT/netns/ID, a
 *            CNI ADD per network (interfaces eth0, eth1, …), published
 *            ports checked, endpoints recorded, /etc/hosts of every
 *            container on the same user networks rewritten
 *   exit     ctr_network_down, run by the monitor's cleanup, by rm,
 *            by a failed start, and by whoever finds that a monitor died:
 *            a CNI DEL per cached attachment (last first), endpoints
 *            forgotten, /etc/hosts rewritten, the namespace removed
 *
 * Modes: a list of networks (the default network `hako` when none is
 * given), `none` (a namespace with only lo, up), `host`, `container:NAME`
 * (the namespace of a running container). */
#ifndef HAKO_ENGINE_CTR_NETWORK_H
#define HAKO_ENGINE_CTR_NETWORK_H

#include "engine-context.h"
#include "store/image-config.h"

#include <stdint.h>

/* At create, before anything is made: checks and completes the network
 * settings of C (the first network takes --ip, --mac-address and
 * --network-alias; IMAGE's exposed ports for -P). */
int ctr_network_prepare (struct engine *e, struct ctr_config *c,
                               const struct image_config *image, struct hk_error **err);

/* The nameservers of C's resolv.conf when its first network has a DNS
 * server (network-native.h): its gateway, then its IPv6 gateway on a
 * dual-stack network (the server listens on both, so a client that has
 * only IPv6 resolves too); NULL otherwise (the host's). */
char **ctr_network_dns_servers (struct engine *e, const struct ctr_config *c);

/* For --network container:NAME: the directory whose hosts and
 * resolv.conf the container shares (NAME's), or NULL. */
char *ctr_network_etc_dir (struct engine *e, const struct ctr_config *c);

/* At start, before the runtime creates the container: its network made. */
int ctr_network_up (struct engine *e, const struct ctr_record *r,
                          struct hk_error **err);

/* The network namespace R's config.json joins, in *OUT (NULL: the runtime
 * makes one, or there is none): R's own, or for container:NAME that of
 * NAME's process, found through NAME's runtime (ours or `--runtime`'s),
 * which must run it. */
int ctr_network_join_path (struct engine *e, const struct ctr_record *r, char **out,
                                 struct hk_error **err);

/* The namespace a created container's config.json names before its
 * first start. */
char *ctr_network_netns_path (const struct engine *e, const struct ctr_record *r);

/* Never fails: what cannot be undone is reported as a warning. */
void ctr_network_down (struct engine *e, const struct ctr_record *r);

/* Before a restart, which keeps the namespace: a CNI CHECK of every
 * attachment; when one fails (its veth deleted, its address gone...), the
 * network is made again. */
int ctr_network_recheck (struct engine *e, const struct ctr_record *r,
                               struct hk_error **err);

/* network connect/disconnect: R's settings changed, and a running R
 * attached or detached at once.  ENDPOINT: the aliases and address asked
 * for (its name is ignored). */
int ctr_network_connect (struct engine *e, struct ctr_record *r, const char *network,
                               const struct config_network *endpoint, struct hk_error **err);
int ctr_network_disconnect (struct engine *e, struct ctr_record *r, const char *network,
                                  struct hk_error **err);

/* inspect's NetworkSettings, as Docker shows them. */
json_t *ctr_network_settings (struct engine *e, const struct ctr_record *r);

/* The ports R publishes now: [{HostIp, HostPort, ContainerPort, Protocol}]. */
json_t *ctr_network_ports (struct engine *e, const struct ctr_record *r);

/* Bytes received and sent by R's interfaces (0 for a host-network
 * container), for `hako stats`. */
int ctr_network_io (struct engine *e, const struct ctr_record *r, uint64_t *rx,
                          uint64_t *tx, struct hk_error **err);

#endif
