/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: programs run at points of the lifecycle with the container's
 * state on their stdin. */
#ifndef HAKO_RUNTIME_HOOKS_H
#define HAKO_RUNTIME_HOOKS_H

#include "common/error.h"
#include "common/log.h"
#include "spec.h"

/* Runs the hooks of LIST in order, each with STATE_JSON on stdin, its env
 * (the runtime's own when it has none) and args, killed after its
 * timeout.  Stops at the first failure; the error names the hook kind, its
 * index and path, and quotes its output. */
int hooks_run (const struct oci_hook_list *list, enum oci_hook_kind kind, const char *state_json,
               struct hk_error **err);

/* Runs every hook of LIST like hooks_run, a failure being a warning on LOG
 * that does not stop the others (poststop, per the runtime-spec). */
void hooks_run_warn (const struct oci_hook_list *list, enum oci_hook_kind kind,
                     const char *state_json, const struct hk_log *log);

#endif
