/* SPDX-License-Identifier: Apache-2.0 */
/* What a plain YAML scalar means: null, a boolean, an integer, a float or
 * a string, as go-yaml resolves it for Kubernetes (YAML 1.1: yes/no/on/off,
 * 0755 octal, 1_000) or by YAML 1.2's core schema (compose). */
#include "yaml-scalar.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool
one_of (const char *text, const char *const *words)
{
  for (; *words; words++)
    if (strcmp (text, *words) == 0)
      return true;
  return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };
static const char *const true_words_11[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL };
static const char *const false_words_11[] = { "n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL };

int
yaml_scalar_bool (const char *text, bool yaml11)
{
  if (one_of (text, true_words) || (yaml11 && one_of (text, true_words_11)))
    return 1;
  if (one_of (text, false_words) || (yaml11 && one_of (text, false_words_11)))
    return 0;
  return -1;
}

/* DIGITS (with '_' between them in YAML 1.1) of BASE into *DIGITS, a
 * copy without the underscores; false when TEXT is not such a number. */
static bool
only_digits (const char *text, int base, bool underscores, char *digits, size_t size)
{
  size_t n = 0;
  if (*text == '\0')
    return false;
  for (const char *p = text; *p; p++)
    {
      int c = (unsigned char)*p;
      if (c == '_' && underscores)
        continue;
      int v = isdigit (c) ? c - '0' : isxdigit (c) ? tolower (c) - 'a' + 10 : 99;
      if (v >= base || n + 1 >= size)
        return false;
      digits[n++] = (char)c;
    }
  digits[n] = '\0';
  return n > 0;
}

int
yaml_scalar_int (const char *text, bool yaml11, long long *out)
{
  const char *p = text;
  bool negative = false;
  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    base = 16, p += 2;
  else if (p[0] == '0' && p[1] == 'o')
    base = 8, p += 2;
  else if (p[0] == '0' && p[1] == 'b')
    base = 2, p += 2;
  else if (yaml11 && p[0] == '0' && p[1] != '\0')
    base = 8, p += 1; /* YAML 1.1: 0755 */
  char digits[80];
  if (!only_digits (p, base, yaml11, digits, sizeof digits))
    return -1;
  errno = 0;
  unsigned long long v = strtoull (digits, NULL, base);
  if (errno == ERANGE || v > (unsigned long long)INT64_MAX + negative)
    return 0;
  *out = negative ? (long long)(0 - v) : (long long)v;
  return 1;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
bool
yaml_scalar_float (const char *text, double *out)
{
  const char *p = text;
  if (*p == '-' || *p == '+')
    p++;
  size_t before = strspn (p, "0123456789");
  p += before;
  size_t after = 0;
  if (*p == '.')
    {
      after = strspn (p + 1, "0123456789");
      p += 1 + after;
    }
  if (before == 0 && after == 0)
    return false;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '-' || *p == '+')
        p++;
      size_t exp = strspn (p, "0123456789");
      if (exp == 0)
        return false;
      p += exp;
    }
  if (*p != '\0')
    return false;
  *out = strtod (text, NULL);
  return true;
}

bool
yaml_scalar_is_special_float (const char *text)
{
  static const char *const words[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                       "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
                                       NULL };
  return one_of (text, words);
}

enum yaml_scalar_type
yaml_plain_scalar_type (const char *text, bool yaml11_booleans)
{
  long long i;
  double d;
  if (one_of (text, null_words))
    return YAML_SCALAR_NULL;
  if (yaml_scalar_bool (text, yaml11_booleans) >= 0)
    return YAML_SCALAR_BOOL;
  if (yaml_scalar_int (text, yaml11_booleans, &i) >= 0)
    return YAML_SCALAR_INT;
  if (yaml_scalar_float (text, &d) || yaml_scalar_is_special_float (text))
    return YAML_SCALAR_FLOAT;
  return YAML_SCALAR_STRING;
}
