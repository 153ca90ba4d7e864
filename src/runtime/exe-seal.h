/* SPDX-License-Identifier: Apache-2.0 */
/* Defence against CVE-2019-5736: a container process that can see a
 * runtime process (one joining its namespaces) opens /proc/PID/exe and
 * writes through it into the runtime binary on the host.
 *
 * The runtime therefore never runs from a writable file while it touches a
 * container.  When /proc/self/exe is writable, it re-executes itself from
 * a copy on a read-only tmpfs under /run/hako/exe: made once per binary
 * version and shared by every container, so it costs neither a copy nor
 * memory per container (crun copies itself into a memfd on every start).
 * Rootless (in a user namespace of a normal user's, which owns its mount
 * namespace), the tmpfs is under STATE_ROOT/exe instead.  Where that
 * mount cannot be made (no privileges), a sealed memfd copy is the
 * fallback. */
#ifndef HAKO_RUNTIME_EXE_SEAL_H
#define HAKO_RUNTIME_EXE_SEAL_H

#include "common/error.h"

#include <stdbool.h>

/* Returns 0 when the running binary is already safe to expose; otherwise
 * re-executes it with ARGV from a safe copy and returns only on failure. */
int exe_seal_ensure (const char *state_root, char **argv, struct hk_error **err);

#endif
