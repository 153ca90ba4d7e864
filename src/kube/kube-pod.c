/* SPDX-License-Identifier: Apache-2.0 */
#include "kube-pod.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small readers ---- */

/* PATH.KEY as a path string (owned). */
static char *
at (const char *path, const char *key)
{
  return json_path_key (path, key);
}

static char *
at_index (const char *path, const char *key, size_t i)
{
  _cleanup_free_ char *base = json_path_key (path, key);
  return json_path_index (base, i);
}

/* An optional integer in [MIN, MAX]; *SET when given. */
static int
get_int (json_t *obj, const char *path, const char *key, long long min, long long max,
         long long *out, bool *set, struct hk_error **err)
{
  int64_t v;
  int rc = json_get_int64 (obj, path, key, &v, err);
  if (rc < 0)
    return -1;
  if (set)
    *set = rc > 0;
  if (rc == 0)
    return 0;
  if (v < min || v > max)
    {
      _cleanup_free_ char *name = at (path, key);
      return hk_error_set (err, ERANGE, "%s: %lld is outside %lld..%lld", name, (long long)v, min,
                           max);
    }
  *out = v;
  return 0;
}

/* A required string. */
static int
get_required (json_t *obj, const char *path, const char *key, char **out, struct hk_error **err)
{
  int rc = json_get_string (obj, path, key, out, err);
  if (rc < 0)
    return -1;
  if (rc == 0 || **out == '\0')
    {
      _cleanup_free_ char *name = at (path, key);
      return hk_error_set (err, EINVAL, "%s: required", name);
    }
  return 0;
}

/* ---- base64 (a Secret's data) ---- */

static int
base64_value (char c)
{
  const char *table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *p = c ? strchr (table, c) : NULL;
  return p ? (int)(p - table) : -1;
}

int
kube_base64_decode (const char *text, char **out, size_t *len)
{
  size_t n = strlen (text);
  if (n % 4 != 0)
    return -1;
  _cleanup_free_ char *buf = xzalloc (n / 4 * 3 + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i += 4)
    {
      int v[4];
      for (int j = 0; j < 4; j++)
        {
          bool pad = text[i + j] == '=' && i + 4 == n && j >= 2
                     && (j == 3 || text[i + 3] == '=');
          v[j] = pad ? -2 : base64_value (text[i + j]);
          if (v[j] == -1)
            return -1;
        }
      buf[k++] = (char)((v[0] << 2) | (v[1] >> 4));
      if (v[2] >= 0)
        buf[k++] = (char)(((v[1] & 15) << 4) | (v[2] >> 2));
      if (v[3] >= 0)
        buf[k++] = (char)(((v[2] & 3) << 6) | v[3]);
    }
  buf[k] = '\0';
  *len = k;
  *out = take_ptr (buf);
  return 0;
}

/* ---- env ---- */

/* configMapKeyRef / secretKeyRef: the value of KEY in SOURCE NAME. */
static int
key_ref (struct kube_doc *d, json_t *ref, const char *path, json_t *table, const char *what,
         const char **out, struct hk_error **err)
{
  static const char *const known[] = { "name", "key", "optional", NULL };
  _cleanup_free_ char *name = NULL, *key = NULL;
  bool optional = false;
  kube_warn_unknown (d, ref, path, known);
  if (get_required (ref, path, "name", &name, err) < 0
      || get_required (ref, path, "key", &key, err) < 0
      || json_get_bool (ref, path, "optional", &optional, err) < 0)
    return -1;
  json_t *value = json_object_get (json_object_get (table, name), key);
  *out = json_string_value (value);
  if (*out == NULL && !optional)
    return hk_error_set (err, ENOENT, "%s: the %s %s has no key %s in this file", path, what,
                         name, key);
  return 0;
}

static int
read_env_value_from (struct kube_doc *d, json_t *from, const char *path,
                     const struct kube_sources *src, const char **value, struct hk_error **err)
{
  static const char *const known[] = { "configMapKeyRef", "secretKeyRef", NULL };
  kube_warn_unknown (d, from, path, known);
  json_t *cm, *secret;
  if (kube_object (from, path, "configMapKeyRef", &cm, err) < 0
      || kube_object (from, path, "secretKeyRef", &secret, err) < 0)
    return -1;
  _cleanup_free_ char *cm_path = at (path, "configMapKeyRef");
  _cleanup_free_ char *secret_path = at (path, "secretKeyRef");
  if (cm)
    return key_ref (d, cm, cm_path, src->config_maps, "ConfigMap", value, err);
  if (secret)
    return key_ref (d, secret, secret_path, src->secrets, "Secret", value, err);
  *value = NULL;
  return 0;
}

static int
read_env (struct kube_doc *d, json_t *c, const char *path, const struct kube_sources *src,
          struct ctr_config *config, struct hk_error **err)
{
  static const char *const known[] = { "name", "value", "valueFrom", NULL };
  json_t *env;
  if (kube_object_array (c, path, "env", &env, err) < 0)
    return -1;
  size_t i;
  json_t *e;
  json_array_foreach (env, i, e)
  {
    _cleanup_free_ char *p = at_index (path, "env", i);
    _cleanup_free_ char *name = NULL, *value = NULL;
    json_t *from;
    kube_warn_unknown (d, e, p, known);
    if (get_required (e, p, "name", &name, err) < 0
        || json_get_string (e, p, "value", &value, err) < 0
        || kube_object (e, p, "valueFrom", &from, err) < 0)
      return -1;
    const char *v = value ? value : "";
    _cleanup_free_ char *from_path = at (p, "valueFrom");
    if (from && read_env_value_from (d, from, from_path, src, &v, err) < 0)
      return -1;
    if (v == NULL) /* an optional reference that is not there */
      continue;
    _cleanup_free_ char *entry = xasprintf ("%s=%s", name, v);
    if (config_parse_env (config, entry, err) < 0)
      return hk_error_prefix (err, "%s", p);
  }
  return 0;
}

static int
read_env_from (struct kube_doc *d, json_t *c, const char *path, const struct kube_sources *src,
               struct ctr_config *config, struct hk_error **err)
{
  static const char *const known[] = { "configMapRef", "secretRef", "prefix", NULL };
  json_t *list;
  if (kube_object_array (c, path, "envFrom", &list, err) < 0)
    return -1;
  size_t i;
  json_t *e;
  json_array_foreach (list, i, e)
  {
    _cleanup_free_ char *p = at_index (path, "envFrom", i);
    _cleanup_free_ char *prefix = NULL, *name = NULL;
    json_t *cm, *secret;
    kube_warn_unknown (d, e, p, known);
    if (json_get_string (e, p, "prefix", &prefix, err) < 0
        || kube_object (e, p, "configMapRef", &cm, err) < 0
        || kube_object (e, p, "secretRef", &secret, err) < 0)
      return -1;
    json_t *ref = cm ? cm : secret;
    if (ref == NULL)
      return kube_fail (d, err, p, "needs configMapRef or secretRef");
    _cleanup_free_ char *ref_path = at (p, cm ? "configMapRef" : "secretRef");
    bool optional = false;
    if (get_required (ref, ref_path, "name", &name, err) < 0
        || json_get_bool (ref, ref_path, "optional", &optional, err) < 0)
      return -1;
    json_t *data = json_object_get (cm ? src->config_maps : src->secrets, name);
    if (data == NULL && !optional)
      return hk_error_set (err, ENOENT, "%s: no %s %s in this file", ref_path,
                           cm ? "ConfigMap" : "Secret", name);
    const char *k;
    json_t *v;
    json_object_foreach (data, k, v)
    {
      _cleanup_free_ char *entry
          = xasprintf ("%s%s=%s", prefix ? prefix : "", k, json_string_value (v));
      strv_append (&config->env, entry);
    }
  }
  return 0;
}

/* ---- ports, resources, security, probes ---- */

static int
read_port (struct kube_doc *d, json_t *port, const char *p, struct pod_create_request *req,
           struct hk_error **err)
{
  static const char *const known[]
      = { "containerPort", "hostPort", "hostIP", "protocol", "name", NULL };
  kube_warn_unknown (d, port, p, known);
  long long container = 0, host = 0;
  bool has_container, has_host;
  _cleanup_free_ char *protocol = NULL, *host_ip = NULL, *name = NULL;
  if (get_int (port, p, "containerPort", 1, 65535, &container, &has_container, err) < 0
      || get_int (port, p, "hostPort", 1, 65535, &host, &has_host, err) < 0
      || json_get_string (port, p, "protocol", &protocol, err) < 0
      || json_get_string (port, p, "hostIP", &host_ip, err) < 0
      || json_get_string (port, p, "name", &name, err) < 0)
    return -1;
  if (!has_container)
    {
      _cleanup_free_ char *field = at (p, "containerPort");
      return hk_error_set (err, EINVAL, "%s: required", field);
    }
  if (name && (strlen (name) > 15 || !kube_is_dns_label (name)))
    return kube_fail (d, err, p, "name \"%s\" is not a port name (at most 15 of a-z, 0-9, -)",
                      name);
  const char *proto = protocol ? protocol : "TCP";
  if (strcmp (proto, "TCP") != 0 && strcmp (proto, "UDP") != 0 && strcmp (proto, "SCTP") != 0)
    return kube_fail (d, err, p, "protocol \"%s\" is not TCP, UDP or SCTP", proto);
  if (!has_host)
    return 0; /* only a declaration, as on a node */
  _cleanup_free_ char *lower = xstrdup (proto);
  for (char *c = lower; *c; c++)
    *c = (char)(*c - 'A' + 'a');
  _cleanup_free_ char *text = xasprintf ("%s%s%lld:%lld/%s", host_ip ? host_ip : "",
                                         host_ip ? ":" : "", host, container, lower);
  if (config_parse_publish (&req->infra, text, err) < 0)
    return hk_error_prefix (err, "%s", p);
  return 0;
}

static int
read_ports (struct kube_doc *d, json_t *c, const char *path, struct pod_create_request *req,
            struct hk_error **err)
{
  json_t *ports;
  if (kube_object_array (c, path, "ports", &ports, err) < 0)
    return -1;
  size_t i;
  json_t *port;
  json_array_foreach (ports, i, port)
  {
    _cleanup_free_ char *p = at_index (path, "ports", i);
    if (read_port (d, port, p, req, err) < 0)
      return -1;
  }
  return 0;
}

static int
read_resource_set (struct kube_doc *d, json_t *set, const char *path, bool limits,
                   struct ctr_config *c, struct hk_error **err)
{
  static const char *const known[] = { "memory", "cpu", NULL };
  kube_warn_unknown (d, set, path, known);
  json_t *memory = json_object_get (set, "memory"), *cpu = json_object_get (set, "cpu");
  _cleanup_free_ char *mp = at (path, "memory"), *cp = at (path, "cpu");
  int64_t bytes, nano;
  if (memory && kube_quantity_bytes (memory, mp, &bytes, err) < 0)
    return -1;
  if (cpu && kube_quantity_nano_cpus (cpu, cp, &nano, err) < 0)
    return -1;
  if (memory && limits)
    c->limits.memory = bytes, c->limits.set |= CONFIG_LIMIT_MEMORY;
  else if (memory)
    c->limits.memory_reservation = bytes, c->limits.set |= CONFIG_LIMIT_MEMORY_RESERVATION;
  if (cpu && limits)
    c->limits.nano_cpus = nano, c->limits.set |= CONFIG_LIMIT_NANO_CPUS;
  else if (cpu)
    {
      /* the kubelet's shares: 1024 per CPU, at least 2 */
      int64_t shares = nano * 1024 / 1000000000;
      c->limits.cpu_shares = shares < 2 ? 2 : shares;
      c->limits.set |= CONFIG_LIMIT_CPU_SHARES;
    }
  return 0;
}

static int
read_resources (struct kube_doc *d, json_t *c, const char *path, struct ctr_config *config,
                struct hk_error **err)
{
  static const char *const known[] = { "limits", "requests", NULL };
  json_t *res, *limits, *requests;
  _cleanup_free_ char *p = at (path, "resources");
  if (kube_object (c, path, "resources", &res, err) < 0)
    return -1;
  if (res == NULL)
    return 0;
  kube_warn_unknown (d, res, p, known);
  _cleanup_free_ char *lp = at (p, "limits"), *rp = at (p, "requests");
  if (kube_object (res, p, "limits", &limits, err) < 0
      || kube_object (res, p, "requests", &requests, err) < 0
      || (requests && read_resource_set (d, requests, rp, false, config, err) < 0)
      || (limits && read_resource_set (d, limits, lp, true, config, err) < 0))
    return -1;
  return 0;
}

/* securityContext's user, of a container or (defaults) of the pod. */
struct kube_user
{
  long long uid, gid;
  bool has_uid, has_gid;
  char *seccomp; /* "unconfined", a file, or NULL */
  bool has_seccomp;
};

static int
read_seccomp (struct kube_doc *d, json_t *sc, const char *path, struct kube_user *u,
              struct hk_error **err)
{
  static const char *const known[] = { "type", "localhostProfile", NULL };
  json_t *profile;
  _cleanup_free_ char *p = at (path, "seccompProfile");
  if (kube_object (sc, path, "seccompProfile", &profile, err) < 0)
    return -1;
  if (profile == NULL)
    return 0;
  kube_warn_unknown (d, profile, p, known);
  _cleanup_free_ char *type = NULL, *local = NULL;
  if (get_required (profile, p, "type", &type, err) < 0
      || json_get_string (profile, p, "localhostProfile", &local, err) < 0)
    return -1;
  u->has_seccomp = true;
  free (u->seccomp);
  u->seccomp = NULL;
  if (strcmp (type, "Unconfined") == 0)
    u->seccomp = xstrdup ("unconfined");
  else if (strcmp (type, "Localhost") == 0)
    {
      if (local == NULL || local[0] != '/')
        return kube_fail (d, err, p,
                          "type Localhost needs localhostProfile, an absolute path here");
      u->seccomp = take_ptr (local);
    }
  else if (strcmp (type, "RuntimeDefault") != 0)
    return kube_fail (d, err, p, "type \"%s\" is not RuntimeDefault, Unconfined or Localhost",
                      type);
  return 0;
}

static int
read_user (struct kube_doc *d, json_t *sc, const char *path, struct kube_user *u,
           struct hk_error **err)
{
  bool set;
  long long v;
  if (get_int (sc, path, "runAsUser", 0, UINT32_MAX - 1, &v, &set, err) < 0)
    return -1;
  if (set)
    u->uid = v, u->has_uid = true;
  if (get_int (sc, path, "runAsGroup", 0, UINT32_MAX - 1, &v, &set, err) < 0)
    return -1;
  if (set)
    u->gid = v, u->has_gid = true;
  bool non_root = false;
  if (json_get_bool (sc, path, "runAsNonRoot", &non_root, err) < 0)
    return -1;
  if (non_root && (!u->has_uid || u->uid == 0))
    return kube_fail (d, err, path, "runAsNonRoot needs a runAsUser other than 0 here");
  return read_seccomp (d, sc, path, u, err);
}

static int
read_capabilities (struct kube_doc *d, json_t *sc, const char *path, struct ctr_config *c,
                   struct hk_error **err)
{
  static const char *const known[] = { "add", "drop", NULL };
  json_t *caps;
  _cleanup_free_ char *p = at (path, "capabilities");
  if (kube_object (sc, path, "capabilities", &caps, err) < 0)
    return -1;
  if (caps == NULL)
    return 0;
  kube_warn_unknown (d, caps, p, known);
  if (json_get_strv (caps, p, "add", &c->cap_add, err) < 0
      || json_get_strv (caps, p, "drop", &c->cap_drop, err) < 0)
    return -1;
  return 0;
}

static int
read_security (struct kube_doc *d, json_t *c, const char *path, struct ctr_config *config,
               struct kube_user *u, struct hk_error **err)
{
  static const char *const known[]
      = { "runAsUser",       "runAsGroup",           "runAsNonRoot",
          "capabilities",    "privileged",           "readOnlyRootFilesystem",
          "allowPrivilegeEscalation", "seccompProfile", NULL };
  json_t *sc;
  _cleanup_free_ char *p = at (path, "securityContext");
  if (kube_object (c, path, "securityContext", &sc, err) < 0)
    return -1;
  if (sc == NULL)
    return 0;
  kube_warn_unknown (d, sc, p, known);
  bool escalation = true;
  if (read_user (d, sc, p, u, err) < 0 || read_capabilities (d, sc, p, config, err) < 0
      || json_get_bool (sc, p, "privileged", &config->privileged, err) < 0
      || json_get_bool (sc, p, "readOnlyRootFilesystem", &config->readonly_rootfs, err) < 0
      || json_get_bool (sc, p, "allowPrivilegeEscalation", &escalation, err) < 0)
    return -1;
  config->no_new_privileges = !escalation;
  return 0;
}

static void
apply_user (const struct kube_user *u, struct ctr_config *c)
{
  if (u->has_uid && u->has_gid)
    c->user = xasprintf ("%lld:%lld", u->uid, u->gid);
  else if (u->has_uid)
    c->user = xasprintf ("%lld", u->uid);
  if (u->has_seccomp && u->seccomp)
    {
      c->seccomp_profile = xstrdup (u->seccomp);
      strv_append_take (&c->security_opt, xasprintf ("seccomp=%s", u->seccomp));
    }
}

static int
read_probe (struct kube_doc *d, json_t *c, const char *path, struct ctr_config *config,
            struct hk_error **err)
{
  static const char *const known[]
      = { "exec", "periodSeconds", "timeoutSeconds", "initialDelaySeconds", "failureThreshold",
          "successThreshold", NULL };
  json_t *probe, *exec;
  _cleanup_free_ char *p = at (path, "livenessProbe");
  if (kube_object (c, path, "livenessProbe", &probe, err) < 0)
    return -1;
  if (probe == NULL)
    return 0;
  kube_warn_unknown (d, probe, p, known);
  _cleanup_free_ char *ep = at (p, "exec");
  if (kube_object (probe, p, "exec", &exec, err) < 0)
    return -1;
  if (exec == NULL)
    {
      kube_warn (d, p, "only an exec probe is supported: no health check");
      return 0;
    }
  _cleanup_strv_ char **command = NULL;
  if (json_get_strv (exec, ep, "command", &command, err) < 0)
    return -1;
  if (command == NULL || command[0] == NULL)
    return kube_fail (d, err, ep, "command: required");
  /* the kubelet's defaults: every 10 s, 1 s to answer, 3 failures */
  long long period = 10, timeout = 1, delay = 0, failures = 3, successes = 1;
  if (get_int (probe, p, "periodSeconds", 1, 86400, &period, NULL, err) < 0
      || get_int (probe, p, "timeoutSeconds", 1, 86400, &timeout, NULL, err) < 0
      || get_int (probe, p, "initialDelaySeconds", 0, 86400, &delay, NULL, err) < 0
      || get_int (probe, p, "failureThreshold", 1, 1000, &failures, NULL, err) < 0
      || get_int (probe, p, "successThreshold", 1, 1, &successes, NULL, err) < 0)
    return -1;
  struct config_health *h = &config->health;
  strv_free (h->test);
  h->test = NULL;
  /* [/bin/sh, -c, X] is Docker's CMD-SHELL X (kube generate writes it so) */
  bool shell = strv_length (command) == 3 && strcmp (command[0], "/bin/sh") == 0
               && strcmp (command[1], "-c") == 0;
  strv_append (&h->test, shell ? "CMD-SHELL" : "CMD");
  for (char **a = shell ? command + 2 : command; *a; a++)
    strv_append (&h->test, *a);
  h->interval_ns = period * 1000000000LL;
  h->timeout_ns = timeout * 1000000000LL;
  h->start_period_ns = delay * 1000000000LL;
  h->retries = (int)failures;
  return 0;
}

static int
read_mounts (struct kube_doc *d, json_t *c, const char *path, const struct kube_pod *pod,
             struct kube_container *out, struct hk_error **err)
{
  static const char *const known[] = { "name", "mountPath", "readOnly", NULL };
  json_t *list;
  if (kube_object_array (c, path, "volumeMounts", &list, err) < 0)
    return -1;
  size_t i;
  json_t *m;
  json_array_foreach (list, i, m)
  {
    _cleanup_free_ char *p = at_index (path, "volumeMounts", i);
    kube_warn_unknown (d, m, p, known);
    struct kube_mount mount = { 0 };
    if (get_required (m, p, "name", &mount.volume, err) < 0
        || get_required (m, p, "mountPath", &mount.path, err) < 0
        || json_get_bool (m, p, "readOnly", &mount.readonly, err) < 0)
      {
        free (mount.volume);
        free (mount.path);
        return -1;
      }
    bool found = false;
    for (size_t v = 0; v < pod->n_volumes && !found; v++)
      found = strcmp (pod->volumes[v].name, mount.volume) == 0;
    if (!found || mount.path[0] != '/')
      {
        int rc = !found ? kube_fail (d, err, p, "name: no volume \"%s\" in the pod", mount.volume)
                        : kube_fail (d, err, p, "mountPath: \"%s\" is not absolute", mount.path);
        free (mount.volume);
        free (mount.path);
        return rc;
      }
    out->mounts = xreallocarray (out->mounts, out->n_mounts + 1, sizeof *out->mounts);
    out->mounts[out->n_mounts++] = mount;
  }
  return 0;
}

/* ---- a container ---- */

static const char *const container_fields[]
    = { "name",    "image",   "command",         "args",          "env",
        "envFrom", "workingDir", "ports",        "resources",     "securityContext",
        "livenessProbe", "volumeMounts", "stdin", "tty", NULL };

static int
read_container (struct kube_doc *d, json_t *c, const char *path, struct kube_pod *pod,
                const struct kube_sources *src, const struct kube_user *pod_user,
                struct kube_container *out, struct hk_error **err)
{
  ctr_config_init (&out->config);
  struct ctr_config *config = &out->config;
  kube_warn_unknown (d, c, path, container_fields);
  if (get_required (c, path, "name", &out->name, err) < 0
      || get_required (c, path, "image", &out->image, err) < 0)
    return -1;
  if (!kube_is_dns_label (out->name))
    return kube_fail (d, err, path, "name \"%s\" is not a DNS label (a-z, 0-9, -; at most 63)",
                      out->name);
  _cleanup_strv_ char **command = NULL;
  if (json_get_strv (c, path, "command", &command, err) < 0
      || json_get_strv (c, path, "args", &config->cmd, err) < 0
      || json_get_string (c, path, "workingDir", &config->working_dir, err) < 0
      || json_get_bool (c, path, "stdin", &config->open_stdin, err) < 0
      || json_get_bool (c, path, "tty", &config->tty, err) < 0)
    return -1;
  if (command)
    config->entrypoint = take_ptr (command); /* the image's Cmd goes too, as on a node */
  if (config->working_dir && config->working_dir[0] != '/')
    return kube_fail (d, err, path, "workingDir \"%s\" is not absolute", config->working_dir);
  struct kube_user user = *pod_user;
  user.seccomp = pod_user->seccomp ? xstrdup (pod_user->seccomp) : NULL;
  int rc = 0;
  if (read_env (d, c, path, src, config, err) < 0 || read_env_from (d, c, path, src, config, err) < 0
      || read_ports (d, c, path, &pod->req, err) < 0
      || read_resources (d, c, path, config, err) < 0
      || read_security (d, c, path, config, &user, err) < 0
      || read_probe (d, c, path, config, err) < 0 || read_mounts (d, c, path, pod, out, err) < 0)
    rc = -1;
  if (rc == 0)
    apply_user (&user, config);
  free (user.seccomp);
  if (rc == 0 && ctr_config_check (config, err) < 0)
    return hk_error_prefix (err, "%s", path);
  return rc;
}

static int
read_containers (struct kube_doc *d, json_t *spec, const char *path, const char *key, bool init,
                 struct kube_pod *pod, const struct kube_sources *src,
                 const struct kube_user *user, struct hk_error **err)
{
  json_t *list;
  if (kube_object_array (spec, path, key, &list, err) < 0)
    return -1;
  size_t i;
  json_t *c;
  json_array_foreach (list, i, c)
  {
    _cleanup_free_ char *p = at_index (path, key, i);
    pod->containers
        = xreallocarray (pod->containers, pod->n_containers + 1, sizeof *pod->containers);
    struct kube_container *out = &pod->containers[pod->n_containers++];
    memset (out, 0, sizeof *out);
    out->init = init;
    if (read_container (d, c, p, pod, src, user, out, err) < 0)
      return -1;
    for (size_t k = 0; k + 1 < pod->n_containers; k++)
      if (strcmp (pod->containers[k].name, out->name) == 0)
        return kube_fail (d, err, p, "name \"%s\" is given twice in the pod", out->name);
  }
  return 0;
}

/* ---- volumes ---- */

/* configMap/secret ITEMS [{key, path}] of DATA as {"path": "content"}. */
static int
read_items (struct kube_doc *d, json_t *v, const char *path, json_t *data, json_t **files,
            struct hk_error **err)
{
  static const char *const known[] = { "key", "path", NULL };
  json_t *items;
  if (kube_object_array (v, path, "items", &items, err) < 0)
    return -1;
  *files = json_object ();
  if (items == NULL)
    {
      json_object_update (*files, data);
      return 0;
    }
  size_t i;
  json_t *item;
  json_array_foreach (items, i, item)
  {
    _cleanup_free_ char *p = at_index (path, "items", i);
    _cleanup_free_ char *key = NULL, *file = NULL;
    kube_warn_unknown (d, item, p, known);
    if (get_required (item, p, "key", &key, err) < 0
        || get_required (item, p, "path", &file, err) < 0)
      return -1;
    json_t *value = json_object_get (data, key);
    if (value == NULL)
      return kube_fail (d, err, p, "key \"%s\" is not in the data", key);
    json_object_set (*files, file, value);
  }
  return 0;
}

static int
read_files_volume (struct kube_doc *d, json_t *v, const char *path, bool secret,
                   const struct kube_sources *src, struct kube_volume *out, struct hk_error **err)
{
  static const char *const known_cm[] = { "name", "items", "defaultMode", "optional", NULL };
  static const char *const known_secret[]
      = { "secretName", "items", "defaultMode", "optional", NULL };
  kube_warn_unknown (d, v, path, secret ? known_secret : known_cm);
  _cleanup_free_ char *name = NULL;
  bool optional = false;
  long long mode = 0644;
  if (get_required (v, path, secret ? "secretName" : "name", &name, err) < 0
      || json_get_bool (v, path, "optional", &optional, err) < 0
      || get_int (v, path, "defaultMode", 0, 0777, &mode, NULL, err) < 0)
    return -1;
  json_t *data = json_object_get (secret ? src->secrets : src->config_maps, name);
  if (data == NULL && !optional)
    return kube_fail (d, err, path, "no %s \"%s\" in this file", secret ? "Secret" : "ConfigMap",
                      name);
  out->kind = KUBE_VOLUME_FILES;
  out->secret = secret;
  out->mode = (int)mode;
  _cleanup_json_ json_t *none = json_object ();
  return read_items (d, v, path, data ? data : none, &out->files, err);
}

static int
read_volume_source (struct kube_doc *d, json_t *v, const char *p, const struct kube_sources *src,
                    struct kube_volume *out, struct hk_error **err)
{
  json_t *host, *empty, *cm, *secret, *claim;
  if (kube_object (v, p, "hostPath", &host, err) < 0 || kube_object (v, p, "emptyDir", &empty, err) < 0
      || kube_object (v, p, "configMap", &cm, err) < 0 || kube_object (v, p, "secret", &secret, err) < 0
      || kube_object (v, p, "persistentVolumeClaim", &claim, err) < 0)
    return -1;
  if (!!host + !!empty + !!cm + !!secret + !!claim != 1)
    return kube_fail (d, err, p,
                      "needs one of hostPath, emptyDir, configMap, secret, persistentVolumeClaim");
  if (host)
    {
      static const char *const known[] = { "path", "type", NULL };
      _cleanup_free_ char *hp = at (p, "hostPath"), *type = NULL;
      kube_warn_unknown (d, host, hp, known);
      out->kind = KUBE_VOLUME_HOST_PATH;
      if (get_required (host, hp, "path", &out->source, err) < 0
          || json_get_string (host, hp, "type", &type, err) < 0)
        return -1;
      if (out->source[0] != '/')
        return kube_fail (d, err, hp, "path \"%s\" is not absolute", out->source);
      out->create = type && strcmp (type, "DirectoryOrCreate") == 0;
      if (type && *type && !out->create && strcmp (type, "Directory") != 0
          && strcmp (type, "File") != 0)
        kube_warn (d, hp, "type %s is not checked", type);
      return 0;
    }
  if (empty)
    {
      static const char *const known[] = { "medium", NULL };
      _cleanup_free_ char *ep = at (p, "emptyDir"), *medium = NULL;
      kube_warn_unknown (d, empty, ep, known);
      if (json_get_string (empty, ep, "medium", &medium, err) < 0)
        return -1;
      if (medium && *medium && strcmp (medium, "Memory") != 0)
        return kube_fail (d, err, ep, "medium \"%s\" is not \"\" or Memory", medium);
      out->kind = medium && *medium ? KUBE_VOLUME_MEMORY : KUBE_VOLUME_EMPTY_DIR;
      return 0;
    }
  if (claim)
    {
      static const char *const known[] = { "claimName", "readOnly", NULL };
      _cleanup_free_ char *cp = at (p, "persistentVolumeClaim");
      kube_warn_unknown (d, claim, cp, known);
      out->kind = KUBE_VOLUME_CLAIM;
      if (get_required (claim, cp, "claimName", &out->source, err) < 0
          || json_get_bool (claim, cp, "readOnly", &out->readonly, err) < 0)
        return -1;
      return config_check_volume_name (out->source, err) < 0 ? hk_error_prefix (err, "%s", cp) : 0;
    }
  _cleanup_free_ char *fp = at (p, cm ? "configMap" : "secret");
  return read_files_volume (d, cm ? cm : secret, fp, secret != NULL, src, out, err);
}

static int
read_volumes (struct kube_doc *d, json_t *spec, const char *path, const struct kube_sources *src,
              struct kube_pod *pod, struct hk_error **err)
{
  json_t *list;
  if (kube_object_array (spec, path, "volumes", &list, err) < 0)
    return -1;
  static const char *const known[]
      = { "name", "hostPath", "emptyDir", "configMap", "secret", "persistentVolumeClaim", NULL };
  size_t i;
  json_t *v;
  json_array_foreach (list, i, v)
  {
    _cleanup_free_ char *p = at_index (path, "volumes", i);
    pod->volumes = xreallocarray (pod->volumes, pod->n_volumes + 1, sizeof *pod->volumes);
    struct kube_volume *out = &pod->volumes[pod->n_volumes++];
    memset (out, 0, sizeof *out);
    kube_warn_unknown (d, v, p, known);
    if (get_required (v, p, "name", &out->name, err) < 0)
      return -1;
    if (!kube_is_dns_label (out->name))
      return kube_fail (d, err, p, "name \"%s\" is not a DNS label", out->name);
    for (size_t k = 0; k + 1 < pod->n_volumes; k++)
      if (strcmp (pod->volumes[k].name, out->name) == 0)
        return kube_fail (d, err, p, "name \"%s\" is given twice", out->name);
    if (read_volume_source (d, v, p, src, out, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- the pod ---- */

static int
read_restart (struct kube_doc *d, json_t *spec, const char *path, bool deployment,
              enum config_restart *out, struct hk_error **err)
{
  _cleanup_free_ char *policy = NULL;
  if (json_get_string (spec, path, "restartPolicy", &policy, err) < 0)
    return -1;
  _cleanup_free_ char *p = at (path, "restartPolicy");
  if (policy == NULL || strcmp (policy, "Always") == 0)
    *out = CONFIG_RESTART_ALWAYS;
  else if (deployment)
    return kube_fail (d, err, p, "a Deployment's pods restart Always, not %s", policy);
  else if (strcmp (policy, "OnFailure") == 0)
    *out = CONFIG_RESTART_ON_FAILURE;
  else if (strcmp (policy, "Never") == 0)
    *out = CONFIG_RESTART_NO;
  else
    return kube_fail (d, err, p, "\"%s\" is not Always, OnFailure or Never", policy);
  return 0;
}

static int
read_host_aliases (struct kube_doc *d, json_t *spec, const char *path, struct ctr_config *infra,
                   struct hk_error **err)
{
  static const char *const known[] = { "ip", "hostnames", NULL };
  json_t *list;
  if (kube_object_array (spec, path, "hostAliases", &list, err) < 0)
    return -1;
  size_t i;
  json_t *a;
  json_array_foreach (list, i, a)
  {
    _cleanup_free_ char *p = at_index (path, "hostAliases", i);
    _cleanup_free_ char *ip = NULL;
    _cleanup_strv_ char **names = NULL;
    kube_warn_unknown (d, a, p, known);
    if (get_required (a, p, "ip", &ip, err) < 0 || json_get_strv (a, p, "hostnames", &names, err) < 0)
      return -1;
    for (char **n = names; n && *n; n++)
      strv_append_take (&infra->extra_hosts, xasprintf ("%s:%s", *n, ip));
  }
  return 0;
}

static int
read_dns (struct kube_doc *d, json_t *spec, const char *path, struct ctr_config *infra,
          struct hk_error **err)
{
  static const char *const known[] = { "nameservers", "searches", NULL };
  json_t *dns;
  _cleanup_free_ char *p = at (path, "dnsConfig");
  if (kube_object (spec, path, "dnsConfig", &dns, err) < 0)
    return -1;
  if (dns == NULL)
    return 0;
  kube_warn_unknown (d, dns, p, known);
  if (json_get_strv (dns, p, "nameservers", &infra->dns, err) < 0
      || json_get_strv (dns, p, "searches", &infra->dns_search, err) < 0)
    return -1;
  return 0;
}

static int
read_pod_network (struct kube_doc *d, json_t *spec, const char *path, struct kube_pod *pod,
                  struct hk_error **err)
{
  bool host_network = false, share_pid = false;
  _cleanup_free_ char *hostname = NULL;
  if (json_get_bool (spec, path, "hostNetwork", &host_network, err) < 0
      || json_get_bool (spec, path, "shareProcessNamespace", &share_pid, err) < 0
      || json_get_string (spec, path, "hostname", &hostname, err) < 0
      || read_host_aliases (d, spec, path, &pod->req.infra, err) < 0
      || read_dns (d, spec, path, &pod->req.infra, err) < 0)
    return -1;
  if (share_pid)
    pod->req.config.share |= CONFIG_SHARE_PID;
  if (host_network)
    pod->req.infra.network_mode = xstrdup ("host");
  if (hostname)
    {
      if (!kube_is_dns_label (hostname))
        return kube_fail (d, err, path, "hostname \"%s\" is not a DNS label", hostname);
      pod->req.config.hostname = take_ptr (hostname);
    }
  return 0;
}

static const char *const pod_spec_fields[]
    = { "containers",      "initContainers", "volumes",      "restartPolicy",
        "hostname",        "hostNetwork",    "shareProcessNamespace", "securityContext",
        "hostAliases",     "dnsConfig",      "terminationGracePeriodSeconds", NULL };

static int
read_pod_user (struct kube_doc *d, json_t *spec, const char *path, struct kube_user *u,
               struct hk_error **err)
{
  static const char *const known[]
      = { "runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", NULL };
  json_t *sc;
  _cleanup_free_ char *p = at (path, "securityContext");
  if (kube_object (spec, path, "securityContext", &sc, err) < 0)
    return -1;
  if (sc == NULL)
    return 0;
  kube_warn_unknown (d, sc, p, known);
  return read_user (d, sc, p, u, err);
}

/* What every container of the pod gets: the restart policy, the grace
 * period, the pod's labels. */
static void
apply_pod_settings (struct kube_pod *pod, enum config_restart restart, long long grace,
                    bool has_grace)
{
  for (size_t i = 0; i < pod->n_containers; i++)
    {
      struct ctr_config *c = &pod->containers[i].config;
      c->restart = pod->containers[i].init ? CONFIG_RESTART_NO : restart;
      c->limits.set |= CONFIG_LIMIT_RESTART;
      if (has_grace)
        c->stop_timeout = (int)grace;
    }
}

int
kube_pod_read (struct kube_doc *d, const char *name, json_t *labels, json_t *spec,
               const char *path, const struct kube_sources *src, bool deployment,
               struct kube_pod *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  out->name = xstrdup (name);
  pod_config_init (&out->req.config);
  ctr_config_init (&out->req.infra);
  out->req.config.infra = true;
  out->req.config.share = CONFIG_SHARE_NET | CONFIG_SHARE_IPC | CONFIG_SHARE_UTS;
  const char *k;
  json_t *v;
  json_object_foreach (labels, k, v)
  {
    if (json_is_string (v))
      config_map_set (&out->req.config.labels, k, json_string_value (v));
  }
  kube_warn_unknown (d, spec, path, pod_spec_fields);
  enum config_restart restart = CONFIG_RESTART_ALWAYS;
  long long grace = 0;
  bool has_grace;
  struct kube_user user = { 0 };
  int rc = 0;
  if (read_restart (d, spec, path, deployment, &restart, err) < 0
      || get_int (spec, path, "terminationGracePeriodSeconds", 0, 86400, &grace, &has_grace, err) < 0
      || read_pod_network (d, spec, path, out, err) < 0
      || read_pod_user (d, spec, path, &user, err) < 0
      || read_volumes (d, spec, path, src, out, err) < 0
      || read_containers (d, spec, path, "initContainers", true, out, src, &user, err) < 0
      || read_containers (d, spec, path, "containers", false, out, src, &user, err) < 0)
    rc = -1;
  free (user.seccomp);
  if (rc < 0)
    return -1;
  size_t regular = 0;
  for (size_t i = 0; i < out->n_containers; i++)
    regular += !out->containers[i].init;
  if (regular == 0)
    return kube_fail (d, err, path, "containers: at least one is required");
  apply_pod_settings (out, restart, grace, has_grace);
  return 0;
}

void
kube_pod_clear (struct kube_pod *p)
{
  free (p->name);
  pod_config_clear (&p->req.config);
  ctr_config_clear (&p->req.infra);
  for (size_t i = 0; i < p->n_containers; i++)
    {
      struct kube_container *c = &p->containers[i];
      free (c->name);
      free (c->image);
      ctr_config_clear (&c->config);
      for (size_t m = 0; m < c->n_mounts; m++)
        {
          free (c->mounts[m].volume);
          free (c->mounts[m].path);
        }
      free (c->mounts);
    }
  free (p->containers);
  for (size_t i = 0; i < p->n_volumes; i++)
    {
      free (p->volumes[i].name);
      free (p->volumes[i].source);
      json_decref (p->volumes[i].files);
    }
  free (p->volumes);
  memset (p, 0, sizeof *p);
}
