/* SPDX-License-Identifier: Apache-2.0 */
#include "auth-file.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/reference.h"
#include "registry-auth.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define AUTH_FILE_MAX (1 << 20)

void
auth_file_paths (const char *override, char ***read_paths, char **write_path)
{
  char **v = xzalloc (sizeof (char *));
  const char *env = getenv ("REGISTRY_AUTH_FILE");
  if (override && *override)
    strv_append (&v, override);
  else if (env && *env)
    strv_append (&v, env);
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (xdg && *xdg)
    strv_append_take (&v, xasprintf ("%s/containers/auth.json", xdg));
  else
    strv_append_take (&v, xasprintf ("/run/containers/%u/auth.json", (unsigned)getuid ()));
  const char *home = getenv ("HOME");
  if (home && *home)
    {
      strv_append_take (&v, xasprintf ("%s/.config/containers/auth.json", home));
      strv_append_take (&v, xasprintf ("%s/.docker/config.json", home));
    }
  *write_path = xstrdup (v[0]);
  *read_paths = v;
}

/* "https://index.docker.io/v1/" → "docker.io"; "quay.io/org" stays. */
static char *
normalize_key (const char *key)
{
  const char *k = key;
  if (strncmp (k, "https://", 8) == 0)
    k += 8;
  else if (strncmp (k, "http://", 7) == 0)
    k += 7;
  char *out = xstrdup (k);
  size_t n = strlen (out);
  while (n > 0 && out[n - 1] == '/')
    out[--n] = '\0';
  char *slash = strchr (out, '/');
  if (slash && (strcmp (slash, "/v1") == 0 || strcmp (slash, "/v2") == 0))
    *slash = '\0';
  static const char *const docker_hosts[] = { "index.docker.io", "registry-1.docker.io" };
  for (size_t i = 0; i < 2; i++)
    {
      size_t hl = strlen (docker_hosts[i]);
      if (strncmp (out, docker_hosts[i], hl) == 0 && (out[hl] == '\0' || out[hl] == '/'))
        {
          char *fixed = xasprintf ("%s%s", REFERENCE_DEFAULT_DOMAIN, out + hl);
          free (out);
          return fixed;
        }
    }
  return out;
}

/* Length of the match of KEY over "REGISTRY/REPOSITORY", 0 for none. */
static size_t
key_match (const char *key, const char *registry, const char *repository)
{
  size_t rl = strlen (registry), kl = strlen (key);
  if (strncmp (key, registry, rl) != 0)
    return 0;
  if (key[rl] == '\0')
    return rl;
  if (key[rl] != '/' || repository == NULL)
    return 0;
  const char *rest = key + rl + 1;
  size_t restl = kl - rl - 1;
  if (strncmp (repository, rest, restl) == 0
      && (repository[restl] == '\0' || repository[restl] == '/'))
    return kl;
  return 0;
}

static bool
helper_name_is_valid (const char *name)
{
  if (*name == '\0' || strlen (name) > 64)
    return false;
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
          || *c == '.' || *c == '_' || *c == '-'))
      return false;
  return true;
}

/* Docker's helpers: credHelpers for the registry, else credsStore. */
static int
find_helper (json_t *doc, const char *what, const char *registry, char **helper,
             struct hk_error **err)
{
  const char *name = NULL;
  json_t *helpers = json_object_get (doc, "credHelpers");
  if (json_is_object (helpers))
    {
      const char *key;
      json_t *v;
      json_object_foreach (helpers, key, v)
      {
        _cleanup_free_ char *norm = normalize_key (key);
        if (strcmp (norm, registry) == 0 && json_is_string (v))
          name = json_string_value (v);
      }
    }
  if (name == NULL && json_is_string (json_object_get (doc, "credsStore")))
    name = json_string_value (json_object_get (doc, "credsStore"));
  if (name == NULL || helper == NULL)
    return 0;
  if (!helper_name_is_valid (name))
    return hk_error_set (err, EINVAL, "%s: credential helper `%.64s` is not a plain name", what,
                         name);
  *helper = xstrdup (name);
  return 2;
}

int
auth_file_lookup_text (const char *text, size_t len, const char *what, const char *registry,
                       const char *repository, char **user, char **password, char **helper,
                       struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (text, len, what, &doc, err) < 0)
    return -1;
  int h = find_helper (doc, what, registry, helper, err);
  if (h != 0)
    return h;
  json_t *auths;
  int r = json_get_object (doc, "", "auths", &auths, err);
  if (r < 0)
    return hk_error_prefix (err, "%s", what);
  if (r == 0)
    return 0;
  const char *key;
  json_t *entry, *best = NULL;
  size_t best_len = 0;
  json_object_foreach (auths, key, entry)
  {
    _cleanup_free_ char *norm = normalize_key (key);
    size_t m = key_match (norm, registry, repository);
    if (m > best_len)
      {
        best = entry;
        best_len = m;
      }
  }
  if (best == NULL)
    return 0;
  if (!json_is_object (best))
    return hk_error_set (err, EINVAL, "%s: auths entry for `%s`: expected an object", what,
                         registry);
  _cleanup_free_ char *b64 = NULL, *u = NULL, *p = NULL;
  if (json_get_string (best, "auths", "auth", &b64, err) < 0
      || json_get_string (best, "auths", "username", &u, err) < 0
      || json_get_string (best, "auths", "password", &p, err) < 0)
    return hk_error_prefix (err, "%s", what);
  if (b64 != NULL && *b64 != '\0')
    {
      free (u);
      free (p);
      u = p = NULL;
      if (auth_basic_decode (b64, &u, &p, err) < 0)
        return hk_error_prefix (err, "%s: auths entry for `%s`", what, registry);
    }
  if (u == NULL || p == NULL)
    return 0; /* an identity token or a helper: not handled here */
  *user = take_ptr (u);
  *password = take_ptr (p);
  return 1;
}

int
auth_file_lookup (char *const *paths, const char *registry, const char *repository, char **user,
                  char **password, struct hk_error **err)
{
  for (size_t i = 0; paths && paths[i]; i++)
    {
      _cleanup_free_ char *text = NULL;
      size_t len;
      _cleanup_error_ struct hk_error *read_err = NULL;
      if (fs_read_file (AT_FDCWD, paths[i], AUTH_FILE_MAX, &text, &len, &read_err) < 0)
        {
          if (read_err->errnum == ENOENT || read_err->errnum == ENOTDIR)
            continue;
          *err = take_ptr (read_err);
          return -1;
        }
      _cleanup_free_ char *helper = NULL;
      int r = auth_file_lookup_text (text, len, paths[i], registry, repository, user, password,
                                     &helper, err);
      if (r == 2)
        r = auth_helper_get (helper, registry, user, password, err);
      if (r != 0)
        return r;
    }
  return 0;
}

static int
load_doc (const char *path, json_t **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_error_ struct hk_error *read_err = NULL;
  if (fs_read_file (AT_FDCWD, path, AUTH_FILE_MAX, &text, &len, &read_err) < 0)
    {
      if (read_err->errnum != ENOENT)
        {
          *err = take_ptr (read_err);
          return -1;
        }
      *out = json_object ();
      return 0;
    }
  return json_parse_object (text, len, path, out, err);
}

static int
save_doc (const char *path, json_t *doc, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (path);
  const char *dir = dirname (copy);
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return -1;
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  _cleanup_free_ char *path_copy = xstrdup (path);
  const char *base = basename (path_copy);
  _cleanup_free_ char *text = json_to_string (doc, true);
  if (fs_write_atomic (dfd, base, text, strlen (text), 0600, err) < 0)
    return hk_error_prefix (err, "write `%s`", path);
  return 0;
}

int
auth_file_store (const char *path, const char *registry, const char *user, const char *password,
                 struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  if (load_doc (path, &doc, err) < 0)
    return -1;
  json_t *auths = json_object_get (doc, "auths");
  if (!json_is_object (auths))
    {
      auths = json_object ();
      json_object_set_new (doc, "auths", auths);
    }
  _cleanup_free_ char *b64 = auth_basic_encode (user, password);
  json_object_set_new (auths, registry, json_pack ("{s:s}", "auth", b64));
  return save_doc (path, doc, err);
}

int
auth_file_remove (const char *path, const char *registry, bool *removed, struct hk_error **err)
{
  *removed = false;
  _cleanup_json_ json_t *doc = NULL;
  if (load_doc (path, &doc, err) < 0)
    return -1;
  json_t *auths = json_object_get (doc, "auths");
  if (!json_is_object (auths))
    return 0;
  if (registry == NULL)
    {
      *removed = json_object_size (auths) > 0;
      json_object_clear (auths);
    }
  else
    {
      const char *key;
      json_t *v;
      void *tmp;
      json_object_foreach_safe (auths, tmp, key, v)
      {
        _cleanup_free_ char *norm = normalize_key (key);
        if (strcmp (norm, registry) == 0)
          {
            json_object_del (auths, key);
            *removed = true;
          }
      }
    }
  if (!*removed)
    return 0;
  return save_doc (path, doc, err);
}

int
auth_helper_get (const char *helper, const char *registry, char **user, char **password,
                 struct hk_error **err)
{
  if (!helper_name_is_valid (helper))
    return hk_error_set (err, EINVAL, "credential helper `%s` is not a plain name", helper);
  _cleanup_free_ char *program = xasprintf ("docker-credential-%s", helper);
  /* Docker Hub is known to helpers by its legacy URL. */
  const char *server
      = strcmp (registry, REFERENCE_DEFAULT_DOMAIN) == 0 ? "https://index.docker.io/v1/" : registry;
  /* Its input is a socket, so that writing to a helper that is already
   * gone (not installed: exit 127) fails with EPIPE instead of killing us
   * with SIGPIPE. */
  int in[2], out[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
    return hk_error_errno (err, errno, "run %s", program);
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return hk_error_errno (err, errno, "run %s", program);
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      int saved = errno;
      close (in[0]);
      close (in[1]);
      close (out[0]);
      close (out[1]);
      return hk_error_errno (err, saved, "run %s", program);
    }
  if (pid == 0)
    {
      if (dup2 (in[0], 0) < 0 || dup2 (out[1], 1) < 0)
        _exit (127);
      execlp (program, program, "get", (char *)NULL);
      _exit (127);
    }
  close (in[0]);
  close (out[1]);
  send (in[1], server, strlen (server), MSG_NOSIGNAL);
  close (in[1]);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  _cleanup_error_ struct hk_error *read_err = NULL;
  int r = fs_read_fd (out[0], AUTH_FILE_MAX, &text, &len, &read_err);
  close (out[0]);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) == 127)
    return hk_error_set (err, ENOENT, "credential helper %s could not run", program);
  if (r < 0)
    {
      *err = take_ptr (read_err);
      return hk_error_prefix (err, "credential helper %s", program);
    }
  if (WEXITSTATUS (status) != 0)
    return 0; /* "credentials not found in native keychain" */
  _cleanup_json_ json_t *doc = NULL;
  _cleanup_free_ char *u = NULL, *p = NULL;
  if (json_parse_object (text, len, program, &doc, err) < 0
      || json_get_string (doc, "", "Username", &u, err) < 0
      || json_get_string (doc, "", "Secret", &p, err) < 0)
    return hk_error_prefix (err, "credential helper %s", program);
  if (u == NULL || p == NULL || strcmp (u, "<token>") == 0)
    return 0; /* identity tokens are an OAuth flow hako does not speak */
  *user = take_ptr (u);
  *password = take_ptr (p);
  return 1;
}
