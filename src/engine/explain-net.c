/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain: the network a process sees.  Interfaces and addresses
 * come from inside its network namespace (a child process joins it with
 * setns and asks the kernel by rtnetlink and getifaddrs); routes from
 * /proc/PID/net/route and ipv6_route; DNS from its /etc/resolv.conf,
 * opened confined to its root.  The host side (--host): the peer of each
 * veth in our namespace, its bridge, and the firewall rules that name
 * the container. */
#include "explain.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define NET_DOC_MAX (1 << 20)

/* Every link of the current namespace (rtnetlink RTM_GETLINK dump): name,
 * index, the index of its peer (IFLA_LINK, a veth's other end), mtu,
 * state, hardware address. */
static json_t *
links (void)
{
  json_t *list = json_array ();
  _cleanup_close_ int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return list;
  struct
  {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } req = { .h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK,
                   .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
            .i = { .ifi_family = AF_UNSPEC } };
  if (send (fd, &req, sizeof req, 0) < 0)
    return list;
  static char buf[32768];
  for (;;)
    {
      ssize_t n = recv (fd, buf, sizeof buf, 0);
      if (n <= 0)
        return list;
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK (h, (size_t)n);
           h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
            return list;
          if (h->nlmsg_type != RTM_NEWLINK)
            continue;
          struct ifinfomsg *ifi = NLMSG_DATA (h);
          json_t *l = json_pack ("{s:i, s:b}", "index", ifi->ifi_index, "up",
                                 (ifi->ifi_flags & IFF_UP) != 0);
          int alen = (int)IFLA_PAYLOAD (h);
          for (struct rtattr *a = IFLA_RTA (ifi); RTA_OK (a, alen); a = RTA_NEXT (a, alen))
            switch (a->rta_type)
              {
              case IFLA_IFNAME:
                json_object_set_new (l, "name", json_stringn (RTA_DATA (a), strnlen (RTA_DATA (a), RTA_PAYLOAD (a))));
                break;
              case IFLA_MTU:
                json_object_set_new (l, "mtu", json_integer (*(unsigned *)RTA_DATA (a)));
                break;
              case IFLA_LINK:
                json_object_set_new (l, "peer_index", json_integer (*(int *)RTA_DATA (a)));
                break;
              case IFLA_ADDRESS:
                if (RTA_PAYLOAD (a) == 6)
                  {
                    const unsigned char *m = RTA_DATA (a);
                    char mac[18];
                    snprintf (mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
                              m[3], m[4], m[5]);
                    json_object_set_new (l, "mac", json_string (mac));
                  }
                break;
              }
          json_object_set_new (l, "addresses", json_array ());
          json_array_append_new (list, l);
        }
    }
}

/* The addresses of the current namespace (getifaddrs) into LINKS'
 * entries, as "ADDRESS/PREFIX". */
static void
add_addresses (json_t *list)
{
  struct ifaddrs *all;
  if (getifaddrs (&all) < 0)
    return;
  for (struct ifaddrs *a = all; a; a = a->ifa_next)
    {
      if (a->ifa_addr == NULL || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
        continue;
      char text[INET6_ADDRSTRLEN];
      int prefix = 0;
      const void *addr, *mask;
      size_t mlen;
      if (a->ifa_addr->sa_family == AF_INET)
        {
          addr = &((struct sockaddr_in *)a->ifa_addr)->sin_addr;
          mask = a->ifa_netmask ? &((struct sockaddr_in *)a->ifa_netmask)->sin_addr : NULL;
          mlen = 4;
        }
      else
        {
          addr = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
          mask = a->ifa_netmask ? &((struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr : NULL;
          mlen = 16;
        }
      for (size_t i = 0; mask && i < mlen; i++)
        prefix += __builtin_popcount (((const unsigned char *)mask)[i]);
      inet_ntop (a->ifa_addr->sa_family, addr, text, sizeof text);
      size_t i;
      json_t *l;
      json_array_foreach (list, i, l)
      {
        const char *name = json_string_value (json_object_get (l, "name"));
        if (name && strcmp (name, a->ifa_name) == 0)
          {
            _cleanup_free_ char *cidr = xasprintf ("%s/%d", text, prefix);
            json_array_append_new (json_object_get (l, "addresses"), json_string (cidr));
          }
      }
    }
  freeifaddrs (all);
}

/* In a child that joined PID's network namespace: its links and addresses
 * as JSON text on OUT. */
static void __attribute__ ((noreturn))
interfaces_child (int netns, int out)
{
  if (setns (netns, CLONE_NEWNET) < 0)
    _exit (1);
  _cleanup_json_ json_t *list = links ();
  add_addresses (list);
  _cleanup_free_ char *text = json_dumps (list, JSON_COMPACT);
  _exit (text && fs_write_all (out, text, strlen (text)) == 0 ? 0 : 1);
}

static int
interfaces (pid_t pid, json_t **out, struct hk_error **err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/ns/net", (int)pid);
  _cleanup_close_ int netns = open (path, O_RDONLY | O_CLOEXEC);
  if (netns < 0)
    return hk_error_errno (err, errno, "open %s", path);
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "make a pipe");
  _cleanup_close_ int rd = p[0];
  _cleanup_close_ int wr = p[1];
  pid_t child = fork ();
  if (child < 0)
    return hk_error_errno (err, errno, "fork to join the network namespace");
  if (child == 0)
    interfaces_child (netns, wr);
  close (take_fd (&wr));
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  int rc = fs_read_fd (rd, NET_DOC_MAX, &text, &len, err);
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (rc < 0)
    return hk_error_prefix (err, "read the interfaces of %s", path);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hk_error_set (err, EIO, "list the interfaces of %s: the child that joined it failed",
                         path);
  json_error_t jerr;
  *out = json_loadb (text, len, 0, &jerr);
  if (*out == NULL)
    return hk_error_set (err, EIO, "the interfaces of %s: %s", path, jerr.text);
  return 0;
}

static char *
read_proc_file (const char *path)
{
  char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, path, NET_DOC_MAX, &text, NULL, &ignored) < 0)
    hk_error_free (ignored);
  return text;
}

/* /proc/PID/net/route: IPv4 routes (addresses as the kernel's u32 in hex). */
static void
add_ipv4_routes (json_t *routes, pid_t pid)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/net/route", (int)pid);
  _cleanup_free_ char *text = read_proc_file (path);
  char *save = NULL;
  for (char *line = text ? strtok_r (text, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char iface[IF_NAMESIZE + 1];
      unsigned dst, gw, flags, mask;
      if (sscanf (line, "%16s %x %x %x %*d %*d %*d %x", iface, &dst, &gw, &flags, &mask) != 5)
        continue; /* the header */
      char d[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
      struct in_addr da = { dst }, ga = { gw };
      inet_ntop (AF_INET, &da, d, sizeof d);
      inet_ntop (AF_INET, &ga, g, sizeof g);
      _cleanup_free_ char *cidr = xasprintf ("%s/%d", dst == 0 && mask == 0 ? "default" : d,
                                             __builtin_popcount (mask));
      json_array_append_new (routes, json_pack ("{s:s, s:s, s:s, s:s, s:s}", "family", "ipv4",
                                                "destination", dst == 0 && mask == 0 ? "default" : cidr,
                                                "gateway", gw ? g : "", "interface", iface,
                                                "source", path));
    }
}

/* /proc/PID/net/ipv6_route, the main table's routes (not lo's). */
static void
add_ipv6_routes (json_t *routes, pid_t pid)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/net/ipv6_route", (int)pid);
  _cleanup_free_ char *text = read_proc_file (path);
  char *save = NULL;
  for (char *line = text ? strtok_r (text, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char dst[33], gw[33], iface[IF_NAMESIZE + 1];
      unsigned plen;
      if (sscanf (line, "%32s %x %*s %*s %32s %*s %*s %*s %*s %16s", dst, &plen, gw, iface) != 4
          || strcmp (iface, "lo") == 0)
        continue;
      struct in6_addr d, g;
      for (int i = 0; i < 16; i++)
        {
          sscanf (dst + 2 * i, "%2hhx", &d.s6_addr[i]);
          sscanf (gw + 2 * i, "%2hhx", &g.s6_addr[i]);
        }
      char dt[INET6_ADDRSTRLEN], gt[INET6_ADDRSTRLEN];
      inet_ntop (AF_INET6, &d, dt, sizeof dt);
      inet_ntop (AF_INET6, &g, gt, sizeof gt);
      _cleanup_free_ char *cidr = plen == 0 ? xstrdup ("default") : xasprintf ("%s/%u", dt, plen);
      json_array_append_new (routes, json_pack ("{s:s, s:s, s:s, s:s, s:s}", "family", "ipv6",
                                                "destination", cidr, "gateway",
                                                IN6_IS_ADDR_UNSPECIFIED (&g) ? "" : gt,
                                                "interface", iface, "source", path));
    }
}

json_t *
explain_resolv_conf_parse (char *text)
{
  json_t *doc = json_pack ("{s:[], s:[], s:[]}", "nameservers", "search", "options");
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      const char *keys[] = { "nameserver", "search", "options" };
      const char *lists[] = { "nameservers", "search", "options" };
      for (int k = 0; k < 3; k++)
        {
          size_t klen = strlen (keys[k]);
          if (strncmp (line, keys[k], klen) != 0 || (line[klen] != ' ' && line[klen] != '\t'))
            continue;
          char *wsave = NULL;
          for (char *w = strtok_r (line + klen, " \t", &wsave); w; w = strtok_r (NULL, " \t", &wsave))
            json_array_append_new (json_object_get (doc, lists[k]), json_string (w));
        }
    }
  return doc;
}

/* nameserver, search and options of the container's /etc/resolv.conf,
 * resolved inside its root (a symlink there cannot reach the host's). */
static json_t *
dns (pid_t pid)
{
  _cleanup_free_ char *root = xasprintf ("/proc/%d/root", (int)pid);
  struct hk_error *e = NULL;
  _cleanup_close_ int root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int fd = root_fd < 0 ? -1 : in_root_open (root_fd, "/etc/resolv.conf", O_RDONLY, 0, &e);
  _cleanup_free_ char *text = NULL;
  json_t *doc;
  if (fd < 0 || fs_read_fd (fd, FS_TEXT_FILE_MAX, &text, NULL, &e) < 0)
    {
      doc = json_pack ("{s:[], s:[], s:[], s:s?}", "nameservers", "search", "options", "error",
                       e ? e->message : "cannot open its root");
      hk_error_free (e);
    }
  else
    doc = explain_resolv_conf_parse (text);
  json_object_set_new (doc, "source", json_string ("/etc/resolv.conf inside the container's root"));
  return doc;
}

json_t *
explain_network (pid_t pid)
{
  _cleanup_free_ char *source = xasprintf ("rtnetlink and getifaddrs in /proc/%d/ns/net", (int)pid);
  json_t *doc = json_pack ("{s:s, s:[]}", "interfaces_source", source, "routes");
  json_t *list = NULL;
  struct hk_error *e = NULL;
  if (interfaces (pid, &list, &e) < 0)
    {
      json_object_set_new (doc, "error", json_string (e->message));
      hk_error_free (e);
      list = json_array ();
    }
  json_object_set_new (doc, "interfaces", list);
  add_ipv4_routes (json_object_get (doc, "routes"), pid);
  add_ipv6_routes (json_object_get (doc, "routes"), pid);
  json_object_set_new (doc, "dns", dns (pid));
  return doc;
}

/* ---- the host side ---- */

/* The bridge IFNAME is a port of (/sys/class/net/IFNAME/master), or NULL. */
static char *
bridge_of (const char *ifname)
{
  _cleanup_free_ char *path = xasprintf ("/sys/class/net/%s/master", ifname);
  char target[PATH_MAX];
  ssize_t n = readlink (path, target, sizeof target - 1);
  if (n < 0)
    return NULL;
  target[n] = '\0';
  return xstrdup (basename (target));
}

/* Whether host interface NAME's peer (/sys/class/net/NAME/iflink) is
 * INDEX: the index of a veth's peer is only meaningful in the namespace
 * the peer is in. */
static bool
peer_is (const char *name, json_int_t index)
{
  _cleanup_free_ char *path = xasprintf ("/sys/class/net/%s/iflink", name);
  _cleanup_free_ char *text = read_proc_file (path);
  return text != NULL && strtoll (text, NULL, 10) == index;
}

/* The output of ARGV (iptables-save, nft list ...), or NULL with *ERR. */
static char *
run_save (char *const *argv, struct hk_error **err)
{
  const char *program = argv[0];
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      hk_error_errno (err, errno, "make a pipe");
      return NULL;
    }
  _cleanup_close_ int rd = p[0];
  _cleanup_close_ int wr = p[1];
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, wr, 1);
  pid_t pid;
  int rc = posix_spawnp (&pid, program, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (rc != 0)
    {
      hk_error_errno (err, rc, "run %s", program);
      return NULL;
    }
  close (take_fd (&wr));
  char *text = NULL;
  int read_rc = fs_read_fd (rd, 64 << 20, &text, NULL, err);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (read_rc < 0)
    return NULL;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      free (text);
      hk_error_set (err, EIO, "%s failed (status %d)", program, status);
      return NULL;
    }
  return text;
}

/* Whether LINE names WORD as a whole word (an address is not a prefix of
 * a longer one: 10.0.0.2 does not match 10.0.0.23). */
static bool
names_word (const char *line, const char *word)
{
  size_t len = strlen (word);
  for (const char *p = strstr (line, word); p; p = strstr (p + 1, word))
    {
      char after = p[len];
      bool before_ok = p == line || !(isalnum ((unsigned char)p[-1]) || p[-1] == '.');
      bool after_ok = !(isalnum ((unsigned char)after) || after == '.');
      if (before_ok && after_ok)
        return true;
    }
  return false;
}

/* Appends to WORDS the comment of LINE ("hako:ID12", "nw-ID12"): the
 * rules of a network name neither the container nor, for the NAT of its
 * subnet, the bridge; its comment tells them. */
static void
add_comment_word (char ***words, const char *line)
{
  const char *tag = strstr (line, "comment \"");
  if (tag == NULL)
    return;
  tag += strlen ("comment \"");
  _cleanup_free_ char *word = xstrndup (tag, strcspn (tag, "\""));
  if (!strv_contains (*words, word))
    strv_append (words, word);
}

static bool
names_any (const char *line, char *const *words)
{
  for (size_t i = 0; words[i]; i++)
    if (names_word (line, words[i]))
      return true;
  return false;
}

/* Lines of iptables-save naming the container (WORDS: its ID, an address
 * of it without the prefix, one of its bridges), into RULES.  Two passes:
 * the rules that name it, then also those that carry the comment of one of
 * its networks. */
static void
iptables_rules (json_t *doc, char *const *words)
{
  struct hk_error *e = NULL;
  char *argv[] = { "iptables-save", NULL };
  _cleanup_free_ char *text = run_save (argv, &e);
  if (text == NULL)
    {
      json_object_set_new (doc, "error", json_string (e->message));
      hk_error_free (e);
      return;
    }
  _cleanup_strv_ char **more = strv_copy (words);
  for (int pass = 0; pass < 2; pass++)
    {
      _cleanup_free_ char *copy = xstrdup (text);
      const char *table = "";
      char *save = NULL;
      for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        {
          if (line[0] == '*')
            table = line + 1;
          if (line[0] != '-' || !names_any (line, more))
            continue;
          if (pass == 1)
            json_array_append_new (json_object_get (doc, "rules"),
                                   json_pack ("{s:s, s:s}", "table", table, "rule", line));
          else
            add_comment_word (&more, line);
        }
    }
}

/* Whether CHAIN belongs to one of WORDS: the native driver names a
 * network's chains nw-ID12-nat and nw-ID12-fwd, a container's ct-ID12,
 * after the comments its jumps carry. */
static bool
chain_of_any (const char *chain, char *const *words)
{
  for (size_t i = 0; words[i]; i++)
    {
      size_t len = strlen (words[i]);
      if (strncmp (chain, words[i], len) == 0 && (chain[len] == '\0' || chain[len] == '-'))
        return true;
    }
  return false;
}

/* The rules of the native network driver's table (inet hako) naming the
 * container or in a chain of its own or of its networks, as `nft list`
 * prints them ("chain NAME: RULE").  No table, or no nft program: none. */
static void
nft_rules (json_t *doc, char *const *words, const char *id)
{
  struct hk_error *e = NULL;
  char *argv[] = { "nft", "list", "table", "inet", "hako", NULL };
  _cleanup_free_ char *text = run_save (argv, &e);
  if (text == NULL)
    {
      hk_error_free (e);
      return;
    }
  _cleanup_strv_ char **more = strv_copy (words);
  _cleanup_free_ char *ct = xasprintf ("ct-%.12s", id);
  strv_append (&more, ct);
  for (int pass = 0; pass < 2; pass++)
    {
      _cleanup_free_ char *copy = xstrdup (text);
      _cleanup_free_ char *chain = NULL;
      char *save = NULL;
      for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        {
          line += strspn (line, " \t");
          if (strncmp (line, "chain ", 6) == 0)
            {
              free (chain);
              chain = xstrndup (line + 6, strcspn (line + 6, " {"));
              continue;
            }
          if (chain == NULL || line[0] == '\0' || line[0] == '}' || strncmp (line, "type ", 5) == 0)
            continue;
          if (!names_any (line, more) && !chain_of_any (chain, more))
            continue;
          if (pass == 0)
            add_comment_word (&more, line);
          else
            {
              _cleanup_free_ char *rule = xasprintf ("chain %s: %s", chain, line);
              json_array_append_new (json_object_get (doc, "rules"),
                                     json_pack ("{s:s, s:s}", "table", "inet hako", "rule", rule));
            }
        }
    }
}

/* The firewall rules for the container: iptables-save's (CNI networks,
 * and an iptables-legacy host's) and the native driver's nftables table. */
static json_t *
firewall_rules (char *const *words, const char *id)
{
  json_t *doc = json_pack ("{s:s, s:[]}", "source", "iptables-save; nft list table inet hako",
                           "rules");
  iptables_rules (doc, words);
  nft_rules (doc, words, id);
  return doc;
}

json_t *
explain_network_host (json_t *network, const char *id)
{
  json_t *veths = json_array ();
  char **words = xzalloc (sizeof (char *));
  strv_append (&words, id);
  size_t i;
  json_t *l;
  json_array_foreach (json_object_get (network, "interfaces"), i, l)
  {
    size_t j;
    json_t *a;
    json_array_foreach (json_object_get (l, "addresses"), j, a)
    {
      const char *cidr = json_string_value (a);
      if (strchr (cidr, ':') == NULL) /* iptables-save is IPv4's */
        strv_append_take (&words, xstrndup (cidr, strcspn (cidr, "/")));
    }
    json_int_t peer = json_integer_value (json_object_get (l, "peer_index"));
    json_int_t index = json_integer_value (json_object_get (l, "index"));
    char name[IF_NAMESIZE];
    if (peer <= 0 || peer == index || if_indextoname ((unsigned)peer, name) == NULL
        || !peer_is (name, index))
      continue;
    _cleanup_free_ char *bridge = bridge_of (name);
    json_t *v = json_pack ("{s:O, s:s, s:I, s:s}", "container_interface",
                           json_object_get (l, "name"), "host_interface", name, "host_index",
                           peer, "source", "if_indextoname of its IFLA_LINK in our namespace");
    if (bridge)
      {
        json_object_set_new (v, "bridge", json_string (bridge));
        strv_append (&words, bridge);
      }
    json_array_append_new (veths, v);
  }
  json_t *doc = json_pack ("{s:o, s:o}", "veths", veths, "firewall", firewall_rules (words, id));
  strv_free (words);
  return doc;
}
