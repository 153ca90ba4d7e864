/* SPDX-License-Identifier: Apache-2.0 */
#include "nft-rules.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE "inet hako"

int
nft_rules_open (struct nft_ctx **out, struct hk_error **err)
{
  struct nft_ctx *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  if (ctx == NULL)
    return hk_error_set (err, ENOMEM, "nftables: cannot make a context");
  nft_ctx_buffer_output (ctx);
  nft_ctx_buffer_error (ctx);
  *out = ctx;
  return 0;
}

/* Runs the commands of TEXT as one transaction. */
static int
run (struct nft_ctx *ctx, const char *text, const char *what, struct hk_error **err)
{
  if (nft_run_cmd_from_buffer (ctx, text) == 0)
    return 0;
  _cleanup_free_ char *msg = xstrdup (nft_ctx_get_error_buffer (ctx));
  size_t n = strlen (msg);
  while (n > 0 && msg[n - 1] == '\n')
    msg[--n] = '\0';
  return hk_error_set (err, EIO, "nftables: %s: %s", what, *msg ? msg : "failed");
}

/* True when chain NAME of our table exists. */
static bool
chain_exists (struct nft_ctx *ctx, const char *name)
{
  _cleanup_free_ char *cmd = xasprintf ("list chain " TABLE " %s", name);
  return nft_run_cmd_from_buffer (ctx, cmd) == 0;
}

static const char base_chains[]
    = "add table " TABLE "\n"
      "add chain " TABLE " prerouting { type nat hook prerouting priority dstnat; }\n"
      "add chain " TABLE " output { type nat hook output priority -100; }\n"
      "add chain " TABLE " postrouting { type nat hook postrouting priority srcnat; }\n"
      "add chain " TABLE " forward { type filter hook forward priority filter; }\n"
      "add chain " TABLE " input { type filter hook input priority filter; }\n";

static void
network_nat (FILE *f, const struct nft_network *n, const char *tag)
{
  fprintf (f, "add rule " TABLE " %s-nat ip daddr != %s masquerade\n", tag, n->subnet);
  fprintf (f, "add rule " TABLE " %s-nat ip daddr %s ct status dnat masquerade\n", tag, n->subnet);
  fprintf (f, "add rule " TABLE " postrouting ip saddr %s jump %s-nat comment \"%s\"\n", n->subnet,
           tag, tag);
  if (n->subnet6)
    {
      fprintf (f, "add rule " TABLE " %s-nat ip6 daddr != %s masquerade\n", tag, n->subnet6);
      fprintf (f, "add rule " TABLE " %s-nat ip6 daddr %s ct status dnat masquerade\n", tag,
               n->subnet6);
      fprintf (f, "add rule " TABLE " postrouting ip6 saddr %s jump %s-nat comment \"%s\"\n",
               n->subnet6, tag, tag);
    }
  /* The host reaching a published port at 127.0.0.1 (or ::1): the
   * source must become the bridge's address to leave through it. */
  fprintf (f,
           "add rule " TABLE " postrouting oifname \"%s\" ip saddr 127.0.0.0/8 masquerade"
           " comment \"%s\"\n",
           n->bridge, tag);
  fprintf (f,
           "add rule " TABLE " postrouting oifname \"%s\" ip6 saddr ::1 masquerade"
           " comment \"%s\"\n",
           n->bridge, tag);
  fprintf (f, "add rule " TABLE " %s-fwd accept\n", tag);
}

/* Nothing crosses the bridge's edge; of the host, only the network's DNS
 * server on the gateway's port 53 is reached (and IPv6 neighbour
 * discovery, without which the IPv6 gateway is not found). */
static void
network_internal (FILE *f, const struct nft_network *n, const char *tag)
{
  fprintf (f, "add rule " TABLE " %s-fwd iifname \"%s\" oifname != \"%s\" drop\n", tag, n->bridge,
           n->bridge);
  fprintf (f, "add rule " TABLE " %s-fwd oifname \"%s\" iifname != \"%s\" drop\n", tag, n->bridge,
           n->bridge);
  const char *families[] = { "ip", "ip6" };
  const char *gateways[] = { n->gateway, n->gateway6 };
  for (size_t i = 0; i < 2; i++)
    for (size_t tcp = 0; gateways[i] != NULL && tcp <= 1; tcp++)
      fprintf (f,
               "add rule " TABLE " input iifname \"%s\" %s daddr %s %s dport 53 accept"
               " comment \"%s\"\n",
               n->bridge, families[i], gateways[i], tcp ? "tcp" : "udp", tag);
  if (n->gateway6 != NULL)
    fprintf (f,
             "add rule " TABLE " input iifname \"%s\" icmpv6 type"
             " { nd-neighbor-solicit, nd-neighbor-advert } accept comment \"%s\"\n",
             n->bridge, tag);
  fprintf (f, "add rule " TABLE " input iifname \"%s\" drop comment \"%s\"\n", n->bridge, tag);
}

int
nft_rules_network_ensure (struct nft_ctx *ctx, const struct nft_network *n, struct hk_error **err)
{
  _cleanup_free_ char *tag = xasprintf ("nw-%s", n->id12);
  _cleanup_free_ char *fwd = xasprintf ("%s-fwd", tag);
  if (chain_exists (ctx, fwd))
    return 0;
  _cleanup_free_ char *text = NULL;
  size_t len;
  FILE *f = open_memstream (&text, &len);
  fputs (base_chains, f);
  fprintf (f, "add chain " TABLE " %s-nat\nadd chain " TABLE " %s-fwd\n", tag, tag);
  if (n->internal)
    network_internal (f, n, tag);
  else
    network_nat (f, n, tag);
  fprintf (f, "add rule " TABLE " forward iifname \"%s\" jump %s-fwd comment \"%s\"\n", n->bridge,
           tag, tag);
  fprintf (f, "add rule " TABLE " forward oifname \"%s\" jump %s-fwd comment \"%s\"\n", n->bridge,
           tag, tag);
  fclose (f);
  return run (ctx, text, "add the rules of a network", err);
}

/* Appends to F the deletion of every rule of our table whose comment is
 * TAG; *FOUND counts the chains of our table named otherwise than the
 * base chains and TAG's (what is left after this deletion). */
static int
tagged_deletions (struct nft_ctx *ctx, const char *tag, FILE *f, size_t *others,
                  struct hk_error **err)
{
  *others = 0;
  unsigned flags = nft_ctx_output_get_flags (ctx);
  nft_ctx_output_set_flags (ctx, flags | NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
  int rc = nft_run_cmd_from_buffer (ctx, "list table " TABLE);
  nft_ctx_output_set_flags (ctx, flags);
  if (rc != 0)
    return 1; /* no table: nothing of ours */
  json_error_t jerr;
  _cleanup_json_ json_t *doc = json_loads (nft_ctx_get_output_buffer (ctx), 0, &jerr);
  json_t *items = json_object_get (doc, "nftables");
  if (!json_is_array (items))
    return hk_error_set (err, EIO, "nftables: cannot read the listing of table hako");
  size_t i, tag_len = strlen (tag);
  json_t *item;
  json_array_foreach (items, i, item)
  {
    json_t *rule = json_object_get (item, "rule");
    json_t *chain = json_object_get (item, "chain");
    const char *comment = json_string_value (json_object_get (rule, "comment"));
    if (rule && comment && strcmp (comment, tag) == 0)
      fprintf (f, "delete rule " TABLE " %s handle %lld\n",
               json_string_value (json_object_get (rule, "chain")),
               json_integer_value (json_object_get (rule, "handle")));
    const char *name = json_string_value (json_object_get (chain, "name"));
    if (name && json_object_get (chain, "hook") == NULL && strncmp (name, tag, tag_len) != 0)
      (*others)++;
  }
  return 0;
}

/* Removes the rules tagged TAG and the chains named TAG-SUFFIX for each
 * of SUFFIXES; the table too when DROP_EMPTY_TABLE and nothing else is in
 * it. */
static int
remove_tagged (struct nft_ctx *ctx, const char *tag, const char *const *suffixes,
               bool drop_empty_table, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len, others;
  FILE *f = open_memstream (&text, &len);
  int rc = tagged_deletions (ctx, tag, f, &others, err);
  if (rc == 0)
    {
      for (const char *const *s = suffixes; *s; s++)
        {
          _cleanup_free_ char *chain = xasprintf ("%s%s", tag, *s);
          if (chain_exists (ctx, chain))
            fprintf (f, "flush chain " TABLE " %s\ndelete chain " TABLE " %s\n", chain, chain);
        }
      if (drop_empty_table && others == 0)
        fputs ("delete table " TABLE "\n", f);
    }
  fclose (f);
  if (rc != 0)
    return rc < 0 ? -1 : 0;
  if (*text == '\0')
    return 0;
  return run (ctx, text, "remove rules", err);
}

int
nft_rules_network_remove (struct nft_ctx *ctx, const char *id12, struct hk_error **err)
{
  _cleanup_free_ char *tag = xasprintf ("nw-%s", id12);
  static const char *const chains[] = { "-nat", "-fwd", NULL };
  return remove_tagged (ctx, tag, chains, true, err);
}

int
nft_rules_ports_add (struct nft_ctx *ctx, const char *id12, const json_t *ports,
                     const char *address, const char *address6, struct hk_error **err)
{
  _cleanup_free_ char *tag = xasprintf ("ct-%s", id12);
  _cleanup_free_ char *text = NULL;
  size_t len;
  FILE *f = open_memstream (&text, &len);
  fputs (base_chains, f);
  fprintf (f, "add chain " TABLE " %s\n", tag);
  size_t i;
  json_t *p;
  json_array_foreach (ports, i, p)
  {
    const char *host_ip = json_string_value (json_object_get (p, "HostIp"));
    const char *proto = json_string_value (json_object_get (p, "Protocol"));
    long long host_port = json_integer_value (json_object_get (p, "HostPort"));
    long long port = json_integer_value (json_object_get (p, "ContainerPort"));
    bool v6_host = host_ip && strchr (host_ip, ':') != NULL;
    struct in6_addr loopback;
    if (v6_host && inet_pton (AF_INET6, host_ip, &loopback) == 1
        && IN6_IS_ADDR_LOOPBACK (&loopback))
      continue; /* relayed by the container's monitor: no NAT reaches it */
    bool any_host = host_ip == NULL || *host_ip == '\0' || strcmp (host_ip, "0.0.0.0") == 0
                    || strcmp (host_ip, "::") == 0;
    if (!v6_host)
      fprintf (f, "add rule " TABLE " %s meta nfproto ipv4 %s%s %s dport %lld dnat ip to %s:%lld\n",
               tag, any_host ? "" : "ip daddr ", any_host ? "" : host_ip, proto, host_port, address,
               port);
    /* All addresses but ::1, which the container's monitor relays (a
     * packet from ::1 NATed to the container would be dropped) */
    if ((v6_host || any_host) && address6)
      fprintf (f,
               "add rule " TABLE " %s meta nfproto ipv6 ip6 daddr %s%s %s dport %lld dnat ip6 to"
               " [%s]:%lld\n",
               tag, any_host ? "!= " : "", any_host ? "::1" : host_ip, proto, host_port, address6,
               port);
  }
  fprintf (f, "add rule " TABLE " prerouting fib daddr type local jump %s comment \"%s\"\n", tag,
           tag);
  fprintf (f, "add rule " TABLE " output fib daddr type local jump %s comment \"%s\"\n", tag, tag);
  fclose (f);
  return run (ctx, text, "publish the ports", err);
}

int
nft_rules_ports_remove (struct nft_ctx *ctx, const char *id12, struct hk_error **err)
{
  _cleanup_free_ char *tag = xasprintf ("ct-%s", id12);
  static const char *const chains[] = { "", NULL };
  return remove_tagged (ctx, tag, chains, false, err);
}
