/* SPDX-License-Identifier: Apache-2.0 */
#include "network-conflist.h"

static json_t *
bridge_plugin (const struct network *n, const char *ipam_dir, bool static_ip)
{
  json_t *range = json_pack ("[[{s:s, s:s}]]", "subnet", n->subnet, "gateway", n->gateway);
  json_t *ipam
      = json_pack ("{s:s, s:o, s:s}", "type", "host-local", "ranges", range, "dataDir", ipam_dir);
  /* An internal network has no gateway: no route, no address of the host
   * on its bridge, no way out. */
  if (!n->internal)
    json_object_set_new (ipam, "routes", json_pack ("[{s:s}]", "dst", "0.0.0.0/0"));
  json_t *p = json_pack ("{s:s, s:s, s:b, s:b, s:b, s:o}", "type", "bridge", "bridge", n->bridge,
                         "isGateway", !n->internal, "ipMasq", 0, "hairpinMode", 1, "ipam", ipam);
  if (static_ip)
    json_object_set_new (p, "capabilities", json_pack ("{s:b}", "ips", 1));
  return p;
}

json_t *
network_conflist (const struct network *n, const char *ipam_dir, const struct conflist_needs *needs)
{
  json_t *plugins = json_pack ("[o]", bridge_plugin (n, ipam_dir, needs->static_ip));
  if (needs->ports && !n->internal)
    json_array_append_new (plugins, json_pack ("{s:s, s:{s:b}, s:b}", "type", "portmap",
                                               "capabilities", "portMappings", 1, "snat", 1));
  if (needs->mac)
    json_array_append_new (
        plugins, json_pack ("{s:s, s:{s:b}}", "type", "tuning", "capabilities", "mac", 1));
  return json_pack ("{s:s, s:s, s:o}", "cniVersion", "1.0.0", "name", n->name, "plugins", plugins);
}
