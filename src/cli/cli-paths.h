/* SPDX-License-Identifier: Apache-2.0 */
/* Where hako keeps its data and state when --root and --runroot are not
 * given: root's /var/lib/hako and /run/hako; a normal user's (rootless)
 * $XDG_DATA_HOME/hako (default ~/.local/share/hako) and
 * $XDG_RUNTIME_DIR/hako, or, when XDG_RUNTIME_DIR is unset, a private
 * /tmp/hako-UID (made 0700, refused when it is not the user's alone). */
#ifndef HAKO_CLI_CLI_PATHS_H
#define HAKO_CLI_CLI_PATHS_H

#include "common/error.h"

#include <stdbool.h>
#include <sys/types.h>

/* The defaults for UID, owned by the caller; *FALLBACK tells that the run
 * directory is the /tmp one (the caller warns). */
int cli_default_root (uid_t uid, char **out, struct hk_error **err);
int cli_default_runroot (uid_t uid, char **out, bool *fallback, struct hk_error **err);

#endif
