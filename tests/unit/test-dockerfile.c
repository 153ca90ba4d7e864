/* SPDX-License-Identifier: Apache-2.0 */
/* The Dockerfile syntax (directives, continuations, heredocs, flags, exec
 * and shell forms, errors with line and column) and shell words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "build/config-instruction.h"
#include "build/dockerfile.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"

#include <string.h>

static struct dockerfile *
parse_ok (const char *text)
{
  struct dockerfile *df = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  if (dockerfile_parse ("Dockerfile", text, strlen (text), &df, &err) < 0)
    fail_msg ("%s", err->message);
  return df;
}

static void
expect_error (const char *text, const char *message)
{
  struct dockerfile *df = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (dockerfile_parse ("Dockerfile", text, strlen (text), &df, &err), -1);
  if (strstr (err->message, message) == NULL)
    fail_msg ("`%s` does not contain `%s`", err->message, message);
}

static void
test_instructions (void **state)
{
  _cleanup_dockerfile_ struct dockerfile *df = parse_ok (
      "# syntax=docker/dockerfile:1\n"
      "ARG BASE=busybox\n"
      "from ${BASE} AS build\n"
      "  # a comment\n"
      "\n"
      "RUN echo a \\\n"
      "  # comment inside\n"
      "    && echo b\n"
      "COPY --from=build --chmod=755 --link a b /dst/\n"
      "CMD [\"sh\", \"-c\", \"echo hi\"]\n"
      "ENTRYPOINT [\"broken\"\n"
      "ONBUILD RUN echo later\n");
  assert_int_equal (df->n_inst, 7);
  assert_int_equal (strv_length (df->notes), 1);
  assert_int_equal (df->inst[1].kind, DF_FROM);
  assert_int_equal (df->inst[1].line, 3);
  assert_string_equal (df->inst[1].args, "${BASE} AS build");
  assert_int_equal (df->inst[2].kind, DF_RUN);
  assert_string_equal (df->inst[2].args, "echo a     && echo b");
  const struct df_instruction *copy = &df->inst[3];
  assert_int_equal (copy->n_flags, 3);
  assert_string_equal (df_flag_get (copy, "from", NULL), "build");
  assert_string_equal (df_flag_get (copy, "chmod", NULL), "755");
  bool link;
  assert_null (df_flag_get (copy, "link", &link));
  assert_true (link);
  assert_string_equal (copy->args, "a b /dst/");
  assert_non_null (df->inst[4].json_args);
  assert_string_equal (df->inst[4].json_args[2], "echo hi");
  /* Not valid JSON: the shell form, as Docker reads it. */
  assert_null (df->inst[5].json_args);
  assert_int_equal (df->inst[6].kind, DF_ONBUILD);
  assert_int_equal (df->inst[6].onbuild->kind, DF_RUN);
  assert_string_equal (df->inst[6].onbuild->args, "echo later");
}

static void
test_escape_directive (void **state)
{
  _cleanup_dockerfile_ struct dockerfile *df
      = parse_ok ("# escape=`\n\nFROM scratch\nCOPY a `\n  c:\\dir\\\n");
  assert_int_equal (df->escape, '`');
  assert_int_equal (df->n_inst, 2);
  assert_string_equal (df->inst[1].args, "a   c:\\dir\\");
  /* A directive after an instruction is a comment. */
  _cleanup_dockerfile_ struct dockerfile *late = parse_ok ("FROM scratch\n# escape=`\n");
  assert_int_equal (late->escape, '\\');
}

static void
test_heredocs (void **state)
{
  _cleanup_dockerfile_ struct dockerfile *df = parse_ok (
      "FROM busybox\n"
      "RUN <<EOF\n"
      "echo $HOME\n"
      "echo two\n"
      "EOF\n"
      "COPY <<-\"A\" <<B /dst/\n"
      "\tliteral $X\n"
      "\tA\n"
      "b\n"
      "B\n"
      "RUN cat <<<notaheredoc\n");
  assert_int_equal (df->n_inst, 4);
  assert_int_equal (df->inst[1].n_heredocs, 1);
  assert_string_equal (df->inst[1].heredocs[0].content, "echo $HOME\necho two\n");
  assert_true (df->inst[1].heredocs[0].expand);
  const struct df_instruction *c = &df->inst[2];
  assert_int_equal (c->n_heredocs, 2);
  assert_string_equal (c->heredocs[0].name, "A");
  assert_false (c->heredocs[0].expand);
  assert_string_equal (c->heredocs[0].content, "literal $X\n");
  assert_string_equal (c->heredocs[1].content, "b\n");
  assert_int_equal (df->inst[3].n_heredocs, 0);
}

static void
test_errors_name_line_and_column (void **state)
{
  expect_error ("FROM busybox\n  RUNN echo\n", "Dockerfile:2:3: unknown instruction `RUNN`");
  expect_error ("FROM busybox\nCOPY --form=x a b\n", "Dockerfile:2:6: unknown flag: COPY --form");
  /* Docker's flags hako does not do are refused, never ignored. */
  expect_error ("FROM busybox\nCOPY --exclude=*.o . /\n",
                "Dockerfile:2:6: COPY --exclude is not supported by hako build");
  expect_error ("FROM busybox\nCOPY --parents a/b /\n",
                "Dockerfile:2:6: COPY --parents is not supported by hako build");
  expect_error ("FROM busybox\nADD --keep-git-dir x /\n",
                "Dockerfile:2:5: ADD --keep-git-dir is not supported by hako build");
  expect_error ("FROM\n", "Dockerfile:1:1: FROM requires at least one argument");
  expect_error ("FROM x\nRUN <<EOF\necho\n", "Dockerfile:2:5: unterminated heredoc");
  expect_error ("# escape=x\nFROM x\n", "invalid escape token");
  expect_error ("FROM x\nONBUILD FROM y\n", "FROM isn't allowed as an ONBUILD trigger");
  struct dockerfile *nul = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (dockerfile_parse ("Dockerfile", "FROM x\nRUN a\0b\n", 14, &nul, &err), -1);
  assert_non_null (strstr (err->message, "Dockerfile:2:6: a NUL byte"));
  /* Ends in an escape: the instruction ends with the file. */
  _cleanup_dockerfile_ struct dockerfile *df = parse_ok ("FROM x\nRUN a \\");
  assert_string_equal (df->inst[1].args, "a");
}

static char *
expand (const char *text, char *const *vars)
{
  char *out = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  if (shell_word_expand (text, '\\', vars, &out, &err) < 0)
    fail_msg ("%s", err->message);
  return out;
}

static void
test_shell_words (void **state)
{
  char *vars[] = { "A=one", "EMPTY=", "SP=x y", "A=two", NULL };
  struct
  {
    const char *in, *out;
  } cases[] = {
    { "$A", "two" },
    { "${A}b", "twob" },
    { "${NOPE:-dflt}", "dflt" },
    { "${EMPTY:-dflt}", "dflt" },
    { "${EMPTY-dflt}", "" },
    { "${A:+alt}", "alt" },
    { "${NOPE:+alt}", "" },
    { "${NOPE:-${A}x}", "twox" },
    { "'$A'", "$A" },
    { "\"$A \\$A\"", "two $A" },
    { "a\\ b", "a b" },
    { "$", "$" },
    { "cost $5", "cost " },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      _cleanup_free_ char *out = expand (cases[i].in, vars);
      if (strcmp (out, cases[i].out) != 0)
        fail_msg ("`%s`: `%s`, expected `%s`", cases[i].in, out, cases[i].out);
    }
  _cleanup_strv_ char **words = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (shell_word_split ("a \"b c\" $SP ${NOPE} 'd e'", '\\', vars, &words, &err), 0);
  assert_int_equal (strv_length (words), 5);
  assert_string_equal (words[1], "b c");
  assert_string_equal (words[2], "x");
  assert_string_equal (words[3], "y");
  assert_string_equal (words[4], "d e");
  char *out = NULL;
  assert_int_equal (shell_word_expand ("${NOPE:?must be set}", '\\', vars, &out, &err), -1);
  assert_string_equal (err->message, "NOPE: must be set");
  hk_error_free (err);
  err = NULL;
  assert_int_equal (shell_word_expand ("${A%x}", '\\', vars, &out, &err), -1);
  assert_non_null (strstr (err->message, "unsupported modifier"));
  hk_error_free (err);
  err = NULL;
  assert_int_equal (shell_word_expand ("'open", '\\', vars, &out, &err), -1);
}

static void
test_config_instructions (void **state)
{
  _cleanup_dockerfile_ struct dockerfile *df = parse_ok (
      "FROM x\n"
      "CMD [\"a\"]\n"
      "ENTRYPOINT [\"e\"]\n"
      "SHELL [\"/bin/bash\", \"-xc\"]\n"
      "HEALTHCHECK --interval=5s --retries=2 CMD curl -f http://localhost/\n"
      "EXPOSE 80 53/UDP 8000-8002\n"
      "WORKDIR /a\n"
      "WORKDIR b/../c\n"
      "ENV P=$V \"Q\"=\"x y\"\n"
      "LABEL version=${V:-0} \"with space\"=1\n"
      "VOLUME [\"/data\"]\n"
      "USER ${V}:0\n");
  _cleanup_json_ json_t *cfg = json_object ();
  char *vars[] = { "V=7", NULL };
  struct config_instruction_state st = { .escape = '\\', .vars = vars };
  _cleanup_error_ struct hk_error *err = NULL;
  for (size_t i = 1; i < df->n_inst; i++)
    if (config_instruction_apply (cfg, &df->inst[i], &st, &err) < 0)
      fail_msg ("%s", err->message);
  _cleanup_free_ char *text = json_dumps (cfg, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal (
      text, "{\"Cmd\":[\"a\"],\"Entrypoint\":[\"e\"],\"Env\":[\"P=7\",\"Q=x y\"],"
            "\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{},\"8000/tcp\":{},\"8001/tcp\":{},"
            "\"8002/tcp\":{}},\"Healthcheck\":{\"Interval\":5000000000,\"Retries\":2,\"Test\":"
            "[\"CMD-SHELL\",\"curl -f http://localhost/\"]},\"Labels\":{\"version\":\"7\","
            "\"with space\":\"1\"},\"Shell\":[\"/bin/bash\",\"-xc\"],\"User\":\"7:0\","
            "\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/a/c\"}");
  /* ENTRYPOINT without CMD in the stage drops the inherited Cmd. */
  _cleanup_dockerfile_ struct dockerfile *e = parse_ok ("ENTRYPOINT top\n");
  struct config_instruction_state fresh = { .escape = '\\' };
  assert_int_equal (config_instruction_apply (cfg, &e->inst[0], &fresh, &err), 0);
  assert_true (json_is_null (json_object_get (cfg, "Cmd")));
  _cleanup_strv_ char **entry = NULL;
  assert_int_equal (json_get_strv (cfg, "", "Entrypoint", &entry, &err), 1);
  assert_string_equal (entry[0], "/bin/bash");
  assert_string_equal (entry[2], "top");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_instructions),
    cmocka_unit_test (test_escape_directive),
    cmocka_unit_test (test_heredocs),
    cmocka_unit_test (test_errors_name_line_and_column),
    cmocka_unit_test (test_shell_words),
    cmocka_unit_test (test_config_instructions),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
