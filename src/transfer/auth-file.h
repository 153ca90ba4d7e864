/* SPDX-License-Identifier: Apache-2.0 */
/* Registry credentials in the containers auth.json format, which Docker's
 * ~/.docker/config.json shares:
 *
 *   { "auths": { "localhost:5000": { "auth": "base64(user:password)" } } }
 *
 * Read from, in order: the file given (--authfile or REGISTRY_AUTH_FILE),
 * ${XDG_RUNTIME_DIR}/containers/auth.json (for root without it:
 * /run/containers/0/auth.json), ~/.config/containers/auth.json and
 * ~/.docker/config.json.  `hako login` writes the first of these. */
#ifndef HAKO_TRANSFER_AUTH_FILE_H
#define HAKO_TRANSFER_AUTH_FILE_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

/* The files to read, most important first (NULL-terminated, owned), and
 * the one to write.  OVERRIDE (may be NULL) comes from --authfile. */
void auth_file_paths (const char *override, char ***read_paths, char **write_path);

/* Finds credentials for REGISTRY (and REPOSITORY, for entries keyed by
 * "registry/namespace", the longest match winning).  Returns 1 when found,
 * 0 when not, -1 on a broken file. */
int auth_file_lookup (char *const *paths, const char *registry, const char *repository, char **user,
                      char **password, struct hk_error **err);

/* The same from one document (for tests and the fuzzer).  When the
 * document hands the registry to a credential helper (Docker's
 * "credHelpers" or "credsStore"), returns 2 with *HELPER set to its name
 * (checked to be a plain name: letters, digits, ".", "_", "-") instead of
 * running it. */
int auth_file_lookup_text (const char *text, size_t len, const char *what, const char *registry,
                           const char *repository, char **user, char **password, char **helper,
                           struct hk_error **err);

/* Runs `docker-credential-HELPER get` with REGISTRY on its input, as
 * Docker does, and reads {"Username": …, "Secret": …}.  Returns 1 with
 * the credentials, 0 when the helper has none, -1 on error. */
int auth_helper_get (const char *helper, const char *registry, char **user, char **password,
                     struct hk_error **err);

/* Stores credentials for REGISTRY in PATH, keeping everything else in it;
 * written atomically with mode 0600. */
int auth_file_store (const char *path, const char *registry, const char *user, const char *password,
                     struct hk_error **err);

/* Removes REGISTRY's entry (every entry when REGISTRY is NULL).  *REMOVED
 * says whether there was one. */
int auth_file_remove (const char *path, const char *registry, bool *removed, struct hk_error **err);

#endif
