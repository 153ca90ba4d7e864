/* SPDX-License-Identifier: Apache-2.0 */
/* The --help texts of hako's commands, generated at build time by
 * docs/man/render.py from docs/man/hako-*.txt, the sources that are also
 * the man pages. */
#ifndef HAKO_CLI_CLI_HELP_H
#define HAKO_CLI_CLI_HELP_H

#include <stdbool.h>

struct cli_help
{
  const char *command; /* "run", "volume create" */
  const char *text;
};

/* Ends with an entry whose command is NULL. */
extern const struct cli_help cli_helps[];

/* `hako --help`, from docs/man/hako.txt, with the commands of the sources. */
extern const char cli_main_help[];

/* Prints COMMAND's help from its docs/man source; false if it has none. */
bool cli_print_help (const char *command);

#endif
