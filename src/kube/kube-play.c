/* SPDX-License-Identifier: Apache-2.0 */
/* kube play: read every document, then make the pods.
 *
 *   1. the ConfigMaps and Secrets of the file are collected (their data
 *      feed env and volumes), every document is checked, every Pod and
 *      Deployment read into the engine's models (kube-pod.c)
 *   2. --down/--replace: the pods of those names are removed
 *   3. claims' volumes made, then each pod: the pod, its volume
 *      directories, its containers; init containers run to completion
 *      in order, then the others start
 *   4. a failure in 3 removes every pod and volume it had made */
#include "kube.h"
#include "kube-pod.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/engine.h"
#include "engine/pod.h"
#include "engine/volume.h"
#include "store/image.h"
#include "yaml/yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
cleanup_volumep (struct volume **v)
{
  volume_free (*v);
}
#define _cleanup_volume_ __attribute__ ((cleanup (cleanup_volumep)))

/* What the file asks for, read and checked. */
struct play_plan
{
  struct kube_pod *pods;
  size_t n_pods;
  char **claims; /* PersistentVolumeClaims: named volumes */
  struct kube_sources sources;
  size_t warnings;
};

static void
plan_clear (struct play_plan *p)
{
  for (size_t i = 0; i < p->n_pods; i++)
    kube_pod_clear (&p->pods[i]);
  free (p->pods);
  strv_free (p->claims);
  json_decref (p->sources.config_maps);
  json_decref (p->sources.secrets);
}

/* What this play made, for its undo. */
struct made
{
  char **pods;    /* IDs */
  char **volumes; /* names of volumes that were not there */
};

static void
undo (struct engine *e, struct made *m)
{
  for (char **id = m->pods; id && *id; id++)
    {
      _cleanup_pod_record_ struct pod_record *p = NULL;
      struct hk_error *ignored = NULL;
      if (pod_record_find (e->db, *id, &p, &ignored) < 0 || pod_remove (e, p, true, &ignored) < 0)
        hk_error_free (ignored);
    }
  for (char **v = m->volumes; v && *v; v++)
    {
      struct hk_error *ignored = NULL;
      if (volume_remove (e->db, e->root, *v, &ignored) < 0)
        hk_error_free (ignored);
    }
}

/* ---- reading ---- */

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
read_config_map (struct kube_doc *d, json_t *doc, struct play_plan *plan, bool secret,
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
read_claim (struct kube_doc *d, json_t *doc, struct play_plan *plan, struct hk_error **err)
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
         bool deployment, struct play_plan *plan, struct hk_error **err)
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
read_pod (struct kube_doc *d, json_t *doc, struct play_plan *plan, struct hk_error **err)
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
read_deployment (struct kube_doc *d, json_t *doc, struct play_plan *plan, struct hk_error **err)
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

typedef int (*kind_reader) (struct kube_doc *d, json_t *doc, struct play_plan *plan,
                            struct hk_error **err);

static int
read_service (struct kube_doc *d, json_t *doc, struct play_plan *plan, struct hk_error **err)
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
read_document (struct kube_doc *d, json_t *doc, bool first_pass, struct play_plan *plan,
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
read_plan (const char *file, const struct yaml_stream *s, const struct hk_log *log,
           struct play_plan *plan, struct hk_error **err)
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

/* ---- making ---- */

/* The image, pulled when it is not in the store (as a node would). */
static int
ensure_image (struct engine *e, const char *image, struct hk_error **err)
{
  _cleanup_free_ char *id = NULL;
  struct hk_error *why = NULL;
  if (store_image_resolve (e->store, image, NULL, &id, &why) == 0)
    return 0;
  hk_error_free (why);
  char *argv[] = { e->hako_path, "--root", e->root, "--runroot", e->runroot, "pull", "-q",
                   (char *)image, NULL };
  pid_t pid;
  int rc = posix_spawn (&pid, e->hako_path, NULL, NULL, argv, environ);
  if (rc != 0)
    return hk_error_errno (err, rc, "run `%s pull`", e->hako_path);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for `hako pull %s`", image);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hk_error_set (err, ENOENT, "image %s: not in the store, and pulling it failed", image);
  return 0;
}

/* A file of a configMap or secret volume: NAME relative, without "..". */
static int
write_volume_file (const char *dir, const char *name, const char *content, int mode,
                   struct hk_error **err)
{
  if (name[0] == '/' || strcmp (name, "..") == 0 || strncmp (name, "../", 3) == 0
      || strstr (name, "/../") != NULL || (strlen (name) >= 3 && strcmp (name + strlen (name) - 3, "/..") == 0))
    return hk_error_set (err, EINVAL, "volume file \"%s\": not a relative path inside the volume",
                         name);
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  char *slash = strrchr (path, '/');
  *slash = '\0';
  if (fs_mkdir_p (path, 0755, err) < 0)
    return -1;
  _cleanup_close_ int dfd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  return fs_replace_file (dfd, slash + 1, content, strlen (content), (mode_t)mode, err);
}

/* The host path (or volume name) of each of P's volumes. */
static int
make_volumes (struct engine *e, const struct pod_record *p, const struct kube_pod *kp,
              struct made *made, char ***sources, struct hk_error **err)
{
  *sources = xzalloc ((kp->n_volumes + 1) * sizeof (char *));
  for (size_t i = 0; i < kp->n_volumes; i++)
    {
      const struct kube_volume *v = &kp->volumes[i];
      char *source;
      if (v->kind == KUBE_VOLUME_HOST_PATH || v->kind == KUBE_VOLUME_CLAIM)
        source = xstrdup (v->source);
      else
        source = pod_volume_dir (e, p,
                                 v->kind != KUBE_VOLUME_FILES ? "volumes"
                                 : v->secret                 ? "secrets"
                                                             : "configmaps",
                                 v->name, v->kind == KUBE_VOLUME_MEMORY);
      (*sources)[i] = source;
      if (v->kind == KUBE_VOLUME_CLAIM)
        {
          _cleanup_volume_ struct volume *vol = NULL;
          struct hk_error *why = NULL;
          if (volume_get (e->db, e->root, source, &vol, &why) < 0)
            {
              hk_error_free (why);
              if (volume_create (e->db, e->root, source, NULL, &vol, err) < 0)
                return -1;
              strv_append (&made->volumes, source);
            }
          continue;
        }
      if (v->kind != KUBE_VOLUME_HOST_PATH && fs_mkdir_p (source, 0755, err) < 0)
        return -1;
      /* shared by the pod's containers, in memory: a tmpfs of the pod's,
       * unmounted by pod rm (and gone at a reboot, with the run root) */
      if (v->kind == KUBE_VOLUME_MEMORY
          && mount ("tmpfs", source, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
        return hk_error_errno (err, errno, "pod %s, volume %s: mount a tmpfs on `%s`", kp->name,
                               v->name, source);
      const char *name;
      json_t *content;
      json_object_foreach (v->files, name, content)
      {
        if (write_volume_file (source, name, json_string_value (content), v->mode, err) < 0)
          return hk_error_prefix (err, "pod %s, volume %s", kp->name, v->name);
      }
    }
  return 0;
}

static void
add_mounts (const struct kube_pod *kp, struct kube_container *c, char **sources)
{
  struct ctr_config *config = &c->config;
  for (size_t m = 0; m < c->n_mounts; m++)
    {
      size_t v = 0;
      while (strcmp (kp->volumes[v].name, c->mounts[m].volume) != 0)
        v++;
      const struct kube_volume *vol = &kp->volumes[v];
      config->mounts = xreallocarray (config->mounts, config->n_mounts + 1, sizeof *config->mounts);
      config->mounts[config->n_mounts++] = (struct config_mount){
        .type = vol->kind == KUBE_VOLUME_CLAIM ? CONFIG_MOUNT_VOLUME : CONFIG_MOUNT_BIND,
        .source = xstrdup (sources[v]),
        .target = xstrdup (c->mounts[m].path),
        .readonly = c->mounts[m].readonly || vol->readonly || vol->kind == KUBE_VOLUME_FILES,
        .create_host_path = vol->create,
      };
    }
}

/* An init container: started, waited for, removed; it must exit 0. */
static int
run_init (struct engine *e, const struct kube_pod *kp, struct ctr_record *r,
          struct hk_error **err)
{
  int code;
  if (engine_start (e, r, false, err) < 0 || engine_wait (e, r, &code, err) < 0)
    return hk_error_prefix (err, "pod %s: init container %s", kp->name, r->name);
  if (code != 0)
    return hk_error_set (err, EIO, "pod %s: init container %s exited with %d", kp->name,
                         r->name, code);
  engine_wait_cleanup (r);
  return engine_remove (e, r, true, false, err);
}

static int
make_containers (struct engine *e, struct kube_pod *kp, const struct pod_record *p,
                 char **sources, bool start, FILE *out, struct hk_error **err)
{
  struct ctr_record **records = xzalloc ((kp->n_containers + 1) * sizeof *records);
  int rc = 0;
  for (size_t i = 0; i < kp->n_containers && rc == 0; i++)
    {
      struct kube_container *c = &kp->containers[i];
      _cleanup_free_ char *name = xasprintf ("%s-%s", kp->name, c->name);
      add_mounts (kp, c, sources);
      if (ensure_image (e, c->image, err) < 0 || pod_join (p, &c->config, err) < 0
          || engine_create (e, c->image, &c->config, name, &records[i], err) < 0)
        rc = hk_error_prefix (err, "pod %s, container %s", kp->name, c->name);
    }
  for (size_t i = 0; i < kp->n_containers && rc == 0 && start; i++)
    rc = kp->containers[i].init ? run_init (e, kp, records[i], err)
                                : engine_start (e, records[i], false, err);
  for (size_t i = 0; i < kp->n_containers; i++)
    {
      if (rc == 0 && !kp->containers[i].init)
        fprintf (out, "%s\n", records[i]->id);
      ctr_record_free (records[i]);
    }
  free (records);
  return rc;
}

static int
make_pod (struct engine *e, struct kube_pod *kp, const struct kube_play_options *o,
          struct made *made, FILE *out, struct hk_error **err)
{
  kp->req.name = kp->name;
  if (o->cgroup_parent)
    kp->req.config.cgroup_parent = xstrdup (o->cgroup_parent);
  _cleanup_pod_record_ struct pod_record *p = NULL;
  if (pod_create (e, &kp->req, &p, err) < 0)
    return -1;
  strv_append (&made->pods, p->id);
  fprintf (out, "Pod:\n%s\nContainers:\n", p->id);
  _cleanup_strv_ char **sources = NULL;
  if (make_volumes (e, p, kp, made, &sources, err) < 0
      || make_containers (e, kp, p, sources, o->start, out, err) < 0)
    return -1;
  return 0;
}

static int
make_all (struct engine *e, struct play_plan *plan, const struct kube_play_options *o, FILE *out,
          struct hk_error **err)
{
  struct made made = { 0 };
  int rc = 0;
  for (char **c = plan->claims; c && *c && rc == 0; c++)
    {
      _cleanup_volume_ struct volume *v = NULL;
      struct hk_error *why = NULL;
      if (volume_get (e->db, e->root, *c, &v, &why) == 0)
        continue;
      hk_error_free (why);
      if ((rc = volume_create (e->db, e->root, *c, NULL, &v, err)) == 0)
        {
          strv_append (&made.volumes, *c);
          fprintf (out, "Volume:\n%s\n", *c);
        }
    }
  for (size_t i = 0; i < plan->n_pods && rc == 0; i++)
    rc = make_pod (e, &plan->pods[i], o, &made, out, err);
  if (rc < 0)
    undo (e, &made);
  strv_free (made.pods);
  strv_free (made.volumes);
  return rc;
}

/* --down: the file's pods removed (their volume directories with them;
 * the claims' volumes are kept: they hold data). */
static int
remove_pods (struct engine *e, const struct play_plan *plan, bool quiet, FILE *out,
             struct hk_error **err)
{
  bool header = false;
  for (size_t i = 0; i < plan->n_pods; i++)
    {
      _cleanup_pod_record_ struct pod_record *p = NULL;
      struct hk_error *why = NULL;
      if (pod_record_find (e->db, plan->pods[i].name, &p, &why) < 0)
        {
          hk_error_free (why);
          continue;
        }
      if (pod_remove (e, p, true, err) < 0)
        return -1;
      if (!quiet && !header)
        fprintf (out, "Pods removed:\n");
      header = true;
      if (!quiet)
        fprintf (out, "%s\n", p->id);
    }
  return 0;
}

int
kube_play (struct engine *e, const char *file, const char *text, size_t len,
           const struct kube_play_options *o, FILE *out, struct hk_error **err)
{
  _cleanup_yaml_stream_ struct yaml_stream *s = NULL;
  if (yaml_read (file, text, len, &yaml_default_limits, &s, err) < 0)
    return -1;
  struct play_plan plan = { 0 };
  int rc = read_plan (file, s, e->log, &plan, err);
  if (rc == 0 && (o->down || o->replace))
    rc = remove_pods (e, &plan, o->replace, out, err);
  if (rc == 0 && !o->down)
    rc = make_all (e, &plan, o, out, err);
  plan_clear (&plan);
  return rc;
}
