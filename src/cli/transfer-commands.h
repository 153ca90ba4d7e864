/* SPDX-License-Identifier: Apache-2.0 */
/* The commands that move data in or out of the machine: registries
 * (pull, push, login, logout), image archives (load, save, import) and a
 * container's files as tar streams (cp, export, diff, commit).  They need
 * libcurl and libarchive, whose forty-odd shared libraries would cost
 * every `hako` start tens of milliseconds; so they live in a second
 * program, hako-transfer, and `hako` hands them over with its whole command
 * line (cli_delegate).  Both programs build their tables from this list. */
#ifndef HAKO_CLI_TRANSFER_COMMANDS_H
#define HAKO_CLI_TRANSFER_COMMANDS_H

#include "hako-cli.h"

#define PULL_USAGE                                                                           \
  "[-q] [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] [--authfile FILE] [--creds "     \
  "USER:PASS] [--cert-dir DIR] NAME[:TAG|@DIGEST]"
#define PUSH_USAGE                                                                           \
  "[-q] [--tls-verify=false] [--authfile FILE] [--creds USER:PASS] [--cert-dir DIR] IMAGE "  \
  "[DESTINATION]"
#define LOGIN_USAGE                                                                          \
  "[-u USER] [-p PASSWORD | --password-stdin] [--authfile FILE] [--tls-verify=false] "       \
  "[REGISTRY]"
#define LOGOUT_USAGE "[--authfile FILE] [--all | REGISTRY]"
#define LOAD_USAGE "[-i FILE] [-q] [--platform OS/ARCH]"
#define SAVE_USAGE "[-o FILE] [--format docker-archive|oci-archive] IMAGE..."
#define IMPORT_USAGE "[-c CHANGE]... [-m MESSAGE] [--platform OS/ARCH] FILE|- [REPOSITORY[:TAG]]"
#define CP_USAGE                                                                             \
  "[-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-\n"                                               \
  "       hako cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH"
#define DIFF_USAGE "CONTAINER"
#define EXPORT_USAGE "[-o FILE] CONTAINER"
#define COMMIT_USAGE                                                                         \
  "[-a AUTHOR] [-c CHANGE]... [-m MESSAGE] [-p|--pause=false] CONTAINER [REPOSITORY[:TAG]]"

/* X (group, name, function, usage, summary, top_level) */
#define TRANSFER_COMMANDS(X)                                                                 \
  X ("image", "pull", cmd_pull, PULL_USAGE, "download an image from a registry", true)       \
  X ("image", "push", cmd_push, PUSH_USAGE, "upload an image to a registry", true)           \
  X (NULL, "login", cmd_login, LOGIN_USAGE,                                                  \
     "store credentials for a registry (asks on a terminal; docker.io by default)", false)   \
  X (NULL, "logout", cmd_logout, LOGOUT_USAGE, "remove stored credentials", false)           \
  X ("image", "load", cmd_load, LOAD_USAGE, "load images from a docker or OCI archive", true) \
  X ("image", "save", cmd_save, SAVE_USAGE, "save images to an archive", true)               \
  X ("image", "import", cmd_import, IMPORT_USAGE,                                            \
     "create an image from a root filesystem tar", true)                                     \
  X ("container", "cp", cmd_cp, CP_USAGE, "copy files between a container and the host",     \
     true)                                                                                   \
  X ("container", "diff", cmd_diff, DIFF_USAGE,                                              \
     "show what a container changed in its image's files", true)                             \
  X ("container", "export", cmd_export, EXPORT_USAGE, "a container's file system as a tar",  \
     true)                                                                                   \
  X ("container", "commit", cmd_commit, COMMIT_USAGE,                                        \
     "create an image from a container's changes", true)

#define TRANSFER_DECLARE(group, name, fn, usage, summary, top)                               \
  int fn (struct hako_cli *cli, int argc, char **argv, struct hk_error **err);
TRANSFER_COMMANDS (TRANSFER_DECLARE)
#undef TRANSFER_DECLARE

/* build is in both programs (hako-build.h): hako answers from the build
 * cache, hako-transfer does the work. */
int cmd_build (struct hako_cli *cli, int argc, char **argv, struct hk_error **err);

#endif
