/* SPDX-License-Identifier: Apache-2.0 */
/* Images and registries: pull, push, login, logout. */
#include "cli-registry.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "transfer-commands.h"
#include "transfer/auth-file.h"
#include "transfer/pull.h"
#include "transfer/push.h"
#include "store/reference.h"
#include "store/registries-conf.h"
#include "transfer/registry.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long
stall_timeout (void)
{
  const char *v = getenv ("HAKO_REGISTRY_TIMEOUT");
  long t = v ? strtol (v, NULL, 10) : 0;
  return t > 0 ? t : 30;
}

int
cli_registry_client (struct hako_cli *cli, const struct registry_flags *f, char ***auth_paths,
                     char **user, char **password, struct registry_client **out,
                     struct hk_error **err)
{
  struct registries_conf *rc;
  if (cli_registries (cli, &rc, err) < 0)
    return -1;
  _cleanup_free_ char *write_path = NULL;
  auth_file_paths (f->authfile, auth_paths, &write_path);
  if (f->creds)
    {
      const char *colon = strchr (f->creds, ':');
      *user = colon ? xstrndup (f->creds, (size_t)(colon - f->creds)) : xstrdup (f->creds);
      *password = xstrdup (colon ? colon + 1 : "");
    }
  struct registry_options opts = {
    .conf = rc,
    .log = &cli->log,
    .tls_verify = f->tls_verify,
    .auth_paths = *auth_paths,
    .user = *user,
    .password = *password,
    .stall_timeout = stall_timeout (),
    .cert_dir = f->cert_dir,
    .certs_d = getenv ("HAKO_CERTS_D"),
  };
  return registry_client_new (&opts, out, err);
}

int
cmd_pull (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "platform", required_argument, NULL, 'p' },
    REGISTRY_OPTIONS,
    { NULL, 0, NULL, 0 },
  };
  struct registry_flags flags = { .tls_verify = true };
  bool quiet = false;
  const char *platform_text = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "q", options, NULL)) != -1)
    {
      int r = registry_flag (&flags, c, optarg, err);
      if (r < 0)
        return -1;
      if (r > 0)
        continue;
      switch (c)
        {
        case 'q':
          quiet = true;
          break;
        case 'p':
          platform_text = optarg;
          break;
        default:
          return cli_bad_option (err, "pull", argv);
        }
    }
  if (optind + 1 != argc)
    return cli_usage (err, "pull", PULL_USAGE, "expected one image name");
  struct platform platform = { 0 };
  if (platform_text && platform_parse (platform_text, &platform, err) < 0)
    return -1;
  _cleanup_strv_ char **auth_paths = NULL;
  _cleanup_free_ char *user = NULL, *password = NULL;
  _cleanup_registry_client_ struct registry_client *client = NULL;
  struct store *s;
  struct registries_conf *rc;
  struct pull_result result = { 0 };
  int r = -1;
  if (cli_store (cli, &s, err) < 0 || cli_registries (cli, &rc, err) < 0
      || cli_registry_client (cli, &flags, &auth_paths, &user, &password, &client, err) < 0)
    goto out;
  struct pull_options opts = {
    .platform = platform_text ? &platform : NULL,
    .search = rc->search,
    .progress = quiet ? NULL : stderr,
    .progress_tty = cli->stderr_is_tty,
  };
  r = image_pull (s, client, argv[optind], &opts, &result, err);
  if (r == 0)
    {
      if (!quiet)
        {
          _cleanup_image_ref_ struct image_ref *ref = NULL;
          _cleanup_free_ char *familiar = NULL;
          if (image_ref_parse (result.reference, &ref, NULL) == 0)
            familiar = image_ref_familiar (ref);
          printf ("Digest: %s\nStatus: %s for %s\n", result.digest,
                  result.downloaded ? "Downloaded newer image" : "Image is up to date",
                  familiar ? familiar : result.reference);
        }
      printf ("%s\n", result.reference);
      cli_event (cli, "image", "pull", result.id, result.reference);
    }
out:
  pull_result_clear (&result);
  platform_clear (&platform);
  return r;
}

int
cmd_push (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "quiet", no_argument, NULL, 'q' },
    REGISTRY_OPTIONS,
    { NULL, 0, NULL, 0 },
  };
  struct registry_flags flags = { .tls_verify = true };
  bool quiet = false;
  int c;
  while ((c = getopt_long (argc, argv, "q", options, NULL)) != -1)
    {
      int r = registry_flag (&flags, c, optarg, err);
      if (r < 0)
        return -1;
      if (r > 0)
        continue;
      if (c == 'q')
        quiet = true;
      else
        return cli_bad_option (err, "push", argv);
    }
  if (optind >= argc || optind + 2 < argc)
    return cli_usage (err, "push", PUSH_USAGE, "expected an image and an optional destination");
  const char *source = argv[optind];
  const char *destination = optind + 1 < argc ? argv[optind + 1] : source;
  _cleanup_image_ref_ struct image_ref *dest = NULL;
  if (image_ref_parse (destination, &dest, err) < 0)
    return -1;
  struct store *s;
  struct registries_conf *rc;
  _cleanup_free_ char *id = NULL;
  if (cli_store (cli, &s, err) < 0 || cli_registries (cli, &rc, err) < 0
      || store_image_resolve (s, source, rc->search, &id, err) < 0)
    return -1;
  _cleanup_strv_ char **auth_paths = NULL;
  _cleanup_free_ char *user = NULL, *password = NULL;
  _cleanup_registry_client_ struct registry_client *client = NULL;
  if (cli_registry_client (cli, &flags, &auth_paths, &user, &password, &client, err) < 0)
    return -1;
  const char *chunk_env = getenv ("HAKO_PUSH_CHUNK_SIZE");
  struct push_options opts = {
    .progress = quiet ? NULL : stderr,
    .progress_tty = cli->stderr_is_tty,
    .chunk_size = chunk_env ? strtoull (chunk_env, NULL, 10) : 0,
  };
  _cleanup_free_ char *repo = image_ref_repository (dest);
  if (!quiet)
    fprintf (stderr, "The push refers to repository [%s]\n", repo);
  char digest[DIGEST_STRING_SIZE];
  if (image_push (s, client, id, dest, &opts, digest, err) < 0)
    return hk_error_prefix (err, "push `%s`", destination);
  _cleanup_free_ char *repo_digest = xasprintf ("%s@%s", repo, digest);
  if (store_digest_add (s, id, repo_digest, err) < 0)
    return -1;
  printf ("%s: digest: %s\n", dest->tag ? dest->tag : dest->digest, digest);
  cli_event (cli, "image", "push", id, destination);
  return 0;
}

static int
read_password_stdin (char **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_fd (0, 64 * 1024, &text, &len, err) < 0)
    return hk_error_prefix (err, "--password-stdin");
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
    text[--len] = '\0';
  *out = take_ptr (text);
  return 0;
}

/* Asks on the terminal, without echo for a password.  Returns NULL at the
 * end of input. */
static char *
prompt (const char *question, bool secret)
{
  fprintf (stderr, "%s", question);
  fflush (stderr);
  struct termios old, quiet;
  bool restore = secret && tcgetattr (0, &old) == 0;
  if (restore)
    {
      quiet = old;
      quiet.c_lflag &= (tcflag_t)~ECHO;
      tcsetattr (0, TCSANOW, &quiet);
    }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, stdin);
  if (restore)
    {
      tcsetattr (0, TCSANOW, &old);
      fputc ('\n', stderr);
    }
  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

int
cmd_login (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "username", required_argument, NULL, 'u' },
    { "password", required_argument, NULL, 'p' },
    { "password-stdin", no_argument, NULL, 'S' },
    REGISTRY_OPTIONS,
    { NULL, 0, NULL, 0 },
  };
  struct registry_flags flags = { .tls_verify = true };
  const char *user = NULL;
  _cleanup_free_ char *password = NULL;
  bool from_stdin = false;
  int c;
  while ((c = getopt_long (argc, argv, "u:p:", options, NULL)) != -1)
    {
      int r = registry_flag (&flags, c, optarg, err);
      if (r < 0)
        return -1;
      if (r > 0)
        continue;
      switch (c)
        {
        case 'u':
          user = optarg;
          break;
        case 'p':
          free (password);
          password = xstrdup (optarg);
          break;
        case 'S':
          from_stdin = true;
          break;
        default:
          return cli_bad_option (err, "login", argv);
        }
    }
  if (optind + 1 < argc)
    return cli_usage (err, "login", LOGIN_USAGE, "expected one registry");
  /* Like Docker: no registry means Docker Hub; ask on a terminal. */
  const char *registry = optind < argc ? argv[optind] : REFERENCE_DEFAULT_DOMAIN;
  _cleanup_free_ char *asked_user = NULL;
  if (user == NULL)
    {
      if (!isatty (0) || from_stdin)
        return cli_usage (err, "login", LOGIN_USAGE, "missing --username");
      asked_user = prompt ("Username: ", false);
      if (asked_user == NULL || *asked_user == '\0')
        return hk_error_set (err, EINVAL, "login: no user name given");
      user = asked_user;
    }
  if (password == NULL && !from_stdin && isatty (0))
    {
      password = prompt ("Password: ", true);
      if (password == NULL)
        return hk_error_set (err, EINVAL, "login: no password given");
    }
  if (from_stdin)
    {
      free (password);
      password = NULL;
      if (read_password_stdin (&password, err) < 0)
        return -1;
    }
  if (password == NULL)
    return cli_usage (err, "login", LOGIN_USAGE, "missing --password or --password-stdin");
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  _cleanup_free_ char *probe = xasprintf ("%s/x", registry);
  const char *domain = registry;
  if (image_ref_names_domain (probe) && image_ref_parse (probe, &ref, err) == 0)
    domain = ref->domain;
  _cleanup_free_ char *creds = xasprintf ("%s:%s", user, password);
  flags.creds = creds;
  _cleanup_strv_ char **auth_paths = NULL;
  _cleanup_free_ char *u = NULL, *pw = NULL, *write_path = NULL;
  _cleanup_registry_client_ struct registry_client *client = NULL;
  if (cli_registry_client (cli, &flags, &auth_paths, &u, &pw, &client, err) < 0
      || registry_check_login (client, domain, err) < 0)
    return -1;
  _cleanup_strv_ char **ignored = NULL;
  auth_file_paths (flags.authfile, &ignored, &write_path);
  if (auth_file_store (write_path, domain, user, password, err) < 0)
    return -1;
  printf ("Login Succeeded!\n");
  return 0;
}

int
cmd_logout (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "all", no_argument, NULL, 'a' },
    { "authfile", required_argument, NULL, 'A' },
    { NULL, 0, NULL, 0 },
  };
  bool all = false;
  const char *authfile = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "a", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'A':
        authfile = optarg;
        break;
      default:
        return cli_bad_option (err, "logout", argv);
      }
  if (optind + 1 < argc || (all && optind < argc))
    return cli_usage (err, "logout", LOGOUT_USAGE, "expected a registry or --all");
  _cleanup_strv_ char **paths = NULL;
  _cleanup_free_ char *write_path = NULL;
  auth_file_paths (authfile, &paths, &write_path);
  const char *domain = all ? NULL : optind < argc ? argv[optind] : REFERENCE_DEFAULT_DOMAIN;
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  _cleanup_free_ char *probe = domain ? xasprintf ("%s/x", domain) : NULL;
  if (probe && image_ref_names_domain (probe) && image_ref_parse (probe, &ref, NULL) == 0)
    domain = ref->domain;
  bool removed = false;
  if (auth_file_remove (write_path, domain, &removed, err) < 0)
    return -1;
  if (!removed)
    return hk_error_set (err, ENOENT, "not logged in to %s", domain ? domain : "any registry");
  printf ("Removed login credentials for %s\n", domain ? domain : "all registries");
  return 0;
}

