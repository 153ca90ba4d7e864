/* SPDX-License-Identifier: Apache-2.0 */
/* A compose file as the loader reads it: YAML (anchors, merge keys,
 * alias bombs bounded), interpolation, every service field normalised,
 * extends (within the file), include (a named file is read, and is
 * missing under /project), profiles and references checked; nothing
 * made.  The first line of the input is the .env text's, so that
 * interpolation sees hostile values too. */
#include "common/json-util.h"
#include "common/strv.h"
#include "compose/compose-dotenv.h"
#include "compose/compose.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *newline = memchr (text, '\n', size);
  size_t env_len = newline ? (size_t)(newline - text) : 0;
  struct hk_error *err = NULL;
  char **env = NULL;
  if (compose_dotenv_parse (".env", text, env_len, NULL, &env, &err) < 0)
    hk_error_freep (&err);
  char *names[] = { "fuzz.yaml", NULL };
  char *texts[] = { (char *)text + (newline ? env_len + 1 : 0), NULL };
  size_t lens[] = { size - (newline ? env_len + 1 : 0) };
  char *profiles[] = { "debug", NULL };
  char **unset = NULL;
  json_t *model = NULL;
  if (compose_model_load (names, texts, lens, 1, "/project", env, profiles, &unset, &model, &err)
      == 0)
    free (compose_service_order (model));
  json_decref (model);
  strv_free (unset);
  strv_free (env);
  hk_error_freep (&err);
  return 0;
}
