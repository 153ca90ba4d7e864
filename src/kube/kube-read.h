/* SPDX-License-Identifier: Apache-2.0 */
/* Reading Kubernetes objects (JSON values from src/yaml): every error
 * and warning names the file, the document, the object and the path
 * ("pod.yaml: document 2 (Pod web): spec.containers[1].ports[0].hostPort:
 * expected an integer, got string"); a field hako does not carry out is
 * a warning naming it, never silently dropped. */
#ifndef HAKO_KUBE_KUBE_READ_H
#define HAKO_KUBE_KUBE_READ_H

#include "common/error.h"
#include "common/log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kube_doc
{
  const char *file;  /* as given, "-" for stdin */
  size_t number;     /* 1-based, in the stream */
  const char *kind;  /* "Pod" */
  const char *name;  /* metadata.name */
  const struct hk_log *log;
  size_t warnings;
};

/* Prefixes *ERR with the document: "FILE: document N (KIND NAME)". */
int kube_error (const struct kube_doc *d, struct hk_error **err);

/* Sets a new error about PATH in D: "FILE: document N (KIND NAME): PATH: WHY". */
int kube_fail (const struct kube_doc *d, struct hk_error **err, const char *path,
               const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

void kube_warn (struct kube_doc *d, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Warns about every member of OBJ (at PATH) whose key is not in KNOWN
 * (NULL-terminated): "not supported, ignored". */
void kube_warn_unknown (struct kube_doc *d, json_t *obj, const char *path,
                        const char *const *known);

/* The object at PATH.KEY (NULL when absent); an error when it is not one. */
int kube_object (json_t *obj, const char *path, const char *key, json_t **out,
                 struct hk_error **err);
/* The array at PATH.KEY of objects (NULL when absent). */
int kube_object_array (json_t *obj, const char *path, const char *key, json_t **out,
                       struct hk_error **err);

/* Kubernetes quantities: memory ("64Mi", "1G", "1048576", 1e6) into
 * bytes, CPU ("500m", "1.5", 2) into billionths of a CPU. */
int kube_quantity_bytes (json_t *v, const char *path, int64_t *out, struct hk_error **err);
int kube_quantity_nano_cpus (json_t *v, const char *path, int64_t *out, struct hk_error **err);

/* RFC 1123 names: a label (container and port names: [a-z0-9-], at most
 * 63) and a subdomain (object names: labels joined by dots, at most
 * 253). */
bool kube_is_dns_label (const char *s);
bool kube_is_dns_subdomain (const char *s);

#endif
