/* SPDX-License-Identifier: Apache-2.0 */
#include "kube-read.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
doc_name (const struct kube_doc *d)
{
  return xasprintf ("%s: document %zu (%s%s%s)", d->file, d->number, d->kind ? d->kind : "?",
                    d->name ? " " : "", d->name ? d->name : "");
}

int
kube_error (const struct kube_doc *d, struct hk_error **err)
{
  _cleanup_free_ char *name = doc_name (d);
  return hk_error_prefix (err, "%s", name);
}

int
kube_fail (const struct kube_doc *d, struct hk_error **err, const char *path, const char *fmt,
           ...)
{
  va_list ap;
  va_start (ap, fmt);
  _cleanup_free_ char *why = NULL;
  if (vasprintf (&why, fmt, ap) < 0)
    why = NULL;
  va_end (ap);
  _cleanup_free_ char *name = doc_name (d);
  return hk_error_set (err, EINVAL, "%s: %s: %s", name, path, why ? why : "invalid");
}

void
kube_warn (struct kube_doc *d, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  _cleanup_free_ char *why = NULL;
  if (vasprintf (&why, fmt, ap) < 0)
    why = NULL;
  va_end (ap);
  _cleanup_free_ char *name = doc_name (d);
  hk_warn (d->log, "%s: %s: %s", name, path, why ? why : "ignored");
  d->warnings++;
}

void
kube_warn_unknown (struct kube_doc *d, json_t *obj, const char *path, const char *const *known)
{
  const char *key;
  json_t *v;
  json_object_foreach (obj, key, v)
  {
    bool found = false;
    for (const char *const *k = known; *k && !found; k++)
      found = strcmp (*k, key) == 0;
    if (!found)
      {
        _cleanup_free_ char *field = json_path_key (path, key);
        kube_warn (d, field, "not supported, ignored");
      }
  }
}

int
kube_object (json_t *obj, const char *path, const char *key, json_t **out, struct hk_error **err)
{
  *out = NULL;
  return json_get_object (obj, path, key, out, err) < 0 ? -1 : 0;
}

int
kube_object_array (json_t *obj, const char *path, const char *key, json_t **out,
                   struct hk_error **err)
{
  *out = NULL;
  if (json_get_array (obj, path, key, out, err) < 0)
    return -1;
  size_t i;
  json_t *item;
  json_array_foreach (*out, i, item)
  {
    if (!json_is_object (item))
      {
        _cleanup_free_ char *base = json_path_key (path, key);
        _cleanup_free_ char *at = json_path_index (base, i);
        return hk_error_set (err, EINVAL, "%s: expected an object, got %s", at,
                             json_type_name (item));
      }
  }
  return 0;
}

/* A quantity's number and suffix: "1.5Gi" → 1.5 and "Gi". */
static int
split_quantity (json_t *v, const char *path, double *number, const char **suffix,
                char *text, size_t size, struct hk_error **err)
{
  if (json_is_integer (v) || json_is_real (v))
    {
      *number = json_number_value (v);
      *suffix = "";
      return 0;
    }
  if (!json_is_string (v))
    return hk_error_set (err, EINVAL, "%s: expected a quantity, got %s", path, json_type_name (v));
  snprintf (text, size, "%s", json_string_value (v));
  char *end;
  errno = 0;
  *number = strtod (text, &end);
  if (end == text || errno || !isfinite (*number) || *number < 0 || strchr (text, 'x')
      || strchr (text, 'X') || isspace ((unsigned char)text[0]))
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not a quantity", path, text);
  *suffix = end;
  return 0;
}

int
kube_quantity_bytes (json_t *v, const char *path, int64_t *out, struct hk_error **err)
{
  static const struct
  {
    const char *suffix;
    double factor;
  } units[] = {
    { "", 1 },          { "k", 1e3 },      { "M", 1e6 },      { "G", 1e9 },
    { "T", 1e12 },      { "P", 1e15 },     { "E", 1e18 },     { "Ki", 0x1p10 },
    { "Mi", 0x1p20 },   { "Gi", 0x1p30 },  { "Ti", 0x1p40 },  { "Pi", 0x1p50 },
    { "Ei", 0x1p60 },   { "m", 1e-3 },
  };
  double n;
  const char *suffix;
  char text[64];
  if (split_quantity (v, path, &n, &suffix, text, sizeof text, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp (suffix, units[i].suffix) == 0)
      {
        double bytes = ceil (n * units[i].factor);
        if (bytes > 0x1p62)
          return hk_error_set (err, ERANGE, "%s: \"%s\" is too large", path, text);
        *out = (int64_t)bytes;
        return 0;
      }
  return hk_error_set (err, EINVAL, "%s: \"%s\" has an unknown unit (Ki, Mi, Gi, k, M, G...)",
                       path, text);
}

int
kube_quantity_nano_cpus (json_t *v, const char *path, int64_t *out, struct hk_error **err)
{
  double n;
  const char *suffix;
  char text[64];
  if (split_quantity (v, path, &n, &suffix, text, sizeof text, err) < 0)
    return -1;
  if (*suffix == 'm' && suffix[1] == '\0')
    n /= 1000;
  else if (*suffix != '\0')
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not a CPU quantity (\"500m\", \"1.5\")",
                         path, text);
  if (n > 1e6)
    return hk_error_set (err, ERANGE, "%s: \"%s\" is too large", path, text);
  *out = (int64_t)llround (n * 1e9);
  return 0;
}

bool
kube_is_dns_label (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
    return false;
  return strspn (s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

bool
kube_is_dns_subdomain (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > 253)
    return false;
  _cleanup_free_ char *copy = xstrdup (s);
  char *save = NULL;
  size_t labels = 0;
  for (char *l = strtok_r (copy, ".", &save); l; l = strtok_r (NULL, ".", &save), labels++)
    if (!kube_is_dns_label (l))
      return false;
  return labels > 0 && s[0] != '.' && s[n - 1] != '.' && strstr (s, "..") == NULL;
}
