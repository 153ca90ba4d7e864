/* SPDX-License-Identifier: Apache-2.0 */
/* `--change` instructions applied to an image config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "transfer/config-change.h"

#include <string.h>

static char *
apply_all (const char *const *changes, struct hk_error **err)
{
  _cleanup_json_ json_t *cfg = json_object ();
  for (size_t i = 0; changes[i]; i++)
    if (config_change_apply (cfg, changes[i], err) < 0)
      return NULL;
  return json_dumps (cfg, JSON_COMPACT | JSON_SORT_KEYS);
}

static void
test_instructions (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  const char *const changes[] = { "CMD [\"sh\", \"-c\", \"echo hi\"]",
                                  "ENTRYPOINT /bin/tini --",
                                  "ENV A=1 B=\"two words\" C=x\\ y",
                                  "ENV A=3",
                                  "env LEGACY value with spaces",
                                  "WORKDIR /srv",
                                  "USER 1000:1000",
                                  "EXPOSE 80 53/udp",
                                  "LABEL a=b \"c d\"=e",
                                  "VOLUME [\"/data\", \"/logs\"]",
                                  "STOPSIGNAL SIGINT",
                                  NULL };
  _cleanup_free_ char *out = apply_all (changes, &err);
  if (out == NULL)
    fail_msg ("%s", err->message);
  assert_string_equal (out,
                       "{\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Entrypoint\":[\"/bin/sh\",\"-c\","
                       "\"/bin/tini --\"],\"Env\":[\"A=3\",\"B=two words\",\"C=x y\",\"LEGACY="
                       "value with spaces\"],\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}},"
                       "\"Labels\":{\"a\":\"b\",\"c d\":\"e\"},\"StopSignal\":\"SIGINT\",\"User\":"
                       "\"1000:1000\",\"Volumes\":{\"/data\":{},\"/logs\":{}},\"WorkingDir\":"
                       "\"/srv\"}");
}

static void
test_refusals (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_json_ json_t *cfg = json_object ();
  assert_int_equal (config_change_apply (cfg, "RUN rm -rf /", &err), -1);
  assert_non_null (strstr (err->message, "`RUN` is not one of"));
  assert_int_equal (config_change_apply (cfg, "CMD", &err), -1);
  assert_non_null (strstr (err->message, "requires at least one argument"));
  assert_int_equal (config_change_apply (cfg, "ENV =x", &err), -1);
  assert_int_equal (config_change_apply (cfg, "ENV novalue", &err), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_instructions),
    cmocka_unit_test (test_refusals),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
