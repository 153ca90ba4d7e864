/* SPDX-License-Identifier: Apache-2.0 */
/* kube play's reading half: a YAML stream's documents checked and read
 * into a plan (kube-plan.h).  ConfigMaps, Secrets and claims first, as
 * the pods use their data; then Pods and Deployments (kube-pod.c). */
#include "kube-plan.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "yaml/yaml.h"

#include <errno.h>
#include <string.h>

void
kube_plan_clear (struct kube_plan *p)
{
  for (size_t i = 0; i < p->n_pods; i++)
    kube_pod_clear (&p->pods[i]);
  free (p->pods);
  strv_free (p->claims);
  json_decref (p->sources.config_maps);
  json_decref (p->sources.secrets);
}

static int
read_metadata (struct kube_doc *d, json_t *doc, json_t **labels, struct hk_error **err)
{
  static const char *const known[] = { "name", "labels", NULL };
  json_t *meta;
  char *name = NULL;
  if (kube_object (doc, "", "metadata", &meta, err) < 0)
    return -1;
  if (meta == NULL)
    return kube_fail (d, err, "metadata", "required");
  if (json_get_string (meta, "metadata", "name", &name, err) < 0)
    return -1;
  if (name == NULL || !kube_is_dns_subdomain (name))
    {
      int rc = kube_fail (d, err, "metadata.name",
                          name ? "\"%s\" is not a DNS subdomain (a-z, 0-9, - and .)" : "required",
                          name);
      free (name);
      return rc;
    }
  d->name = name; /* freed by the caller, with the document */
  kube_warn_unknown (d, meta, "metadata", known);
  if (labels && kube_object (meta, "metadata", "labels", labels, err) < 0)
    return -1;
  return 0;
}

static int
string_data (struct kube_doc *d, json_t *doc, const char *key, bool base64, json_t *into,
             struct hk_error **err)
{
  json_t *data;
  if (kube_object (doc, "", key, &data, err) < 0)
    return -1;
  const char *k;
  json_t *v;
  json_object_foreach (data, k, v)
  {
    _cleanup_free_ char *path = json_path_key (key, k);
    if (!json_is_string (v))
      return kube_fail (d, err, path, "expected a string, got %s", json_type_name (v));
    if (!base64)
      {
        json_object_set (into, k, v);
        continue;
      }
    _cleanup_free_ char *decoded = NULL;
    size_t len;
    if (kube_base64_decode (json_string_value (v), &decoded, &len) < 0)
      return kube_fail (d, err, path, "not base64");
    if (memchr (decoded, '\0', len) != NULL)
      return kube_fail (d, err, path, "binary data (a NUL byte) is not supported");
    json_t *s = json_stringn (decoded, len);
    if (s == NULL)
      return kube_fail (d, err, path, "not UTF-8 text");
    json_object_set_new (into, k, s);
  }
  return 0;
}

static int
read_config_map (struct kube_doc *d, json_t *doc, struct kube_plan *plan, bool secret,
                 struct hk_error **err)
{
  static const char *const known_cm[] = { "apiVersion", "kind", "metadata", "data", NULL };
  static const char *const known_secret[]
      = { "apiVersion", "kind", "metadata", "data", "stringData", "type", NULL };
  kube_warn_unknown (d, doc, "", secret ? known_secret : known_cm);
  if (read_metadata (d, doc, NULL, err) < 0)
    return -1;
  json_t *table = secret ? plan->sources.secrets : plan->sources.config_maps;
  if (json_object_get (table, d->name) != NULL)
    return kube_fail (d, err, "metadata.name", "\"%s\" is given twice", d->name);
  json_t *data = json_object ();
  json_object_set_new (table, d->name, data);
  if (string_data (d, doc, "data", secret, data, err) < 0
      || (secret && string_data (d, doc, "stringData", false, data, err) < 0))
    return -1;
  return 0;
}

static int
read_claim (struct kube_doc *d, json_t *doc, struct kube_plan *plan, struct hk_error **err)
{
  static const char *const known[] = { "apiVersion", "kind", "metadata", "spec", NULL };
  kube_warn_unknown (d, doc, "", known);
  if (read_metadata (d, doc, NULL, err) < 0)
    return -1;
  json_t *spec;
  if (kube_object (doc, "", "spec", &spec, err) < 0)
    return -1;
  if (json_object_get (spec, "resources"))
    kube_warn (d, "spec.resources", "a local volume has no size: not applied");
  static const char *const known_spec[] = { "accessModes", "resources", NULL };
  if (spec)
    kube_warn_unknown (d, spec, "spec", known_spec);
  strv_append (&plan->claims, d->name);
  return 0;
}

static int
add_pod (struct kube_doc *d, const char *name, json_t *labels, json_t *spec, const char *path,
         bool deployment, struct kube_plan *plan, struct hk_error **err)
{
  for (size_t i = 0; i < plan->n_pods; i++)
    if (strcmp (plan->pods[i].name, name) == 0)
      return kube_fail (d, err, "metadata.name", "a pod \"%s\" is made twice by this file", name);
  plan->pods = xreallocarray (plan->pods, plan->n_pods + 1, sizeof *plan->pods);
  struct kube_pod *p = &plan->pods[plan->n_pods++];
  if (kube_pod_read (d, name, labels, spec, path, &plan->sources, deployment, p, err) < 0)
    return -1;
  return 0;
}

static int
read_pod (struct kube_doc *d, json_t *doc, struct kube_plan *plan, struct hk_error **err)
{
  static const char *const known[] = { "apiVersion", "kind", "metadata", "spec", "status", NULL };
  kube_warn_unknown (d, doc, "", known);
  json_t *labels = NULL, *spec;
  if (read_metadata (d, doc, &labels, err) < 0 || kube_object (doc, "", "spec", &spec, err) < 0)
    return -1;
  if (spec == NULL)
    return kube_fail (d, err, "spec", "required");
  return add_pod (d, d->name, labels, spec, "spec", false, plan, err);
}

/* spec.selector.matchLabels must select the template's labels. */
static int
check_selector (struct kube_doc *d, json_t *spec, json_t *labels, struct hk_error **err)
{
  json_t *selector, *match;
  if (kube_object (spec, "spec", "selector", &selector, err) < 0)
    return -1;
  if (selector == NULL)
    return kube_fail (d, err, "spec.selector", "required");
  static const char *const known[] = { "matchLabels", NULL };
  kube_warn_unknown (d, selector, "spec.selector", known);
  if (kube_object (selector, "spec.selector", "matchLabels", &match, err) < 0)
    return -1;
  const char *k;
  json_t *v;
  json_object_foreach (match, k, v)
  {
    if (!json_equal (json_object_get (labels, k), v))
      return kube_fail (d, err, "spec.selector.matchLabels",
                        "%s does not match spec.template.metadata.labels", k);
  }
  return 0;
}

static int
read_deployment (struct kube_doc *d, json_t *doc, struct kube_plan *plan, struct hk_error **err)
{
  static const char *const known[] = { "apiVersion", "kind", "metadata", "spec", "status", NULL };
  static const char *const known_spec[] = { "replicas", "selector", "template", NULL };
  static const char *const known_template[] = { "metadata", "spec", NULL };
  kube_warn_unknown (d, doc, "", known);
  json_t *spec, *template, *template_meta, *pod_spec, *labels = NULL;
  if (read_metadata (d, doc, NULL, err) < 0 || kube_object (doc, "", "spec", &spec, err) < 0)
    return -1;
  if (spec == NULL)
    return kube_fail (d, err, "spec", "required");
  kube_warn_unknown (d, spec, "spec", known_spec);
  int64_t replicas = 1;
  if (json_get_int64 (spec, "spec", "replicas", &replicas, err) < 0
      || kube_object (spec, "spec", "template", &template, err) < 0)
    return -1;
  if (replicas < 0 || replicas > 100)
    return kube_fail (d, err, "spec.replicas", "%lld is outside 0..100", (long long)replicas);
  if (template == NULL)
    return kube_fail (d, err, "spec.template", "required");
  kube_warn_unknown (d, template, "spec.template", known_template);
  if (kube_object (template, "spec.template", "metadata", &template_meta, err) < 0
      || kube_object (template_meta, "spec.template.metadata", "labels", &labels, err) < 0
      || kube_object (template, "spec.template", "spec", &pod_spec, err) < 0
      || check_selector (d, spec, labels, err) < 0)
    return -1;
  if (pod_spec == NULL)
    return kube_fail (d, err, "spec.template.spec", "required");
  /* Podman's names: NAME-pod-0, NAME-pod-1, ... */
  for (int64_t i = 0; i < replicas; i++)
    {
      _cleanup_free_ char *name = xasprintf ("%s-pod-%lld", d->name, (long long)i);
      if (i == 1)
        d->log = NULL; /* the template's warnings once */
      if (add_pod (d, name, labels, pod_spec, "spec.template.spec", true, plan, err) < 0)
        return -1;
    }
  return 0;
}

typedef int (*kind_reader) (struct kube_doc *d, json_t *doc, struct kube_plan *plan,
                            struct hk_error **err);

static int
read_service (struct kube_doc *d, json_t *doc, struct kube_plan *plan, struct hk_error **err)
{
  (void)doc;
  (void)plan;
  (void)err;
  kube_warn (d, "kind", "Service: not played (the pods' hostPorts publish their ports)");
  return 0;
}

static const struct
{
  const char *kind, *api_version;
  bool first_pass; /* read before the pods, which use their data */
  kind_reader read;
} kinds[] = {
  { "ConfigMap", "v1", true, NULL },
  { "Secret", "v1", true, NULL },
  { "PersistentVolumeClaim", "v1", true, read_claim },
  { "Pod", "v1", false, read_pod },
  { "Deployment", "apps/v1", false, read_deployment },
  { "Service", "v1", false, read_service },
};

static int
read_document (struct kube_doc *d, json_t *doc, bool first_pass, struct kube_plan *plan,
               struct hk_error **err)
{
  _cleanup_free_ char *kind = NULL, *api = NULL;
  if (!json_is_object (doc))
    return kube_fail (d, err, "(top)", "expected an object, got %s", json_type_name (doc));
  if (json_get_string (doc, "", "kind", &kind, err) < 0
      || json_get_string (doc, "", "apiVersion", &api, err) < 0)
    return kube_error (d, err);
  if (kind == NULL || api == NULL)
    return kube_fail (d, err, kind ? "apiVersion" : "kind", "required");
  d->kind = kind;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      if (strcmp (kinds[i].kind, kind) != 0)
        continue;
      if (strcmp (kinds[i].api_version, api) != 0)
        return kube_fail (d, err, "apiVersion", "%s is %s, not %s", kind, kinds[i].api_version,
                          api);
      if (kinds[i].first_pass != first_pass)
        return 0;
      int rc;
      if (kinds[i].read)
        rc = kinds[i].read (d, doc, plan, err);
      else
        rc = read_config_map (d, doc, plan, strcmp (kind, "Secret") == 0, err);
      if (rc < 0 && strncmp ((*err)->message, d->file, strlen (d->file)) != 0)
        kube_error (d, err);
      return rc;
    }
  return kube_fail (d, err, "kind",
                    "%s is not supported (Pod, Deployment, ConfigMap, Secret, "
                    "PersistentVolumeClaim, Service)",
                    kind);
}

static int
read_documents (const char *file, const struct yaml_stream *s, const struct hk_log *log,
                struct kube_plan *plan, struct hk_error **err)
{
  plan->sources.config_maps = json_object ();
  plan->sources.secrets = json_object ();
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < s->n; i++)
      {
        if (json_is_null (s->docs[i].root))
          continue; /* an empty document, as after a final --- */
        struct kube_doc d = { .file = file, .number = i + 1, .log = log };
        int rc = read_document (&d, s->docs[i].root, pass == 0, plan, err);
        plan->warnings += d.warnings;
        free ((char *)d.name);
        if (rc < 0)
          return -1;
      }
  if (plan->n_pods == 0 && plan->claims == NULL)
    return hk_error_set (err, EINVAL, "%s: no Pod, Deployment or PersistentVolumeClaim to play",
                         file);
  return 0;
}

int
kube_plan_read (const char *file, const char *text, size_t len, const struct hk_log *log,
                struct kube_plan *plan, struct hk_error **err)
{
  _cleanup_yaml_stream_ struct yaml_stream *s = NULL;
  if (yaml_read (file, text, len, &yaml_default_limits, &s, err) < 0)
    return -1;
  return read_documents (file, s, log, plan, err);
}
