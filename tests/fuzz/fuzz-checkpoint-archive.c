/* SPDX-License-Identifier: Apache-2.0 */
/* `hako restore --import`'s reader of checkpoint archives (manifest,
 * layer, criu images, volumes), fed any bytes, extracting into a scratch
 * directory emptied after each input.  Besides crashes, it checks what
 * matters: nothing appears outside the directory, and inside it only
 * rootfs/, checkpoint/ and volumes/. */
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "transfer/checkpoint-archive.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
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

/* The names in FD other than . and ..; aborts on one not in ALLOWED. */
static size_t
check_entries (int fd, const char *const *allowed)
{
  DIR *d = fdopendir (dup (fd));
  size_t n = 0;
  struct dirent *de;
  rewinddir (d);
  while ((de = readdir (d)) != NULL)
    {
      if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
        continue;
      n++;
      bool ok = false;
      for (size_t i = 0; allowed[i] != NULL; i++)
        ok = ok || strcmp (de->d_name, allowed[i]) == 0;
      if (!ok)
        abort ();
    }
  closedir (d);
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const top[] = { "dest", NULL };
  static const char *const dest_names[] = { "rootfs", "checkpoint", "volumes", NULL };
  if (top_fd < 0)
    {
      strcpy (top_path, "/tmp/hako-fuzz-checkpoint.XXXXXX");
      if (mkdtemp (top_path) == NULL)
        abort ();
      top_fd = open (top_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      atexit (remove_top);
    }
  mkdirat (top_fd, "dest", 0755);
  int dest = openat (top_fd, "dest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct mem m = { .data = data, .size = size };
  struct layer_input in = { .read = mem_read, .opaque = &m };
  struct checkpoint_manifest manifest = { 0 };
  struct hk_error *err = NULL;
  checkpoint_archive_read (&in, dest, NULL, NULL, &manifest, &err);
  checkpoint_manifest_clear (&manifest);
  hk_error_freep (&err);
  check_entries (dest, dest_names);
  close (dest);
  if (check_entries (top_fd, top) != 1)
    abort (); /* something was written next to the directory */
  fs_remove_tree (top_fd, "dest", &err);
  hk_error_freep (&err);
  return 0;
}
