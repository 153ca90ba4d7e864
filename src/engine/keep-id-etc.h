/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless --userns keep-id: the user in the container's /etc/passwd and
 * /etc/group, as Podman adds them, so that whoami, id -un and ls -l name
 * the user whose ids the container keeps.  The lines go into copies of the
 * image's files in the container's directory, bound over them: the
 * container's own files are not changed (diff, commit and export do not
 * see the user). */
#ifndef HAKO_ENGINE_KEEP_ID_ETC_H
#define HAKO_ENGINE_KEEP_ID_ETC_H

#include "common/error.h"
#include "common/id-map.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The user's own id in a keep-id container's MAP: the id inside that the
 * rootless namespace's 0 (the user outside) is mapped at.  False when MAP
 * maps no such id (not keep-id). */
bool keep_id_own_id (const struct id_map *map, size_t n, uint32_t *own);

/* TEXT (a passwd or group file) with LINE added at the end, or NULL when
 * TEXT already has an entry named NAME or with the id ID. */
char *keep_id_db_with_line (const char *text, const char *name, uint32_t id, const char *line);

struct keep_id_user
{
  const char *name; /* the user's name on the host */
  const char *home; /* the user's home on the host */
  uint32_t uid, gid;
};

/* Writes DIR/passwd and DIR/group, the image's files in ROOT_FD with U's
 * entries added, where the image lacks them.  *PASSWD and *GROUP are the
 * files written (to bind over /etc/passwd and /etc/group), or NULL when
 * the image has the entry already (or one named as the user). */
int keep_id_etc_write (int root_fd, const char *dir, const struct keep_id_user *u, char **passwd,
                       char **group, struct hk_error **err);

#endif
