/* SPDX-License-Identifier: Apache-2.0 */
#include "prune-filter.h"
#include "common/strv.h"
#include "common/units.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "2024-05-06T07:08:09[.frac](Z|±hh:mm)" or "2024-05-06"; -1 when it is
 * neither. */
static int64_t
parse_time (const char *text)
{
  struct tm tm = { 0 };
  const char *rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL)
    {
      memset (&tm, 0, sizeof tm);
      rest = strptime (text, "%Y-%m-%d", &tm);
      return rest && *rest == '\0' ? (int64_t)timegm (&tm) : -1;
    }
  int64_t t = (int64_t)timegm (&tm);
  if (*rest == '.')
    for (rest++; isdigit ((unsigned char)*rest); rest++)
      ;
  int hh, mm, n;
  if (*rest == 'Z' && rest[1] == '\0')
    return t;
  if ((*rest == '+' || *rest == '-') && sscanf (rest + 1, "%2d:%2d%n", &hh, &mm, &n) == 2
      && rest[1 + n] == '\0')
    return t + (*rest == '+' ? -1 : 1) * (hh * 3600 + mm * 60);
  return *rest == '\0' ? t : -1;
}

static int
parse_until (const char *value, int64_t now, int64_t *out, struct hk_error **err)
{
  char *end;
  if (*value && isdigit ((unsigned char)*value))
    {
      double unix_time = strtod (value, &end);
      if (*end == '\0')
        {
          *out = (int64_t)unix_time;
          return 0;
        }
    }
  if ((*out = parse_time (value)) >= 0)
    return 0;
  int64_t ms;
  if (units_parse_duration_ms (value, "--filter until", &ms, NULL) < 0)
    return hk_error_set (
        err, EINVAL, "--filter until=%s: not a time (Unix, RFC 3339) or a duration (10m)", value);
  *out = now - ms / 1000;
  return 0;
}

int
prune_filter_parse (char *const *filters, int64_t now, struct prune_filter *out,
                    struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i];
      if (strncmp (f, "until=", 6) == 0)
        {
          if (parse_until (f + 6, now, &out->until, err) < 0)
            return -1;
        }
      else if (strncmp (f, "label=", 6) == 0 && f[6])
        strv_append (&out->labels, f + 6);
      else if (strncmp (f, "label!=", 7) == 0 && f[7])
        strv_append (&out->not_labels, f + 7);
      else
        {
          prune_filter_clear (out);
          return hk_error_set (err, EINVAL,
                               "--filter \"%s\": expected until=TIME, label=KEY[=VALUE] or "
                               "label!=KEY[=VALUE]",
                               f);
        }
    }
  return 0;
}

void
prune_filter_clear (struct prune_filter *f)
{
  strv_free (f->labels);
  strv_free (f->not_labels);
  memset (f, 0, sizeof *f);
}

/* KEY or KEY=VALUE against LABELS. */
static bool
has_label (const json_t *labels, const char *want)
{
  const char *eq = strchr (want, '=');
  char *key = eq ? xstrndup (want, (size_t)(eq - want)) : xstrdup (want);
  json_t *v = json_object_get (labels, key);
  free (key);
  return v != NULL && (eq == NULL || strcmp (json_string_value (v) ?: "", eq + 1) == 0);
}

bool
prune_filter_match (const struct prune_filter *f, const char *created, const json_t *labels)
{
  if (f->until > 0)
    {
      int64_t t = created ? parse_time (created) : -1;
      if (t < 0 || t >= f->until)
        return false;
    }
  for (size_t i = 0; f->labels && f->labels[i]; i++)
    if (!has_label (labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (has_label (labels, f->not_labels[i]))
      return false;
  return true;
}
