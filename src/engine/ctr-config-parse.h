/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's text forms of a container's settings into the model: what
 * `hako run` flags and compose's short syntax take.  Each checks its
 * value; errors name the flag (FLAG) and what is wrong with the value. */
#ifndef HAKO_ENGINE_CTR_CONFIG_PARSE_H
#define HAKO_ENGINE_CTR_CONFIG_PARSE_H

#include "ctr-config.h"

/* A whole number in MIN..MAX. */
int config_parse_int (const char *text, const char *flag, long long min, long long max,
                      long long *out, struct hk_error **err);

/* A memory size ("64m"), at least 6 MB; -1 too when ALLOW_UNLIMITED. */
int config_parse_memory (const char *text, const char *flag, bool allow_unlimited, int64_t *out,
                         struct hk_error **err);

/* A positive duration ("1m30s") in nanoseconds. */
int config_parse_duration_ns (const char *text, const char *flag, int64_t *out,
                              struct hk_error **err);

/* -e NAME=VALUE, or NAME: the value in our environment (dropped when we
 * have none), resolved now as Docker's client does. */
int config_parse_env (struct ctr_config *c, const char *text, struct hk_error **err);

/* --env-file: NAME=VALUE lines, # comments. */
int config_parse_env_file (struct ctr_config *c, const char *path, struct hk_error **err);

/* KEY=VALUE (or KEY, with WITHOUT_VALUE_OK) into M. */
int config_parse_key_value (struct config_map *m, const char *text, const char *flag,
                            bool without_value_ok, struct hk_error **err);

int config_parse_cpus (struct ctr_config *c, const char *text, struct hk_error **err);
int config_parse_cpuset (struct ctr_config *c, const char *text, struct hk_error **err);
int config_parse_ulimit (struct ctr_config *c, const char *text, struct hk_error **err);
int config_parse_restart (struct ctr_config *c, const char *text, struct hk_error **err);
int config_parse_security_opt (struct ctr_config *c, const char *text,
                               struct hk_error **err);
/* seccomp_profile and no_new_privileges from the security_opt list. */
void config_apply_security_opts (struct ctr_config *c);
int config_parse_device (struct ctr_config *c, const char *text, struct hk_error **err);

/* Docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+, 2 to 255. */
int config_check_volume_name (const char *name, struct hk_error **err);

/* -v SRC:DST[:OPTS] or -v DST (an anonymous volume). */
int config_parse_volume (struct ctr_config *c, const char *text, struct hk_error **err);

/* --mount type=bind|volume|tmpfs,source=...,target=...,readonly,... */
int config_parse_mount (struct ctr_config *c, const char *text, struct hk_error **err);

/* --tmpfs DIR[:OPTIONS] */
int config_parse_tmpfs (struct ctr_config *c, const char *text, struct hk_error **err);

/* -p [IP:][HOST:]CONTAINER[/PROTO], ports or ranges. */
int config_parse_publish (struct ctr_config *c, const char *text, struct hk_error **err);

/* --network, repeatable: the first is the mode; none, host and
 * container:NAME stand alone. */
int config_parse_network (struct ctr_config *c, const char *text, struct hk_error **err);

/* --pid host|container:NAME */
int config_parse_pid (struct ctr_config *c, const char *text, struct hk_error **err);

/* --ipc none|private|shareable|host|container:NAME */
int config_parse_ipc (struct ctr_config *c, const char *text, struct hk_error **err);

/* --shm-size N: a size above 0 ("64m"). */
int config_parse_shm_size (struct ctr_config *c, const char *text, struct hk_error **err);

/* --volumes-from CONTAINER[:ro|:rw], repeatable. */
int config_parse_volumes_from (struct ctr_config *c, const char *text, struct hk_error **err);

/* An entry of volumes_from: the container's NAME (allocated) and its
 * MODE ("ro", "rw", or NULL: each mount's own). */
void config_volumes_from_split (const char *text, char **name, const char **mode);

/* --log-opt max-size=N | max-file=N */
int config_parse_log_opt (struct ctr_config *c, const char *text, struct hk_error **err);

/* --health-cmd CMD: ["CMD-SHELL", CMD]; --no-healthcheck: ["NONE"]. */
void config_set_health_test (struct ctr_config *c, const char *shell_command);

/* --runtime NAME|PATH: the program's absolute path (a name is looked up in
 * $PATH, as Podman does), so that the monitor finds it whatever its
 * environment. */
int config_parse_runtime (struct ctr_config *c, const char *text, struct hk_error **err);

/* What run checks once every flag is in: --rm with a restart policy,
 * --shm-size with an IPC mode whose /dev/shm is not the container's. */
int ctr_config_check (const struct ctr_config *c, struct hk_error **err);

#endif
