/* SPDX-License-Identifier: Apache-2.0 */
/* The "options" of a config.json mount, sorted into what each kernel
 * interface takes: mount(2) flags, propagation, recursive mount attributes
 * (mount_setattr), and the file-system data string. */
#ifndef HAKO_RUNTIME_MOUNT_OPTIONS_H
#define HAKO_RUNTIME_MOUNT_OPTIONS_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>

struct mount_options
{
  unsigned long flags;       /* MS_* flags to set */
  unsigned long clear;       /* MS_* flags asked off ("rw", "suid", ...) */
  unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, maybe | MS_REC */
  uint64_t rec_attr_set;     /* MOUNT_ATTR_* from r-options, applied recursively */
  uint64_t rec_attr_clr;
  bool bind;      /* "bind" or "rbind" */
  bool recursive; /* "rbind" */
  bool idmap;     /* "idmap" or "ridmap" */
  bool recursive_idmap;
  char *idmap_mappings; /* the VALUE of "idmap=VALUE" (Podman's custom
                           mappings, idmap.h), or NULL */
  bool tmpcopyup; /* a tmpfs starts with the content it covers (copyup.h) */
  char *data; /* everything else, comma-joined; NULL when empty */
};

/* Sorts OPTIONS (NULL-terminated).  Unknown words go to the data string,
 * where the file system judges them.  The extensions clients send that are
 * not mount(2) options are taken here: runc's "tmpcopyup" (and Podman's
 * "notmpcopyup"), "idmap=MAPPINGS", and the SELinux relabel requests
 * "z" and "Z", which mean nothing without SELinux (hako does not support
 * it; features say so). */
int mount_options_parse (char *const *options, struct mount_options *out, struct hk_error **err);
void mount_options_clear (struct mount_options *o);

/* The MOUNT_ATTR_* equivalents of MS_* FLAGS and CLEAR (for mount_setattr
 * on bind mounts).  *ATTR_CLR includes the atime mask when FLAGS set an
 * atime mode. */
void mount_flags_to_attr (unsigned long flags, unsigned long clear, uint64_t *attr_set,
                          uint64_t *attr_clr);

/* The MS_* propagation flags named NAME ("rslave"), or 0 if unknown. */
unsigned long mount_propagation_parse (const char *name);

#endif
