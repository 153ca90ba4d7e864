/* SPDX-License-Identifier: Apache-2.0 */
/* hako build (image build): the options, the Dockerfile and context, RUN
 * steps attached in the foreground like `hako run`, the final ID. */
#include "hako-build.h"
#include "hako-attach.h"
#include "cli-bool.h"
#include "build/dockerfile.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void
on_signal (int signum)
{
  (void)signum;
  interrupted = 1;
}

/* Interrupts stop the build: the running RUN containers are killed, then
 * the build removes what it made and fails. */
static void
catch_interrupts (void)
{
  struct sigaction sa = { .sa_handler = on_signal };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);
}

/* What the attachment reads of our signals: an interrupt stops the
 * build (which kills the step's container); the others are not a RUN's
 * business. */
static void
interrupt_build (int signum, void *data)
{
  (void)data;
  if (signum == SIGINT || signum == SIGTERM || signum == SIGHUP)
    interrupted = 1;
}

/* A RUN step: started by the monitor once we are attached, its output on
 * ours, then its exit code. */
static int
attach_step (const char *socket, int *code, void *data, struct hk_error **err)
{
  (void)data;
  struct attach_options o = {
    .socket_path = socket,
    .send_start = true,
    .forward_signal = interrupt_build,
  };
  bool detached;
  return attach_session (&o, code, &detached, err);
}

struct build_request
{
  struct build_options o;
  struct build_pull_data pull;
  const char *file;
  const char *iidfile;
  const char *context;
  char **build_args;
  char **tags;
  char **labels;
};

static int
add_secret (struct build_options *o, const char *spec, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (spec);
  char *id = NULL, *src = NULL, *save = NULL;
  for (char *f = strtok_r (copy, ",", &save); f; f = strtok_r (NULL, ",", &save))
    {
      if (strncmp (f, "id=", 3) == 0)
        id = f + 3;
      else if (strncmp (f, "src=", 4) == 0 || strncmp (f, "source=", 7) == 0)
        src = strchr (f, '=') + 1;
      else if (strcmp (f, "type=file") != 0)
        return hk_error_set (err, EINVAL, "--secret `%s`: expected id=ID,src=FILE", spec);
    }
  if (id == NULL || *id == '\0' || src == NULL)
    return hk_error_set (err, EINVAL, "--secret `%s`: expected id=ID,src=FILE", spec);
  if (access (src, R_OK) < 0)
    return hk_error_errno (err, errno, "--secret `%s`: `%s`", spec, src);
  o->secrets = xreallocarray (o->secrets, o->n_secrets + 1, sizeof *o->secrets);
  o->secrets[o->n_secrets++] = (struct build_secret){ .id = xstrdup (id), .src = realpath (src, NULL) };
  return 0;
}

static int
parse_timestamp (const char *text, int64_t *out, struct hk_error **err)
{
  char *end;
  errno = 0;
  long long v = strtoll (text, &end, 10);
  if (errno || end == text || *end || v < 0)
    return hk_error_set (err, EINVAL, "timestamp `%s`: seconds since the epoch", text);
  *out = v;
  return 0;
}

static int
full_tag (const char *text, char **out, struct hk_error **err)
{
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  if (image_ref_parse (text, &ref, err) < 0)
    return hk_error_prefix (err, "tag `%s`", text);
  *out = image_ref_string (ref);
  return 0;
}

enum
{
  OPT_BUILD_ARG = 256,
  OPT_TARGET,
  OPT_NO_CACHE,
  OPT_PULL,
  OPT_LABEL,
  OPT_IIDFILE,
  OPT_NETWORK,
  OPT_SECRET,
  OPT_TIMESTAMP,
  OPT_PLATFORM,
  OPT_LAYERS,
  OPT_ALLOW,
};

/* --allow ENTITLEMENT[,ENTITLEMENT...] (BuildKit's). */
static int
parse_allow (struct build_options *o, const char *text, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *e = strtok_r (copy, ",", &save); e; e = strtok_r (NULL, ",", &save))
    if (strcmp (e, "network.host") == 0)
      o->allow_network_host = true;
    else if (strcmp (e, "security.insecure") == 0)
      o->allow_security_insecure = true;
    else
      return hk_error_set (err, EINVAL, "--allow `%s`: network.host or security.insecure", e);
  return 0;
}

/* --pull[=POLICY], Podman's: a bare --pull and true are always, false
 * is missing (the default). */
static int
parse_pull (const char *text, enum build_pull_policy *out, struct hk_error **err)
{
  static const struct
  {
    const char *name;
    enum build_pull_policy policy;
  } policies[] = {
    { "always", BUILD_PULL_ALWAYS }, { "true", BUILD_PULL_ALWAYS },
    { "missing", BUILD_PULL_MISSING }, { "false", BUILD_PULL_MISSING },
    { "never", BUILD_PULL_NEVER }, { "newer", BUILD_PULL_NEWER },
  };
  if (text == NULL)
    {
      *out = BUILD_PULL_ALWAYS;
      return 0;
    }
  for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
    if (strcmp (text, policies[i].name) == 0)
      {
        *out = policies[i].policy;
        return 0;
      }
  return hk_error_set (err, EINVAL, "--pull=%s: always, missing, never or newer", text);
}

static int
parse_options (struct build_request *q, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "file", required_argument, NULL, 'f' },
    { "tag", required_argument, NULL, 't' },
    { "quiet", no_argument, NULL, 'q' },
    { "build-arg", required_argument, NULL, OPT_BUILD_ARG },
    { "target", required_argument, NULL, OPT_TARGET },
    { "no-cache", no_argument, NULL, OPT_NO_CACHE },
    { "pull", optional_argument, NULL, OPT_PULL },
    { "label", required_argument, NULL, OPT_LABEL },
    { "iidfile", required_argument, NULL, OPT_IIDFILE },
    { "network", required_argument, NULL, OPT_NETWORK },
    { "secret", required_argument, NULL, OPT_SECRET },
    { "timestamp", required_argument, NULL, OPT_TIMESTAMP },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "layers", optional_argument, NULL, OPT_LAYERS },
    { "allow", required_argument, NULL, OPT_ALLOW },
    REGISTRY_OPTIONS,
    { NULL, 0, NULL, 0 },
  };
  int c;
  while ((c = getopt_long (argc, argv, "f:t:q", options, NULL)) != -1)
    switch (registry_flag (&q->pull.flags, c, optarg, err) < 0 ? '!' : c)
      {
      case 'T':
      case 'A':
      case 'C':
      case 'K':
        break;
      case '!':
        return -1;
      case 'f':
        q->file = optarg;
        break;
      case 't':
        {
          char *tag = NULL;
          if (full_tag (optarg, &tag, err) < 0)
            return -1;
          strv_append_take (&q->tags, tag);
          break;
        }
      case 'q':
        q->o.quiet = true;
        break;
      case OPT_BUILD_ARG:
        if (strchr (optarg, '=') == NULL && getenv (optarg) == NULL)
          break; /* NAME alone takes our value, and there is none */
        if (strchr (optarg, '=') == NULL)
          strv_append_take (&q->build_args, xasprintf ("%s=%s", optarg, getenv (optarg)));
        else
          strv_append (&q->build_args, optarg);
        break;
      case OPT_TARGET:
        q->o.target = optarg;
        break;
      case OPT_NO_CACHE:
        q->o.no_cache = true;
        break;
      case OPT_PULL:
        if (parse_pull (optarg, &q->o.pull, err) < 0)
          return -1;
        break;
      case OPT_LABEL:
        strv_append (&q->labels, optarg);
        break;
      case OPT_IIDFILE:
        q->iidfile = optarg;
        break;
      case OPT_NETWORK:
        q->o.network = optarg;
        break;
      case OPT_SECRET:
        if (add_secret (&q->o, optarg, err) < 0)
          return -1;
        break;
      case OPT_TIMESTAMP:
        if (parse_timestamp (optarg, &q->o.timestamp, err) < 0)
          return -1;
        break;
      case OPT_LAYERS:
        {
          bool layers;
          if (cli_bool (optarg, "--layers", &layers, err) < 0)
            return -1;
          q->o.one_layer_per_stage = !layers;
          break;
        }
      case OPT_ALLOW:
        if (parse_allow (&q->o, optarg, err) < 0)
          return -1;
        break;
      case OPT_PLATFORM:
        if (build_platform_check (optarg, err) < 0)
          return hk_error_prefix (err, "--platform");
        break;
      default:
        return cli_bad_option (err, "build", argv);
      }
  if (argc - optind != 1)
    return cli_usage (err, "build", BUILD_USAGE, "expected one context (a directory or -)");
  q->context = argv[optind];
  return 0;
}

/* -f FILE, or CONTEXT/Containerfile, or CONTEXT/Dockerfile. */
static int
read_dockerfile (struct build_request *q, char **text, size_t *len, struct hk_error **err)
{
  if (q->file && strcmp (q->file, "-") == 0)
    return fs_read_fd (STDIN_FILENO, DOCKERFILE_MAX_SIZE + 1, text, len, err);
  if (q->file)
    {
      q->o.dockerfile_name = q->file;
      return fs_read_file (AT_FDCWD, q->file, DOCKERFILE_MAX_SIZE + 1, text, len, err);
    }
  static const char *const names[] = { "Containerfile", "Dockerfile", NULL };
  for (size_t i = 0; names[i]; i++)
    {
      _cleanup_free_ char *path = xasprintf ("%s/%s", q->context, names[i]);
      if (access (path, F_OK) == 0)
        {
          q->o.dockerfile_name = names[i];
          return fs_read_file (AT_FDCWD, path, DOCKERFILE_MAX_SIZE + 1, text, len, err);
        }
    }
  return hk_error_set (err, ENOENT, "no Containerfile or Dockerfile in `%s` (use -f FILE)",
                       q->context);
}

static void
request_clear (struct build_request *q)
{
  strv_free (q->build_args);
  strv_free (q->tags);
  strv_free (q->labels);
  for (size_t i = 0; i < q->o.n_secrets; i++)
    {
      free (q->o.secrets[i].id);
      free (q->o.secrets[i].src);
    }
  free (q->o.secrets);
}

static int
finish (struct build_request *q, const char *id, struct hk_error **err)
{
  if (q->iidfile)
    {
      _cleanup_close_ int fd
          = open (q->iidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || fs_write_all (fd, id, strlen (id)) < 0)
        return hk_error_errno (err, errno, "write the image ID to `%s`", q->iidfile);
    }
  for (size_t i = 0; !q->o.quiet && q->tags && q->tags[i]; i++)
    printf ("Successfully tagged %s\n", q->tags[i]);
  printf ("%s\n", q->o.quiet ? id : digest_hex (id));
  return 0;
}

/* The build, its output on stdout; without a worker into a buffer that
 * is printed only if the build needs none. */
static int
run_build (struct hako_cli *cli, struct build_request *q, const struct build_program *p,
           struct build_result *res, struct hk_error **err)
{
  struct engine *e = NULL;
  _cleanup_free_ char *text = NULL;
  _cleanup_free_ char *stdin_dir = NULL;
  size_t len = 0;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  if (strcmp (q->context, "-") == 0)
    {
      if (p->stdin_context (e->store, &text, &len, &stdin_dir, err) < 0)
        return -1;
      q->context = stdin_dir;
    }
  if (text == NULL && read_dockerfile (q, &text, &len, err) < 0)
    return -1;
  char *buffer = NULL;
  size_t size = 0;
  FILE *out = p->worker ? stdout : open_memstream (&buffer, &size);
  if (out == NULL)
    return hk_error_errno (err, errno, "open a buffer for the output");
  catch_interrupts ();
  q->o.context = q->context;
  q->o.dockerfile = text;
  q->o.dockerfile_len = len;
  q->o.tags = q->tags;
  q->o.build_args = q->build_args;
  q->o.labels = q->labels;
  q->o.out = out;
  q->o.worker = p->worker;
  q->o.pull_image = p->pull_image;
  q->pull.cli = cli;
  q->o.pull_data = &q->pull;
  q->o.attach = attach_step;
  q->o.interrupted = &interrupted;
  int rc = build_image (e, &q->o, res, err);
  if (out != stdout)
    {
      fclose (out);
      if (!res->needs_worker)
        fwrite (buffer, 1, size, stdout);
      free (buffer);
    }
  return rc;
}

int
build_command (struct hako_cli *cli, int argc, char **argv, const struct build_program *p,
               bool *delegate, struct hk_error **err)
{
  struct build_request q = {
    .o = { .timestamp = -1, .dockerfile_name = "Dockerfile" },
    .pull.flags = { .tls_verify = true },
  };
  *delegate = false;
  const char *epoch = getenv ("SOURCE_DATE_EPOCH");
  if (epoch && *epoch && parse_timestamp (epoch, &q.o.timestamp, err) < 0)
    return hk_error_prefix (err, "SOURCE_DATE_EPOCH");
  int rc = parse_options (&q, argc, argv, err);
  bool reads_stdin = rc == 0 && (strcmp (q.context, "-") == 0
                                 || (q.file && strcmp (q.file, "-") == 0));
  struct build_result res = { 0 };
  if (rc == 0 && reads_stdin && p->stdin_context == NULL)
    *delegate = true;
  else if (rc == 0)
    rc = run_build (cli, &q, p, &res, err);
  if (rc < 0 && res.needs_worker)
    {
      hk_error_freep (err);
      *delegate = true;
      rc = 0;
    }
  if (rc == 0 && !*delegate)
    rc = finish (&q, res.id, err);
  if (rc == 0 && !*delegate)
    cli_event (cli, "image", "build", res.id, q.tags ? q.tags[0] : NULL);
  request_clear (&q);
  if (rc < 0 && res.exit_code != 0)
    {
      /* A failing RUN: its error, and exit 1 as Docker's. */
      fprintf (stderr, "Error: %s\n", (*err)->message);
      hk_error_freep (err);
      return 1;
    }
  return rc;
}
