/* SPDX-License-Identifier: Apache-2.0 */
/* hako: the engine's command line.  Its own commands run here; those of
 * transfer-commands.h are handed to hako-transfer, so that starting hako
 * loads neither libcurl nor libarchive. */
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "hako-cli.h"
#include "transfer-commands.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
cli_delegate (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  (void)argc;
  (void)argv;
  const char *configured = getenv ("HAKO_TRANSFER");
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n < 0)
    return hk_error_errno (err, errno, "find our own program");
  self[n] = '\0';
  _cleanup_free_ char *next = xasprintf ("%s/hako-transfer", dirname (self));
  const char *path = configured && *configured ? configured : next;
  fflush (stdout);
  execv (path, cli->argv);
  return hk_error_errno (err, errno, "run `%s` (it does this command)", path);
}

#define TRANSFER_DELEGATED(group, name, fn, usage, summary, top)                             \
  { group, name, cli_delegate, usage, summary, .top_level = top },
static const struct hako_command delegated_commands[] = {
  TRANSFER_COMMANDS (TRANSFER_DELEGATED){ NULL, NULL, NULL, NULL, NULL },
};

static const struct hako_command *const command_tables[] = {
  hako_image_commands,
  delegated_commands,
  hako_system_commands,
  hako_system_prune_commands,
  hako_system_info_commands,
  hako_container_commands,
  hako_container_info_commands,
  hako_container_control_commands,
  hako_container_stats_commands,
  hako_volume_commands,
  hako_exec_commands,
  hako_network_commands,
  hako_pod_commands,
  hako_kube_commands,
  NULL,
};

int
main (int argc, char **argv)
{
  return cli_main (argc, argv, command_tables);
}
