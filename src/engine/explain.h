/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain: what the kernel says a running container is, read live
 * from /proc and /sys (namespaces, processes, id maps, cgroups,
 * capabilities, seccomp, mounts, network), each fact with the file it
 * came from.  The document's schema is docs/explain-schema.json; its
 * "version" changes when a field changes meaning or goes. */
#ifndef HAKO_ENGINE_EXPLAIN_H
#define HAKO_ENGINE_EXPLAIN_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define EXPLAIN_SCHEMA_VERSION 1

struct engine;
struct ctr_record;

/* The document of running container R; HOST adds the host side of its
 * network (veth peers, bridges, firewall rules). */
int explain_container (struct engine *e, const struct ctr_record *r, bool host, json_t **out,
                       struct hk_error **err);

struct ctr_config;
/* The document of `explain run`: what `hako run` with C (run's flags)
 * and IMAGE would set up, from the config.json it would render; nothing
 * is made.  Schema: docs/explain-run-schema.json. */
int explain_plan (struct engine *e, const char *image, const struct ctr_config *c, json_t **out,
                  struct hk_error **err);

/* ---- the sections, each from one process's files (explain-*.c) ---- */

/* A namespace another process is in, for "shared with ...". */
struct explain_peer
{
  const char *what; /* "container" or "pod" */
  const char *name;
  pid_t pid;
};

/* namespaces: each of the container's against ours ("host") and PEERS'. */
json_t *explain_namespaces (pid_t pid, const struct explain_peer *peers, size_t n_peers);
/* processes: the NSpid line of each of PIDS. */
json_t *explain_processes (const pid_t *pids, size_t n);
/* user: uid_map and gid_map, and who root inside is on the host. */
json_t *explain_user (pid_t pid);
/* cgroups: the hierarchies of PID, the limits set in them and the usage. */
json_t *explain_cgroups (pid_t pid);
/* capabilities: the five sets as hex and names, against the full set and
 * DOCKER_DEFAULT (a mask). */
json_t *explain_capabilities (pid_t pid, uint64_t docker_default);
/* security: no_new_privs, seccomp (PROFILE: the record's name of it),
 * AppArmor/SELinux label. */
json_t *explain_security (pid_t pid, const char *profile);
/* filesystem: mounts as PID sees them, the overlay root's layers,
 * MASKED paths marked. */
json_t *explain_mounts (pid_t pid, char *const *masked, char *const *readonly);
/* The mounts of mountinfo TEXT (changed in place), MASKED and READONLY
 * paths marked; the root's entry in *ROOT (NULL when none).  What
 * explain_mounts reads, apart for tests/fuzz/fuzz-explain-readers.c. */
json_t *explain_mountinfo_parse (char *text, char *const *masked, char *const *readonly,
                                 json_t **root);

/* nameserver, search and options of a resolv.conf TEXT (changed in
 * place): the container's own file, written by whoever runs in it. */
json_t *explain_resolv_conf_parse (char *text);

/* network: interfaces and addresses inside PID's netns, routes, DNS. */
json_t *explain_network (pid_t pid);
/* host: the host ends of NETWORK's veths, their bridges, and the firewall
 * rules that name one of ADDRESSES or ID. */
json_t *explain_network_host (json_t *network, const char *id);

/* The value of "KEY:" in /proc/PID/status, or NULL. */
char *explain_status_field (pid_t pid, const char *key);

/* Docker's default capability set as names, for the text output. */
char **explain_cap_names (uint64_t mask);

#endif
