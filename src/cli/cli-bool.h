/* SPDX-License-Identifier: Apache-2.0 */
/* A boolean flag's value as Docker's command line takes it: `--flag`
 * alone or `--flag=true` is true, `--flag=false` false, anything else an
 * error naming the flag. */
#ifndef HAKO_CLI_CLI_BOOL_H
#define HAKO_CLI_CLI_BOOL_H

#include "common/error.h"

#include <stdbool.h>

/* TEXT (NULL when the flag came alone) into *OUT; FLAG ("--pause") names
 * it in the error. */
int cli_bool (const char *text, const char *flag, bool *out, struct hk_error **err);

#endif
