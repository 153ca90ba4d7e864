/* SPDX-License-Identifier: Apache-2.0 */
/* hako completion bash|zsh|fish: prints the shell's completion script
 * (docs/completion), for `source <(hako completion bash)`. */
#include "hako-cli.h"
#include "hako-completion.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

static int
cmd_completion (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (cli_no_options (argc, argv, "completion", err) < 0)
    return -1;
  if (argc - optind != 1)
    return cli_usage (err, "completion", "bash|zsh|fish", "one shell is needed");
  for (const struct completion_script *s = completion_scripts; s->shell; s++)
    if (strcmp (s->shell, argv[optind]) == 0)
      {
        fputs (s->text, stdout);
        return 0;
      }
  return hk_error_set (err, EINVAL, "completion %s: the shells are bash, zsh and fish",
                       argv[optind]);
}

const struct hako_command hako_completion_commands[] = {
  { NULL, "completion", cmd_completion, "bash|zsh|fish", "print a shell completion script" },
  { NULL, NULL, NULL, NULL, NULL },
};
