/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp: compiled with libseccomp into a BPF program by the
 * runtime, installed by the container process with seccomp(2).
 *
 * Compiling a large profile (Docker's default has ~350 syscalls) costs
 * more than the rest of a container start, so compiled programs are kept
 * in a cache directory keyed by the profile: starting many containers with
 * the same profile compiles it once. */
#ifndef HAKO_RUNTIME_SECCOMP_H
#define HAKO_RUNTIME_SECCOMP_H

#include "common/error.h"
#include "spec.h"

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

/* A filter is at most BPF_MAXINSNS (4096) instructions of 8 bytes. */
#define SECCOMP_MAX_FILTER_SIZE (4096 * 8)

struct seccomp_program
{
  struct sock_filter *insns;
  size_t len;
  unsigned int flags;  /* SECCOMP_FILTER_FLAG_* to load with */
  bool notify;         /* has SCMP_ACT_NOTIFY rules: a listener fd is made */
  char *listener_path; /* where the listener fd goes */
  char *listener_metadata;
};

/* Compiles SECCOMP (linux.seccomp) or takes it from CACHE_DIR (NULL: no
 * cache).  Errors name the field at fault. */
int seccomp_prepare (json_t *seccomp, const char *cache_dir, struct seccomp_program **out,
                     struct hk_error **err);

/* Compiles without any cache (the unit tests and fuzzers use this). */
int seccomp_compile (json_t *seccomp, struct seccomp_program **out, struct hk_error **err);

/* Installs PROG in the calling process.  With notify rules, *LISTENER
 * gets the listener fd (else -1): the container process hands it to the
 * runtime, which passes it on with seccomp_send_listener(). */
int seccomp_install (const struct seccomp_program *prog, int *listener, struct hk_error **err);

/* Connects to PROG->listener_path (a path of the runtime's, on the host)
 * and sends LISTENER with the runtime-spec's container process state: PID
 * and STATE_JSON (the container's state). */
int seccomp_send_listener (const struct seccomp_program *prog, int listener, pid_t pid,
                           const char *state_json, struct hk_error **err);

void seccomp_program_free (struct seccomp_program *prog);

#endif
