/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-conf.h"
#include "ctr-config-userns.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

static char *
trim (char *s)
{
  while (isspace ((unsigned char)*s))
    s++;
  size_t n = strlen (s);
  while (n > 0 && isspace ((unsigned char)s[n - 1]))
    s[--n] = '\0';
  return s;
}

/* VALUE of the userns key: a mode of --userns. */
static int
check_userns (const char *value, const char *where, struct hk_error **err)
{
  if (strcmp (value, "keep-id") == 0 || strcmp (value, "nomap") == 0
      || strncmp (value, "ns:", 3) == 0)
    return hk_error_set (err, EINVAL, "%s: userns = \"%s\": a default must be host, auto, "
                                      "auto:size=N or remap:USER", where, value);
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  if (config_parse_userns (&c, value, err) < 0)
    return hk_error_prefix (err, "%s", where);
  return 0;
}

/* One "key = value" line (LINE) of the file. */
static int
parse_line (struct hako_conf *c, char *text, const char *where, struct hk_error **err)
{
  char *eq = strchr (text, '=');
  if (eq == NULL)
    return hk_error_set (err, EINVAL, "%s: not `key = \"value\"`", where);
  *eq = '\0';
  char *key = trim (text), *value = trim (eq + 1);
  size_t n = strlen (value);
  if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
    {
      value[n - 1] = '\0';
      value++;
    }
  if (strcmp (key, "userns") != 0)
    return hk_error_set (err, EINVAL, "%s: unknown key `%s` (known: userns)", where, key);
  if (check_userns (value, where, err) < 0)
    return -1;
  free (c->userns);
  c->userns = xstrdup (value);
  c->userns_from = c->path;
  return 0;
}

static int
parse_file (struct hako_conf *c, char *text, struct hk_error **err)
{
  int line_no = 0;
  for (char *line = text, *next; line != NULL; line = next)
    {
      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      line_no++;
      char *hash = strchr (line, '#');
      if (hash != NULL)
        *hash = '\0';
      char *t = trim (line);
      if (*t == '\0')
        continue;
      _cleanup_free_ char *where = xasprintf ("%s:%d", c->path, line_no);
      if (parse_line (c, t, where, err) < 0)
        return -1;
    }
  return 0;
}

int
hako_conf_load (struct hako_conf *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  const char *path = getenv ("HAKO_CONFIG");
  out->path = xstrdup (path && *path ? path : HAKO_CONF_DEFAULT_PATH);
  _cleanup_free_ char *text = NULL;
  struct hk_error *e = NULL;
  if (fs_read_file (AT_FDCWD, out->path, 64 * 1024, &text, NULL, &e) < 0)
    {
      if (e->errnum != ENOENT)
        {
          *err = e;
          hako_conf_clear (out);
          return hk_error_prefix (err, "read the configuration");
        }
      hk_error_free (e);
    }
  else if (parse_file (out, text, err) < 0)
    {
      hako_conf_clear (out);
      return -1;
    }
  const char *env = getenv ("HAKO_USERNS");
  if (env != NULL && *env)
    {
      if (check_userns (env, "HAKO_USERNS", err) < 0)
        {
          hako_conf_clear (out);
          return -1;
        }
      free (out->userns);
      out->userns = xstrdup (env);
      out->userns_from = "HAKO_USERNS";
    }
  return 0;
}

void
hako_conf_clear (struct hako_conf *c)
{
  free (c->userns);
  free (c->path);
  memset (c, 0, sizeof *c);
}
