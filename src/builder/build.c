/* SPDX-License-Identifier: Apache-2.0 */
/* The whole build: the Dockerfile split into stages, the stages the
 * target needs, each built from its base, the final image labelled and
 * tagged. */
#include "builder-internal.h"
#include "file-digest-cache.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/image-record.h"
#include "store/platform.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The args every stage has without declaring them (Docker's predefined
 * proxy args): RUN sees them when they are given. */
static const char *const proxy_args[] = {
  "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
  "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy", NULL,
};

bool
build_arg_is_proxy (const char *name)
{
  for (size_t i = 0; proxy_args[i]; i++)
    if (strcmp (proxy_args[i], name) == 0)
      return true;
  return false;
}

static void
predefined_args (struct build *b)
{
  struct platform p = { 0 };
  platform_host (&p);
  _cleanup_free_ char *plat = platform_string (&p);
  const char *names[] = { "TARGETPLATFORM", "BUILDPLATFORM", NULL };
  for (size_t i = 0; names[i]; i++)
    strv_env_set (&b->global_args, names[i], plat);
  strv_env_set (&b->global_args, "TARGETOS", p.os);
  strv_env_set (&b->global_args, "BUILDOS", p.os);
  strv_env_set (&b->global_args, "TARGETARCH", p.architecture);
  strv_env_set (&b->global_args, "BUILDARCH", p.architecture);
  platform_clear (&p);
}

int
build_platform_check (const char *text, struct hk_error **err)
{
  struct platform p = { 0 }, host = { 0 };
  if (platform_parse (text, &p, err) < 0)
    return -1;
  platform_host (&host);
  bool same = strcmp (p.os, host.os) == 0 && strcmp (p.architecture, host.architecture) == 0;
  _cleanup_free_ char *here = platform_string (&host);
  platform_clear (&p);
  platform_clear (&host);
  if (!same)
    return hk_error_set (err, ENOTSUP, "`%s`: hako builds for this machine's platform only (%s)",
                         text, here);
  return 0;
}

/* ARGs before the first FROM: their values are what FROM lines see. */
static int
global_arg (struct build *b, const struct df_instruction *in, struct hk_error **err)
{
  _cleanup_strv_ char **fields = shell_word_fields (in->args, b->df->escape);
  for (size_t i = 0; fields[i]; i++)
    {
      char *eq = strchr (fields[i], '=');
      if (eq)
        *eq = '\0';
      _cleanup_free_ char *dflt = NULL;
      if (eq && shell_word_expand (eq + 1, b->df->escape, b->global_args, &dflt, err) < 0)
        return -1;
      const char *given = strv_env_get (b->o->build_args, fields[i]);
      const char *value = given ? given : dflt;
      if (value)
        strv_env_set (&b->global_args, fields[i], value);
    }
  return 0;
}

static int
add_stage (struct build *b, const struct df_instruction *in, struct hk_error **err)
{
  _cleanup_strv_ char **words = NULL;
  if (shell_word_split (in->args, b->df->escape, b->global_args, &words, err) < 0)
    return hk_error_prefix (err, "line %u: FROM", in->line);
  size_t n = strv_length (words);
  if (n != 1 && !(n == 3 && strcasecmp (words[1], "AS") == 0))
    return hk_error_set (err, EINVAL, "line %u: FROM takes IMAGE [AS NAME]", in->line);
  const char *platform = df_flag_get (in, "platform", NULL);
  if (platform)
    {
      _cleanup_free_ char *want = NULL;
      if (shell_word_expand (platform, b->df->escape, b->global_args, &want, err) < 0
          || build_platform_check (want, err) < 0)
        return hk_error_prefix (err, "line %u: FROM --platform", in->line);
    }
  b->stages = xreallocarray (b->stages, b->n_stages + 1, sizeof *b->stages);
  struct build_stage *st = &b->stages[b->n_stages];
  memset (st, 0, sizeof *st);
  st->index = b->n_stages++;
  st->from = in;
  if (n == 3)
    {
      for (char *p = words[2]; *p; p++)
        *p = (char)tolower ((unsigned char)*p);
      for (size_t i = 0; i + 1 < b->n_stages; i++)
        if (b->stages[i].name && strcmp (b->stages[i].name, words[2]) == 0)
          return hk_error_set (err, EINVAL, "line %u: duplicate stage name `%s`", in->line,
                               words[2]);
      st->name = xstrdup (words[2]);
    }
  return 0;
}

static int
split_stages (struct build *b, struct hk_error **err)
{
  for (size_t i = 0; i < b->df->n_inst; i++)
    {
      const struct df_instruction *in = &b->df->inst[i];
      if (in->kind == DF_FROM)
        {
          if (add_stage (b, in, err) < 0)
            return -1;
          continue;
        }
      if (b->n_stages == 0 && in->kind == DF_ARG)
        {
          if (global_arg (b, in, err) < 0)
            return -1;
          continue;
        }
      if (b->n_stages == 0)
        return hk_error_set (err, EINVAL, "line %u: %s before the first FROM (only ARG may "
                                          "come before it)", in->line, df_kind_name (in->kind));
      struct build_stage *st = &b->stages[b->n_stages - 1];
      st->steps = xreallocarray (st->steps, st->n_steps + 1, sizeof *st->steps);
      st->steps[st->n_steps++] = in;
    }
  if (b->n_stages == 0)
    return hk_error_set (err, EINVAL, "%s: no FROM instruction", b->o->dockerfile_name);
  return 0;
}

/* A stage's base, expanded. */
static char *
stage_base (struct build *b, const struct build_stage *st)
{
  _cleanup_strv_ char **words = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  if (shell_word_split (st->from->args, b->df->escape, b->global_args, &words, &ignored) < 0)
    return xstrdup ("");
  return xstrdup (words[0] ? words[0] : "");
}

static void mark_needed (struct build *b, struct build_stage *st);

static void
mark_reference (struct build *b, const struct build_stage *by, const char *name)
{
  _cleanup_free_ char *expanded = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  if (shell_word_expand (name, b->df->escape, b->global_args, &expanded, &ignored) < 0)
    return;
  struct build_stage *dep = build_find_stage (b, by, expanded);
  if (dep)
    mark_needed (b, dep);
}

/* ST and the stages it needs: its base, COPY --from, RUN --mount from=. */
static void
mark_needed (struct build *b, struct build_stage *st)
{
  if (st->needed)
    return;
  st->needed = true;
  _cleanup_free_ char *base = stage_base (b, st);
  mark_reference (b, st, base);
  for (size_t i = 0; i < st->n_steps; i++)
    {
      const struct df_instruction *in = st->steps[i];
      const char *from = df_flag_get (in, "from", NULL);
      if (from)
        mark_reference (b, st, from);
      const char **mounts = df_flag_all (in, "mount");
      for (size_t k = 0; mounts[k]; k++)
        {
          const char *f = strstr (mounts[k], "from=");
          if (f && (f == mounts[k] || f[-1] == ','))
            {
              _cleanup_free_ char *name = xstrndup (f + 5, strcspn (f + 5, ","));
              mark_reference (b, st, name);
            }
        }
      free (mounts);
    }
}

/* The image of FROM scratch: no layers, an empty config. */
static int
scratch_image (struct build *b, char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  if (*b->scratch_id)
    {
      memcpy (id, b->scratch_id, DIGEST_STRING_SIZE);
      return 0;
    }
  struct platform p = { 0 };
  platform_host (&p);
  _cleanup_json_ json_t *config
      = json_pack ("{s:s, s:s, s:s, s:{}, s:{s:s, s:[]}, s:[]}", "created",
                   "1970-01-01T00:00:00Z", "architecture", p.architecture, "os", p.os, "config",
                   "rootfs", "type", "layers", "diff_ids", "history");
  platform_clear (&p);
  if (store_content_begin (b->e->store, err) < 0)
    return -1;
  int rc = image_record_new (b->e->store, config, NULL, 0, NULL, id, err);
  store_content_end (b->e->store);
  if (rc == 0)
    memcpy (b->scratch_id, id, DIGEST_STRING_SIZE);
  return rc;
}

static int
stage_from (struct build *b, struct stage_run *sr, struct hk_error **err)
{
  struct build_stage *st = sr->stage;
  _cleanup_free_ char *base = stage_base (b, st);
  char id[DIGEST_STRING_SIZE];
  struct build_stage *dep = build_find_stage (b, st, base);
  if (dep && build_stage_wait (b, dep, err) < 0)
    return -1;
  if (dep)
    memcpy (id, dep->image_id, DIGEST_STRING_SIZE);
  else if (strcasecmp (base, "scratch") == 0)
    {
      if (scratch_image (b, id, err) < 0)
        return -1;
    }
  else
    {
      _cleanup_free_ char *found = NULL;
      if (build_resolve_image (b, base, &found, err) < 0)
        return hk_error_prefix (err, "line %u: FROM %s", st->from->line, base);
      memcpy (id, found, DIGEST_STRING_SIZE);
    }
  const char *parts[] = { "FROM", id, b->created ? b->created : "", NULL };
  build_key (sr->key, "", parts);
  for (size_t i = 0; proxy_args[i]; i++)
    {
      const char *v = strv_env_get (b->o->build_args, proxy_args[i]);
      if (v)
        strv_env_set (&sr->args, proxy_args[i], v);
    }
  return build_stage_load (sr, id, err);
}

/* ONBUILD triggers of the base run first, and are not inherited. */
static int
onbuild_triggers (struct stage_run *sr, struct hk_error **err)
{
  json_t *cfg = json_object_get (sr->config, "config");
  json_t *triggers = json_object_get (cfg, "OnBuild");
  if (!json_is_array (triggers) || json_array_size (triggers) == 0)
    return 0;
  _cleanup_json_ json_t *list = json_incref (triggers);
  json_object_set_new (cfg, "OnBuild", json_null ());
  size_t i;
  json_t *t;
  size_t n = json_array_size (list);
  build_say (sr->b, "# Executing %zu build trigger%s", n, n > 1 ? "s" : "");
  json_array_foreach (list, i, t)
  {
    const char *text = json_string_value (t);
    _cleanup_dockerfile_ struct dockerfile *df = NULL;
    if (text == NULL || dockerfile_parse ("ONBUILD", text, strlen (text), &df, err) < 0)
      return hk_error_prefix (err, "the base image's ONBUILD trigger %zu", i);
    for (size_t k = 0; k < df->n_inst; k++)
      if (build_step (sr, &df->inst[k], false, err) < 0)
        return -1;
  }
  return 0;
}

/* Removes image ID, one this build made that nothing else needs. */
static void
drop_image (struct build *b, const char *id)
{
  _cleanup_strv_ char **users = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  if (store_image_users (b->e->store, id, &users, &err) < 0 || users[0]
      || store_image_delete (b->e->store, id, &err) < 0)
    hk_log (b->e->log, HK_LOG_WARNING, "keep intermediate image %s: %s", id,
            err ? err->message : "it is in use");
}

/* --layers=false: the stage's layers past BASE's made one, and the
 * images of its steps removed (none is a cache entry). */
static int
squash_stage (struct stage_run *sr, const char *base, struct hk_error **err)
{
  struct build *b = sr->b;
  if (sr->made == NULL)
    return 0;
  const struct build_worker *w;
  char id[DIGEST_STRING_SIZE];
  if (build_need_worker (b, &w, err) < 0
      || w->squash (b->e->store, base, sr->image_id, b->o->timestamp, id, err) < 0)
    return -1;
  for (size_t i = 0; sr->made[i]; i++)
    if (strcmp (sr->made[i], id) != 0)
      drop_image (b, sr->made[i]);
  strv_free (sr->made);
  sr->made = NULL;
  strv_append (&sr->made, id);
  build_say (b, "--> %.12s (one layer)", digest_hex (id));
  return build_stage_load (sr, id, err);
}

static int
build_stage (struct build *b, struct build_stage *st, struct hk_error **err)
{
  struct stage_run sr = { .b = b, .stage = st, .step = st->first_step };
  sr.meta.escape = b->df->escape;
  build_say (b, "STEP %zu/%zu: %s", sr.step, b->n_steps, st->from->text);
  int rc = stage_from (b, &sr, err);
  if (rc == 0)
    rc = onbuild_triggers (&sr, err);
  char base[DIGEST_STRING_SIZE];
  memcpy (base, sr.image_id, DIGEST_STRING_SIZE);
  for (size_t i = 0; rc == 0 && i < st->n_steps; i++)
    {
      if (build_stopped (b))
        rc = hk_error_set (err, EINTR, "interrupted");
      else
        rc = build_step (&sr, st->steps[i], true, err);
    }
  if (rc == 0 && b->o->one_layer_per_stage)
    rc = squash_stage (&sr, base, err);
  for (size_t i = 0; rc < 0 && b->o->one_layer_per_stage && sr.made && sr.made[i]; i++)
    drop_image (b, sr.made[i]);
  if (rc == 0)
    {
      memcpy (st->image_id, sr.image_id, DIGEST_STRING_SIZE);
      memcpy (st->key, sr.key, DIGEST_STRING_SIZE);
      st->made_here = strv_length (sr.made) > 0;
      st->built = true;
    }
  json_decref (sr.config);
  strv_free (sr.args);
  strv_free (sr.declared);
  strv_free (sr.vars);
  strv_free (sr.made);
  return rc;
}

/* Kills the RUN containers that run: their stages then stop. */
static void
cancel_running (struct build *b)
{
  for (size_t i = 0; i < b->n_stages; i++)
    if (b->stages[i].running)
      {
        _cleanup_error_ struct hk_error *ignored = NULL;
        engine_kill (b->e, b->stages[i].running, SIGKILL, &ignored);
      }
  pthread_cond_broadcast (&b->changed);
}

/* A stage's thread: the stage built, or the build stopped, the first
 * failure recorded and the other stages' RUN containers killed. */
static void *
stage_thread (void *arg)
{
  struct build_stage *st = arg;
  struct build *b = st->build;
  pthread_mutex_lock (&b->lock);
  struct hk_error *err = NULL;
  if (!build_stopped (b) && build_stage (b, st, &err) < 0 && b->error == NULL)
    {
      /* An interrupt is what stopped it, whatever error that made. */
      if (build_interrupted (b))
        hk_error_set (&b->error, EINTR, "interrupted");
      else
        b->error = take_ptr (err);
      b->failed = true;
      cancel_running (b);
    }
  hk_error_free (err);
  st->finished = true;
  pthread_cond_broadcast (&b->changed);
  pthread_mutex_unlock (&b->lock);
  return NULL;
}

static bool
all_finished (const struct build *b, const struct build_stage *target)
{
  for (size_t i = 0; i <= target->index; i++)
    if (b->stages[i].started && !b->stages[i].finished)
      return false;
  return true;
}

/* Every needed stage in a thread; this one waits for them, and while the
 * build is interrupted kills the RUN containers that run. */
static int
build_stages (struct build *b, struct build_stage *target, struct hk_error **err)
{
  pthread_mutex_lock (&b->lock);
  for (size_t i = 0; i <= target->index && !b->failed; i++)
    {
      struct build_stage *st = &b->stages[i];
      if (!st->needed)
        continue;
      st->build = b;
      if (pthread_create (&st->thread, NULL, stage_thread, st) != 0)
        {
          b->failed = true;
          hk_error_set (&b->error, EAGAIN, "start a thread for stage %zu", i);
          break;
        }
      st->started = true;
    }
  while (!all_finished (b, target))
    {
      if (build_interrupted (b))
        cancel_running (b);
      struct timespec tick;
      clock_gettime (CLOCK_REALTIME, &tick);
      tick.tv_nsec += 100 * 1000 * 1000;
      if (tick.tv_nsec >= 1000000000)
        {
          tick.tv_sec++;
          tick.tv_nsec -= 1000000000;
        }
      pthread_cond_timedwait (&b->changed, &b->lock, &tick);
    }
  pthread_mutex_unlock (&b->lock);
  for (size_t i = 0; i <= target->index; i++)
    if (b->stages[i].started)
      pthread_join (b->stages[i].thread, NULL);
  if (b->error)
    {
      *err = take_ptr (b->error);
      return -1;
    }
  if (build_interrupted (b))
    return hk_error_set (err, EINTR, "interrupted");
  return 0;
}

/* --label: the final image's labels, as a last config step (cached as
 * one). */
static int
final_labels (struct build *b, struct build_stage *st, struct hk_error **err)
{
  if (b->o->labels == NULL || b->o->labels[0] == NULL)
    return 0;
  _cleanup_free_ char *text = xstrdup ("/bin/sh -c #(nop) LABEL");
  for (size_t i = 0; b->o->labels[i]; i++)
    {
      char *t = xasprintf ("%s %s", text, b->o->labels[i]);
      free (text);
      text = t;
    }
  char key[DIGEST_STRING_SIZE], id[DIGEST_STRING_SIZE];
  const char *parts[] = { text, NULL };
  build_key (key, st->key, parts);
  if (build_cache_get (b, key, id))
    {
      memcpy (st->image_id, id, DIGEST_STRING_SIZE);
      return 0;
    }
  struct stage_run sr = { .b = b, .stage = st };
  if (build_stage_load (&sr, st->image_id, err) < 0)
    return -1;
  json_t *cfg = json_object_get (sr.config, "config");
  json_t *labels = json_object_get (cfg, "Labels");
  if (!json_is_object (labels))
    {
      labels = json_object ();
      json_object_set_new (cfg, "Labels", labels);
    }
  for (size_t i = 0; b->o->labels[i]; i++)
    {
      const char *l = b->o->labels[i];
      size_t n = strcspn (l, "=");
      _cleanup_free_ char *k = xstrndup (l, n);
      json_object_set_new (labels, k, json_string (l[n] ? l + n + 1 : ""));
    }
  int rc = build_commit (&sr, NULL, NULL, false, text, err);
  if (rc == 0)
    {
      /* --layers=false keeps no image but the result. */
      if (b->o->one_layer_per_stage && st->made_here)
        drop_image (b, st->image_id);
      memcpy (st->image_id, sr.image_id, DIGEST_STRING_SIZE);
      build_cache_put (b, key, sr.image_id);
    }
  strv_free (sr.made);
  json_decref (sr.config);
  strv_free (sr.vars);
  return rc;
}

static int
read_ignore_file (struct build *b, struct hk_error **err)
{
  if (b->context_fd < 0)
    return 0;
  static const char *const names[] = { ".containerignore", ".dockerignore", NULL };
  for (size_t i = 0; names[i]; i++)
    {
      _cleanup_free_ char *text = NULL;
      size_t len;
      _cleanup_error_ struct hk_error *missing = NULL;
      if (fs_read_file (b->context_fd, names[i], 1 << 20, &text, &len, &missing) < 0)
        {
          if (missing->errnum == ENOENT)
            continue;
          *err = take_ptr (missing);
          return -1;
        }
      if (ignore_rules_parse (text, len, &b->ignore, err) < 0)
        return hk_error_prefix (err, "%s", names[i]);
      return 0;
    }
  return 0;
}

static char *
rfc3339 (int64_t t)
{
  time_t tt = (time_t)t;
  struct tm tm;
  char buf[64];
  gmtime_r (&tt, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return xstrdup (buf);
}

static int
build_all (struct build *b, char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  const struct build_options *o = b->o;
  if (dockerfile_parse (o->dockerfile_name, o->dockerfile, o->dockerfile_len, &b->df, err) < 0)
    return -1;
  for (size_t i = 0; b->df->notes && b->df->notes[i]; i++)
    hk_log (b->e->log, HK_LOG_WARNING, "%s", b->df->notes[i]);
  predefined_args (b);
  if (read_ignore_file (b, err) < 0 || split_stages (b, err) < 0)
    return -1;
  struct build_stage *target = &b->stages[b->n_stages - 1];
  if (o->target && (target = build_find_stage (b, NULL, o->target)) == NULL)
    return hk_error_set (err, ENOENT, "target stage `%s` could not be found", o->target);
  mark_needed (b, target);
  for (size_t i = 0; i < b->n_stages; i++)
    if (b->stages[i].needed)
      {
        b->stages[i].first_step = b->n_steps + 1;
        b->n_steps += 1 + b->stages[i].n_steps;
      }
  if (store_content_begin (b->e->store, err) < 0)
    return -1;
  int rc = build_stages (b, target, err);
  if (rc == 0)
    rc = final_labels (b, target, err);
  for (size_t i = 0; rc == 0 && o->tags && o->tags[i]; i++)
    rc = store_tag_add (b->e->store, target->image_id, o->tags[i], err);
  store_content_end (b->e->store);
  if (rc == 0)
    memcpy (id, target->image_id, DIGEST_STRING_SIZE);
  return rc;
}

static int
open_context (struct build *b, struct hk_error **err)
{
  struct stat st;
  b->context_fd = open (b->o->context, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (b->context_fd < 0 || fstat (b->context_fd, &st) < 0)
    return hk_error_errno (err, errno, "open the build context `%s`", b->o->context);
  _cleanup_free_ char *dir = xasprintf ("%s/build-cache/files", b->e->root);
  b->digests = file_digest_cache_open (dir, &st);
  return 0;
}

/* The digests learnt, for the next build (even when this one failed). */
static void
save_digests (struct build *b)
{
  _cleanup_error_ struct hk_error *err = NULL;
  if (b->digests && file_digest_cache_save (b->digests, &err) < 0)
    hk_log (b->e->log, HK_LOG_WARNING, "build cache: %s", err->message);
}

int
build_image (struct engine *e, const struct build_options *o, struct build_result *result,
             struct hk_error **err)
{
  struct build b = { .e = e, .o = o, .context_fd = -1 };
  pthread_mutex_init (&b.lock, NULL);
  pthread_cond_init (&b.changed, NULL);
  memset (result, 0, sizeof *result);
  if (o->timestamp >= 0)
    b.created = rfc3339 (o->timestamp);
  int rc = 0;
  if (o->context)
    rc = open_context (&b, err);
  if (rc == 0)
    rc = build_all (&b, result->id, err);
  save_digests (&b);
  result->exit_code = b.exit_code;
  result->needs_worker = b.needs_worker;
  file_digest_cache_free (b.digests);
  dockerfile_free (b.df);
  ignore_rules_free (b.ignore);
  if (b.context_fd >= 0)
    close (b.context_fd);
  for (size_t i = 0; i < b.n_stages; i++)
    {
      free (b.stages[i].name);
      free (b.stages[i].steps);
    }
  free (b.stages);
  strv_free (b.global_args);
  strv_free (b.pulled);
  free (b.created);
  pthread_cond_destroy (&b.changed);
  pthread_mutex_destroy (&b.lock);
  return rc;
}
