/* SPDX-License-Identifier: Apache-2.0 */
/* The one-line error for a command line getopt_long refused, shared by
 * hako, hako-transfer and hako-runtime. */
#ifndef HAKO_CLI_CLI_OPTION_ERROR_H
#define HAKO_CLI_CLI_OPTION_ERROR_H

#include "common/error.h"

/* Sets ERR for the option getopt_long (with opterr = 0) just returned '?'
 * for, in ARGV of COMMAND ("hako run", "hako-runtime exec"): unknown,
 * missing its argument, or given one it does not take, with "see HELP
 * --help".  SHORTOPTS, getopt's short options when known, tells an
 * unknown letter at the end of ARGV from one missing its argument.
 * Returns -1. */
int cli_option_error (struct hk_error **err, const char *command, const char *help,
                      const char *shortopts, char **argv);

#endif
