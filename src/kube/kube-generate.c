/* SPDX-License-Identifier: Apache-2.0 */
/* kube generate: pods and containers as Kubernetes objects, from the
 * engine's models (struct ctr_config, struct pod_config), written with
 * src/yaml.  What has no Kubernetes field (a pod's own limits, a user
 * given by name) is a warning naming it; what is written plays back to
 * the same settings (kube-pod.c reads every field written here). */
#include "kube.h"
#include "kube-read.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-network.h"
#include "engine/engine.h"
#include "engine/pod.h"
#include "yaml/yaml.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* NAME as a DNS label (DOTS: a subdomain): lower case, other characters
 * turned into '-', at most 63. */
static char *
dns_name (const char *name, bool dots)
{
  char *s = xstrdup (name);
  size_t k = 0;
  for (const char *p = name; *p && k < 63; p++)
    {
      char c = (char)tolower ((unsigned char)*p);
      s[k++] = isalnum ((unsigned char)c) || (dots && c == '.') ? c : '-';
    }
  s[k] = '\0';
  while (k > 0 && (s[k - 1] == '-' || s[k - 1] == '.'))
    s[--k] = '\0';
  size_t skip = strspn (s, "-.");
  memmove (s, s + skip, strlen (s + skip) + 1);
  if (*s == '\0')
    {
      free (s);
      s = xstrdup ("container");
    }
  return s;
}

/* The containers written as one pod, and where they came from. */
struct gen_pod
{
  char *name;
  struct pod_record *pod;       /* NULL: containers without a pod */
  struct ctr_record **members;  /* not the infra */
  size_t n;
  struct ctr_record *network;   /* whose ports, hosts and DNS are the pod's */
};

static void
gen_pod_clear (struct gen_pod *g)
{
  free (g->name);
  pod_record_free (g->pod);
  for (size_t i = 0; i < g->n; i++)
    ctr_record_free (g->members[i]);
  free (g->members);
  if (g->network && !(g->network->config.pod_infra == false && g->n > 0))
    ctr_record_free (g->network);
}

/* ---- one container ---- */

static json_t *
quantity_bytes (int64_t bytes)
{
  if (bytes % (1 << 20) == 0)
    return json_sprintf ("%lldMi", (long long)(bytes >> 20));
  return json_sprintf ("%lld", (long long)bytes);
}

static json_t *
quantity_cpu (int64_t nano)
{
  long long milli = (nano + 999999) / 1000000;
  return milli % 1000 == 0 ? json_sprintf ("%lld", milli / 1000) : json_sprintf ("%lldm", milli);
}

static json_t *
resources_json (const struct config_limits *l)
{
  json_t *limits = json_object (), *requests = json_object ();
  if (l->set & CONFIG_LIMIT_MEMORY)
    json_object_set_new (limits, "memory", quantity_bytes (l->memory));
  if (l->set & CONFIG_LIMIT_NANO_CPUS)
    json_object_set_new (limits, "cpu", quantity_cpu (l->nano_cpus));
  if (l->set & CONFIG_LIMIT_MEMORY_RESERVATION)
    json_object_set_new (requests, "memory", quantity_bytes (l->memory_reservation));
  if (l->set & CONFIG_LIMIT_CPU_SHARES)
    json_object_set_new (requests, "cpu", quantity_cpu (l->cpu_shares * 1000000000LL / 1024));
  json_t *res = json_object ();
  if (json_object_size (requests))
    json_object_set (res, "requests", requests);
  if (json_object_size (limits))
    json_object_set (res, "limits", limits);
  json_decref (limits);
  json_decref (requests);
  return res;
}

static bool
numeric (const char *s)
{
  return *s && strspn (s, "0123456789") == strlen (s);
}

static json_t *
security_json (const struct ctr_config *c, const struct hk_log *log, const char *name)
{
  json_t *sc = json_object ();
  if (c->user)
    {
      _cleanup_free_ char *user = xstrdup (c->user);
      char *group = strchr (user, ':');
      if (group)
        *group++ = '\0';
      if (numeric (user) && (group == NULL || numeric (group)))
        {
          json_object_set_new (sc, "runAsUser", json_integer (strtoll (user, NULL, 10)));
          if (group)
            json_object_set_new (sc, "runAsGroup", json_integer (strtoll (group, NULL, 10)));
        }
      else
        hk_warn (log, "container %s: user \"%s\" is not numeric: Kubernetes takes only IDs, not "
                      "written",
                 name, c->user);
    }
  if (c->cap_add || c->cap_drop)
    {
      json_t *caps = json_object ();
      if (c->cap_add)
        json_object_set_new (caps, "add", json_from_strv (c->cap_add));
      if (c->cap_drop)
        json_object_set_new (caps, "drop", json_from_strv (c->cap_drop));
      json_object_set_new (sc, "capabilities", caps);
    }
  if (c->privileged)
    json_object_set_new (sc, "privileged", json_true ());
  if (c->readonly_rootfs)
    json_object_set_new (sc, "readOnlyRootFilesystem", json_true ());
  if (c->no_new_privileges)
    json_object_set_new (sc, "allowPrivilegeEscalation", json_false ());
  if (c->seccomp_profile && strcmp (c->seccomp_profile, "unconfined") == 0)
    json_object_set_new (sc, "seccompProfile", json_pack ("{s:s}", "type", "Unconfined"));
  else if (c->seccomp_profile)
    json_object_set_new (sc, "seccompProfile", json_pack ("{s:s, s:s}", "type", "Localhost",
                                                          "localhostProfile", c->seccomp_profile));
  return sc;
}

static long long
seconds (int64_t ns, long long fallback)
{
  return ns > 0 ? (ns + 999999999) / 1000000000 : fallback;
}

static json_t *
probe_json (const struct config_health *h)
{
  json_t *command = json_array ();
  if (strcmp (h->test[0], "CMD-SHELL") == 0 && h->test[1])
    json_array_append_new (command, json_pack ("s", "/bin/sh")),
        json_array_append_new (command, json_string ("-c")),
        json_array_append_new (command, json_string (h->test[1]));
  else
    for (char **a = h->test + 1; *a; a++)
      json_array_append_new (command, json_string (*a));
  return json_pack ("{s:{s:o}, s:I, s:I, s:I, s:I}", "exec", "command", command, "periodSeconds",
                    (json_int_t)seconds (h->interval_ns, 30), "timeoutSeconds",
                    (json_int_t)seconds (h->timeout_ns, 30), "initialDelaySeconds",
                    (json_int_t)seconds (h->start_period_ns, 0), "failureThreshold",
                    (json_int_t)(h->retries > 0 ? h->retries : 3));
}

static json_t *
env_json (char *const *env)
{
  json_t *list = json_array ();
  for (char *const *e = env; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      _cleanup_free_ char *name = eq ? xstrndup (*e, (size_t)(eq - *e)) : xstrdup (*e);
      json_array_append_new (list, json_pack ("{s:s, s:s}", "name", name, "value", eq ? eq + 1 : ""));
    }
  return list;
}

/* The ports the pod publishes, on its first container. */
static json_t *
ports_json (const struct ctr_config *net)
{
  json_t *list = json_array ();
  for (size_t i = 0; net && i < net->n_ports; i++)
    {
      const struct config_port *p = &net->ports[i];
      long lo = strtol (p->container_port, NULL, 10), hi = lo;
      const char *dash = strchr (p->container_port, '-');
      if (dash)
        hi = strtol (dash + 1, NULL, 10);
      long host = *p->host_port ? strtol (p->host_port, NULL, 10) : 0;
      _cleanup_free_ char *proto = xstrdup (p->protocol);
      for (char *c = proto; *c; c++)
        *c = (char)toupper ((unsigned char)*c);
      for (long port = lo; port <= hi; port++)
        {
          json_t *o = json_pack ("{s:I}", "containerPort", (json_int_t)port);
          if (host > 0)
            json_object_set_new (o, "hostPort", json_integer (host + (port - lo)));
          if (*p->host_ip)
            json_object_set_new (o, "hostIP", json_string (p->host_ip));
          json_object_set_new (o, "protocol", json_string (proto));
          json_array_append_new (list, o);
        }
    }
  return list;
}

/* ---- volumes ---- */

static json_t *
base64_json (const char *data, size_t len)
{
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  _cleanup_free_ char *out = xzalloc ((len + 2) / 3 * 4 + 1);
  size_t k = 0;
  for (size_t i = 0; i < len; i += 3)
    {
      unsigned v = (unsigned char)data[i] << 16;
      if (i + 1 < len)
        v |= (unsigned char)data[i + 1] << 8;
      if (i + 2 < len)
        v |= (unsigned char)data[i + 2];
      out[k++] = table[(v >> 18) & 63];
      out[k++] = table[(v >> 12) & 63];
      out[k++] = i + 1 < len ? table[(v >> 6) & 63] : '=';
      out[k++] = i + 2 < len ? table[v & 63] : '=';
    }
  return json_string (out);
}

struct gen_volumes
{
  json_t *list;  /* spec.volumes */
  json_t *extra; /* the ConfigMaps and Secrets they need */
  const struct engine *e;
  const struct pod_record *pod;
  const char *pod_name;
};

/* The files kube play wrote for a configMap or secret volume (DIR) as
 * their object's data; *MODE: the files' mode. */
static json_t *
files_data (const char *dir, bool base64, int *mode, const struct hk_log *log)
{
  json_t *data = json_object ();
  _cleanup_closedir_ DIR *d = opendir (dir);
  struct dirent *ent;
  while (d && (ent = readdir (d)) != NULL)
    {
      struct stat st;
      _cleanup_free_ char *text = NULL;
      size_t len;
      struct hk_error *why = NULL;
      if (fstatat (dirfd (d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
        continue;
      *mode = (int)(st.st_mode & 0777);
      if (fs_read_file (dirfd (d), ent->d_name, FS_TEXT_FILE_MAX, &text, &len, &why) < 0)
        {
          hk_warn (log, "%s: %s: not written", dir, why->message);
          hk_error_free (why);
          continue;
        }
      json_t *value = base64 ? base64_json (text, len) : json_stringn (text, len);
      if (value == NULL)
        hk_warn (log, "%s/%s: not UTF-8 text: not written", dir, ent->d_name);
      else
        json_object_set_new (data, ent->d_name, value);
    }
  return data;
}

/* A configMap or secret volume of the pod's, with its object. */
static json_t *
files_volume (struct gen_volumes *v, const char *dir, const char *volume, bool secret)
{
  _cleanup_free_ char *object = xasprintf ("%s-%s", v->pod_name, volume);
  int mode = 0644;
  json_t *data = files_data (dir, secret, &mode, v->e->log);
  json_array_append_new (v->extra,
                         json_pack ("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "v1", "kind",
                                    secret ? "Secret" : "ConfigMap", "metadata", "name", object,
                                    "data", data));
  json_t *ref = json_pack ("{s:s}", secret ? "secretName" : "name", object);
  if (mode != 0644)
    json_object_set_new (ref, "defaultMode", json_integer (mode));
  return json_pack ("{s:o}", secret ? "secret" : "configMap", ref);
}

/* The name of the volume for mount M, added to the pod's volumes. */
static char *
volume_for (struct gen_volumes *v, const struct config_mount *m, size_t index)
{
  json_t *source;
  char *name;
  _cleanup_free_ char *pod_disk = v->pod ? pod_volume_dir (v->e, v->pod, "volumes", "", false) : NULL;
  _cleanup_free_ char *pod_mem = v->pod ? pod_volume_dir (v->e, v->pod, "volumes", "", true) : NULL;
  _cleanup_free_ char *pod_cm = v->pod ? pod_volume_dir (v->e, v->pod, "configmaps", "", false) : NULL;
  _cleanup_free_ char *pod_secret = v->pod ? pod_volume_dir (v->e, v->pod, "secrets", "", false) : NULL;
  if (m->type == CONFIG_MOUNT_VOLUME)
    {
      _cleanup_free_ char *base = dns_name (m->source, false);
      name = xasprintf ("%.59s-pvc", base);
      source = json_pack ("{s:{s:s}}", "persistentVolumeClaim", "claimName", m->source);
    }
  else if (m->type == CONFIG_MOUNT_TMPFS)
    {
      name = xasprintf ("tmpfs-%zu", index);
      source = json_pack ("{s:{s:s}}", "emptyDir", "medium", "Memory");
    }
  else if (pod_disk && strncmp (m->source, pod_disk, strlen (pod_disk)) == 0)
    {
      name = xstrdup (m->source + strlen (pod_disk));
      source = json_pack ("{s:{}}", "emptyDir");
    }
  else if (pod_cm && strncmp (m->source, pod_cm, strlen (pod_cm)) == 0)
    {
      name = xstrdup (m->source + strlen (pod_cm));
      source = files_volume (v, m->source, name, false);
    }
  else if (pod_secret && strncmp (m->source, pod_secret, strlen (pod_secret)) == 0)
    {
      name = xstrdup (m->source + strlen (pod_secret));
      source = files_volume (v, m->source, name, true);
    }
  else if (pod_mem && strncmp (m->source, pod_mem, strlen (pod_mem)) == 0)
    {
      name = xstrdup (m->source + strlen (pod_mem));
      source = json_pack ("{s:{s:s}}", "emptyDir", "medium", "Memory");
    }
  else
    {
      _cleanup_free_ char *base = dns_name (m->source, false);
      name = xasprintf ("%.50s-host-%zu", base, index);
      source = json_pack ("{s:{s:s, s:s}}", "hostPath", "path", m->source, "type",
                          m->create_host_path ? "DirectoryOrCreate" : "Directory");
    }
  size_t i;
  json_t *have;
  json_array_foreach (v->list, i, have)
  {
    if (strcmp (json_string_value (json_object_get (have, "name")), name) == 0)
      {
        json_decref (source);
        return name;
      }
  }
  json_t *entry = json_pack ("{s:s}", "name", name);
  json_object_update (entry, source);
  json_decref (source);
  json_array_append_new (v->list, entry);
  return name;
}

static json_t *
mounts_json (struct gen_volumes *v, const struct ctr_config *c)
{
  json_t *list = json_array ();
  size_t index = json_array_size (v->list);
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct config_mount *m = &c->mounts[i];
      if (m->source == NULL && m->type != CONFIG_MOUNT_TMPFS)
        continue; /* an anonymous volume: the image's VOLUME makes it again */
      _cleanup_free_ char *name = volume_for (v, m, index++);
      json_t *o = json_pack ("{s:s, s:s}", "name", name, "mountPath", m->target);
      if (m->readonly)
        json_object_set_new (o, "readOnly", json_true ());
      json_array_append_new (list, o);
    }
  for (size_t i = 0; i < c->tmpfs.n; i++)
    {
      struct config_mount m = { .type = CONFIG_MOUNT_TMPFS, .target = c->tmpfs.keys[i] };
      _cleanup_free_ char *name = volume_for (v, &m, index++);
      json_array_append_new (list, json_pack ("{s:s, s:s}", "name", name, "mountPath", m.target));
    }
  return list;
}

/* ---- the pod ---- */

static void
set_if (json_t *o, const char *key, json_t *v)
{
  bool empty = (json_is_array (v) && json_array_size (v) == 0)
               || (json_is_object (v) && json_object_size (v) == 0);
  if (empty)
    json_decref (v);
  else
    json_object_set_new (o, key, v);
}

static json_t *
container_json (struct gen_volumes *v, const struct gen_pod *g, const struct ctr_record *r,
                bool first, const struct hk_log *log)
{
  const struct ctr_config *c = &r->config;
  /* a container kube play made is named POD-NAME: NAME again */
  size_t plen = strlen (g->name);
  const char *base = g->pod && strncmp (r->name, g->name, plen) == 0 && r->name[plen] == '-'
                         ? r->name + plen + 1
                         : r->name;
  _cleanup_free_ char *name = dns_name (base, false);
  json_t *o = json_pack ("{s:s, s:s}", "name", name, "image", r->image_name);
  if (c->entrypoint && c->entrypoint[0])
    json_object_set_new (o, "command", json_from_strv (c->entrypoint));
  if (c->cmd)
    json_object_set_new (o, "args", json_from_strv (c->cmd));
  set_if (o, "env", env_json (c->env));
  if (c->working_dir)
    json_object_set_new (o, "workingDir", json_string (c->working_dir));
  if (first)
    set_if (o, "ports", ports_json (g->network ? &g->network->config : NULL));
  set_if (o, "resources", resources_json (&c->limits));
  set_if (o, "securityContext", security_json (c, log, r->name));
  if (ctr_config_has_health (c))
    json_object_set_new (o, "livenessProbe", probe_json (&c->health));
  set_if (o, "volumeMounts", mounts_json (v, c));
  if (c->open_stdin)
    json_object_set_new (o, "stdin", json_true ());
  if (c->tty)
    json_object_set_new (o, "tty", json_true ());
  return o;
}

static const char *
restart_policy (const struct ctr_config *c)
{
  switch (c->restart)
    {
    case CONFIG_RESTART_ALWAYS:
    case CONFIG_RESTART_UNLESS_STOPPED:
      return "Always";
    case CONFIG_RESTART_ON_FAILURE:
      return "OnFailure";
    default:
      return "Never";
    }
}

static json_t *
host_aliases_json (const struct ctr_config *net)
{
  json_t *list = json_array ();
  for (char **h = net ? net->extra_hosts : NULL; h && *h; h++)
    {
      const char *colon = strchr (*h, ':');
      if (colon == NULL)
        continue;
      _cleanup_free_ char *host = xstrndup (*h, (size_t)(colon - *h));
      json_array_append_new (list, json_pack ("{s:s, s:[s]}", "ip", colon + 1, "hostnames", host));
    }
  return list;
}

static json_t *
pod_spec_json (const struct engine *e, const struct gen_pod *g, bool deployment, json_t *extra)
{
  struct gen_volumes v
      = { .list = json_array (), .extra = extra, .e = e, .pod = g->pod, .pod_name = g->name };
  json_t *containers = json_array ();
  for (size_t i = 0; i < g->n; i++)
    json_array_append_new (containers, container_json (&v, g, g->members[i], i == 0, e->log));
  const char *restart = g->n ? restart_policy (&g->members[0]->config) : "Always";
  if (deployment && strcmp (restart, "Always") != 0)
    {
      hk_warn (e->log, "pod %s: a Deployment's pods restart Always, not %s", g->name, restart);
      restart = "Always";
    }
  json_t *spec = json_pack ("{s:o}", "containers", containers);
  const struct ctr_config *net = g->network ? &g->network->config : NULL;
  if (g->pod && g->pod->config.hostname)
    json_object_set_new (spec, "hostname", json_string (g->pod->config.hostname));
  if (g->pod && (g->pod->config.share & CONFIG_SHARE_PID))
    json_object_set_new (spec, "shareProcessNamespace", json_true ());
  if (net && net->network_mode && strcmp (net->network_mode, "host") == 0)
    json_object_set_new (spec, "hostNetwork", json_true ());
  json_object_set_new (spec, "restartPolicy", json_string (restart));
  set_if (spec, "hostAliases", host_aliases_json (net));
  if (net && (net->dns || net->dns_search))
    {
      json_t *dns = json_object ();
      if (net->dns)
        json_object_set_new (dns, "nameservers", json_from_strv (net->dns));
      if (net->dns_search)
        json_object_set_new (dns, "searches", json_from_strv (net->dns_search));
      json_object_set_new (spec, "dnsConfig", dns);
    }
  set_if (spec, "volumes", v.list);
  return spec;
}

static json_t *
labels_json (const struct gen_pod *g)
{
  json_t *labels = json_object ();
  for (size_t i = 0; g->pod && i < g->pod->config.labels.n; i++)
    json_object_set_new (labels, g->pod->config.labels.keys[i],
                         json_string (g->pod->config.labels.values[i]));
  json_object_set_new (labels, "app", json_string (g->name));
  return labels;
}

static json_t *
pod_doc (const struct engine *e, const struct gen_pod *g, json_t *extra)
{
  return json_pack ("{s:s, s:s, s:{s:s, s:o}, s:o}", "apiVersion", "v1", "kind", "Pod",
                    "metadata", "name", g->name, "labels", labels_json (g), "spec",
                    pod_spec_json (e, g, false, extra));
}

static json_t *
deployment_doc (const struct engine *e, const struct gen_pod *g, json_t *extra)
{
  _cleanup_free_ char *name = xasprintf ("%s-deployment", g->name);
  return json_pack ("{s:s, s:s, s:{s:s}, s:{s:i, s:{s:{s:s}}, s:{s:{s:o}, s:o}}}", "apiVersion",
                    "apps/v1", "kind", "Deployment", "metadata", "name", name, "spec", "replicas",
                    1, "selector", "matchLabels", "app", g->name, "template", "metadata",
                    "labels", labels_json (g), "spec", pod_spec_json (e, g, true, extra));
}

static json_t *
service_doc (const struct gen_pod *g)
{
  _cleanup_json_ json_t *ports = ports_json (g->network ? &g->network->config : NULL);
  json_t *list = json_array ();
  size_t i;
  json_t *p;
  json_array_foreach (ports, i, p)
  {
    json_t *port = json_object_get (p, "containerPort");
    _cleanup_free_ char *name = xasprintf ("%lld-%s", (long long)json_integer_value (port),
                                           json_string_value (json_object_get (p, "protocol")));
    for (char *c = name; *c; c++)
      *c = (char)tolower ((unsigned char)*c);
    json_array_append_new (list, json_pack ("{s:s, s:O, s:O, s:O}", "name", name, "port", port,
                                            "targetPort", port, "protocol",
                                            json_object_get (p, "protocol")));
  }
  return json_pack ("{s:s, s:s, s:{s:s}, s:{s:o, s:{s:s}}}", "apiVersion", "v1", "kind",
                    "Service", "metadata", "name", g->name, "spec", "ports", list, "selector",
                    "app", g->name);
}

/* ---- what to write ---- */

static int
gather_pod (struct engine *e, struct pod_record *p, struct gen_pod *g, struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n;
  if (pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  g->pod = p;
  g->name = dns_name (p->name, true);
  g->members = xzalloc ((n + 1) * sizeof *g->members);
  for (size_t i = 0; i < n; i++)
    {
      if (list[i]->config.pod_infra)
        g->network = list[i];
      else
        g->members[g->n++] = list[i];
    }
  free (list);
  if (g->n == 0)
    return hk_error_set (err, EINVAL, "pod %s has no container to write", p->name);
  if (p->config.limits.set)
    hk_warn (e->log, "pod %s: its own limits (-m, --cpus) have no field in a Pod: not written",
             p->name);
  return 0;
}

static int
gather_containers (struct engine *e, char *const *refs, size_t n, struct gen_pod *g,
                   struct hk_error **err)
{
  g->members = xzalloc ((n + 1) * sizeof *g->members);
  for (size_t i = 0; i < n; i++)
    {
      if (engine_find (e, refs[i], &g->members[g->n], err) < 0)
        return -1;
      struct ctr_record *r = g->members[g->n++];
      if (r->config.pod)
        return hk_error_set (err, EINVAL,
                             "container %s is in a pod: generate the pod's YAML instead", r->name);
    }
  _cleanup_free_ char *pod_name = xasprintf ("%s-pod", g->members[0]->name);
  g->name = dns_name (pod_name, true);
  g->network = g->members[0]; /* its ports, hosts and DNS (the others': not written) */
  for (size_t i = 1; i < g->n; i++)
    if (g->members[i]->config.n_ports)
      hk_warn (e->log, "container %s: its ports are not written (a pod has the first one's)",
               g->members[i]->name);
  return 0;
}

int
kube_generate (struct engine *e, char *const *refs, size_t n,
               const struct kube_generate_options *o, FILE *out, struct hk_error **err)
{
  struct gen_pod g = { 0 };
  _cleanup_pod_record_ struct pod_record *p = NULL;
  struct hk_error *why = NULL;
  int rc;
  if (n == 1 && pod_record_find (e->db, refs[0], &p, &why) == 0)
    rc = gather_pod (e, take_ptr (p), &g, err);
  else
    {
      hk_error_free (why);
      rc = gather_containers (e, refs, n, &g, err);
    }
  /* the ConfigMaps and Secrets first: the pod uses them */
  _cleanup_json_ json_t *docs = json_array ();
  if (rc == 0)
    {
      json_t *main = o->type == KUBE_GENERATE_DEPLOYMENT ? deployment_doc (e, &g, docs)
                                                          : pod_doc (e, &g, docs);
      json_array_append_new (docs, main);
      if (o->service)
        json_array_append_new (docs, service_doc (&g));
      _cleanup_free_ json_t **list = xzalloc ((json_array_size (docs) + 1) * sizeof *list);
      for (size_t i = 0; i < json_array_size (docs); i++)
        list[i] = json_array_get (docs, i);
      rc = yaml_write (out, list, json_array_size (docs), err);
    }
  if (g.network && g.pod == NULL)
    g.network = NULL; /* one of the members */
  gen_pod_clear (&g);
  return rc;
}
