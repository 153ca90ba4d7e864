/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-hosts.h"
#include "etc-files.h"
#include "network.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>

int
ctr_hosts_lock (struct engine *e, struct hk_error **err)
{
  _cleanup_free_ char *dir = network_state_dir (e);
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return -1;
  _cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "lock `%s`", dir);
  return take_fd (&fd);
}

/* "10.89.0.5/24" → "10.89.0.5". */
static char *
bare_address (const char *cidr)
{
  const char *slash = strchr (cidr, '/');
  return slash ? xstrndup (cidr, (size_t)(slash - cidr)) : xstrdup (cidr);
}

struct peers
{
  struct etc_host *hosts;
  size_t n;
  char **addresses; /* owned, one per host */
  char ***names;
};

static void
peers_clear (struct peers *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      free (p->addresses[i]);
      strv_free (p->names[i]);
    }
  free (p->hosts);
  free (p->addresses);
  free (p->names);
}

static void
peers_add (struct peers *p, const struct network_endpoint *ep)
{
  p->hosts = xreallocarray (p->hosts, p->n + 1, sizeof *p->hosts);
  p->addresses = xreallocarray (p->addresses, p->n + 1, sizeof *p->addresses);
  p->names = xreallocarray (p->names, p->n + 1, sizeof *p->names);
  p->addresses[p->n] = bare_address (ep->address);
  p->names[p->n] = xzalloc (sizeof (char *));
  size_t i;
  json_t *name;
  json_array_foreach (ep->names, i, name) if (json_is_string (name))
      strv_append (&p->names[p->n], json_string_value (name));
  p->hosts[p->n] = (struct etc_host){ .ip = p->addresses[p->n], .names = p->names[p->n] };
  p->n++;
}

/* The others on the user networks of MINE. */
static int
collect_peers (struct engine *e, const char *id, struct network_endpoint **mine, size_t n_mine,
               struct peers *out, struct hk_error **err)
{
  for (size_t i = 0; i < n_mine; i++)
    {
      if (network_is_default (mine[i]->network))
        continue; /* no names on the default network, as on Docker's */
      struct network_endpoint **others = NULL;
      size_t n = 0;
      if (network_endpoint_list (e->db, NULL, mine[i]->network, &others, &n, err) < 0)
        return -1;
      for (size_t j = 0; j < n; j++)
        if (strcmp (others[j]->container_id, id) != 0)
          peers_add (out, others[j]);
      network_endpoint_list_free (others, n);
    }
  return 0;
}

static int
write_hosts_of (struct engine *e, const char *id, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = NULL;
  struct hk_error *gone = NULL;
  if (ctr_record_find (e->db, id, &r, &gone) < 0)
    {
      hk_error_free (gone); /* removed meanwhile: nothing to write */
      return 0;
    }
  struct network_endpoint **mine = NULL;
  size_t n_mine = 0;
  struct peers peers = { 0 };
  int rc = -1;
  if (network_endpoint_list (e->db, id, NULL, &mine, &n_mine, err) < 0)
    return -1;
  if (collect_peers (e, id, mine, n_mine, &peers, err) == 0)
    {
      _cleanup_free_ char *short_id = xstrndup (id, 12);
      _cleanup_free_ char *ip = n_mine > 0 ? bare_address (mine[0]->address) : NULL;
      struct etc_files f = {
        .hostname = r->config.hostname ? r->config.hostname : short_id,
        .ip = ip,
        .extra_hosts = (const char *const *)r->config.extra_hosts,
        .peers = peers.hosts,
        .n_peers = peers.n,
      };
      _cleanup_free_ char *dir = engine_container_dir (e, id);
      rc = etc_files_rewrite_hosts (dir, &f, err);
    }
  peers_clear (&peers);
  network_endpoint_list_free (mine, n_mine);
  return rc;
}

int
ctr_hosts_refresh (struct engine *e, char *const *networks, const char *id,
                         struct hk_error **err)
{
  _cleanup_strv_ char **ids = xzalloc (sizeof (char *));
  if (id != NULL)
    strv_append (&ids, id);
  for (size_t i = 0; networks && networks[i]; i++)
    {
      if (network_is_default (networks[i]))
        continue;
      struct network_endpoint **members = NULL;
      size_t n = 0;
      if (network_endpoint_list (e->db, NULL, networks[i], &members, &n, err) < 0)
        return -1;
      for (size_t j = 0; j < n; j++)
        if (!strv_contains (ids, members[j]->container_id))
          strv_append (&ids, members[j]->container_id);
      network_endpoint_list_free (members, n);
    }
  for (size_t i = 0; ids[i]; i++)
    if (write_hosts_of (e, ids[i], err) < 0)
      return -1;
  return 0;
}
