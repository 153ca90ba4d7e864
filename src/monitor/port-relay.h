/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's relay of ports published on the IPv6 loopback
 * (`-p [::1]:HOST:CTR`, and [::1] of `-p HOST:CTR`), which no DNAT rule
 * can serve: IPv6 has no
 * route_localnet, and the kernel drops a packet from ::1 routed out of
 * the loopback.  Docker relays them with its userland proxy; hako's
 * monitor does it, because it lives exactly as long as the container
 * runs: the relay goes when the container stops, with nothing to find
 * and kill afterwards.
 *
 * The engine binds the sockets (so a port taken is an error of `run`) and
 * hands them over with --relay PROTO/FD/ADDRESS/PORT: FD listens (TCP) or
 * is bound (UDP) on [::1]:HOST, ADDRESS:PORT is the container's IPv4
 * address and port.  TCP connections are copied both ways, half-closes
 * passed on, at most RELAY_MAX_TCP at once (more wait in the backlog);
 * each UDP client gets a socket of its own to the container, dropped after
 * RELAY_UDP_IDLE_MS without traffic, at most RELAY_MAX_UDP (the oldest
 * goes first).  Nothing is allocated while no relay is asked for. */
#ifndef HAKO_MONITOR_PORT_RELAY_H
#define HAKO_MONITOR_PORT_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define RELAY_MAX_TCP     64
#define RELAY_MAX_UDP     64
#define RELAY_UDP_IDLE_MS 30000

struct port_relay;

/* A relay with nothing to do yet. */
struct port_relay *port_relay_new (void);

/* SPEC ("tcp/7/10.88.0.5/80") added; false when it is not one. */
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
