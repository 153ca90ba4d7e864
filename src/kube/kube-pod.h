/* SPDX-License-Identifier: Apache-2.0 */
/* A Pod (or a Deployment's pod template) read into the engine's models:
 * the pod's settings and its infra container's network (struct
 * pod_create_request), each container's struct ctr_config, and the
 * volumes its containers mount.  Nothing is made here: kube-play.c makes
 * it once the whole file has been read. */
#ifndef HAKO_KUBE_KUBE_POD_H
#define HAKO_KUBE_KUBE_POD_H

#include "kube-read.h"
#include "engine/pod.h"

enum kube_volume_kind
{
  KUBE_VOLUME_HOST_PATH,
  KUBE_VOLUME_EMPTY_DIR,  /* a directory of the pod's, on disk */
  KUBE_VOLUME_MEMORY,     /* emptyDir medium: Memory: in the pod's run directory (a tmpfs) */
  KUBE_VOLUME_FILES,      /* configMap or secret: their keys as files in a directory of the pod's */
  KUBE_VOLUME_CLAIM,      /* persistentVolumeClaim: a named volume */
};

struct kube_volume
{
  char *name;
  enum kube_volume_kind kind;
  char *source;   /* hostPath's path; the claim's name */
  bool create;    /* hostPath DirectoryOrCreate */
  bool readonly;  /* a claim's readOnly */
  json_t *files;  /* FILES: {"path": "content"} */
  bool secret;    /* FILES: a Secret's */
  int mode;       /* FILES: the files' mode */
};

struct kube_mount
{
  char *volume;
  char *path;
  bool readonly;
};

struct kube_container
{
  char *name; /* as in the file; the container is named POD-NAME */
  char *image;
  bool init;  /* an initContainer: run to completion, in order, before the others */
  struct ctr_config config;
  struct kube_mount *mounts;
  size_t n_mounts;
};

struct kube_pod
{
  char *name;
  struct pod_create_request req;
  struct kube_container *containers; /* init containers first, in order */
  size_t n_containers;
  struct kube_volume *volumes;
  size_t n_volumes;
};

/* The ConfigMaps' and Secrets' data of the file, by name: {"name":
 * {"key": "value"}} (a Secret's data decoded). */
struct kube_sources
{
  json_t *config_maps;
  json_t *secrets;
};

/* Reads SPEC (a PodSpec at SPEC_PATH: "spec" or "spec.template.spec") of
 * a pod named NAME with LABELS (may be NULL).  DEPLOYMENT: its restart
 * policy can only be Always. */
int kube_pod_read (struct kube_doc *d, const char *name, json_t *labels, json_t *spec,
                   const char *spec_path, const struct kube_sources *sources, bool deployment,
                   struct kube_pod *out, struct hk_error **err);
void kube_pod_clear (struct kube_pod *p);

/* A Secret's base64 data: *OUT (malloc'd, NUL-terminated; *LEN bytes). */
int kube_base64_decode (const char *text, char **out, size_t *len);

#endif
