/* SPDX-License-Identifier: Apache-2.0 */
/* Interpolation by recursive descent over the text: a template is text
 * with substitutions; the default, error and replacement parts of a
 * braced substitution are templates themselves, expanded only when they
 * are used (an unused ${A:?...} inside a default must not fail). */
#include "compose-interpolate.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct scan
{
  const char *text; /* the whole value, for errors */
  const char *p;
  char *const *env;
  char ***unset;
};

/* A growing string. */
struct buf
{
  char *s;
  size_t len, cap;
};

static void
buf_add (struct buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      b->cap = (b->len + n + 1) * 2;
      b->s = xrealloc (b->s, b->cap);
    }
  memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static bool
is_name_start (char c)
{
  return c == '_' || isalpha ((unsigned char)c);
}

static bool
is_name_char (char c)
{
  return c == '_' || isalnum ((unsigned char)c);
}

static int
invalid (struct scan *s, struct hk_error **err, const char *why)
{
  return hk_error_set (err, EINVAL, "invalid interpolation format for \"%s\": %s", s->text, why);
}

static const char *
lookup (struct scan *s, const char *name)
{
  return strv_env_get (s->env, name);
}

static void
note_unset (struct scan *s, const char *name)
{
  if (s->unset && !strv_contains (*s->unset, name))
    strv_append (s->unset, name);
}

static int template (struct scan *s, bool in_braces, bool eval, struct buf *out,
                     struct hk_error **err);

/* "${...}" with S->p after the "${". */
static int
braced (struct scan *s, bool eval, struct buf *out, struct hk_error **err)
{
  const char *start = s->p;
  if (!is_name_start (*s->p))
    return invalid (s, err, "a variable name must start with a letter or _");
  while (is_name_char (*s->p))
    s->p++;
  _cleanup_free_ char *name = xstrndup (start, (size_t)(s->p - start));
  const char *value = eval ? lookup (s, name) : NULL;
  if (*s->p == '}')
    {
      s->p++;
      if (!eval)
        return 0;
      if (value == NULL)
        note_unset (s, name);
      else
        buf_add (out, value, strlen (value));
      return 0;
    }
  bool colon = *s->p == ':';
  if (colon)
    s->p++;
  char op = *s->p;
  if (op != '-' && op != '?' && op != '+')
    return invalid (s, err, *s->p ? "expected }, :-, -, :?, ?, :+ or + after the name"
                                  : "a ${ is not closed");
  s->p++;
  /* "unset" in the :forms also covers an empty value */
  bool set = value != NULL && (!colon || *value != '\0');
  struct buf operand = { 0 };
  _cleanup_free_ char *operand_text = NULL;
  bool use_operand = eval && (op == '+' ? set : !set);
  /* the operand: a template up to the closing brace */
  int rc = template (s, true, use_operand, &operand, err);
  operand_text = operand.s;
  if (rc < 0 || !eval)
    return rc;
  switch (op)
    {
    case '-':
    case '+':
      if (use_operand && operand_text)
        buf_add (out, operand_text, operand.len);
      else if (!use_operand && op == '-')
        buf_add (out, value, strlen (value));
      return 0;
    default: /* '?' */
      if (set)
        {
          buf_add (out, value, strlen (value));
          return 0;
        }
      return hk_error_set (err, EINVAL, "required variable %s is missing a value%s%s", name,
                           operand_text && *operand_text ? ": " : "",
                           operand_text ? operand_text : "");
    }
}

/* "$..." with S->p after the "$". */
static int
substitution (struct scan *s, bool eval, struct buf *out, struct hk_error **err)
{
  if (*s->p == '$')
    {
      s->p++;
      if (eval)
        buf_add (out, "$", 1);
      return 0;
    }
  if (*s->p == '{')
    {
      s->p++;
      return braced (s, eval, out, err);
    }
  if (!is_name_start (*s->p))
    return invalid (s, err, "a $ must start a variable ($NAME, ${NAME}) or be written $$");
  const char *start = s->p;
  while (is_name_char (*s->p))
    s->p++;
  if (!eval)
    return 0;
  _cleanup_free_ char *name = xstrndup (start, (size_t)(s->p - start));
  const char *value = lookup (s, name);
  if (value == NULL)
    note_unset (s, name);
  else
    buf_add (out, value, strlen (value));
  return 0;
}

/* Text and substitutions up to the end, or (IN_BRACES) up to the "}"
 * that closes the substitution it is the operand of, which it consumes. */
static int template (struct scan *s, bool in_braces, bool eval, struct buf *out,
                     struct hk_error **err)
{
  for (;;)
    {
      const char *run = s->p;
      while (*s->p && *s->p != '$' && !(in_braces && *s->p == '}'))
        s->p++;
      if (eval)
        buf_add (out, run, (size_t)(s->p - run));
      if (*s->p == '\0')
        return in_braces ? invalid (s, err, "a ${ is not closed") : 0;
      if (*s->p == '}')
        {
          s->p++;
          return 0;
        }
      s->p++; /* the '$' */
      if (substitution (s, eval, out, err) < 0)
        return -1;
    }
}

int
compose_interpolate (const char *text, char *const *env, char ***unset, char **out,
                     struct hk_error **err)
{
  struct scan s = { .text = text, .p = text, .env = env, .unset = unset };
  struct buf b = { 0 };
  buf_add (&b, "", 0);
  if (template (&s, false, true, &b, err) < 0)
    {
      free (b.s);
      return -1;
    }
  *out = b.s;
  return 0;
}

/* The string V at PATH, interpolated: a new string into *OUT. */
static int
interpolate_value (json_t *v, const char *path, char *const *env, char ***unset, json_t **out,
                   struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  if (compose_interpolate (json_string_value (v), env, unset, &text, err) < 0)
    return hk_error_prefix (err, "%s", path);
  *out = json_string (text);
  if (*out == NULL)
    return hk_error_set (err, EINVAL, "%s: the interpolated value is not valid UTF-8", path);
  return 0;
}

int
compose_interpolate_tree (json_t *root, const char *path, char *const *env, char ***unset,
                          struct hk_error **err)
{
  const char *key;
  size_t i;
  json_t *v, *text;
  if (json_is_object (root))
    json_object_foreach (root, key, v)
    {
      _cleanup_free_ char *p = json_path_key (path, key);
      if (!json_is_string (v))
        {
          if (compose_interpolate_tree (v, p, env, unset, err) < 0)
            return -1;
        }
      else if (interpolate_value (v, p, env, unset, &text, err) < 0)
        return -1;
      else
        json_object_set_new (root, key, text);
    }
  else if (json_is_array (root))
    json_array_foreach (root, i, v)
    {
      _cleanup_free_ char *p = json_path_index (path, i);
      if (!json_is_string (v))
        {
          if (compose_interpolate_tree (v, p, env, unset, err) < 0)
            return -1;
        }
      else if (interpolate_value (v, p, env, unset, &text, err) < 0)
        return -1;
      else
        json_array_set_new (root, i, text);
    }
  return 0;
}
