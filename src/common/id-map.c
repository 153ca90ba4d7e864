/* SPDX-License-Identifier: Apache-2.0 */
#include "id-map.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *
id_map_format (const struct id_map *m, size_t n)
{
  char *text = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      char *more = xasprintf ("%s%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", text, m[i].container_id,
                              m[i].host_id, m[i].size);
      free (text);
      text = more;
    }
  return text;
}

int
id_map_parse_kernel (const char *text, struct id_map **out, size_t *n, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  _cleanup_free_ struct id_map *maps = NULL;
  size_t count = 0;
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long c, h, s;
      int end = 0;
      if (sscanf (line, " %llu %llu %llu %n", &c, &h, &s, &end) != 3 || line[end] != '\0'
          || c > UINT32_MAX || h > UINT32_MAX || s > UINT32_MAX)
        return hk_error_set (err, EINVAL, "`%s` is not an ID mapping", line);
      maps = xreallocarray (maps, count + 1, sizeof *maps);
      maps[count++] = (struct id_map){ (uint32_t)c, (uint32_t)h, (uint32_t)s };
    }
  *out = take_ptr (maps);
  *n = count;
  return 0;
}

bool
id_map_to_host (const struct id_map *m, size_t n, uint32_t id, uint32_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
      {
        *out = m[i].host_id + (id - m[i].container_id);
        return true;
      }
  return false;
}

bool
id_map_to_container (const struct id_map *m, size_t n, uint32_t id, uint32_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].host_id && (uint64_t)id < (uint64_t)m[i].host_id + m[i].size)
      {
        *out = m[i].container_id + (id - m[i].host_id);
        return true;
      }
  return false;
}

bool
id_range_overlaps (uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
  return a < b + b_size && b < a + a_size;
}

/* The kernel takes at most 340 lines in a uid_map. */
#define ID_MAP_MAX 340

int
id_map_check (const struct id_map *m, size_t n, const char *kind, struct hk_error **err)
{
  if (n == 0 || n > ID_MAP_MAX)
    return hk_error_set (err, EINVAL, "%s: between 1 and %d mappings are needed, not %zu", kind,
                         ID_MAP_MAX, n);
  for (size_t i = 0; i < n; i++)
    {
      if (m[i].size == 0 || (uint64_t)m[i].container_id + m[i].size > UINT32_MAX
          || (uint64_t)m[i].host_id + m[i].size > UINT32_MAX)
        return hk_error_set (err, EINVAL,
                             "%s: %" PRIu32 ":%" PRIu32 ":%" PRIu32 " is empty or goes past the "
                             "last ID (4294967294)",
                             kind, m[i].container_id, m[i].host_id, m[i].size);
      for (size_t j = 0; j < i; j++)
        if (id_range_overlaps (m[i].container_id, m[i].size, m[j].container_id, m[j].size)
            || id_range_overlaps (m[i].host_id, m[i].size, m[j].host_id, m[j].size))
          return hk_error_set (err, EINVAL,
                               "%s: %" PRIu32 ":%" PRIu32 ":%" PRIu32 " overlaps %" PRIu32
                               ":%" PRIu32 ":%" PRIu32,
                               kind, m[i].container_id, m[i].host_id, m[i].size,
                               m[j].container_id, m[j].host_id, m[j].size);
    }
  return 0;
}

void
id_maps_to_container (const struct id_maps *maps, uint32_t *uid, uint32_t *gid)
{
  if (!id_map_to_container (maps->uid, maps->n_uid, *uid, uid))
    *uid = ID_MAP_OVERFLOW;
  if (!id_map_to_container (maps->gid, maps->n_gid, *gid, gid))
    *gid = ID_MAP_OVERFLOW;
}

void
id_maps_to_host (const struct id_maps *maps, uint32_t *uid, uint32_t *gid)
{
  if (!id_map_to_host (maps->uid, maps->n_uid, *uid, uid))
    *uid = ID_MAP_OVERFLOW;
  if (!id_map_to_host (maps->gid, maps->n_gid, *gid, gid))
    *gid = ID_MAP_OVERFLOW;
}
