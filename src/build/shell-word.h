/* SPDX-License-Identifier: Apache-2.0 */
/* The shell-like words of Dockerfile arguments, as Docker's builder reads
 * them: single quotes (literal), double quotes (the escape character
 * escapes `"`, `$` and itself), the escape character outside quotes, and
 * variables: $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word},
 * ${NAME+word}, ${NAME:?message}, ${NAME?message}.  Variables come from
 * VARS, a list of "NAME=VALUE" (the stage's ENV over its ARGs). */
#ifndef HAKO_BUILD_SHELL_WORD_H
#define HAKO_BUILD_SHELL_WORD_H

#include "common/error.h"

/* TEXT as one word: variables substituted, quotes and escapes removed. */
int shell_word_expand (const char *text, char escape, char *const *vars, char **out,
                       struct hk_error **err);

/* TEXT split into words at unquoted blanks (and in the values of unquoted
 * variables), each expanded as above.  *OUT is NULL-terminated. */
int shell_word_split (const char *text, char escape, char *const *vars, char ***out,
                      struct hk_error **err);

/* TEXT split into words at unquoted blanks, quotes and escapes kept and
 * nothing expanded: the NAME=VALUE pairs of ENV, LABEL and ARG are found
 * this way before each value is expanded. */
char **shell_word_fields (const char *text, char escape);

#endif
