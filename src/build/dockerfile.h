/* SPDX-License-Identifier: Apache-2.0 */
/* The Dockerfile (Containerfile) syntax: parser directives (`# escape=`,
 * `# syntax=` noted and ignored), comments, line continuations, heredocs,
 * instructions with their `--flag=value` options and their arguments in
 * shell or JSON (exec) form.  Nothing is expanded here: variables are
 * substituted when the build reaches the instruction (shell-word.h),
 * because their values depend on the stage.
 *
 * The text is hostile input (a context from anywhere): sizes are capped,
 * NUL bytes refused, and every error names the line and column, as
 * "Dockerfile:3:1: unknown instruction `RUNN`". */
#ifndef HAKO_BUILD_DOCKERFILE_H
#define HAKO_BUILD_DOCKERFILE_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Larger files are refused: real ones are a few KiB. */
#define DOCKERFILE_MAX_SIZE (4u << 20)

enum df_kind
{
  DF_FROM,
  DF_RUN,
  DF_CMD,
  DF_LABEL,
  DF_MAINTAINER,
  DF_EXPOSE,
  DF_ENV,
  DF_ADD,
  DF_COPY,
  DF_ENTRYPOINT,
  DF_VOLUME,
  DF_USER,
  DF_WORKDIR,
  DF_ARG,
  DF_ONBUILD,
  DF_STOPSIGNAL,
  DF_HEALTHCHECK,
  DF_SHELL,
};

/* `--name=value` (value NULL for a bare `--name`). */
struct df_flag
{
  char *name;
  char *value;
};

/* `<<EOF` ... `EOF`: the body, each line with its newline. */
struct df_heredoc
{
  char *name;
  char *content;
  bool expand; /* the word was not quoted: variables are expanded */
  bool strip_tabs; /* <<- */
};

struct df_instruction
{
  enum df_kind kind;
  unsigned line, column; /* of the keyword, 1-based */
  char *text;            /* keyword and arguments as written, continuations joined */
  struct df_flag *flags;
  size_t n_flags;
  char *args;       /* the arguments after the flags (raw) */
  unsigned args_column;
  char **json_args; /* the exec form's strings, or NULL (shell form) */
  struct df_heredoc *heredocs;
  size_t n_heredocs;
  struct df_instruction *onbuild; /* ONBUILD's instruction */
};

struct dockerfile
{
  char escape; /* '\\' or '`' */
  struct df_instruction *inst;
  size_t n_inst;
  char **notes; /* what was ignored, for the user (e.g. the syntax directive) */
};

/* Parses TEXT (LEN bytes; NAME for errors, e.g. "Dockerfile"). */
int dockerfile_parse (const char *name, const char *text, size_t len, struct dockerfile **out,
                      struct hk_error **err);
void dockerfile_free (struct dockerfile *df);

static inline void
cleanup_dockerfilep (struct dockerfile **df)
{
  dockerfile_free (*df);
}
#define _cleanup_dockerfile_ __attribute__ ((cleanup (cleanup_dockerfilep)))

/* ARGS as the exec form (a JSON array of strings), else NULL. */
char **dockerfile_json_form (const char *args);

/* "RUN", "COPY", ... */
const char *df_kind_name (enum df_kind k);

/* The value of flag NAME of I, or NULL; *PRESENT (may be NULL) says
 * whether it was given at all (a bare `--link` has no value). */
const char *df_flag_get (const struct df_instruction *i, const char *name, bool *present);

/* Every value of flag NAME (`--mount` may repeat), NULL-terminated;
 * free the array only. */
const char **df_flag_all (const struct df_instruction *i, const char *name);

#endif
