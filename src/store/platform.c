/* SPDX-License-Identifier: Apache-2.0 */
#include "platform.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const struct
{
  const char *alias;
  const char *arch;
  const char *variant;
} arch_aliases[] = {
  { "x86_64", "amd64", NULL },    { "x86-64", "amd64", NULL }, { "aarch64", "arm64", NULL },
  { "armhf", "arm", "v7" },       { "armel", "arm", "v6" },    { "i386", "386", NULL },
  { "i686", "386", NULL },        { "armv7l", "arm", "v7" },   { "armv6l", "arm", "v6" },
  { "ppc64el", "ppc64le", NULL },
};

static char *
lower_dup (const char *s)
{
  char *d = xstrdup (s);
  for (char *p = d; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return d;
}

void
platform_clear (struct platform *p)
{
  free (p->os);
  free (p->architecture);
  free (p->variant);
  p->os = p->architecture = p->variant = NULL;
}

void
platform_set (struct platform *out, const char *os, const char *arch, const char *variant)
{
  out->os = lower_dup (os && *os ? os : "linux");
  out->architecture = lower_dup (arch && *arch ? arch : "");
  out->variant = variant && *variant ? lower_dup (variant) : NULL;
  for (size_t i = 0; i < sizeof arch_aliases / sizeof arch_aliases[0]; i++)
    if (strcmp (out->architecture, arch_aliases[i].alias) == 0)
      {
        free (out->architecture);
        out->architecture = xstrdup (arch_aliases[i].arch);
        if (out->variant == NULL && arch_aliases[i].variant)
          out->variant = xstrdup (arch_aliases[i].variant);
      }
  /* arm64 has one variant in practice: "v8" and none mean the same. */
  if (strcmp (out->architecture, "arm64") == 0 && out->variant && strcmp (out->variant, "v8") == 0)
    {
      free (out->variant);
      out->variant = NULL;
    }
}

int
platform_parse (const char *text, struct platform *out, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *parts[4] = { 0 };
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r (copy, "/", &save); t; t = strtok_r (NULL, "/", &save))
    {
      if (n == 3)
        return hk_error_set (err, EINVAL, "invalid platform `%s`: expected OS/ARCH[/VARIANT]",
                             text);
      parts[n++] = t;
    }
  if (n == 0)
    return hk_error_set (err, EINVAL, "invalid platform `%s`: empty", text);
  for (int i = 0; i < n; i++)
    for (char *c = parts[i]; *c; c++)
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
            || *c == '_' || *c == '-' || *c == '.'))
        return hk_error_set (err, EINVAL, "invalid platform `%s`: bad character `%c`", text, *c);
  if (n == 1)
    platform_set (out, "linux", parts[0], NULL);
  else
    platform_set (out, parts[0], parts[1], n == 3 ? parts[2] : NULL);
  return 0;
}

void
platform_host (struct platform *out)
{
  struct utsname u;
  const char *machine = uname (&u) == 0 ? u.machine : "x86_64";
  platform_set (out, "linux", machine, NULL);
}

char *
platform_string (const struct platform *p)
{
  return xasprintf ("%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
                    p->variant ? "/" : "", p->variant ? p->variant : "");
}

/* "v7" → 7; 0 when not of that form. */
static int
arm_version (const char *variant)
{
  if (variant == NULL || variant[0] != 'v')
    return 0;
  return atoi (variant + 1);
}

int
platform_match_score (const struct platform *want, const struct platform *cand)
{
  if (want->os == NULL || cand->os == NULL || strcmp (want->os, cand->os) != 0)
    return 0;
  if (strcmp (want->architecture, cand->architecture) != 0)
    return 0;
  const char *wv = want->variant, *cv = cand->variant;
  if (wv == NULL)
    return cv == NULL ? 100 : 50; /* no preference: plain first */
  if (cv != NULL && strcmp (wv, cv) == 0)
    return 100;
  if (cv == NULL)
    return 40;
  /* An armv7 machine runs armv6 and armv5 code: older is acceptable. */
  if (strcmp (want->architecture, "arm") == 0)
    {
      int w = arm_version (wv), c = arm_version (cv);
      if (w > 0 && c > 0 && c < w)
        return 30 + c;
    }
  return 0;
}
