/* SPDX-License-Identifier: Apache-2.0 */
/* One instruction of a stage: its cache key, the cache, or the work and a
 * new image. */
#include "builder-internal.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/random-id.h"
#include "store/image-config.h"
#include "store/manifest.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void
build_say (struct build *b, const char *fmt, ...)
{
  if (b->o->quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  vfprintf (b->o->out, fmt, ap);
  va_end (ap);
  fputc ('\n', b->o->out);
  fflush (b->o->out);
}

bool
build_interrupted (const struct build *b)
{
  return b->o->interrupted != NULL && *b->o->interrupted;
}

bool
build_stopped (const struct build *b)
{
  return b->failed || build_interrupted (b);
}

void
build_refresh_vars (struct stage_run *sr)
{
  strv_free (sr->vars);
  sr->vars = strv_copy (sr->args);
  _cleanup_strv_ char **env = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  json_t *cfg = json_object_get (sr->config, "config");
  if (json_get_strv (cfg, "config", "Env", &env, &ignored) > 0)
    for (size_t i = 0; env[i]; i++)
      strv_append (&sr->vars, env[i]);
  sr->meta.vars = sr->vars;
}

int
build_stage_load (struct stage_run *sr, const char *id, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  json_t *config = NULL;
  if (store_blob_read (sr->b->e->store, id, CONFIG_MAX_SIZE, &text, &len, err) < 0
      || json_parse_object (text, len, "image config", &config, err) < 0)
    return -1;
  json_decref (sr->config);
  sr->config = config;
  if (!json_is_object (json_object_get (config, "config")))
    json_object_set_new (config, "config", json_object ());
  memcpy (sr->image_id, id, DIGEST_STRING_SIZE);
  build_refresh_vars (sr);
  return 0;
}

int
build_need_worker (struct build *b, const struct build_worker **out, struct hk_error **err)
{
  if (b->o->worker == NULL)
    {
      b->needs_worker = true;
      return hk_error_set (err, ENOTSUP, "this step needs the builder's worker (hako-transfer)");
    }
  *out = b->o->worker;
  return 0;
}

static int
pull (struct build *b, const char *name, char **id, struct hk_error **err)
{
  const char *done = strv_env_get (b->pulled, name);
  if (done)
    {
      *id = xstrdup (done);
      return 0;
    }
  if (b->o->pull_image == NULL)
    {
      b->needs_worker = true;
      return hk_error_set (err, ENOTSUP, "pulling `%s` needs hako-transfer", name);
    }
  build_say (b, "Pulling %s", name);
  char pulled[DIGEST_STRING_SIZE];
  if (b->o->pull_image (b->e->store, name, pulled, b->o->pull_data, err) < 0)
    return hk_error_prefix (err, "pull `%s`", name);
  strv_env_set (&b->pulled, name, pulled);
  *id = xstrdup (pulled);
  return 0;
}

int
build_resolve_image (struct build *b, const char *name, char **id, struct hk_error **err)
{
  enum build_pull_policy policy = b->o->pull;
  char *local = NULL;
  _cleanup_error_ struct hk_error *missing = NULL;
  bool here = store_image_resolve (b->e->store, name, NULL, &local, &missing) == 0;
  if (policy == BUILD_PULL_NEVER || (policy == BUILD_PULL_MISSING && here))
    {
      if (!here)
        return hk_error_set (err, ENOENT, "`%s` is not in the store, and --pull=never", name);
      *id = local;
      return 0;
    }
  _cleanup_error_ struct hk_error *failed = NULL;
  if (pull (b, name, id, &failed) == 0)
    {
      free (local);
      return 0;
    }
  if (policy == BUILD_PULL_NEWER && here && !b->needs_worker)
    {
      hk_log (b->e->log, HK_LOG_WARNING, "%s; using the store's", failed->message);
      *id = local;
      return 0;
    }
  free (local);
  *err = take_ptr (failed);
  return -1;
}

int
build_commit (struct stage_run *sr, const char *upper, char *const *exclude, bool engine_files,
              const char *created_by, struct hk_error **err)
{
  struct build *b = sr->b;
  const struct build_worker *w;
  if (build_need_worker (b, &w, err) < 0)
    return -1;
  struct build_commit_request q = {
    .parent = sr->image_id,
    .upper = upper,
    .exclude = exclude,
    .engine_files = engine_files,
    .config = json_object_get (sr->config, "config"),
    .author = json_string_value (json_object_get (sr->config, "author")),
    .created = b->created,
    .created_by = created_by,
    .mtime = b->o->timestamp,
  };
  char id[DIGEST_STRING_SIZE];
  if (w->commit (b->e->store, &q, id, err) < 0)
    return -1;
  strv_append (&sr->made, id);
  return build_stage_load (sr, id, err);
}

struct build_stage *
build_find_stage (struct build *b, const struct build_stage *before, const char *name)
{
  size_t end_index = before ? before->index : b->n_stages;
  for (size_t i = 0; i < end_index; i++)
    if (b->stages[i].name && strcasecmp (b->stages[i].name, name) == 0)
      return &b->stages[i];
  char *end;
  unsigned long n = strtoul (name, &end, 10);
  if (*name >= '0' && *name <= '9' && *end == '\0' && n < end_index)
    return &b->stages[n];
  return NULL;
}

int
build_stage_wait (struct build *b, struct build_stage *st, struct hk_error **err)
{
  if (!st->needed)
    return hk_error_set (err, EINVAL, "stage `%s` is not built: its name must be plain (or "
                                      "a global ARG's) where another stage uses it",
                         st->name ? st->name : st->from->text);
  while (!st->built && !build_stopped (b))
    pthread_cond_wait (&b->changed, &b->lock);
  if (!st->built)
    return hk_error_set (err, ECANCELED, "stopped");
  return 0;
}

int
build_container (struct build *b, const char *image_id, struct ctr_config *config,
                 struct ctr_record **out, struct hk_error **err)
{
  _cleanup_free_ char *name = NULL;
  _cleanup_free_ char *rnd = random_id ();
  name = xasprintf ("hako-build-%.12s", rnd);
  config_map_set (&config->labels, "io.hako.build", "step");
  /* In the host's user namespace whatever the machine's default (as
   * Podman builds): the step's layer and COPY's files are written with
   * the owners on disk, which a remapped step would have shifted. */
  if (config->userns_mode == NULL)
    config->userns_mode = xstrdup ("host");
  if (engine_create (b->e, image_id, config, name, out, err) < 0)
    return hk_error_prefix (err, "create the build container");
  return 0;
}

int
build_root_container (struct build *b, const char *image_id, struct ctr_record **out,
                      struct hk_error **err)
{
  struct ctr_config c;
  ctr_config_init (&c);
  strv_append (&c.cmd, "true");
  c.network_mode = xstrdup ("none");
  int rc = build_container (b, image_id, &c, out, err);
  ctr_config_clear (&c);
  return rc;
}

void
build_container_remove (struct build *b, struct ctr_record *r)
{
  _cleanup_error_ struct hk_error *err = NULL;
  if (engine_remove (b->e, r, true, true, &err) < 0)
    hk_log (b->e->log, HK_LOG_WARNING, "remove build container %s: %s", r->name, err->message);
}

char *
build_container_path (struct build *b, const struct ctr_record *r, const char *sub)
{
  _cleanup_free_ char *dir = engine_container_dir (b->e, r->id);
  return xasprintf ("%s/%s", dir, sub);
}

int
build_words (struct stage_run *sr, const struct df_instruction *in, char ***out,
             struct hk_error **err)
{
  char escape = sr->b->df->escape;
  if (in->json_args == NULL)
    return shell_word_split (in->args, escape, sr->vars, out, err);
  _cleanup_strv_ char **v = xzalloc (sizeof *v);
  for (size_t i = 0; in->json_args[i]; i++)
    {
      char *w;
      if (shell_word_expand (in->json_args[i], escape, sr->vars, &w, err) < 0)
        return -1;
      strv_append_take (&v, w);
    }
  *out = take_ptr (v);
  return 0;
}

/* ARG NAME[=default]...: the value given with --build-arg wins, then the
 * default, then a global ARG's value of that name. */
static int
declare_args (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err)
{
  struct build *b = sr->b;
  _cleanup_strv_ char **fields = shell_word_fields (in->args, b->df->escape);
  for (size_t i = 0; fields[i]; i++)
    {
      char *eq = strchr (fields[i], '=');
      if (eq)
        *eq = '\0';
      _cleanup_free_ char *name = NULL;
      if (shell_word_expand (fields[i], b->df->escape, sr->vars, &name, err) < 0)
        return -1;
      if (*name == '\0')
        return hk_error_set (err, EINVAL, "line %u: ARG: a name cannot be empty", in->line);
      if (!strv_contains (sr->declared, name))
        strv_append (&sr->declared, name);
      const char *given = strv_env_get (b->o->build_args, name);
      _cleanup_free_ char *dflt = NULL;
      if (eq && shell_word_expand (eq + 1, b->df->escape, sr->vars, &dflt, err) < 0)
        return -1;
      const char *value = given ? given : dflt ? dflt : strv_env_get (b->global_args, name);
      if (value == NULL)
        continue; /* declared without a value: unset, as Docker has it */
      strv_env_set (&sr->args, name, value);
    }
  build_refresh_vars (sr);
  return 0;
}

/* "/bin/sh -c #(nop)  CMD [...]", as Docker's history has it. */
static char *
nop_text (const struct df_instruction *in)
{
  return xasprintf ("/bin/sh -c #(nop) %s", in->text);
}

static int
config_step (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err)
{
  json_t *cfg = json_object_get (sr->config, "config");
  if (in->kind == DF_MAINTAINER)
    json_object_set_new (sr->config, "author", json_string (in->args));
  else if (config_instruction_apply (cfg, in, &sr->meta, err) < 0)
    return -1;
  _cleanup_free_ char *history = nop_text (in);
  return build_commit (sr, NULL, NULL, false, history, err);
}

/* The parts of the key every instruction has: its text, its heredocs
 * and the args in scope (they reach RUN's environment and every
 * expansion). */
static void
step_key (struct stage_run *sr, const struct df_instruction *in, char key[DIGEST_STRING_SIZE])
{
  _cleanup_sha256_ struct sha256 h;
  sha256_init (&h);
  sha256_update (&h, sr->key, strlen (sr->key) + 1);
  sha256_update (&h, in->text, strlen (in->text) + 1);
  for (size_t i = 0; i < in->n_heredocs; i++)
    {
      sha256_update (&h, in->heredocs[i].name, strlen (in->heredocs[i].name) + 1);
      sha256_update (&h, in->heredocs[i].content, strlen (in->heredocs[i].content) + 1);
    }
  sha256_update (&h, "args", 5);
  for (size_t i = 0; sr->args && sr->args[i]; i++)
    sha256_update (&h, sr->args[i], strlen (sr->args[i]) + 1);
  sha256_final (&h, key);
}

int
build_step (struct stage_run *sr, const struct df_instruction *in, bool numbered,
            struct hk_error **err)
{
  struct build *b = sr->b;
  if (numbered)
    build_say (b, "STEP %zu/%zu: %s", ++sr->step, b->n_steps, in->text);
  else
    build_say (b, "ONBUILD: %s", in->text);
  if (in->kind == DF_ARG)
    return declare_args (sr, in, err);
  char key[DIGEST_STRING_SIZE];
  step_key (sr, in, key);
  /* COPY and ADD add their sources' digest to the key themselves. */
  if (in->kind == DF_COPY || in->kind == DF_ADD)
    {
      memcpy (sr->key, key, DIGEST_STRING_SIZE);
      return build_copy (sr, in, err);
    }
  if (in->kind == DF_RUN && build_run_key (sr, in, key, err) < 0)
    return -1;
  char id[DIGEST_STRING_SIZE];
  if (build_cache_get (b, key, id))
    {
      build_say (b, "--> Using cache %s", digest_hex (id));
      memcpy (sr->key, key, DIGEST_STRING_SIZE);
      return build_stage_load (sr, id, err);
    }
  const struct build_worker *w;
  if (build_need_worker (b, &w, err) < 0)
    return -1;
  int rc = in->kind == DF_RUN ? build_run_step (sr, in, err) : config_step (sr, in, err);
  if (rc < 0)
    return -1;
  memcpy (sr->key, key, DIGEST_STRING_SIZE);
  build_cache_put (b, key, sr->image_id);
  build_say (b, "--> %.12s", digest_hex (sr->image_id));
  return 0;
}
