/* SPDX-License-Identifier: Apache-2.0 */
#include "pod-cgroup.h"
#include "ctr-spec.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "runtime/cgroup.h"

static int
pod_cgroup_open (struct engine *e, const struct pod_record *p, struct cgroup **out,
                 struct hk_error **err)
{
  struct cgroup_layout *layout = NULL;
  if (cgroup_layout_detect (e->rt.cgroup_root, &layout, err) < 0)
    return -1;
  _cleanup_free_ char *path = pod_cgroup_path (p);
  int rc = cgroup_create (layout, path, p->id, out, err);
  cgroup_layout_free (layout);
  return rc < 0 ? hk_error_prefix (err, "the cgroup of pod %s", p->name) : 0;
}

int
pod_cgroup_ensure (struct engine *e, const struct pod_record *p, struct hk_error **err)
{
  _cleanup_cgroup_ struct cgroup *cg = NULL;
  if (pod_cgroup_open (e, p, &cg, err) < 0)
    return -1;
  if (p->config.limits.set == 0)
    return 0;
  _cleanup_json_ json_t *resources = ctr_spec_limits (&p->config.limits, 0);
  struct oci_resources res = { 0 };
  int rc = spec_parse_resources (resources, "resources", &res, err);
  if (rc == 0)
    rc = cgroup_apply (cg, &res, false, err);
  spec_resources_clear (&res);
  return rc < 0 ? hk_error_prefix (err, "the limits of pod %s", p->name) : 0;
}

int
pod_cgroup_remove (struct engine *e, const struct pod_record *p, struct hk_error **err)
{
  _cleanup_cgroup_ struct cgroup *cg = NULL;
  if (pod_cgroup_open (e, p, &cg, err) < 0)
    return -1;
  if (cgroup_destroy (cg, err) < 0)
    return hk_error_prefix (err, "remove the cgroup of pod %s", p->name);
  return 0;
}
