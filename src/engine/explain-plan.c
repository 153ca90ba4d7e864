/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain run [run flags] IMAGE: what `hako run` with those flags
 * would set up, from the config.json it would render (ctr_spec_build),
 * without making anything: no record, no root filesystem, no namespace.
 * The sections are those of explain.c, read from the config instead of
 * the kernel (docs/explain-run-schema.json). */
#include "explain.h"
#include "ctr-spec.h"
#include "ctr-spec-host.h"
#include "engine.h"
#include "user-lookup.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/spec.h"
#include "store/image-config.h"
#include "store/image.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* config.json's name of a namespace, as /proc/PID/ns has it. */
static const char *
proc_ns_name (const char *oci)
{
  if (strcmp (oci, "network") == 0)
    return "net";
  if (strcmp (oci, "mount") == 0)
    return "mnt";
  return oci;
}

static json_t *
plan_namespaces (json_t *spec, const struct ctr_config *c)
{
  static const char *const types[] = { "pid", "mount", "network", "uts", "ipc", "user", "cgroup", "time" };
  json_t *list = json_array ();
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    {
      const char *relation = "host", *path = NULL;
      size_t i;
      json_t *ns;
      json_array_foreach (json_object_get (json_object_get (spec, "linux"), "namespaces"), i, ns)
      {
        if (strcmp (json_string_value (json_object_get (ns, "type")), types[t]) != 0)
          continue;
        path = json_string_value (json_object_get (ns, "path"));
        relation = path ? "join" : "new";
      }
      json_t *entry = json_pack ("{s:s}", "type", proc_ns_name (types[t]));
      const char *mode = c->network_mode;
      if (strcmp (types[t], "network") == 0 && mode && strncmp (mode, "container:", 10) == 0)
        {
          relation = "container";
          json_object_set_new (entry, "shared_with", json_string (mode + 10));
        }
      /* A user namespace is made at start from the maps settled at
       * create; config.json then joins it. */
      if (strcmp (types[t], "user") == 0 && c->userns_mode && strcmp (c->userns_mode, "host") != 0)
        relation = "new";
      json_object_set_new (entry, "relation", json_string (relation));
      if (path)
        json_object_set_new (entry, "path", json_string (path));
      json_array_append_new (list, entry);
    }
  return list;
}

static uint64_t
mask_of (json_t *names)
{
  uint64_t mask = 0;
  size_t i;
  json_t *n;
  json_array_foreach (names, i, n)
  {
    int cap = spec_capability_number (json_string_value (n));
    if (cap >= 0 && cap < 64)
      mask |= UINT64_C (1) << cap;
  }
  return mask;
}

static json_t *
cap_set (uint64_t mask)
{
  _cleanup_strv_ char **names = explain_cap_names (mask);
  char hex[17];
  snprintf (hex, sizeof hex, "%016llx", (unsigned long long)mask);
  return json_pack ("{s:s, s:o}", "hex", hex, "names", json_from_strv (names));
}

static json_t *
names_of (uint64_t mask)
{
  _cleanup_strv_ char **names = explain_cap_names (mask);
  return json_from_strv (names);
}

static json_t *
plan_capabilities (json_t *spec, int last_cap)
{
  static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
  json_t *caps = json_object_get (json_object_get (spec, "process"), "capabilities");
  json_t *doc = json_pack ("{s:{}}", "sets");
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
    json_object_set_new (json_object_get (doc, "sets"), sets[i],
                         cap_set (mask_of (json_object_get (caps, sets[i]))));
  uint64_t full = last_cap >= 63 ? ~UINT64_C (0) : (UINT64_C (1) << (last_cap + 1)) - 1;
  uint64_t bounding = mask_of (json_object_get (caps, "bounding"));
  uint64_t effective = mask_of (json_object_get (caps, "effective"));
  uint64_t docker = ctr_spec_docker_default_caps ();
  json_object_set_new (doc, "dropped_from_full", names_of (full & ~bounding));
  json_object_set_new (doc, "added_to_docker_default", names_of (effective & ~docker));
  json_object_set_new (doc, "dropped_from_docker_default", names_of (docker & ~effective));
  return doc;
}

static json_t *
plan_security (json_t *spec, const struct ctr_config *c)
{
  json_t *seccomp = json_object_get (json_object_get (spec, "linux"), "seccomp");
  json_t *s = json_pack ("{s:b, s:s}", "enabled", seccomp != NULL, "profile",
                         c->privileged ? "unconfined (--privileged)"
                         : c->seccomp_profile ? c->seccomp_profile
                                              : "default (Docker's)");
  if (seccomp)
    {
      json_object_set (s, "default_action", json_object_get (seccomp, "defaultAction"));
      json_object_set_new (s, "rules", json_integer ((json_int_t)json_array_size (json_object_get (seccomp, "syscalls"))));
    }
  json_t *nnp = json_object_get (json_object_get (spec, "process"), "noNewPrivileges");
  return json_pack ("{s:b, s:o}", "no_new_privs", json_is_true (nnp), "seccomp", s);
}

static json_t *
plan_filesystem (json_t *spec)
{
  json_t *linux_ = json_object_get (spec, "linux");
  json_t *mounts = json_array ();
  size_t i;
  json_t *m;
  json_array_foreach (json_object_get (spec, "mounts"), i, m)
  {
    json_t *options = json_object_get (m, "options");
    const char *type = json_string_value (json_object_get (m, "type"));
    const char *source = json_string_value (json_object_get (m, "source"));
    json_array_append_new (mounts, json_pack ("{s:O, s:s, s:s, s:o}", "destination",
                                              json_object_get (m, "destination"), "type",
                                              type ? type : "bind", "source", source ? source : "",
                                              "options",
                                              options ? json_incref (options) : json_array ()));
  }
  json_t *masked = json_object_get (linux_, "maskedPaths");
  json_t *readonly = json_object_get (linux_, "readonlyPaths");
  return json_pack ("{s:b, s:o, s:o, s:o}", "root_readonly",
                    json_is_true (json_object_get (json_object_get (spec, "root"), "readonly")),
                    "mounts", mounts, "masked_paths", masked ? json_incref (masked) : json_array (),
                    "readonly_paths", readonly ? json_incref (readonly) : json_array ());
}

static json_t *
plan_network (const struct ctr_config *c)
{
  json_t *ports = json_array ();
  for (size_t i = 0; i < c->n_ports; i++)
    json_array_append_new (ports, json_pack ("{s:s, s:s, s:s, s:s}", "host_ip", c->ports[i].host_ip,
                                             "host_port", c->ports[i].host_port, "container_port",
                                             c->ports[i].container_port, "protocol",
                                             c->ports[i].protocol));
  return json_pack ("{s:s, s:o, s:o, s:o}", "mode",
                    c->network_mode ? c->network_mode : "the default network", "ports", ports,
                    "dns", json_from_strv (c->dns), "dns_search", json_from_strv (c->dns_search));
}

/* The user the process runs as: numbers as given; a name is looked up in
 * the image's /etc/passwd when the container is made, which is not here. */
static json_t *
plan_user (json_t *spec, const struct ctr_config *c, const char *user)
{
  json_t *linux_ = json_object_get (spec, "linux");
  json_t *uid_map = json_object_get (linux_, "uidMappings");
  json_t *gid_map = json_object_get (linux_, "gidMappings");
  return json_pack ("{s:s, s:s, s:O, s:O}", "user", user ? user : "0 (root)", "userns_mode",
                    c->userns_mode ? c->userns_mode : "host", "uid_map",
                    uid_map ? uid_map : json_null (), "gid_map", gid_map ? gid_map : json_null ());
}

static bool
is_numeric_user (const char *user)
{
  for (const char *p = user; *p; p++)
    if (!isdigit ((unsigned char)*p) && *p != ':')
      return false;
  return true;
}

int
explain_plan (struct engine *e, const char *image, const struct ctr_config *c, json_t **out,
              struct hk_error **err)
{
  _cleanup_free_ char *image_id = NULL;
  _cleanup_image_config_ struct image_config *ic = NULL;
  if (store_image_resolve (e->store, image, NULL, &image_id, err) < 0
      || image_config_load (e->store, image_id, &ic, NULL, err) < 0)
    return -1;
  const char *user = c->user ? c->user : ic->user && *ic->user ? ic->user : NULL;
  struct user_ids ids = { .home = xstrdup ("/") };
  if (user && is_numeric_user (user))
    {
      ids.uid = (uint32_t)strtoul (user, NULL, 10);
      const char *colon = strchr (user, ':');
      ids.gid = colon ? (uint32_t)strtoul (colon + 1, NULL, 10) : ids.uid;
    }
  struct spec_host host = { 0 };
  if (spec_host_gather (c, &host, err) < 0)
    {
      user_ids_clear (&ids);
      return -1;
    }
  struct spec_inputs in = { .id = "CONTAINER-ID", .config = c, .image = ic,
                            .rootfs = "(the image's layers, mounted at create)",
                            .container_dir = "(the container's directory)", .user = &ids,
                            .init_path = e->init_path, .host = &host };
  _cleanup_json_ json_t *spec = NULL;
  int rc = ctr_spec_build (&in, &spec, err);
  if (rc == 0)
    {
      _cleanup_free_ char *source = xasprintf ("the config.json `hako run` would write for %s", image);
      json_t *limits = json_object_get (json_object_get (spec, "linux"), "resources");
      const char *cgroup = json_string_value (json_object_get (json_object_get (spec, "linux"), "cgroupsPath"));
      *out = json_pack ("{s:i, s:{s:s, s:s, s:s}, s:o, s:o, s:{s:s, s:o}, s:o, s:o, s:o, s:o}",
                        "version", EXPLAIN_SCHEMA_VERSION, "plan", "image", image, "image_id",
                        image_id, "source", source, "namespaces", plan_namespaces (spec, c),
                        "user", plan_user (spec, c, user), "cgroups", "path", cgroup ? cgroup : "",
                        "resources", limits ? json_incref (limits) : json_object (), "capabilities",
                        plan_capabilities (spec, host.last_cap), "security",
                        plan_security (spec, c), "filesystem", plan_filesystem (spec),
                        "network", plan_network (c));
    }
  spec_host_clear (&host);
  user_ids_clear (&ids);
  return rc;
}
