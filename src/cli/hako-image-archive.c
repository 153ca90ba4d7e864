/* SPDX-License-Identifier: Apache-2.0 */
/* Images to and from files: import (a root filesystem tar), load and save
 * (docker-archive and oci-archive). */
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "hako-cli.h"
#include "image/import.h"
#include "image/reference.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

static int
cmd_import (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "[-c CHANGE]... [-m MESSAGE] [--platform OS/ARCH] FILE|- "
                                   "[REPOSITORY[:TAG]]";
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
        return cli_usage (err, "import", usage_text, "unknown option");
      }
  if (optind >= argc || optind + 2 < argc)
    return cli_usage (err, "import", usage_text, "expected a file and an optional name");
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
  return 0;
}

const struct hako_command hako_image_archive_commands[] = {
  { NULL, "import", cmd_import, "[OPTIONS] FILE|- [REPOSITORY[:TAG]]",
    "create an image from a root filesystem tar", false },
  { "image", "import", cmd_import, "[OPTIONS] FILE|- [REPOSITORY[:TAG]]",
    "create an image from a root filesystem tar", true },
  { NULL, NULL, NULL, NULL, NULL, false },
};
