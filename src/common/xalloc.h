/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation that cannot fail: running out of memory aborts the process,
 * as in crun and git.  Error paths then only carry real errors. */
#ifndef HAKO_COMMON_XALLOC_H
#define HAKO_COMMON_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc (size_t size);
void *xzalloc (size_t size);
void *xrealloc (void *ptr, size_t size);
/* realloc of an array of NMEMB elements of SIZE bytes, overflow-checked. */
void *xreallocarray (void *ptr, size_t nmemb, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *xvasprintf (const char *fmt, va_list ap);

#endif
