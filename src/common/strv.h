/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated string vectors ("strv"), the shape of argv and envp. */
#ifndef HAKO_COMMON_STRV_H
#define HAKO_COMMON_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_length (char *const *v);
void strv_free (char **v);
/* Appends a copy of S; *V may be NULL. */
void strv_append (char ***v, const char *s);
/* Appends S itself, taking ownership. */
void strv_append_take (char ***v, char *s);
char **strv_copy (char *const *v);
bool strv_contains (char *const *v, const char *s);
/* The value of NAME in an environment vector ("NAME=value"), or NULL. */
const char *strv_env_get (char *const *env, const char *name);
/* Sets NAME=VALUE in *ENV, replacing an existing entry. */
void strv_env_set (char ***env, const char *name, const char *value);
/* Sorts V's strings in strcmp order; V may be NULL. */
void strv_sort (char **v);
/* V's strings with SEP between them (owned; "" for an empty V). */
char *strv_join (char *const *v, const char *sep);

#endif
