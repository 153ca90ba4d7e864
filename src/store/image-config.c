/* SPDX-License-Identifier: Apache-2.0 */
#include "image-config.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "digest.h"
#include "image.h"
#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
image_config_free (struct image_config *c)
{
  if (c == NULL)
    return;
  free (c->architecture);
  free (c->os);
  free (c->variant);
  free (c->created);
  free (c->author);
  free (c->user);
  strv_free (c->env);
  strv_free (c->entrypoint);
  strv_free (c->cmd);
  free (c->working_dir);
  free (c->stop_signal);
  strv_free (c->exposed_ports);
  strv_free (c->volumes);
  strv_free (c->label_keys);
  strv_free (c->label_values);
  if (c->healthcheck)
    {
      strv_free (c->healthcheck->test);
      free (c->healthcheck);
    }
  strv_free (c->diff_ids);
  for (size_t i = 0; i < c->n_history; i++)
    {
      free (c->history[i].created);
      free (c->history[i].created_by);
      free (c->history[i].author);
      free (c->history[i].comment);
    }
  free (c->history);
  free (c);
}

/* The keys of an object used as a set ({"80/tcp": {}}). */
static int
get_key_set (json_t *obj, const char *path, const char *key, char ***out, struct hk_error **err)
{
  json_t *set;
  int r = json_get_object (obj, path, key, &set, err);
  if (r <= 0)
    return r;
  char **keys = xzalloc (sizeof (char *));
  const char *k;
  json_t *v;
  json_object_foreach (set, k, v) strv_append (&keys, k);
  *out = keys;
  return 1;
}

static int
parse_healthcheck (json_t *cfg, struct image_config *c, struct hk_error **err)
{
  json_t *hc;
  int r = json_get_object (cfg, "config", "Healthcheck", &hc, err);
  if (r <= 0)
    return r;
  const char *p = "config.Healthcheck";
  struct image_healthcheck *h = xzalloc (sizeof *h);
  c->healthcheck = h;
  if (json_get_strv (hc, p, "Test", &h->test, err) < 0
      || json_get_int64 (hc, p, "Interval", &h->interval, err) < 0
      || json_get_int64 (hc, p, "Timeout", &h->timeout, err) < 0
      || json_get_int64 (hc, p, "StartPeriod", &h->start_period, err) < 0
      || json_get_int64 (hc, p, "StartInterval", &h->start_interval, err) < 0
      || json_get_int64 (hc, p, "Retries", &h->retries, err) < 0)
    return -1;
  return 0;
}

static int
parse_history (json_t *doc, struct image_config *c, struct hk_error **err)
{
  json_t *hist;
  int r = json_get_array (doc, "", "history", &hist, err);
  if (r <= 0)
    return r;
  size_t n = json_array_size (hist);
  c->history = xzalloc ((n + 1) * sizeof *c->history);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *path = json_path_index ("history", i);
      json_t *h = json_array_get (hist, i);
      c->n_history = i + 1;
      if (!json_is_object (h))
        return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path,
                             json_type_name (h));
      struct image_history *e = &c->history[i];
      if (json_get_string (h, path, "created", &e->created, err) < 0
          || json_get_string (h, path, "created_by", &e->created_by, err) < 0
          || json_get_string (h, path, "author", &e->author, err) < 0
          || json_get_string (h, path, "comment", &e->comment, err) < 0
          || json_get_bool (h, path, "empty_layer", &e->empty_layer, err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_config_section (json_t *doc, struct image_config *c, struct hk_error **err)
{
  json_t *cfg;
  int r = json_get_object (doc, "", "config", &cfg, err);
  if (r <= 0)
    return r;
  const char *p = "config";
  if (json_get_string (cfg, p, "User", &c->user, err) < 0
      || json_get_strv (cfg, p, "Env", &c->env, err) < 0
      || json_get_strv (cfg, p, "Entrypoint", &c->entrypoint, err) < 0
      || json_get_strv (cfg, p, "Cmd", &c->cmd, err) < 0
      || json_get_string (cfg, p, "WorkingDir", &c->working_dir, err) < 0
      || json_get_string (cfg, p, "StopSignal", &c->stop_signal, err) < 0
      || get_key_set (cfg, p, "ExposedPorts", &c->exposed_ports, err) < 0
      || get_key_set (cfg, p, "Volumes", &c->volumes, err) < 0
      || json_get_string_map (cfg, p, "Labels", &c->label_keys, &c->label_values, err) < 0)
    return -1;
  return parse_healthcheck (cfg, c, err);
}

int
image_config_parse (const char *body, size_t len, struct image_config **out, struct hk_error **err)
{
  if (len > CONFIG_MAX_SIZE)
    return hk_error_set (err, EFBIG, "image config of %zu bytes is larger than the %d allowed", len,
                         CONFIG_MAX_SIZE);
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (body, len, "image config", &doc, err) < 0)
    return -1;
  struct image_config *c = xzalloc (sizeof *c);
  _cleanup_image_config_ struct image_config *owned = c;
  if (json_get_string (doc, "", "architecture", &c->architecture, err) < 0
      || json_get_string (doc, "", "os", &c->os, err) < 0
      || json_get_string (doc, "", "variant", &c->variant, err) < 0
      || json_get_string (doc, "", "created", &c->created, err) < 0
      || json_get_string (doc, "", "author", &c->author, err) < 0
      || parse_config_section (doc, c, err) < 0 || parse_history (doc, c, err) < 0)
    return hk_error_prefix (err, "image config");

  json_t *rootfs;
  if (json_require (doc, "", "rootfs", err) < 0
      || json_get_object (doc, "", "rootfs", &rootfs, err) < 0)
    return hk_error_prefix (err, "image config");
  _cleanup_free_ char *type = NULL;
  if (json_get_string (rootfs, "rootfs", "type", &type, err) < 0)
    return hk_error_prefix (err, "image config");
  if (type == NULL || strcmp (type, "layers") != 0)
    return hk_error_set (err, EINVAL, "image config: rootfs.type: expected `layers`");
  if (json_get_strv (rootfs, "rootfs", "diff_ids", &c->diff_ids, err) < 0)
    return hk_error_prefix (err, "image config");
  if (c->diff_ids == NULL)
    c->diff_ids = xzalloc (sizeof (char *));
  c->n_diff_ids = strv_length (c->diff_ids);
  if (c->n_diff_ids > MANIFEST_MAX_LAYERS)
    return hk_error_set (err, EFBIG, "image config: more than %d layers", MANIFEST_MAX_LAYERS);
  for (size_t i = 0; i < c->n_diff_ids; i++)
    if (digest_check (c->diff_ids[i], err) < 0)
      return hk_error_prefix (err, "image config: rootfs.diff_ids[%zu]", i);
  *out = take_ptr (owned);
  return 0;
}

int
image_config_load (struct store *s, const char *id, struct image_config **config, char **json,
                   struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (store_blob_read (s, id, CONFIG_MAX_SIZE, &text, &len, err) < 0)
    return hk_error_prefix (err, "image %s", id);
  if (image_config_parse (text, len, config, err) < 0)
    return hk_error_prefix (err, "image %s", id);
  if (json)
    *json = take_ptr (text);
  return 0;
}
