/* SPDX-License-Identifier: Apache-2.0 */
/* The device cgroup on v2: an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE)
 * built at run time from linux.resources.devices and attached to the
 * container's cgroup. */
#ifndef HAKO_RUNTIME_CGROUP_DEVICES_H
#define HAKO_RUNTIME_CGROUP_DEVICES_H

#include "common/error.h"
#include "spec.h"

#include <linux/bpf.h>
#include <stddef.h>

/* Builds the program: rules are checked last to first and the first that
 * matches decides (so a later rule overrides an earlier one, as in v1);
 * no match denies.  Returns the instruction count; *OUT is malloc'd. */
size_t cgroup_devices_bpf_build (const struct oci_device_rule *rules, size_t n,
                                 struct bpf_insn **out);

/* Loads the program for RULES and attaches it to the cgroup DIR, replacing
 * programs attached there before. */
int cgroup_devices_bpf_apply (const char *dir, const struct oci_device_rule *rules, size_t n,
                              struct hk_error **err);

/* Runs the program's decision logic in C over one access, for tests:
 * TYPE 'c'/'b', ACCESS a subset of "rwm".  Returns 1 allow, 0 deny. */
int cgroup_devices_bpf_eval (const struct bpf_insn *prog, size_t len, char type,
                             unsigned major, unsigned minor, const char *access);

#endif
