/* SPDX-License-Identifier: Apache-2.0 */
/* Typed reads of compose values into their normal form, each error
 * naming the path ("services.web.deploy.replicas: expected an integer,
 * got mapping").  Interpolation leaves every substituted value a string,
 * so where the spec wants a number or a boolean a string that reads as
 * one is taken too, as Docker Compose does. */
#ifndef HAKO_COMPOSE_COMPOSE_VALUE_H
#define HAKO_COMPOSE_COMPOSE_VALUE_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>

/* "expected WHAT, got TYPE" at PATH. */
int compose_type_error (json_t *v, const char *path, const char *what, struct hk_error **err);

/* A string (a number or a boolean is written as text). */
int compose_value_string (json_t *v, const char *path, json_t **out, struct hk_error **err);
/* An integer in MIN..MAX (or a string of one). */
int compose_value_int (json_t *v, const char *path, long long min, long long max, json_t **out,
                       struct hk_error **err);
int compose_value_bool (json_t *v, const char *path, json_t **out, struct hk_error **err);
/* A list of strings; a single string is a list of one when ONE_OK. */
int compose_value_strings (json_t *v, const char *path, bool one_ok, json_t **out,
                           struct hk_error **err);
/* A mapping of strings (null values kept), or a list of "KEY=VALUE"
 * (or SEP) entries; a list entry without SEP is KEY: null. */
int compose_value_map (json_t *v, const char *path, char sep, json_t **out,
                       struct hk_error **err);
/* A command: a list of strings, or a string split into words as a
 * POSIX shell would (quotes and backslashes, nothing expanded). */
int compose_value_command (json_t *v, const char *path, json_t **out, struct hk_error **err);

/* PATH.KEY and PATH[I], owned. */
char *compose_path (const char *path, const char *key);
char *compose_path_index (const char *path, size_t i);

#endif
