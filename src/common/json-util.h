/* SPDX-License-Identifier: Apache-2.0 */
/* Typed reads of JSON documents (jansson) whose errors name the field at
 * fault by its full path, e.g. "process.user.uid: expected an unsigned
 * 32-bit integer, got string".  Every reader of untrusted JSON uses these.
 *
 * Each json_get_* returns 1 when the key is present and read, 0 when it is
 * absent or null (the output is left untouched), -1 on a type error. */
#ifndef HAKO_COMMON_JSON_UTIL_H
#define HAKO_COMMON_JSON_UTIL_H

#include "error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

static inline void
cleanup_jsonp (json_t **j)
{
  json_decref (*j);
}
#define _cleanup_json_ __attribute__ ((cleanup (cleanup_jsonp)))

const char *json_type_name (const json_t *j);

/* PATH names OBJ (e.g. "linux.resources"); "" for the top level. */
int json_get_string (json_t *obj, const char *path, const char *key, char **out,
                     struct hk_error **err);
int json_get_bool (json_t *obj, const char *path, const char *key, bool *out,
                   struct hk_error **err);
int json_get_int64 (json_t *obj, const char *path, const char *key, int64_t *out,
                    struct hk_error **err);
int json_get_uint64 (json_t *obj, const char *path, const char *key, uint64_t *out,
                     struct hk_error **err);
int json_get_uint32 (json_t *obj, const char *path, const char *key, uint32_t *out,
                     struct hk_error **err);
int json_get_int32 (json_t *obj, const char *path, const char *key, int32_t *out,
                    struct hk_error **err);
/* An array of strings into a NULL-terminated vector. */
int json_get_strv (json_t *obj, const char *path, const char *key, char ***out,
                   struct hk_error **err);
/* A NULL-terminated vector (NULL: empty) as a JSON array of strings. */
json_t *json_from_strv (char *const *v);
/* A member that must be an object or an array; borrowed reference. */
int json_get_object (json_t *obj, const char *path, const char *key, json_t **out,
                     struct hk_error **err);
int json_get_array (json_t *obj, const char *path, const char *key, json_t **out,
                    struct hk_error **err);
/* A string-to-string object into parallel key/value vectors. */
int json_get_string_map (json_t *obj, const char *path, const char *key, char ***keys,
                         char ***values, struct hk_error **err);

/* "PATH.KEY" or "KEY" when PATH is empty; "PATH[INDEX]" for arrays. */
char *json_path_key (const char *path, const char *key);
char *json_path_index (const char *path, size_t index);

/* Fails with "PATH.KEY: required" when KEY is missing. */
int json_require (json_t *obj, const char *path, const char *key, struct hk_error **err);

/* Parses TEXT (LEN bytes), rejecting anything but an object at the top;
 * WHAT names the document in errors ("config.json"). */
int json_parse_object (const char *text, size_t len, const char *what, json_t **out,
                       struct hk_error **err);

/* Serialises J with indentation or compact, always ending with "\n". */
char *json_to_string (const json_t *j, bool pretty);

#endif
