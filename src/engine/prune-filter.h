/* SPDX-License-Identifier: Apache-2.0 */
/* The --filter of `container prune` and `system prune`, Docker's keys:
 * until=TIME (created before TIME: a Unix time, an RFC 3339 time or date,
 * or a duration ago like "10m"), label=KEY[=VALUE] and label!=KEY[=VALUE]. */
#ifndef HAKO_ENGINE_PRUNE_FILTER_H
#define HAKO_ENGINE_PRUNE_FILTER_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct prune_filter
{
  int64_t until;     /* Unix seconds; 0: no limit */
  char **labels;     /* KEY or KEY=VALUE that must match; NULL-terminated */
  char **not_labels; /* ... that must not */
};

/* Parses FILTERS (NULL-terminated, may be NULL); NOW is the time durations
 * count back from. */
int prune_filter_parse (char *const *filters, int64_t now, struct prune_filter *out,
                        struct hk_error **err);
void prune_filter_clear (struct prune_filter *f);

/* Whether something CREATED (RFC 3339) with LABELS (an object, may be
 * NULL) passes F. */
bool prune_filter_match (const struct prune_filter *f, const char *created, const json_t *labels);

#endif
