/* SPDX-License-Identifier: Apache-2.0 */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
units_parse_bytes (const char *text, const char *what, int64_t *out, struct hk_error **err)
{
  if (strcmp (text, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  if (!isdigit ((unsigned char) text[0]))
    return hk_error_set (err, EINVAL, "%s: `%s` is not a size (like 512m or 2g)", what, text);
  char *end;
  errno = 0;
  double value = strtod (text, &end);
  if (errno != 0 || end == text)
    return hk_error_set (err, EINVAL, "%s: `%s` is not a size (like 512m or 2g)", what, text);
  while (*end == ' ')
    end++;
  double multiplier = 1;
  static const char units[] = "bkmgtp";
  const char *u = *end ? strchr (units, tolower ((unsigned char) *end)) : NULL;
  if (u != NULL && *u != 'b')
    {
      for (const char *p = units + 1; p <= u; p++)
        multiplier *= 1024;
      end++;
    }
  if (strcasecmp (end, "ib") == 0 || strcasecmp (end, "b") == 0)
    end += strlen (end);
  if (*end != '\0')
    return hk_error_set (err, EINVAL, "%s: `%s` has an unknown unit (use b, k, m, g, t or p)",
                         what, text);
  double bytes = value * multiplier;
  if (!isfinite (bytes) || bytes >= 9.2e18)
    return hk_error_set (err, ERANGE, "%s: `%s` is too large", what, text);
  *out = (int64_t) bytes;
  return 0;
}

int
units_parse_duration_ms (const char *text, const char *what, int64_t *out,
                         struct hk_error **err)
{
  char *end;
  errno = 0;
  double value = strtod (text, &end);
  if (errno != 0 || end == text || value < 0 || !isfinite (value))
    return hk_error_set (err, EINVAL, "%s: `%s` is not a duration (like 500ms, 5s or 1m)", what,
                         text);
  double ms;
  if (*end == '\0' || strcmp (end, "s") == 0)
    ms = value * 1000;
  else if (strcmp (end, "ms") == 0)
    ms = value;
  else if (strcmp (end, "m") == 0)
    ms = value * 60000;
  else if (strcmp (end, "h") == 0)
    ms = value * 3600000;
  else
    return hk_error_set (err, EINVAL, "%s: `%s` has an unknown unit (use ms, s, m or h)", what,
                         text);
  if (ms >= 9.2e18)
    return hk_error_set (err, ERANGE, "%s: `%s` is too long", what, text);
  *out = (int64_t) ms;
  return 0;
}
