/* SPDX-License-Identifier: Apache-2.0 */
/* Dockerfiles (a build context from anywhere): the parser, then each
 * instruction's words expanded and, for the config instructions, applied
 * to a config, as the build does; and the same bytes as an ignore file. */
#include "build/config-instruction.h"
#include "build/dockerfile.h"
#include "build/ignore.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
exercise (const struct df_instruction *in, char escape, json_t *cfg)
{
  char *vars[] = { "A=1", "B=two words", NULL };
  struct hk_error *err = NULL;
  char **words = NULL;
  if (shell_word_split (in->args, escape, vars, &words, &err) == 0)
    strv_free (words);
  hk_error_freep (&err);
  struct config_instruction_state st = { .escape = escape, .vars = vars };
  if (config_instruction_is (in->kind))
    config_instruction_apply (cfg, in, &st, &err);
  hk_error_freep (&err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct dockerfile *df = NULL;
  struct hk_error *err = NULL;
  if (dockerfile_parse ("Dockerfile", (const char *)data, size, &df, &err) == 0)
    {
      json_t *cfg = json_object ();
      for (size_t i = 0; i < df->n_inst; i++)
        exercise (&df->inst[i], df->escape, cfg);
      json_decref (cfg);
      dockerfile_free (df);
    }
  hk_error_freep (&err);
  struct ignore_rules *r = NULL;
  if (ignore_rules_parse ((const char *)data, size, &r, &err) == 0)
    {
      ignore_rules_match (r, "a/b/c.go");
      ignore_rules_free (r);
    }
  hk_error_freep (&err);
  return 0;
}
