/* SPDX-License-Identifier: Apache-2.0 */
/* Address management of the native driver, in the store's database: a
 * container's lease on a network is its endpoint row (network-record.h),
 * so the address is chosen and the attachment recorded in one
 * transaction (BEGIN IMMEDIATE: two containers starting at once see each
 * other's rows), and a unique index on (network, address) backs it.  The
 * lease goes with the row: at disconnect, at the container's cleanup. */
#ifndef HAKO_ENGINE_NETWORK_IPAM_H
#define HAKO_ENGINE_NETWORK_IPAM_H

#include "network-record.h"

/* Records EP (everything but its address and gateway, which are set
 * here) with the first free address of N, or with REQUESTED (NULL: any),
 * which must be free; on a dual-stack network an IPv6 address too, the
 * first free one or REQUESTED6.  ENOSPC when N has no address left. */
int network_ipam_lease (sqlite3 *db, const struct network *n, struct network_endpoint *ep,
                        const char *requested, const char *requested6, struct hk_error **err);

#endif
