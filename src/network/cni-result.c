/* SPDX-License-Identifier: Apache-2.0 */
#include "cni-result.h"
#include "ip-prefix.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

void
cni_result_free (struct cni_result *r)
{
  if (r == NULL)
    return;
  free (r->cni_version);
  for (size_t i = 0; i < r->n_interfaces; i++)
    {
      free (r->interfaces[i].name);
      free (r->interfaces[i].mac);
      free (r->interfaces[i].sandbox);
    }
  free (r->interfaces);
  for (size_t i = 0; i < r->n_ips; i++)
    {
      free (r->ips[i].address);
      free (r->ips[i].gateway);
    }
  free (r->ips);
  for (size_t i = 0; i < r->n_routes; i++)
    {
      free (r->routes[i].dst);
      free (r->routes[i].gw);
    }
  free (r->routes);
  strv_free (r->nameservers);
  strv_free (r->search);
  strv_free (r->options);
  free (r->domain);
  free (r);
}

/* "aa:bb:cc:dd:ee:ff" (or longer, for InfiniBand): hex pairs and colons. */
static bool
valid_mac (const char *mac)
{
  size_t len = strlen (mac);
  if (len < 17 || len > 59 || (len + 1) % 3 != 0)
    return false;
  for (size_t i = 0; i < len; i++)
    if (i % 3 == 2 ? mac[i] != ':' : !isxdigit ((unsigned char)mac[i]))
      return false;
  return true;
}

static int
parse_interface (json_t *j, const char *path, struct cni_interface *out, struct hk_error **err)
{
  if (!json_is_object (j))
    return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path, json_type_name (j));
  if (json_require (j, path, "name", err) < 0
      || json_get_string (j, path, "name", &out->name, err) < 0
      || json_get_string (j, path, "mac", &out->mac, err) < 0
      || json_get_string (j, path, "sandbox", &out->sandbox, err) < 0)
    return -1;
  if (out->mac != NULL && *out->mac == '\0')
    {
      free (out->mac);
      out->mac = NULL;
    }
  if (out->mac != NULL && !valid_mac (out->mac))
    return hk_error_set (err, EINVAL, "%s.mac: `%s` is not a hardware address", path, out->mac);
  if (out->sandbox != NULL && *out->sandbox == '\0')
    {
      free (out->sandbox);
      out->sandbox = NULL;
    }
  return 0;
}

static int
parse_ip (json_t *j, const char *path, size_t n_interfaces, struct cni_ip *out,
          struct hk_error **err)
{
  if (!json_is_object (j))
    return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path, json_type_name (j));
  _cleanup_free_ char *version = NULL;
  int64_t index = -1;
  if (json_require (j, path, "address", err) < 0
      || json_get_string (j, path, "address", &out->address, err) < 0
      || json_get_string (j, path, "gateway", &out->gateway, err) < 0
      || json_get_string (j, path, "version", &version, err) < 0
      || json_get_int64 (j, path, "interface", &index, err) < 0)
    return -1;
  struct ip_prefix addr, gw;
  if (!ip_prefix_parse (out->address, &addr))
    return hk_error_set (err, EINVAL, "%s.address: `%s` is not ADDRESS/PREFIX", path, out->address);
  if (out->gateway != NULL && (!ip_address_parse (out->gateway, &gw) || gw.family != addr.family))
    return hk_error_set (err, EINVAL, "%s.gateway: `%s` is not an address of the same family", path,
                         out->gateway);
  if (version != NULL && strcmp (version, addr.family == AF_INET ? "4" : "6") != 0)
    return hk_error_set (err, EINVAL, "%s.version: `%s` does not match the address", path, version);
  if (index < -1 || index >= (int64_t)n_interfaces)
    return hk_error_set (err, EINVAL, "%s.interface: %lld is not an index into interfaces", path,
                         (long long)index);
  out->interface = (int)index;
  return 0;
}

static int
parse_route (json_t *j, const char *path, struct cni_route *out, struct hk_error **err)
{
  if (!json_is_object (j))
    return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path, json_type_name (j));
  if (json_require (j, path, "dst", err) < 0 || json_get_string (j, path, "dst", &out->dst, err) < 0
      || json_get_string (j, path, "gw", &out->gw, err) < 0)
    return -1;
  struct ip_prefix dst, gw;
  if (!ip_prefix_parse (out->dst, &dst))
    return hk_error_set (err, EINVAL, "%s.dst: `%s` is not ADDRESS/PREFIX", path, out->dst);
  if (out->gw != NULL && (!ip_address_parse (out->gw, &gw) || gw.family != dst.family))
    return hk_error_set (err, EINVAL, "%s.gw: `%s` is not an address of the same family", path,
                         out->gw);
  return 0;
}

static int
parse_dns (json_t *doc, struct cni_result *r, struct hk_error **err)
{
  json_t *dns = NULL;
  if (json_get_object (doc, "", "dns", &dns, err) < 0)
    return -1;
  if (dns != NULL
      && (json_get_strv (dns, "dns", "nameservers", &r->nameservers, err) < 0
          || json_get_strv (dns, "dns", "search", &r->search, err) < 0
          || json_get_strv (dns, "dns", "options", &r->options, err) < 0
          || json_get_string (dns, "dns", "domain", &r->domain, err) < 0))
    return -1;
  for (size_t i = 0; r->nameservers && r->nameservers[i]; i++)
    {
      struct ip_prefix a;
      if (!ip_address_parse (r->nameservers[i], &a))
        return hk_error_set (err, EINVAL, "dns.nameservers[%zu]: `%s` is not an address", i,
                             r->nameservers[i]);
    }
  char ***lists[] = { &r->nameservers, &r->search, &r->options };
  for (size_t i = 0; i < 3; i++)
    if (*lists[i] == NULL)
      *lists[i] = xzalloc (sizeof (char *));
  return 0;
}

/* An optional array member; *N its length. */
static int
get_list (json_t *doc, const char *key, json_t **out, size_t *n, struct hk_error **err)
{
  *out = NULL;
  if (json_get_array (doc, "", key, out, err) < 0)
    return -1;
  *n = json_array_size (*out);
  return 0;
}

static int
parse_lists (json_t *doc, struct cni_result *r, struct hk_error **err)
{
  json_t *interfaces, *ips, *routes;
  size_t n_interfaces, n_ips, n_routes;
  if (get_list (doc, "interfaces", &interfaces, &n_interfaces, err) < 0
      || get_list (doc, "ips", &ips, &n_ips, err) < 0
      || get_list (doc, "routes", &routes, &n_routes, err) < 0)
    return -1;
  /* Each entry is counted before it is parsed: a half-parsed one is freed
   * with the rest. */
  r->interfaces = xzalloc ((n_interfaces + 1) * sizeof *r->interfaces);
  for (size_t i = 0; i < n_interfaces; i++)
    {
      _cleanup_free_ char *path = json_path_index ("interfaces", i);
      r->n_interfaces++;
      if (parse_interface (json_array_get (interfaces, i), path, &r->interfaces[i], err) < 0)
        return -1;
    }
  r->ips = xzalloc ((n_ips + 1) * sizeof *r->ips);
  for (size_t i = 0; i < n_ips; i++)
    {
      _cleanup_free_ char *path = json_path_index ("ips", i);
      r->n_ips++;
      if (parse_ip (json_array_get (ips, i), path, n_interfaces, &r->ips[i], err) < 0)
        return -1;
    }
  r->routes = xzalloc ((n_routes + 1) * sizeof *r->routes);
  for (size_t i = 0; i < n_routes; i++)
    {
      _cleanup_free_ char *path = json_path_index ("routes", i);
      r->n_routes++;
      if (parse_route (json_array_get (routes, i), path, &r->routes[i], err) < 0)
        return -1;
    }
  return 0;
}

int
cni_result_from_json (json_t *doc, struct cni_result **out, struct hk_error **err)
{
  if (!json_is_object (doc))
    return hk_error_set (err, EINVAL, "CNI result: expected an object");
  _cleanup_cni_result_ struct cni_result *r = xzalloc (sizeof *r);
  if (json_get_string (doc, "", "cniVersion", &r->cni_version, err) < 0
      || parse_lists (doc, r, err) < 0 || parse_dns (doc, r, err) < 0)
    return hk_error_prefix (err, "CNI result");
  *out = take_ptr (r);
  return 0;
}

int
cni_result_parse (const char *text, size_t len, struct cni_result **out, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (text, len, "CNI result", &doc, err) < 0)
    return -1;
  return cni_result_from_json (doc, out, err);
}

const struct cni_interface *
cni_result_ip_interface (const struct cni_result *r, const struct cni_ip *ip)
{
  return ip->interface >= 0 && (size_t)ip->interface < r->n_interfaces
             ? &r->interfaces[ip->interface]
             : NULL;
}

const struct cni_ip *
cni_result_address (const struct cni_result *r, int family)
{
  const struct cni_ip *any = NULL;
  for (size_t i = 0; i < r->n_ips; i++)
    {
      struct ip_prefix p;
      if (!ip_prefix_parse (r->ips[i].address, &p) || p.family != family)
        continue;
      const struct cni_interface *iface = cni_result_ip_interface (r, &r->ips[i]);
      if (iface != NULL && iface->sandbox != NULL)
        return &r->ips[i];
      if (any == NULL && (iface == NULL || r->ips[i].interface < 0))
        any = &r->ips[i];
    }
  return any;
}

char *
cni_error_message (const char *text, size_t len, int *code)
{
  _cleanup_json_ json_t *doc = json_loadb (text, len, 0, NULL);
  json_t *msg = json_object_get (doc, "msg");
  if (!json_is_string (msg))
    return NULL;
  json_t *details = json_object_get (doc, "details");
  *code = (int)json_integer_value (json_object_get (doc, "code"));
  if (json_is_string (details) && *json_string_value (details))
    return xasprintf ("%s: %s", json_string_value (msg), json_string_value (details));
  return xstrdup (json_string_value (msg));
}

int
cni_version_parse (const char *text, size_t len, char ***supported, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  _cleanup_strv_ char **list = NULL;
  if (json_parse_object (text, len, "CNI version result", &doc, err) < 0
      || json_require (doc, "", "supportedVersions", err) < 0
      || json_get_strv (doc, "", "supportedVersions", &list, err) < 0)
    return hk_error_prefix (err, "CNI version result");
  *supported = take_ptr (list);
  return 0;
}
