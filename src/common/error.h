/* SPDX-License-Identifier: Apache-2.0 */
/* One error type for the whole code base.
 *
 * A fallible function returns an int (0 on success, -1 on failure) and
 * fills a `struct hk_error` that says what was being done, to what, and
 * why it failed.  Callers add context with hk_error_prefix(); the CLI
 * prints the error once and exits non-zero. */
#ifndef HAKO_COMMON_ERROR_H
#define HAKO_COMMON_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

struct hk_error
{
  int errnum;    /* errno value behind the failure, 0 if none */
  char *message; /* complete, human-readable message */
};

/* Sets *ERR to a new error with the formatted message.  Returns -1 so that
 * callers can write `return hk_error_set (err, 0, "...")`.  ERRNUM, when
 * non-zero, is recorded but not appended to the text. */
int hk_error_set (struct hk_error **err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Like hk_error_set, with ": strerror(ERRNUM)" appended to the message. */
int hk_error_errno (struct hk_error **err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prepends "CONTEXT: " to the message of an error that is already set.
 * Returns -1. */
int hk_error_prefix (struct hk_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

void hk_error_free (struct hk_error *err);

/* For _cleanup_error_. */
void hk_error_freep (struct hk_error **err);

#define _cleanup_error_ __attribute__ ((cleanup (hk_error_freep)))

#endif
