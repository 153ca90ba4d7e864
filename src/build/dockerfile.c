/* SPDX-License-Identifier: Apache-2.0 */
#include "dockerfile.h"
#include "common/blanks.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

/* Caps on what one file may make us hold. */
#define MAX_INSTRUCTIONS 10000
#define MAX_FLAGS        64
#define MAX_HEREDOCS     16

static const struct
{
  const char *name;
  enum df_kind kind;
  const char *flags; /* the flags it takes, space separated, each followed by a space */
  const char *unsupported; /* flags of Docker's reference hako refuses, so too */
} keywords[] = {
  { "FROM", DF_FROM, "platform " },
  { "RUN", DF_RUN, "mount network security " },
  { "CMD", DF_CMD, "" },
  { "LABEL", DF_LABEL, "" },
  { "MAINTAINER", DF_MAINTAINER, "" },
  { "EXPOSE", DF_EXPOSE, "" },
  { "ENV", DF_ENV, "" },
  { "ADD", DF_ADD, "chown chmod link checksum ", "keep-git-dir exclude " },
  { "COPY", DF_COPY, "from chown chmod link ", "parents exclude " },
  { "ENTRYPOINT", DF_ENTRYPOINT, "" },
  { "VOLUME", DF_VOLUME, "" },
  { "USER", DF_USER, "" },
  { "WORKDIR", DF_WORKDIR, "" },
  { "ARG", DF_ARG, "" },
  { "ONBUILD", DF_ONBUILD, "" },
  { "STOPSIGNAL", DF_STOPSIGNAL, "" },
  { "HEALTHCHECK", DF_HEALTHCHECK, "interval timeout start-period start-interval retries " },
  { "SHELL", DF_SHELL, "" },
};

const char *
df_kind_name (enum df_kind k)
{
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (keywords[i].kind == k)
      return keywords[i].name;
  return "?";
}

/* The physical lines of the text, consumed one at a time. */
struct reader
{
  const char *name;
  const char *p, *end;
  unsigned line; /* of the next line to read, 1-based */
  char escape;
};

/* The next line without its newline (owned), or NULL at the end. */
static char *
next_line (struct reader *r, unsigned *line)
{
  if (r->p >= r->end)
    return NULL;
  const char *nl = memchr (r->p, '\n', (size_t)(r->end - r->p));
  const char *stop = nl ? nl : r->end;
  size_t n = (size_t)(stop - r->p);
  if (n > 0 && r->p[n - 1] == '\r')
    n--;
  char *s = xstrndup (r->p, n);
  r->p = nl ? nl + 1 : r->end;
  *line = r->line++;
  return s;
}

static bool
blank (const char *s)
{
  return *skip_blanks (s) == '\0';
}

static bool
comment (const char *s)
{
  return *skip_blanks (s) == '#';
}

static int
syntax_error (struct hk_error **err, const struct reader *r, unsigned line, unsigned col,
              const char *fmt, const char *what)
{
  _cleanup_free_ char *msg = xasprintf (fmt, what);
  return hk_error_set (err, EINVAL, "%s:%u:%u: %s", r->name, line, col, msg);
}

/* `# key=value` at the top of the file.  Returns 1 for a directive, 0 for
 * any other line (directives end there), -1 on error. */
static int
directive (struct reader *r, struct dockerfile *df, const char *s, unsigned line, bool *seen_escape,
           struct hk_error **err)
{
  const char *p = skip_blanks (s);
  if (*p++ != '#')
    return 0;
  p = skip_blanks (p);
  const char *key = p;
  while (isalnum ((unsigned char)*p))
    p++;
  size_t klen = (size_t)(p - key);
  p = skip_blanks (p);
  if (klen == 0 || *p++ != '=')
    return 0;
  p = skip_blanks (p);
  _cleanup_free_ char *value = xstrdup (p);
  for (size_t n = strlen (value); n > 0 && isspace ((unsigned char)value[n - 1]); n--)
    value[n - 1] = '\0';
  if (klen == 6 && strncasecmp (key, "escape", 6) == 0)
    {
      if (*seen_escape)
        return syntax_error (err, r, line, 1, "%s", "only one escape parser directive can be used");
      if (strcmp (value, "\\") != 0 && strcmp (value, "`") != 0)
        return syntax_error (err, r, line, 1, "invalid escape token `%s`: must be ` or \\",
                             value);
      *seen_escape = true;
      r->escape = df->escape = value[0];
    }
  else if (klen == 6 && strncasecmp (key, "syntax", 6) == 0)
    strv_append_take (&df->notes, xasprintf ("%s:%u: the syntax directive (`%s`) is ignored: "
                                             "hako parses the Dockerfile itself",
                                             r->name, line, value));
  return 1;
}

/* Whether S, right-trimmed, ends with the escape character; removes it. */
static bool
continues (char *s, char escape)
{
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n == 0 || s[n - 1] != escape)
    return false;
  s[n - 1] = '\0';
  return true;
}

/* The logical line that starts with FIRST: continuation lines joined,
 * comment and empty lines inside it dropped. */
static char *
logical_line (struct reader *r, char *first)
{
  char *joined = first;
  if (!continues (joined, r->escape))
    return joined;
  char *s;
  unsigned line;
  while ((s = next_line (r, &line)) != NULL)
    {
      if (comment (s) || blank (s))
        {
          free (s);
          continue;
        }
      bool more = continues (s, r->escape);
      char *t = xasprintf ("%s%s", joined, s);
      free (joined);
      free (s);
      joined = t;
      if (!more)
        break;
    }
  return joined;
}

/* A word up to unquoted blank space, quotes removed (a flag's value may be
 * quoted); *P moves past it. */
static char *
read_flag_word (const char **p)
{
  const char *s = *p;
  char *out = xmalloc (strlen (s) + 1);
  size_t n = 0;
  char quote = 0;
  for (; *s; s++)
    {
      if (!quote && (*s == ' ' || *s == '\t'))
        break;
      if ((*s == '"' || *s == '\'') && (!quote || quote == *s))
        {
          quote = quote ? 0 : *s;
          continue;
        }
      out[n++] = *s;
    }
  out[n] = '\0';
  *p = s;
  return out;
}

static bool
flag_allowed (const char *allowed, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = allowed; *p; p += strcspn (p, " ") + 1)
    if (n > 0 && strncmp (p, name, n) == 0 && p[n] == ' ')
      return true;
  return false;
}

static int
parse_flags (const struct reader *r, struct df_instruction *in, const char *allowed,
             const char *unsupported, const char **rest, struct hk_error **err)
{
  const char *p = *rest;
  while (p[0] == '-' && p[1] == '-')
    {
      unsigned col = (unsigned)(p - in->text) + in->column;
      _cleanup_free_ char *word = read_flag_word (&p);
      p = skip_blanks (p);
      if (strcmp (word, "--") == 0)
        break;
      char *eq = strchr (word, '=');
      _cleanup_free_ char *name = xstrndup (word + 2, eq ? (size_t)(eq - word - 2) : strlen (word + 2));
      if (unsupported && flag_allowed (unsupported, name))
        {
          /* Accepted and ignored, it would give another image than Docker's. */
          _cleanup_free_ char *what = xasprintf ("%s --%s", df_kind_name (in->kind), name);
          return syntax_error (err, r, in->line, col, "%s is not supported by hako build", what);
        }
      if (!flag_allowed (allowed, name))
        {
          _cleanup_free_ char *what = xasprintf ("%s --%s", df_kind_name (in->kind), name);
          return syntax_error (err, r, in->line, col, "unknown flag: %s", what);
        }
      if (in->n_flags >= MAX_FLAGS)
        return syntax_error (err, r, in->line, col, "%s", "too many flags");
      in->flags = xreallocarray (in->flags, in->n_flags + 1, sizeof *in->flags);
      in->flags[in->n_flags++]
          = (struct df_flag){ .name = take_ptr (name), .value = eq ? xstrdup (eq + 1) : NULL };
    }
  *rest = p;
  return 0;
}

char **
dockerfile_json_form (const char *args)
{
  if (*args != '[')
    return NULL;
  json_t *arr = json_loads (args, JSON_DECODE_ANY, NULL);
  if (!json_is_array (arr))
    {
      json_decref (arr);
      return NULL;
    }
  char **v = xzalloc (sizeof *v);
  size_t i;
  json_t *e;
  json_array_foreach (arr, i, e)
  {
    if (!json_is_string (e) || strlen (json_string_value (e)) != json_string_length (e))
      {
        strv_free (v);
        json_decref (arr);
        return NULL;
      }
    strv_append (&v, json_string_value (e));
  }
  json_decref (arr);
  return v;
}

/* `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` at P (just past "<<").  Returns
 * the name, or NULL when this is not a heredoc (`<<<`, no word). */
static char *
heredoc_word (const char *p, bool *strip_tabs, bool *expand, const char **end)
{
  *strip_tabs = *p == '-';
  if (*strip_tabs)
    p++;
  char quote = (*p == '"' || *p == '\'') ? *p++ : 0;
  const char *w = p;
  while (isalnum ((unsigned char)*p) || *p == '_')
    p++;
  if (p == w || (quote && *p != quote))
    return NULL;
  *expand = quote == 0;
  *end = quote ? p + 1 : p;
  return xstrndup (w, (size_t)(p - w));
}

static int
read_heredoc (struct reader *r, struct df_heredoc *h, unsigned line, unsigned col,
              struct hk_error **err)
{
  size_t cap = 256, n = 0;
  char *body = xmalloc (cap);
  char *s;
  unsigned at;
  while ((s = next_line (r, &at)) != NULL)
    {
      const char *t = s;
      if (h->strip_tabs)
        while (*t == '\t')
          t++;
      if (strcmp (t, h->name) == 0)
        {
          free (s);
          body[n] = '\0';
          h->content = body;
          return 0;
        }
      size_t len = strlen (t);
      while (n + len + 2 > cap)
        body = xrealloc (body, cap *= 2);
      memcpy (body + n, t, len);
      n += len;
      body[n++] = '\n';
      free (s);
    }
  free (body);
  return syntax_error (err, r, line, col, "unterminated heredoc: no line `%s` ends it", h->name);
}

/* Finds the heredocs of a RUN, COPY or ADD line (words starting with "<<"
 * outside quotes) and reads their bodies from the lines that follow. */
static int
heredocs (struct reader *r, struct df_instruction *in, struct hk_error **err)
{
  char quote = 0;
  for (const char *p = in->args; *p; p++)
    {
      if ((*p == '"' || *p == '\'') && (!quote || quote == *p))
        quote = quote ? 0 : *p;
      if (quote || p[0] != '<' || p[1] != '<' || p[2] == '<'
          || (p > in->args && p[-1] != ' ' && p[-1] != '\t'))
        continue;
      struct df_heredoc h = { 0 };
      const char *end;
      h.name = heredoc_word (p + 2, &h.strip_tabs, &h.expand, &end);
      if (h.name == NULL)
        continue;
      unsigned col = in->args_column + (unsigned)(p - in->args);
      if (in->n_heredocs >= MAX_HEREDOCS)
        {
          free (h.name);
          return syntax_error (err, r, in->line, col, "%s", "too many heredocs");
        }
      in->heredocs = xreallocarray (in->heredocs, in->n_heredocs + 1, sizeof *in->heredocs);
      in->heredocs[in->n_heredocs++] = h;
      if (read_heredoc (r, &in->heredocs[in->n_heredocs - 1], in->line, col, err) < 0)
        return -1;
      p = end - 1;
    }
  return 0;
}

static void instruction_clear (struct df_instruction *in);

static int parse_instruction (struct reader *r, struct df_instruction *in, char *text,
                              unsigned line, unsigned column, bool nested, struct hk_error **err);

static int
parse_onbuild (struct reader *r, struct df_instruction *in, struct hk_error **err)
{
  unsigned col = in->args_column;
  struct df_instruction *inner = xzalloc (sizeof *inner);
  in->onbuild = inner;
  if (parse_instruction (r, inner, xstrdup (in->args), in->line, col, true, err) < 0)
    return -1;
  if (inner->kind == DF_ONBUILD || inner->kind == DF_FROM || inner->kind == DF_MAINTAINER)
    return syntax_error (err, r, in->line, col, "%s isn't allowed as an ONBUILD trigger",
                         df_kind_name (inner->kind));
  return 0;
}

/* TEXT (owned) is a logical line whose keyword is at COLUMN. */
static int
parse_instruction (struct reader *r, struct df_instruction *in, char *text, unsigned line,
                   unsigned column, bool nested, struct hk_error **err)
{
  const char *s = skip_blanks (text);
  column += (unsigned)(s - text);
  in->text = xstrdup (s);
  free (text);
  in->line = line;
  in->column = column;
  const char *p = in->text;
  size_t klen = strcspn (p, " \t");
  _cleanup_free_ char *keyword = xstrndup (p, klen);
  size_t k = 0, nk = sizeof keywords / sizeof keywords[0];
  while (k < nk && strcasecmp (keywords[k].name, keyword) != 0)
    k++;
  if (k == nk)
    return syntax_error (err, r, line, column, "unknown instruction `%s`", keyword);
  in->kind = keywords[k].kind;
  const char *rest = skip_blanks (p + klen);
  if (parse_flags (r, in, keywords[k].flags, keywords[k].unsupported, &rest, err) < 0)
    return -1;
  in->args = xstrdup (rest);
  in->args_column = column + (unsigned)(rest - in->text);
  for (size_t n = strlen (in->args); n > 0 && isspace ((unsigned char)in->args[n - 1]); n--)
    in->args[n - 1] = '\0';
  if (*in->args == '\0')
    return syntax_error (err, r, line, column, "%s requires at least one argument",
                         keywords[k].name);
  if (in->kind != DF_ONBUILD && in->kind != DF_ENV && in->kind != DF_LABEL
      && in->kind != DF_ARG)
    in->json_args = dockerfile_json_form (in->args);
  if (in->json_args == NULL && !nested
      && (in->kind == DF_RUN || in->kind == DF_COPY || in->kind == DF_ADD)
      && heredocs (r, in, err) < 0)
    return -1;
  if (in->kind == DF_ONBUILD)
    return parse_onbuild (r, in, err);
  return 0;
}

static int
parse_lines (struct reader *r, struct dockerfile *df, struct hk_error **err)
{
  bool directives = true, seen_escape = false;
  char *s;
  unsigned line;
  while ((s = next_line (r, &line)) != NULL)
    {
      _cleanup_free_ char *raw = s;
      if (directives)
        {
          int d = directive (r, df, raw, line, &seen_escape, err);
          if (d < 0)
            return -1;
          if (d > 0)
            continue;
          directives = false;
        }
      if (blank (raw) || comment (raw))
        continue;
      if (df->n_inst >= MAX_INSTRUCTIONS)
        return syntax_error (err, r, line, 1, "%s", "too many instructions");
      char *text = logical_line (r, take_ptr (raw));
      df->inst = xreallocarray (df->inst, df->n_inst + 1, sizeof *df->inst);
      struct df_instruction *in = &df->inst[df->n_inst++];
      memset (in, 0, sizeof *in);
      if (parse_instruction (r, in, text, line, 1, false, err) < 0)
        return -1;
    }
  return 0;
}

int
dockerfile_parse (const char *name, const char *text, size_t len, struct dockerfile **out,
                  struct hk_error **err)
{
  if (len > DOCKERFILE_MAX_SIZE)
    return hk_error_set (err, EFBIG, "%s: larger than %u bytes", name, DOCKERFILE_MAX_SIZE);
  const char *nul = memchr (text, '\0', len);
  if (nul != NULL)
    {
      unsigned line = 1, col = 1;
      for (const char *p = text; p < nul; p++, col++)
        if (*p == '\n')
          line++, col = 0;
      return hk_error_set (err, EINVAL, "%s:%u:%u: a NUL byte: not a text file", name, line, col);
    }
  struct dockerfile *df = xzalloc (sizeof *df);
  df->escape = '\\';
  struct reader r = { .name = name, .p = text, .end = text + len, .line = 1, .escape = '\\' };
  /* A byte order mark is allowed, as Docker allows it. */
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    r.p += 3;
  if (parse_lines (&r, df, err) < 0)
    {
      dockerfile_free (df);
      return -1;
    }
  *out = df;
  return 0;
}

static void
instruction_clear (struct df_instruction *in)
{
  free (in->text);
  for (size_t i = 0; i < in->n_flags; i++)
    {
      free (in->flags[i].name);
      free (in->flags[i].value);
    }
  free (in->flags);
  free (in->args);
  strv_free (in->json_args);
  for (size_t i = 0; i < in->n_heredocs; i++)
    {
      free (in->heredocs[i].name);
      free (in->heredocs[i].content);
    }
  free (in->heredocs);
  if (in->onbuild)
    {
      instruction_clear (in->onbuild);
      free (in->onbuild);
    }
}

void
dockerfile_free (struct dockerfile *df)
{
  if (df == NULL)
    return;
  for (size_t i = 0; i < df->n_inst; i++)
    instruction_clear (&df->inst[i]);
  free (df->inst);
  strv_free (df->notes);
  free (df);
}

const char *
df_flag_get (const struct df_instruction *i, const char *name, bool *present)
{
  const char *value = NULL;
  bool found = false;
  for (size_t k = 0; k < i->n_flags; k++)
    if (strcmp (i->flags[k].name, name) == 0)
      {
        value = i->flags[k].value;
        found = true;
      }
  if (present)
    *present = found;
  return value;
}

const char **
df_flag_all (const struct df_instruction *i, const char *name)
{
  const char **v = xzalloc ((i->n_flags + 1) * sizeof *v);
  size_t n = 0;
  for (size_t k = 0; k < i->n_flags; k++)
    if (strcmp (i->flags[k].name, name) == 0 && i->flags[k].value)
      v[n++] = i->flags[k].value;
  return v;
}
