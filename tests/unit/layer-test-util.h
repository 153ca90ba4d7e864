/* SPDX-License-Identifier: Apache-2.0 */
/* Extracting an in-memory tar into a fresh directory for the layer tests. */
#ifndef HAKO_TESTS_LAYER_TEST_UTIL_H
#define HAKO_TESTS_LAYER_TEST_UTIL_H

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "transfer/layer.h"
#include "tar-builder.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

struct mem_input
{
  const char *data;
  size_t len;
  size_t pos;
};

static inline ssize_t
mem_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  struct mem_input *m = opaque;
  size_t n = m->len - m->pos < len ? m->len - m->pos : len;
  if (n > 0)
    memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (ssize_t)n;
}

/* A scratch tree: TOP/ holds LAYER/ (the extraction target) and a file
 * TOP/outside that an escaping entry would aim at. */
struct scratch
{
  char top[64];
  int top_fd;
  int layer_fd;
};

static inline void
scratch_make (struct scratch *s)
{
  strcpy (s->top, "/tmp/hako-layer-test.XXXXXX");
  if (mkdtemp (s->top) == NULL)
    abort ();
  s->top_fd = open (s->top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  mkdirat (s->top_fd, "layer", 0755);
  s->layer_fd = openat (s->top_fd, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = openat (s->top_fd, "outside", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (write (fd, "original\n", 9) != 9)
    abort ();
  close (fd);
}

static inline void
scratch_remove (struct scratch *s)
{
  close (s->layer_fd);
  close (s->top_fd);
  fs_remove_tree (AT_FDCWD, s->top, NULL);
}

static inline int
extract_tar (struct scratch *s, struct tarb *t, struct layer_extract_result *res,
             struct hk_error **err)
{
  struct mem_input m = { .data = t->buf, .len = t->used };
  struct layer_input in = { .read = mem_read, .opaque = &m };
  return layer_extract (s->layer_fd, &in, res, err);
}

#endif
