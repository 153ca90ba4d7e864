/* SPDX-License-Identifier: Apache-2.0 */
#include "mount-options.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum option_kind
{
  OPT_FLAG,        /* sets FLAG */
  OPT_CLEAR,       /* clears FLAG */
  OPT_PROPAGATION, /* propagation FLAG */
  OPT_REC_SET,     /* recursive attribute set */
  OPT_REC_CLR,     /* recursive attribute clear */
  OPT_BIND,
  OPT_RBIND,
  OPT_IDMAP,
  OPT_RIDMAP,
  OPT_TMPCOPYUP,
  OPT_NO_TMPCOPYUP,
  OPT_IGNORE,
};

static const struct
{
  const char *name;
  enum option_kind kind;
  uint64_t value;
} option_table[] = {
  { "defaults", OPT_IGNORE, 0 },
  { "z", OPT_IGNORE, 0 },
  { "Z", OPT_IGNORE, 0 },
  { "tmpcopyup", OPT_TMPCOPYUP, 0 },
  { "notmpcopyup", OPT_NO_TMPCOPYUP, 0 },
  { "ro", OPT_FLAG, MS_RDONLY },
  { "rw", OPT_CLEAR, MS_RDONLY },
  { "nosuid", OPT_FLAG, MS_NOSUID },
  { "suid", OPT_CLEAR, MS_NOSUID },
  { "nodev", OPT_FLAG, MS_NODEV },
  { "dev", OPT_CLEAR, MS_NODEV },
  { "noexec", OPT_FLAG, MS_NOEXEC },
  { "exec", OPT_CLEAR, MS_NOEXEC },
  { "sync", OPT_FLAG, MS_SYNCHRONOUS },
  { "async", OPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", OPT_FLAG, MS_DIRSYNC },
  { "remount", OPT_FLAG, MS_REMOUNT },
  { "mand", OPT_FLAG, MS_MANDLOCK },
  { "nomand", OPT_CLEAR, MS_MANDLOCK },
  { "noatime", OPT_FLAG, MS_NOATIME },
  { "atime", OPT_CLEAR, MS_NOATIME },
  { "nodiratime", OPT_FLAG, MS_NODIRATIME },
  { "diratime", OPT_CLEAR, MS_NODIRATIME },
  { "relatime", OPT_FLAG, MS_RELATIME },
  { "norelatime", OPT_CLEAR, MS_RELATIME },
  { "strictatime", OPT_FLAG, MS_STRICTATIME },
  { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
  { "lazytime", OPT_FLAG, MS_LAZYTIME },
  { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
  { "nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW },
  { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
  { "silent", OPT_FLAG, MS_SILENT },
  { "loud", OPT_CLEAR, MS_SILENT },
  { "bind", OPT_BIND, 0 },
  { "rbind", OPT_RBIND, 0 },
  { "idmap", OPT_IDMAP, 0 },
  { "ridmap", OPT_RIDMAP, 0 },
  { "shared", OPT_PROPAGATION, MS_SHARED },
  { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", OPT_PROPAGATION, MS_SLAVE },
  { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
  { "private", OPT_PROPAGATION, MS_PRIVATE },
  { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
  { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
  { "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },
  { "rrw", OPT_REC_CLR, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },
  { "rsuid", OPT_REC_CLR, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },
  { "rdev", OPT_REC_CLR, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },
  { "rexec", OPT_REC_CLR, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_REC_CLR, MOUNT_ATTR_NODIRATIME },
  { "rrelatime", OPT_REC_SET, MOUNT_ATTR_RELATIME },
  { "rnorelatime", OPT_REC_CLR, MOUNT_ATTR_RELATIME },
  { "rnoatime", OPT_REC_SET, MOUNT_ATTR_NOATIME },
  { "ratime", OPT_REC_CLR, MOUNT_ATTR_NOATIME },
  { "rstrictatime", OPT_REC_SET, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", OPT_REC_CLR, MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_REC_CLR, MOUNT_ATTR_NOSYMFOLLOW },
};

unsigned long
mount_propagation_parse (const char *name)
{
  for (size_t i = 0; i < sizeof option_table / sizeof option_table[0]; i++)
    if (option_table[i].kind == OPT_PROPAGATION && strcmp (option_table[i].name, name) == 0)
      return (unsigned long) option_table[i].value;
  return 0;
}

static void
append_data (char **data, const char *word)
{
  if (*data == NULL)
    *data = xstrdup (word);
  else
    {
      char *joined = xasprintf ("%s,%s", *data, word);
      free (*data);
      *data = joined;
    }
}

/* The atime modes exclude each other: a later one replaces an earlier. */
static const unsigned long atime_flags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

int
mount_options_parse (char *const *options, struct mount_options *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  for (size_t i = 0; options != NULL && options[i] != NULL; i++)
    {
      const char *word = options[i];
      size_t j;
      for (j = 0; j < sizeof option_table / sizeof option_table[0]; j++)
        if (strcmp (option_table[j].name, word) == 0)
          break;
      bool ridmap = strncmp (word, "ridmap=", 7) == 0;
      if (ridmap || strncmp (word, "idmap=", 6) == 0)
        {
          free (out->idmap_mappings);
          out->idmap_mappings = xstrdup (strchr (word, '=') + 1);
          out->idmap = true;
          out->recursive_idmap |= ridmap;
          continue;
        }
      if (j == sizeof option_table / sizeof option_table[0])
        {
          if (*word == '\0' || strchr (word, ',') != NULL)
            {
              mount_options_clear (out);
              return hk_error_set (err, EINVAL, "mount option `%s` is not a single option", word);
            }
          append_data (&out->data, word);
          continue;
        }
      unsigned long v = (unsigned long) option_table[j].value;
      switch (option_table[j].kind)
        {
        case OPT_FLAG:
          if (v & atime_flags)
            out->flags &= ~atime_flags;
          out->flags |= v;
          out->clear &= ~v;
          break;
        case OPT_CLEAR:
          out->flags &= ~v;
          out->clear |= v;
          break;
        case OPT_PROPAGATION:
          out->propagation = v;
          break;
        case OPT_REC_SET:
          out->rec_attr_set |= option_table[j].value;
          out->rec_attr_clr &= ~option_table[j].value;
          break;
        case OPT_REC_CLR:
          out->rec_attr_clr |= option_table[j].value;
          out->rec_attr_set &= ~option_table[j].value;
          break;
        case OPT_BIND:
          out->bind = true;
          break;
        case OPT_RBIND:
          out->bind = out->recursive = true;
          break;
        case OPT_IDMAP:
          out->idmap = true;
          break;
        case OPT_RIDMAP:
          out->idmap = out->recursive_idmap = true;
          break;
        case OPT_TMPCOPYUP:
          out->tmpcopyup = true;
          break;
        case OPT_NO_TMPCOPYUP:
          out->tmpcopyup = false;
          break;
        case OPT_IGNORE:
          break;
        }
    }
  /* Atime attributes are a mode, not bits: clearing them means "set this
   * mode", so the whole atime field must be in the clear mask. */
  if (out->rec_attr_set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME))
    out->rec_attr_clr |= MOUNT_ATTR__ATIME;
  return 0;
}

void
mount_options_clear (struct mount_options *o)
{
  free (o->data);
  free (o->idmap_mappings);
  o->data = NULL;
  o->idmap_mappings = NULL;
}

void
mount_flags_to_attr (unsigned long flags, unsigned long clear, uint64_t *attr_set,
                     uint64_t *attr_clr)
{
  static const struct
  {
    unsigned long ms;
    uint64_t attr;
  } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY },         { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV },           { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };
  *attr_set = *attr_clr = 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    {
      if (flags & map[i].ms)
        *attr_set |= map[i].attr;
      if (clear & map[i].ms)
        *attr_clr |= map[i].attr;
    }
  if (flags & MS_NOATIME)
    *attr_set |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME)
    *attr_set |= MOUNT_ATTR_STRICTATIME;
  else if (flags & MS_RELATIME)
    *attr_set |= MOUNT_ATTR_RELATIME;
  if (flags & atime_flags)
    *attr_clr |= MOUNT_ATTR__ATIME;
  else if (clear & atime_flags)
    {
      /* "atime"/"norelatime" without another mode: relatime, the default. */
      *attr_set |= MOUNT_ATTR_RELATIME;
      *attr_clr |= MOUNT_ATTR__ATIME;
    }
}
