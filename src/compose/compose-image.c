/* SPDX-License-Identifier: Apache-2.0 */
/* A service's image: found in the store, else pulled or built.  Pulls and
 * builds run `hako pull` and `hako build` (this program): their work
 * needs libcurl and libarchive, which only hako-transfer links, and hako
 * already hands those commands over to it. */
#include "compose-engine.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

char *
compose_image_name (const struct compose_project *p, const char *name, json_t *service)
{
  const char *image = json_string_value (json_object_get (service, "image"));
  return image ? xstrdup (image) : xasprintf ("%s-%s", p->name, name);
}

static bool
in_store (struct engine *e, const char *image)
{
  _cleanup_free_ char *id = NULL;
  struct hk_error *why = NULL;
  if (store_image_resolve (e->store, image, NULL, &id, &why) == 0)
    return true;
  hk_error_free (why);
  return false;
}

/* Runs `hako --root R --runroot R ARGS...`; WHAT names it in errors.  What
 * it prints on stdout (pull's and build's -q print a name) goes to OUT
 * with the progress lines, or nowhere when OUT is NULL (quiet); its errors
 * go to stderr. */
static int
run_hako (struct engine *e, char **args, const char *what, FILE *out, struct hk_error **err)
{
  _cleanup_strv_ char **argv = NULL;
  strv_append (&argv, e->hako_path);
  strv_append (&argv, "--root");
  strv_append (&argv, e->root);
  strv_append (&argv, "--runroot");
  strv_append (&argv, e->runroot);
  for (char **a = args; *a; a++)
    strv_append (&argv, *a);
  fflush (stdout);
  fflush (stderr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init (&actions);
  if (out == NULL)
    posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  else
    posix_spawn_file_actions_adddup2 (&actions, fileno (out), STDOUT_FILENO);
  pid_t pid;
  int rc = posix_spawn (&pid, e->hako_path, &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  if (rc != 0)
    return hk_error_errno (err, rc, "run `%s`", e->hako_path);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for %s", what);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hk_error_set (err, EIO, "%s failed", what);
  return 0;
}

/* A service's progress line on OUT (NULL: quiet). */
static void
progress (FILE *out, const char *name, const char *what)
{
  if (out != NULL)
    fprintf (out, " Service %s  %s\n", name, what);
}

static int
build (struct engine *e, const char *name, const char *image, json_t *b, FILE *out,
       struct hk_error **err)
{
  _cleanup_strv_ char **args = NULL;
  strv_append (&args, "build");
  strv_append (&args, "-q");
  strv_append (&args, "-t");
  strv_append (&args, image);
  const char *context = json_string_value (json_object_get (b, "context"));
  const char *dockerfile = json_string_value (json_object_get (b, "dockerfile"));
  _cleanup_free_ char *file = dockerfile[0] == '/' ? xstrdup (dockerfile)
                                                   : xasprintf ("%s/%s", context, dockerfile);
  strv_append (&args, "-f");
  strv_append (&args, file);
  const char *target = json_string_value (json_object_get (b, "target"));
  if (target)
    {
      strv_append (&args, "--target");
      strv_append (&args, target);
    }
  const char *key;
  json_t *v;
  json_object_foreach (json_object_get (b, "args"), key, v)
  {
    strv_append (&args, "--build-arg");
    strv_append_take (&args, json_is_string (v) ? xasprintf ("%s=%s", key, json_string_value (v))
                                                : xstrdup (key));
  }
  json_object_foreach (json_object_get (b, "labels"), key, v)
  {
    strv_append (&args, "--label");
    strv_append_take (&args, xasprintf ("%s=%s", key, json_is_string (v) ? json_string_value (v) : ""));
  }
  if (json_is_true (json_object_get (b, "no_cache")))
    strv_append (&args, "--no-cache");
  strv_append (&args, context);
  progress (out, name, "Building");
  _cleanup_free_ char *what = xasprintf ("services.%s.build (hako build)", name);
  if (run_hako (e, args, what, out, err) < 0)
    return -1;
  progress (out, name, "Built");
  return 0;
}

int
compose_ensure_image (struct engine *e, const struct compose_project *p, const char *name,
                      json_t *service, bool force_build, FILE *out, struct hk_error **err)
{
  _cleanup_free_ char *image = compose_image_name (p, name, service);
  json_t *b = json_object_get (service, "build");
  const char *policy = json_string_value (json_object_get (service, "pull_policy"));
  bool present = in_store (e, image);
  if (b && (force_build || !present || (policy && strcmp (policy, "build") == 0)))
    return build (e, name, image, b, out, err);
  if (present && !(policy && strcmp (policy, "always") == 0))
    return 0;
  if (policy && strcmp (policy, "never") == 0)
    return hk_error_set (err, ENOENT, "services.%s: image %s is not in the store and "
                         "pull_policy is never", name, image);
  char *args[] = { "pull", "-q", image, NULL };
  _cleanup_free_ char *what = xasprintf ("pull of %s for service %s", image, name);
  progress (out, name, "Pulling");
  return run_hako (e, args, what, out, err);
}

int
compose_push_image (struct engine *e, const char *name, json_t *service, bool quiet, FILE *out,
                    struct hk_error **err)
{
  const char *image = json_string_value (json_object_get (service, "image"));
  _cleanup_strv_ char **args = NULL;
  strv_append (&args, "push");
  if (quiet)
    strv_append (&args, "-q");
  strv_append (&args, image);
  _cleanup_free_ char *what = xasprintf ("push of %s for service %s", image, name);
  progress (quiet ? NULL : out, name, "Pushing");
  return run_hako (e, args, what, quiet ? NULL : out, err);
}

int
compose_remove_images (struct engine *e, const struct compose_project *p, bool all, FILE *out,
                       struct hk_error **err)
{
  _cleanup_strv_ char **images = NULL;
  const char *name;
  json_t *svc;
  json_object_foreach (json_object_get (p->model, "services"), name, svc)
  {
    if (!all && json_object_get (svc, "image"))
      continue; /* local: only the images the project named itself */
    _cleanup_free_ char *image = compose_image_name (p, name, svc);
    if (!strv_contains (images, image) && in_store (e, image))
      strv_append (&images, image);
  }
  int rc = 0;
  for (char **image = images; image && *image; image++)
    {
      char *args[] = { "rmi", *image, NULL };
      _cleanup_free_ char *what = xasprintf ("removal of image %s (hako rmi)", *image);
      struct hk_error *why = NULL;
      if (run_hako (e, args, what, stdout, &why) == 0)
        fprintf (out, " Image %s  Removed\n", *image);
      else if (rc == 0)
        {
          *err = why;
          rc = -1;
        }
      else
        hk_error_free (why);
    }
  return rc;
}
