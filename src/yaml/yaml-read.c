/* SPDX-License-Identifier: Apache-2.0 */
/* YAML streams into JSON values, from libyaml's events.
 *
 * libyaml's parser reports an alias as an event and never expands it;
 * this builder does, by copying the anchored value, but only after
 * adding the anchored value's size to the node count, so that a billion
 * laughs stops at the limit before anything large is made. */
#include "yaml.h"
#include "yaml-scalar.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <yaml.h>

const struct yaml_limits yaml_default_limits = {
  .max_bytes = 4 << 20,
  .max_depth = 64,
  .max_nodes = 100000,
  .max_documents = 1000,
  .yaml11_booleans = true,
};

/* A collection being built. */
struct frame
{
  json_t *value; /* object or array */
  char *path;    /* "spec.containers[1]", "" at the top */
  char *key;     /* a mapping's key waiting for its value */
  char *anchor;  /* to register when the collection ends */
  size_t first_node;
  json_t *merges; /* the values of `<<` keys, merged at the end */
};

struct anchor
{
  char *name;
  json_t *value;
  size_t weight; /* its nodes */
};

struct builder
{
  const char *name;
  const struct yaml_limits *limits;
  struct frame *stack;
  size_t depth;
  size_t nodes;
  struct anchor *anchors; /* of the current document */
  size_t n_anchors;
  size_t doc_number; /* 1-based */
  size_t line, column;
  json_t *root;
  json_t *tags; /* of the current document, see yaml_document */
  struct yaml_stream *out;
};

static int
fail (struct builder *b, struct hk_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
fail (struct builder *b, struct hk_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  _cleanup_free_ char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  return hk_error_set (err, EINVAL, "%s: document %zu, line %zu column %zu: %s", b->name,
                       b->doc_number, b->line, b->column, msg ? msg : "invalid YAML");
}

static void
anchors_clear (struct builder *b)
{
  for (size_t i = 0; i < b->n_anchors; i++)
    {
      free (b->anchors[i].name);
      json_decref (b->anchors[i].value);
    }
  free (b->anchors);
  b->anchors = NULL;
  b->n_anchors = 0;
}

static void
frame_clear (struct frame *f)
{
  json_decref (f->value);
  json_decref (f->merges);
  free (f->path);
  free (f->key);
  free (f->anchor);
}

static void
builder_clear (struct builder *b)
{
  for (size_t i = 0; i < b->depth; i++)
    frame_clear (&b->stack[i]);
  free (b->stack);
  anchors_clear (b);
  json_decref (b->root);
  json_decref (b->tags);
}

/* A later anchor of the same name replaces the earlier one (YAML). */
static void
anchor_set (struct builder *b, const char *name, json_t *value, size_t weight)
{
  for (size_t i = 0; i < b->n_anchors; i++)
    if (strcmp (b->anchors[i].name, name) == 0)
      {
        json_decref (b->anchors[i].value);
        b->anchors[i].value = json_incref (value);
        b->anchors[i].weight = weight;
        return;
      }
  b->anchors = xreallocarray (b->anchors, b->n_anchors + 1, sizeof *b->anchors);
  b->anchors[b->n_anchors++]
      = (struct anchor){ .name = xstrdup (name), .value = json_incref (value), .weight = weight };
}

static const struct anchor *
anchor_get (const struct builder *b, const char *name)
{
  for (size_t i = 0; i < b->n_anchors; i++)
    if (strcmp (b->anchors[i].name, name) == 0)
      return &b->anchors[i];
  return NULL;
}

static int
count_nodes (struct builder *b, size_t n, struct hk_error **err)
{
  if (n > b->limits->max_nodes || b->nodes > b->limits->max_nodes - n)
    return fail (b, err, "more than %zu nodes (aliases expanded): refused", b->limits->max_nodes);
  b->nodes += n;
  return 0;
}

/* The path of the value the top frame takes next. */
static char *
child_path (const struct builder *b)
{
  if (b->depth == 0)
    return xstrdup ("");
  const struct frame *f = &b->stack[b->depth - 1];
  if (json_is_array (f->value))
    return json_path_index (f->path, json_array_size (f->value));
  return json_path_key (f->path, f->key);
}

/* Hands VALUE (owned) to its parent: the document, an array, or the
 * mapping's waiting key. */
static int
add_value (struct builder *b, json_t *value, struct hk_error **err)
{
  if (b->depth == 0)
    {
      b->root = value;
      return 0;
    }
  struct frame *f = &b->stack[b->depth - 1];
  if (json_is_array (f->value))
    return json_array_append_new (f->value, value) == 0 ? 0 : fail (b, err, "out of memory");
  _cleanup_free_ char *key = take_ptr (f->key);
  if (strcmp (key, "<<") == 0 && (json_is_object (value) || json_is_array (value)))
    {
      if (f->merges == NULL)
        f->merges = json_array ();
      json_array_append_new (f->merges, value);
      return 0;
    }
  if (json_object_get (f->value, key) != NULL)
    {
      json_decref (value);
      return fail (b, err, "%s%skey `%s` appears twice", f->path, *f->path ? ": " : "", key);
    }
  json_object_set_new (f->value, key, value);
  return 0;
}

/* `<<: *base` and `<<: [*a, *b]`: keys the mapping does not have, the
 * first source first. */
static int
apply_merges (struct builder *b, struct frame *f, struct hk_error **err)
{
  size_t i;
  json_t *source;
  if (f->merges == NULL)
    return 0;
  json_t *sources = json_array ();
  json_array_foreach (f->merges, i, source)
  {
    if (json_is_array (source))
      json_array_extend (sources, source);
    else
      json_array_append (sources, source);
  }
  int rc = 0;
  json_array_foreach (sources, i, source)
  {
    if (!json_is_object (source))
      {
        rc = fail (b, err, "%s: `<<` merges mappings only", f->path);
        break;
      }
    const char *k;
    json_t *v;
    json_object_foreach (source, k, v)
    {
      if (json_object_get (f->value, k) == NULL)
        json_object_set (f->value, k, v);
    }
  }
  json_decref (sources);
  return rc;
}

static bool
is_allowed_tag (const struct builder *b, const char *tag)
{
  for (const char *const *t = b->limits->tags; tag && t && *t; t++)
    if (strcmp (*t, tag) == 0)
      return true;
  return false;
}

/* Notes that the node starting now (the value of the waiting key or the
 * next item of each open collection) had TAG. */
static void
record_tag (struct builder *b, const char *tag)
{
  json_t *path = json_array ();
  for (size_t i = 0; i < b->depth; i++)
    {
      const struct frame *f = &b->stack[i];
      json_array_append_new (path, json_is_array (f->value)
                                       ? json_integer ((json_int_t)json_array_size (f->value))
                                       : json_string (f->key ? f->key : ""));
    }
  if (b->tags == NULL)
    b->tags = json_array ();
  json_array_append_new (b->tags, json_pack ("{s:o, s:s}", "path", path, "tag", tag));
}

static int
scalar_typed (struct builder *b, const char *text, const char *tag, bool plain, json_t **out,
              struct hk_error **err)
{
  bool yaml11 = b->limits->yaml11_booleans;
  enum yaml_scalar_type type = YAML_SCALAR_STRING;
  if (tag == NULL || strcmp (tag, "!") == 0 || is_allowed_tag (b, tag))
    type = plain ? yaml_plain_scalar_type (text, yaml11) : YAML_SCALAR_STRING;
  else if (strcmp (tag, YAML_STR_TAG) == 0)
    type = YAML_SCALAR_STRING;
  else if (strcmp (tag, YAML_INT_TAG) == 0)
    type = YAML_SCALAR_INT;
  else if (strcmp (tag, YAML_BOOL_TAG) == 0)
    type = YAML_SCALAR_BOOL;
  else if (strcmp (tag, YAML_FLOAT_TAG) == 0)
    type = YAML_SCALAR_FLOAT;
  else if (strcmp (tag, YAML_NULL_TAG) == 0)
    type = YAML_SCALAR_NULL;
  else
    return fail (b, err, "the tag `%s` is not supported", tag);
  long long i;
  double d;
  int rc;
  switch (type)
    {
    case YAML_SCALAR_STRING:
      *out = json_string (text);
      break;
    case YAML_SCALAR_NULL:
      *out = json_null ();
      break;
    case YAML_SCALAR_BOOL:
      if ((rc = yaml_scalar_bool (text, yaml11)) < 0)
        return fail (b, err, "`%s` is not a boolean", text);
      *out = json_boolean (rc);
      break;
    case YAML_SCALAR_INT:
      if ((rc = yaml_scalar_int (text, yaml11, &i)) <= 0)
        return fail (b, err, rc == 0 ? "the integer %s is out of range" : "`%s` is not an integer",
                     text);
      *out = json_integer (i);
      break;
    case YAML_SCALAR_FLOAT:
      if (!yaml_scalar_float (text, &d))
        return fail (b, err, "`%s` is not a number JSON can hold", text);
      *out = json_real (d);
      break;
    }
  return *out ? 0 : fail (b, err, "a string is not valid UTF-8");
}

static int
on_scalar (struct builder *b, const yaml_event_t *ev, struct hk_error **err)
{
  const char *text = (const char *)ev->data.scalar.value;
  size_t len = ev->data.scalar.length;
  if (memchr (text, '\0', len) != NULL)
    return fail (b, err, "a scalar holds a NUL character");
  if (count_nodes (b, 1, err) < 0)
    return -1;
  struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
  if (f && json_is_object (f->value) && f->key == NULL)
    {
      f->key = xstrdup (text); /* keys are text, as in JSON */
      return 0;
    }
  bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  const char *tag = (const char *)ev->data.scalar.tag;
  if (is_allowed_tag (b, tag))
    record_tag (b, tag);
  json_t *value = NULL;
  if (scalar_typed (b, text, (const char *)ev->data.scalar.tag, plain, &value, err) < 0)
    return -1;
  if (ev->data.scalar.anchor)
    anchor_set (b, (const char *)ev->data.scalar.anchor, value, 1);
  return add_value (b, value, err);
}

static int
on_alias (struct builder *b, const yaml_event_t *ev, struct hk_error **err)
{
  const char *name = (const char *)ev->data.alias.anchor;
  const struct anchor *a = anchor_get (b, name);
  if (a == NULL)
    return fail (b, err, "the alias *%s names no anchor before it", name);
  struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
  if (f && json_is_object (f->value) && f->key == NULL)
    {
      if (!json_is_string (a->value))
        return fail (b, err, "a mapping key must be a string");
      f->key = xstrdup (json_string_value (a->value));
      return count_nodes (b, 1, err);
    }
  if (count_nodes (b, a->weight, err) < 0)
    return -1;
  return add_value (b, json_deep_copy (a->value), err);
}

static int
on_collection_start (struct builder *b, const yaml_event_t *ev, bool mapping,
                     struct hk_error **err)
{
  struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
  if (f && json_is_object (f->value) && f->key == NULL)
    return fail (b, err, "%s: a mapping key must be a scalar", f->path);
  if (b->depth >= b->limits->max_depth)
    return fail (b, err, "nested deeper than %zu levels: refused", b->limits->max_depth);
  if (count_nodes (b, 1, err) < 0)
    return -1;
  const char *tag = (const char *)(mapping ? ev->data.mapping_start.tag
                                           : ev->data.sequence_start.tag);
  if (is_allowed_tag (b, tag))
    record_tag (b, tag);
  const yaml_char_t *anchor
      = mapping ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
  b->stack = xreallocarray (b->stack, b->depth + 1, sizeof *b->stack);
  b->stack[b->depth] = (struct frame){
    .value = mapping ? json_object () : json_array (),
    .path = child_path (b),
    .anchor = anchor ? xstrdup ((const char *)anchor) : NULL,
    .first_node = b->nodes,
  };
  b->depth++;
  return 0;
}

static int
on_collection_end (struct builder *b, struct hk_error **err)
{
  struct frame f = b->stack[--b->depth];
  int rc = apply_merges (b, &f, err);
  if (rc == 0 && f.anchor)
    anchor_set (b, f.anchor, f.value, b->nodes - f.first_node + 1);
  json_t *value = take_ptr (f.value);
  frame_clear (&f);
  if (rc < 0)
    {
      json_decref (value);
      return -1;
    }
  return add_value (b, value, err);
}

static int
on_document_end (struct builder *b, size_t line, struct hk_error **err)
{
  struct yaml_stream *s = b->out;
  if (s->n >= b->limits->max_documents)
    return fail (b, err, "more than %zu documents: refused", b->limits->max_documents);
  s->docs = xreallocarray (s->docs, s->n + 1, sizeof *s->docs);
  s->docs[s->n++] = (struct yaml_document){ .root = b->root ? b->root : json_null (),
                                            .line = line, .tags = take_ptr (b->tags) };
  b->root = NULL;
  anchors_clear (b); /* anchors are the document's */
  return 0;
}

static int
on_event (struct builder *b, const yaml_event_t *ev, size_t *doc_line, struct hk_error **err)
{
  switch (ev->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      b->doc_number++;
      *doc_line = b->line;
      return 0;
    case YAML_DOCUMENT_END_EVENT:
      return on_document_end (b, *doc_line, err);
    case YAML_SCALAR_EVENT:
      return on_scalar (b, ev, err);
    case YAML_ALIAS_EVENT:
      return on_alias (b, ev, err);
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
      return on_collection_start (b, ev, ev->type == YAML_MAPPING_START_EVENT, err);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
      return on_collection_end (b, err);
    default:
      return 0;
    }
}

static int
parser_error (struct builder *b, const yaml_parser_t *p, struct hk_error **err)
{
  b->line = p->problem_mark.line + 1;
  b->column = p->problem_mark.column + 1;
  if (p->error == YAML_MEMORY_ERROR)
    return fail (b, err, "out of memory");
  if (p->context)
    return fail (b, err, "%s %s", p->problem ? p->problem : "invalid YAML", p->context);
  return fail (b, err, "%s", p->problem ? p->problem : "invalid YAML");
}

static int
parse_stream (struct builder *b, yaml_parser_t *p, struct hk_error **err)
{
  size_t doc_line = 1;
  for (;;)
    {
      yaml_event_t ev;
      if (!yaml_parser_parse (p, &ev))
        return parser_error (b, p, err);
      b->line = ev.start_mark.line + 1;
      b->column = ev.start_mark.column + 1;
      int rc = on_event (b, &ev, &doc_line, err);
      bool end = ev.type == YAML_STREAM_END_EVENT;
      yaml_event_delete (&ev);
      if (rc < 0)
        return -1;
      if (end)
        return 0;
    }
}

void
yaml_stream_free (struct yaml_stream *s)
{
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->n; i++)
    {
      json_decref (s->docs[i].root);
      json_decref (s->docs[i].tags);
    }
  free (s->docs);
  free (s);
}

int
yaml_read (const char *name, const char *text, size_t len, const struct yaml_limits *limits,
           struct yaml_stream **out, struct hk_error **err)
{
  if (limits == NULL)
    limits = &yaml_default_limits;
  if (len > limits->max_bytes)
    return hk_error_set (err, EFBIG, "%s: larger than %zu bytes: refused", name,
                         limits->max_bytes);
  _cleanup_yaml_stream_ struct yaml_stream *s = xzalloc (sizeof *s);
  struct builder b = { .name = name, .limits = limits, .out = s };
  yaml_parser_t p;
  if (!yaml_parser_initialize (&p))
    return hk_error_set (err, ENOMEM, "%s: cannot start the YAML parser", name);
  yaml_parser_set_input_string (&p, (const unsigned char *)text, len);
  int rc = parse_stream (&b, &p, err);
  yaml_parser_delete (&p);
  builder_clear (&b);
  if (rc < 0)
    return -1;
  *out = take_ptr (s);
  return 0;
}
