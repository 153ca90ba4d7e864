/* SPDX-License-Identifier: Apache-2.0 */
/* `--user NAME[:GROUP]` and the image's User, resolved the way Docker does,
 * through the container's own /etc/passwd and /etc/group (read inside its
 * root: they are the image's, untrusted). */
#ifndef HAKO_ENGINE_USER_LOOKUP_H
#define HAKO_ENGINE_USER_LOOKUP_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct user_ids
{
  uint32_t uid;
  uint32_t gid;
  uint32_t *groups; /* supplementary groups from /etc/group */
  size_t n_groups;
  char *home; /* from /etc/passwd, "/" when unknown */
};

/* SPEC: "", "NAME", "UID", "NAME:GROUP", "UID:GID" (NULL or "" is root).
 * A name missing from the files is an error naming it. */
int user_lookup (int root_fd, const char *spec, struct user_ids *out, struct hk_error **err);

void user_ids_clear (struct user_ids *ids);

/* The text of /etc/passwd or /etc/group (PATH) inside ROOT_FD, "" when it
 * is missing or unreadable (at most 4 MiB). */
char *user_db_read (int root_fd, const char *path);

/* True when the passwd or group TEXT has an entry named NAME or with the
 * id ID (its third field). */
bool user_db_has (const char *text, const char *name, uint32_t id);

#endif
