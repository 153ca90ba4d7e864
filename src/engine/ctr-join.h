/* SPDX-License-Identifier: Apache-2.0 */
/* A container joining another one's namespaces: `--network
 * container:NAME`, `--pid container:NAME`, `--ipc container:NAME`, and a
 * pod's members joining its infra container.  One mechanism for all:
 *
 *   create   NAME resolved to its ID, kept in the record (the config's
 *            network_container, pid_container, ipc_container), so that
 *            a rename of the target does not lose it
 *   start    the target's process found again (engine_container_pid)
 *            and its /proc/PID/ns/TYPE put in config.json, which is
 *            rendered at every start: a restart of the joining container,
 *            by hand or by its restart policy, joins the target again
 *
 * --pid and --ipc need the target running at create already (Docker
 * refuses them there too); --network's keeps its older rule (checked at
 * start only). */
#ifndef HAKO_ENGINE_CTR_JOIN_H
#define HAKO_ENGINE_CTR_JOIN_H

#include "engine-context.h"

/* MODE's "container:NAME" (FLAG names the option: "--pid") into *ID:
 * NAME must exist, and with RUNNING run.  *ID stays NULL for another
 * mode. */
int ctr_join_resolve (struct engine *e, const char *flag, const char *mode, bool running, char **id,
                      struct hk_error **err);

/* The first process of container ID, whose namespaces are joined.
 * STARTING: it must run (WHAT starts the error: "cannot join the
 * network"); otherwise (rendering at create or for exec) *PID is 0 when
 * it does not. */
int ctr_join_pid (struct engine *e, const char *id, const char *what, bool starting, int *pid,
                  struct hk_error **err);

/* /proc/PID/ns/TYPE ("net", "pid", "ipc") of container ID's process, as
 * ctr_join_pid finds it; *OUT is NULL when ID is NULL, or when not
 * STARTING and the target does not run. */
int ctr_join_ns_path (struct engine *e, const char *id, const char *type, bool starting, char **out,
                      struct hk_error **err);

/* At create: --pid and --ipc container:NAME resolved (running; an IPC
 * target must be shareable or host, as Docker's), --ipc's default
 * (private) recorded unless C shares its pod's IPC. */
int ctr_join_prepare (struct engine *e, struct ctr_config *c, struct hk_error **err);

#endif
