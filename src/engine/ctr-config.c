/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-config.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/image-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
config_map_set (struct config_map *m, const char *key, const char *value)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp (m->keys[i], key) == 0)
      {
        free (m->values[i]);
        m->values[i] = xstrdup (value);
        return;
      }
  m->keys = xreallocarray (m->keys, m->n + 1, sizeof *m->keys);
  m->values = xreallocarray (m->values, m->n + 1, sizeof *m->values);
  m->keys[m->n] = xstrdup (key);
  m->values[m->n++] = xstrdup (value);
}

const char *
config_map_get (const struct config_map *m, const char *key)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp (m->keys[i], key) == 0)
      return m->values[i];
  return NULL;
}

bool
config_map_matches (const struct config_map *m, const char *filter)
{
  const char *eq = strchr (filter, '=');
  _cleanup_free_ char *key = eq ? xstrndup (filter, (size_t)(eq - filter)) : xstrdup (filter);
  const char *have = config_map_get (m, key);
  return have != NULL && (eq == NULL || strcmp (have, eq + 1) == 0);
}

void
config_map_clear (struct config_map *m)
{
  for (size_t i = 0; i < m->n; i++)
    {
      free (m->keys[i]);
      free (m->values[i]);
    }
  free (m->keys);
  free (m->values);
  memset (m, 0, sizeof *m);
}

void
ctr_config_init (struct ctr_config *c)
{
  memset (c, 0, sizeof *c);
  c->stop_timeout = CONFIG_STOP_TIMEOUT_UNSET;
  c->log_max_files = 1;
}

static void
clear_mounts (struct ctr_config *c)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      free (c->mounts[i].source);
      free (c->mounts[i].target);
      free (c->mounts[i].tmpfs_options);
    }
  free (c->mounts);
  for (size_t i = 0; i < c->n_mount_points; i++)
    {
      free (c->mount_points[i].name);
      free (c->mount_points[i].source);
      free (c->mount_points[i].destination);
    }
  free (c->mount_points);
}

void
config_network_clear (struct config_network *n)
{
  free (n->name);
  strv_free (n->aliases);
  free (n->ip);
  free (n->ip6);
  free (n->mac);
  memset (n, 0, sizeof *n);
}

static void
clear_network (struct ctr_config *c)
{
  free (c->network_mode);
  free (c->network_container);
  for (size_t i = 0; i < c->n_networks; i++)
    config_network_clear (&c->networks[i]);
  free (c->networks);
  free (c->ip);
  free (c->ip6);
  free (c->mac);
  strv_free (c->aliases);
  for (size_t i = 0; i < c->n_ports; i++)
    {
      free (c->ports[i].host_ip);
      free (c->ports[i].host_port);
      free (c->ports[i].container_port);
      free (c->ports[i].protocol);
    }
  free (c->ports);
  strv_free (c->dns);
  strv_free (c->dns_search);
  strv_free (c->extra_hosts);
}

static void
clear_security (struct ctr_config *c)
{
  strv_free (c->cap_add);
  strv_free (c->cap_drop);
  strv_free (c->security_opt);
  free (c->seccomp_profile);
  for (size_t i = 0; i < c->n_devices; i++)
    {
      free (c->devices[i].host_path);
      free (c->devices[i].container_path);
      free (c->devices[i].permissions);
    }
  free (c->devices);
  config_map_clear (&c->sysctls);
  free (c->userns_mode);
  free (c->subuid_name);
  free (c->subgid_name);
  free (c->uid_map);
  free (c->gid_map);
}

void
ctr_config_clear (struct ctr_config *c)
{
  strv_free (c->cmd);
  strv_free (c->entrypoint);
  strv_free (c->env);
  free (c->working_dir);
  free (c->user);
  free (c->hostname);
  free (c->domainname);
  config_map_clear (&c->labels);
  clear_security (c);
  free (c->limits.cpuset_cpus);
  for (size_t i = 0; i < c->n_ulimits; i++)
    free (c->ulimits[i].name);
  free (c->ulimits);
  free (c->cgroup_parent);
  clear_mounts (c);
  config_map_clear (&c->tmpfs);
  strv_free (c->volumes_from);
  free (c->pid_mode);
  free (c->pid_container);
  free (c->ipc_mode);
  free (c->ipc_container);
  free (c->stop_signal);
  strv_free (c->health.test);
  free (c->log_max_size_text);
  free (c->log_max_files_text);
  free (c->runtime);
  free (c->pod);
  clear_network (c);
  ctr_config_init (c);
}

const char *
config_restart_name (enum config_restart r)
{
  static const char *const names[]
      = { [CONFIG_RESTART_NO] = "no",
          [CONFIG_RESTART_ALWAYS] = "always",
          [CONFIG_RESTART_ON_FAILURE] = "on-failure",
          [CONFIG_RESTART_UNLESS_STOPPED] = "unless-stopped" };
  return names[r];
}

const char *
config_mount_type_name (enum config_mount_type t)
{
  static const char *const names[] = { [CONFIG_MOUNT_BIND] = "bind",
                                       [CONFIG_MOUNT_VOLUME] = "volume",
                                       [CONFIG_MOUNT_TMPFS] = "tmpfs" };
  return names[t];
}

static const char *const pod_share_names[] = { "net", "ipc", "uts", "pid" };
#define N_POD_SHARE (sizeof pod_share_names / sizeof pod_share_names[0])

int
config_parse_pod_share (const char *text, unsigned *out, struct hk_error **err)
{
  *out = 0;
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *name = strtok_r (copy, ",", &save); name; name = strtok_r (NULL, ",", &save))
    {
      size_t i = 0;
      while (i < N_POD_SHARE && strcmp (name, pod_share_names[i]) != 0)
        i++;
      if (i == N_POD_SHARE)
        return hk_error_set (err, EINVAL,
                             "--share: \"%s\" is not a namespace a pod shares (net, ipc, uts, pid)",
                             name);
      *out |= 1u << i;
    }
  return 0;
}

char **
config_pod_share_names (unsigned share)
{
  char **names = xzalloc (sizeof (char *));
  for (size_t i = 0; i < N_POD_SHARE; i++)
    if (share & (1u << i))
      strv_append (&names, pod_share_names[i]);
  return names;
}

const char *
config_mode_container (const char *mode)
{
  return mode != NULL && strncmp (mode, "container:", 10) == 0 ? mode + 10 : NULL;
}

const char *
config_ipc_mode (const struct ctr_config *c)
{
  return c->ipc_mode ? c->ipc_mode : "private";
}

bool
config_network_mode_is_special (const char *mode)
{
  return mode != NULL
         && (strcmp (mode, "none") == 0 || strcmp (mode, "host") == 0
             || strncmp (mode, "container:", 10) == 0 || strcmp (mode, "pasta") == 0
             || strcmp (mode, "slirp4netns") == 0);
}

bool
ctr_config_owns_netns (const struct ctr_config *c)
{
  return c->n_networks > 0
         || (c->network_mode
             && (strcmp (c->network_mode, "none") == 0 || strcmp (c->network_mode, "pasta") == 0
                 || strcmp (c->network_mode, "slirp4netns") == 0));
}

bool
ctr_config_has_health (const struct ctr_config *c)
{
  return c->health.test != NULL && c->health.test[0] != NULL
         && strcmp (c->health.test[0], "NONE") != 0;
}

void
ctr_config_merge_image (struct ctr_config *c, const struct image_config *image)
{
  const struct image_healthcheck *h = image ? image->healthcheck : NULL;
  if (h == NULL)
    return;
  /* Docker's merge: the container's test, or else the image's; each
   * duration the container leaves at 0 is the image's. */
  if ((c->health.test == NULL || c->health.test[0] == NULL) && h->test != NULL)
    {
      strv_free (c->health.test);
      c->health.test = strv_copy (h->test);
    }
  if (c->health.interval_ns == 0)
    c->health.interval_ns = h->interval;
  if (c->health.timeout_ns == 0)
    c->health.timeout_ns = h->timeout;
  if (c->health.start_period_ns == 0)
    c->health.start_period_ns = h->start_period;
  if (c->health.retries == 0 && h->retries > 0 && h->retries <= INT32_MAX)
    c->health.retries = (int)h->retries;
}

/* Docker's rules between the memory values. CHANGED: the bits update
 * gave (to say which value to change). */
static int
check_memory (const struct config_limits *l, unsigned changed, struct hk_error **err)
{
  if (l->memory_swap > 0 && l->memory <= 0)
    return hk_error_set (err, EINVAL, "--memory-swap needs a memory limit: set --memory too");
  if (l->memory_swap > 0 && l->memory_swap < l->memory)
    {
      if (!(changed & CONFIG_LIMIT_MEMORY_SWAP))
        return hk_error_set (err, EINVAL,
                             "--memory %lld is above the memory+swap limit %lld already set: "
                             "update --memory-swap at the same time",
                             (long long)l->memory, (long long)l->memory_swap);
      return hk_error_set (err, EINVAL,
                           "--memory-swap %lld is below --memory %lld: memory+swap must be at "
                           "least the memory limit",
                           (long long)l->memory_swap, (long long)l->memory);
    }
  if (l->memory > 0 && l->memory_reservation > l->memory)
    return hk_error_set (err, EINVAL, "--memory-reservation %lld is above --memory %lld",
                         (long long)l->memory_reservation, (long long)l->memory);
  return 0;
}

int
ctr_config_update (struct ctr_config *c, const struct ctr_config *changes,
                         struct hk_error **err)
{
  const struct config_limits *from = &changes->limits;
  struct config_limits l = c->limits;
  if (from->set & CONFIG_LIMIT_MEMORY)
    l.memory = from->memory;
  if (from->set & CONFIG_LIMIT_MEMORY_SWAP)
    l.memory_swap = from->memory_swap;
  if (from->set & CONFIG_LIMIT_MEMORY_RESERVATION)
    l.memory_reservation = from->memory_reservation;
  if (from->set & CONFIG_LIMIT_NANO_CPUS)
    l.nano_cpus = from->nano_cpus;
  if (from->set & CONFIG_LIMIT_CPU_SHARES)
    l.cpu_shares = from->cpu_shares;
  if (from->set & CONFIG_LIMIT_PIDS)
    l.pids_limit = from->pids_limit;
  if (check_memory (&l, from->set, err) < 0)
    return -1;
  if (from->set & CONFIG_LIMIT_CPUSET_CPUS)
    l.cpuset_cpus = xstrdup (from->cpuset_cpus);
  else if (l.cpuset_cpus != NULL)
    l.cpuset_cpus = xstrdup (l.cpuset_cpus);
  l.set |= from->set & ~CONFIG_LIMIT_RESTART;
  free (c->limits.cpuset_cpus);
  c->limits = l;
  if (from->set & CONFIG_LIMIT_RESTART)
    {
      c->restart = changes->restart;
      c->restart_max_retries = changes->restart_max_retries;
      c->limits.set |= CONFIG_LIMIT_RESTART;
    }
  return 0;
}

struct config_network *
ctr_config_network (const struct ctr_config *c, const char *name)
{
  for (size_t i = 0; i < c->n_networks; i++)
    if (strcmp (c->networks[i].name, name) == 0)
      return &c->networks[i];
  return NULL;
}

void
ctr_config_add_network (struct ctr_config *c, const char *name)
{
  c->networks = xreallocarray (c->networks, c->n_networks + 1, sizeof *c->networks);
  c->networks[c->n_networks++] = (struct config_network){ .name = xstrdup (name) };
}

void
ctr_config_remove_network (struct ctr_config *c, size_t index)
{
  config_network_clear (&c->networks[index]);
  memmove (&c->networks[index], &c->networks[index + 1],
           (c->n_networks - index - 1) * sizeof *c->networks);
  c->n_networks--;
}
