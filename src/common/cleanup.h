/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound cleanup: a local declared with one of these attributes is
 * released when it goes out of scope, so every early return frees what the
 * function owns.  Ownership leaves a scope only through take_fd() or
 * take_ptr(), which leave behind a value the cleanup ignores. */
#ifndef HAKO_COMMON_CLEANUP_H
#define HAKO_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_freep (void *p)
{
  free (*(void **) p);
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno; /* keep the errno a caller may still report */
      close (*fd);
      errno = saved;
    }
}

static inline void
cleanup_fclosep (FILE **f)
{
  if (*f != NULL)
    fclose (*f);
}

static inline void
cleanup_closedirp (DIR **d)
{
  if (*d != NULL)
    closedir (*d);
}

/* A NULL-terminated array of strings, each owned. */
static inline void
cleanup_strvp (char ***v)
{
  if (*v == NULL)
    return;
  for (char **s = *v; *s != NULL; s++)
    free (*s);
  free (*v);
}

#define _cleanup_free_ __attribute__ ((cleanup (cleanup_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (cleanup_closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (cleanup_fclosep)))
#define _cleanup_closedir_ __attribute__ ((cleanup (cleanup_closedirp)))
#define _cleanup_strv_ __attribute__ ((cleanup (cleanup_strvp)))

/* Closes *FD if it is open and leaves -1 (for fds held in a struct). */
static inline void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Moves the fd out of *FD, leaving -1 so the cleanup does nothing. */
static inline int
take_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* Moves the pointer out of P, leaving NULL. */
#define take_ptr(p)                                                                                \
  ({                                                                                               \
    __typeof__ (p) taken_ = (p);                                                                   \
    (p) = NULL;                                                                                    \
    taken_;                                                                                        \
  })

#endif
