/* SPDX-License-Identifier: Apache-2.0 */
#include "userns-keep-id.h"
#include "common/xalloc.h"

#include <errno.h>

/* The ids of the holder's namespace: 0..*COUNT-1 with the user's OWN id
 * at 0 (newuidmap writes its ranges one after the other from 1). */
static int
holder_extent (const struct id_map *holder, size_t n, uint32_t *count, uint32_t *own,
               struct hk_error **err)
{
  uint64_t end = 0;
  bool has_zero = false;
  for (size_t i = 0; i < n; i++)
    {
      uint64_t last = (uint64_t)holder[i].container_id + holder[i].size;
      if (last > end)
        end = last;
      if (holder[i].container_id == 0)
        {
          has_zero = true;
          *own = holder[i].host_id;
        }
    }
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += holder[i].size;
  if (!has_zero || total != end || end > UINT32_MAX)
    return hk_error_set (err, EINVAL,
                         "the rootless namespace's ids are not one block from 0 (%zu mappings)",
                         n);
  *count = (uint32_t)end;
  return 0;
}

static void
add (struct id_map **out, size_t *n, uint32_t inside, uint32_t outside, uint32_t size)
{
  if (size == 0)
    return;
  *out = xreallocarray (*out, *n + 1, sizeof **out);
  (*out)[(*n)++] = (struct id_map){ inside, outside, size };
}

int
userns_nested_maps (const struct id_map *holder, size_t n_holder, bool keep_id,
                    struct id_map **out, size_t *n, uint32_t *own, struct hk_error **err)
{
  uint32_t count = 0;
  if (holder_extent (holder, n_holder, &count, own, err) < 0)
    return -1;
  uint32_t others = count - 1; /* the subordinate ids, the holder's 1.. */
  *out = NULL;
  *n = 0;
  if (!keep_id)
    {
      if (others == 0)
        return hk_error_set (err, EINVAL,
                             "nomap: the user has no subordinate ids to map without its own");
      add (out, n, 0, 1, others);
      return 0;
    }
  /* Below OWN: the holder's 1..; OWN: the holder's 0; above: the rest of
   * the holder's ids at the same numbers. */
  uint32_t below = others < *own ? others : *own;
  add (out, n, 0, 1, below);
  add (out, n, *own, 0, 1);
  if (others > *own)
    add (out, n, *own + 1, *own + 1, others - *own);
  return 0;
}
