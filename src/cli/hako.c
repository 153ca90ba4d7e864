/* SPDX-License-Identifier: Apache-2.0 */
/* hako: the engine's command line.  Its own commands run here; those of
 * transfer-commands.h are handed to hako-transfer, so that starting hako
 * loads neither libcurl nor libarchive. */
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "hako-build.h"
#include "hako-cli.h"
#include "transfer-commands.h"
#include "store/store.h"

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

/* build: a build whose every step is in the cache is answered here,
 * without libcurl and libarchive (their loading costs more than the
 * rest of such a build); one with work, or that reads stdin, goes to
 * hako-transfer whole. */
static int
cmd_build_cached (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct build_program program = { 0 };
  bool delegate;
  int rc = build_command (cli, argc, argv, &program, &delegate, err);
  if (rc != 0 || !delegate)
    return rc;
  cli_engine_close (cli);
  store_close (cli->store);
  cli->store = NULL;
  return cli_delegate (cli, argc, argv, err);
}

static const struct hako_command build_commands[] = {
  { "image", "build", cmd_build_cached, BUILD_USAGE, BUILD_SUMMARY, .top_level = true },
  { NULL, NULL, NULL, NULL, NULL },
};

#define TRANSFER_DELEGATED(group, name, fn, usage, summary, top)                             \
  { group, name, cli_delegate, usage, summary, .top_level = top },
static const struct hako_command delegated_commands[] = {
  TRANSFER_COMMANDS (TRANSFER_DELEGATED){ NULL, NULL, NULL, NULL, NULL },
};

static const struct hako_command *const command_tables[] = {
  hako_image_commands,
  build_commands,
  delegated_commands,
  hako_system_commands,
  hako_system_prune_commands,
  hako_system_info_commands,
  hako_container_commands,
  hako_container_info_commands,
  hako_container_control_commands,
  hako_container_checkpoint_commands,
  hako_container_stats_commands,
  hako_volume_commands,
  hako_exec_commands,
  hako_network_commands,
  hako_pod_commands,
  hako_kube_commands,
  hako_explain_commands,
  hako_events_commands,
  hako_completion_commands,
  hako_compose_commands,
  NULL,
};

int
main (int argc, char **argv)
{
  return cli_main (argc, argv, command_tables);
}
