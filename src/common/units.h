/* SPDX-License-Identifier: Apache-2.0 */
/* Sizes and durations as users type them ("512m", "1.5g", "10s"). */
#ifndef HAKO_COMMON_UNITS_H
#define HAKO_COMMON_UNITS_H

#include "error.h"

#include <stdint.h>

/* Bytes, Docker's way: a number with an optional k, m, g, t or p suffix
 * (powers of 1024), an optional "b"/"ib"; "-1" means unlimited (returned
 * as -1).  WHAT names the value in errors ("--memory"). */
int units_parse_bytes (const char *text, const char *what, int64_t *out, struct hk_error **err);

/* A duration: "250ms", "5s", "2m", "1h", or a bare number of seconds.
 * The result is in milliseconds. */
int units_parse_duration_ms (const char *text, const char *what, int64_t *out,
                             struct hk_error **err);

#endif
