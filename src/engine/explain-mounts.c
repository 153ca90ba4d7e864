/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain: the mounts a process sees (/proc/PID/mountinfo, mount
 * points relative to its root), each with its per-mount flags; the root's
 * overlay layers from its super options; masked and read-only paths
 * marked. */
#include "explain.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mountinfo's octal escapes (\040 for a space) undone, in place. */
static char *
unescape (char *s)
{
  char *out = s;
  for (const char *in = s; *in;)
    if (in[0] == '\\' && in[1] >= '0' && in[1] <= '7' && in[2] >= '0' && in[2] <= '7'
        && in[3] >= '0' && in[3] <= '7')
      {
        *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
        in += 4;
      }
    else
      *out++ = *in++;
  *out = '\0';
  return s;
}

/* The value of KEY= in comma-separated OPTIONS, or NULL. */
static char *
option_value (const char *options, const char *key)
{
  size_t klen = strlen (key);
  for (const char *p = options; p && *p;)
    {
      size_t len = strcspn (p, ",");
      if (len > klen && strncmp (p, key, klen) == 0 && p[klen] == '=')
        return xstrndup (p + klen + 1, len - klen - 1);
      p += len;
      p += *p == ',';
    }
  return NULL;
}

static json_t *
split_json (const char *text, char sep)
{
  json_t *list = json_array ();
  while (text && *text)
    {
      const char *end = strchr (text, sep);
      size_t len = end ? (size_t)(end - text) : strlen (text);
      json_array_append_new (list, json_stringn (text, len));
      text += len + (end != NULL);
    }
  return list;
}

/* The overlay root's layers: lowerdir (the image's, top first), upperdir
 * (the container's writes), workdir. */
static json_t *
overlay_layers (const char *super)
{
  _cleanup_free_ char *lower = option_value (super, "lowerdir");
  _cleanup_free_ char *upper = option_value (super, "upperdir");
  _cleanup_free_ char *work = option_value (super, "workdir");
  json_t *doc = json_pack ("{s:o}", "lower", split_json (lower, ':'));
  if (upper)
    json_object_set_new (doc, "upper", json_string (upper));
  if (work)
    json_object_set_new (doc, "work", json_string (work));
  return doc;
}

/* One mountinfo line as an object, NULL when it does not parse. */
static json_t *
mount_entry (char *line, char *const *masked, char *const *readonly, json_t **root)
{
  char *dash = strstr (line, " - ");
  if (dash == NULL)
    return NULL;
  *dash = '\0';
  char *fields[6] = { 0 };
  char *save = NULL;
  size_t n = 0;
  for (char *tok = strtok_r (line, " ", &save); tok && n < 6; tok = strtok_r (NULL, " ", &save))
    fields[n++] = tok;
  char *fstype = strtok_r (dash + 3, " ", &save);
  char *source = strtok_r (NULL, " ", &save);
  char *super = strtok_r (NULL, " ", &save);
  if (n < 6 || fstype == NULL || source == NULL)
    return NULL;
  const char *target = unescape (fields[4]);
  json_t *options = split_json (fields[5], ',');
  bool ro = strncmp (fields[5], "ro", 2) == 0 && (fields[5][2] == ',' || fields[5][2] == '\0');
  json_t *m = json_pack ("{s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b}", "target", target, "fstype",
                         fstype, "source", unescape (source), "root", unescape (fields[3]),
                         "options", options, "readonly", ro, "masked",
                         strv_contains (masked, target), "readonly_path",
                         strv_contains (readonly, target));
  if (strcmp (target, "/") == 0)
    {
      json_decref (*root);
      *root = json_pack ("{s:s, s:s, s:b}", "fstype", fstype, "source", source, "readonly", ro);
      if (strcmp (fstype, "overlay") == 0 && super)
        json_object_set_new (*root, "overlay", overlay_layers (super));
    }
  return m;
}

json_t *
explain_mountinfo_parse (char *text, char *const *masked, char *const *readonly, json_t **root)
{
  json_t *mounts = json_array ();
  *root = NULL;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      json_t *m = mount_entry (line, masked, readonly, root);
      if (m)
        json_array_append_new (mounts, m);
    }
  return mounts;
}

json_t *
explain_mounts (pid_t pid, char *const *masked, char *const *readonly)
{
  _cleanup_free_ char *source = xasprintf ("/proc/%d/mountinfo", (int)pid);
  json_t *doc = json_pack ("{s:s, s:[], s:o, s:o}", "source", source, "mounts", "masked_paths",
                           json_from_strv (masked), "readonly_paths", json_from_strv (readonly));
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, source, 16 << 20, &text, NULL, &ignored) < 0)
    {
      json_object_set_new (doc, "error", json_string (ignored->message));
      hk_error_free (ignored);
      return doc;
    }
  json_t *root = NULL;
  json_object_set_new (doc, "mounts", explain_mountinfo_parse (text, masked, readonly, &root));
  if (root)
    json_object_set_new (doc, "root", root);
  return doc;
}
