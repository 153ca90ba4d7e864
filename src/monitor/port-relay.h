/* SPDX-License-Identifier: Apache-2.0 */
/* hako's userspace port relay, a poll-driven library with two users:
 *
 * - the monitor relays ports published on the IPv6 loopback
 *   (`-p [::1]:HOST:CTR`, and [::1] of `-p HOST:CTR`), which no DNAT rule
 *   can serve: IPv6 has no route_localnet, and the kernel drops a packet
 *   from ::1 routed out of the loopback.  Docker relays them with its
 *   userland proxy; hako's monitor does, because it lives exactly as long
 *   as the container runs: the relay goes when the container stops, with
 *   nothing to find and kill afterwards.  The engine binds the sockets (so
 *   a port taken is an error of `run`) and hands them over with --relay
 *   PROTO/FD/ADDRESS/PORT (port_relay_add).
 * - hako-ports relays every port of a rootless container on a user
 *   network (src/engine/rootless-ports.h): it binds them on the host,
 *   enters the rootless network namespace and relays there
 *   (port_relay_listen), so the container's sockets are made in it.
 *
 * A listener is a socket listening (TCP) or bound (UDP) on any host
 * address, IPv4 or IPv6; its target the container's IPv4 address and
 * port.  TCP connections are copied both ways, half-closes passed on, at
 * most the relay's max_tcp at once (more wait in the backlog); each UDP client
 * gets a socket of its own to the container, dropped after
 * RELAY_UDP_IDLE_MS without traffic, at most RELAY_MAX_UDP (the oldest
 * goes first).  Nothing is allocated while no relay is asked for, and a
 * connection's buffers only while it lasts. */
#ifndef HAKO_MONITOR_PORT_RELAY_H
#define HAKO_MONITOR_PORT_RELAY_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define RELAY_MAX_UDP     64
#define RELAY_UDP_IDLE_MS 30000

struct port_relay;

/* A relay with nothing to do yet, relaying MAX_TCP connections at most
 * (more wait in the backlog): the monitor keeps its tables small, a
 * relay process of its own (hako-ports) takes more. */
struct port_relay *port_relay_new (size_t max_tcp);

/* FD (listening for TCP, bound for UDP; taken, made close-on-exec and
 * non-blocking) relayed to TARGET; false when it cannot be. */
bool port_relay_listen (struct port_relay *r, int fd, bool udp, const struct sockaddr_in *target);

/* SPEC ("tcp/7/10.88.0.5/80": protocol, FD, target) added as
 * port_relay_listen adds; false when it is not one. */
bool port_relay_add (struct port_relay *r, const char *spec);

/* How many pollfds port_relay_poll_set may fill. */
size_t port_relay_max_fds (const struct port_relay *r);

/* What to wait for, written to FDS; *TIMEOUT (ms, -1: none) lowered to
 * the next UDP client's expiry.  The count. */
size_t port_relay_poll_set (struct port_relay *r, struct pollfd *fds, int *timeout);

/* What poll said of the N FDS of the last port_relay_poll_set, done. */
void port_relay_dispatch (struct port_relay *r, const struct pollfd *fds, size_t n);

/* Every socket closed. */
void port_relay_free (struct port_relay *r);

#endif
