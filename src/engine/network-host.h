/* SPDX-License-Identifier: Apache-2.0 */
/* What a network is on the host, besides its containers' veths: its
 * bridge (made by the CNI bridge plugin on first use) and its rules —
 * NAT of what leaves the subnet, forwarding to and from the bridge, and
 * for an internal network the opposite: nothing in or out.
 *
 * The rules are the network's, made once (not per container, as the
 * bridge plugin's ipMasq would: that costs a few iptables runs at every
 * start and stop), through iptables-restore so that they work with either
 * iptables backend.  They carry the comment "hako:<ID12>", by which they
 * are found and removed.  A marker file in STATE_DIR (on a tmpfs, gone at
 * reboot like the rules) says they are there. */
#ifndef HAKO_ENGINE_NETWORK_HOST_H
#define HAKO_ENGINE_NETWORK_HOST_H

#include "network-record.h"
#include "common/error.h"

/* The rules of N in iptables-restore form, appended (-A) or inserted
 * (-I) as each needs. */
char *network_host_rules (const struct network *n);

/* Makes N's rules unless its marker says they are there. */
int network_host_prepare (const struct network *n, const char *state_dir, struct hk_error **err);

/* Removes N's rules and its bridge (when no interface is left on it). */
int network_host_remove (const struct network *n, const char *state_dir, struct hk_error **err);

/* Fails when NAME is an interface of the host other than a bridge (a
 * network's bridge must not take over eth0). */
int network_host_check_bridge (const char *name, struct hk_error **err);

/* Runs ARGV (looked up in $PATH) with INPUT on stdin; what it printed in
 * *OUT when OUT is not NULL.  Files, not pipes: no deadlock whatever the
 * sizes.  A failure's message is the program's output. */
int network_host_run (char *const argv[], const char *input, char **out, struct hk_error **err);

#endif
