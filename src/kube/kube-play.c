/* SPDX-License-Identifier: Apache-2.0 */
/* kube play: read every document, then make the pods.
 *
 *   1. the ConfigMaps and Secrets of the file are collected (their data
 *      feed env and volumes), every document is checked, every Pod and
 *      Deployment read into the engine's models (kube-plan.c, kube-pod.c)
 *   2. --down/--replace: the pods of those names are removed
 *   3. claims' volumes made, then each pod: the pod, its volume
 *      directories, its containers; init containers run to completion
 *      in order, then the others start
 *   4. a failure in 3 removes every pod and volume it had made */
#include "kube.h"
#include "kube-plan.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/engine.h"
#include "engine/pod.h"
#include "engine/volume.h"
#include "store/image.h"

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
  if (engine_start (e, r, 0, err) < 0 || engine_wait (e, r, &code, err) < 0)
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
                                : engine_start (e, records[i], 0, err);
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
make_all (struct engine *e, struct kube_plan *plan, const struct kube_play_options *o, FILE *out,
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
remove_pods (struct engine *e, const struct kube_plan *plan, bool quiet, FILE *out,
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
  struct kube_plan plan = { 0 };
  int rc = kube_plan_read (file, text, len, e->log, &plan, err);
  if (rc == 0 && (o->down || o->replace))
    rc = remove_pods (e, &plan, o->replace, out, err);
  if (rc == 0 && !o->down)
    rc = make_all (e, &plan, o, out, err);
  kube_plan_clear (&plan);
  return rc;
}
