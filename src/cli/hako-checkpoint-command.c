/* SPDX-License-Identifier: Apache-2.0 */
/* hako checkpoint / restore's options and runs (hako-checkpoint.h). */
#include "hako-checkpoint.h"
#include "engine/engine.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum
{
  OPT_LEAVE_RUNNING = 256,
  OPT_KEEP,
  OPT_TCP,
  OPT_LOCKS,
  OPT_EXPORT,
  OPT_IMPORT,
  OPT_NAME,
  OPT_COMPRESS,
  OPT_IGNORE_ROOTFS,
  OPT_PRE_CHECKPOINT,
  OPT_WITH_PREVIOUS,
  OPT_WITH_VOLUMES,
};

struct checkpoint_request
{
  struct engine_checkpoint_options o;
  const char *export_file; /* --export */
  const char *import_file; /* --import */
  const char *name;        /* --name */
  const char *compress;    /* --compress, as given */
  struct checkpoint_export_options x; /* --compress, --with-volumes */
  bool ignore_rootfs;      /* --ignore-rootfs */
  const struct checkpoint_archive_ops *ops;
};

/* --compress's name into Q->x.compress; it is for --export only. */
static int
parse_compression (const char *command, const char *usage, struct checkpoint_request *q,
                   struct hk_error **err)
{
  static const struct
  {
    const char *name;
    enum checkpoint_compression value;
  } names[] = {
    { "zstd", CHECKPOINT_COMPRESS_ZSTD },
    { "gzip", CHECKPOINT_COMPRESS_GZIP },
    { "none", CHECKPOINT_COMPRESS_NONE },
  };
  if (q->export_file == NULL)
    return cli_usage (err, command, usage, "--compress is for --export");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (q->compress, names[i].name) == 0)
      {
        q->x.compress = names[i].value;
        return 0;
      }
  _cleanup_free_ char *why = xasprintf ("--compress %s: expected zstd, gzip or none", q->compress);
  return cli_usage (err, command, usage, why);
}

/* The options both verbs share; CHECKPOINT: the one being parsed. */
static int
parse (int argc, char **argv, bool checkpoint, struct checkpoint_request *q,
       struct hk_error **err)
{
  static const struct option options[] = {
    { "leave-running", no_argument, NULL, OPT_LEAVE_RUNNING },
    { "keep", no_argument, NULL, OPT_KEEP },
    { "tcp-established", no_argument, NULL, OPT_TCP },
    { "file-locks", no_argument, NULL, OPT_LOCKS },
    { "export", required_argument, NULL, OPT_EXPORT },
    { "import", required_argument, NULL, OPT_IMPORT },
    { "name", required_argument, NULL, OPT_NAME },
    { "compress", required_argument, NULL, OPT_COMPRESS },
    { "ignore-rootfs", no_argument, NULL, OPT_IGNORE_ROOTFS },
    { "pre-checkpoint", no_argument, NULL, OPT_PRE_CHECKPOINT },
    { "with-previous", no_argument, NULL, OPT_WITH_PREVIOUS },
    { "with-volumes", no_argument, NULL, OPT_WITH_VOLUMES },
    { NULL, 0, NULL, 0 },
  };
  const char *command = checkpoint ? "checkpoint" : "restore";
  const char *usage = checkpoint ? CHECKPOINT_USAGE : RESTORE_USAGE;
  int c, index;
  while ((c = getopt_long (argc, argv, "", options, &index)) != -1)
    {
      bool checkpoints = c == OPT_LEAVE_RUNNING || c == OPT_EXPORT || c == OPT_COMPRESS
                         || c == OPT_PRE_CHECKPOINT || c == OPT_WITH_PREVIOUS
                         || c == OPT_WITH_VOLUMES;
      bool restores = c == OPT_IMPORT || c == OPT_NAME || c == OPT_IGNORE_ROOTFS;
      bool ours = checkpoints ? checkpoint : restores ? !checkpoint : true;
      if (c == '?')
        return cli_bad_option (err, command, argv);
      if (!ours)
        {
          _cleanup_free_ char *why = xasprintf ("unknown option --%s (it is %s's)",
                                                options[index].name,
                                                checkpoint ? "restore" : "checkpoint");
          return cli_usage (err, command, usage, why);
        }
      switch (c)
        {
        case OPT_LEAVE_RUNNING: q->o.leave_running = true; break;
        case OPT_KEEP: q->o.keep = true; break;
        case OPT_TCP: q->o.tcp_established = true; break;
        case OPT_LOCKS: q->o.file_locks = true; break;
        case OPT_EXPORT: q->export_file = optarg; break;
        case OPT_IMPORT: q->import_file = optarg; break;
        case OPT_NAME: q->name = optarg; break;
        case OPT_COMPRESS: q->compress = optarg; break;
        case OPT_IGNORE_ROOTFS: q->ignore_rootfs = true; break;
        case OPT_PRE_CHECKPOINT: q->o.pre_checkpoint = true; break;
        case OPT_WITH_PREVIOUS: q->o.with_previous = true; break;
        case OPT_WITH_VOLUMES: q->x.with_volumes = true; break;
        }
    }
  if (q->compress != NULL && parse_compression (command, usage, q, err) < 0)
    return -1;
  if (q->import_file != NULL)
    return optind < argc ? cli_usage (err, command, usage, "--import takes no container")
                         : 0;
  if (q->name != NULL)
    return cli_usage (err, command, usage, "--name is for --import");
  if (q->ignore_rootfs)
    return cli_usage (err, command, usage, "--ignore-rootfs is for --import");
  if (optind >= argc)
    return cli_usage (err, command, usage, "expected a container");
  if (q->export_file != NULL && optind + 1 < argc)
    return cli_usage (err, command, usage, "--export takes one container");
  if (q->x.with_volumes && q->export_file == NULL)
    return cli_usage (err, command, usage, "--with-volumes is for --export");
  if (q->o.pre_checkpoint && q->o.with_previous)
    return cli_usage (err, command, usage, "--pre-checkpoint and --with-previous: one or the other");
  /* An archive holds one directory of images, not a chain of them. */
  if (q->export_file != NULL && (q->o.pre_checkpoint || q->o.with_previous))
    return cli_usage (err, command, usage, q->o.pre_checkpoint
                                               ? "--export is not for --pre-checkpoint"
                                               : "--export is not for --with-previous");
  return 0;
}

static int
checkpoint_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  const struct checkpoint_request *q = data;
  if (q->export_file != NULL && q->ops->export_check (r, err) < 0)
    return -1;
  if (engine_checkpoint (e, r, &q->o, err) < 0)
    return -1;
  return q->export_file != NULL
           ? q->ops->export_to (e, r, q->export_file, &q->x, err)
           : 0;
}

static int
restore_one (struct engine *e, struct ctr_record *r, void *data, struct hk_error **err)
{
  const struct checkpoint_request *q = data;
  return engine_restore (e, r, &q->o, err);
}

int
checkpoint_command (struct hako_cli *cli, int argc, char **argv,
                    const struct checkpoint_archive_ops *ops, bool *delegate,
                    struct hk_error **err)
{
  struct checkpoint_request q = { .ops = ops };
  *delegate = false;
  if (parse (argc, argv, true, &q, err) < 0)
    return -1;
  if (q.export_file != NULL && ops == NULL)
    {
      *delegate = true;
      return 0;
    }
  /* The names would spoil an archive written to stdout. */
  bool print = q.export_file == NULL || strcmp (q.export_file, "-") != 0;
  return cli_each_container (cli, argc, argv, "checkpoint", CHECKPOINT_USAGE, checkpoint_one,
                             &q, print, err);
}

int
restore_command (struct hako_cli *cli, int argc, char **argv,
                 const struct checkpoint_archive_ops *ops, bool *delegate,
                 struct hk_error **err)
{
  struct checkpoint_request q = { .ops = ops };
  *delegate = false;
  if (parse (argc, argv, false, &q, err) < 0)
    return -1;
  if (q.import_file == NULL)
    return cli_each_container (cli, argc, argv, "restore", RESTORE_USAGE, restore_one, &q, true,
                               err);
  if (ops == NULL)
    {
      *delegate = true;
      return 0;
    }
  struct engine *e;
  _cleanup_record_ struct ctr_record *r = NULL;
  if (cli_engine (cli, &e, err) < 0
      || ops->import_from (e, q.import_file, q.name, q.ignore_rootfs, &q.o, &r, err) < 0)
    return -1;
  printf ("%s\n", r->name);
  return 0;
}
