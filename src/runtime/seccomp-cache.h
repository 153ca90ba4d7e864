/* SPDX-License-Identifier: Apache-2.0 */
/* The cache of compiled seccomp filters (seccomp.c): one file per profile
 * in a directory of the runtime's own, outside any state root.
 *
 * An entry is named by a hash of its key (the profile and the libseccomp
 * version) and holds the whole key before the program, so a hash collision
 * cannot hand out another profile's filter.  The directory is trusted only
 * when it belongs to us and nobody else can write it.  It holds at most
 * SECCOMP_CACHE_MAX_ENTRIES entries: storing one more removes the least
 * recently used (a hit refreshes an entry's time), and temporary files a
 * crashed writer left are removed on the way. */
#ifndef HAKO_RUNTIME_SECCOMP_CACHE_H
#define HAKO_RUNTIME_SECCOMP_CACHE_H

#include "seccomp.h"

#define SECCOMP_CACHE_MAX_ENTRIES 64

/* Fills PROG's instructions from the entry of KEY in DIR; -1 on a miss. */
int seccomp_cache_lookup (const char *dir, const char *key, struct seccomp_program *prog);

/* Stores PROG under KEY in DIR (made if missing), evicting old entries.
 * Failures are ignored: the cache only saves time. */
void seccomp_cache_store (const char *dir, const char *key, const struct seccomp_program *prog);

#endif
