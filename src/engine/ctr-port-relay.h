/* SPDX-License-Identifier: Apache-2.0 */
/* Ports published on the IPv6 loopback (`-p [::1]:HOST:CTR`): no DNAT
 * rule serves them (IPv6 has no route_localnet), so the container's
 * monitor relays them in userspace (src/monitor/port-relay.h), to the
 * container's IPv4 address on the network its ports go to, which every
 * network has: an IPv4-only one serves [::1] too, as Docker's proxy does.
 * A port published on all the host's addresses (-p 8080:80) is relayed
 * on [::1] too: its IPv6 DNAT rule leaves ::1 alone (nft-rules.c).
 * The engine binds the sockets, so a port taken fails the start with its
 * reason, and hands them to the monitor; they close when it goes.
 * Rootless, hako-ports relays every port instead (rootless-ports.h). */
#ifndef HAKO_ENGINE_CTR_PORT_RELAY_H
#define HAKO_ENGINE_CTR_PORT_RELAY_H

#include "ctr-record.h"
#include "engine-context.h"

/* What R's monitor relays: "PROTO/HOSTPORT/ADDRESS/PORT" for each port R
 * publishes on ::1 (as its network endpoints record them), and
 * "?PROTO/..." for each it publishes on all the host's addresses (the
 * IPv6 loopback is one of them, which only a relay reaches; optional: a
 * [::1] port taken by someone else is a warning), or NULL.  Not sctp. */
int ctr_port_relays (struct engine *e, const struct ctr_record *r, char ***out,
                     struct hk_error **err);

/* A port relay bound: FD listens (tcp) or is bound (udp) on
 * [::1]:HOSTPORT, close-on-exec; ARG is the monitor's --relay value. */
struct port_relay_socket
{
  int fd;
  char *arg; /* "PROTO/FD/ADDRESS/PORT" */
};

/* Each of RELAYS bound, in *OUT (*N of them); a port that cannot be
 * bound is an error naming it, with nothing left open (an optional one a
 * warning on LOG, and left out). */
int ctr_port_relay_bind (const struct hk_log *log, char *const *relays,
                         struct port_relay_socket **out, size_t *n, struct hk_error **err);

/* SOCKETS closed and freed. */
void ctr_port_relay_close (struct port_relay_socket *sockets, size_t n);

#endif
