/* SPDX-License-Identifier: Apache-2.0 */
/* The Dockerfile instructions that only change the image config (CMD,
 * ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL,
 * HEALTHCHECK, SHELL, ONBUILD), applied to the config's "config" object
 * with Docker's rules.  Used by build and by the --change option of
 * import and commit, so both read these instructions alike. */
#ifndef HAKO_BUILD_CONFIG_INSTRUCTION_H
#define HAKO_BUILD_CONFIG_INSTRUCTION_H

#include "dockerfile.h"

#include <jansson.h>
#include <stdbool.h>

struct config_instruction_state
{
  char escape;
  char *const *vars; /* "NAME=VALUE": build args and the stage's env */
  bool cmd_set;      /* CMD was given in this stage: ENTRYPOINT keeps it */
};

/* Whether K is one of the instructions above. */
bool config_instruction_is (enum df_kind k);

/* Applies IN to CONFIG (the "config" object of an image config). */
int config_instruction_apply (json_t *config, const struct df_instruction *in,
                              struct config_instruction_state *st, struct hk_error **err);

/* The shell that runs the shell forms: CONFIG's Shell, else /bin/sh -c
 * (owned). */
char **config_instruction_shell (json_t *config);

/* The NAME=VALUE pairs of ENV or LABEL arguments (the legacy `NAME
 * value` form too), values expanded: NAMES and VALUES are NULL-terminated
 * (owned). */
int config_instruction_pairs (const struct df_instruction *in, char escape, char *const *vars,
                              char ***names, char ***values, struct hk_error **err);

#endif
