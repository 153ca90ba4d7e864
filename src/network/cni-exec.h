/* SPDX-License-Identifier: Apache-2.0 */
/* Running one CNI plugin (spec section 2): found by its type in the
 * plugin directories, given its parameters in CNI_* variables and its
 * configuration on stdin; its result read from stdout. */
#ifndef HAKO_NETWORK_CNI_EXEC_H
#define HAKO_NETWORK_CNI_EXEC_H

#include "common/error.h"

#include <stddef.h>

/* Where plugins are looked for when nothing else is said: Debian's
 * directory first, then the usual others. */
#define CNI_DEFAULT_PATH "/usr/lib/cni:/usr/libexec/cni:/opt/cni/bin"

/* A plugin that has not finished after this long is killed. */
#define CNI_PLUGIN_TIMEOUT_MS (120 * 1000)

struct cni_invocation
{
  const char *command;      /* "ADD", "DEL", "CHECK" or "VERSION" */
  const char *container_id; /* NULL for VERSION */
  const char *netns;        /* NULL when there is none (a DEL may lack it) */
  const char *ifname;
  const char *args; /* CNI_ARGS, or NULL */
  const char *path; /* CNI_PATH: the plugin directories, ':'-separated */
};

/* The executable of plugin TYPE in PATH (':'-separated directories);
 * the error says where it was looked for. */
int cni_plugin_find (const char *path, const char *type, char **out, struct hk_error **err);

/* Runs PLUGIN for INV with INPUT on stdin; what it printed in *OUT
 * (NUL-terminated).  A plugin that fails is an error carrying its own
 * message (its error result, else what it wrote to stderr). */
int cni_plugin_exec (const char *plugin, const struct cni_invocation *inv, const char *input,
                     char **out, size_t *out_len, struct hk_error **err);

#endif
