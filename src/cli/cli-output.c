/* SPDX-License-Identifier: Apache-2.0 */
/* Output for people and scripts: sizes and times as Docker writes them,
 * aligned tables, and a small subset of Go templates for --format. */
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "hako-cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *
cli_size_text (uint64_t bytes, bool binary, int digits)
{
  static const char *const decimal[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  static const char *const powers_of_two[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
  const char *const *units = binary ? powers_of_two : decimal;
  double step = binary ? 1024.0 : 1000.0;
  double v = (double)bytes;
  size_t u = 0;
  while (v >= step && u + 1 < sizeof decimal / sizeof decimal[0])
    {
      v /= step;
      u++;
    }
  return xasprintf ("%.*g%s", digits, v, units[u]);
}

char *
cli_human_size (uint64_t bytes)
{
  return cli_size_text (bytes, false, 4);
}

char *
cli_human_duration (int64_t d)
{
  if (d < 1)
    return xstrdup ("Less than a second");
  if (d == 1)
    return xstrdup ("1 second");
  if (d < 60)
    return xasprintf ("%lld seconds", (long long)d);
  int64_t m = d / 60;
  if (m == 1)
    return xstrdup ("About a minute");
  if (m < 60)
    return xasprintf ("%lld minutes", (long long)m);
  int64_t h = m / 60;
  if (h == 1)
    return xstrdup ("About an hour");
  if (h < 48)
    return xasprintf ("%lld hours", (long long)h);
  if (h < 24 * 7 * 2)
    return xasprintf ("%lld days", (long long)(h / 24));
  if (h < 24 * 30 * 2)
    return xasprintf ("%lld weeks", (long long)(h / 24 / 7));
  if (h < 24 * 365 * 2)
    return xasprintf ("%lld months", (long long)(h / 24 / 30));
  return xasprintf ("%lld years", (long long)(h / 24 / 365));
}

char *
cli_human_since (int64_t t)
{
  if (t <= 0)
    return xstrdup ("N/A");
  _cleanup_free_ char *d = cli_human_duration ((int64_t)time (NULL) - t);
  return xasprintf ("%s ago", d);
}

int64_t
cli_parse_time (const char *text)
{
  if (text == NULL || *text == '\0')
    return 0;
  struct tm tm = { 0 };
  const char *rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL)
    return 0;
  int64_t t = (int64_t)timegm (&tm);
  while (*rest == '.' || isdigit ((unsigned char)*rest))
    rest++;
  if (*rest == '+' || *rest == '-')
    {
      int hh = 0, mm = 0;
      if (sscanf (rest + 1, "%2d:%2d", &hh, &mm) == 2)
        t += (*rest == '+' ? -1 : 1) * (hh * 3600 + mm * 60);
    }
  return t;
}

char *
cli_short_id (const char *id)
{
  const char *hex = strncmp (id, "sha256:", 7) == 0 ? id + 7 : id;
  return xstrndup (hex, 12);
}

struct cli_table
{
  size_t cols;
  size_t rows;
  char **cells; /* rows * cols, row 0 the headers */
};

struct cli_table *
cli_table_new (const char *const *headers)
{
  struct cli_table *t = xzalloc (sizeof *t);
  while (headers[t->cols])
    t->cols++;
  cli_table_add (t, headers);
  return t;
}

void
cli_table_add (struct cli_table *t, const char *const *cells)
{
  t->cells = xreallocarray (t->cells, (t->rows + 1) * t->cols, sizeof (char *));
  for (size_t c = 0; c < t->cols; c++)
    t->cells[t->rows * t->cols + c] = xstrdup (cells[c] ? cells[c] : "");
  t->rows++;
}

void
cli_table_print (struct cli_table *t, FILE *out)
{
  _cleanup_free_ size_t *width = xzalloc (t->cols * sizeof *width);
  for (size_t r = 0; r < t->rows; r++)
    for (size_t c = 0; c < t->cols; c++)
      {
        size_t w = strlen (t->cells[r * t->cols + c]);
        if (w > width[c])
          width[c] = w;
      }
  for (size_t r = 0; r < t->rows; r++)
    {
      for (size_t c = 0; c < t->cols; c++)
        {
          const char *cell = t->cells[r * t->cols + c];
          if (c + 1 == t->cols)
            fprintf (out, "%s\n", cell);
          else
            fprintf (out, "%-*s   ", (int)width[c], cell);
        }
    }
}

void
cli_table_free (struct cli_table *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->rows * t->cols; i++)
    free (t->cells[i]);
  free (t->cells);
  free (t);
}

/* Walks ".A.B" from OBJ; "." is OBJ itself. */
static json_t *
lookup_path (json_t *obj, const char *path, size_t len)
{
  if (len == 0 || path[0] != '.')
    return NULL;
  json_t *cur = obj;
  size_t i = 1;
  while (i < len)
    {
      size_t j = i;
      while (j < len && path[j] != '.')
        j++;
      if (j > i)
        {
          _cleanup_free_ char *key = xstrndup (path + i, j - i);
          cur = json_is_object (cur) ? json_object_get (cur, key) : NULL;
          if (cur == NULL)
            return NULL;
        }
      i = j + 1;
    }
  return cur;
}

static void
append (char **buf, size_t *len, const char *s, size_t n)
{
  *buf = xrealloc (*buf, *len + n + 1);
  memcpy (*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
}

static void
append_value (char **buf, size_t *len, json_t *v, bool as_json)
{
  if (v == NULL || json_is_null (v))
    {
      if (as_json)
        append (buf, len, "null", 4);
      else
        append (buf, len, "<no value>", 10);
      return;
    }
  if (!as_json && json_is_string (v))
    {
      append (buf, len, json_string_value (v), json_string_length (v));
      return;
    }
  if (!as_json && json_is_integer (v))
    {
      char num[32];
      int n = snprintf (num, sizeof num, "%lld", (long long)json_integer_value (v));
      append (buf, len, num, (size_t)n);
      return;
    }
  if (!as_json && json_is_boolean (v))
    {
      append (buf, len, json_is_true (v) ? "true" : "false", json_is_true (v) ? 4 : 5);
      return;
    }
  if (!as_json && json_is_array (v))
    {
      /* Go prints a list as [a b c] */
      append (buf, len, "[", 1);
      size_t i;
      json_t *item;
      json_array_foreach (v, i, item)
      {
        if (i)
          append (buf, len, " ", 1);
        append_value (buf, len, item, false);
      }
      append (buf, len, "]", 1);
      return;
    }
  char *text = json_dumps (v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (text)
    append (buf, len, text, strlen (text));
  free (text);
}

char *
cli_format_template (const char *format, json_t *obj, struct hk_error **err)
{
  char *out = xstrdup ("");
  size_t len = 0;
  const char *p = format;
  while (*p)
    {
      if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n'))
        {
          append (&out, &len, p[1] == 't' ? "\t" : "\n", 1);
          p += 2;
          continue;
        }
      if (p[0] != '{' || p[1] != '{')
        {
          append (&out, &len, p, 1);
          p++;
          continue;
        }
      const char *end = strstr (p + 2, "}}");
      if (end == NULL)
        {
          free (out);
          hk_error_set (err, EINVAL, "--format `%s`: unclosed `{{`", format);
          return NULL;
        }
      const char *a = p + 2, *b = end;
      while (a < b && isspace ((unsigned char)*a))
        a++;
      while (b > a && isspace ((unsigned char)b[-1]))
        b--;
      bool as_json = false;
      if (b - a >= 4 && strncmp (a, "json", 4) == 0
          && (b - a == 4 || isspace ((unsigned char)a[4])))
        {
          as_json = true;
          a += 4;
          while (a < b && isspace ((unsigned char)*a))
            a++;
        }
      if (a == b || *a != '.')
        {
          _cleanup_free_ char *expr = xstrndup (p, (size_t)(end + 2 - p));
          free (out);
          hk_error_set (err, EINVAL,
                        "--format: `%s` is not supported (use {{.Field}} or "
                        "{{json .Field}})",
                        expr);
          return NULL;
        }
      append_value (&out, &len, lookup_path (obj, a, (size_t)(b - a)), as_json);
      p = end + 2;
    }
  return out;
}

int
cli_inspect_options (int argc, char **argv, const char *command, const char *usage,
                     const char *missing, const char **format, struct hk_error **err)
{
  static const struct option options[]
      = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  *format = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "f:", options, NULL)) != -1)
    {
      if (c != 'f')
        return cli_bad_option (err, command, argv);
      *format = optarg;
    }
  if (optind >= argc)
    return cli_usage (err, command, usage, missing);
  return 0;
}

int
cli_print_inspect (json_t *docs, const char *format, struct hk_error **err)
{
  if (format == NULL || strcmp (format, "json") == 0)
    {
      _cleanup_free_ char *text = json_to_string (docs, true);
      fputs (text, stdout);
      return 0;
    }
  size_t i;
  json_t *doc;
  json_array_foreach (docs, i, doc)
  {
    _cleanup_free_ char *line = cli_format_template (format, doc, err);
    if (line == NULL)
      return -1;
    printf ("%s\n", line);
  }
  return 0;
}
