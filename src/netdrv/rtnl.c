/* SPDX-License-Identifier: Apache-2.0 */
#include "rtnl.h"
#include "common/xalloc.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct rtnl
{
  struct mnl_socket *nl;
  unsigned portid;
  unsigned seq;
};

int
rtnl_open (struct rtnl **out, struct hk_error **err)
{
  struct mnl_socket *nl = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl == NULL)
    return hk_error_errno (err, errno, "open a netlink socket");
  if (mnl_socket_bind (nl, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      int e = errno;
      mnl_socket_close (nl);
      return hk_error_errno (err, e, "bind a netlink socket");
    }
  struct rtnl *r = xzalloc (sizeof *r);
  r->nl = nl;
  r->portid = mnl_socket_get_portid (nl);
  r->seq = (unsigned)time (NULL);
  *out = r;
  return 0;
}

void
rtnl_close (struct rtnl *r)
{
  mnl_socket_close (r->nl);
  free (r);
}

unsigned
rtnl_link_index (const char *name)
{
  return if_nametoindex (name);
}

/* Sends NLH and waits for its acknowledgement: 0, or -errno. */
static int
transact (struct rtnl *r, struct nlmsghdr *nlh)
{
  nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = ++r->seq;
  if (mnl_socket_sendto (r->nl, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  char buf[MNL_SOCKET_BUFFER_SIZE];
  for (;;)
    {
      ssize_t n = mnl_socket_recvfrom (r->nl, buf, sizeof buf);
      if (n < 0)
        return -errno;
      int rc = mnl_cb_run (buf, (size_t)n, nlh->nlmsg_seq, r->portid, NULL, NULL);
      if (rc == MNL_CB_ERROR)
        return -errno;
      if (rc == MNL_CB_STOP)
        return 0;
    }
}

static struct nlmsghdr *
link_message (char *buf, int type, int flags, struct ifinfomsg **ifi)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = (uint16_t)type;
  nlh->nlmsg_flags = (uint16_t)flags;
  *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof **ifi);
  (*ifi)->ifi_family = AF_UNSPEC;
  return nlh;
}

int
rtnl_bridge_ensure (struct rtnl *r, const char *name, unsigned mtu, struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = link_message (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi);
  ifi->ifi_flags = ifi->ifi_change = IFF_UP;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  if (mtu)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  struct nlattr *info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (nlh, info);
  int rc = transact (r, nlh);
  if (rc == -EEXIST)
    {
      unsigned index = rtnl_link_index (name);
      if (index == 0)
        return hk_error_set (err, ENODEV, "bridge %s vanished while it was made", name);
      return rtnl_link_up (r, index, err);
    }
  if (rc < 0)
    return hk_error_errno (err, -rc, "create bridge %s", name);
  return 0;
}

int
rtnl_veth_create (struct rtnl *r, const struct veth_request *req, struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = link_message (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi);
  ifi->ifi_flags = ifi->ifi_change = IFF_UP;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, req->host_name);
  mnl_attr_put_u32 (nlh, IFLA_MASTER, req->master);
  if (req->mtu)
    mnl_attr_put_u32 (nlh, IFLA_MTU, req->mtu);
  struct nlattr *info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  struct nlattr *data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  struct nlattr *peer = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  /* The peer's own ifinfomsg, then its attributes: it is made in the
   * container's namespace directly, under its final name (down: the
   * kernel refuses to open a veth before both ends are paired). */
  struct ifinfomsg *peer_ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *peer_ifi);
  peer_ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, req->peer_name);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t)req->peer_netns_fd);
  if (req->peer_mac)
    mnl_attr_put (nlh, IFLA_ADDRESS, 6, req->peer_mac);
  if (req->mtu)
    mnl_attr_put_u32 (nlh, IFLA_MTU, req->mtu);
  mnl_attr_nest_end (nlh, peer);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  int rc = transact (r, nlh);
  if (rc < 0)
    return hk_error_errno (err, -rc, "create veth pair %s/%s", req->host_name, req->peer_name);
  return 0;
}

int
rtnl_bridge_port_hairpin (struct rtnl *r, unsigned index, struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = link_message (buf, RTM_SETLINK, 0, &ifi);
  ifi->ifi_family = AF_BRIDGE;
  ifi->ifi_index = (int)index;
  struct nlattr *info = mnl_attr_nest_start (nlh, IFLA_PROTINFO);
  mnl_attr_put_u8 (nlh, IFLA_BRPORT_MODE, 1);
  mnl_attr_nest_end (nlh, info);
  int rc = transact (r, nlh);
  if (rc < 0)
    return hk_error_errno (err, -rc, "hairpin mode on bridge port %u", index);
  return 0;
}

int
rtnl_link_delete (struct rtnl *r, const char *name, struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = link_message (buf, RTM_DELLINK, 0, &ifi);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  int rc = transact (r, nlh);
  if (rc < 0 && rc != -ENODEV)
    return hk_error_errno (err, -rc, "delete interface %s", name);
  return 0;
}

int
rtnl_link_up (struct rtnl *r, unsigned index, struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = link_message (buf, RTM_NEWLINK, 0, &ifi);
  ifi->ifi_index = (int)index;
  ifi->ifi_flags = ifi->ifi_change = IFF_UP;
  int rc = transact (r, nlh);
  if (rc < 0)
    return hk_error_errno (err, -rc, "bring interface %u up", index);
  return 0;
}

static unsigned
addr_len (int family)
{
  return family == AF_INET ? 4 : 16;
}

int
rtnl_addr_add (struct rtnl *r, unsigned index, int family, const void *addr, unsigned prefix,
               struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = (uint8_t)family;
  ifa->ifa_prefixlen = (uint8_t)prefix;
  ifa->ifa_index = index;
  mnl_attr_put (nlh, IFA_LOCAL, addr_len (family), addr);
  mnl_attr_put (nlh, IFA_ADDRESS, addr_len (family), addr);
  /* No duplicate address detection: the address is ours by the lease,
   * and DAD would hold an IPv6 address back for a second or more. */
  if (family == AF_INET6)
    mnl_attr_put_u32 (nlh, IFA_FLAGS, IFA_F_NODAD);
  int rc = transact (r, nlh);
  if (rc < 0 && rc != -EEXIST)
    return hk_error_errno (err, -rc, "add an address to interface %u", index);
  return 0;
}

int
rtnl_route_default (struct rtnl *r, unsigned index, int family, const void *gateway,
                    struct hk_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_NEWROUTE;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = (uint8_t)family;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put (nlh, RTA_GATEWAY, addr_len (family), gateway);
  mnl_attr_put_u32 (nlh, RTA_OIF, index);
  int rc = transact (r, nlh);
  if (rc < 0)
    return hk_error_errno (err, -rc, "add the default route on interface %u", index);
  return 0;
}
