/* SPDX-License-Identifier: Apache-2.0 */
/* The documents that describe an image in a registry or an archive: image
 * indexes / Docker manifest lists (one manifest per platform), image
 * manifests (a config and layers), each OCI or Docker schema2.  Parsed
 * defensively: sizes are capped, digests checked for form, and every
 * error names the field. */
#ifndef HAKO_STORE_MANIFEST_H
#define HAKO_STORE_MANIFEST_H

#include "common/error.h"
#include "digest.h"
#include "platform.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_OCI_INDEX             "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST          "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_CONFIG            "application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER             "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZIP        "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_OCI_LAYER_ZSTD        "application/vnd.oci.image.layer.v1.tar+zstd"
#define MEDIA_DOCKER_LIST           "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST       "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_SCHEMA1        "application/vnd.docker.distribution.manifest.v1+json"
#define MEDIA_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MEDIA_DOCKER_CONFIG         "application/vnd.docker.container.image.v1+json"
#define MEDIA_DOCKER_LAYER_GZIP     "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MEDIA_DOCKER_LAYER          "application/vnd.docker.image.rootfs.diff.tar"
#define MEDIA_DOCKER_FOREIGN_LAYER  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* What a registry may send for a manifest, in order of preference. */
#define MANIFEST_ACCEPT                                                                            \
  MEDIA_OCI_INDEX ", " MEDIA_DOCKER_LIST ", " MEDIA_OCI_MANIFEST ", " MEDIA_DOCKER_MANIFEST

/* Bigger manifests and configs are refused before they are parsed. */
#define MANIFEST_MAX_SIZE   (4 * 1024 * 1024)
#define CONFIG_MAX_SIZE     (8 * 1024 * 1024)
#define MANIFEST_MAX_LAYERS 1024

/* How a layer blob is compressed (its media type says so). */
enum layer_compression
{
  LAYER_UNCOMPRESSED,
  LAYER_GZIP,
  LAYER_ZSTD,
  LAYER_OTHER_COMPRESSION,
};

enum manifest_kind
{
  MANIFEST_KIND_UNKNOWN,
  MANIFEST_KIND_INDEX,    /* OCI index or Docker manifest list */
  MANIFEST_KIND_MANIFEST, /* OCI or Docker schema2 image manifest */
  MANIFEST_KIND_SCHEMA1,  /* Docker schema1, long deprecated: refused */
};

enum manifest_kind manifest_kind_of_media_type (const char *media_type);

/* The kind of BODY: its "mediaType" when present, else CONTENT_TYPE (the
 * HTTP header), else the shape ("manifests" or "layers").  *MEDIA_TYPE
 * (owned) is the type it was found to have. */
enum manifest_kind manifest_sniff (const char *body, size_t len, const char *content_type,
                                   char **media_type);

struct descriptor
{
  char *media_type;
  char digest[DIGEST_STRING_SIZE];
  int64_t size;
  struct platform platform; /* index entries; os NULL when absent */
  char *ref_name;           /* org.opencontainers.image.ref.name, OCI layouts */
};

struct image_index
{
  char *media_type;
  struct descriptor *manifests;
  size_t n_manifests;
};

struct image_manifest
{
  char *media_type;
  struct descriptor config;
  struct descriptor *layers;
  size_t n_layers;
};

int image_index_parse (const char *body, size_t len, struct image_index **out,
                       struct hk_error **err);
void image_index_free (struct image_index *idx);

int image_manifest_parse (const char *body, size_t len, struct image_manifest **out,
                          struct hk_error **err);
void image_manifest_free (struct image_manifest *m);

static inline void
cleanup_image_indexp (struct image_index **p)
{
  image_index_free (*p);
}
static inline void
cleanup_image_manifestp (struct image_manifest **p)
{
  image_manifest_free (*p);
}
#define _cleanup_image_index_    __attribute__ ((cleanup (cleanup_image_indexp)))
#define _cleanup_image_manifest_ __attribute__ ((cleanup (cleanup_image_manifestp)))

/* The best entry of IDX for WANT, or -1 with an error listing the
 * platforms the index has. */
int image_index_select (const struct image_index *idx, const struct platform *want,
                        const struct descriptor **out, struct hk_error **err);

/* The OCI layer media type for a compression ("+gzip", "+zstd", plain). */
const char *media_type_layer_for (int compression /* enum layer_compression */);

#endif
