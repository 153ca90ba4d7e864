/* SPDX-License-Identifier: Apache-2.0 */
/* YAML documents in and out, through libyaml, as jansson values.
 *
 * Reading turns each document of a stream into JSON the way Kubernetes
 * does (sigs.k8s.io/yaml converts YAML to JSON, then decodes the JSON):
 * plain scalars are resolved to null, booleans, integers and floats,
 * quoted ones stay strings, so a reader of the result checks types with
 * json-util.h and its errors name the path (`spec.containers[1].image`).
 * The input is untrusted: its size, the nesting depth, the number of
 * nodes after aliases are expanded (billion laughs) and the number of
 * documents are bounded, mapping keys must be unique scalars, and every
 * error names the input, the document and the line.
 *
 * Writing emits JSON values as block-style YAML documents; a string that
 * would read back as another type ("80", "true", "") is quoted. */
#ifndef HAKO_YAML_YAML_H
#define HAKO_YAML_YAML_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct yaml_limits
{
  size_t max_bytes;     /* the input */
  size_t max_depth;     /* nested collections */
  size_t max_nodes;     /* in all documents, aliases expanded */
  size_t max_documents;
  bool yaml11_booleans; /* yes/no/on/off/y/n are booleans (YAML 1.1, as
                           Kubernetes reads them); else only true/false */
  const char *const *tags; /* local tags ("!reset") the reader lets through,
                              NULL-terminated; NULL: none (any other tag
                              than the core schema's is an error) */
};

/* Limits for Kubernetes and compose files: 4 MiB, depth 64, 100,000
 * nodes, 1,000 documents. */
extern const struct yaml_limits yaml_default_limits;

/* One document of a stream. */
struct yaml_document
{
  json_t *root; /* null for an empty document */
  size_t line;  /* where it starts, 1-based */
  json_t *tags; /* the nodes that had one of limits->tags: [{"path": [key
                   or index, ...], "tag": "!reset"}], in document order;
                   NULL when none */
};

struct yaml_stream
{
  struct yaml_document *docs;
  size_t n;
};

void yaml_stream_free (struct yaml_stream *s);

static inline void
cleanup_yaml_streamp (struct yaml_stream **s)
{
  yaml_stream_free (*s);
}
#define _cleanup_yaml_stream_ __attribute__ ((cleanup (cleanup_yaml_streamp)))

/* Reads every document of TEXT (LEN bytes); NAME (a file name, "-")
 * starts every error: "pod.yaml: document 2, line 7 column 3: ...". */
int yaml_read (const char *name, const char *text, size_t len, const struct yaml_limits *limits,
               struct yaml_stream **out, struct hk_error **err);

/* Writes DOCS (N values, each an object or array) as a YAML stream, the
 * documents separated by "---". */
int yaml_write (FILE *f, json_t *const *docs, size_t n, struct hk_error **err);

/* The scalar type a plain (unquoted) scalar TEXT reads back as: a string
 * when it is none of the others. */
enum yaml_scalar_type
{
  YAML_SCALAR_STRING,
  YAML_SCALAR_NULL,
  YAML_SCALAR_BOOL,
  YAML_SCALAR_INT,
  YAML_SCALAR_FLOAT,
};
enum yaml_scalar_type yaml_plain_scalar_type (const char *text, bool yaml11_booleans);

#endif
