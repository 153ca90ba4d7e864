/* SPDX-License-Identifier: Apache-2.0 */
/* RUN: the command in an engine container made from the previous step's
 * image, with the stage's shell, the build args in its environment, the
 * build's network and RUN's --mount options; its changes become the
 * layer.  Mount points the mounts needed, and the files the engine binds
 * into every container (/etc/hosts ...), are not part of it. */
#include "builder-internal.h"
#include "build/shell-word.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What --mount options made: the exclusions of the layer, and the
 * containers of other stages whose roots are bound. */
struct run_mounts
{
  char **exclude;
  struct ctr_record **sources;
  size_t n_sources;
  char *script; /* a heredoc's script file, bound into the container */
};

static void
run_mounts_clear (struct build *b, struct run_mounts *m)
{
  if (m->script)
    unlink (m->script);
  free (m->script);
  strv_free (m->exclude);
  for (size_t i = 0; i < m->n_sources; i++)
    {
      build_container_remove (b, m->sources[i]);
      ctr_record_free (m->sources[i]);
    }
  free (m->sources);
}

/* `type=cache,target=/x,id=y` as pairs. */
static int
mount_fields (const char *text, unsigned line, struct config_map *out, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *f = strtok_r (copy, ",", &save); f; f = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (f, '=');
      if (eq)
        *eq = '\0';
      const char *key = f;
      if (strcmp (key, "dst") == 0 || strcmp (key, "destination") == 0)
        key = "target";
      else if (strcmp (key, "src") == 0)
        key = "source";
      else if (strcmp (key, "ro") == 0)
        key = "readonly";
      if (config_map_get (out, key))
        return hk_error_set (err, EINVAL, "line %u: RUN --mount `%s`: `%s` given twice", line,
                             text, key);
      config_map_set (out, key, eq ? eq + 1 : "true");
    }
  return 0;
}

static bool
truthy (const char *v)
{
  return v && (strcmp (v, "true") == 0 || strcmp (v, "1") == 0);
}

/* The topmost component of TARGET missing from the image: what the mount
 * point adds to the tree, left out of the layer. */
static void
exclude_mount_point (struct run_mounts *m, int root_fd, const char *target)
{
  _cleanup_free_ char *path = xstrdup (target + strspn (target, "/"));
  for (char *p = path;; p++)
    {
      if (*p != '/' && *p != '\0')
        continue;
      char saved = *p;
      *p = '\0';
      _cleanup_error_ struct hk_error *missing = NULL;
      _cleanup_close_ int fd = in_root_open (root_fd, path, O_PATH, 0, &missing);
      if (fd < 0)
        {
          strv_append (&m->exclude, path);
          return;
        }
      *p = saved;
      if (saved == '\0')
        return;
    }
}

static const struct build_secret *
find_secret (const struct build_options *o, const char *id)
{
  for (size_t i = 0; i < o->n_secrets; i++)
    if (strcmp (o->secrets[i].id, id) == 0)
      return &o->secrets[i];
  return NULL;
}

/* A bind of another stage's (or image's) root: a working container of it. */
static int
stage_root (struct stage_run *sr, const char *from, struct run_mounts *m, char **root,
            struct hk_error **err)
{
  struct build *b = sr->b;
  struct build_stage *st = build_find_stage (b, sr->stage, from);
  _cleanup_free_ char *id = NULL;
  if (st && build_stage_wait (b, st, err) < 0)
    return -1;
  if (st)
    id = xstrdup (st->image_id);
  else if (build_resolve_image (b, from, &id, err) < 0)
    return -1;
  struct ctr_record *r;
  if (build_root_container (b, id, &r, err) < 0)
    return -1;
  m->sources = xreallocarray (m->sources, m->n_sources + 1, sizeof *m->sources);
  m->sources[m->n_sources++] = r;
  *root = build_container_path (b, r, "merged");
  return 0;
}

/* SOURCE (relative) inside ROOT, refusing what leads out of it. */
static int
bind_source (const char *root, const char *source, char **out, struct hk_error **err)
{
  _cleanup_free_ char *clean = ignore_clean_path (source);
  if (strcmp (clean, "..") == 0 || strncmp (clean, "../", 3) == 0)
    return hk_error_set (err, EPERM, "`%s` is outside the mount's source", source);
  _cleanup_close_ int rfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return hk_error_errno (err, errno, "open `%s`", root);
  _cleanup_close_ int fd = in_root_open (rfd, clean, O_PATH, 0, err);
  if (fd < 0)
    return -1;
  *out = strcmp (clean, ".") ? xasprintf ("%s/%s", root, clean) : xstrdup (root);
  return 0;
}

static void
add_bind (struct ctr_config *c, char *source, const char *target, bool readonly)
{
  c->mounts = xreallocarray (c->mounts, c->n_mounts + 1, sizeof *c->mounts);
  c->mounts[c->n_mounts++] = (struct config_mount){
    .type = CONFIG_MOUNT_BIND, .source = source, .target = xstrdup (target), .readonly = readonly
  };
}

static int
add_mount (struct stage_run *sr, struct ctr_config *c, const char *text, unsigned line,
           struct run_mounts *m, int root_fd, struct hk_error **err)
{
  struct build *b = sr->b;
  struct config_map f = { 0 };
  int rc = mount_fields (text, line, &f, err);
  const char *type = config_map_get (&f, "type") ? config_map_get (&f, "type") : "bind";
  const char *target = config_map_get (&f, "target");
  const char *id = config_map_get (&f, "id");
  _cleanup_free_ char *source = NULL;
  if (rc == 0 && strcmp (type, "secret") == 0)
    {
      const struct build_secret *s = id ? find_secret (b->o, id) : NULL;
      if (s == NULL && !truthy (config_map_get (&f, "required")) && id)
        goto out; /* a secret not given is skipped unless required, as Docker does */
      if (s == NULL)
        rc = hk_error_set (err, ENOENT, "line %u: RUN --mount: secret `%s` was not given "
                                        "(--secret id=%s,src=FILE)", line, id ? id : "", id ? id : "ID");
      else
        {
          _cleanup_free_ char *dflt = xasprintf ("/run/secrets/%s", id);
          exclude_mount_point (m, root_fd, target ? target : dflt);
          add_bind (c, xstrdup (s->src), target ? target : dflt, true);
        }
    }
  else if (rc == 0 && target == NULL)
    rc = hk_error_set (err, EINVAL, "line %u: RUN --mount `%s`: no target", line, text);
  else if (rc == 0 && strcmp (type, "cache") == 0)
    {
      char *dir = build_cache_mount_dir (b, id ? id : target, err);
      if (dir == NULL)
        rc = -1;
      else
        {
          exclude_mount_point (m, root_fd, target);
          add_bind (c, dir, target, truthy (config_map_get (&f, "readonly")));
        }
    }
  else if (rc == 0 && strcmp (type, "tmpfs") == 0)
    {
      exclude_mount_point (m, root_fd, target);
      const char *size = config_map_get (&f, "size");
      _cleanup_free_ char *opts = size ? xasprintf ("size=%s", size) : xstrdup ("");
      config_map_set (&c->tmpfs, target, opts);
    }
  else if (rc == 0 && strcmp (type, "bind") == 0)
    {
      const char *from = config_map_get (&f, "from");
      const char *src = config_map_get (&f, "source") ? config_map_get (&f, "source") : ".";
      _cleanup_free_ char *root = NULL;
      if (from)
        rc = stage_root (sr, from, m, &root, err);
      else if (b->o->context == NULL)
        rc = hk_error_set (err, EINVAL, "line %u: RUN --mount=type=bind: no build context", line);
      else
        root = xstrdup (b->o->context);
      if (rc == 0)
        rc = bind_source (root, src, &source, err);
      if (rc == 0)
        {
          exclude_mount_point (m, root_fd, target);
          bool rw = truthy (config_map_get (&f, "rw")) || truthy (config_map_get (&f, "readwrite"));
          add_bind (c, take_ptr (source), target, !rw);
        }
    }
  else if (rc == 0)
    rc = hk_error_set (err, EINVAL, "line %u: RUN --mount: unknown type `%s` (bind, cache, "
                                    "secret or tmpfs)", line, type);
out:
  config_map_clear (&f);
  return rc;
}

/* The key's part of one --mount: what a bind shows. */
static int
mount_key (struct stage_run *sr, const struct df_instruction *in, const char *text,
           char key[DIGEST_STRING_SIZE], struct hk_error **err)
{
  struct build *b = sr->b;
  struct config_map f = { 0 };
  int rc = mount_fields (text, in->line, &f, err);
  const char *type = config_map_get (&f, "type");
  const char *from = config_map_get (&f, "from");
  const char *src = config_map_get (&f, "source") ? config_map_get (&f, "source") : ".";
  char digest[DIGEST_STRING_SIZE] = "";
  _cleanup_free_ char *id = NULL;
  if (rc < 0 || (type && strcmp (type, "bind") != 0))
    ; /* caches, tmpfs and secrets are not part of the key, as in BuildKit */
  else if (from)
    {
      struct build_stage *st = build_find_stage (b, sr->stage, from);
      if (st && (rc = build_stage_wait (b, st, err)) == 0)
        id = xstrdup (st->image_id);
      else if (st == NULL)
        rc = build_resolve_image (b, from, &id, err);
      if (rc == 0)
        snprintf (digest, sizeof digest, "%s", id);
    }
  else if (b->context_fd >= 0)
    rc = build_context_digest (sr, in, src, digest, err);
  if (rc == 0 && *digest)
    {
      const char *parts[] = { text, digest, NULL };
      build_key (key, key, parts);
    }
  config_map_clear (&f);
  return rc;
}

/* What the Dockerfile asks of RUN beyond a sandbox: a network other than
 * the build's (only none, or host when the command line allows it: a
 * Dockerfile may not join the host's or any named network on its own) and
 * a privileged container (when allowed).  Checked before the cache, as a
 * cached step was made with what it asked. */
static int
run_allowed (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err)
{
  const struct build_options *o = sr->b->o;
  const char *network = df_flag_get (in, "network", NULL);
  bool build_on_host = o->network && strcmp (o->network, "host") == 0;
  if (network && strcmp (network, "default") && strcmp (network, "none")
      && strcmp (network, "host"))
    return hk_error_set (err, EINVAL, "line %u: RUN --network=%s: default, none or host", in->line,
                         network);
  if (network && strcmp (network, "host") == 0 && !o->allow_network_host && !build_on_host)
    return hk_error_set (err, EPERM,
                         "line %u: RUN --network=host needs `--allow network.host` on the "
                         "command line",
                         in->line);
  const char *security = df_flag_get (in, "security", NULL);
  if (security && strcmp (security, "insecure") && strcmp (security, "sandbox"))
    return hk_error_set (err, EINVAL, "line %u: RUN --security=%s: insecure or sandbox", in->line,
                         security);
  if (security && strcmp (security, "insecure") == 0 && !o->allow_security_insecure)
    return hk_error_set (err, EPERM,
                         "line %u: RUN --security=insecure needs `--allow security.insecure` on "
                         "the command line",
                         in->line);
  return 0;
}

int
build_run_key (struct stage_run *sr, const struct df_instruction *in,
               char key[DIGEST_STRING_SIZE], struct hk_error **err)
{
  if (run_allowed (sr, in, err) < 0)
    return -1;
  const char **mounts = df_flag_all (in, "mount");
  int rc = 0;
  for (size_t i = 0; rc == 0 && mounts[i]; i++)
    rc = mount_key (sr, in, mounts[i], key, err);
  free (mounts);
  return rc < 0 ? hk_error_prefix (err, "line %u: RUN --mount", in->line) : 0;
}

/* A heredoc script that names its interpreter (`#!`): a file the kernel
 * runs, bound read-only at /dev/pipes/NAME as BuildKit does (/dev is the
 * container's tmpfs: nothing of it reaches the layer). */
static int
script_command (struct stage_run *sr, const struct df_heredoc *h, const char *body,
                struct ctr_config *c, struct run_mounts *m, struct hk_error **err)
{
  struct store *s = sr->b->e->store;
  char file[64];
  snprintf (file, sizeof file, "run-script-%08x%08x", arc4random (), arc4random ());
  _cleanup_close_ int fd = openat (s->tmp_fd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
  if (fd < 0)
    return hk_error_errno (err, errno, "create the script of `<<%s`", h->name);
  m->script = xasprintf ("%s/tmp/%s/%s", s->root, s->tmp_name, file);
  if (fs_write_all (fd, body, strlen (body)) < 0 || fchmod (fd, 0755) < 0)
    return hk_error_errno (err, errno, "write the script of `<<%s`", h->name);
  _cleanup_free_ char *target
      = xasprintf ("/dev/pipes/%s", strchr (h->name, '/') || *h->name == '.' ? "script" : h->name);
  add_bind (c, xstrdup (m->script), target, true);
  strv_free (c->cmd);
  c->cmd = NULL;
  strv_append (&c->cmd, target);
  return 0;
}

/* The process: the exec form as is; the shell form through the stage's
 * shell; a heredoc alone is the script (run by the interpreter its `#!`
 * names, if any), else the shell reads the heredocs itself.  As BuildKit
 * does, a RUN's heredoc is not expanded here: its shell expands what it
 * runs, with the args in its environment. */
static int
run_command (struct stage_run *sr, const struct df_instruction *in, struct ctr_config *c,
             struct run_mounts *m, struct hk_error **err)
{
  if (in->json_args)
    {
      c->cmd = strv_copy (in->json_args);
      return 0;
    }
  c->cmd = config_instruction_shell (json_object_get (sr->config, "config"));
  _cleanup_free_ char *script = xstrdup (in->args);
  bool only_heredoc = in->n_heredocs == 1 && strncmp (in->args, "<<", 2) == 0
                      && strcspn (in->args, " \t") == strlen (in->args);
  if (only_heredoc)
    {
      const struct df_heredoc *h = &in->heredocs[0];
      if (strncmp (h->content, "#!", 2) == 0)
        return script_command (sr, h, h->content, c, m, err);
      strv_append (&c->cmd, h->content);
      return 0;
    }
  for (size_t i = 0; i < in->n_heredocs; i++)
    {
      const struct df_heredoc *h = &in->heredocs[i];
      char *t = xasprintf ("%s\n%s%s", script, h->content, h->name);
      free (script);
      script = t;
    }
  strv_append_take (&c->cmd, take_ptr (script));
  return 0;
}

/* RUN's history entry as Docker's classic builder writes it: the command
 * (the exec form's words, else the shell's and the text), after "|N
 * NAME=VALUE..." when args reach its environment: the N sorted ones that
 * are not predefined proxy args, unless ARG declared those (Docker keeps
 * a proxy's credentials out of the history). */
static char *
run_history (const struct stage_run *sr, const struct df_instruction *in,
             char *const *arg_env)
{
  _cleanup_strv_ char **shown = xzalloc (sizeof (char *));
  for (size_t i = 0; arg_env[i]; i++)
    {
      _cleanup_free_ char *name = xstrndup (arg_env[i], strcspn (arg_env[i], "="));
      if (!build_arg_is_proxy (name) || strv_contains (sr->declared, name))
        strv_append (&shown, arg_env[i]);
    }
  strv_sort (shown);
  size_t n = strv_length (shown);
  _cleanup_strv_ char **words = xzalloc (sizeof (char *));
  if (arg_env[0])
    {
      strv_append_take (&words, xasprintf ("|%zu", n));
      for (size_t i = 0; i < n; i++)
        strv_append (&words, shown[i]);
    }
  if (in->json_args)
    for (size_t i = 0; in->json_args[i]; i++)
      strv_append (&words, in->json_args[i]);
  else
    {
      _cleanup_strv_ char **shell = config_instruction_shell (json_object_get (sr->config, "config"));
      for (size_t i = 0; shell[i]; i++)
        strv_append (&words, shell[i]);
      strv_append (&words, in->args);
    }
  return strv_join (words, " ");
}

/* C for the RUN; its history entry in *HISTORY. */
static int
run_config (struct stage_run *sr, const struct df_instruction *in, struct ctr_config *c,
            struct run_mounts *m, char **history, struct hk_error **err)
{
  struct build *b = sr->b;
  if (run_command (sr, in, c, m, err) < 0)
    return -1;
  c->entrypoint = xzalloc (sizeof (char *)); /* an empty list: no entrypoint */
  /* The args reach RUN's environment; ENV of the same name wins. */
  json_t *cfg = json_object_get (sr->config, "config");
  _cleanup_strv_ char **env = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  json_get_strv (cfg, "config", "Env", &env, &ignored);
  _cleanup_strv_ char **arg_env = xzalloc (sizeof (char *));
  for (size_t i = 0; sr->args && sr->args[i]; i++)
    {
      size_t n = strcspn (sr->args[i], "=");
      _cleanup_free_ char *name = xstrndup (sr->args[i], n);
      if (strv_env_get (env, name) == NULL)
        {
          strv_append (&c->env, sr->args[i]);
          strv_append (&arg_env, sr->args[i]);
        }
    }
  *history = run_history (sr, in, arg_env);
  /* RUN --network=default is the build's network (run_allowed checked the rest). */
  const char *network = df_flag_get (in, "network", NULL);
  if (network == NULL || strcmp (network, "default") == 0)
    network = b->o->network;
  if (network)
    c->network_mode = xstrdup (network);
  const char *security = df_flag_get (in, "security", NULL);
  c->privileged = security && strcmp (security, "insecure") == 0;
  return 0;
}

/* WORKDIR's directory, made as Docker makes it when a step needs it. */
static int
make_workdir (struct stage_run *sr, struct ctr_record *r, struct hk_error **err)
{
  const char *wd = json_string_value (
      json_object_get (json_object_get (sr->config, "config"), "WorkingDir"));
  if (wd == NULL || *wd == '\0')
    return 0;
  _cleanup_free_ char *merged = build_container_path (sr->b, r, "merged");
  _cleanup_close_ int root = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return hk_error_errno (err, errno, "open `%s`", merged);
  _cleanup_close_ int fd = in_root_mkpath (root, wd, IN_ROOT_DIR, 0755, err);
  return fd < 0 ? hk_error_prefix (err, "WORKDIR %s", wd) : 0;
}

/* Kills R after its attachment failed: it must not run on alone. */
static void
kill_step (struct build *b, struct ctr_record *r)
{
  _cleanup_error_ struct hk_error *ignored = NULL;
  engine_kill (b->e, r, SIGKILL, &ignored);
}

/* Starts R and attaches to it, the build's lock let go meanwhile (the
 * stage is cancelled by killing sr->stage->running); its exit code in
 * *CODE. */
static int
start_and_attach (struct stage_run *sr, struct ctr_record *r, int *code, struct hk_error **err)
{
  struct build *b = sr->b;
  if (engine_start (b->e, r, ENGINE_START_ON_ATTACH | ENGINE_START_OWNED, err) < 0)
    return -1;
  _cleanup_free_ char *run_dir = engine_run_dir (b->e, r->id);
  _cleanup_free_ char *socket = xasprintf ("%s/attach", run_dir);
  int attached = -1;
  sr->stage->running = r;
  if (build_stopped (b))
    kill_step (b, r); /* stopped while this step got ready */
  pthread_mutex_unlock (&b->lock);
  int rc = b->o->attach (socket, &attached, b->o->attach_data, err);
  pthread_mutex_lock (&b->lock);
  sr->stage->running = NULL;
  if (rc < 0)
    kill_step (b, r);
  int waited = -1;
  _cleanup_error_ struct hk_error *wait_err = NULL;
  if (engine_wait (b->e, r, &waited, &wait_err) < 0 && rc == 0)
    {
      *err = take_ptr (wait_err);
      rc = -1;
    }
  engine_wait_cleanup (r);
  *code = attached >= 0 ? attached : waited;
  return rc;
}

/* Runs R; a failing command is an error naming the step. */
static int
run_container (struct stage_run *sr, const struct df_instruction *in, struct ctr_record *r,
               struct hk_error **err)
{
  struct build *b = sr->b;
  int code = 0;
  if (start_and_attach (sr, r, &code, err) < 0)
    return -1;
  if (build_interrupted (b))
    return hk_error_set (err, EINTR, "interrupted");
  if (b->failed)
    return hk_error_set (err, ECANCELED, "stopped: another stage failed");
  if (code != 0)
    {
      b->exit_code = code;
      return hk_error_set (err, ECANCELED, "line %u: `%s` returned a non-zero code: %d",
                           in->line, in->text, code);
    }
  return 0;
}

int
build_run_step (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err)
{
  struct build *b = sr->b;
  struct ctr_config c;
  ctr_config_init (&c);
  struct run_mounts m = { 0 };
  struct ctr_record *r = NULL;
  _cleanup_free_ char *history = NULL;
  int rc = run_config (sr, in, &c, &m, &history, err);
  /* Mount points are judged against the image: a container of it first. */
  const char **mounts = df_flag_all (in, "mount");
  if (rc == 0 && mounts[0])
    {
      struct ctr_record *probe = NULL;
      rc = build_root_container (b, sr->image_id, &probe, err);
      _cleanup_free_ char *merged = probe ? build_container_path (b, probe, "merged") : NULL;
      _cleanup_close_ int root_fd = merged ? open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
      for (size_t i = 0; rc == 0 && mounts[i]; i++)
        rc = add_mount (sr, &c, mounts[i], in->line, &m, root_fd, err);
      if (probe)
        {
          build_container_remove (b, probe);
          ctr_record_free (probe);
        }
    }
  free (mounts);
  if (rc == 0)
    rc = build_container (b, sr->image_id, &c, &r, err);
  if (rc == 0)
    rc = make_workdir (sr, r, err);
  if (rc == 0)
    rc = run_container (sr, in, r, err);
  if (rc == 0)
    {
      _cleanup_free_ char *upper = build_container_path (b, r, "upper");
      rc = build_commit (sr, upper, m.exclude, true, history, err);
    }
  if (r)
    {
      build_container_remove (b, r);
      ctr_record_free (r);
    }
  run_mounts_clear (b, &m);
  ctr_config_clear (&c);
  return rc;
}
