/* SPDX-License-Identifier: Apache-2.0 */
#include "shell-word.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* A growing string. */
struct buf
{
  char *s;
  size_t n, cap;
};

static void
buf_add (struct buf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap)
    {
      b->cap = (b->n + n + 1) * 2;
      b->s = xrealloc (b->s, b->cap);
    }
  memcpy (b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static char *
buf_take (struct buf *b)
{
  if (b->s == NULL)
    return xstrdup ("");
  char *s = b->s;
  *b = (struct buf){ 0 };
  return s;
}

/* The words being made: a character that came from an unquoted source may
 * end a word; quoted ones never do. */
struct words
{
  char **list;
  struct buf cur;
  bool in_word;
};

static void
words_raw (struct words *w, const char *s, size_t n)
{
  buf_add (&w->cur, s, n);
  w->in_word = true;
}

static void
words_char (struct words *w, char c)
{
  if (c == ' ' || c == '\t' || c == '\n')
    {
      if (w->in_word)
        strv_append_take (&w->list, buf_take (&w->cur));
      w->in_word = false;
      return;
    }
  words_raw (w, &c, 1);
}

static void
words_string (struct words *w, const char *s)
{
  for (; *s; s++)
    words_char (w, *s);
}

struct lexer
{
  const char *p;
  char escape;
  char *const *vars;
  const char *text; /* for errors */
  int depth;
};

#define MAX_DEPTH 32

static int lex_until (struct lexer *l, char stop, struct buf *out, struct words *w,
                      struct hk_error **err);

static int
lex_single_quote (struct lexer *l, struct buf *out, struct hk_error **err)
{
  l->p++;
  const char *end = strchr (l->p, '\'');
  if (end == NULL)
    return hk_error_set (err, EINVAL, "`%s`: no closing single quote", l->text);
  buf_add (out, l->p, (size_t)(end - l->p));
  l->p = end + 1;
  return 0;
}

static int lex_dollar (struct lexer *l, struct buf *out, struct hk_error **err);

static int
lex_double_quote (struct lexer *l, struct buf *out, struct hk_error **err)
{
  l->p++;
  while (*l->p != '"')
    {
      if (*l->p == '\0')
        return hk_error_set (err, EINVAL, "`%s`: no closing double quote", l->text);
      if (*l->p == '$')
        {
          if (lex_dollar (l, out, err) < 0)
            return -1;
          continue;
        }
      if (*l->p == l->escape && (l->p[1] == '"' || l->p[1] == '$' || l->p[1] == l->escape))
        l->p++;
      buf_add (out, l->p++, 1);
    }
  l->p++;
  return 0;
}

static const char *
lookup (char *const *vars, const char *name, size_t n)
{
  const char *value = NULL;
  for (size_t i = 0; vars && vars[i]; i++)
    if (strncmp (vars[i], name, n) == 0 && vars[i][n] == '=')
      value = vars[i] + n + 1; /* the last one wins: ENV after ARG */
  return value;
}

/* ${NAME<op>word}: the word is lexed (it may hold variables and quotes)
 * whether or not it is used, as Docker does. */
static int
lex_braced (struct lexer *l, struct buf *out, struct hk_error **err)
{
  const char *name = ++l->p;
  while (isalnum ((unsigned char)*l->p) || *l->p == '_')
    l->p++;
  size_t n = (size_t)(l->p - name);
  if (n == 0)
    return hk_error_set (err, EINVAL, "`%s`: bad substitution: no variable name after ${",
                         l->text);
  const char *value = lookup (l->vars, name, n);
  if (*l->p == '}')
    {
      l->p++;
      if (value)
        buf_add (out, value, strlen (value));
      return 0;
    }
  bool colon = *l->p == ':';
  if (colon)
    l->p++;
  char op = *l->p;
  if (op != '-' && op != '+' && op != '?')
    return hk_error_set (err, EINVAL, "`%s`: unsupported modifier `%c` in substitution", l->text,
                         op ? op : ' ');
  l->p++;
  if (++l->depth > MAX_DEPTH)
    return hk_error_set (err, EINVAL, "`%s`: substitutions nested too deep", l->text);
  struct buf word = { 0 };
  int rc = lex_until (l, '}', &word, NULL, err);
  l->depth--;
  _cleanup_free_ char *alt = buf_take (&word);
  if (rc < 0)
    return -1;
  bool set = value != NULL && (!colon || *value != '\0');
  const char *result = value;
  if (op == '-')
    result = set ? value : alt;
  else if (op == '+')
    result = set ? alt : "";
  else if (!set)
    return hk_error_set (err, EINVAL, "%.*s: %s", (int)n, name,
                         *alt ? alt : "parameter null or not set");
  if (result)
    buf_add (out, result, strlen (result));
  return 0;
}

static int
lex_dollar (struct lexer *l, struct buf *out, struct hk_error **err)
{
  if (l->p[1] == '{')
    {
      l->p++;
      return lex_braced (l, out, err);
    }
  const char *name = ++l->p;
  while (isalnum ((unsigned char)*l->p) || *l->p == '_')
    l->p++;
  size_t n = (size_t)(l->p - name);
  if (n == 0)
    {
      buf_add (out, "$", 1);
      return 0;
    }
  const char *value = lookup (l->vars, name, n);
  if (value)
    buf_add (out, value, strlen (value));
  return 0;
}

/* Lexes up to STOP (0: the end), into OUT and, when W is given, into
 * words. */
static int
lex_until (struct lexer *l, char stop, struct buf *out, struct words *w, struct hk_error **err)
{
  while (*l->p)
    {
      char c = *l->p;
      if (stop && c == stop)
        {
          l->p++;
          return 0;
        }
      struct buf part = { 0 };
      int rc = 0;
      bool raw = true;
      if (c == '\'')
        rc = lex_single_quote (l, &part, err);
      else if (c == '"')
        rc = lex_double_quote (l, &part, err);
      else if (c == '$')
        {
          rc = lex_dollar (l, &part, err);
          raw = false;
        }
      else if (c == l->escape)
        {
          l->p++;
          if (*l->p == '\0')
            break;
          buf_add (&part, l->p++, 1);
        }
      else
        {
          l->p++;
          if (w)
            words_char (w, c);
          buf_add (out, &c, 1);
          continue;
        }
      _cleanup_free_ char *s = buf_take (&part);
      if (rc < 0)
        return -1;
      buf_add (out, s, strlen (s));
      if (w && raw)
        words_raw (w, s, strlen (s));
      else if (w)
        words_string (w, s);
    }
  if (stop)
    return hk_error_set (err, EINVAL, "`%s`: missing `%c`", l->text, stop);
  return 0;
}

int
shell_word_expand (const char *text, char escape, char *const *vars, char **out,
                   struct hk_error **err)
{
  struct lexer l = { .p = text, .escape = escape, .vars = vars, .text = text };
  struct buf b = { 0 };
  int rc = lex_until (&l, 0, &b, NULL, err);
  char *s = buf_take (&b);
  if (rc < 0)
    {
      free (s);
      return -1;
    }
  *out = s;
  return 0;
}

int
shell_word_split (const char *text, char escape, char *const *vars, char ***out,
                  struct hk_error **err)
{
  struct lexer l = { .p = text, .escape = escape, .vars = vars, .text = text };
  struct buf b = { 0 };
  struct words w = { .list = xzalloc (sizeof (char *)) };
  int rc = lex_until (&l, 0, &b, &w, err);
  free (buf_take (&b));
  if (w.in_word)
    strv_append_take (&w.list, buf_take (&w.cur));
  free (w.cur.s);
  if (rc < 0)
    {
      strv_free (w.list);
      return -1;
    }
  *out = w.list;
  return 0;
}

char **
shell_word_fields (const char *text, char escape)
{
  char **list = xzalloc (sizeof *list);
  const char *p = text;
  while (*p)
    {
      while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
      if (*p == '\0')
        break;
      const char *start = p;
      char quote = 0;
      for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++)
        {
          if (*p == escape && p[1] != '\0' && quote != '\'')
            p++;
          else if ((*p == '"' || *p == '\'') && (!quote || quote == *p))
            quote = quote ? 0 : *p;
        }
      strv_append_take (&list, xstrndup (start, (size_t)(p - start)));
    }
  return list;
}
