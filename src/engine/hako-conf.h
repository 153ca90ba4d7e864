/* SPDX-License-Identifier: Apache-2.0 */
/* The machine-wide settings of hako: /etc/hako/hako.conf ($HAKO_CONFIG
 * names another file), TOML-like "key = \"value\"" lines and # comments.
 * Its one key today is the default user-namespace mode of containers,
 * Docker's `userns-remap`:
 *
 *   userns = "auto"            each container its own range of hako's
 *   userns = "remap:USER"      every container mapped to USER's ranges
 *   userns = "remap:default"   the same with the user `hako`, whose ranges
 *                              are added to /etc/subuid and /etc/subgid
 *   userns = "host"            no user namespace (the default)
 *
 * $HAKO_USERNS, when set, is taken over the file's. */
#ifndef HAKO_ENGINE_HAKO_CONF_H
#define HAKO_ENGINE_HAKO_CONF_H

#include "common/error.h"

#define HAKO_CONF_DEFAULT_PATH "/etc/hako/hako.conf"

struct hako_conf
{
  char *userns;        /* the default --userns; NULL: host */
  const char *userns_from; /* where it came from: the file's path, "HAKO_USERNS" */
  char *path;          /* the file read (it may be missing) */
};

/* Reads the file (a missing one is empty) and the environment; an unknown
 * key or a bad value is an error naming the file and line. */
int hako_conf_load (struct hako_conf *out, struct hk_error **err);
void hako_conf_clear (struct hako_conf *c);

#endif
