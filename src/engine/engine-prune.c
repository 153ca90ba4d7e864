/* SPDX-License-Identifier: Apache-2.0 */
/* container prune: every stopped container that the filter lets go. */
#include "engine.h"
#include "ctr-config-json.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <string.h>

int
engine_prune_containers (struct engine *e, const struct prune_filter *f, engine_prune_fn removed,
                         void *data, uint64_t *bytes, struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  *bytes = 0;
  if (ctr_record_list (e->db, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      struct ctr_record *r = list[i];
      if ((rc = engine_refresh (e, r, err)) < 0)
        break;
      bool stopped = strcmp (r->state, "exited") == 0 || strcmp (r->state, "created") == 0;
      _cleanup_json_ json_t *labels = config_map_to_json (&r->config.labels);
      /* a pod's infra container goes with its pod (pod rm, pod prune) */
      if (!stopped || r->config.pod_infra || !prune_filter_match (f, r->created, labels))
        continue;
      _cleanup_free_ char *upper = xasprintf ("%s/containers/%s/upper", e->root, r->id);
      uint64_t size = fs_tree_bytes (AT_FDCWD, upper);
      /* Started or removed by someone else meanwhile: not ours to prune. */
      struct hk_error *gone = NULL;
      if (engine_remove (e, r, false, false, &gone) < 0)
        {
          hk_error_free (gone);
          continue;
        }
      *bytes += size;
      if (removed != NULL)
        removed (r, data);
    }
  ctr_record_list_free (list, n);
  return rc;
}
