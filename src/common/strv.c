/* SPDX-License-Identifier: Apache-2.0 */
#include "strv.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

size_t
strv_length (char *const *v)
{
  size_t n = 0;
  if (v != NULL)
    while (v[n] != NULL)
      n++;
  return n;
}

void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **s = v; *s != NULL; s++)
    free (*s);
  free (v);
}

void
strv_append_take (char ***v, char *s)
{
  size_t n = strv_length (*v);
  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = s;
  (*v)[n + 1] = NULL;
}

void
strv_append (char ***v, const char *s)
{
  strv_append_take (v, xstrdup (s));
}

char **
strv_copy (char *const *v)
{
  size_t n = strv_length (v);
  char **copy = xreallocarray (NULL, n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    copy[i] = xstrdup (v[i]);
  copy[n] = NULL;
  return copy;
}

bool
strv_contains (char *const *v, const char *s)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static char **
env_find (char *const *env, const char *name)
{
  size_t len = strlen (name);
  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    if (strncmp (env[i], name, len) == 0 && env[i][len] == '=')
      return (char **) &env[i];
  return NULL;
}

const char *
strv_env_get (char *const *env, const char *name)
{
  char **slot = env_find (env, name);
  return slot ? *slot + strlen (name) + 1 : NULL;
}

void
strv_env_set (char ***env, const char *name, const char *value)
{
  char *entry = xasprintf ("%s=%s", name, value);
  char **slot = env_find (*env, name);
  if (slot != NULL)
    {
      free (*slot);
      *slot = entry;
    }
  else
    strv_append_take (env, entry);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

void
strv_sort (char **v)
{
  size_t n = strv_length (v);
  if (n > 1)
    qsort (v, n, sizeof *v, compare_strings);
}

char *
strv_join (char *const *v, const char *sep)
{
  size_t len = 1, n = strv_length (v);
  for (size_t i = 0; i < n; i++)
    len += strlen (v[i]) + (i ? strlen (sep) : 0);
  char *out = xmalloc (len), *p = out;
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        p = stpcpy (p, sep);
      p = stpcpy (p, v[i]);
    }
  *p = '\0';
  return out;
}
