/* SPDX-License-Identifier: Apache-2.0 */
/* The options of commands that talk to registries (pull, push, login,
 * build): --tls-verify, --authfile, --creds, --cert-dir.  Parsing is in
 * both programs (cli-registry.c); the client, which needs libcurl, only
 * in hako-transfer (hako-image-transfer.c). */
#ifndef HAKO_CLI_CLI_REGISTRY_H
#define HAKO_CLI_CLI_REGISTRY_H

#include "hako-cli.h"

#include <stdbool.h>

struct registry_flags
{
  bool tls_verify;
  const char *authfile;
  const char *creds;
  const char *cert_dir;
};

#define REGISTRY_OPTIONS                                                                           \
  { "tls-verify", optional_argument, NULL, 'T' }, { "authfile", required_argument, NULL, 'A' },    \
      { "creds", required_argument, NULL, 'C' },                                                   \
  {                                                                                                \
    "cert-dir", required_argument, NULL, 'K'                                                       \
  }

/* Option C (getopt's value for REGISTRY_OPTIONS) with ARG into F: 1 when
 * it was one of them, 0 when not, -1 on a bad value. */
int registry_flag (struct registry_flags *f, int c, const char *arg, struct hk_error **err);

struct registry_client;
/* A client with F, the registries configuration and the credential
 * files; *AUTH_PATHS, *USER and *PASSWORD are the caller's to free after
 * the client (hako-transfer only). */
int cli_registry_client (struct hako_cli *cli, const struct registry_flags *f,
                         char ***auth_paths, char **user, char **password,
                         struct registry_client **out, struct hk_error **err);

#endif
