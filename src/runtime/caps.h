/* SPDX-License-Identifier: Apache-2.0 */
/* Capability sets of the container process, through libcap. */
#ifndef HAKO_RUNTIME_CAPS_H
#define HAKO_RUNTIME_CAPS_H

#include "common/error.h"
#include "common/log.h"
#include "spec.h"

#include <stdbool.h>

/* Step 1, while still root with every capability: drops from the bounding
 * set what CAPS does not list, and keeps the permitted set across the
 * coming setuid (PR_SET_KEEPCAPS). */
int caps_prepare (const struct oci_capabilities *caps, struct hk_error **err);

/* Step 2, after setresuid: sets effective, permitted and inheritable, then
 * the ambient set.  The inheritable set is exactly what CAPS says: empty
 * unless asked (CVE-2022-29162).  KEEP_SYS_ADMIN adds CAP_SYS_ADMIN to the
 * effective and permitted sets only, so that a seccomp filter can still be
 * loaded without no_new_privs: execve then drops it, because it is in
 * neither the bounding, the inheritable nor the ambient set. */
int caps_apply (const struct oci_capabilities *caps, bool keep_sys_admin, struct hk_error **err);

/* Logs, as the runtime-spec asks, the capabilities P's config names that
 * cannot be granted: names unknown here, and capabilities this kernel does
 * not have.  They are ignored. */
void caps_warn_ungrantable (const struct oci_process *p, const struct hk_log *log);

/* The highest capability the running kernel knows. */
int caps_last_cap (void);

#endif
