/* SPDX-License-Identifier: Apache-2.0 */
/* The --help texts of hako's commands, generated at build time by
 * docs/man/render.py from docs/man/hako-*.txt, the sources that are also
 * the man pages. */
#ifndef HAKO_CLI_CLI_HELP_H
#define HAKO_CLI_CLI_HELP_H

struct cli_help
{
  const char *command; /* "run", "volume create" */
  const char *text;
};

/* Ends with an entry whose command is NULL. */
extern const struct cli_help cli_helps[];

#endif
