/* SPDX-License-Identifier: Apache-2.0 */
/* JSON values out as YAML, through libyaml's emitter. */
#include "yaml.h"
#include "yaml-scalar.h"
#include "common/cleanup.h"

#include <errno.h>
#include <string.h>
#include <yaml.h>

static int
write_handler (void *data, unsigned char *buffer, size_t size)
{
  return fwrite (buffer, 1, size, data) == size;
}

static int
emit (yaml_emitter_t *em, yaml_event_t *ev)
{
  return yaml_emitter_emit (em, ev) ? 0 : -1;
}

static int
emit_scalar (yaml_emitter_t *em, const char *text, yaml_scalar_style_t style)
{
  yaml_event_t ev;
  /* the untagged scalar may be written plain unless a style is asked;
   * quoted, it stays a string */
  bool plain = style == YAML_PLAIN_SCALAR_STYLE || style == YAML_ANY_SCALAR_STYLE;
  if (!yaml_scalar_event_initialize (&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen (text),
                                     plain, true, style))
    return -1;
  return emit (em, &ev);
}

/* A string keeps its type when read back: quoted when it would read as
 * null, a boolean or a number (by YAML 1.1's wider rules); a block of
 * lines is written literally. */
static int
emit_string (yaml_emitter_t *em, const char *text)
{
  yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
  if (yaml_plain_scalar_type (text, true) != YAML_SCALAR_STRING)
    style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
  else if (strchr (text, '\n') != NULL)
    style = YAML_LITERAL_SCALAR_STYLE;
  return emit_scalar (em, text, style);
}

static int emit_value (yaml_emitter_t *em, json_t *v);

static int
emit_object (yaml_emitter_t *em, json_t *v)
{
  yaml_event_t ev;
  if (!yaml_mapping_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
      || emit (em, &ev) < 0)
    return -1;
  const char *k;
  json_t *member;
  json_object_foreach (v, k, member)
  {
    if (emit_string (em, k) < 0 || emit_value (em, member) < 0)
      return -1;
  }
  if (!yaml_mapping_end_event_initialize (&ev))
    return -1;
  return emit (em, &ev);
}

static int
emit_array (yaml_emitter_t *em, json_t *v)
{
  yaml_event_t ev;
  if (!yaml_sequence_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE)
      || emit (em, &ev) < 0)
    return -1;
  size_t i;
  json_t *item;
  json_array_foreach (v, i, item)
  {
    if (emit_value (em, item) < 0)
      return -1;
  }
  if (!yaml_sequence_end_event_initialize (&ev))
    return -1;
  return emit (em, &ev);
}

static int
emit_value (yaml_emitter_t *em, json_t *v)
{
  switch (json_typeof (v))
    {
    case JSON_OBJECT:
      return emit_object (em, v);
    case JSON_ARRAY:
      return emit_array (em, v);
    case JSON_STRING:
      return emit_string (em, json_string_value (v));
    default:
      {
        /* numbers, booleans and null as JSON writes them are plain YAML */
        _cleanup_free_ char *text = json_dumps (v, JSON_ENCODE_ANY);
        return text ? emit_scalar (em, text, YAML_PLAIN_SCALAR_STYLE) : -1;
      }
    }
}

static int
emit_stream (yaml_emitter_t *em, json_t *const *docs, size_t n)
{
  yaml_event_t ev;
  if (!yaml_stream_start_event_initialize (&ev, YAML_UTF8_ENCODING) || emit (em, &ev) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      if (!yaml_document_start_event_initialize (&ev, NULL, NULL, NULL, i == 0)
          || emit (em, &ev) < 0 || emit_value (em, docs[i]) < 0
          || !yaml_document_end_event_initialize (&ev, 1) || emit (em, &ev) < 0)
        return -1;
    }
  if (!yaml_stream_end_event_initialize (&ev))
    return -1;
  return emit (em, &ev);
}

int
yaml_write (FILE *f, json_t *const *docs, size_t n, struct hk_error **err)
{
  yaml_emitter_t em;
  if (!yaml_emitter_initialize (&em))
    return hk_error_set (err, ENOMEM, "cannot start the YAML emitter");
  yaml_emitter_set_output (&em, write_handler, f);
  yaml_emitter_set_unicode (&em, 1);
  yaml_emitter_set_width (&em, -1);
  yaml_emitter_set_indent (&em, 2);
  int rc = emit_stream (&em, docs, n);
  if (rc < 0)
    rc = hk_error_set (err, EIO, "write YAML: %s",
                       em.problem ? em.problem : em.error == YAML_WRITER_ERROR
                                                     ? strerror (errno)
                                                     : "the emitter failed");
  yaml_emitter_delete (&em);
  return rc;
}
