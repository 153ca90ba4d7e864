/* SPDX-License-Identifier: Apache-2.0 */
/* Files of NAME=VALUE lines, as Docker Compose reads them: the project's
 * .env (and --env-file), and a service's env_file.  A line is blank, a
 * comment (#...), NAME=VALUE (after an optional `export `), or NAME alone
 * (its value from LOOKUP, left out when unset).  A value is 'literal'
 * (may span lines), "escaped" (\n \r \t \\ \" \$, may span lines,
 * interpolated) or unquoted (to the end of the line or a " #" comment,
 * trimmed, interpolated).  Interpolation sees LOOKUP, then the entries
 * read before in the file. */
#ifndef HAKO_COMPOSE_COMPOSE_DOTENV_H
#define HAKO_COMPOSE_COMPOSE_DOTENV_H

#include "common/error.h"

#include <stddef.h>

/* The entries of TEXT (LEN bytes; NAME in errors: "NAME line N: ...")
 * set into *ENV ("NAME=VALUE", one per name, a later line replacing an
 * earlier one).  LOOKUP: "NAME=VALUE" entries that win over the file's
 * in interpolation (the shell's environment), may be NULL. */
int compose_dotenv_parse (const char *name, const char *text, size_t len, char *const *lookup,
                          char ***env, struct hk_error **err);

/* The same, of the file at PATH (at most 1 MiB). */
int compose_dotenv_read (const char *path, char *const *lookup, char ***env,
                         struct hk_error **err);

#endif
