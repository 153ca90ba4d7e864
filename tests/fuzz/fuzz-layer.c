/* SPDX-License-Identifier: Apache-2.0 */
/* Tar layers (any compression) extracted into a scratch directory that is
 * emptied after each input.  Besides crashes, it checks the one property
 * that matters: nothing appears outside the layer directory. */
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "transfer/layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mem
{
  const uint8_t *data;
  size_t size;
  size_t pos;
};

static ssize_t
mem_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  struct mem *m = opaque;
  size_t n = m->size - m->pos < len ? m->size - m->pos : len;
  if (n > 0)
    memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (ssize_t)n;
}

static int top_fd = -1;
static char top_path[64];

static void
remove_top (void)
{
  fs_remove_tree (AT_FDCWD, top_path, NULL);
}

static size_t
count_entries (int fd)
{
  int dup_fd = dup (fd);
  DIR *d = fdopendir (dup_fd);
  size_t n = 0;
  struct dirent *de;
  rewinddir (d);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  closedir (d);
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (top_fd < 0)
    {
      strcpy (top_path, "/tmp/hako-fuzz-layer.XXXXXX");
      if (mkdtemp (top_path) == NULL)
        abort ();
      top_fd = open (top_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      atexit (remove_top);
    }
  mkdirat (top_fd, "layer", 0755);
  int layer = openat (top_fd, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct mem m = { .data = data, .size = size };
  struct layer_input in = { .read = mem_read, .opaque = &m };
  struct layer_extract_result res;
  struct hk_error *err = NULL;
  layer_extract (layer, &in, &res, &err);
  hk_error_freep (&err);
  close (layer);
  if (count_entries (top_fd) != 1)
    abort (); /* something was written next to the layer directory */
  fs_remove_tree (top_fd, "layer", &err);
  hk_error_freep (&err);
  return 0;
}
