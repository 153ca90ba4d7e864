/* SPDX-License-Identifier: Apache-2.0 */
/* .containerignore / .dockerignore: the context's files a build does not
 * see, by Docker's rules.  One pattern a line, `#` comments, blank lines
 * skipped; each pattern cleaned like a path (a leading `/` and `./`
 * dropped, `a//b/../c` is `a/c`); `*` any run of characters but `/`, `?`
 * one of them, `[a-z]` and `[^a-z]` classes, `\` escapes, `**` any number
 * of directories (none too); a pattern that matches a directory matches
 * everything under it; `!` makes an exception; the last pattern that
 * matches a path decides. */
#ifndef HAKO_BUILD_IGNORE_H
#define HAKO_BUILD_IGNORE_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

struct ignore_rules;

int ignore_rules_parse (const char *text, size_t len, struct ignore_rules **out,
                        struct hk_error **err);
void ignore_rules_free (struct ignore_rules *r);

static inline void
cleanup_ignore_rulesp (struct ignore_rules **r)
{
  ignore_rules_free (*r);
}
#define _cleanup_ignore_rules_ __attribute__ ((cleanup (cleanup_ignore_rulesp)))

/* Whether PATH (relative to the context, "a/b") is left out.  R may be
 * NULL (no ignore file). */
bool ignore_rules_match (const struct ignore_rules *r, const char *path);

/* Whether a directory left out may still have a file let back in by an
 * exception (then the walk must go into it). */
bool ignore_rules_has_exceptions (const struct ignore_rules *r);

/* One glob PATTERN against NAME, `*` and `?` stopping at `/`, `**` any
 * number of directories (also the pattern language of COPY's sources). */
bool ignore_glob_match (const char *pattern, const char *name);

/* PATH cleaned as Go's filepath.Clean does it, relative: "./a//b/../c/" is
 * "a/c", "/" and "." are "." (owned). */
char *ignore_clean_path (const char *path);

#endif
