/* SPDX-License-Identifier: Apache-2.0 */
/* hako cp / export / diff / commit: a container's file system. */
#include "transfer/commit.h"
#include "transfer/ctr-transfer.h"
#include "transfer-commands.h"
#include "cli-bool.h"
#include "common/cleanup.h"
#include "store/image.h"
#include "store/reference.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A reader of our tar that goes away (`| head`) must not kill us before
 * we unmount what we mounted: the write fails with EPIPE instead. */
static void
survive_closed_output (void)
{
  signal (SIGPIPE, SIG_IGN);
}

int
cmd_cp (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = { { "archive", no_argument, NULL, 'a' },
                                           { "follow-link", no_argument, NULL, 'L' },
                                           { "quiet", no_argument, NULL, 'q' },
                                           { NULL, 0, NULL, 0 } };
  struct transfer_copy_options o = { 0 };
  int c;
  while ((c = getopt_long (argc, argv, "aLq", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        o.archive = true;
        break;
      case 'L':
        o.follow = true;
        break;
      case 'q':
        break; /* hako shows no progress anyway */
      default:
        return cli_bad_option (err, "cp", argv);
      }
  if (argc - optind != 2)
    return cli_usage (err, "cp", CP_USAGE, "expected a source and a destination");
  if (strcmp (argv[optind + 1], "-") == 0 && cli->stdout_is_tty)
    return hk_error_set (err, EINVAL, "not writing a tar archive to a terminal: redirect it");
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  survive_closed_output ();
  return transfer_copy (e, argv[optind], argv[optind + 1], &o, err);
}

int
cmd_export (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "output", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
  const char *output = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "o:", options, NULL)) != -1)
    {
      if (c != 'o')
        return cli_bad_option (err, "export", argv);
      output = optarg;
    }
  if (argc - optind != 1)
    return cli_usage (err, "export", EXPORT_USAGE, "expected one container");
  if (output == NULL && cli->stdout_is_tty)
    return hk_error_set (err, EINVAL,
                         "not writing a tar archive to a terminal: use -o FILE or redirect it");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0)
    return -1;
  survive_closed_output ();
  if (output == NULL)
    return transfer_export (e, r, STDOUT_FILENO, err);
  _cleanup_close_ int fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return hk_error_errno (err, errno, "create `%s`", output);
  if (transfer_export (e, r, fd, err) < 0)
    {
      unlink (output); /* no half archive */
      return -1;
    }
  if (fsync (fd) < 0)
    return hk_error_errno (err, errno, "write `%s`", output);
  return 0;
}

int
cmd_diff (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (cli_no_options (argc, argv, "diff", err) < 0)
    return -1;
  if (argc - optind != 1)
    return cli_usage (err, "diff", DIFF_USAGE, "expected one container");
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  struct ctr_change *changes = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || engine_find (e, argv[optind], &r, err) < 0
      || transfer_diff (e, r, &changes, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    printf ("%c %s\n", changes[i].kind, changes[i].path);
  ctr_changes_free (changes, n);
  return 0;
}

/* The changes of an image mount (`hako image mount`), which has no
 * container and no config of its own.  NOT_FOUND says "no such container"
 * when NAME is no image mount either. */
static int
commit_image_mount (struct hako_cli *cli, const char *name, const struct transfer_commit_options *o,
                    struct hk_error *not_found, char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  struct store *s;
  _cleanup_free_ char *image_id = NULL, *dir = NULL;
  _cleanup_error_ struct hk_error *info_err = NULL;
  if (cli_store (cli, &s, err) < 0)
    {
      hk_error_free (not_found);
      return -1;
    }
  if (image_rootfs_info (s, name, &image_id, &dir, &info_err) < 0)
    {
      *err = not_found;
      return -1;
    }
  hk_error_free (not_found);
  _cleanup_free_ char *upper = xasprintf ("%s/upper", dir);
  struct image_commit_options c
      = { .tag = o->tag, .changes = o->changes, .message = o->message, .author = o->author,
          .mtime = -1 };
  return image_commit (s, image_id, upper, &c, id, err);
}

int
cmd_commit (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "author", required_argument, NULL, 'a' },
    { "change", required_argument, NULL, 'c' },
    { "message", required_argument, NULL, 'm' },
    { "pause", optional_argument, NULL, 'p' },
    { NULL, 0, NULL, 0 },
  };
  _cleanup_strv_ char **changes = NULL;
  struct transfer_commit_options o = { .pause = true };
  int c;
  while ((c = getopt_long (argc, argv, "a:c:m:p", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        o.author = optarg;
        break;
      case 'c':
        strv_append (&changes, optarg);
        break;
      case 'm':
        o.message = optarg;
        break;
      case 'p':
        if (cli_bool (optarg, "--pause", &o.pause, err) < 0)
          return -1;
        break;
      default:
        return cli_bad_option (err, "commit", argv);
      }
  if (optind >= argc || optind + 2 < argc)
    return cli_usage (err, "commit", COMMIT_USAGE, "expected a container and an image name");
  o.changes = changes;
  _cleanup_free_ char *tag = NULL;
  if (optind + 1 < argc)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse (argv[optind + 1], &ref, err) < 0)
        return -1;
      o.tag = tag = image_ref_string (ref);
    }
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  char id[DIGEST_STRING_SIZE];
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  struct hk_error *find_err = NULL;
  if (engine_find (e, argv[optind], &r, &find_err) == 0)
    {
      if (transfer_commit (e, r, &o, id, err) < 0)
        return -1;
    }
  else if (find_err->errnum != ENOENT)
    {
      *err = find_err;
      return -1;
    }
  else if (commit_image_mount (cli, argv[optind], &o, find_err, id, err) < 0)
    return -1;
  printf ("%s\n", id);
  return 0;
}

