/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: linux.resources, the cgroup limits.  Also the input of
 * `update --resources`. */
#include "spec-internal.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

/* Reads KEY into *OUT and records its presence in *HAS. */
#define GET_FIELD(getter, obj, path, key, out, has)                                                \
  ({                                                                                               \
    int r_ = getter ((obj), (path), (key), (out), err);                                            \
    if (r_ > 0)                                                                                    \
      *(has) = true;                                                                               \
    r_;                                                                                            \
  })

static int
parse_device_rules (json_t *res, const char *path, struct oci_resources *out,
                    struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (res, path, "devices", &arr, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *apath = json_path_key (path, "devices");
  out->devices = xzalloc (sizeof (struct oci_device_rule) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *ipath = json_path_index (apath, i);
    _cleanup_free_ char *type = NULL;
    struct oci_device_rule *d = &out->devices[out->n_devices++];
    d->major = d->minor = -1;
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object, got %s", ipath,
                           json_type_name (item));
    if (json_require (item, ipath, "allow", err) < 0
        || json_get_bool (item, ipath, "allow", &d->allow, err) < 0
        || json_get_string (item, ipath, "type", &type, err) < 0
        || json_get_int64 (item, ipath, "major", &d->major, err) < 0
        || json_get_int64 (item, ipath, "minor", &d->minor, err) < 0
        || json_get_string (item, ipath, "access", &d->access, err) < 0)
      return -1;
    d->type = type == NULL ? 'a' : type[0];
    if (type != NULL && (strlen (type) != 1 || strchr ("acb", type[0]) == NULL))
      return hk_error_set (err, EINVAL, "%s.type: `%s` is not one of a, c, b", ipath, type);
    if (d->access == NULL)
      d->access = xstrdup ("rwm");
    if (d->access[0] == '\0' || strspn (d->access, "rwm") != strlen (d->access))
      return hk_error_set (err, EINVAL, "%s.access: `%s` is not made of r, w, m", ipath,
                           d->access);
    if (d->major < -1 || d->minor < -1)
      return hk_error_set (err, EINVAL, "%s: negative device number", ipath);
  }
  return 1;
}

static int
parse_memory (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  json_t *m;
  int r = json_get_object (res, path, "memory", &m, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = json_path_key (path, "memory");
  struct oci_memory *mem = &out->memory;
  out->has_memory = true;
  if (GET_FIELD (json_get_int64, m, p, "limit", &mem->limit, &mem->has_limit) < 0
      || GET_FIELD (json_get_int64, m, p, "reservation", &mem->reservation, &mem->has_reservation)
             < 0
      || GET_FIELD (json_get_int64, m, p, "swap", &mem->swap, &mem->has_swap) < 0
      || GET_FIELD (json_get_int64, m, p, "kernel", &mem->kernel, &mem->has_kernel) < 0
      || GET_FIELD (json_get_int64, m, p, "kernelTCP", &mem->kernel_tcp, &mem->has_kernel_tcp) < 0
      || GET_FIELD (json_get_uint64, m, p, "swappiness", &mem->swappiness, &mem->has_swappiness)
             < 0
      || GET_FIELD (json_get_bool, m, p, "disableOOMKiller", &mem->disable_oom_killer,
                    &mem->has_disable_oom_killer)
             < 0
      || GET_FIELD (json_get_bool, m, p, "useHierarchy", &mem->use_hierarchy,
                    &mem->has_use_hierarchy)
             < 0
      || GET_FIELD (json_get_bool, m, p, "checkBeforeUpdate", &mem->check_before_update,
                    &mem->has_check_before_update)
             < 0)
    return -1;
  if (mem->has_swappiness && mem->swappiness > 100)
    return hk_error_set (err, EINVAL, "%s.swappiness: %llu is above 100", p,
                         (unsigned long long) mem->swappiness);
  if (mem->has_limit && mem->limit < -1)
    return hk_error_set (err, EINVAL, "%s.limit: %lld is negative", p, (long long) mem->limit);
  if (mem->has_swap && mem->swap < -1)
    return hk_error_set (err, EINVAL, "%s.swap: %lld is negative", p, (long long) mem->swap);
  if (mem->has_limit && mem->has_swap && mem->limit > 0 && mem->swap > 0
      && mem->swap < mem->limit)
    return hk_error_set (err, EINVAL,
                         "%s.swap: %lld is below the memory limit %lld (swap counts memory "
                         "plus swap)",
                         p, (long long) mem->swap, (long long) mem->limit);
  return 1;
}

static int
parse_cpu (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  json_t *c;
  int r = json_get_object (res, path, "cpu", &c, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = json_path_key (path, "cpu");
  struct oci_cpu *cpu = &out->cpu;
  out->has_cpu = true;
  if (GET_FIELD (json_get_uint64, c, p, "shares", &cpu->shares, &cpu->has_shares) < 0
      || GET_FIELD (json_get_int64, c, p, "quota", &cpu->quota, &cpu->has_quota) < 0
      || GET_FIELD (json_get_uint64, c, p, "burst", &cpu->burst, &cpu->has_burst) < 0
      || GET_FIELD (json_get_uint64, c, p, "period", &cpu->period, &cpu->has_period) < 0
      || GET_FIELD (json_get_int64, c, p, "realtimeRuntime", &cpu->realtime_runtime,
                    &cpu->has_realtime_runtime)
             < 0
      || GET_FIELD (json_get_uint64, c, p, "realtimePeriod", &cpu->realtime_period,
                    &cpu->has_realtime_period)
             < 0
      || GET_FIELD (json_get_int64, c, p, "idle", &cpu->idle, &cpu->has_idle) < 0
      || json_get_string (c, p, "cpus", &cpu->cpus, err) < 0
      || json_get_string (c, p, "mems", &cpu->mems, err) < 0)
    return -1;
  if (cpu->has_period && cpu->period != 0 && (cpu->period < 1000 || cpu->period > 1000000))
    return hk_error_set (err, EINVAL, "%s.period: %llu is outside 1000..1000000 microseconds", p,
                         (unsigned long long) cpu->period);
  if (cpu->has_quota && cpu->quota > 0 && cpu->quota < 1000)
    return hk_error_set (err, EINVAL, "%s.quota: %lld is below 1000 microseconds", p,
                         (long long) cpu->quota);
  if (cpu->has_idle && cpu->idle != 0 && cpu->idle != 1)
    return hk_error_set (err, EINVAL, "%s.idle: must be 0 or 1", p);
  return 1;
}

static int
parse_device_number (json_t *item, const char *path, int64_t *major, int64_t *minor,
                     struct hk_error **err)
{
  if (json_require (item, path, "major", err) < 0 || json_require (item, path, "minor", err) < 0
      || json_get_int64 (item, path, "major", major, err) < 0
      || json_get_int64 (item, path, "minor", minor, err) < 0)
    return -1;
  if (*major < 0 || *minor < 0)
    return hk_error_set (err, EINVAL, "%s: negative device number", path);
  return 0;
}

static int
parse_weight (json_t *obj, const char *path, const char *key, uint16_t *out, bool *has,
              struct hk_error **err)
{
  uint32_t v;
  int r = json_get_uint32 (obj, path, key, &v, err);
  if (r <= 0)
    return r;
  if (v > 1000 || (v != 0 && v < 10))
    return hk_error_set (err, EINVAL, "%s.%s: %u is outside 10..1000", path, key, v);
  /* 0 means "not set": Docker sends weight 0 on every create and update,
   * and runc ignores it. */
  *out = (uint16_t) v;
  *has = v != 0;
  return 1;
}

static const char *const throttle_keys[THROTTLE_KIND_COUNT] = {
  [THROTTLE_READ_BPS] = "throttleReadBpsDevice",
  [THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
  [THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
  [THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

static int
parse_block_io (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  json_t *b, *arr;
  int r = json_get_object (res, path, "blockIO", &b, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = json_path_key (path, "blockIO");
  struct oci_block_io *bio = &out->block_io;
  out->has_block_io = true;
  if (parse_weight (b, p, "weight", &bio->weight, &bio->has_weight, err) < 0
      || parse_weight (b, p, "leafWeight", &bio->leaf_weight, &bio->has_leaf_weight, err) < 0)
    return -1;
  if ((r = json_get_array (b, p, "weightDevice", &arr, err)) < 0)
    return -1;
  if (r > 0)
    {
      _cleanup_free_ char *apath = json_path_key (p, "weightDevice");
      bio->weight_devices = xzalloc (sizeof (struct oci_weight_device) * (json_array_size (arr) + 1));
      size_t i;
      json_t *item;
      json_array_foreach (arr, i, item)
      {
        _cleanup_free_ char *ipath = json_path_index (apath, i);
        struct oci_weight_device *w = &bio->weight_devices[bio->n_weight_devices++];
        if (!json_is_object (item))
          return hk_error_set (err, EINVAL, "%s: expected an object", ipath);
        if (parse_device_number (item, ipath, &w->major, &w->minor, err) < 0
            || parse_weight (item, ipath, "weight", &w->weight, &w->has_weight, err) < 0
            || parse_weight (item, ipath, "leafWeight", &w->leaf_weight, &w->has_leaf_weight,
                             err)
                   < 0)
          return -1;
      }
    }
  for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
    {
      if ((r = json_get_array (b, p, throttle_keys[k], &arr, err)) < 0)
        return -1;
      if (r == 0)
        continue;
      _cleanup_free_ char *apath = json_path_key (p, throttle_keys[k]);
      bio->throttle[k] = xzalloc (sizeof (struct oci_throttle_device) * (json_array_size (arr) + 1));
      size_t i;
      json_t *item;
      json_array_foreach (arr, i, item)
      {
        _cleanup_free_ char *ipath = json_path_index (apath, i);
        struct oci_throttle_device *t = &bio->throttle[k][bio->n_throttle[k]++];
        if (!json_is_object (item))
          return hk_error_set (err, EINVAL, "%s: expected an object", ipath);
        if (parse_device_number (item, ipath, &t->major, &t->minor, err) < 0
            || json_require (item, ipath, "rate", err) < 0
            || json_get_uint64 (item, ipath, "rate", &t->rate, err) < 0)
          return -1;
      }
    }
  return 1;
}

static int
parse_hugepages (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (res, path, "hugepageLimits", &arr, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *apath = json_path_key (path, "hugepageLimits");
  out->hugepage_limits = xzalloc (sizeof (struct oci_hugepage_limit) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *ipath = json_path_index (apath, i);
    struct oci_hugepage_limit *h = &out->hugepage_limits[out->n_hugepage_limits++];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object", ipath);
    if (json_require (item, ipath, "pageSize", err) < 0
        || json_require (item, ipath, "limit", err) < 0
        || json_get_string (item, ipath, "pageSize", &h->page_size, err) < 0
        || json_get_uint64 (item, ipath, "limit", &h->limit, err) < 0)
      return -1;
    /* The size names a cgroup file (hugetlb.<size>.limit_in_bytes). */
    size_t digits = strspn (h->page_size, "0123456789");
    if (digits == 0 || (strcmp (h->page_size + digits, "KB") != 0
                        && strcmp (h->page_size + digits, "MB") != 0
                        && strcmp (h->page_size + digits, "GB") != 0))
      return hk_error_set (err, EINVAL, "%s.pageSize: `%s` is not a size like 2MB or 1GB", ipath,
                           h->page_size);
  }
  return 1;
}

static int
parse_network (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  json_t *n, *arr;
  int r = json_get_object (res, path, "network", &n, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = json_path_key (path, "network");
  if (GET_FIELD (json_get_uint32, n, p, "classID", &out->net_class_id, &out->has_net_class_id) < 0)
    return -1;
  if ((r = json_get_array (n, p, "priorities", &arr, err)) <= 0)
    return r;
  _cleanup_free_ char *apath = json_path_key (p, "priorities");
  out->net_priorities = xzalloc (sizeof (struct oci_net_priority) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *ipath = json_path_index (apath, i);
    struct oci_net_priority *np = &out->net_priorities[out->n_net_priorities++];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object", ipath);
    if (json_require (item, ipath, "name", err) < 0
        || json_get_string (item, ipath, "name", &np->name, err) < 0
        || json_get_uint32 (item, ipath, "priority", &np->priority, err) < 0)
      return -1;
    if (strpbrk (np->name, " \n/") != NULL)
      return hk_error_set (err, EINVAL, "%s.name: `%s` is not an interface name", ipath, np->name);
  }
  return 1;
}

static int
parse_rdma (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  json_t *obj;
  int r = json_get_object (res, path, "rdma", &obj, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = json_path_key (path, "rdma");
  out->rdma = xzalloc (sizeof (struct oci_rdma_limit) * (json_object_size (obj) + 1));
  const char *dev;
  json_t *value;
  json_object_foreach (obj, dev, value)
  {
    _cleanup_free_ char *dpath = json_path_key (p, dev);
    struct oci_rdma_limit *l = &out->rdma[out->n_rdma++];
    l->device = xstrdup (dev);
    if (!json_is_object (value))
      return hk_error_set (err, EINVAL, "%s: expected an object", dpath);
    if (GET_FIELD (json_get_uint32, value, dpath, "hcaHandles", &l->hca_handles,
                   &l->has_hca_handles)
            < 0
        || GET_FIELD (json_get_uint32, value, dpath, "hcaObjects", &l->hca_objects,
                      &l->has_hca_objects)
               < 0)
      return -1;
    if (strpbrk (dev, " \n/") != NULL)
      return hk_error_set (err, EINVAL, "%s: `%s` is not a device name", p, dev);
  }
  return 1;
}

static int
parse_unified (json_t *res, const char *path, struct oci_resources *out, struct hk_error **err)
{
  int r = json_get_string_map (res, path, "unified", &out->unified_keys, &out->unified_values, err);
  if (r <= 0)
    return r;
  for (size_t i = 0; out->unified_keys[i] != NULL; i++)
    {
      const char *k = out->unified_keys[i];
      if (strchr (k, '/') != NULL || strchr (k, '.') == NULL || k[0] == '.')
        return hk_error_set (err, EINVAL, "%s.unified: `%s` is not a cgroup file name", path, k);
    }
  return 1;
}

int
spec_parse_resources (json_t *obj, const char *path, struct oci_resources *out,
                      struct hk_error **err)
{
  json_t *pids;
  if (parse_device_rules (obj, path, out, err) < 0 || parse_memory (obj, path, out, err) < 0
      || parse_cpu (obj, path, out, err) < 0 || parse_block_io (obj, path, out, err) < 0
      || parse_hugepages (obj, path, out, err) < 0 || parse_network (obj, path, out, err) < 0
      || parse_rdma (obj, path, out, err) < 0 || parse_unified (obj, path, out, err) < 0)
    return -1;
  int r = json_get_object (obj, path, "pids", &pids, err);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      /* runtime-spec 1.3: a limit of 0 is 0, -1 is "max", none is "leave
       * it as it is". */
      _cleanup_free_ char *p = json_path_key (path, "pids");
      r = json_get_int64 (pids, p, "limit", &out->pids_limit, err);
      if (r < 0)
        return -1;
      out->has_pids = r > 0;
    }
  return 0;
}

void
spec_resources_clear (struct oci_resources *r)
{
  for (size_t i = 0; i < r->n_devices; i++)
    free (r->devices[i].access);
  free (r->devices);
  free (r->cpu.cpus);
  free (r->cpu.mems);
  free (r->block_io.weight_devices);
  for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
    free (r->block_io.throttle[k]);
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  for (size_t i = 0; i < r->n_net_priorities; i++)
    free (r->net_priorities[i].name);
  free (r->net_priorities);
  for (size_t i = 0; i < r->n_rdma; i++)
    free (r->rdma[i].device);
  free (r->rdma);
  strv_free (r->unified_keys);
  strv_free (r->unified_values);
  memset (r, 0, sizeof *r);
}
