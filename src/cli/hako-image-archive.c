/* SPDX-License-Identifier: Apache-2.0 */
/* Images to and from files: import (a root filesystem tar), load and save
 * (docker-archive and oci-archive). */
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "transfer-commands.h"
#include "transfer/archive.h"
#include "transfer/import.h"
#include "store/registries-conf.h"
#include "store/reference.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
cmd_import (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "change", required_argument, NULL, 'c' },
    { "message", required_argument, NULL, 'm' },
    { "platform", required_argument, NULL, 'p' },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  _cleanup_strv_ char **changes = NULL;
  const char *message = NULL, *platform_text = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "c:m:q", options, NULL)) != -1)
    switch (c)
      {
      case 'c':
        strv_append (&changes, optarg);
        break;
      case 'm':
        message = optarg;
        break;
      case 'p':
        platform_text = optarg;
        break;
      case 'q':
        break;
      default:
        return cli_bad_option (err, "import", argv);
      }
  if (optind >= argc || optind + 2 < argc)
    return cli_usage (err, "import", IMPORT_USAGE, "expected a file and an optional name");
  const char *file = argv[optind];
  _cleanup_free_ char *tag = NULL;
  if (optind + 1 < argc)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse (argv[optind + 1], &ref, err) < 0)
        return -1;
      if (ref->digest)
        return hk_error_set (err, EINVAL, "import: name `%s` cannot carry a digest",
                             argv[optind + 1]);
      tag = image_ref_string (ref);
    }
  struct platform platform = { 0 };
  if (platform_text && platform_parse (platform_text, &platform, err) < 0)
    return -1;
  _cleanup_close_ int fd = strcmp (file, "-") == 0 ? dup (0) : open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      platform_clear (&platform);
      return hk_error_errno (err, errno, "import: open `%s`", file);
    }
  struct store *s;
  char id[DIGEST_STRING_SIZE];
  struct image_import_options opts = {
    .tag = tag,
    .changes = changes,
    .message = message,
    .platform = platform_text ? &platform : NULL,
  };
  int r = cli_store (cli, &s, err);
  if (r == 0)
    r = image_import (s, fd, &opts, id, err);
  platform_clear (&platform);
  if (r < 0)
    return hk_error_prefix (err, "`%s`", file);
  printf ("%s\n", id);
  cli_event (cli, "image", "import", id, file);
  return 0;
}

int
cmd_load (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "input", required_argument, NULL, 'i' },
    { "quiet", no_argument, NULL, 'q' },
    { "platform", required_argument, NULL, 'p' },
    { NULL, 0, NULL, 0 },
  };
  const char *input = NULL, *platform_text = NULL;
  bool quiet = false;
  int c;
  while ((c = getopt_long (argc, argv, "i:q", options, NULL)) != -1)
    switch (c)
      {
      case 'i':
        input = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case 'p':
        platform_text = optarg;
        break;
      default:
        return cli_bad_option (err, "load", argv);
      }
  if (optind != argc)
    return cli_usage (err, "load", LOAD_USAGE, "unexpected argument (the file goes after -i)");
  if (input == NULL && isatty (0))
    return hk_error_set (err, EINVAL, "load: give an archive with -i FILE or on standard input");
  struct platform platform = { 0 };
  if (platform_text && platform_parse (platform_text, &platform, err) < 0)
    return -1;
  _cleanup_close_ int fd
      = input == NULL || strcmp (input, "-") == 0 ? dup (0) : open (input, O_RDONLY | O_CLOEXEC);
  struct store *s;
  struct archive_loaded *loaded = NULL;
  size_t n = 0;
  int r = -1;
  if (fd < 0)
    hk_error_errno (err, errno, "load: open `%s`", input ? input : "stdin");
  else if (cli_store (cli, &s, err) == 0)
    r = archive_load (s, fd, platform_text ? &platform : NULL, &loaded, &n, err);
  platform_clear (&platform);
  if (r < 0)
    return input ? hk_error_prefix (err, "`%s`", input) : -1;
  for (size_t i = 0; i < n; i++)
    cli_event (cli, "image", "load", loaded[i].id, loaded[i].tags[0]);
  for (size_t i = 0; i < n && !quiet; i++)
    {
      if (loaded[i].tags[0] == NULL)
        printf ("Loaded image ID: %s\n", loaded[i].id);
      for (size_t t = 0; loaded[i].tags[t]; t++)
        {
          _cleanup_image_ref_ struct image_ref *ref = NULL;
          _cleanup_free_ char *f = NULL;
          if (image_ref_parse (loaded[i].tags[t], &ref, NULL) == 0)
            f = image_ref_familiar (ref);
          printf ("Loaded image: %s\n", f ? f : loaded[i].tags[t]);
        }
    }
  archive_loaded_free (loaded, n);
  return 0;
}

/* The full tag TEXT names on image ID, or NULL when TEXT is an ID. */
static char *
tag_named (struct hako_cli *cli, struct store *s, const char *id, const char *text)
{
  struct registries_conf *rc;
  _cleanup_error_ struct hk_error *ignored = NULL;
  _cleanup_store_image_ struct store_image *img = NULL;
  if (cli_registries (cli, &rc, &ignored) < 0 || store_image_get (s, id, &img, &ignored) < 0)
    return NULL;
  bool qualified = image_ref_names_domain (text);
  for (size_t i = 0; i < (qualified ? 1 : strv_length (rc->search)); i++)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse_in (text, qualified ? NULL : rc->search[i], &ref, &ignored) < 0)
        return NULL;
      _cleanup_free_ char *full = image_ref_string (ref);
      if (strv_contains (img->repo_tags, full))
        return take_ptr (full);
    }
  return NULL;
}

int
cmd_save (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *output = NULL;
  enum archive_format format = ARCHIVE_DOCKER;
  int c;
  while ((c = getopt_long (argc, argv, "o:", options, NULL)) != -1)
    switch (c)
      {
      case 'o':
        output = optarg;
        break;
      case 'f':
        if (strcmp (optarg, "docker-archive") == 0)
          format = ARCHIVE_DOCKER;
        else if (strcmp (optarg, "oci-archive") == 0)
          format = ARCHIVE_OCI;
        else
          return hk_error_set (err, EINVAL, "--format `%s`: docker-archive or oci-archive", optarg);
        break;
      default:
        return cli_bad_option (err, "save", argv);
      }
  if (optind >= argc)
    return cli_usage (err, "save", SAVE_USAGE, "missing image");
  if (output == NULL && isatty (1))
    return hk_error_set (err, EINVAL,
                         "save: refusing to write an archive to a terminal (use -o "
                         "FILE or redirect)");
  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  size_t n = (size_t)(argc - optind);
  _cleanup_strv_ char **ids = xzalloc ((n + 1) * sizeof (char *));
  _cleanup_free_ char **names = xzalloc ((n + 1) * sizeof (char *));
  _cleanup_free_ struct archive_save_item *items = xzalloc ((n + 1) * sizeof *items);
  int r = 0;
  struct registries_conf *rc;
  if (cli_registries (cli, &rc, err) < 0)
    return -1;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      r = store_image_resolve (s, argv[optind + (int)i], rc->search, &ids[i], err);
      if (r == 0)
        {
          names[i] = tag_named (cli, s, ids[i], argv[optind + (int)i]);
          items[i].id = ids[i];
          items[i].name = names[i];
        }
    }
  if (r == 0)
    {
      /* Into a temporary file renamed at the end: no half archive under
       * the name asked for. */
      _cleanup_free_ char *tmp
          = output ? xasprintf ("%s.hako-tmp-%d", output, (int)getpid ()) : NULL;
      _cleanup_close_ int fd
          = output ? open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup (1);
      if (fd < 0)
        r = hk_error_errno (err, errno, "save: create `%s`", output ? tmp : "stdout");
      else
        r = archive_save (s, fd, format, items, n, err);
      if (r == 0 && output && (fsync (fd) < 0 || rename (tmp, output) < 0))
        r = hk_error_errno (err, errno, "save: write `%s`", output);
      if (r < 0 && tmp)
        unlink (tmp);
    }
  for (size_t i = 0; i < n && r == 0; i++)
    cli_event (cli, "image", "save", ids[i], names[i]);
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  return r;
}

