/* SPDX-License-Identifier: Apache-2.0 */
/* hako container prune / system prune */
#include "engine/engine.h"
#include "engine/volume.h"
#include "hako-cli.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct prune_options
{
  bool force, all, volumes;
  char **filters;
};

/* Docker asks before it removes anything, unless -f. */
static bool
confirm (const char *warning)
{
  printf ("WARNING! This will remove%s\nAre you sure you want to continue? [y/N] ", warning);
  fflush (stdout);
  char answer[16] = "";
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return false;
  answer[strcspn (answer, "\n")] = '\0';
  return strcasecmp (answer, "y") == 0 || strcasecmp (answer, "yes") == 0;
}

static int
parse_prune (int argc, char **argv, const char *command, const char *usage, bool system,
             struct prune_options *o, struct hk_error **err)
{
  static const struct option options[] = { { "force", no_argument, NULL, 'f' },
                                           { "all", no_argument, NULL, 'a' },
                                           { "volumes", no_argument, NULL, 'v' },
                                           { "filter", required_argument, NULL, 'F' },
                                           { NULL, 0, NULL, 0 } };
  int c;
  while ((c = getopt_long (argc, argv, system ? "fa" : "f", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        o->force = true;
        break;
      case 'a':
        o->all = true;
        break;
      case 'v':
        o->volumes = true;
        break;
      case 'F':
        strv_append (&o->filters, optarg);
        break;
      default:
        return cli_bad_option (err, command, argv);
      }
  if (!system && (o->all || o->volumes))
    return cli_bad_option (err, command, argv);
  if (optind != argc)
    return cli_usage (err, command, usage, "too many arguments");
  return 0;
}

static void
print_container (const struct ctr_record *r, void *data)
{
  bool *header = data;
  if (!*header)
    printf ("Deleted Containers:\n");
  *header = true;
  printf ("%s\n", r->id);
}

static void
print_volume (const char *name, void *data)
{
  bool *header = data;
  if (!*header)
    printf ("Deleted Volumes:\n");
  *header = true;
  printf ("%s\n", name);
}

/* The containers part of both commands; *BYTES what it freed. */
static int
prune_containers (struct engine *e, const struct prune_options *o, uint64_t *bytes,
                  struct hk_error **err)
{
  struct prune_filter f;
  if (prune_filter_parse (o->filters, (int64_t)time (NULL), &f, err) < 0)
    return -1;
  bool header = false;
  int rc = engine_prune_containers (e, &f, print_container, &header, bytes, err);
  prune_filter_clear (&f);
  if (header)
    printf ("\n");
  return rc;
}

static void
print_total (uint64_t bytes)
{
  _cleanup_free_ char *text = cli_human_size (bytes);
  printf ("Total reclaimed space: %s\n", text);
}

static int
cmd_container_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[-f] [--filter until=TIME|label=KEY[=VALUE]]";
  struct prune_options o = { 0 };
  _cleanup_strv_ char **filters = NULL;
  int rc = parse_prune (argc, argv, "container prune", usage, false, &o, err);
  filters = o.filters;
  if (rc < 0)
    return -1;
  struct engine *e;
  uint64_t bytes;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  /* A bad filter fails before the question. */
  struct prune_filter check;
  if (prune_filter_parse (o.filters, 0, &check, err) < 0)
    return -1;
  prune_filter_clear (&check);
  if (!o.force && !confirm (" all stopped containers."))
    return 0;
  if (prune_containers (e, &o, &bytes, err) < 0)
    return -1;
  print_total (bytes);
  return 0;
}

/* The build cache: step keys and --mount=type=cache directories
 * (ROOT/build-cache); the images the keys named are dangling ones. */
static int
remove_build_cache (struct engine *e, struct hk_error **err)
{
  _cleanup_close_ int root = open (e->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return hk_error_errno (err, errno, "open `%s`", e->root);
  if (fs_remove_tree (root, "build-cache", err) < 0)
    return hk_error_prefix (err, "remove the build cache");
  return 0;
}

static int
cmd_builder_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[]
      = { { "force", no_argument, NULL, 'f' }, { "all", no_argument, NULL, 'a' },
          { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;
  while ((c = getopt_long (argc, argv, "fa", options, NULL)) != -1)
    {
      if (c == '?')
        return cli_bad_option (err, "builder prune", argv);
      force |= c == 'f';
    }
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  if (!force && !confirm (":\n  - the build cache and its dangling images\n"))
    return 0;
  struct store_gc_result gc;
  bool header = false;
  if (remove_build_cache (e, err) < 0
      || store_image_prune (e->store, false, cli_print_pruned_image, &header, &gc, err) < 0)
    return -1;
  print_total (gc.bytes_freed);
  return 0;
}

static int
cmd_system_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "[-a] [--volumes] [-f] [--filter until=TIME|label=KEY[=VALUE]]";
  struct prune_options o = { 0 };
  _cleanup_strv_ char **filters = NULL;
  int rc = parse_prune (argc, argv, "system prune", usage, true, &o, err);
  filters = o.filters;
  if (rc < 0)
    return -1;
  struct engine *e;
  if (cli_engine (cli, &e, err) < 0)
    return -1;
  struct prune_filter check;
  if (prune_filter_parse (o.filters, 0, &check, err) < 0)
    return -1;
  prune_filter_clear (&check);
  char warning[512];
  snprintf (warning, sizeof warning, ":\n  - all stopped containers\n%s  - %s\n  - the build cache\n",
            o.volumes ? "  - all anonymous volumes not used by at least one container\n" : "",
            o.all ? "all images without at least one container associated to them"
                  : "all dangling images");
  if (!o.force && !confirm (warning))
    return 0;
  uint64_t containers, volumes = 0;
  if (prune_containers (e, &o, &containers, err) < 0)
    return -1;
  bool header = false;
  if (o.volumes && volume_prune (e->db, e->root, false, print_volume, &header, &volumes, err) < 0)
    return -1;
  if (header)
    printf ("\n");
  struct store_gc_result gc;
  header = false;
  if (remove_build_cache (e, err) < 0)
    return -1;
  if (store_image_prune (e->store, o.all, cli_print_pruned_image, &header, &gc, err) < 0)
    return -1;
  if (header)
    printf ("\n");
  print_total (containers + volumes + gc.bytes_freed);
  return 0;
}

const struct hako_command hako_system_prune_commands[] = {
  { "container", "prune", cmd_container_prune, "[-f] [--filter until=TIME|label=KEY[=VALUE]]",
    "remove all stopped containers" },
  { "system", "prune", cmd_system_prune,
    "[-a] [--volumes] [-f] [--filter until=TIME|label=KEY[=VALUE]]",
    "remove stopped containers, dangling images, the build cache and (--volumes) unused "
    "volumes" },
  { "builder", "prune", cmd_builder_prune, "[-f]",
    "remove the build cache (step keys, cache mounts, the images only it used)" },
  { NULL, NULL, NULL, NULL, NULL },
};
