/* SPDX-License-Identifier: Apache-2.0 */
/* Image references as Docker spells them:
 *
 *   [REGISTRY[:PORT]/]PATH[:TAG][@sha256:HEX]
 *
 * with Docker's defaults: no registry means the default one (docker.io),
 * a one-component path on docker.io gets "library/", and a reference with
 * neither tag nor digest means ":latest".  "index.docker.io" is docker.io. */
#ifndef HAKO_STORE_REFERENCE_H
#define HAKO_STORE_REFERENCE_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

#define REFERENCE_DEFAULT_DOMAIN "docker.io"
#define REFERENCE_NAME_MAX       255
#define REFERENCE_TAG_MAX        128

struct image_ref
{
  char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
  char *path;   /* "library/busybox" */
  char *tag;    /* "latest"; NULL when only a digest was given */
  char *digest; /* "sha256:…" or NULL */
};

/* Parses TEXT with DEFAULT_DOMAIN (NULL: docker.io) for names that do not
 * start with a registry.  Errors quote TEXT and say which part is wrong. */
int image_ref_parse_in (const char *text, const char *default_domain, struct image_ref **out,
                        struct hk_error **err);

static inline int
image_ref_parse (const char *text, struct image_ref **out, struct hk_error **err)
{
  return image_ref_parse_in (text, NULL, out, err);
}

/* True when TEXT starts with a registry ("quay.io/x", "localhost/x"):
 * such a name is not looked up in the search list. */
bool image_ref_names_domain (const char *text);

void image_ref_free (struct image_ref *ref);

static inline void
cleanup_image_refp (struct image_ref **r)
{
  image_ref_free (*r);
}
#define _cleanup_image_ref_ __attribute__ ((cleanup (cleanup_image_refp)))

/* "docker.io/library/busybox" */
char *image_ref_repository (const struct image_ref *ref);
/* "docker.io/library/busybox:latest", "…@sha256:…" or "…:tag@sha256:…" */
char *image_ref_string (const struct image_ref *ref);
/* Docker's short form for people: "busybox:latest", "quay.io/a/b:1" */
char *image_ref_familiar (const struct image_ref *ref);
/* The familiar form of a full repository name ("docker.io/library/x" → "x"). */
char *image_ref_familiar_repository (const char *repository);

#endif
