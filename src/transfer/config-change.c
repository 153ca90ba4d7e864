/* SPDX-License-Identifier: Apache-2.0 */
#include "config-change.h"
#include "build/config-instruction.h"
#include "build/dockerfile.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"

#include <errno.h>
#include <string.h>

int
config_change_apply (json_t *config, const char *change, struct hk_error **err)
{
  _cleanup_dockerfile_ struct dockerfile *df = NULL;
  if (dockerfile_parse ("change", change, strlen (change), &df, err) < 0)
    return hk_error_prefix (err, "change `%s`", change);
  if (df->n_inst != 1)
    return hk_error_set (err, EINVAL, "change `%s`: expected one instruction", change);
  const struct df_instruction *in = &df->inst[0];
  if (!config_instruction_is (in->kind) || in->kind == DF_SHELL)
    return hk_error_set (err, EINVAL,
                         "change `%s`: `%s` is not one of CMD, ENTRYPOINT, ENV, EXPOSE, "
                         "HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR",
                         change, df_kind_name (in->kind));
  /* Variables are the config's own Env; a change edits only what it
   * names (ENTRYPOINT keeps Cmd). */
  _cleanup_strv_ char **env = NULL;
  if (json_is_array (json_object_get (config, "Env"))
      && json_get_strv (config, "config", "Env", &env, err) < 0)
    return -1;
  struct config_instruction_state st = { .escape = '\\', .vars = env, .cmd_set = true };
  if (config_instruction_apply (config, in, &st, err) < 0)
    return hk_error_prefix (err, "change `%s`", change);
  return 0;
}
