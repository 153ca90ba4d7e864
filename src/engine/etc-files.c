/* SPDX-License-Identifier: Apache-2.0 */
#include "etc-files.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
append (char **text, const char *fmt, const char *a, const char *b)
{
  char *more = xasprintf (fmt, a, b);
  char *joined = xasprintf ("%s%s", *text, more);
  free (more);
  free (*text);
  *text = joined;
}

/* The host's resolv.conf for a container: without loopback nameservers
 * (they mean nothing in another network namespace) unless HOST_NETWORK. */
static char *
etc_files_resolv_conf (const char *host_text, bool host_network, const char *const *dns,
                       const char *const *search)
{
  char *out = xstrdup ("");
  bool have_server = false;
  _cleanup_free_ char *copy = xstrdup (host_text ? host_text : "");
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      const char *p = line + strspn (line, " \t");
      if (strncmp (p, "nameserver", 10) == 0)
        {
          if (dns != NULL)
            continue; /* replaced by --dns */
          const char *addr = p + 10 + strspn (p + 10, " \t");
          if (!host_network && (strncmp (addr, "127.", 4) == 0 || strncmp (addr, "::1", 3) == 0))
            continue;
          have_server = true;
        }
      else if ((strncmp (p, "search", 6) == 0 || strncmp (p, "domain", 6) == 0) && search != NULL)
        continue;
      append (&out, "%s%s\n", line, "");
    }
  for (size_t i = 0; dns != NULL && dns[i] != NULL; i++)
    {
      append (&out, "nameserver %s%s\n", dns[i], "");
      have_server = true;
    }
  if (search != NULL && search[0] != NULL)
    {
      append (&out, "search%s%s", "", "");
      for (size_t i = 0; search[i] != NULL; i++)
        append (&out, " %s%s", search[i], "");
      append (&out, "%s%s\n", "", "");
    }
  if (!have_server && !host_network)
    {
      /* Nothing usable is left: Docker's fallback. */
      append (&out, "nameserver %s%s\n", "8.8.8.8", "");
      append (&out, "nameserver %s%s\n", "8.8.4.4", "");
    }
  return out;
}

static int
write_file (const char *dir, const char *name, const char *text, struct hk_error **err)
{
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  return fs_replace_file (dfd, name, text, strlen (text), 0644, err);
}

char *
etc_files_hosts (const struct etc_files *f)
{
  char *hosts = NULL;
  if (f->host_network)
    {
      if (fs_read_file (AT_FDCWD, "/etc/hosts", FS_TEXT_FILE_MAX, &hosts, NULL, NULL) < 0)
        hosts = xstrdup ("127.0.0.1\tlocalhost\n");
    }
  else
    {
      hosts = xstrdup ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                       "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
                       "ff02::2\tip6-allrouters\n");
      append (&hosts, "%s\t%s\n", f->ip ? f->ip : "127.0.1.1", f->hostname);
    }
  for (size_t i = 0; f->extra_hosts != NULL && f->extra_hosts[i] != NULL; i++)
    {
      const char *colon = strchr (f->extra_hosts[i], ':');
      if (colon == NULL)
        continue;
      _cleanup_free_ char *name = xstrndup (f->extra_hosts[i], (size_t)(colon - f->extra_hosts[i]));
      append (&hosts, "%s\t%s\n", colon + 1, name);
    }
  for (size_t i = 0; i < f->n_peers; i++)
    {
      append (&hosts, "%s%s", f->peers[i].ip, "");
      for (char *const *name = f->peers[i].names; name && *name; name++)
        append (&hosts, "\t%s%s", *name, "");
      append (&hosts, "%s%s\n", "", "");
    }
  return hosts;
}

int
etc_files_rewrite_hosts (const char *dir, const struct etc_files *f, struct hk_error **err)
{
  _cleanup_free_ char *text = etc_files_hosts (f);
  _cleanup_free_ char *path = xasprintf ("%s/hosts", dir);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (text);
  if (fd < 0 || pwrite (fd, text, len, 0) != (ssize_t) len || ftruncate (fd, (off_t) len) < 0)
    return hk_error_errno (err, errno, "rewrite `%s`", path);
  return 0;
}

int
etc_files_write (const char *dir, const struct etc_files *f, struct hk_error **err)
{
  _cleanup_free_ char *hostname = xasprintf ("%s\n", f->hostname);
  _cleanup_free_ char *hosts = etc_files_hosts (f);
  _cleanup_free_ char *host_resolv = NULL;
  if (fs_read_file (AT_FDCWD, "/etc/resolv.conf", FS_TEXT_FILE_MAX, &host_resolv, NULL, NULL) < 0)
    host_resolv = xstrdup ("");
  _cleanup_free_ char *resolv
      = etc_files_resolv_conf (host_resolv, f->host_network, f->dns, f->dns_search);
  if (write_file (dir, "hostname", hostname, err) < 0 || write_file (dir, "hosts", hosts, err) < 0
      || write_file (dir, "resolv.conf", resolv, err) < 0)
    return -1;
  return 0;
}
