/* SPDX-License-Identifier: Apache-2.0 */
/* Blank space (spaces and tabs) in the one-line texts hako reads: the
 * Dockerfile's instructions and directives, ignore files, HTTP headers. */
#ifndef HAKO_COMMON_BLANKS_H
#define HAKO_COMMON_BLANKS_H

/* S past its leading spaces and tabs. */
static inline const char *
skip_blanks (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

#endif
