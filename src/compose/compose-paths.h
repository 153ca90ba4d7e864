/* SPDX-License-Identifier: Apache-2.0 */
/* The paths a compose file names: made absolute against the file's
 * directory, and kept inside it where a file read could leak. */
#ifndef HAKO_COMPOSE_COMPOSE_PATHS_H
#define HAKO_COMPOSE_COMPOSE_PATHS_H

#include "compose-service.h"
#include "common/error.h"

/* A path of the file (~ is $HOME) made absolute against CTX->dir. */
char *compose_absolute_path (const struct compose_normalize_context *ctx, const char *path);

/* The same for env_file, secrets and configs files, which are read
 * and handed to containers: a relative PATH that climbs out of CTX->dir
 * ("../../etc/shadow") is refused, naming WHERE; outside files must be
 * named by absolute paths, which say plainly what they read. */
int compose_contained_path (const struct compose_normalize_context *ctx, const char *path,
                            const char *where, char **out, struct hk_error **err);

/* An include: PATH.  It may climb out of CTX->dir by ".." as Docker
 * Compose allows (`../common/compose.yaml`): the included file is read
 * as a compose file with its own directory, inside which its own
 * relative paths are kept, so it reads nothing more than an absolute
 * path would, and the ".." says plainly that it leaves.  A relative path
 * without such ".." is compose_contained_path's: a symbolic link inside
 * the project that leads out is refused, as it hides where it reads.
 * *OUT is absolute, its directory part a real path. */
int compose_include_path (const struct compose_normalize_context *ctx, const char *path,
                          const char *where, char **out, struct hk_error **err);

/* An include:'s project_directory PATH (of the include of the file
 * INCLUDE), made absolute without "." or "..": the included file's
 * relative paths (env_file, build contexts, bind sources, secrets) are
 * resolved against it, as Docker Compose does, so it must stay inside
 * CTX->dir, given relative or absolute, by ".." or through a symbolic
 * link: `project_directory: /` would let the included file read any
 * file by an innocent-looking relative path.  Docker Compose sets no
 * such bound.  The error names WHERE, INCLUDE and PATH. */
int compose_include_directory (const struct compose_normalize_context *ctx, const char *path,
                               const char *include, const char *where, char **out,
                               struct hk_error **err);

#endif
