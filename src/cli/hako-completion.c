/* SPDX-License-Identifier: Apache-2.0 */
/* hako completion bash|zsh|fish: prints the shell's completion script
 * (docs/completion), for `source <(hako completion bash)`.
 *
 * The scripts ask hako for the words they complete through the hidden
 * `hako __names KIND`, one process per completion: starting a process is
 * most of a completion's time, so a pipeline through sed and sort, or
 * `hako ps` (which refreshes each container's state), would miss the
 * 20 ms target on a store of 200 containers. */
#include "hako-cli.h"
#include "hako-completion.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-record.h"
#include "engine/engine.h"
#include "engine/network-record.h"
#include "engine/volume.h"
#include "store/reference.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int
cmd_completion (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  if (cli_no_options (argc, argv, "completion", err) < 0)
    return -1;
  if (argc - optind != 1)
    return cli_usage (err, "completion", "bash|zsh|fish", "one shell is needed");
  for (const struct completion_script *s = completion_scripts; s->shell; s++)
    if (strcmp (s->shell, argv[optind]) == 0)
      {
        fputs (s->text, stdout);
        return 0;
      }
  return hk_error_set (err, EINVAL, "completion %s: the shells are bash, zsh and fish",
                       argv[optind]);
}

static int
print_container_names (struct hako_cli *cli, struct hk_error **err)
{
  struct engine *e;
  _cleanup_strv_ char **names = NULL;
  if (cli_engine (cli, &e, err) < 0 || ctr_record_names (e->db, &names, err) < 0)
    return -1;
  for (char **name = names; *name; name++)
    printf ("%s\n", *name);
  return 0;
}

/* Each tag as `hako images` shows it: busybox:latest for
 * docker.io/library/busybox:latest. */
static int
print_image_names (struct hako_cli *cli, struct hk_error **err)
{
  struct store *s;
  struct store_image **list = NULL;
  size_t n = 0;
  if (cli_store (cli, &s, err) < 0 || store_image_list (s, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    for (char **tag = list[i]->repo_tags; tag && *tag; tag++)
      {
        const char *colon = strrchr (*tag, ':');
        const char *slash = strrchr (*tag, '/');
        if (colon == NULL || (slash != NULL && colon < slash))
          continue;
        _cleanup_free_ char *repo = xstrndup (*tag, (size_t)(colon - *tag));
        _cleanup_free_ char *familiar = image_ref_familiar_repository (repo);
        printf ("%s%s\n", familiar, colon);
      }
  store_image_list_free (list, n);
  return 0;
}

static int
print_volume_names (struct hako_cli *cli, struct hk_error **err)
{
  struct engine *e;
  struct volume **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || volume_list (e->db, e->root, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    printf ("%s\n", list[i]->name);
  volume_list_free (list, n);
  return 0;
}

static int
print_network_names (struct hako_cli *cli, struct hk_error **err)
{
  struct engine *e;
  struct network **list = NULL;
  size_t n = 0;
  if (cli_engine (cli, &e, err) < 0 || network_record_list (e->db, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    printf ("%s\n", list[i]->name);
  network_record_list_free (list, n);
  return 0;
}

/* hako __names command [GROUP] | container | image | volume | network:
 * the words the completion scripts offer, one per line. */
static int
cmd_names (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage[] = "command [GROUP] | container | image | volume | network";
  if (cli_no_options (argc, argv, "__names", err) < 0)
    return -1;
  int operands = argc - optind;
  const char *kind = operands > 0 ? argv[optind] : "";
  if (strcmp (kind, "command") == 0 && operands <= 2)
    {
      cli_print_command_words (operands == 2 ? argv[optind + 1] : NULL);
      return 0;
    }
  if (operands != 1)
    return cli_usage (err, "__names", usage, "one kind of name is needed");
  if (strcmp (kind, "container") == 0)
    return print_container_names (cli, err);
  if (strcmp (kind, "image") == 0)
    return print_image_names (cli, err);
  if (strcmp (kind, "volume") == 0)
    return print_volume_names (cli, err);
  if (strcmp (kind, "network") == 0)
    return print_network_names (cli, err);
  return hk_error_set (err, EINVAL, "__names %s: the kinds are %s", kind, usage);
}

const struct hako_command hako_completion_commands[] = {
  { NULL, "completion", cmd_completion, "bash|zsh|fish", "print a shell completion script" },
  { NULL, "__names", cmd_names, "KIND", "(run by the completion scripts)", true },
  { NULL, NULL, NULL, NULL, NULL },
};
