/* SPDX-License-Identifier: Apache-2.0 */
#include "error.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
hk_error_vset (struct hk_error **err, int errnum, bool with_strerror, const char *fmt, va_list ap)
{
  char *text = xvasprintf (fmt, ap);
  if (err == NULL)
    {
      free (text);
      return -1;
    }
  /* A second error replaces the first: the newest is closest to the user. */
  hk_error_free (*err);
  struct hk_error *e = xmalloc (sizeof *e);
  e->errnum = errnum;
  if (with_strerror && errnum != 0)
    {
      e->message = xasprintf ("%s: %s", text, strerror (errnum));
      free (text);
    }
  else
    e->message = text;
  *err = e;
  return -1;
}

int
hk_error_set (struct hk_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  hk_error_vset (err, errnum, false, fmt, ap);
  va_end (ap);
  return -1;
}

int
hk_error_errno (struct hk_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  hk_error_vset (err, errnum, true, fmt, ap);
  va_end (ap);
  return -1;
}

int
hk_error_prefix (struct hk_error **err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  va_list ap;
  va_start (ap, fmt);
  char *context = xvasprintf (fmt, ap);
  va_end (ap);
  char *joined = xasprintf ("%s: %s", context, (*err)->message);
  free (context);
  free ((*err)->message);
  (*err)->message = joined;
  return -1;
}

void
hk_error_free (struct hk_error *err)
{
  if (err == NULL)
    return;
  free (err->message);
  free (err);
}

void
hk_error_freep (struct hk_error **err)
{
  hk_error_free (*err);
  *err = NULL;
}
