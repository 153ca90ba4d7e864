/* SPDX-License-Identifier: Apache-2.0 */
/* ID mappings of user namespaces: SIZE ids from CONTAINER_ID inside are
 * HOST_ID... outside.  A list of them is what /proc/PID/uid_map holds. */
#ifndef HAKO_COMMON_ID_MAP_H
#define HAKO_COMMON_ID_MAP_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct id_map
{
  uint32_t container_id, host_id, size;
};

/* A user namespace's uid and gid maps together. */
struct id_maps
{
  const struct id_map *uid, *gid;
  size_t n_uid, n_gid;
};

/* What a namespace shows for an id it does not map (the kernel's
 * overflow id). */
#define ID_MAP_OVERFLOW 65534

/* UID and GID of the host as MAPS' namespace sees them, unmapped ones as
 * the overflow id; and back (container to host). */
void id_maps_to_container (const struct id_maps *maps, uint32_t *uid, uint32_t *gid);
void id_maps_to_host (const struct id_maps *maps, uint32_t *uid, uint32_t *gid);

/* The kernel's form: one "CONTAINER HOST SIZE\n" line per mapping. */
char *id_map_format (const struct id_map *m, size_t n);

/* The kernel's form (as /proc/PID/uid_map prints it) into *OUT. */
int id_map_parse_kernel (const char *text, struct id_map **out, size_t *n, struct hk_error **err);

/* ID inside as the host sees it (false: not mapped). */
bool id_map_to_host (const struct id_map *m, size_t n, uint32_t id, uint32_t *out);

/* Host ID as the namespace sees it (false: not mapped). */
bool id_map_to_container (const struct id_map *m, size_t n, uint32_t id, uint32_t *out);

/* Whether host ranges [A, A+A_SIZE) and [B, B+B_SIZE) overlap. */
bool id_range_overlaps (uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size);

/* Checks a list the way the kernel will: 1 to 340 mappings, none empty or
 * past 2^32, no two overlapping inside or outside.  KIND ("--uidmap")
 * names them in the error. */
int id_map_check (const struct id_map *m, size_t n, const char *kind, struct hk_error **err);

#endif
