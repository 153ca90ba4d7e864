/* SPDX-License-Identifier: Apache-2.0 */
/* The pure rules of `hako cp`, Docker's: which argument names a container,
 * and where a copy lands given what the source and the destination are.
 *
 *   source        destination        result
 *   file          missing            the file, named like the destination
 *   file          file               replaced
 *   file          directory          DEST/basename(SRC)
 *   directory     missing            DEST, a new directory with SRC's content
 *   directory     directory          DEST/basename(SRC), or with SRC ending
 *                                    in "/." SRC's content into DEST
 *   directory     file               an error
 *
 * A destination ending in "/" must be a directory that exists; a source
 * ending in "/" must be a directory. */
#ifndef HAKO_TRANSFER_COPY_PLAN_H
#define HAKO_TRANSFER_COPY_PLAN_H

#include "common/error.h"

#include <stdbool.h>

/* One argument: "CONTAINER:PATH", or a local path ("-" for a tar stream).
 * A local path that holds a colon starts with "/" or ".". */
struct copy_arg
{
  char *container; /* NULL for a local path */
  char *path;
};

int copy_arg_parse (const char *text, struct copy_arg *out, struct hk_error **err);
void copy_arg_clear (struct copy_arg *a);

/* What the source is (it exists: the copy starts by opening it). */
struct copy_source
{
  const char *path;
  bool is_dir;
};

/* What is at the destination path now. */
struct copy_dest
{
  const char *path;
  bool exists;
  bool is_dir;
};

/* The copy goes into the existing directory DIR as the entry NAME (the
 * top of the archive); an empty NAME puts a directory's content straight
 * into DIR. */
struct copy_plan
{
  char *dir;
  char *name;
};

int copy_plan_make (const struct copy_source *src, const struct copy_dest *dst,
                    struct copy_plan *out, struct hk_error **err);
void copy_plan_clear (struct copy_plan *p);

/* The last component of PATH, "" for "/" or a path ending in "/." (the
 * directory's content). */
char *copy_path_base (const char *path);

/* The directory that holds PATH's last component ("." when none). */
char *copy_path_dir (const char *path);

#endif
