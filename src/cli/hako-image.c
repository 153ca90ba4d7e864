/* SPDX-License-Identifier: Apache-2.0 */
/* Local image commands: images, image inspect, history, tag, rmi,
 * image prune. */
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "hako-cli.h"
#include "store/image-config.h"
#include "store/manifest.h"
#include "store/reference.h"
#include "store/registries-conf.h"
#include "store/rootfs.h"
#include "store/store.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
resolve (struct hako_cli *cli, struct store *s, const char *text, char **id, struct hk_error **err)
{
  struct registries_conf *rc;
  if (cli_registries (cli, &rc, err) < 0)
    return -1;
  return store_image_resolve (s, text, rc->search, id, err);
}

/* "docker.io/library/busybox:latest" → ("busybox", "latest") */
static void
split_tag (const char *full, char **repo, char **tag)
{
  const char *colon = strrchr (full, ':');
  const char *slash = strrchr (full, '/');
  _cleanup_free_ char *r = NULL;
  if (colon && (!slash || colon > slash))
    {
      r = xstrndup (full, (size_t)(colon - full));
      *tag = xstrdup (colon + 1);
    }
  else
    {
      r = xstrdup (full);
      *tag = xstrdup ("<none>");
    }
  *repo = image_ref_familiar_repository (r);
}

static char *
familiar_name (const char *full)
{
  _cleanup_free_ char *repo = NULL, *tag = NULL;
  const char *at = strchr (full, '@');
  if (at != NULL)
    {
      _cleanup_free_ char *r = xstrndup (full, (size_t)(at - full));
      _cleanup_free_ char *fr = image_ref_familiar_repository (r);
      return xasprintf ("%s%s", fr, at);
    }
  split_tag (full, &repo, &tag);
  return xasprintf ("%s:%s", repo, tag);
}

/* json_string that takes ownership of S */
static json_t *
string_take (char *s)
{
  json_t *j = json_string (s);
  free (s);
  return j;
}

static json_t *
familiar_list_owned (char **names)
{
  json_t *arr = json_array ();
  for (size_t i = 0; names && names[i]; i++)
    json_array_append_new (arr, string_take (familiar_name (names[i])));
  return arr;
}

/* Docker's `image inspect` document. */
static int
inspect_json (struct store *s, const struct store_image *img, json_t **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (store_blob_read (s, img->id, CONFIG_MAX_SIZE, &text, &len, err) < 0)
    return -1;
  _cleanup_json_ json_t *config = NULL;
  if (json_parse_object (text, len, "image config", &config, err) < 0)
    return -1;
  json_t *layers = json_array ();
  for (size_t i = 0; i < img->n_layers; i++)
    json_array_append_new (layers, json_string (img->layers[i].diff_id));
  json_t *cfg = json_object_get (config, "config");
  json_t *hist = json_object_get (config, "history");
  const char *comment = "";
  if (json_is_array (hist) && json_array_size (hist) > 0)
    {
      json_t *c = json_object_get (json_array_get (hist, json_array_size (hist) - 1), "comment");
      if (json_is_string (c))
        comment = json_string_value (c);
    }
  json_t *o = json_object ();
  json_object_set_new (o, "Id", json_string (img->id));
  json_object_set_new (o, "RepoTags", familiar_list_owned (img->repo_tags));
  json_object_set_new (o, "RepoDigests", familiar_list_owned (img->repo_digests));
  json_object_set_new (o, "Parent", json_string (img->parent));
  json_object_set_new (o, "Comment", json_string (comment));
  json_object_set_new (o, "Created", json_string (img->created ? img->created : ""));
  json_t *author = json_object_get (config, "author");
  json_object_set_new (o, "Author",
                       json_string (json_is_string (author) ? json_string_value (author) : ""));
  json_object_set (o, "Config", cfg ? cfg : json_null ());
  json_object_set_new (o, "Architecture", json_string (img->architecture));
  json_t *variant = json_object_get (config, "variant");
  if (json_is_string (variant))
    json_object_set (o, "Variant", variant);
  json_object_set_new (o, "Os", json_string (img->os));
  json_object_set_new (o, "Size", json_integer ((json_int_t)img->size));
  json_object_set_new (o, "RootFS", json_pack ("{s:s, s:o}", "Type", "layers", "Layers", layers));
  json_object_set_new (o, "ManifestDigest", json_string (img->manifest_digest));
  json_object_set_new (o, "ManifestMediaType", json_string (img->manifest_media_type));
  *out = o;
  return 0;
}

/* --- images ---------------------------------------------------------- */

struct image_filters
{
  int dangling; /* -1 any, 0 tagged only, 1 dangling only */
  char **references;
};

static int
parse_filter (struct image_filters *f, const char *text, struct hk_error **err)
{
  const char *eq = strchr (text, '=');
  if (eq == NULL)
    return hk_error_set (err, EINVAL, "--filter `%s`: expected KEY=VALUE", text);
  _cleanup_free_ char *key = xstrndup (text, (size_t)(eq - text));
  const char *value = eq + 1;
  if (strcmp (key, "dangling") == 0)
    {
      if (strcmp (value, "true") == 0 || strcmp (value, "1") == 0)
        f->dangling = 1;
      else if (strcmp (value, "false") == 0 || strcmp (value, "0") == 0)
        f->dangling = 0;
      else
        return hk_error_set (err, EINVAL, "--filter `%s`: dangling is true or false", text);
      return 0;
    }
  if (strcmp (key, "reference") == 0)
    {
      strv_append (&f->references, value);
      return 0;
    }
  return hk_error_set (err, EINVAL, "--filter `%s`: supported filters are dangling and reference",
                       text);
}

/* Docker matches a reference filter against the familiar name, with and
 * without the tag. */
static bool
reference_matches (char **patterns, const char *repo, const char *tag)
{
  if (patterns == NULL)
    return true;
  _cleanup_free_ char *with_tag = xasprintf ("%s:%s", repo, tag);
  for (size_t i = 0; patterns[i]; i++)
    if (fnmatch (patterns[i], repo, 0) == 0 || fnmatch (patterns[i], with_tag, 0) == 0)
      return true;
  return false;
}

static json_t *
image_row_json (const struct store_image *img, const char *repo, const char *tag,
                const char *digest, bool no_trunc)
{
  _cleanup_free_ char *short_id = cli_short_id (img->id);
  int64_t created = cli_parse_time (img->created);
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "ID", no_trunc ? img->id : short_id,
                    "Repository", repo, "Tag", tag, "Digest", digest ? digest : "<none>",
                    "CreatedAt", img->created ? img->created : "", "CreatedSince",
                    string_take (cli_human_since (created)), "Size",
                    string_take (cli_human_size (img->size)), "VirtualSize",
                    string_take (cli_human_size (img->size)));
}

static int
cmd_images (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "[-q] [-a] [--digests] [--no-trunc] [-f FILTER] [--format "
                                   "FORMAT] [REPOSITORY[:TAG]]";
  static const struct option options[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "all", no_argument, NULL, 'a' },
    { "digests", no_argument, NULL, 'd' },
    { "no-trunc", no_argument, NULL, 'n' },
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, 'F' },
    { NULL, 0, NULL, 0 },
  };
  bool quiet = false, digests = false, no_trunc = false, all = false;
  const char *format = NULL;
  struct image_filters filters = { .dangling = -1 };
  _cleanup_strv_ char **refs_owner = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qaf:", options, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'a':
        all = true;
        break;
      case 'd':
        digests = true;
        break;
      case 'n':
        no_trunc = true;
        break;
      case 'f':
        if (parse_filter (&filters, optarg, err) < 0)
          {
            strv_free (filters.references);
            return -1;
          }
        break;
      case 'F':
        format = optarg;
        break;
      default:
        strv_free (filters.references);
        return cli_bad_option (err, "images", argv);
      }
  refs_owner = filters.references;
  if (optind + 1 < argc)
    return cli_usage (err, "images", usage_text, "too many arguments");
  if (optind < argc)
    {
      /* "busybox" matches every tag of busybox; "busybox:1" one tag. */
      const char *arg = argv[optind];
      const char *slash = strrchr (arg, '/');
      const char *colon = strrchr (slash ? slash : arg, ':');
      _cleanup_free_ char *pattern = colon ? xstrdup (arg) : xasprintf ("%s", arg);
      strv_append (&refs_owner, pattern);
      filters.references = refs_owner;
    }

  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  struct store_image **list = NULL;
  size_t n = 0;
  if (store_image_list (s, &list, &n, err) < 0)
    return -1;

  struct cli_table *table = NULL;
  if (!quiet && format == NULL)
    {
      static const char *const headers[]
          = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", NULL };
      static const char *const headers_digest[]
          = { "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE", NULL };
      table = cli_table_new (digests ? headers_digest : headers);
    }
  _cleanup_strv_ char **quiet_ids = xzalloc (sizeof (char *));
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      struct store_image *img = list[i];
      bool dangling = store_image_dangling (img);
      if ((filters.dangling == 1 && !dangling) || (filters.dangling == 0 && dangling))
        continue;
      if (!all && store_image_intermediate (img))
        continue; /* a build's step: with -a, as Docker and Podman */
      /* One row per tag; an image known only by digest or not at all
       * gets one row with <none>. */
      size_t rows = strv_length (img->repo_tags);
      for (size_t t = 0; t < (rows ? rows : 1) && r == 0; t++)
        {
          _cleanup_free_ char *repo = NULL, *tag = NULL;
          if (rows)
            split_tag (img->repo_tags[t], &repo, &tag);
          else if (img->repo_digests && img->repo_digests[0])
            {
              _cleanup_free_ char *name
                  = xstrndup (img->repo_digests[0], strcspn (img->repo_digests[0], "@"));
              repo = image_ref_familiar_repository (name);
              tag = xstrdup ("<none>");
            }
          else
            {
              repo = xstrdup ("<none>");
              tag = xstrdup ("<none>");
            }
          if (filters.references && !reference_matches (filters.references, repo, tag))
            continue;
          const char *digest = NULL;
          for (size_t d = 0; img->repo_digests && img->repo_digests[d]; d++)
            {
              const char *at = strchr (img->repo_digests[d], '@');
              digest = at ? at + 1 : NULL;
              break;
            }
          _cleanup_free_ char *short_id = cli_short_id (img->id);
          if (quiet)
            {
              const char *shown = no_trunc ? img->id : short_id;
              if (!strv_contains (quiet_ids, shown))
                {
                  strv_append (&quiet_ids, shown);
                  printf ("%s\n", shown);
                }
              continue;
            }
          _cleanup_json_ json_t *row = image_row_json (img, repo, tag, digest, no_trunc);
          if (format != NULL)
            {
              _cleanup_free_ char *line = strcmp (format, "json") == 0
                                              ? cli_format_template ("{{json .}}", row, err)
                                              : cli_format_template (format, row, err);
              if (line == NULL)
                r = -1;
              else
                printf ("%s\n", line);
              continue;
            }
          const char *cells[] = { repo,
                                  tag,
                                  digests ? (digest ? digest : "<none>") : NULL,
                                  no_trunc ? img->id : short_id,
                                  json_string_value (json_object_get (row, "CreatedSince")),
                                  json_string_value (json_object_get (row, "Size")),
                                  NULL };
          if (!digests)
            {
              /* drop the DIGEST slot */
              for (int k = 2; k < 6; k++)
                cells[k] = cells[k + 1];
            }
          cli_table_add (table, cells);
        }
    }
  if (table && r == 0)
    cli_table_print (table, stdout);
  cli_table_free (table);
  store_image_list_free (list, n);
  return r;
}

/* --- inspect --------------------------------------------------------- */

static int
cmd_inspect (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  const char *format;
  if (cli_inspect_options (argc, argv, "image inspect", "[--format FORMAT] IMAGE...",
                           "missing image", &format, err)
      < 0)
    return -1;
  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  _cleanup_json_ json_t *all = json_array ();
  for (int i = optind; i < argc; i++)
    {
      _cleanup_free_ char *id = NULL;
      _cleanup_store_image_ struct store_image *img = NULL;
      json_t *doc;
      if (resolve (cli, s, argv[i], &id, err) < 0 || store_image_get (s, id, &img, err) < 0
          || inspect_json (s, img, &doc, err) < 0)
        return -1;
      json_array_append_new (all, doc);
    }
  return cli_print_inspect (all, format, err);
}

/* --- history --------------------------------------------------------- */

static int
cmd_history (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "[-q] [--no-trunc] [--format FORMAT] IMAGE";
  static const struct option options[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "no-trunc", no_argument, NULL, 'n' },
    { "human", required_argument, NULL, 'H' },
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool quiet = false, no_trunc = false;
  const char *format = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qH:", options, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'n':
        no_trunc = true;
        break;
      case 'H':
        break;
      case 'f':
        format = optarg;
        break;
      default:
        return cli_bad_option (err, "history", argv);
      }
  if (optind + 1 != argc)
    return cli_usage (err, "history", usage_text, "expected one image");
  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  _cleanup_free_ char *id = NULL;
  _cleanup_store_image_ struct store_image *img = NULL;
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_image_config_ struct image_config *config = NULL;
  if (resolve (cli, s, argv[optind], &id, err) < 0 || store_image_get (s, id, &img, err) < 0
      || store_blob_read (s, id, CONFIG_MAX_SIZE, &text, &len, err) < 0
      || image_config_parse (text, len, &config, err) < 0)
    return -1;

  static const char *const headers[]
      = { "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT", NULL };
  struct cli_table *table = (quiet || format) ? NULL : cli_table_new (headers);
  /* History entries that are not empty_layer match the layers in order;
   * the newest entry stands for the image itself. */
  size_t layer = img->n_layers;
  int r = 0;
  for (size_t k = config->n_history; k-- > 0 && r == 0;)
    {
      struct image_history *h = &config->history[k];
      uint64_t size = 0;
      if (!h->empty_layer && layer > 0)
        size = img->layers[--layer].size;
      _cleanup_free_ char *short_id = cli_short_id (img->id);
      const char *shown_id
          = k + 1 == config->n_history ? (no_trunc ? img->id : short_id) : "<missing>";
      if (quiet)
        {
          printf ("%s\n", shown_id);
          continue;
        }
      const char *by = h->created_by ? h->created_by : "";
      _cleanup_free_ char *by_short
          = (!no_trunc && strlen (by) > 45) ? xasprintf ("%.44s…", by) : xstrdup (by);
      _cleanup_free_ char *since = cli_human_since (cli_parse_time (h->created));
      _cleanup_free_ char *size_text = cli_human_size (size);
      if (format)
        {
          _cleanup_json_ json_t *row
              = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "ID", shown_id, "CreatedSince", since,
                           "CreatedAt", h->created ? h->created : "", "CreatedBy", by, "Size",
                           size_text, "Comment", h->comment ? h->comment : "");
          _cleanup_free_ char *line = cli_format_template (
              strcmp (format, "json") == 0 ? "{{json .}}" : format, row, err);
          if (line == NULL)
            r = -1;
          else
            printf ("%s\n", line);
          continue;
        }
      const char *cells[]
          = { shown_id, since, by_short, size_text, h->comment ? h->comment : "", NULL };
      cli_table_add (table, cells);
    }
  if (table && r == 0)
    cli_table_print (table, stdout);
  cli_table_free (table);
  return r;
}

/* --- tag ------------------------------------------------------------- */

static int
cmd_tag (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "SOURCE_IMAGE TARGET_IMAGE[:TAG]";
  if (cli_no_options (argc, argv, "tag", err) < 0)
    return -1;
  if (argc != 3 || argv[1][0] == '-')
    return cli_usage (err, "tag", usage_text, "expected a source and a target");
  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  _cleanup_free_ char *id = NULL;
  if (resolve (cli, s, argv[1], &id, err) < 0)
    return -1;
  _cleanup_image_ref_ struct image_ref *ref = NULL;
  if (image_ref_parse (argv[2], &ref, err) < 0)
    return -1;
  if (ref->digest != NULL)
    return hk_error_set (err, EINVAL, "tag `%s`: a tag cannot carry a digest", argv[2]);
  _cleanup_free_ char *full = image_ref_string (ref);
  if (store_tag_add (s, id, full, err) < 0)
    return -1;
  cli_event (cli, "image", "tag", id, full);
  return 0;
}

/* --- rmi ------------------------------------------------------------- */

/* The full tag or digest name TEXT designates among IMG's names, if TEXT
 * is a name rather than an ID. */
static char *
matching_name (struct hako_cli *cli, const struct store_image *img, const char *text)
{
  struct registries_conf *rc;
  _cleanup_error_ struct hk_error *ignored = NULL;
  if (cli_registries (cli, &rc, &ignored) < 0)
    return NULL;
  bool qualified = image_ref_names_domain (text);
  for (size_t i = 0; i < (qualified ? 1 : strv_length (rc->search)); i++)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse_in (text, qualified ? NULL : rc->search[i], &ref, &ignored) < 0)
        return NULL;
      _cleanup_free_ char *full = image_ref_string (ref);
      if (strv_contains (img->repo_tags, full) || strv_contains (img->repo_digests, full))
        return take_ptr (full);
      if (ref->digest && ref->tag == NULL)
        {
          /* repo@manifest-digest: the digest names of that repository */
          _cleanup_free_ char *repo = image_ref_repository (ref);
          for (size_t d = 0; img->repo_digests && img->repo_digests[d]; d++)
            if (strncmp (img->repo_digests[d], repo, strlen (repo)) == 0
                && img->repo_digests[d][strlen (repo)] == '@')
              return xstrdup (img->repo_digests[d]);
        }
    }
  return NULL;
}

static void
print_deleted (const struct store_image *img, void *data)
{
  (void)data;
  printf ("Deleted: %s\n", img->id);
}

static int
remove_image (struct hako_cli *cli, struct store *s, const char *text, bool force, bool prune,
              struct hk_error **err)
{
  _cleanup_free_ char *id = NULL;
  _cleanup_store_image_ struct store_image *img = NULL;
  if (resolve (cli, s, text, &id, err) < 0 || store_image_get (s, id, &img, err) < 0)
    return -1;
  _cleanup_strv_ char **users = NULL;
  if (store_image_users (s, id, &users, err) < 0)
    return -1;
  _cleanup_free_ char *name = matching_name (cli, img, text);
  size_t n_names = strv_length (img->repo_tags);

  if (name != NULL && strchr (name, '@') == NULL && n_names > 1)
    {
      /* One tag of several: only the tag goes. */
      if (store_tag_remove (s, name, err) < 0)
        return -1;
      cli_event (cli, "image", "untag", id, name);
      _cleanup_free_ char *f = familiar_name (name);
      printf ("Untagged: %s\n", f);
      return 0;
    }
  if (name == NULL && n_names > 1 && !force)
    return hk_error_set (err, EBUSY,
                         "unable to delete %s (must be forced): the image is "
                         "referenced in multiple repositories",
                         text);
  if (users[0] != NULL && !force)
    return hk_error_set (err, EBUSY,
                         "unable to remove image %s (must be forced): container %s "
                         "is using it",
                         text, users[0]);
  for (size_t i = 0; img->repo_tags && img->repo_tags[i]; i++)
    {
      if (store_tag_remove (s, img->repo_tags[i], err) < 0)
        return -1;
      cli_event (cli, "image", "untag", id, img->repo_tags[i]);
      _cleanup_free_ char *f = familiar_name (img->repo_tags[i]);
      printf ("Untagged: %s\n", f);
    }
  for (size_t i = 0; img->repo_digests && img->repo_digests[i]; i++)
    {
      if (store_tag_remove (s, img->repo_digests[i], err) < 0)
        return -1;
      _cleanup_free_ char *f = familiar_name (img->repo_digests[i]);
      printf ("Untagged: %s\n", f);
    }
  if (users[0] != NULL)
    return 0; /* forced: the image stays, dangling, while containers use it */
  if (img->has_children && n_names == 0 && name == NULL)
    return hk_error_set (err, EBUSY, "unable to delete %s: the image has dependent child images",
                         text);
  if (img->has_children)
    return 0; /* untagged, it stays for the images made over it */
  if (store_image_delete (s, id, err) < 0)
    return -1;
  cli_event (cli, "image", "delete", id, text);
  printf ("Deleted: %s\n", id);
  /* Its parents without names or other children go too, as Docker's. */
  return prune ? store_image_prune_chain (s, img->parent, print_deleted, NULL, err) : 0;
}

static int
cmd_rmi (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "[-f] [--no-prune] IMAGE...";
  static const struct option options[] = {
    { "force", no_argument, NULL, 'f' },
    { "no-prune", no_argument, NULL, 'n' },
    { NULL, 0, NULL, 0 },
  };
  bool force = false, prune = true;
  int c;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'n':
        prune = false;
        break;
      default:
        return cli_bad_option (err, "rmi", argv);
      }
  if (optind >= argc)
    return cli_usage (err, "rmi", usage_text, "missing image");
  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  int r = 0;
  _cleanup_error_ struct hk_error *first = NULL;
  for (int i = optind; i < argc; i++)
    {
      _cleanup_error_ struct hk_error *e = NULL;
      if (remove_image (cli, s, argv[i], force, prune, &e) < 0)
        {
          /* Like Docker: report each failure and go on with the rest. */
          fflush (stdout);
          if (first == NULL)
            first = take_ptr (e);
          else
            fprintf (stderr, "Error: %s\n", e->message);
          r = -1;
        }
    }
  struct store_gc_result gc;
  if (store_gc (s, &gc, err) < 0)
    return -1;
  if (r < 0)
    {
      *err = take_ptr (first);
      return -1;
    }
  return 0;
}

/* --- image prune ----------------------------------------------------- */

void
cli_print_pruned_image (const struct store_image *img, void *data)
{
  bool *header = data;
  if (!*header)
    {
      printf ("Deleted Images:\n");
      *header = true;
    }
  for (size_t t = 0; img->repo_tags && img->repo_tags[t]; t++)
    {
      _cleanup_free_ char *f = familiar_name (img->repo_tags[t]);
      printf ("untagged: %s\n", f);
    }
  printf ("deleted: %s\n", img->id);
}

static int
cmd_prune (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "[-a] [-f]";
  static const struct option options[] = {
    { "all", no_argument, NULL, 'a' },
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool all = false;
  int c;
  while ((c = getopt_long (argc, argv, "af", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'f':
        break; /* hako never asks */
      default:
        return cli_bad_option (err, "image prune", argv);
      }
  if (optind != argc)
    return cli_usage (err, "image prune", usage_text, "too many arguments");
  struct store *s;
  struct store_gc_result gc;
  bool header = false;
  if (cli_store (cli, &s, err) < 0
      || store_image_prune (s, all, cli_print_pruned_image, &header, &gc, err) < 0)
    return -1;
  _cleanup_free_ char *freed = cli_human_size (gc.bytes_freed);
  printf ("%sTotal reclaimed space: %s\n", header ? "\n" : "", freed);
  return 0;
}

/* --- image mount / unmount ------------------------------------------ */

/* Like `podman image mount`, but writable: a container-style root
 * filesystem (private upper directory) without a container. */
static int
cmd_mount (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "[--name NAME] IMAGE";
  static const struct option options[] = {
    { "name", required_argument, NULL, 'n' },
    { NULL, 0, NULL, 0 },
  };
  const char *name = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 'n':
        name = optarg;
        break;
      default:
        return cli_bad_option (err, "image mount", argv);
      }
  if (optind + 1 != argc)
    return cli_usage (err, "image mount", usage_text, "expected one image");
  struct store *s;
  _cleanup_free_ char *id = NULL;
  if (cli_store (cli, &s, err) < 0 || resolve (cli, s, argv[optind], &id, err) < 0)
    return -1;
  _cleanup_free_ char *short_id = cli_short_id (id);
  _cleanup_free_ char *mount_id = name ? xstrdup (name) : xasprintf ("mount-%s", short_id);
  if (strchr (mount_id, '/') || mount_id[0] == '.')
    return hk_error_set (err, EINVAL, "image mount: bad name `%s`", mount_id);
  _cleanup_free_ char *dir = xasprintf ("%s/mounts/%s", cli->root, mount_id);
  if (image_rootfs_create (s, id, mount_id, dir, NULL, err) < 0)
    return -1;
  if (image_rootfs_mount (s, mount_id, NULL, err) < 0)
    {
      _cleanup_error_ struct hk_error *ignored = NULL;
      image_rootfs_remove (s, mount_id, &ignored);
      return -1;
    }
  printf ("%s/merged\n", dir);
  return 0;
}

static int
cmd_unmount (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const char usage_text[] = "NAME...";
  if (cli_no_options (argc, argv, "image unmount", err) < 0)
    return -1;
  if (argc < 2)
    return cli_usage (err, "image unmount", usage_text, "missing name");
  struct store *s;
  if (cli_store (cli, &s, err) < 0)
    return -1;
  for (int i = 1; i < argc; i++)
    {
      if (image_rootfs_remove (s, argv[i], err) < 0)
        return -1;
      _cleanup_free_ char *dir = xasprintf ("%s/mounts/%s", cli->root, argv[i]);
      rmdir (dir);
      printf ("%s\n", argv[i]);
    }
  return 0;
}

const struct hako_command hako_image_commands[] = {
  { NULL, "images", cmd_images,
    "[-q] [-a] [--digests] [--no-trunc] [-f dangling=true|reference=GLOB] [--format json|TEMPLATE] "
    "[REPOSITORY[:TAG]]",
    "list images", false },
  { "image", "ls", cmd_images,
    "[-q] [-a] [--digests] [--no-trunc] [-f dangling=true|reference=GLOB] [--format json|TEMPLATE] "
    "[REPOSITORY[:TAG]]",
    "list images", false },
  { "image", "list", cmd_images, "[OPTIONS] [REPOSITORY[:TAG]]", "list images", true },
  { "image", "inspect", cmd_inspect, "[--format FORMAT] IMAGE...", "show images in detail", false },
  { "image", "history", cmd_history, "[-q] [--no-trunc] [--format json|TEMPLATE] IMAGE",
    "show the history of an image", .top_level = true },
  { "image", "tag", cmd_tag, "SOURCE TARGET", "give an image another name", .top_level = true },
  { NULL, "rmi", cmd_rmi, "[-f] [--no-prune] IMAGE...", "remove images", false },
  { "image", "rm", cmd_rmi, "[-f] [--no-prune] IMAGE...", "remove images", true },
  { "image", "prune", cmd_prune, "[-a] [-f]", "remove dangling (or, with -a, unused) images",
    false },
  { "image", "mount", cmd_mount, "[--name NAME] IMAGE",
    "mount an image's root filesystem (overlay, private upper)", false },
  { "image", "unmount", cmd_unmount, "NAME...", "unmount and remove an image mount", false },
  { "image", "umount", cmd_unmount, "NAME...", "unmount and remove an image mount", true },
  { NULL, NULL, NULL, NULL, NULL, false },
};
