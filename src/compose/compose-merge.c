/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-merge.h"

#include <stdbool.h>
#include <string.h>

enum merge_rule
{
  MERGE_DEFAULT,   /* mappings by key, sequences appended without duplicates */
  MERGE_REPLACE,   /* the override's value whole */
  MERGE_BY_TARGET, /* sequences of mappings keyed by "target" */
  MERGE_NETWORKS,  /* a service's networks: by name, a bare name keeps the base's entry */
};

static enum merge_rule
rule_of (const char *key)
{
  static const char *const replaced[] = { "command", "entrypoint", "test", NULL };
  static const char *const by_target[] = { "volumes", "secrets", "configs", NULL };
  for (const char *const *k = replaced; *k; k++)
    if (strcmp (*k, key) == 0)
      return MERGE_REPLACE;
  for (const char *const *k = by_target; *k; k++)
    if (strcmp (*k, key) == 0)
      return MERGE_BY_TARGET;
  if (strcmp (key, "networks") == 0)
    return MERGE_NETWORKS;
  return MERGE_DEFAULT;
}

static bool
array_has (json_t *array, json_t *item)
{
  size_t i;
  json_t *v;
  json_array_foreach (array, i, v)
  {
    if (json_equal (v, item))
      return true;
  }
  return false;
}

static void
append_unique (json_t *base, json_t *override)
{
  size_t i;
  json_t *v;
  json_array_foreach (override, i, v)
  {
    if (!array_has (base, v))
      json_array_append (base, v);
  }
}

static void
merge_by_target (json_t *base, json_t *override)
{
  size_t i, j;
  json_t *v, *b;
  json_array_foreach (override, i, v)
  {
    json_t *target = json_object_get (v, "target");
    bool replaced = false;
    json_array_foreach (base, j, b)
    {
      json_t *bt = json_object_get (b, "target");
      if (target && bt && json_equal (target, bt))
        {
          json_array_set (base, j, v);
          replaced = true;
          break;
        }
    }
    if (!replaced && !array_has (base, v))
      json_array_append (base, v);
  }
}

static void merge_object (json_t *base, json_t *override);
static void merge_member (json_t *base, const char *key, json_t *v);

/* A service's networks, NAME: null (the list form, or a bare key) or
 * {aliases, ipv4_address...}: merged name by name, as Docker Compose
 * merges them; an override naming a network without settings
 * (`networks: [front]`) keeps the base's aliases and address rather than
 * dropping them. */
static void
merge_networks (json_t *base, json_t *override)
{
  const char *name;
  json_t *v;
  json_object_foreach (override, name, v)
  {
    if (json_is_null (v) && json_object_get (base, name))
      continue;
    merge_member (base, name, v);
  }
}

/* BASE[KEY] given OVERRIDE's value V. */
static void
merge_member (json_t *base, const char *key, json_t *v)
{
  json_t *b = json_object_get (base, key);
  enum merge_rule rule = rule_of (key);
  if (b == NULL || rule == MERGE_REPLACE || json_typeof (b) != json_typeof (v))
    json_object_set_new (base, key, json_deep_copy (v));
  else if (json_is_object (v) && rule == MERGE_NETWORKS)
    merge_networks (b, v);
  else if (json_is_object (v))
    merge_object (b, v);
  else if (json_is_array (v) && rule == MERGE_BY_TARGET)
    merge_by_target (b, v);
  else if (json_is_array (v))
    append_unique (b, v);
  else
    json_object_set (base, key, v);
}

static void
merge_object (json_t *base, json_t *override)
{
  const char *key;
  json_t *v;
  json_object_foreach (override, key, v)
  {
    merge_member (base, key, v);
  }
}

void
compose_merge_service (json_t *base, json_t *override)
{
  merge_object (base, override);
}

void
compose_merge_project (json_t *base, json_t *override)
{
  const char *key;
  json_t *v;
  json_object_foreach (override, key, v)
  {
    json_t *b = json_object_get (base, key);
    if (b == NULL || !json_is_object (b) || !json_is_object (v))
      {
        json_object_set (base, key, v);
        continue;
      }
    const char *name;
    json_t *item;
    json_object_foreach (v, name, item)
    {
      json_t *bi = json_object_get (b, name);
      if (bi && json_is_object (bi) && json_is_object (item))
        merge_object (bi, item);
      else
        json_object_set (b, name, item);
    }
  }
}
