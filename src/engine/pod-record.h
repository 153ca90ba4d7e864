/* SPDX-License-Identifier: Apache-2.0 */
/* Pods as the engine records them: the table `pods` of the store's
 * database (engine schema 4), one row per pod with its settings as a
 * typed struct and their JSON document.  A pod's containers are the
 * container records whose model names the pod (ctr_config.pod); its
 * infra container, when it has one, holds the pod's network settings
 * (ports, networks, DNS, extra hosts) in its own model. */
#ifndef HAKO_ENGINE_POD_RECORD_H
#define HAKO_ENGINE_POD_RECORD_H

#include "ctr-config.h"
#include "common/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

struct pod_config
{
  struct config_map labels;
  unsigned share;              /* enum config_pod_share */
  bool infra;                  /* an infra container (false: --infra=false, nothing shared) */
  char *hostname;              /* NULL: the pod's name */
  char *cgroup_parent;         /* the parent of the pod's cgroup; NULL: /hako */
  struct config_limits limits; /* the pod's cgroup: memory, CPUs */
};

struct pod_record
{
  char *id;       /* 64 hex digits */
  char *name;     /* unique among pods */
  char *created;  /* RFC 3339 */
  char *infra_id; /* "" without an infra container */
  struct pod_config config;
};

void pod_config_init (struct pod_config *c);
void pod_config_clear (struct pod_config *c);
void pod_record_free (struct pod_record *p);

static inline void
cleanup_pod_recordp (struct pod_record **p)
{
  pod_record_free (*p);
}
#define _cleanup_pod_record_ __attribute__ ((cleanup (cleanup_pod_recordp)))

/* The document the store keeps and `pod inspect` shows, and back (every
 * field checked, the error names it). */
json_t *pod_config_to_json (const struct pod_config *c);
int pod_config_from_json (json_t *doc, struct pod_config *c, struct hk_error **err);

/* The pod's cgroup (cgroupsPath form): PARENT/hako-pod-ID, PARENT
 * "/hako" unless the pod was given one.  Its containers are below it. */
char *pod_cgroup_path (const struct pod_record *p);

/* Inserts P; a name in use is an error naming it (EEXIST). */
int pod_record_insert (sqlite3 *db, const struct pod_record *p, struct hk_error **err);
int pod_record_set_infra (sqlite3 *db, const struct pod_record *p, struct hk_error **err);
int pod_record_delete (sqlite3 *db, const char *id, struct hk_error **err);

/* By name, ID or unique ID prefix: "no such pod: REF" (ENOENT). */
int pod_record_find (sqlite3 *db, const char *ref, struct pod_record **out,
                     struct hk_error **err);
int pod_record_list (sqlite3 *db, struct pod_record ***out, size_t *n, struct hk_error **err);
void pod_record_list_free (struct pod_record **list, size_t n);

#endif
