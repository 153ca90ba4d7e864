/* SPDX-License-Identifier: Apache-2.0 */
/* Subordinate IDs: the ranges /etc/subuid and /etc/subgid give a user
 * ("NAME:START:COUNT" lines; a line may name the user by its uid), which
 * hako maps containers to.  `--userns auto` takes its ranges from the
 * user `hako`'s, which the machine-wide default "remap:default" creates
 * when missing, as Docker does for `dockremap`. */
#ifndef HAKO_ENGINE_SUBID_H
#define HAKO_ENGINE_SUBID_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SUBID_DEFAULT_USER "hako"

enum subid_kind
{
  SUBID_UID,
  SUBID_GID,
};

struct subid_range
{
  uint32_t start, count;
};

/* /etc/subuid or /etc/subgid, or the absolute path in $HAKO_SUBUID_FILE
 * or $HAKO_SUBGID_FILE (a machine's own files; the tests' private ones).
 * These files are only read by hako run as root: newuidmap reads the
 * real ones. */
const char *subid_file (enum subid_kind kind);

/* USER's ranges in FILE (subid_file's), in file order; a user with none
 * is an error that says so (ENOENT). */
int subid_ranges (const char *file, const char *user, struct subid_range **out, size_t *n,
                  struct hk_error **err);

/* Adds a range of COUNT ids for USER to FILE after every range it holds,
 * unless USER has one.  The file is replaced atomically. */
int subid_ensure (const char *file, const char *user, uint32_t count, struct hk_error **err);

/* The name of UID in /etc/passwd (NULL when it has none). */
char *subid_user_name (uid_t uid);

/* The home directory of UID in /etc/passwd (NULL when it has none). */
char *subid_user_home (uid_t uid);

#endif
