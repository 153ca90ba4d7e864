/* SPDX-License-Identifier: Apache-2.0 */
/* Platforms (os/architecture/variant) as the OCI image index names them,
 * with the aliases people type (x86_64, aarch64, armhf) normalised. */
#ifndef HAKO_STORE_PLATFORM_H
#define HAKO_STORE_PLATFORM_H

#include "common/error.h"

#include <stdbool.h>

struct platform
{
  char *os;           /* "linux" */
  char *architecture; /* "amd64", "arm64", "arm", "386", … */
  char *variant;      /* "v8", "v7"; NULL when none */
};

/* Parses "os/arch[/variant]" or "arch" (os linux). */
int platform_parse (const char *text, struct platform *out, struct hk_error **err);

/* The platform this program runs on. */
void platform_host (struct platform *out);

/* Fills OUT with normalised copies of OS, ARCH and VARIANT (any NULL). */
void platform_set (struct platform *out, const char *os, const char *arch, const char *variant);

void platform_clear (struct platform *p);

/* "linux/arm64/v8" */
char *platform_string (const struct platform *p);

/* How well CANDIDATE serves WANT: 0 not at all, higher is better (an
 * exact variant beats an older compatible arm variant). */
int platform_match_score (const struct platform *want, const struct platform *candidate);

#endif
