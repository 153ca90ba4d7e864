/* SPDX-License-Identifier: Apache-2.0 */
/* hako-transfer's `build`: the builder with its worker, and contexts on
 * stdin (a tar is extracted with libarchive). */
#include "hako-build.h"
#include "transfer-commands.h"
#include "transfer/build-worker.h"
#include "transfer/ctr-archive.h"
#include "transfer/pull.h"
#include "transfer/registry.h"
#include "store/registries-conf.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STDIN_CONTEXT_MAX (64 << 20)

static bool
is_tar (const char *data, size_t len)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  struct archive_entry *e;
  bool tar = archive_read_open_memory (a, data, len) == ARCHIVE_OK
             && archive_read_next_header (a, &e) == ARCHIVE_OK;
  archive_read_free (a);
  return tar;
}

/* DATA extracted into DIR_FD; a child writes it into the pipe the
 * extractor reads, which a large tar would otherwise fill. */
static int
extract (int dir_fd, const char *data, size_t len, struct hk_error **err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return hk_error_errno (err, errno, "fork");
    }
  if (pid == 0)
    {
      close (p[0]);
      _exit (fs_write_all (p[1], data, len) < 0 ? 1 : 0);
    }
  close (p[1]);
  struct ctr_extract_options xo = { .keep_owner = true };
  int rc = ctr_archive_extract (dir_fd, ".", p[0], &xo, err);
  close (p[0]);
  int status;
  waitpid (pid, &status, 0);
  return rc;
}

/* A context on stdin: a tar (extracted into the store's scratch space)
 * or a Dockerfile alone. */
static int
stdin_context (struct store *s, char **text, size_t *len, char **dir, struct hk_error **err)
{
  _cleanup_free_ char *data = NULL;
  if (fs_read_fd (STDIN_FILENO, STDIN_CONTEXT_MAX, &data, len, err) < 0)
    return hk_error_prefix (err, "read the context from stdin");
  if (!is_tar (data, *len))
    {
      *text = take_ptr (data);
      return 0;
    }
  _cleanup_free_ char *name = NULL;
  _cleanup_close_ int fd = store_layer_scratch (s, &name, err);
  if (fd < 0)
    return -1;
  *dir = xasprintf ("%s/tmp/%s/%s", s->root, s->tmp_name, name);
  return extract (fd, data, *len, err);
}

/* A FROM (or --from) image pulled with `hako pull`'s code, silently. */
static int
pull_image (struct store *s, const char *name, char id[DIGEST_STRING_SIZE], void *data,
            struct hk_error **err)
{
  struct build_pull_data *d = data;
  _cleanup_strv_ char **auth_paths = NULL;
  _cleanup_free_ char *user = NULL, *password = NULL;
  _cleanup_registry_client_ struct registry_client *client = NULL;
  struct registries_conf *rc;
  if (cli_registries (d->cli, &rc, err) < 0
      || cli_registry_client (d->cli, &d->flags, &auth_paths, &user, &password, &client, err) < 0)
    return -1;
  struct pull_options opts = { .search = rc->search };
  struct pull_result result = { 0 };
  int r = image_pull (s, client, name, &opts, &result, err);
  if (r == 0)
    memcpy (id, result.id, DIGEST_STRING_SIZE);
  pull_result_clear (&result);
  return r;
}

int
cmd_build (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct build_program program = {
    .worker = &build_transfer_worker,
    .stdin_context = stdin_context,
    .pull_image = pull_image,
  };
  bool delegate;
  return build_command (cli, argc, argv, &program, &delegate, err);
}
